"""Matplotlib figures for the course: confusion matrix, image grids, learning curves, regression.

Every plot returns a `matplotlib.figure.Figure` (no pyplot state: it works headless), which
Jupyter shows inline, and saves a PNG given `path=`. Matplotlib is optional (`pip install 'passos[plots]'`) except for
`confusion_matrix` and `linear_fit`.

>>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
array([[1, 0, 0],
       [0, 1, 1],
       [0, 0, 1]])
>>> linear_fit([0, 1, 2], [1, 3, 5])
(2.0, 1.0, 1.0)
"""
import math
from collections.abc import Mapping

import numpy as np

from .io import atomic_write
from .notebook import show_figures_inline


def _figure(**kwargs):
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError("passos.plots needs matplotlib: pip install 'passos[plots]'") from e
    show_figures_inline()  # in Jupyter a returned figure then shows itself
    return Figure(layout="constrained", **kwargs)


def _save(fig, path):
    if path is not None:
        atomic_write(path, lambda file: fig.savefig(file, format="png", dpi=100))
    return fig


def _labels(name, y):
    """Class indices from integer labels (N,) or one-hot / probability rows (N, C) by argmax."""
    y = np.asarray(y)
    if y.ndim == 2:
        return np.argmax(y, axis=1), y.shape[1]
    if y.ndim != 1:
        raise ValueError(f"{name}: expected integer labels of shape (N,) or one-hot/probability "
                         f"rows of shape (N, num_classes), got shape {y.shape}")
    if y.size and (not np.all(np.isfinite(y)) or np.any(y != np.round(y)) or y.min() < 0):
        raise ValueError(f"{name}: expected class indices (integers >= 0), got values like "
                         f"{y[:5].tolist()}; pass one-hot or probability rows as a 2-D array")
    return y.astype(np.int64), None


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Counts of (true, predicted) pairs: rows are true classes, columns predicted classes.

    y_true, y_pred: integer labels (N,) or one-hot/probability rows (N, C) -> int array (C, C).
    """
    t, t_width = _labels("confusion_matrix y_true", y_true)
    p, p_width = _labels("confusion_matrix y_pred", y_pred)
    if len(t) != len(p):
        raise ValueError(f"confusion_matrix: y_true has {len(t)} examples but y_pred has "
                         f"{len(p)}; pass predictions for the same examples")
    if num_classes is not None and int(num_classes) < 1:
        raise ValueError(f"confusion_matrix: num_classes must be at least 1, got {num_classes}")
    seen = max([int(t.max()) + 1, int(p.max()) + 1] if len(t) else [0])
    n = int(num_classes) if num_classes else max(seen, t_width or 0, p_width or 0)
    if seen > n:
        raise ValueError(f"confusion_matrix: num_classes={n} but the labels go up to class "
                         f"{seen - 1}; pass num_classes={seen} or more")
    return np.bincount(n * t + p, minlength=n * n).reshape(n, n)


def _class_names(class_names, n, who):
    if class_names is None:
        return [str(i) for i in range(n)]
    if len(class_names) < n:
        raise ValueError(f"{who}: class_names has {len(class_names)} names but there are {n} classes")
    return [str(c) for c in class_names]


def plot_confusion_matrix(cm, class_names=None, normalize=False, title=None, path=None):
    """Heat map of a confusion matrix (C, C) with the count, or row fraction, in each cell."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(f"plot_confusion_matrix: expected a square matrix (C, C), got shape "
                         f"{cm.shape}; build one with passos.plots.confusion_matrix")
    n = cm.shape[0]
    names = _class_names(class_names, n, "plot_confusion_matrix")
    if normalize:
        totals = cm.sum(axis=1, keepdims=True)
        # A class with no examples gets a row of zeros rather than 0/0.
        values = np.divide(cm, totals, out=np.zeros(cm.shape), where=totals != 0)
        text, vmax = "{:.2f}", 1.0
    else:
        values = cm
        text = "{:d}" if np.issubdtype(cm.dtype, np.integer) else "{:.3g}"
        vmax = max(values.max(), 1)

    side = max(4.0, 0.55 * n + 2.5)
    fig = _figure(figsize=(side, side))
    ax = fig.add_subplot()
    ax.imshow(values, cmap="Blues", vmin=0, vmax=vmax)
    # Dark text on light cells and white text on dark cells keeps every number readable.
    threshold = vmax / 2
    for i, j in np.ndindex(n, n):
        ax.text(j, i, text.format(values[i, j]), ha="center", va="center",
                fontsize=8 if n > 6 else 10, color="white" if values[i, j] > threshold else "black")
    ax.set_xticks(range(n), names[:n], rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(n), names[:n])
    default = "Confusion matrix (row-normalised)" if normalize else "Confusion matrix"
    ax.set(xlabel="Predicted label", ylabel="True label", title=title or default)
    return _save(fig, path)


