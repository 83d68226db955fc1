"""fit / evaluate / predict on tiny synthetic problems, checked against NumPy where exact."""
import numpy as np
import pytest

import passos as P
from passos.keras import optimizers
from passos.keras.layers import Dense, Dropout, Flatten, Input
from passos.keras.models import Model, Sequential
from passos.keras.utils import to_categorical
from passos.keras.utils.np_utils import to_categorical as np_utils_to_categorical

EPS = 1e-7


def blobs(n=300, seed=0, classes=2, dim=4):
    """Separable clusters: class c is centred at 3 * e_c."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    x = rng.normal(size=(n, dim)).astype(np.float32) * 0.7
    x[np.arange(n), labels] += 3.0
    return x, labels


def classifier(classes=2, dim=4, hidden=16, dropout=None, seed=0):
    P.random.seed(seed)
    layers = [Dense(hidden, activation="relu", input_shape=(dim,))]
    if dropout:
        layers.append(Dropout(dropout))
    layers.append(Dense(classes, activation="softmax"))
    return Sequential(layers)


def np_sparse_ce(labels, p):
    p = np.clip(p.astype(np.float64), EPS, 1 - EPS)
    return -np.log(p[np.arange(len(labels)), labels.reshape(-1)])


# -- learning -----------------------------------------------------------------------------------------
def test_fit_learns_a_separable_problem():
    x, labels = blobs(300)
    model = classifier()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, to_categorical(labels, 2), epochs=8, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 8
    assert losses[-1] < losses[0] * 0.5
    assert all(b < a for a, b in zip(losses, losses[1:]))
    assert history.history["accuracy"][-1] > 0.9
    loss, acc = model.evaluate(x, to_categorical(labels, 2), verbose=0)
    assert acc > 0.9
    assert (model.predict(x).argmax(-1) == labels).mean() > 0.9
    assert history.epoch == list(range(8))
    assert model.history is history


def test_history_loss_is_the_epoch_mean_of_batch_losses():
    # with a zero learning rate every batch sees the same weights: the epoch's loss and accuracy
    # must equal evaluate on the same data (an uneven last batch included)
    x, labels = blobs(100, seed=1)
    model = classifier()
    model.compile(optimizer=optimizers.SGD(lr=0.0), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    before = model.get_weights()
    history = model.fit(x, labels, epochs=2, batch_size=32, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    loss, acc = model.evaluate(x, labels, verbose=0)
    p = model.predict(x)
    assert loss == pytest.approx(np_sparse_ce(labels, p).mean(), rel=1e-5)
    assert acc == pytest.approx((p.argmax(-1) == labels).mean(), abs=1e-7)
    assert history.history["loss"] == pytest.approx([loss, loss], rel=1e-6)
    assert history.history["accuracy"] == pytest.approx([acc, acc], abs=1e-7)


def test_history_keys_with_validation_split():
    x, labels = blobs(200, seed=2)
    y = to_categorical(labels, 2)
    model = classifier()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values())
    # Keras holds out the *last* 25% (before shuffling); the last epoch's validation is
    # computed after its training, with the final weights
    val_loss, val_acc = model.evaluate(x[150:], y[150:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_acc, abs=1e-7)
    assert history.params["samples"] == 150


def test_history_keys_with_validation_data():
    x, labels = blobs(200, seed=3)
    xv, lv = blobs(60, seed=4)
    model = classifier()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, labels, epochs=2, validation_data=(xv, lv), verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    val_loss, val_acc = model.evaluate(xv, lv, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_acc, abs=1e-7)
    # no metrics: only loss and val_loss
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(x, labels, epochs=1, validation_data=(xv, lv), verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"]


def test_evaluate_returns_loss_and_metrics_in_order():
    x, labels = blobs(90, seed=5, classes=3)
    y = to_categorical(labels, 3)
    model = classifier(classes=3)
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    assert model.metrics_names == ["loss", "accuracy"]
    scores = model.evaluate(x, y, verbose=0)
    assert isinstance(scores, list) and len(scores) == 2
    p = model.predict(x).astype(np.float64)
    expected_loss = -np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)[np.arange(90),
                                                                                labels]).mean()
    assert scores[0] == pytest.approx(expected_loss, rel=1e-5)
    assert scores[1] == pytest.approx((p.argmax(-1) == labels).mean(), abs=1e-7)
    # batch size does not change the result
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=7, verbose=0), scores, rtol=1e-5)
    # a model without metrics returns a float
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    # 'acc' and a second metric keep their order and spelling
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["acc", "mse"])
    assert model.metrics_names == ["loss", "acc", "mse"]
    loss, acc, mse = model.evaluate(x, y, verbose=0)
    assert mse == pytest.approx(((p - y) ** 2).mean(), rel=1e-5)


def test_predict_shape_and_batch_independence():
    x, _ = blobs(50, seed=6)
    model = classifier(classes=3, dropout=0.5)
    out7 = model.predict(x, batch_size=7)
    out32 = model.predict(x, batch_size=32)
    assert out7.shape == (50, 3) and out7.dtype == np.float32
    np.testing.assert_allclose(out7, out32, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(out7.sum(-1), 1.0, rtol=1e-5)
    # equals the forward pass in NumPy (no dropout at inference)
    w1, b1, w2, b2 = model.get_weights()
    h = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    e = np.exp(h - h.max(-1, keepdims=True))
    np.testing.assert_allclose(out7, e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-6)
    assert model.predict(x[:0]).shape == (0, 3)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), out7[:5], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("label_shape", ["flat", "column"])
def test_sparse_categorical_crossentropy_with_integer_labels(label_shape):
    x, labels = blobs(240, seed=7, classes=3)
    y = labels if label_shape == "flat" else labels.reshape(-1, 1)
    model = classifier(classes=3)
    model.compile(optimizer=optimizers.Adam(lr=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    loss0, _ = model.evaluate(x, y, verbose=0)
    assert loss0 == pytest.approx(np_sparse_ce(labels, model.predict(x)).mean(), rel=1e-5)
    history = model.fit(x, y, epochs=6, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < loss0
    assert history.history["accuracy"][-1] > 0.9


def test_sparse_and_categorical_train_identically():
    x, labels = blobs(64, seed=8, classes=3)
    results = []
    for loss, y in [("sparse_categorical_crossentropy", labels),
                    ("sparse_categorical_crossentropy", labels.reshape(-1, 1)),
                    ("categorical_crossentropy", to_categorical(labels, 3))]:
        model = classifier(classes=3, seed=1)
        model.compile(optimizer="sgd", loss=loss)
        model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
        results.append(model.get_weights())
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_binary_crossentropy_with_sigmoid_output():
    x, labels = blobs(200, seed=9)
    P.random.seed(0)
    model = Sequential([Dense(8, activation="tanh", input_shape=(4,)),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(lr=0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    y = labels.astype(np.float32)  # shape (n,), Keras accepts it for a (n, 1) output
    loss0, acc0 = model.evaluate(x, y.reshape(-1, 1), verbose=0)
    p = model.predict(x).astype(np.float64)
    assert p.shape == (200, 1)
    pc = np.clip(p[:, 0], EPS, 1 - EPS)
    assert loss0 == pytest.approx(-(y * np.log(pc) + (1 - y) * np.log(1 - pc)).mean(), rel=1e-4)
    assert acc0 == pytest.approx(((p[:, 0] > 0.5) == y).mean(), abs=1e-7)
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0, validation_data=(x, y))
    assert history.history["loss"][-1] < loss0
    assert history.history["accuracy"][-1] > 0.9
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        model.evaluate(x, y.reshape(-1, 1), verbose=0), rel=1e-7)
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x, y, verbose=0)[0],
                                                            rel=1e-6)
    np.testing.assert_array_equal(model.predict_classes(x), (model.predict(x) > 0.5).astype(int))


def test_mse_regression():
    rng = np.random.default_rng(10)
    x = rng.uniform(-1, 1, (200, 2)).astype(np.float32)
    y = (x @ np.array([[2.0], [-1.0]]) + 0.5).astype(np.float32)
    P.random.seed(0)
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer=optimizers.SGD(lr=0.1), loss="mse", metrics=["mae"])
    mse0, mae0 = model.evaluate(x, y, verbose=0)
    p = model.predict(x)
    assert mse0 == pytest.approx(((p - y) ** 2).mean(), rel=1e-5)
    assert mae0 == pytest.approx(np.abs(p - y).mean(), rel=1e-5)
    history = model.fit(x, y[:, 0], epochs=30, batch_size=20, verbose=0)  # 1-D targets too
    assert history.history["loss"][-1] < 1e-3
    w, b = model.get_weights()
    np.testing.assert_allclose(w[:, 0], [2.0, -1.0], atol=0.05)
    np.testing.assert_allclose(b, [0.5], atol=0.05)


# -- sample and class weights -------------------------------------------------------------------------
def test_sample_weight_in_evaluate_is_keras_weighted_mean():
    x, labels = blobs(40, seed=11)
    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    w = np.random.default_rng(0).uniform(0.5, 2.0, 40).astype(np.float32)
    w[::4] = 0.0
    per_sample = np_sparse_ce(labels, model.predict(x))
    got = model.evaluate(x, labels, sample_weight=w, batch_size=40, verbose=0)
    # Keras 2: mean(loss * w) / mean(w != 0)
    assert got == pytest.approx((per_sample * w).mean() / (w != 0).mean(), rel=1e-5)
    assert got != pytest.approx(per_sample.mean(), rel=1e-3)
    # in batches: the batch values averaged by batch size (Keras 2's evaluate)
    batches = [(per_sample[s:s + 16] * w[s:s + 16]).mean() / (w[s:s + 16] != 0).mean()
               * len(w[s:s + 16]) for s in range(0, 40, 16)]
    assert model.evaluate(x, labels, sample_weight=w, batch_size=16, verbose=0) == \
        pytest.approx(sum(batches) / 40, rel=1e-5)


def test_zero_sample_weights_equal_dropping_the_samples():
    x, labels = blobs(24, seed=12)
    keep = np.arange(24) % 3 != 0
    a = classifier(seed=2)
    b = classifier(seed=2)
    for m in (a, b):
        m.compile(optimizer=optimizers.SGD(lr=0.5), loss="sparse_categorical_crossentropy")
    la = a.train_on_batch(x, labels, sample_weight=keep.astype(np.float32))
    lb = b.train_on_batch(x[keep], labels[keep])
    assert la == pytest.approx(lb, rel=1e-5)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)


def test_class_weight_equals_per_sample_weights():
    x, labels = blobs(30, seed=13)
    class_weight = {0: 1.0, 1: 3.0}
    a = classifier(seed=3)
    b = classifier(seed=3)
    for m in (a, b):
        m.compile(optimizer=optimizers.SGD(lr=0.3), loss="categorical_crossentropy")
    y = to_categorical(labels, 2)
    per_sample = np_sparse_ce(labels, a.predict(x))
    w = np.where(labels == 1, 3.0, 1.0)
    la = a.train_on_batch(x, y, class_weight=class_weight)
    assert la == pytest.approx((per_sample * w).mean(), rel=1e-5)
    lb = b.train_on_batch(x, y, sample_weight=w)
    assert la == pytest.approx(lb, rel=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)
    # fit with class_weight changes training compared with no weights
    c = classifier(seed=3)
    d = classifier(seed=3)
    for m in (c, d):
        m.compile(optimizer=optimizers.SGD(lr=0.3), loss="sparse_categorical_crossentropy")
    c.fit(x, labels, epochs=1, shuffle=False, verbose=0, class_weight=class_weight)
    d.fit(x, labels, epochs=1, shuffle=False, verbose=0)
    assert not np.allclose(c.get_weights()[0], d.get_weights()[0])


def test_class_weight_with_binary_labels():
    x, labels = blobs(20, seed=14)
    P.random.seed(0)
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile(optimizer=optimizers.SGD(lr=0.0), loss="binary_crossentropy")
    y = labels.reshape(-1, 1).astype(np.float32)
    p = np.clip(model.predict(x)[:, 0].astype(np.float64), EPS, 1 - EPS)
    per_sample = -(y[:, 0] * np.log(p) + (1 - y[:, 0]) * np.log(1 - p))
    loss = model.train_on_batch(x, y, class_weight={0: 0.5, 1: 2.0})
    assert loss == pytest.approx((per_sample * np.where(labels == 1, 2.0, 0.5)).mean(), rel=1e-5)


# -- determinism --------------------------------------------------------------------------------------
def test_shuffle_false_is_deterministic_without_a_seed():
    x, labels = blobs(50, seed=15)
    model_a = classifier(seed=4)
    start = model_a.get_weights()
    model_b = classifier(seed=5)
    model_b.set_weights(start)
    for m in (model_a, model_b):
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    P.random.seed(100)
    model_a.fit(x, labels, epochs=2, batch_size=8, shuffle=False, verbose=0)
    P.random.seed(200)
    model_b.fit(x, labels, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(model_a.get_weights(), model_b.get_weights()):
        np.testing.assert_array_equal(a, b)


def run_seeded(seed, use_fit_seed):
    x, labels = blobs(60, seed=16)
    if use_fit_seed:
        model = classifier(dropout=0.3, seed=0)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        history = model.fit(x, labels, epochs=2, batch_size=8, verbose=0, seed=seed)
    else:
        P.random.seed(seed)
        model = Sequential([Dense(16, activation="relu", input_shape=(4,)), Dropout(0.3),
                            Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        history = model.fit(x, labels, epochs=2, batch_size=8, verbose=0)
    return model.get_weights(), history.history["loss"]


@pytest.mark.parametrize("use_fit_seed", [False, True])
def test_seeded_runs_are_bit_identical(use_fit_seed):
    w1, h1 = run_seeded(7, use_fit_seed)
    w2, h2 = run_seeded(7, use_fit_seed)
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    w3, h3 = run_seeded(8, use_fit_seed)
    assert h3 != h1  # another seed: other shuffles and dropout masks


def test_dropout_active_in_fit_but_not_in_evaluate():
    # a model that is the identity except for dropout: training loss > 0, evaluate loss == 0
    P.random.seed(0)
    model = Sequential([Dropout(0.5, input_shape=(20,)),
                        Dense(20, use_bias=False, kernel_initializer="identity", trainable=False)])
    model.compile(optimizer=optimizers.SGD(lr=0.0), loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 20)).astype(np.float32)
    history = model.fit(x, x, epochs=1, batch_size=16, verbose=0)
    assert history.history["loss"][0] > 0.1
    assert model.evaluate(x, x, verbose=0) == pytest.approx(0.0, abs=1e-10)


# -- progress output ----------------------------------------------------------------------------------
def small_fit(verbose, **kwargs):
    x, labels = blobs(40, seed=17)
    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, labels, epochs=2, batch_size=16, verbose=verbose, **kwargs)


def test_verbose_1_prints_epochs_and_progress_bar(capsys):
    small_fit(1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "loss:" in out and "accuracy:" in out
    assert "40/40 [" in out and "=" in out and "]" in out


def test_verbose_1_shows_validation_values(capsys):
    small_fit(1, validation_split=0.25)
    out = capsys.readouterr().out
    assert "val_loss:" in out and "val_accuracy:" in out
    assert "30/30" in out


def test_verbose_2_prints_one_line_per_epoch(capsys):
    small_fit(2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert len(lines) == 4
    for line in (lines[1], lines[3]):
        assert "loss:" in line and "accuracy:" in line and "[" not in line


def test_verbose_0_prints_nothing(capsys):
    small_fit(0)
    assert capsys.readouterr().out == ""


# -- model kinds ----------------------------------------------------------------------------------
def test_functional_model_trains_like_sequential():
    x, labels = blobs(64, seed=18, classes=3)
    seq = classifier(classes=3, seed=6)
    inputs = Input(shape=(4,))
    outputs = Dense(3, activation="softmax")(Dense(16, activation="relu")(inputs))
    func = Model(inputs, outputs)
    func.set_weights(seq.get_weights())
    results = []
    for model in (seq, func):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(x, labels, epochs=3, batch_size=16, shuffle=False, verbose=0)
        results.append((history.history, model.get_weights(), model.predict(x)))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(results[0][2], results[1][2])


def test_functional_model_with_flatten_learns():
    x, labels = blobs(200, seed=19, dim=6)
    x = x.reshape(200, 2, 3)
    P.random.seed(0)
    inputs = Input(shape=(2, 3))
    outputs = Dense(2, activation="softmax")(Dense(8, activation="relu")(Flatten()(inputs)))
    model = Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=optimizers.Adam(lr=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, labels, epochs=8, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


def test_sequential_without_input_shape_builds_on_first_fit():
    x, labels = blobs(40, seed=20, dim=5)
    P.random.seed(0)
    model = Sequential([Dense(6, activation="relu"), Dense(2, activation="softmax")])
    assert not model.built
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, labels, epochs=1, verbose=0)
    assert model.built
    assert model.input_shape == (None, 5)
    assert model.output_shape == (None, 2)
    assert [w.shape for w in model.weights] == [(5, 6), (6,), (6, 2), (2,)]
    assert set(history.history) == {"loss", "accuracy"}
    assert model.predict(x).shape == (40, 2)


def test_sequential_add_builds_incrementally():
    model = Sequential()
    model.add(Dense(3, input_shape=(2,)))
    assert model.output_shape == (None, 3)
    model.add(Dense(1))
    assert model.output_shape == (None, 1)
    model.compile(optimizer="sgd", loss="mse")
    assert np.isfinite(model.train_on_batch(np.ones((4, 2)), np.ones((4, 1))))
    model.pop()
    assert model.output_shape == (None, 3)


def test_train_test_predict_on_batch():
    x, labels = blobs(20, seed=21)
    model = classifier()
    model.compile(optimizer=optimizers.SGD(lr=0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    p = model.predict_on_batch(x)
    assert p.shape == (20, 2)
    np.testing.assert_allclose(p, model.predict(x), rtol=1e-6)
    loss, acc = model.test_on_batch(x, labels)
    assert loss == pytest.approx(np_sparse_ce(labels, p).mean(), rel=1e-5)
    assert acc == pytest.approx((p.argmax(-1) == labels).mean())
    # train_on_batch reports the values before its update, then changes the weights
    before = model.get_weights()
    train_loss, train_acc = model.train_on_batch(x, labels)
    assert train_loss == pytest.approx(loss, rel=1e-6) and train_acc == pytest.approx(acc)
    assert not np.array_equal(before[0], model.get_weights()[0])
    assert model.test_on_batch(x, labels)[0] < loss
    # test_on_batch does not train
    after = model.get_weights()
    model.test_on_batch(x, labels)
    for a, b in zip(after, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_fit_accepts_passos_tensors_and_float64_arrays():
    x, labels = blobs(32, seed=22)
    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(P.tensor(x.astype(np.float64)), labels, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


# -- to_categorical ---------------------------------------------------------------------------------
def test_to_categorical():
    assert to_categorical is np_utils_to_categorical
    np.testing.assert_array_equal(to_categorical([0, 2, 1]), np.eye(3)[[0, 2, 1]])
    y = to_categorical(np.array([[1], [0]]), 4)
    assert y.shape == (2, 4) and y.dtype == np.float32
    np.testing.assert_array_equal(y, [[0, 1, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(to_categorical(np.array([[0, 1], [1, 1]]), 2),
                                  np.eye(2)[[[0, 1], [1, 1]]])
    assert to_categorical([1.0, 0.0], 2, dtype="int64").dtype == np.int64
    with pytest.raises(ValueError, match="num_classes"):
        to_categorical([0, 3], 3)
    with pytest.raises(ValueError, match=">= 0"):
        to_categorical([-1, 0])
    with pytest.raises(ValueError, match="whole numbers"):
        to_categorical([0.5, 1.0])


# -- epochs, callbacks and optimizer state across calls ---------------------------------------------
def test_two_fits_of_one_epoch_equal_one_fit_of_two():
    x, labels = blobs(48, seed=23)
    a = classifier(seed=8)
    b = classifier(seed=8)
    for m in (a, b):
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    a.fit(x, labels, epochs=2, batch_size=16, shuffle=False, verbose=0)
    b.fit(x, labels, epochs=1, batch_size=16, shuffle=False, verbose=0)
    b.fit(x, labels, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert a.optimizer.iterations == b.optimizer.iterations == 6
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_initial_epoch(capsys):
    x, labels = blobs(20, seed=24)
    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(x, labels, epochs=3, initial_epoch=1, verbose=2)
    assert history.epoch == [1, 2]
    assert len(history.history["loss"]) == 2
    out = capsys.readouterr().out
    assert "Epoch 2/3" in out and "Epoch 3/3" in out and "Epoch 1/3" not in out


def test_callback_hooks_and_stop_training():
    from passos.keras.callbacks import Callback

    class Recorder(Callback):
        def __init__(self):
            super().__init__()
            self.events, self.batch_losses = [], []

        def on_train_begin(self, logs=None):
            self.events.append("train_begin")

        def on_epoch_end(self, epoch, logs=None):
            self.events.append(("epoch_end", epoch, sorted(logs)))
            if epoch == 1:
                self.model.stop_training = True

        def on_batch_end(self, batch, logs=None):
            self.batch_losses.append(logs["loss"])

        def on_train_end(self, logs=None):
            self.events.append("train_end")

    x, labels = blobs(40, seed=25)
    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    recorder = Recorder()
    history = model.fit(x, labels, epochs=5, batch_size=10, verbose=0, callbacks=[recorder])
    assert recorder.model is model
    assert recorder.params["epochs"] == 5 and recorder.params["samples"] == 40
    assert recorder.events == ["train_begin", ("epoch_end", 0, ["accuracy", "loss"]),
                               ("epoch_end", 1, ["accuracy", "loss"]), "train_end"]
    assert len(history.history["loss"]) == 2
    assert len(recorder.batch_losses) == 8  # 4 batches in each of 2 epochs
    # the epoch loss is the mean of its batch losses (equal batch sizes here)
    assert history.history["loss"][0] == pytest.approx(np.mean(recorder.batch_losses[:4]),
                                                       rel=1e-6)


def test_validation_data_with_sample_weights():
    x, labels = blobs(60, seed=26)
    xv, lv = blobs(20, seed=27)
    wv = np.r_[np.ones(10), np.zeros(10)].astype(np.float32)
    model = classifier()
    model.compile(optimizer=optimizers.SGD(lr=0.0), loss="sparse_categorical_crossentropy")
    history = model.fit(x, labels, epochs=1, batch_size=60, verbose=0,
                        validation_data=(xv, lv, wv))
    # zero weights leave those samples out: the first 10 samples' mean loss
    expected = np_sparse_ce(lv[:10], model.predict(xv[:10])).mean()
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-5)
