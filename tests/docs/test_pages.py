"""The hand-written pages of docs/ stay true: every passos name and repository path cited exists.

(The API reference and the tables of unsupported names are generated from the code; see
docs/hooks.py.)
"""
import importlib
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
NAME = re.compile(r"\bpassos(?:\.[A-Za-z_]\w*)+")
PATH = re.compile(r"\b(?:examples|benchmarks|passos|tests|tutorials|docs)/[\w./*-]*\w")  # globs too


def resolve(dotted):
    """The object `dotted` names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(dotted)


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(ROOT / "docs")))
def test_every_cited_name_and_path_exists(page):
    text = page.read_text(encoding="utf-8")
    names = {name.removesuffix(".md") for name in NAME.findall(text)}
    wrong = []
    for name in sorted(names):
        try:
            resolve(name)
        except (ImportError, AttributeError) as error:
            wrong.append(f"{name} ({error})")
    wrong += [path for path in sorted(set(PATH.findall(text))) if not any(ROOT.glob(path))]
    assert not wrong, f"{page.relative_to(ROOT)} cites what does not exist: {wrong}"
