"""Render a picture (a dict shaped like `Trace.to_dict()`) as SVG or as Graphviz DOT text.

A picture is {"output": id, "nodes": [{"id", "name", "op", "inputs", "shape",
"value", "grad", "scope", optional "info": [lines]}], optional "backward"}.
Values and gradients are summaries: {"shape", "values"} or {"shape", "min", "mean", "max"}.
Text is set in a monospace font, so box sizes are known without measuring.
"""
from collections import defaultdict
from itertools import count
from xml.sax.saxutils import escape, quoteattr

from .capture import LEAVES
from .layout import LABEL_SIDE, layered_layout
from .values import fmt_number

FONT = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"
FONT_SIZE = 12
CHAR_W = 7.3        # advance of one character at FONT_SIZE (0.6 em, rounded up)
LABEL_CHAR_W = 6.7  # the same at the edge labels' 11px
LINE_H = 15
PAD_X, PAD_Y = 8, 6
SHOWS = ("values", "grads", "both")

STYLE = f"""
.passos-graph {{ font-family: {FONT}; font-size: {FONT_SIZE}px; }}
.passos-graph .node rect {{ fill: #ffffff; stroke: #455a64; stroke-width: 1.2; }}
.passos-graph .node.input rect {{ fill: #e3f2fd; stroke: #1e88e5; }}
.passos-graph .node.parameter rect {{ fill: #fff3e0; stroke: #ef6c00; }}
.passos-graph .node.constant rect {{ fill: #f5f5f5; stroke: #9e9e9e; }}
.passos-graph .node.output rect {{ stroke: #c62828; stroke-width: 2.2; }}
.passos-graph .name {{ font-weight: bold; fill: #212121; }}
.passos-graph .op, .passos-graph .info {{ fill: #607d8b; }}
.passos-graph .value {{ fill: #0d47a1; }}
.passos-graph .grad, .passos-graph .grad-label {{ fill: #bf360c; }}
.passos-graph .edge path {{ fill: none; stroke: #78909c; stroke-width: 1.3; }}
.passos-graph .edge-label {{ fill: #bf360c; font-size: 11px; paint-order: stroke;
  stroke: #ffffff; stroke-width: 4px; stroke-linejoin: round; }}
.passos-graph .cluster rect {{ fill: #f4f7fb; stroke: #90a4ae; stroke-dasharray: 5 3; }}
.passos-graph .cluster.depth-2 rect {{ fill: #e9eef5; }}
.passos-graph .cluster-label {{ fill: #546e7a; font-weight: bold; font-size: 11px; }}
"""


def check_show(show):
    if show not in SHOWS:
        raise ValueError(f"draw: show must be one of {', '.join(SHOWS)}; got {show!r}")


def summary_lines(s):
    """Lines of text for a summary: nested brackets, or shape and min/mean/max.

    >>> summary_lines({"shape": [2, 2], "values": [[0.65, 1.19], [0.69, -0.92]]})
    ['[[0.65, 1.19],', ' [0.69, -0.92]]']
    >>> summary_lines({"shape": [4, 8], "min": -1.0, "mean": 0.25, "max": 2.0})
    ['min -1 mean 0.25 max 2']
    """
    if s is None:
        return []
    if "values" not in s:
        return [f"min {_num(s.get('min'))} mean {_num(s.get('mean'))} max {_num(s.get('max'))}"]
    return _nested_lines(s["values"])


def summary_text(s):
    """A summary on one line."""
    return " ".join(line.strip() for line in summary_lines(s)) if s is not None else "-"


def _num(v):
    if isinstance(v, str):
        return v
    if v is None:
        return "?"
    return fmt_number(v)


def _nested_lines(v):
    if not isinstance(v, list):
        return [_num(v)]
    if not any(isinstance(part, list) for part in v):
        return ["[" + ", ".join(_num(part) for part in v) + "]"]
    lines = []
    for i, part in enumerate(v):
        inner = _nested_lines(part)
        inner[-1] += "]" if i == len(v) - 1 else ","
        lines += inner
    return ["[" + lines[0]] + [" " + line for line in lines[1:]]


def shape_text(shape):
    """(2,) or (None, 784), as Python and Keras print shapes."""
    if shape is None:
        return "(?)"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def short_name(node):
    return str(node["name"]).rsplit("/", 1)[-1]


def grad_label(picture, node):
    """∂L/∂z when both names are short, else 'grad'."""
    out = by_id(picture).get(picture.get("output"))
    top, name = (short_name(out) if out else "L"), short_name(node)
    return f"∂{top}/∂{name}" if len(top) <= 6 and len(name) <= 12 else "grad"


def scope_path(node):
    """A node's scope as a tuple: 'model/dense' -> ('model', 'dense')."""
    return tuple(s for s in (node.get("scope") or "").split("/") if s)


def by_id(picture):
    return {n["id"]: n for n in picture["nodes"]}


