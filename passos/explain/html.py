"""One self-contained HTML page that steps through a computation, forward then backward.

`html(y, path)` traces the scalar `y` and writes a page with the graph (without a path it returns
the page, which a notebook plays inline, see passos.explain.display): Next (or ArrowRight)
computes one node, then the backward pass hands gradients back one edge at a time (local
derivative × incoming gradient); a side panel shows each formula with its numbers.
`steps_html(steps, path)` does the same for a sliding window, `backprop_html(path)` for the
course's softmax regression. No network, no server, no fonts: everything is inline.
"""
import re
from collections import Counter
from xml.sax.saxutils import escape

from ..core.tensor import Tensor
from .course import backprop_eager
from .display import Page
from .page import GRAPH_SCRIPT, GRID_SCRIPT, page
from .render import (LEAVES, by_id, contributions, grad_label, render_svg, short_name,
                     summary_lines, summary_text)
from .trace import trace
from .values import fmt_number

INTERVAL_MS = 900


def html(y, path=None, feed_dict=None, session=None, title=None, extra_steps=(), rankdir="TB"):
    """Write the step-through page of the scalar `y` to `path` and return the path; without a
    path, return the page (a `Page`, which Jupyter plays inline).

    y: an eager Tensor that requires grad, a graph Symbol with feed_dict (and session), a Trace
    or its to_dict(). extra_steps: more steps after the backward pass, each {"title", "panel"
    (HTML), "set": [[selector, lines]], "focus": [selectors]} (see `node_selector`).
    """
    picture = _traced(y, feed_dict, session)
    steps = graph_steps(picture) + [dict(s, phase=s.get("phase", "summary")) for s in extra_steps]
    # the edges' texts, so the layout makes room for them
    labels = {tuple(key[:2]): key[2] for step in steps for key in step.get("edges", ())}
    svg = render_svg(picture, "both", rankdir, interactive=True, prefix="g", labels=labels)
    name = short_name(by_id(picture)[picture["output"]])
    data = {"steps": steps, "intro": _intro(picture), "interval": INTERVAL_MS}
    title = title or f"passos: forward and backward through {name}"
    text = page(title, svg, data, GRAPH_SCRIPT, [s["title"] for s in steps])
    return _done(Page(text, title), path)


def _traced(y, feed_dict, session):
    if isinstance(y, dict) and "nodes" in y:
        return y
    if hasattr(y, "to_dict") and not isinstance(y, Tensor):
        return y.to_dict()
    return trace(y, feed_dict=feed_dict, session=session).to_dict()


def _done(shown, path):
    """The page itself, or saved to `path` (the path returned, as before pages had a repr)."""
    return shown if path is None else shown.save(path)


def node_selector(node_id, part=None, prefix="g"):
    """CSS selector of a node's group, or of its 'value' / 'grad' text."""
    base = f"#{prefix}-node-{node_id}"
    return base if part is None else f"{base} text.{part}"


def edge_selector(dst, k, label=False, prefix="g"):
    """CSS selector of the edge into input k of node dst (or of its label)."""
    base = f"#{prefix}-edge-{dst}-{k}"
    return f"{base} text.edge-label" if label else base


def graph_steps(picture):
    """Forward steps (one per computed node), the seed, then one step per contribution."""
    nodes = by_id(picture)
    steps = []
    forward = picture.get("forward") or [{"node": n["id"], "formula": f"{n['name']} = {n['op']}(...)",
                                          "value": n["value"]} for n in picture["nodes"]]
    for f in forward:
        node = nodes[f["node"]]
        if node["op"] in LEAVES:
            continue
        steps.append({"phase": "forward", "title": f"forward: {f['formula']}",
                      "set": [[node_selector(node["id"], "value"), summary_lines(f["value"])]],
                      "focus": [node_selector(node["id"])], "panel": _forward_panel(f, node, nodes)})
    out = nodes[picture["output"]]
    backward = picture.get("backward") or []
    if not backward:
        return steps
    label = grad_label(picture, out)
    steps.append({"phase": "backward", "title": f"backward: {label} = 1",
                  "set": [[node_selector(out["id"], "grad"), summary_lines(backward[0]["incoming"])]],
                  "focus": [node_selector(out["id"])],
                  "panel": f"<h2>Backward: the seed</h2><div class='formula'>{escape(label)} = 1</div><p>"
                           "The gradient of the result with respect to itself is 1. Each step now hands a "
                           "gradient back along one edge: local derivative × incoming gradient (the chain "
                           "rule).</p>"})
    arrivals = Counter(c["input"] for s in backward for c in s.get("contributions") or [])
    seen, edge_of = Counter(), {id(c): k for (_, k), c in contributions(picture).items()}
    for s in backward:
        node = nodes[s["node"]]
        for c in s.get("contributions") or []:
            k, target = edge_of[id(c)], nodes[c["input"]]
            seen[target["id"]] += 1
            count = (seen[target["id"]], arrivals[target["id"]])
            text = _edge_text(c, s)
            steps.append({"phase": "backward", "edges": [[node["id"], k, text]],
                          "title": f"backward: {grad_label(picture, target)} += via {short_name(node)}",
                          "set": [[edge_selector(node["id"], k, label=True), [text]],
                                  [node_selector(target["id"], "grad"), summary_lines(c["accumulated"])]],
                          "focus": [node_selector(target["id"]), edge_selector(node["id"], k)],
                          "panel": _backward_panel(picture, s, c, node, target, count)})
    return steps