def _images(who, images):
    """Images as (N, H, W) grayscale or (N, H, W, 3) RGB, from the layouts the course uses."""
    x = np.asarray(images)
    if x.ndim == 2 and x.shape[0] and math.isqrt(x.shape[1]) ** 2 == x.shape[1]:
        side = math.isqrt(x.shape[1])  # flattened square images, e.g. (N, 784) Fashion-MNIST
        x = x.reshape(len(x), side, side)
    if x.ndim == 4 and x.shape[-1] not in (1, 3) and x.shape[1] in (1, 3):
        x = np.moveaxis(x, 1, -1)  # channels_first -> channels_last
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if not (x.ndim == 3 or (x.ndim == 4 and x.shape[-1] == 3)) or len(x) == 0:
        raise ValueError(f"{who}: expected a batch of images (N, H, W), (N, H, W, 1), "
                         f"(N, H, W, 3) or flattened squares (N, H*W), got shape {x.shape}")
    if x.ndim == 4 and not np.issubdtype(x.dtype, np.integer):
        # RGB floats must lie in [0, 1] for imshow; treat larger values as 0..255.
        x = np.clip(x / 255.0 if x.max() > 1 else x, 0, 1)
    return x


def _title(i, labels, predictions, names):
    """Title text and colour for image i: true label, and the prediction coloured by correctness."""
    if predictions is None:
        return (names[labels[i]] if labels is not None else ""), "black"
    if labels is None:
        return f"pred: {names[predictions[i]]}", "black"
    right = labels[i] == predictions[i]
    return (f"{names[labels[i]]}\npred: {names[predictions[i]]}", "tab:green" if right else "tab:red")


def _check_count(who, what, values, n):
    if values is not None and len(values) != n:
        raise ValueError(f"{who}: got {n} images but {len(values)} {what}; pass one per image")


def plot_images(images, labels=None, predictions=None, class_names=None, ncols=5, path=None):
    """Grid of images titled with the true label, and the prediction in green (right) or red.

    images: (N, H, W), (N, H, W, 1), (N, H, W, 3) or (N, H*W); labels, predictions: (N,) or (N, C).
    """
    x = _images("plot_images", images)
    n = len(x)
    labels = None if labels is None else _labels("plot_images labels", labels)[0]
    predictions = None if predictions is None else _labels("plot_images predictions", predictions)[0]
    _check_count("plot_images", "labels", labels, n)
    _check_count("plot_images", "predictions", predictions, n)
    if int(ncols) < 1:
        raise ValueError(f"plot_images: ncols must be at least 1, got {ncols}")
    top = max([0] + [int(v.max()) + 1 for v in (labels, predictions) if v is not None])
    names = _class_names(class_names, top, "plot_images")

    ncols = min(int(ncols), n)
    nrows = math.ceil(n / ncols)
    lines = 2 if labels is not None and predictions is not None else 1
    fig = _figure(figsize=(1.8 * ncols, (1.6 + 0.25 * lines) * nrows))
    grid = fig.subplots(nrows, ncols, squeeze=False).ravel()
    gray = x.ndim == 3
    low, high = (0, 255) if np.issubdtype(x.dtype, np.integer) else (x.min(), x.max())
    for ax in grid[n:]:
        ax.remove()  # the last row may be partly empty
    for i, ax in enumerate(grid[:n]):
        if gray:
            ax.imshow(x[i], cmap="gray", vmin=low, vmax=high)
        else:
            ax.imshow(x[i])
        ax.set(xticks=[], yticks=[])
        text, colour = _title(i, labels, predictions, names)
        ax.set_title(text, color=colour, fontsize=9)
    return _save(fig, path)


