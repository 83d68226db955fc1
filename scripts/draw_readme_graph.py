"""Draw the course's softmax regression, values and gradients, as docs/backprop_graph.svg.

    python scripts/draw_readme_graph.py [OUT.svg]

The README shows the SVG; rerun this after changing the drawing or the example.
"""
import pathlib
import sys

from passos.explain import trace
from passos.explain.course import backprop_eager
from passos.explain.draw import draw

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = pathlib.Path(argv[0]) if argv else ROOT / "docs" / "backprop_graph.svg"
    out.parent.mkdir(parents=True, exist_ok=True)
    draw(trace(backprop_eager()), show="both", path=out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