def _edge_text(c, s):
    """local × incoming = contribution, as short as the numbers allow."""
    result = summary_text(c["contribution"])
    if c.get("local_value") is None:
        rule = c["local"].split(":", 1)[-1] if ":" in c["local"] else c["local"].rsplit("=", 1)[-1]
        return f"{rule.strip()} = {result}"
    product = f"{summary_text(c['local_value'])} × {summary_text(s['incoming'])}"
    if c["local_value"].get("shape") != c["contribution"].get("shape"):
        product = f"Σ({product})"  # summed back to the input's shape
    return f"{product} = {result}"


def _substituted(formula, node, nodes):
    """'z = matmul_1 + b' with the inputs' numbers put in, when they are short."""
    if " = " not in formula:
        return None
    rhs = formula.split(" = ", 1)[1]
    inputs = [nodes[i] for i in node.get("inputs") or []]
    if not inputs or any(n["value"] is None or "values" not in n["value"]
                         or len(summary_text(n["value"])) > 40 for n in inputs):
        return None
    names = sorted({n["name"]: n for n in inputs}.values(), key=lambda n: -len(n["name"]))
    pattern = "|".join(r"(?<![\w.])" + re.escape(n["name"]) + r"(?![\w])" for n in names)
    values = {n["name"]: summary_text(n["value"]) for n in names}
    return re.sub(pattern, lambda m: values[m.group(0)], rhs)


def _forward_panel(f, node, nodes):
    value = summary_text(f["value"])
    rows = "".join(f"<tr><td>{escape(nodes[i]['name'])}</td>"
                   f"<td class='value-text'>{escape(summary_text(nodes[i]['value']))}</td></tr>"
                   for i in dict.fromkeys(node.get("inputs") or []))
    numbers = _substituted(f["formula"], node, nodes)
    numbers = f"<div class='formula'>= {escape(numbers)}</div>" if numbers else ""
    return (f"<h2>Forward: {escape(short_name(node))}</h2>"
            f"<div class='formula'>{escape(f['formula'])}</div>{numbers}"
            f"<table>{rows}<tr><td>{escape(node['name'])}</td>"
            f"<td class='result' data-value>{escape(value)}</td></tr></table>")


def _backward_panel(picture, s, c, node, target, count):
    g_node, g_target = grad_label(picture, node), grad_label(picture, target)
    rows = [("local derivative", escape(c["local"]), "")]
    if c.get("local_value") is not None:
        rows.append(("  its numbers", escape(summary_text(c["local_value"])), ""))
    rows += [(f"incoming {g_node}", escape(summary_text(s["incoming"])), "grad-text"),
             ("contribution", escape(summary_text(c["contribution"])), "grad-text"),
             (f"{g_target} so far", escape(summary_text(c["accumulated"])), "result")]
    table = "".join(f"<tr><td>{escape(a)}</td><td class='{cls}'>{b}</td></tr>" for a, b, cls in rows)
    k, n = count
    note = (f"<p>{escape(short_name(target))} feeds {n} ops, so its gradient is the sum of {n} "
            f"contributions (the multivariable chain rule); this is {k} of {n}.</p>") if n > 1 else ""
    return (f"<h2>Backward: {escape(g_target)} via {escape(short_name(node))}</h2>"
            f"<div class='formula'>{escape(g_target)} += ∂{escape(short_name(node))}/∂"
            f"{escape(short_name(target))} × {escape(g_node)}</div><table>{table}</table>{note}")


def _intro(picture):
    leaves = [n for n in picture["nodes"] if n["op"] in LEAVES]
    rows = "".join(f"<tr><td>{escape(n['name'])} ({n['op']})</td><td class='value-text'>"
                   f"{escape(summary_text(n['value']))}</td></tr>" for n in leaves)
    return ("<h2>Given</h2><table>" + rows + "</table><p>Press <b>Next</b> (or →) to compute "
            "the forward pass one node at a time, then the backward pass one edge at a time; "
            "<b>Play</b> runs the steps by themselves.</p>")


