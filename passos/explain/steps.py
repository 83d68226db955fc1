"""Convolution and pooling on one 2-D image, one frame per output position.

The sums are those `passos.conv2d` and `passos.max_pool2d` / `avg_pool2d` compute
(TensorFlow's cross-correlation, "same" padding with the extra cell at the end).

`.to_dict()` gives JSON::

    {"kind": "conv2d" | "max_pool2d" | "avg_pool2d",
     "image": [[..]], "kernel": [[..]] (conv only), "pool_size": [h, w] (pool only),
     "strides": [sh, sw], "padding": "valid" | "same",
     "padded": [[..]],        # the image in its border: zeros for conv "same", null for pooling "same"
     "output": [[..]],
     "frames": [{"row": i, "col": j, "top": r, "left": c,  # the cell written; the window's corner
                 "window": [[..]],              # values under the window (null = padding)
                 "products": [[..]],            # window * kernel (conv only)
                 "winner": [r, c],              # the maximum's cell in the window (max only)
                 "value": v,                    # what is written at (row, col)
                 "output_so_far": [[..]]}]}     # null where nothing is written yet
"""
import numpy as np

from .. import arguments
from ..ops.windows import same_pads
from .values import fmt_number

_KINDS = {"max": "max_pool2d", "avg": "avg_pool2d"}


class Frame:
    """One output position: the window, its products (conv), the value, the output so far."""

    def __init__(self, row, col, top, left, window, products, value, output_so_far, winner=None):
        self.row, self.col, self.top, self.left = row, col, top, left
        self.window, self.products, self.value = window, products, value
        self.output_so_far, self.winner = output_so_far, winner


class WindowSteps:
    """The frames of a convolution or pooling, with the image, padded grid and output."""

    def __init__(self, kind, image, padded, output, frames, strides, padding, kernel=None, pool_size=None):
        self.kind, self.image, self.padded, self.output = kind, image, padded, output
        self.frames, self.strides, self.padding = frames, strides, padding
        self.kernel, self.pool_size = kernel, pool_size

    def __len__(self):
        return len(self.frames)

    def __iter__(self):
        return iter(self.frames)

    def to_dict(self):
        """JSON-serialisable data (see the module docstring)."""
        out = {"kind": self.kind, "image": _grid(self.image)}
        if self.kernel is not None:
            out["kernel"] = _grid(self.kernel)
        if self.pool_size is not None:
            out["pool_size"] = list(self.pool_size)
        out.update({"strides": list(self.strides), "padding": self.padding,
                    "padded": _grid(self.padded), "output": _grid(self.output), "frames": []})
        for f in self.frames:
            frame = {"row": f.row, "col": f.col, "top": f.top, "left": f.left, "window": _grid(f.window)}
            if f.products is not None:
                frame["products"] = _grid(f.products)
            if f.winner is not None:
                frame["winner"] = list(f.winner)
            frame.update({"value": _scalar(f.value), "output_so_far": _grid(f.output_so_far)})
            out["frames"].append(frame)
        return out

    def text(self, frames=None):
        """The frames as text: the padded image with the window in brackets, the arithmetic,
        and the output so far ("." where nothing is written yet)."""
        what = {"conv2d": "kernel", "max_pool2d": "max", "avg_pool2d": "mean"}[self.kind]
        window = (f"kernel {_shape(self.kernel)}" if self.kernel is not None
                  else f"pool {self.pool_size[0]}×{self.pool_size[1]}")
        lines = [f"{self.kind}: image {_shape(self.image)}, {window}, strides {self.strides[0]}×"
                 f"{self.strides[1]}, padding '{self.padding}' -> output {_shape(self.output)}, "
                 f"{len(self.frames)} frames"]
        if self.kernel is not None:
            lines += ["kernel:"] + _indent(_cells(self.kernel))
        chosen = self.frames if frames is None else [self.frames[k] for k in frames]
        for f in chosen:
            k = self.frames.index(f) + 1
            h, w = np.shape(f.window)
            lines += ["", f"Frame {k} of {len(self.frames)}: output row {f.row}, col {f.col} "
                          f"<- window rows {f.top}-{f.top + h - 1}, cols {f.left}-{f.left + w - 1}"
                          + (" of the padded image" if self.padded.shape != self.image.shape else "")]
            lines += _indent(_cells(self.padded, (f.top, f.left, h, w)))
            if f.products is not None:
                terms = " + ".join(_num(p) for p in np.asarray(f.products).ravel())
                lines.append(f"  window ⊙ {what} = {_inline(f.products)}; sum = {terms} = "
                             f"{_num(f.value)}")
            elif self.kind == "max_pool2d":
                lines.append(f"  max of {_inline(f.window)} = {_num(f.value)} (first maximum at "
                             f"window cell {f.winner}, where the gradient will go)")
            else:
                inside = [v for v in np.asarray(f.window, float).ravel() if not np.isnan(v)]
                lines.append(f"  mean of {_inline(f.window)} = ({' + '.join(_num(v) for v in inside)})"
                             f" / {len(inside)} = {_num(f.value)}")
            lines += ["  output so far:"] + _indent(_cells(f.output_so_far), "    ")
        return "\n".join(lines)

    __str__ = text

    def _repr_html_(self):
        """The step-through player of steps_html, inline in Jupyter (no file)."""
        from .html import steps_html
        return steps_html(self)._repr_html_()


