"""How long drawing (SVG, DOT) and the step-through page take for 10, 100 and 1,000 nodes.

    python benchmarks/explain.py

Each graph is an eager computation: a few parameters, then random elementwise
ops (add, multiply, tanh, sigmoid), each on the previous result (and a recent
one), summed into one loss; see `computation` for the two kinds of weight
reuse. The times are the best of a few runs.
"""
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import passos  # noqa: E402
from passos.explain import trace  # noqa: E402
from passos.explain.draw import draw  # noqa: E402
from passos.explain.html import html  # noqa: E402
from passos.explain.render import layout_picture  # noqa: E402


def computation(nodes, seed=0, reuse="local"):
    """A scalar loss whose trace has `nodes` nodes: each op takes the previous result.

    reuse="local": an op's second input is a recent result or a parameter that is
    introduced nearby (a network's layers). reuse="anywhere": any parameter
    anywhere (an unrolled RNN's shared weights): long edges, the layout's worst case.
    """
    r = random.Random(seed)
    params = [passos.tensor([r.uniform(-1, 1), r.uniform(-1, 1)], dtype="float64",
                            requires_grad=True, name=f"p{i}") for i in range(max(2, nodes // 10))]
    values = [params[0]]
    ops = nodes - len(params) - 1  # the loss is the last node
    for i in range(ops):
        a = values[-1]
        j = (i * len(params)) // ops  # the parameter this part of the graph introduces
        if all(p is not params[j] for p in values):
            values.append(passos.add(a, params[j]))
            continue
        nearby = params[max(0, j - 1):j + 1] if reuse == "local" else params
        b = r.choice(values[-16:] + nearby)
        op = r.choice(["add", "multiply", "tanh", "sigmoid"])
        if op == "add":
            values.append(passos.add(a, b))
        elif op == "multiply":
            values.append(passos.multiply(a, b))
        else:
            values.append(getattr(passos, op)(a))
    return passos.sum(values[-1], name="loss")


def best(f, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    print(f"{'reuse':>8} {'nodes':>6} {'edges':>6} {'trace':>8} {'layout':>8} {'draw svg':>9} "
          f"{'draw dot':>9} {'html':>8} {'svg KB':>7} {'html KB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for n, reuse in ((10, "local"), (100, "local"), (1000, "local"), (100, "anywhere"),
                         (1000, "anywhere")):
            loss = computation(n, reuse=reuse)
            runs = 5 if n <= 100 else 2
            t_trace = best(lambda: trace(loss), runs)
            picture = trace(loss).to_dict()
            edges = sum(len(node["inputs"]) for node in picture["nodes"])
            t_layout = best(lambda: layout_picture(picture, "both"), runs)
            t_svg = best(lambda: draw(picture, show="both"), runs)
            t_dot = best(lambda: draw(picture, show="both", fmt="dot"), runs)
            page = os.path.join(tmp, f"g{n}.html")
            t_html = best(lambda: html(picture, page), runs)
            svg_kb = len(draw(picture, show="both").encode()) / 1024
            html_kb = os.path.getsize(page) / 1024
            print(f"{reuse:>8} {len(picture['nodes']):>6} {edges:>6} {t_trace:>7.3f}s "
                  f"{t_layout:>7.3f}s {t_svg:>8.3f}s {t_dot:>8.3f}s {t_html:>7.3f}s "
                  f"{svg_kb:>7.0f} {html_kb:>8.0f}")


if __name__ == "__main__":
    main()