def three_paths_step(picture):
    """The course's last step: ∂L/∂b1 as the sum of the three paths from L to b1."""
    nodes = {n["name"]: n for n in picture["nodes"]}
    y_hat, y = nodes["y_hat"]["value"]["values"], nodes["y"]["value"]["values"]
    h, H = nodes["h"]["value"]["values"], nodes["H"]["value"]["values"]
    g = [-y[0] / y_hat[0], -y[1] / y_hat[1]]
    paths = [("L → ŷ1 → h1", "(-y1/ŷ1) · (1/H)", g[0] / H),
             ("L → ŷ1 → H → h1", "(-y1/ŷ1) · (-h1/H²) · 1", g[0] * -h[0] / H ** 2),
             ("L → ŷ2 → H → h1", "(-y2/ŷ2) · (-h2/H²) · 1", g[1] * -h[1] / H ** 2)]
    dh1 = sum(p[2] for p in paths)
    db1 = dh1 * h[0]
    rows = "".join(f"<tr><td>path {i + 1}: {escape(route)}<br>&#160;&#160;{escape(rule)}</td>"
                   f"<td>= <span data-path='{i + 1}'>{fmt_number(v)}</span></td></tr>"
                   for i, (route, rule, v) in enumerate(paths))
    f = fmt_number
    panel = (f"<h2>∂L/∂b1: three paths, one sum</h2><p>b1 reaches L only through z1 and h1; from h1 "
             f"three paths lead to L. The chain rule multiplies the local derivatives along each path "
             f"and adds the paths.</p><table>{rows}<tr><td>∂L/∂h1 = sum</td><td class='grad-text'>"
             f"{f(dh1)}</td></tr><tr><td>∂L/∂z1 = ∂L/∂h1 · e^z1</td><td class='grad-text'>{f(dh1)} · "
             f"{f(h[0])} = {f(db1)}</td></tr><tr><td>∂L/∂b1 = ∂L/∂z1 · 1</td><td class='result' "
             f"data-result='dL/db1'>{f(db1)}</td></tr></table><div class='formula'>∂L/∂b1 = ŷ1 − y1 "
             f"= {f(y_hat[0])} − {f(y[0])} = {f(y_hat[0] - y[0])}</div>")
    return {"phase": "summary", "title": "∂L/∂b1 = sum of the three paths = ŷ1 − y1",
            "set": [], "focus": _between(picture, nodes["b"]["id"], picture["output"]),
            "panel": panel}


def _between(picture, source, target):
    """Selectors of the nodes and edges on every path from `source` to `target`."""
    reach, back = {source}, {target}
    for node in picture["nodes"]:  # nodes come in topological order
        if any(i in reach for i in node.get("inputs") or []):
            reach.add(node["id"])
    for node in reversed(picture["nodes"]):
        if node["id"] in back:
            back.update(node.get("inputs") or [])
    on = reach & back
    edges = [edge_selector(n["id"], k) for n in picture["nodes"] if n["id"] in on
             for k, u in enumerate(n.get("inputs") or []) if u in on]
    return [node_selector(v) for v in sorted(on)] + edges


def backprop_html(path=None, traced=None, title="passos: the course's softmax regression, step by step"):
    """The course's back-propagation example as a step-through page; returns the path (the
    `Page` when path is None).

    traced: the course example's Trace (eager or graph mode); traced afresh when None.
    """
    if traced is None:
        traced = trace(backprop_eager())
    picture = traced.to_dict() if hasattr(traced, "to_dict") else traced
    return html(picture, path, title=title, extra_steps=[three_paths_step(picture)])


_KINDS = {"conv": "conv", "conv2d": "conv", "max": "max", "max_pool2d": "max", "avg": "avg",
          "avg_pool2d": "avg"}


