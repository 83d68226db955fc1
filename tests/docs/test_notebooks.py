"""The committed tutorials stay small and clean: valid notebooks, outputs stripped.

They are executed (and their outputs checked) by the site build: tests/docs/test_site.py.
"""
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "tutorials").glob("*.ipynb"))


def test_there_are_tutorials_named_in_course_order():
    assert NOTEBOOKS, "tutorials/ holds no notebook"
    badly_named = [nb.name for nb in NOTEBOOKS if not (nb.name[:2].isdigit() and nb.name[2] == "_")]
    assert not badly_named, f"tutorials must be named NN_slug.ipynb (two digits), got {badly_named}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_committed_notebook_has_no_outputs_and_no_execution_counts(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["name"] == "python3"
    kept = [index for index, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
            and (cell["outputs"] or cell["execution_count"] is not None)]
    assert not kept, (f"{notebook.name}: cells {kept} keep outputs or execution counts; strip "
                      "them (jupyter nbconvert --clear-output --inplace) before committing")
    title = "".join(nb["cells"][0]["source"])  # a string, or the list of its lines
    assert nb["cells"][0]["cell_type"] == "markdown" and title.startswith("# "), \
        f"{notebook.name}: the first cell should be the title, a Markdown '# ' heading"
