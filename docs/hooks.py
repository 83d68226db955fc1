"""MkDocs hooks: the tutorial and API reference pages, derived from the repository, not listed.

Every tutorials/*.ipynb becomes a page, read from the executed copy docs/build.py wrote
(`extra.executed`/tutorials/), so the site shows its outputs. Every public module of passos
(no part of its name starting with "_") gets an API page holding one `::: module` directive for
mkdocstrings, grouped in the nav by top-level package: a new module is documented without
editing anything here. A how-to page's `<!-- passos:missing MODULE -->` becomes the table of
names the front end lacks, read from MODULE's MISSING, so the page cannot fall behind the code.
The tutorials' formulas are typeset by MathJax served from the site itself (Debian's
libjs-mathjax, copied in after the build), so they render offline too.
"""
import importlib
import logging
import pathlib
import re
import shutil

import mkdocs.plugins
from markdown.extensions import Extension
from mkdocs.exceptions import PluginError
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


# MathJax 2 as Debian ships it, and the part of it the notebooks' configuration loads: TeX in,
# CommonHTML out (with its TeX web fonts), the Safe extension; 1.5 MB of its 54.
MATHJAX = pathlib.Path("/usr/share/javascript/mathjax")
MATHJAX_PARTS = ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions",
                 "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
                 "fonts/HTML-CSS/TeX/woff", "localization/en"]
MATHJAX_SITE = "assets/mathjax"  # in the site; every notebook page lies one folder down
MATHJAX_URL = f"../{MATHJAX_SITE}/MathJax.js?config=TeX-AMS_CHTML-full,Safe"


def copy_mathjax(site_dir, source=MATHJAX):
    """Copy the MathJax parts the tutorial pages load into the site (symbolic links followed:
    Debian keeps the fonts in fonts-mathjax)."""
    if not (source / "MathJax.js").is_file():
        raise PluginError(f"MathJax is not in {source}: the tutorials' formulas need it served "
                          "from the site (offline too); apt-get install libjs-mathjax")
    target = pathlib.Path(site_dir) / MATHJAX_SITE
    shutil.rmtree(target, ignore_errors=True)
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / part, target / part)


@mkdocs.plugins.event_priority(100)  # before mkdocstrings copies the Markdown extensions
def on_config(config):
    """Fence doctests; append the Tutorials and API reference sections to the nav; point the
    notebook pages at the site's own MathJax."""
    config.markdown_extensions.append(DoctestExtension())
    config.plugins["mkdocs-jupyter"].config["custom_mathjax_url"] = MATHJAX_URL
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


def on_post_build(config):
    """Serve MathJax from the site: the notebook pages' formulas render without a network."""
    copy_mathjax(config.site_dir)


def on_page_markdown(markdown, page, config, files):
    """Replace each missing-names marker with its table."""
    return MISSING_MARKER.sub(lambda match: missing_table(match.group(1)), markdown)
