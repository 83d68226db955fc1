"""fit_generator, evaluate_generator, predict_generator and fit/evaluate/predict on generators."""
import warnings

import numpy as np
import pytest

from passos.keras import Model, Sequential, callbacks, utils
from passos.keras.engine import feed
from passos.keras.layers import Concatenate, Dense, Flatten, Input
from passos.keras.optimizers import SGD
from passos.keras.preprocessing import image
from passos.ops import random as passos_random

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3)).astype(np.float32)
Y = (X.sum(1, keepdims=True) > 0).astype(np.float32)


def model(weights=None):
    m = Sequential([Dense(4, activation="tanh", input_shape=(3,)), Dense(1, activation="sigmoid")])
    m.compile(SGD(0.5), "binary_crossentropy", metrics=["accuracy"])
    if weights is not None:
        m.set_weights(weights)
    return m


def batch(i):
    return X[i * 10:(i + 1) * 10], Y[i * 10:(i + 1) * 10]


def endless(order=range(4), reads=None):
    while True:
        for i in order:
            if reads is not None:
                reads.append(i)
            yield batch(i)


class Batches(utils.Sequence):
    """The four batches of X; records the indices read and the epoch ends."""

    def __init__(self):
        self.read, self.ends = [], 0

    def __len__(self):
        return 4

    def __getitem__(self, i):
        self.read.append(i)
        return batch(i)

    def on_epoch_end(self):
        self.ends += 1