def steps_html(steps, path=None, title=None):
    """Write the page that slides a conv or pooling window over the image; returns the path
    (without a path, the `Page`, which Jupyter plays inline).

    steps: conv2d_steps(...) / pool2d_steps(...) or their to_dict().
    """
    d = steps.to_dict() if hasattr(steps, "to_dict") else steps
    kind = _KINDS[d["kind"]]
    padded, image, output, frames = d["padded"], d["image"], d["output"], d["frames"]
    kh, kw = len(frames[0]["window"]), len(frames[0]["window"][0])
    sr, sc = _strides(d, kh, kw)
    pt, pl = (len(padded) - len(image)) // 2, (len(padded[0]) - len(image[0])) // 2
    filled = [[None] * len(output[0]) for _ in output]
    data_frames = []
    for f in frames:
        filled[f["row"]][f["col"]] = fmt_number(f["value"])
        top, left = f.get("top", f["row"] * sr), f.get("left", f["col"] * sc)
        data_frames.append(_frame(kind, d, f, top, left, [list(r) for r in filled]))
    name = {"conv": "convolution", "max": "max pooling", "avg": "average pooling"}[kind]
    grids = [_grid("image-grid", "image (padded)" if pt or pl else "image", padded,
                   lambda r, c: not (pt <= r < pt + len(image) and pl <= c < pl + len(image[0])))]
    if kind == "conv":
        grids.append(_grid("kernel-grid", "kernel", d["kernel"]))
    empty_products = [[""] * kw for _ in range(kh)]
    grids.append(_grid("products-grid", "window × kernel" if kind == "conv" else "window", empty_products))
    grids.append(_grid("output-grid", "output", [[""] * len(output[0]) for _ in output]))
    does = ("multiplies the window by the kernel, cell by cell, and adds the products"
            if kind == "conv" else "takes the " + ("maximum" if kind == "max" else "mean"))
    intro = (f"<h2>{escape(name.capitalize())}</h2><p>The {kh}×{kw} window slides over the image with "
             f"stride {sr}×{sc}; at each place it {does}. {len(frames)} places give the "
             f"{len(output)}×{len(output[0])} output.</p><p>Press <b>Next</b> (or →).</p>")
    data = {"frames": data_frames, "empty": [[None] * len(output[0]) for _ in output],
            "empty_products": empty_products, "intro": intro, "interval": INTERVAL_MS}
    title = title or f"passos: {name}, one window at a time"
    return _done(Page(page(title, "".join(grids), data, GRID_SCRIPT, []), title), path)


def _strides(d, kh, kw):
    """(rows, cols) stride: given, or found from where the frames' windows sit."""
    given = d.get("strides") or d.get("stride")
    if given is not None:
        return (given, given) if isinstance(given, int) else tuple(given)
    frames, padded = d["frames"], d["padded"]
    for s in range(1, len(padded) + 1):
        if all([row[f["col"] * s:f["col"] * s + kw] for row in
                padded[f["row"] * s:f["row"] * s + kh]] == f["window"] for f in frames):
            return s, s
    return 1, 1


def _cell(v):
    return "" if v is None else fmt_number(v)


def _frame(kind, d, f, top, left, filled):
    window = f["window"]
    inside = [v for row in window for v in row if v is not None]
    best = []
    if kind == "conv":
        products = f.get("products") or [[w * k for w, k in zip(wr, kr)]
                                         for wr, kr in zip(window, d["kernel"])]
        text = [[_cell(v) for v in row] for row in products]
        terms = " + ".join(f"{_cell(w)}·{_cell(k)}" for wr, kr in zip(window, d["kernel"])
                           for w, k in zip(wr, kr))
        formula = f"Σ window × kernel = {terms} = {fmt_number(f['value'])}"
    else:
        text = [[_cell(v) for v in row] for row in window]
        listed = ", ".join(fmt_number(v) for v in inside)
        if kind == "max":
            winner = f.get("winner") or next([r, c] for r, row in enumerate(window)
                                             for c, v in enumerate(row) if v == max(inside))
            best = [list(winner)]
            formula = f"max({listed}) = {fmt_number(f['value'])}"
        else:
            formula = f"mean({listed}) = {fmt_number(sum(inside))} / {len(inside)} = {fmt_number(f['value'])}"
    panel = (f"<h2>Output [{f['row']}, {f['col']}]</h2><p>The window covers rows {top}–"
             f"{top + len(window) - 1}, columns {left}–{left + len(window[0]) - 1}"
             f"{' of the padded image' if d['padded'] != d['image'] else ''}.</p>"
             f"<div class='formula'>{escape(formula)}</div><p>out[{f['row']}, {f['col']}] = "
             f"<span class='result' data-value>{fmt_number(f['value'])}</span></p>")
    return {"row": f["row"], "col": f["col"], "top": top, "left": left, "window": window,
            "products_text": text, "best": best, "output_so_far": filled, "panel": panel}


def _grid(grid_id, title, values, pad=lambda r, c: False):
    cols = len(values[0]) if values else 0
    cells = "".join(f"<div class='cell{' pad' if pad(r, c) else ''}' data-r='{r}' data-c='{c}'>"
                    f"{escape(v if isinstance(v, str) else _cell(v))}</div>"
                    for r, row in enumerate(values) for c, v in enumerate(row))
    return (f"<div class='grid-box'><h3>{escape(title)}</h3><div class='grid' id='{grid_id}' "
            f"style='grid-template-columns: repeat({cols}, auto)'>{cells}</div></div>")