def node_rows(picture, node, show):
    """[(css class, [lines], label)] of one node's box, top to bottom."""
    op = node.get("op", "")
    name = short_name(node)
    sub = shape_text(node.get("shape"))
    if op and op != name and not name.startswith(op):
        sub = f"{op} {sub}"
    rows = [("title", [name], sub)] + [("info", [line], None) for line in node.get("info") or []]
    if show in ("values", "both") and node.get("value") is not None:
        rows.append(("value", summary_lines(node["value"]), None))
    if show in ("grads", "both") and node.get("grad") is not None:
        rows.append(("grad", summary_lines(node["grad"]), grad_label(picture, node)))
    return rows


def _row_chars(row):
    cls, lines, label = row
    if cls == "title":
        return len(lines[0]) + 1 + len(label)
    lead = len(label) + 1 if label else 0
    return lead + max((len(line) for line in lines), default=0)


def node_size(rows, slack=0):
    chars = max(_row_chars(r) for r in rows) + slack
    lines = sum(max(len(r[1]), 1) for r in rows)
    return chars * CHAR_W + 2 * PAD_X, lines * LINE_H + 2 * PAD_Y


def edges_of(picture):
    """[(src, dst, k)] for the k-th input of every node, skipping inputs that are not drawn."""
    known = {n["id"] for n in picture["nodes"]}
    return [(u, n["id"], k) for n in picture["nodes"]
            for k, u in enumerate(n.get("inputs") or []) if u in known]


def contributions(picture):
    """{(dst, k): contribution entry} matched from the backward list (k-th input of dst)."""
    nodes, out = by_id(picture), {}
    for step in picture.get("backward") or []:
        dst = step["node"]
        inputs = list(nodes.get(dst, {}).get("inputs") or [])
        used = set()
        for c in step.get("contributions") or []:
            k = next((k for k, u in enumerate(inputs) if u == c["input"] and k not in used), None)
            if k is not None:
                used.add(k)
                out[(dst, k)] = c
    return out


def edge_labels(picture, show):
    """{(dst, k): text}: the gradient each edge carries back, when gradients are shown."""
    if show not in ("grads", "both"):
        return {}
    return {key: summary_text(c.get("contribution")) for key, c in contributions(picture).items()}


def layout_picture(picture, show, rankdir="TB", slack=0, labels=None):
    """(rows per node, edges, Layout) for a picture; labels {(dst, k): text} get room."""
    nodes = picture["nodes"]
    index = {n["id"]: i for i, n in enumerate(nodes)}
    rows = [node_rows(picture, n, show) for n in nodes]
    edges = edges_of(picture)
    labels = labels or {}
    sizes = [None if not labels.get((v, k)) else (len(labels[(v, k)]) * LABEL_CHAR_W, LINE_H)
             for u, v, k in edges]
    lay = layered_layout([node_size(r, slack) for r in rows], [(index[u], index[v]) for u, v, _ in edges],
                         [scope_path(n) for n in nodes], rankdir=rankdir, label_sizes=sizes)
    return rows, edges, lay


def render_svg(picture, show="values", rankdir="TB", interactive=False, prefix="g", labels=None):
    """The picture as an SVG document (a string).

    With interactive=True (the HTML page) operation values, gradients and edge labels start
    empty, for the page's script to fill in; `labels` {(dst, k): text} get room.
    """
    check_show(show)
    labels = edge_labels(picture, show) if labels is None else labels
    rows, edges, lay = layout_picture(picture, show, rankdir, slack=3 if interactive else 0, labels=labels)
    w, h = round(lay.width), round(lay.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="passos-graph" width="{w}" '
           f'height="{h}" viewBox="0 0 {w} {h}">',
           f"<style>{STYLE}</style>",
           f'<defs><marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
           'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#78909c"/></marker></defs>',
           "" if interactive else  # a white page, also in dark-mode viewers
           f'<rect class="background" width="{w}" height="{h}" fill="#ffffff"/>',
           '<g class="clusters">']
    for path, x0, y0, x1, y1 in lay.clusters:
        scope = "/".join(path)
        out.append(f'<g class="cluster depth-{min(len(path), 2)}" data-scope={quoteattr(scope)}>'
                   f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}"'
                   f' rx="6"/><text class="cluster-label" x="{x0 + 6:.1f}" y="{y0 + 13:.1f}">'
                   f"{escape(path[-1])}</text></g>")
    out.append('</g><g class="edges">')
    for (u, v, k), points, at in zip(edges, lay.edges, lay.labels):
        label = "" if interactive else labels.get((v, k), "")
        if at is None:
            lx, ly = _midpoint(points)
            at = (lx + LABEL_SIDE, ly - LINE_H / 2)
        out.append(f'<g class="edge" id="{prefix}-edge-{v}-{k}" data-src="{u}" data-dst="{v}" '
                   f'data-index="{k}"><path d="{_curve(points, rankdir)}" marker-end="url(#{prefix}-arrow)"/>'
                   f'<text class="edge-label" x="{at[0]:.1f}" y="{at[1] + 11:.1f}">'
                   f"{escape(label)}</text></g>")
    out.append('</g><g class="nodes">')
    for i, node in enumerate(picture["nodes"]):  # the layout keeps the nodes' order
        out.append(_node_svg(node, rows[i], lay.box(i), picture.get("output"), interactive, prefix))
    out.append("</g></svg>")
    return "\n".join(out)


