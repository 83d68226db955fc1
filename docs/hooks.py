"""MkDocs hooks: the tutorial and API reference pages, derived from the repository, not listed.

Every tutorials/*.ipynb becomes a page, read from the executed copy docs/build.py wrote
(`extra.executed`/tutorials/), so the site shows its outputs. Every public module of passos
(no part of its name starting with "_") gets an API page holding one `::: module` directive for
mkdocstrings, grouped in the nav by top-level package: a new module is documented without
editing anything here. A how-to page's `<!-- passos:missing MODULE -->` becomes the table of
names the front end lacks, read from MODULE's MISSING, so the page cannot fall behind the code.
"""
import importlib
import logging
import pathlib
import re

import mkdocs.plugins
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.passos")


def _root(config):
    return pathlib.Path(config.config_file_path).resolve().parent


def tutorials(root):
    """The committed notebooks, in course order (their names start with two digits)."""
    return sorted((root / "tutorials").glob("[0-9][0-9]_*.ipynb"))


def public_modules(root):
    """Dotted names of passos' public modules, packages before their modules."""
    names = []
    for path in sorted((root / "passos").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts):
            names.append(".".join(parts))
    return sorted(names)


class DoctestFences(Preprocessor):
    """Fence each doctest block (a `>>>` line to the next blank line) as `pycon` code.

    Docstrings hold bare doctests; plain Markdown would read `>>>` as nested block quotes.
    """

    def run(self, lines):
        out, fenced, block = [], False, None
        for line in lines + [""]:
            stripped = line.lstrip()
            if block is not None and stripped:
                block.append(line)
                continue
            if block is not None:  # a blank line ends the doctest
                indent = block[0][:len(block[0]) - len(block[0].lstrip())]
                out += ["", indent + "```pycon", *block, indent + "```"]
                block = None
            if stripped.startswith(("```", "~~~")):
                fenced = not fenced
            if stripped.startswith(">>>") and not fenced:
                block = [line]
            else:
                out.append(line)
        return out[:-1]


class DoctestExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(DoctestFences(md), "passos_doctests", 28)  # before fences (25)


@mkdocs.plugins.event_priority(100)  # before mkdocstrings copies the Markdown extensions
def on_config(config):
    """Fence doctests; append the Tutorials and API reference sections to the nav."""
    config.markdown_extensions.append(DoctestExtension())
    root = _root(config)
    # after Home and Getting started; untitled: each page takes its notebook's first heading
    config.nav.insert(2, {"Tutorials": [f"tutorials/{nb.name}" for nb in tutorials(root)]})
    groups = {}
    for name in public_modules(root):
        group = ".".join(name.split(".")[:2])
        groups.setdefault(group, []).append({name: f"api/{name}.md"})
    sections = [entries[0] if len(entries) == 1 else {group: entries}
                for group, entries in groups.items()]
    config.nav.append({"API reference": [{"Overview": "api/index.md"}] + sections})
    return config


@mkdocs.plugins.event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files, config):
    """Add the executed notebooks and one generated page per public module."""
    root = _root(config)
    executed = root / config.extra.get("executed", "build/executed")
    for notebook in tutorials(root):
        source = executed
        if not (executed / "tutorials" / notebook.name).exists():
            log.warning("%s has not been executed; run `make docs` (python docs/build.py) to "
                        "render it with its outputs", notebook.relative_to(root))
            source = root
        # a file on disk (not File.generated), so that mkdocs-jupyter can read it
        files.append(File(f"tutorials/{notebook.name}", str(source), config.site_dir,
                          config.use_directory_urls))
    modules = public_modules(root)
    listing = "\n".join(f"- [`{name}`]({name}.md)" for name in modules)
    files.append(File.generated(config, "api/index.md", content=(
        "# API reference\n\nOne page per public module, generated from the docstrings.\n\n"
        + listing + "\n")))
    for name in modules:
        files.append(File.generated(config, f"api/{name}.md", content=f"::: {name}\n"))
    return files


MISSING_MARKER = re.compile(r"<!-- passos:missing ([\w.]+) -->")


def missing_table(module_name):
    """A Markdown table of `module_name`.MISSING: {module: {name: advice}} of a front end."""
    package = module_name.rpartition(".")[0]
    rows = ["| name | what to use instead |", "|---|---|"]
    for module, names in importlib.import_module(module_name).MISSING.items():
        prefix = f"{package}.{module}" if module else package
        rows += ["| `%s.%s` | %s |" % (prefix, name, advice.replace("|", r"\|"))
                 for name, advice in names.items()]
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    """Replace each missing-names marker with its table."""
    return MISSING_MARKER.sub(lambda match: missing_table(match.group(1)), markdown)
