"""read_scalars / read_histograms: event files read back as plain dicts, checked against the
values written and against TensorBoard's own EventAccumulator."""
import os

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import passos  # noqa: E402
import passos.compat.v1 as tf  # noqa: E402
from passos.keras.callbacks import TensorBoard  # noqa: E402
from passos.keras.layers import Dense  # noqa: E402
from passos.keras.models import Sequential  # noqa: E402
from passos.tensorboard import SummaryWriter, read_histograms, read_scalars  # noqa: E402


def test_scalars_per_tag_in_the_order_written(tmp_path, accumulate):
    with SummaryWriter(tmp_path) as writer:
        for step, loss in [(0, 0.5), (10, 0.25), (20, 0.125)]:
            writer.add_scalar("loss", loss, step=step)
        writer.add_scalar("train/accuracy", 0.75, step=20)
    scalars = read_scalars(tmp_path)
    assert scalars == {"loss": [(0, 0.5), (10, 0.25), (20, 0.125)], "train/accuracy": [(20, 0.75)]}
    theirs = accumulate(tmp_path)
    for tag, pairs in scalars.items():
        assert pairs == [(e.step, e.value) for e in theirs.Scalars(tag)]


def test_two_files_in_one_run_are_read_oldest_first(tmp_path, event_files):
    with SummaryWriter(tmp_path) as first:
        first.add_scalar("x", 1.0, 0)
    with SummaryWriter(tmp_path) as second:
        second.add_scalar("x", 2.0, 1)
    assert len(event_files(tmp_path)) == 2
    assert read_scalars(tmp_path) == {"x": [(0, 1.0), (1, 2.0)]}
    assert read_scalars(event_files(tmp_path)[1]) == {"x": [(1, 2.0)]}  # one file


@pytest.mark.parametrize("bins", ["tensorflow", 5])
def test_histograms_with_their_edges_and_totals(tmp_path, bins, accumulate):
    values = np.random.default_rng(0).normal(size=1000)
    with SummaryWriter(tmp_path) as writer:
        writer.add_histogram("w", values, step=3, bins=bins)
        writer.add_histogram("w", values * 2, step=4, bins=bins)
    (step, h), (step2, h2) = read_histograms(tmp_path)["w"]
    assert (step, step2) == (3, 4) and read_scalars(tmp_path) == {}
    assert h["num"] == h["counts"].sum() == 1000 and len(h["edges"]) == len(h["counts"]) + 1
    assert h["edges"][0] == h["min"] == values.min() and h["edges"][-1] == h["max"] == values.max()
    assert np.all(np.diff(h["edges"]) >= 0)
    assert h["sum"] == pytest.approx(values.sum()) and h2["max"] == 2 * values.max()
    assert h["sum_squares"] == pytest.approx(np.dot(values, values))
    if bins == 5:  # np.histogram's buckets come back exactly
        counts, edges = np.histogram(values, bins=5)
        np.testing.assert_array_equal(h["counts"], counts)
        np.testing.assert_allclose(h["edges"], edges, rtol=1e-15)
    else:  # each value lies inside its bucket's edges; the largest in the last bucket it fills
        below = values[values < values.max()]
        index = np.searchsorted(h["edges"][1:-1], below, side="right")
        counts = np.bincount(index, minlength=len(h["counts"]))
        counts[np.flatnonzero(h["counts"])[-1]] += 1
        np.testing.assert_array_equal(counts, h["counts"])
    theirs = accumulate(tmp_path).Histograms("w")[0].histogram_value
    assert list(h["counts"]) == list(theirs.bucket) and h["min"] == theirs.min


def test_tf1_summaries_from_a_session(tmp_path):
    with tf.Graph().as_default():  # its own graph: the default one's summaries stay as they were
        x = tf.placeholder(tf.float32, [None], name="x")
        tf.summary.scalar("mean", tf.reduce_mean(x))
        tf.summary.histogram("values", x)
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
            for step in range(3):
                writer.add_summary(sess.run(merged, {x: np.arange(4.0) + step}), step)
            writer.close()
    assert read_scalars(tmp_path) == {"mean": [(0, 1.5), (1, 2.5), (2, 3.5)]}
    histograms = read_histograms(tmp_path)["values"]
    assert [(s, h["min"], h["max"], h["num"]) for s, h in histograms] == [
        (0, 0.0, 3.0, 4.0), (1, 1.0, 4.0, 4.0), (2, 2.0, 5.0, 4.0)]


def test_keras_runs_are_subfolders_and_the_error_names_them(tmp_path):
    passos.random.seed(0)
    x = np.random.default_rng(1).normal(size=(32, 3)).astype("float32")
    model = Sequential([Dense(2, input_shape=(3,), name="dense")])
    model.compile("sgd", "mse")
    model.fit(x, x[:, :2], epochs=2, verbose=0, validation_split=0.25,
              callbacks=[TensorBoard(str(tmp_path), histogram_freq=1)])
    train = read_scalars(tmp_path / "train")
    assert [step for step, _ in next(iter(train.values()))] == [0, 1]
    assert "dense/kernel" in " ".join(read_histograms(tmp_path / "train"))
    with pytest.raises(FileNotFoundError, match=r"^read_scalars: no event files "
                       r"\(events\.out\.tfevents\.\*\) in '.*'; it holds the runs \['train', "
                       r"'validation'\]: read one, e\.g\. read_scalars\(os\.path\.join\(logdir, "
                       r"'train'\)\)$"):
        read_scalars(tmp_path)


def test_a_missing_or_empty_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"^read_histograms: no folder or event file "
                       r"'.*nothing'$"):
        read_histograms(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match=r"^read_scalars: no event files "
                       r"\(events\.out\.tfevents\.\*\) in '.*'$"):
        read_scalars(os.fspath(tmp_path))
