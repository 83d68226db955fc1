"""`plot_model`: a drawing of a model's layers and connections, as SVG (or PNG via matplotlib);
`model_to_dot`: the same graph as a `pydot.Dot`, for Graphviz to lay out (as Keras 2 does).

Keras 2 draws through Graphviz; passos lays the graph out itself, which is simple for the
models it builds: each layer sits in the rank one past its deepest input, ranks run top to
bottom (rankdir="TB") or left to right ("LR"), and the boxes of a rank are centred.
"""
import io
import os
from xml.sax.saxutils import escape

from ...io import atomic_write
from .layer_utils import calls, shape_text

CHAR_WIDTH, LINE_HEIGHT, PAD, GAP = 7.2, 16, 8, 36  # pixels, for a 12 px monospace font


def _titles(layer):
    """(name, class name); a wrapper names what it wraps, 'td(dense_1)', 'TimeDistributed(Dense)'."""
    inner = getattr(layer, "layer", None)
    if inner is None:
        return layer.name, type(layer).__name__
    return f"{layer.name}({inner.name})", f"{type(layer).__name__}({type(inner).__name__})"


def _boxes(model):
    """([(name, class name, input shape, output shape)], [(from, to)]) in topological order."""
    nodes = calls(model)
    if not nodes:  # Sequential: Keras draws its input as '<first layer>_input (InputLayer)'
        layers = list(model.layers)
        shape = getattr(model, "input_shape", None)
        boxes = [(f"{layers[0].name}_input", "InputLayer", shape, shape)] if layers and shape else []
        boxes += [_titles(layer) + (layer.input_shape_built, layer.output_shape_built)
                  for layer in layers]
        return boxes, [(i, i + 1) for i in range(len(boxes) - 1)]
    index, boxes, edges = {}, [], []
    for layer, inbound, _ in nodes:
        if id(layer) not in index:
            index[id(layer)] = len(boxes)
            first_in = inbound[0].shape if inbound else layer.batch_input_shape
            out = layer.output_shape_built or (None if inbound else layer.batch_input_shape)
            boxes.append(_titles(layer) + (first_in, out))
        for tensor in inbound:
            source = tensor.layer or tensor.input_layer
            edge = (index[id(source)], index[id(layer)])
            if edge not in edges:
                edges.append(edge)
    return boxes, edges


def model_to_dot(model, show_shapes=False, show_layer_names=True, rankdir="TB"):
    """A `pydot.Dot` graph of `model`, one record node per layer, labelled as Keras labels it.

    Render it with Graphviz, as in a notebook: SVG(model_to_dot(model).create(prog="dot",
    format="svg")). rankdir: 'TB' (top to bottom), 'LR', 'BT' or 'RL'. Needs pydot.
    """
    try:
        import pydot
    except ImportError:
        raise ImportError("model_to_dot builds a pydot graph, and pydot is not installed: pip "
                          "install pydot (or 'passos[visualize]'); rendering it also needs "
                          "Graphviz (https://graphviz.org), or use plot_model, which needs "
                          "neither") from None
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"model_to_dot: rankdir must be 'TB', 'LR', 'BT' or 'RL' (Graphviz "
                         f"directions), got {rankdir!r}")
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set_node_defaults(shape="record")
    boxes, edges = _boxes(model)
    for i, (name, kind, shape_in, shape_out) in enumerate(boxes):
        label = f"{name}: {kind}" if show_layer_names else kind
        if show_shapes:  # a record: the title, then input/output beside their shapes
            label += (f"\n|{{input:|output:}}|{{{{{shape_text(shape_in)}}}|"
                      f"{{{shape_text(shape_out)}}}}}")
        dot.add_node(pydot.Node(str(i), label=label))
    for source, target in edges:
        dot.add_edge(pydot.Edge(str(source), str(target)))
    return dot


