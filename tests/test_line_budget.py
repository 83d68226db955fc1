"""The size discipline of docs/architecture.md: a small core, and small files everywhere.

Code lines are counted as tinygrad counts them: lines holding code, not blank lines,
comments or docstrings (which we keep generous for learners).
"""
import ast
import io
import pathlib
import tokenize

import passos

PACKAGE = pathlib.Path(passos.__file__).parent
CORE_AND_GRAPH_BUDGET = 1300  # code lines of passos/core and passos/graph together
FILE_BUDGET = 400             # physical lines of any one file


def docstring_lines(tree):
    """Line numbers of every module, class and function docstring."""
    lines = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) \
                and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def code_lines(source):
    """How many lines of `source` hold code (not blank, comment or docstring)."""
    skip = docstring_lines(ast.parse(source))
    ignored = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
               tokenize.ENDMARKER)
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in ignored:
            lines.update(n for n in range(token.start[0], token.end[0] + 1) if n not in skip)
    return len(lines)


def test_code_lines_counts_code_only():
    source = '"""Doc."""\n\n# a comment\ndef f(x):\n    """Doc\n    on two lines."""\n    return (x +\n            1)\n'
    assert code_lines(source) == 3


def test_core_and_graph_stay_within_budget():
    files = sorted([*PACKAGE.glob("core/*.py"), *PACKAGE.glob("graph/*.py")])
    sizes = {f.relative_to(PACKAGE).as_posix(): code_lines(f.read_text()) for f in files}
    total = sum(sizes.values())
    assert total <= CORE_AND_GRAPH_BUDGET, (
        f"passos/core + passos/graph hold {total} code lines, over the budget of "
        f"{CORE_AND_GRAPH_BUDGET}: {sizes}; move machinery to kernels/ or a higher layer")


def test_no_file_is_over_400_lines():
    long = {f.relative_to(PACKAGE).as_posix(): n for f in PACKAGE.rglob("*.py")
            if (n := len(f.read_text().splitlines())) > FILE_BUDGET}
    assert not long, f"files over {FILE_BUDGET} lines: {long}; split them by job"