def plot_misclassified(images, y_true, y_pred, class_names=None, max_images=25, path=None):
    """Grid of the first `max_images` examples whose prediction differs from the true label."""
    t, _ = _labels("plot_misclassified y_true", y_true)
    p, _ = _labels("plot_misclassified y_pred", y_pred)
    x = _images("plot_misclassified", images)
    n = len(x)
    if int(max_images) < 1:
        raise ValueError(f"plot_misclassified: max_images must be at least 1, got {max_images}")
    _check_count("plot_misclassified", "y_true labels", t, n)
    _check_count("plot_misclassified", "y_pred labels", p, n)
    wrong = np.flatnonzero(t != p)
    if len(wrong) == 0:
        fig = _figure(figsize=(5, 2))
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, f"No misclassified examples: all {n} predictions are right.",
                ha="center", va="center", fontsize=11)
        ax.set_axis_off()
        return _save(fig, path)
    shown = wrong[:max_images]
    fig = plot_images(x[shown], t[shown], p[shown], class_names, ncols=min(5, len(shown)))
    fig.suptitle(f"Misclassified: {len(wrong)} of {n} (showing {len(shown)})")
    return _save(fig, path)


def plot_history(history, metrics=None, path=None):
    """Learning curves: one panel per metric, training and `val_` curves over epochs 1..E.

    history: a Keras-style History (with a `.history` dict) or the dict {name: [value per epoch]}.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or not logs:
        raise ValueError(f"plot_history: expected a History or a non-empty dict of per-epoch "
                         f"values, got {type(logs).__name__}")
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_")] or [k[4:] for k in logs]
    elif isinstance(metrics, str):
        metrics = [metrics]
    for m in metrics:
        if m not in logs and "val_" + m not in logs:
            raise ValueError(f"plot_history: no metric {m!r} in the history; it has {sorted(logs)}")

    ncols = min(len(metrics), 3)
    fig = _figure(figsize=(4.5 * ncols, 3.5 * math.ceil(len(metrics) / ncols)))
    grid = fig.subplots(math.ceil(len(metrics) / ncols), ncols, squeeze=False).ravel()
    for ax in grid[len(metrics):]:
        ax.remove()
    for m, ax in zip(metrics, grid):
        for key, label in ((m, "training"), ("val_" + m, "validation")):
            if key in logs:
                values = np.asarray(logs[key], dtype=np.float64).ravel()
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, marker="o" if len(values) <= 30 else None,
                        markersize=3, label=label)
        ax.set(title=m, xlabel="epoch", ylabel=m)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend()
    return _save(fig, path)


def _points(who, x, y):
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if len(x) != len(y):
        raise ValueError(f"{who}: x has {len(x)} values but y has {len(y)}; pass one y per x")
    if len(x) < 2 or np.ptp(x) == 0:
        raise ValueError(f"{who}: a line needs at least two distinct x values, got "
                         f"{np.unique(x).size} among {len(x)} points")
    return x, y


def linear_fit(x, y):
    """Least-squares line y = slope * x + intercept and its R^2 -> (slope, intercept, r2)."""
    x, y = _points("linear_fit", x, y)
    dx, dy = x - x.mean(), y - y.mean()
    slope = float(dx @ dy / (dx @ dx))
    intercept = float(y.mean() - slope * x.mean())
    ss_res = float(np.sum((y - (slope * x + intercept)) ** 2))
    ss_tot = float(dy @ dy)
    # Constant y is fitted exactly by a flat line, so R^2 = 1 rather than 0/0.
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return slope, intercept, r2


def plot_regression(x, y, path=None, xlabel="x", ylabel="y"):
    """Scatter of (x, y) with the least-squares line; slope, intercept and R^2 in the legend."""
    x, y = _points("plot_regression", x, y)
    slope, intercept, r2 = linear_fit(x, y)
    fig = _figure(figsize=(5.5, 4))
    ax = fig.add_subplot()
    ax.scatter(x, y, s=16, alpha=0.7, label="data")
    line_x = np.array([x.min(), x.max()])
    ax.plot(line_x, slope * line_x + intercept, color="tab:red",
            label=f"y = {slope:.4g}x {'+' if intercept >= 0 else '-'} {abs(intercept):.4g}"
                  f"  (R² = {r2:.4f})")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)