def _node_svg(node, rows, box, output, interactive, prefix):
    x0, y0, x1, y1 = box
    op = node.get("op", "")
    kind = op if op in LEAVES else "op"
    classes = f"node {kind}" + (" output" if node["id"] == output else "")
    name = short_name(node)
    parts = [f'<g class="{classes}" id="{prefix}-node-{node["id"]}" data-node="{node["id"]}" '
             f'data-name={quoteattr(name)} data-path={quoteattr(str(node["name"]))} '
             f'data-op={quoteattr(str(op))}>',
             f"<title>{escape(str(node['name']))}: {escape(str(op))} "
             f"{escape(shape_text(node.get('shape')))}</title>",
             f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" rx="5"/>']
    y = y0 + PAD_Y + FONT_SIZE
    tx = x0 + PAD_X
    for cls, lines, label in rows:
        if cls == "title":
            parts.append(f'<text class="name" x="{tx:.1f}" y="{y:.1f}">{escape(lines[0])}</text>')
            parts.append(f'<text class="op" x="{tx + (len(lines[0]) + 1) * CHAR_W:.1f}" '
                         f'y="{y:.1f}">{escape(label)}</text>')
            y += LINE_H
            continue
        vx = tx
        if label:
            parts.append(f'<text class="{cls}-label" x="{tx:.1f}" y="{y:.1f}">'
                         f"{escape(label)}</text>")
            vx = tx + (len(label) + 1) * CHAR_W
        hidden = interactive and (cls == "grad" or (cls == "value" and op not in LEAVES))
        spans = "".join(f'<tspan x="{vx:.1f}" dy="{0 if j == 0 else LINE_H}">'
                        f"{'' if hidden else escape(line)}</tspan>" for j, line in enumerate(lines))
        parts.append(f'<text class="{cls}" x="{vx:.1f}" y="{y:.1f}">{spans}</text>')
        y += LINE_H * max(len(lines), 1)
    parts.append("</g>")
    return "".join(parts)


def _midpoint(points):
    lengths = [((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5 for a, b in zip(points, points[1:])]
    half = sum(lengths) / 2
    for (a, b), length in zip(zip(points, points[1:]), lengths):
        if half <= length and length > 0:
            t = half / length
            return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
        half -= length
    return points[-1]


def _curve(points, rankdir):
    """A smooth path through the points, leaving and entering boxes along the flow."""
    d = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        mx, my = (ax + bx) / 2, (ay + by) / 2
        (cx, cy), (dx, dy) = ((ax, my), (bx, my)) if rankdir == "TB" else ((mx, ay), (mx, by))
        d.append(f"C{cx:.1f},{cy:.1f} {dx:.1f},{dy:.1f} {bx:.1f},{by:.1f}")
    return " ".join(d)


def render_dot(picture, show="values", rankdir="TB"):
    """The picture as Graphviz DOT text, one `subgraph cluster_N` per name scope."""
    check_show(show)
    nodes = picture["nodes"]
    output = picture.get("output")
    labels = edge_labels(picture, show)
    lines = ["digraph passos {", f"  rankdir={rankdir};",
             '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="DejaVu Sans Mono", '
             'fontsize=10];',
             '  edge [fontname="DejaVu Sans Mono", fontsize=9, color="#78909c", fontcolor="#bf360c"];']
    fills = {"input": "#e3f2fd", "parameter": "#fff3e0", "constant": "#f5f5f5"}
    members, children = defaultdict(list), defaultdict(dict)  # per scope path; dicts keep order
    for node in nodes:
        path = scope_path(node)
        for d in range(len(path)):
            children[path[:d]][path[:d + 1]] = None
        members[path].append(node)
    clusters = count(1)

    def emit(path, indent):
        for node in members[path]:
            text = "".join(_dot_escape(line) + "\\l" for line in _plain_lines(picture, node, show))
            extra = f', fillcolor="{fills[node["op"]]}"' if node.get("op") in fills else ""
            if node["id"] == output:
                extra += ', color="#c62828", penwidth=2'
            lines.append(f'{indent}n{node["id"]} [label="{text}"{extra}];')
        for child in children[path]:
            lines.append(f"{indent}subgraph cluster_{next(clusters)} {{")
            lines.append(f'{indent}  label="{_dot_escape(child[-1])}"; style="dashed,rounded"; '
                         'color="#90a4ae"; fontname="DejaVu Sans Mono";')
            emit(child, indent + "  ")
            lines.append(f"{indent}}}")
    emit((), "  ")
    for u, v, k in edges_of(picture):
        label = f' [label="{_dot_escape(labels[(v, k)])}"]' if labels.get((v, k)) else ""
        lines.append(f"  n{u} -> n{v}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _plain_lines(picture, node, show):
    out = []
    for cls, lines, label in node_rows(picture, node, show):
        if cls == "title":
            out.append(f"{lines[0]} {label}")
        elif label:
            out.extend([f"{label} {lines[0]}"] + [" " * (len(label) + 1) + x for x in lines[1:]])
        else:
            out.extend(lines)
    return out


def _dot_escape(text):
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