def layout(model, show_shapes=False, show_layer_names=True, rankdir="TB"):
    """([(x, y, width, height, lines)], [(from, to)], width, height): where each box goes."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' (top to bottom) or 'LR' (left to "
                         f"right), got {rankdir!r}")
    boxes, edges = _boxes(model)
    texts = []
    for name, kind, shape_in, shape_out in boxes:
        lines = [f"{name}: {kind}" if show_layer_names else kind]
        if show_shapes:
            lines += [f"input: {shape_text(shape_in)}", f"output: {shape_text(shape_out)}"]
        texts.append(lines)
    rank = [0] * len(boxes)
    for source, target in sorted(edges, key=lambda e: e[1]):
        rank[target] = max(rank[target], rank[source] + 1)
    sizes = [(max(len(t) for t in lines) * CHAR_WIDTH + 2 * PAD, len(lines) * LINE_HEIGHT + 2 * PAD)
             for lines in texts]
    ranks = [[i for i in range(len(boxes)) if rank[i] == r] for r in range(max(rank, default=-1) + 1)]
    across = 0 if rankdir == "TB" else 1  # the axis along which a rank's boxes sit side by side
    spans = [sum(sizes[i][across] for i in members) + GAP * (len(members) - 1) for members in ranks]
    depths = [max(sizes[i][1 - across] for i in members) for members in ranks]
    extent = max(spans, default=0)
    placed, along = [None] * len(boxes), GAP / 2
    for members, span, depth in zip(ranks, spans, depths):
        offset = GAP / 2 + (extent - span) / 2
        for i in members:
            w, h = sizes[i]
            size_across, size_along = (w, h) if across == 0 else (h, w)
            a, b = offset, along + (depth - size_along) / 2
            x, y = (a, b) if across == 0 else (b, a)
            placed[i] = (x, y, w, h, texts[i])
            offset += size_across + GAP
        along += depth + GAP
    width, height = (extent + GAP, along - GAP / 2) if across == 0 else (along - GAP / 2, extent + GAP)
    return placed, edges, width, height


def _ends(placed, source, target, rankdir):
    """Where an arrow leaves box `source` and reaches box `target`."""
    x0, y0, w0, h0, _ = placed[source]
    x1, y1, w1, h1, _ = placed[target]
    if rankdir == "TB":
        return (x0 + w0 / 2, y0 + h0), (x1 + w1 / 2, y1)
    return (x0 + w0, y0 + h0 / 2), (x1, y1 + h1 / 2)


def to_svg(placed, edges, width, height, rankdir):
    """The SVG text of a layout."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
             f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="monospace" font-size="12">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
    for source, target in edges:
        (xa, ya), (xb, yb) = _ends(placed, source, target, rankdir)
        parts.append(f'<line x1="{xa:.1f}" y1="{ya:.1f}" x2="{xb:.1f}" y2="{yb:.1f}" '
                     'stroke="black" marker-end="url(#arrow)"/>')
    for x, y, w, h, lines in placed:
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                     'fill="white" stroke="black"/>')
        for k, line in enumerate(lines):
            parts.append(f'<text x="{x + PAD:.1f}" y="{y + PAD + (k + 0.75) * LINE_HEIGHT:.1f}">'
                         f'{escape(line)}</text>')
    return "\n".join(parts + ["</svg>", ""])


def to_png(placed, edges, width, height, rankdir):
    """PNG bytes of a layout, drawn with matplotlib (an optional extra)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle
    except ImportError:
        raise ImportError("plot_model: writing PNG needs matplotlib (pip install "
                          "'passos[plots]'); or give to_file a .svg name") from None
    figure = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width)
    axes.set_ylim(height, 0)
    axes.axis("off")
    for source, target in edges:
        start, end = _ends(placed, source, target, rankdir)
        axes.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "black"})
    for x, y, w, h, lines in placed:
        axes.add_patch(Rectangle((x, y), w, h, facecolor="white", edgecolor="black"))
        for k, line in enumerate(lines):
            axes.text(x + PAD, y + PAD + (k + 0.75) * LINE_HEIGHT, line, family="monospace",
                      fontsize=8.5)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def plot_model(model, to_file="model.png", show_shapes=False, show_layer_names=True, rankdir="TB"):
    """Draw `model` into `to_file`: .svg always, .png where matplotlib is installed.

    >>> from passos.keras.models import Sequential
    >>> from passos.keras.layers import Dense
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     plot_model(Sequential([Dense(2, input_shape=(3,))]), os.path.join(folder, "m.svg"))
    """
    extension = os.path.splitext(os.fspath(to_file))[1].lower().lstrip(".") or "png"
    if extension not in ("svg", "png"):
        raise ValueError(f"plot_model: to_file={to_file!r}: passos writes .svg or .png drawings, "
                         f"not .{extension}")
    placed, edges, width, height = layout(model, show_shapes, show_layer_names, rankdir)
    draw = to_svg if extension == "svg" else to_png
    atomic_write(to_file, draw(placed, edges, width, height, rankdir))