def conv2d_steps(image, kernel, strides=1, padding="valid"):
    """Frames of a 2-D convolution (cross-correlation) of one image (H, W) with one kernel (kh, kw).

    >>> image = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
    ...          [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
    >>> steps = conv2d_steps(image, [[0, 1, 2], [2, 2, 0], [0, 1, 2]])
    >>> len(steps), steps.output.tolist()
    (9, [[12.0, 12.0, 17.0], [10.0, 17.0, 19.0], [9.0, 6.0, 14.0]])
    """
    image, kernel = _matrix("conv2d_steps", "image", image), _matrix("conv2d_steps", "kernel", kernel)
    strides = arguments.int_tuple(strides, 2, "conv2d_steps", "strides")
    padding = arguments.padding(padding, "conv2d_steps")
    padded = np.pad(image, _pads(image.shape, kernel.shape, strides, padding))
    frames, output = _slide("conv2d_steps", padded, kernel.shape, strides,
                            lambda window: ((window * kernel).sum(), window * kernel, None))
    return WindowSteps("conv2d", image, padded, output, frames, strides, padding, kernel=kernel)


def pool2d_steps(image, pool_size=2, strides=None, padding="valid", mode="max"):
    """Frames of max or average pooling of one image (H, W); strides default to pool_size.

    With "same" padding the border cells never count: they never win a max and are left out of
    a mean (as TensorFlow does).

    >>> image = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
    ...          [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
    >>> pool2d_steps(image, 3, strides=1).output.tolist()
    [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0], [3.0, 2.0, 3.0]]
    """
    if mode not in _KINDS:
        raise ValueError(f"pool2d_steps: mode must be 'max' or 'avg', got {mode!r}")
    image = _matrix("pool2d_steps", "image", image)
    size = arguments.int_tuple(pool_size, 2, "pool2d_steps", "pool_size")
    strides = size if strides is None else arguments.int_tuple(strides, 2, "pool2d_steps", "strides")
    padding = arguments.padding(padding, "pool2d_steps")
    # NaN marks cells outside the image
    padded = np.pad(image, _pads(image.shape, size, strides, padding), constant_values=np.nan)

    def reduce(window):
        inside = ~np.isnan(window)
        if mode == "avg":
            return window[inside].mean(), None, None
        best = np.where(inside, window, -np.inf)
        winner = np.unravel_index(int(np.argmax(best)), window.shape)  # first maximum, row-major
        return best[winner], None, tuple(int(i) for i in winner)

    frames, output = _slide("pool2d_steps", padded, size, strides, reduce)
    return WindowSteps(_KINDS[mode], image, padded, output, frames, strides, padding, pool_size=size)


def _matrix(who, what, x):
    array = arguments.numeric_array(getattr(x, "data", x), who, f"the {what}").astype(np.float64)
    if array.ndim == 4 and array.shape[0] == 1 and array.shape[-1] == 1 and what == "image":
        array = array[0, :, :, 0]  # one (1, H, W, 1) image, as passos.conv2d takes it
    elif array.ndim == 4 and array.shape[-2:] == (1, 1) and what == "kernel":
        array = array[:, :, 0, 0]
    if array.ndim != 2:
        raise ValueError(f"{who}: expects a 2-D {what} (rows, columns), got shape {array.shape}; "
                         "explain one channel at a time")
    return array


def _pads(shape, window, strides, padding):
    if padding == "valid":
        return ((0, 0), (0, 0))
    return tuple(same_pads(i, k, s, 1) for i, k, s in zip(shape, window, strides))


def _slide(who, padded, window, strides, reduce):
    """Frames for every output position, row by row, and the output grid."""
    (ph, pw), (kh, kw), (sh, sw) = padded.shape, window, strides
    if kh > ph or kw > pw:
        raise ValueError(f"{who}: the {kh}×{kw} window is larger than the {ph}×{pw} (padded) "
                         "image; use a smaller window or padding='same'")
    rows, cols = (ph - kh) // sh + 1, (pw - kw) // sw + 1
    output = np.full((rows, cols), np.nan)
    frames = []
    for r in range(rows):
        for c in range(cols):
            top, left = r * sh, c * sw
            window = padded[top:top + kh, left:left + kw].copy()
            value, products, winner = reduce(window)
            output[r, c] = value
            frames.append(Frame(r, c, top, left, window, products, float(value), output.copy(), winner))
    return frames, output


def _scalar(v):
    v = float(v)
    return None if np.isnan(v) else v


def _grid(a):
    return [[_scalar(v) for v in row] for row in np.asarray(a, np.float64)]


def _shape(a):
    return "×".join(str(d) for d in np.shape(a))


def _num(v):
    return "·" if np.isnan(float(v)) else fmt_number(v, 3)


def _inline(a):
    return "[" + ", ".join("[" + ", ".join(_num(v) for v in row) + "]" for row in a) + "]"


def _cells(a, box=None):
    """Rows of a grid, cells right-aligned; cells inside `box` (top, left, h, w) in brackets."""
    a = np.asarray(a, np.float64)
    width = max(len(_num(v)) for v in a.ravel())
    top, left, h, w = box or (0, 0, 0, 0)
    lines = []
    for i, row in enumerate(a):
        texts = [("." if box is None and np.isnan(v) else _num(v)).rjust(width) for v in row]
        cells = [f"[{t}]" if top <= i < top + h and left <= j < left + w else f" {t} "
                 for j, t in enumerate(texts)]
        lines.append("".join(cells).rstrip())
    return lines


def _indent(lines, prefix="  "):
    return [prefix + line for line in lines]