def same(m1, m2):
    for a, b in zip(m1.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_generator_and_sequence_train_as_fit_on_the_same_batches():
    reference = model()
    start = reference.get_weights()
    reference.fit(X, Y, batch_size=10, epochs=2, shuffle=False, verbose=0)
    by_generator = model(start)
    history = by_generator.fit_generator(endless(), steps_per_epoch=4, epochs=2, verbose=0)
    same(reference, by_generator)
    by_sequence, sequence = model(start), Batches()
    by_sequence.fit_generator(sequence, epochs=2, shuffle=False, verbose=0)
    same(reference, by_sequence)
    assert sequence.read == [0, 1, 2, 3] * 2 and sequence.ends == 2
    assert sorted(history.history) == ["accuracy", "loss"] and len(history.history["loss"]) == 2
    keras23 = model(start)
    keras23.fit(Batches(), epochs=2, shuffle=False, verbose=0)  # Keras 2.3's form
    same(reference, keras23)


def test_shuffled_sequence_and_threads_repeat():
    start = model().get_weights()
    runs = []
    for workers in (0, 1, 2):
        passos_random.seed(3)
        sequence, m = Batches(), model(start)
        m.fit_generator(sequence, epochs=3, workers=workers, verbose=0)
        runs.append((sequence.read, m))
    order = runs[0][0]
    assert all(sorted(order[k:k + 4]) == [0, 1, 2, 3] for k in (0, 4, 8)) and order != [0, 1, 2, 3] * 3
    for read, m in runs[1:]:
        assert read == order
        same(runs[0][1], m)
    replay = model(start)  # the same batches, in the order the Sequence was read
    replay.fit_generator(endless(order), steps_per_epoch=4, epochs=3, verbose=0)
    same(runs[0][1], replay)


def test_steps_and_validation_steps_are_counted():
    reads, val_reads = [], []
    steps = []

    class Counter(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            steps.append(batch)
    counter = Counter()
    history = model().fit_generator(endless(reads=reads), steps_per_epoch=3, epochs=2, verbose=0,
                                    validation_data=endless(reads=val_reads), validation_steps=2,
                                    callbacks=[counter])
    assert len(reads) == 6 and len(val_reads) == 4 and steps == [0, 1, 2, 0, 1, 2]
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    m, sequence = model(), Batches()
    m.fit_generator(endless(), steps_per_epoch=2, epochs=2, verbose=0, validation_data=sequence)
    assert sequence.read == [0, 1, 2, 3] * 2  # a Sequence validates on all of it each epoch
    h = m.fit_generator(endless(), steps_per_epoch=2, verbose=0, validation_data=(X, Y))
    assert np.isclose(h.history["val_loss"][0], m.evaluate(X, Y, verbose=0)[0], rtol=1e-5)


def test_evaluate_and_predict_generators_match_arrays():
    m = model()
    scores = m.evaluate(X, Y, verbose=0)
    np.testing.assert_allclose(m.evaluate_generator(Batches()), scores, rtol=1e-5)
    np.testing.assert_allclose(m.evaluate_generator(endless(), steps=4, workers=2), scores, rtol=1e-5)
    np.testing.assert_allclose(m.evaluate(endless(), steps=4, verbose=0), scores, rtol=1e-5)
    np.testing.assert_allclose(m.predict_generator(Batches()), m.predict(X), rtol=1e-6)
    inputs_only = (x for x, _ in endless())
    np.testing.assert_allclose(m.predict(inputs_only, steps=4), m.predict(X), rtol=1e-6)


def test_functional_model_with_list_inputs():
    a, b = Input((2,)), Input((1,))
    m = Model([a, b], Dense(1)(Concatenate()([a, b])))
    m.compile(SGD(0.1), "mse")
    xs = [X[:, :2], X[:, 2:]]
    start = m.get_weights()
    loss = m.train_on_batch(xs, Y)
    assert np.isfinite(loss) and np.isfinite(m.test_on_batch(xs, Y))
    assert m.predict_on_batch(xs).shape == (40, 1)
    m.set_weights(start)
    m.fit_generator(iter([(xs, Y)]), steps_per_epoch=1, verbose=0, workers=0)
    np.testing.assert_allclose(m.predict_generator(iter([(xs, Y)]), steps=1),
                               m.predict(xs), rtol=1e-6)


def test_image_data_generator_flows():
    images = RNG.random((12, 4, 4, 1)).astype(np.float32)
    labels = np.eye(2, dtype=np.float32)[np.arange(12) % 2]
    m = Sequential([Flatten(input_shape=(4, 4, 1)), Dense(2, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy")
    flow = image.ImageDataGenerator(horizontal_flip=True).flow(images, labels, batch_size=5, seed=1)
    assert isinstance(flow, utils.Sequence) and len(flow) == 3
    m.fit_generator(flow, epochs=2, verbose=0, validation_data=flow, workers=2)
    m.fit(flow, steps_per_epoch=4, verbose=0)
    assert np.isfinite(m.evaluate_generator(flow))
    assert m.predict_generator(flow).shape == (12, 2)


def test_flow_from_directory_trains(tmp_path):
    pytest.importorskip("PIL", reason="flow_from_directory reads images through Pillow")
    for k, name in enumerate(("cats/a.png", "cats/b.png", "dogs/c.png")):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        image.save_img(str(tmp_path / name), np.full((4, 4, 3), 40.0 * k), scale=False)
    flow = image.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        str(tmp_path), target_size=(4, 4), batch_size=2)
    m = Sequential([Flatten(input_shape=(4, 4, 3)), Dense(2, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy")
    history = m.fit_generator(flow, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and m.predict(flow).shape == (3, 2)


def test_generator_errors_name_the_step():
    def bad():
        yield batch(0)
        yield X[:10, :2], Y[:10]
    with pytest.raises(ValueError, match=r"fit_generator \(step 2 of 3, epoch 1\).*\(10, 2\)"):
        model().fit_generator(bad(), steps_per_epoch=3, verbose=0)
    with pytest.raises(ValueError, match=r"step 3 of 3, epoch 1\): the generator stopped"):
        model().fit_generator(iter([batch(0), batch(1)]), steps_per_epoch=3, verbose=0)
    with pytest.raises(ValueError, match=r"must yield \(x, y\) or \(x, y, sample_weight\), got"):
        model().fit_generator(iter([X]), steps_per_epoch=1, verbose=0, workers=0)
    with pytest.raises(ValueError, match="fit_generator: steps_per_epoch is required"):
        model().fit_generator(endless(), verbose=0)
    with pytest.raises(ValueError, match="validation_steps is required"):
        model().fit_generator(Batches(), verbose=0, validation_data=endless())
    with pytest.raises(ValueError, match="fit: x is a generator or Sequence.*do not also pass y"):
        model().fit(Batches(), Y, verbose=0)
    with pytest.raises(TypeError, match=r"fit: unknown argument\(s\) \['steps'\]"):
        model().fit(Batches(), steps=3)
    with pytest.raises(NotImplementedError, match="must define __len__"):
        len(utils.Sequence())


def test_sample_weights_and_multiprocessing_warning(monkeypatch):
    m = model()
    start = m.get_weights()
    m.fit_generator(iter([(*batch(0), np.ones(10, np.float32))]), steps_per_epoch=1, verbose=0)
    unweighted = model(start)
    unweighted.train_on_batch(*batch(0))
    same(m, unweighted)
    monkeypatch.setattr(feed, "_warned", [])
    with pytest.warns(UserWarning, match="use_multiprocessing=True runs on threads"):
        m.fit_generator(Batches(), verbose=0, use_multiprocessing=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.fit_generator(Batches(), verbose=0, use_multiprocessing=True)
