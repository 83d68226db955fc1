"""The Keras TensorBoard callback during real (tiny) fits, read back by TensorBoard."""
import os

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from passos.keras.callbacks import TensorBoard  # noqa: E402
from passos.keras.layers import Dense  # noqa: E402
from passos.keras.models import Sequential  # noqa: E402
from passos.keras.optimizers import SGD  # noqa: E402


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x.sum(axis=1) > 0).astype(np.float32).reshape(-1, 1)


def classifier():
    model = Sequential([Dense(8, activation="relu", input_shape=(4,), name="hidden"),
                        Dense(1, activation="sigmoid", name="out")], name="clf")
    model.compile(SGD(learning_rate=0.1), "binary_crossentropy", metrics=["accuracy"])
    return model


def test_two_epoch_fit_logs_train_and_validation_runs(tmp_path, accumulate):
    x, y = data()
    model = classifier()
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[TensorBoard(log_dir=tmp_path, histogram_freq=1)], seed=0)
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, validation = accumulate(tmp_path / "train"), accumulate(tmp_path / "validation")
    # 1. loss and metrics per epoch, under tf.keras' tags, in both runs
    assert sorted(train.Tags()["scalars"]) == ["epoch_accuracy", "epoch_loss"]
    assert sorted(validation.Tags()["scalars"]) == ["epoch_accuracy", "epoch_loss"]
    for events, prefix in ((train, ""), (validation, "val_")):
        for name in ("loss", "accuracy"):
            logged = events.Scalars("epoch_" + name)
            assert [e.step for e in logged] == [0, 1]
            np.testing.assert_allclose([e.value for e in logged],
                                       history.history[prefix + name], rtol=1e-6)
    # 2. weight histograms every epoch, in the train run
    assert sorted(train.Tags()["histograms"]) == ["hidden/bias", "hidden/kernel",
                                                  "out/bias", "out/kernel"]
    kernel = train.Histograms("hidden/kernel")
    assert [h.step for h in kernel] == [0, 1] and kernel[1].histogram_value.num == 32
    final = model.get_layer("hidden").kernel.data
    assert kernel[1].histogram_value.max == pytest.approx(final.max())
    assert validation.Tags()["histograms"] == []
    # 3. the model graph, one box per layer inside the model's box
    graph = train.Graph()
    names = {n.name for n in graph.node}
    assert {"clf/hidden/matmul", "clf/hidden/kernel", "clf/out/sigmoid"} <= names
    assert not validation.Tags()["graph"]


def test_histogram_freq_images_batch_updates_and_no_graph(tmp_path, accumulate):
    x, y = data()
    model = classifier()
    callback = TensorBoard(log_dir=str(tmp_path), histogram_freq=2, write_graph=False,
                           write_images=True, update_freq=2)
    model.fit(x, y, epochs=3, batch_size=10, verbose=0, callbacks=[callback])
    assert os.listdir(tmp_path) == ["train"]  # no validation data, no validation run
    train = accumulate(tmp_path / "train")
    assert not train.Tags()["graph"]
    assert [h.step for h in train.Histograms("out/kernel")] == [0, 2]
    assert (train.Images("hidden/kernel/image")[0].height,
            train.Images("hidden/kernel/image")[0].width) == (4, 8)
    # 4 batches per epoch, written every 2nd: steps 2, 4, ... 12
    assert [e.step for e in train.Scalars("batch_loss")] == [2, 4, 6, 8, 10, 12]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(update_freq="sometimes")
    with pytest.raises(ValueError, match="histogram_freq"):
        TensorBoard(histogram_freq=-1)
