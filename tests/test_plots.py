"""passos.plots: confusion-matrix counts, least-squares fits, and figures that save as PNG."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="passos.plots needs the [plots] extra")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from passos import plots  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
Y_TRUE = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2])
CM = np.array([[1, 1, 0],
               [0, 2, 1],
               [1, 0, 3]])


def one_hot(y, n):
    return np.eye(n)[y]


def assert_png(fig, path, axes):
    assert isinstance(fig, Figure)
    assert len(fig.axes) == axes
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG_SIGNATURE)


def images(n, shape=(28, 28), seed=0):
    return np.random.default_rng(seed).random((n, *shape)).astype(np.float32)


# confusion_matrix

def test_confusion_matrix_counts_integer_labels():
    cm = plots.confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cm, CM)
    assert np.issubdtype(cm.dtype, np.integer)


def test_confusion_matrix_counts_one_hot_and_probabilities():
    probs = one_hot(Y_PRED, 3) * 0.7 + 0.1  # argmax still picks Y_PRED
    np.testing.assert_array_equal(plots.confusion_matrix(one_hot(Y_TRUE, 3), probs), CM)


def test_confusion_matrix_num_classes_pads_and_one_hot_width_counts():
    assert plots.confusion_matrix(Y_TRUE, Y_PRED, num_classes=5).shape == (5, 5)
    assert plots.confusion_matrix(one_hot(Y_TRUE, 4), Y_PRED).shape == (4, 4)


@pytest.mark.parametrize("y_true, y_pred, num_classes, message", [
    ([0, 1, 2], [0, 1], None, "y_true has 3 examples but y_pred has 2"),
    (np.zeros((2, 2, 2)), [0, 1], None, r"got shape \(2, 2, 2\)"),
    ([0.5, 1.0], [0, 1], None, "expected class indices"),
    ([-1, 0], [0, 1], None, "expected class indices"),
    ([0, 3], [0, 1], 2, "num_classes=2 but the labels go up to class 3"),
    ([0, 1], [0, 1], 0, "num_classes must be at least 1"),
])
def test_confusion_matrix_bad_inputs(y_true, y_pred, num_classes, message):
    with pytest.raises(ValueError, match=message):
        plots.confusion_matrix(y_true, y_pred, num_classes)


def cell_texts(ax):
    """{(row, column): text} of the numbers drawn on a heat map (x is the column)."""
    cells = {}
    for t in ax.texts:
        x, y = t.get_position()
        cells[(int(round(y)), int(round(x)))] = t.get_text()
    assert len(cells) == len(ax.texts), "two numbers drawn in one cell"
    return cells


def test_plot_confusion_matrix_counts(tmp_path):
    path = tmp_path / "cm.png"
    fig = plots.plot_confusion_matrix(CM, class_names=["a", "b", "c"], path=path)
    assert_png(fig, path, axes=1)
    ax = fig.axes[0]
    assert cell_texts(ax) == {(i, j): str(CM[i, j]) for i in range(3) for j in range(3)}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]


def test_plot_confusion_matrix_normalised_rows_sum_to_one(tmp_path):
    path = tmp_path / "cm_norm.png"
    cm = np.zeros((4, 4), dtype=int)
    cm[:3, :3] = CM  # class 3 never appears: its row stays zeros instead of 0/0
    fig = plots.plot_confusion_matrix(cm, normalize=True, path=path)
    assert_png(fig, path, axes=1)
    shown = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(shown.sum(axis=1), [1, 1, 1, 0])
    fractions = [[0.5, 0.5, 0, 0], [0, 2 / 3, 1 / 3, 0], [0.25, 0, 0.75, 0], [0, 0, 0, 0]]
    assert cell_texts(fig.axes[0]) == {(i, j): f"{fractions[i][j]:.2f}"
                                       for i in range(4) for j in range(4)}


@pytest.mark.parametrize("cm, names, message", [
    (np.ones((2, 3)), None, r"square matrix \(C, C\), got shape \(2, 3\)"),
    (np.ones((3, 3)), ["a", "b"], "class_names has 2 names but there are 3 classes"),
])
def test_plot_confusion_matrix_bad_inputs(cm, names, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_confusion_matrix(cm, class_names=names)


# image grids

@pytest.mark.parametrize("shape", [(28, 28), (28, 28, 1), (8, 8, 3), (784,)])
def test_plot_images_layouts(tmp_path, shape):
    path = tmp_path / "grid.png"
    fig = plots.plot_images(images(7, shape), labels=np.arange(7) % 3, ncols=3, path=path)
    assert_png(fig, path, axes=7)  # the two unused cells of the 3x3 grid are removed


def test_plot_images_titles_coloured_by_correctness(tmp_path):
    path = tmp_path / "pred.png"
    labels, preds = np.array([0, 9, 3, 5]), one_hot(np.array([0, 8, 3, 5]), 10)
    fig = plots.plot_images(images(4), labels, preds, class_names=NAMES, path=path)
    assert_png(fig, path, axes=4)
    titles = [ax.title for ax in fig.axes]
    assert titles[1].get_text() == "Ankle boot\npred: Bag"
    colours = [matplotlib.colors.to_hex(t.get_color()) for t in titles]
    green, red = matplotlib.colors.to_hex("tab:green"), matplotlib.colors.to_hex("tab:red")
    assert colours == [green, red, green, green]


@pytest.mark.parametrize("kwargs, message", [
    (dict(images=np.ones((3, 5))), r"expected a batch of images .* got shape \(3, 5\)"),
    (dict(images=np.ones((2, 4, 4, 2))), r"got shape \(2, 4, 4, 2\)"),
    (dict(images=np.ones((2, 4, 4)), labels=[0, 1, 1]), "got 2 images but 3 labels"),
    (dict(images=np.ones((2, 4, 4)), labels=[0, 4], class_names=["a", "b"]),
     "class_names has 2 names but there are 5 classes"),
    (dict(images=np.ones((2, 4, 4)), ncols=0), "ncols must be at least 1"),
])
def test_plot_images_bad_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_images(**kwargs)


def test_plot_misclassified_shows_only_the_wrong_ones(tmp_path):
    path = tmp_path / "wrong.png"
    x = images(9)
    fig = plots.plot_misclassified(x, one_hot(Y_TRUE, 3), Y_PRED, class_names=NAMES, path=path)
    assert_png(fig, path, axes=3)
    assert "Misclassified: 3 of 9" in fig.get_suptitle()
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), x[1])
    fig = plots.plot_misclassified(x, Y_TRUE, Y_PRED, max_images=2)
    assert len(fig.axes) == 2 and "showing 2" in fig.get_suptitle()


def test_plot_misclassified_none_wrong_says_so(tmp_path):
    path = tmp_path / "none.png"
    fig = plots.plot_misclassified(images(4), [0, 1, 2, 0], [0, 1, 2, 0], path=path)
    assert_png(fig, path, axes=1)
    assert "No misclassified examples" in fig.axes[0].texts[0].get_text()


def test_plot_misclassified_bad_inputs():
    with pytest.raises(ValueError, match="got 4 images but 3 y_pred labels"):
        plots.plot_misclassified(images(4), [0, 1, 2, 0], [0, 1, 2])
    with pytest.raises(ValueError, match="max_images must be at least 1"):
        plots.plot_misclassified(images(2), [0, 1], [1, 0], max_images=0)


# learning curves

class History:
    def __init__(self, history):
        self.history = history


HISTORY = {"loss": [0.9, 0.6, 0.5], "accuracy": [0.6, 0.75, 0.8],
           "val_loss": [0.8, 0.65, 0.6], "val_accuracy": [0.65, 0.72, 0.78]}


def test_plot_history_panels_and_epochs(tmp_path):
    path = tmp_path / "history.png"
    fig = plots.plot_history(History(HISTORY), path=path)
    assert_png(fig, path, axes=2)
    loss = fig.axes[0]
    assert loss.get_title() == "loss"
    assert [line.get_label() for line in loss.lines] == ["training", "validation"]
    np.testing.assert_array_equal(loss.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(loss.lines[1].get_ydata(), HISTORY["val_loss"])


def test_plot_history_dict_and_chosen_metrics():
    fig = plots.plot_history({"loss": [1.0, 0.5]}, metrics="loss")
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1


@pytest.mark.parametrize("history, metrics, message", [
    (HISTORY, ["mae"], r"no metric 'mae' in the history; it has \['accuracy'"),
    ({}, None, "non-empty dict"),
    ([0.5, 0.4], None, "got list"),
])
def test_plot_history_bad_inputs(history, metrics, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_history(history, metrics)


# regression

def test_linear_fit_exact_line():
    x = np.arange(10.0)
    slope, intercept, r2 = plots.linear_fit(x, 3 * x - 2)
    assert slope == pytest.approx(3) and intercept == pytest.approx(-2) and r2 == pytest.approx(1)


def test_linear_fit_matches_polyfit_on_noisy_data():
    rng = np.random.default_rng(1)
    x = rng.uniform(-5, 5, 200)
    y = 0.7 * x + 1.5 + rng.normal(0, 1, 200)
    slope, intercept, r2 = plots.linear_fit(x, y)
    np.testing.assert_allclose([slope, intercept], np.polyfit(x, y, 1), rtol=1e-10)
    assert r2 == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2, rel=1e-10)
    assert 0 < r2 < 1


@pytest.mark.parametrize("x, y, message", [
    ([1, 2, 3], [1, 2], "x has 3 values but y has 2"),
    ([1], [1], "at least two distinct x values"),
    ([2, 2, 2], [1, 2, 3], "at least two distinct x values, got 1 among 3"),
])
def test_linear_fit_bad_inputs(x, y, message):
    with pytest.raises(ValueError, match=message):
        plots.linear_fit(x, y)


def test_plot_regression(tmp_path):
    path = tmp_path / "regression.png"
    x = np.linspace(0, 1, 20)
    fig = plots.plot_regression(x, 2 * x + 1 + 0.05 * np.sin(40 * x), path=path)
    assert_png(fig, path, axes=1)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0] == "data" and "R² = 0.99" in legend[1]


def test_missing_matplotlib_names_the_extra(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'passos\[plots\]'"):
        plots.plot_regression([0, 1], [0, 1])
