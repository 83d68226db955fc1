"""The functional API: several inputs and outputs, shared layers, nested models, merge layers,
Lambda, per-output losses and metrics, and their save/load round trip."""
import numpy as np
import pytest

from passos.keras import layers as L
from passos.keras.models import Model, Sequential, load_model

rng = np.random.default_rng(0)
X1, X2 = rng.standard_normal((12, 3)), rng.standard_normal((12, 4))
Y1 = np.eye(2, dtype=np.float32)[rng.integers(0, 2, 12)]
Y2 = rng.standard_normal((12, 1))


def two_in_two_out():
    a, b = L.Input((3,), name="a"), L.Input((4,), name="b")
    h = L.concatenate([L.Dense(5, activation="tanh")(a), b])
    return Model([a, b], [L.Dense(2, activation="softmax", name="cls")(h), L.Dense(1, name="reg")(h)])


def siamese():
    shared = L.Dense(3, name="shared")
    a, b = L.Input((4,)), L.Input((4,))
    return Model([a, b], L.Dense(1)(L.subtract([shared(a), shared(b)]))), shared


def loss_and_grads(model, xs, y):
    """The mse loss and its gradient on every weight, through one train_on_batch-free plan."""
    from passos.core.tensor import Tensor
    out = model([Tensor(x) for x in xs])
    loss = ((out - Tensor(y)) ** 2).mean()
    for w in model.trainable_weights:
        w.grad = None
    loss.backward()
    return float(loss.data), [np.array(w.grad) for w in model.trainable_weights]


def finite_differences(model, xs, y, eps=1e-3):
    grads = []
    for w in model.trainable_weights:
        g = np.zeros(w.shape)
        for i in np.ndindex(*w.shape):
            keep = w.data[i]
            w.data[i] = keep + eps
            up = loss_and_grads(model, xs, y)[0]
            w.data[i] = keep - eps
            down = loss_and_grads(model, xs, y)[0]
            w.data[i] = keep
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def test_two_inputs_train_and_match_finite_differences():
    a, b = L.Input((3,), dtype="float64"), L.Input((4,), dtype="float64")
    h = L.concatenate([L.Dense(2, activation="tanh", dtype="float64")(a), b])
    model = Model([a, b], L.Dense(1, dtype="float64")(h))
    xs = [X1[:4], X2[:4]]
    _, grads = loss_and_grads(model, xs, Y2[:4])
    for g, fd in zip(grads, finite_differences(model, xs, Y2[:4])):
        np.testing.assert_allclose(g, fd, rtol=1e-4, atol=1e-6)
    model.compile("sgd", "mse")
    before = model.evaluate([X1, X2], Y2, verbose=0)
    model.fit([X1, X2], Y2, epochs=5, verbose=0)
    assert model.evaluate([X1, X2], Y2, verbose=0) < before


def test_siamese_shares_one_weight_set_and_sums_its_gradients():
    model, shared = siamese()
    assert len(model.trainable_weights) == 4 and len(shared._inbound_nodes) == 2
    assert shared.get_output_at(0) is not shared.get_output_at(1)
    with pytest.raises(AttributeError, match="get_output_at"):
        shared.output
    xs = [X2[:3], X2[3:6]]
    _, grads = loss_and_grads(model, xs, Y2[:3])
    for g, fd in zip(grads, finite_differences(model, xs, Y2[:3])):
        np.testing.assert_allclose(g, fd, rtol=2e-2, atol=1e-3)
    np.testing.assert_allclose(model.predict([X2, X2]), model.layers[-1].get_weights()[1] + 0 * Y2,
                               rtol=1e-5)  # equal inputs: the shared branches cancel


def test_nested_model_and_intermediate_activations():
    inner = Sequential([L.Dense(3, activation="relu", input_shape=(4,))])
    x = L.Input((4,))
    outer = Model(x, L.Dense(2)(inner(x)))
    kernel, bias = outer.layers[2].get_weights()
    np.testing.assert_allclose(outer.predict(X2), inner.predict(X2) @ kernel + bias, rtol=1e-5, atol=1e-6)
    model = two_in_two_out()
    hidden = Model(inputs=model.input, outputs=model.get_layer(index=2).output)
    w, b = model.layers[2].get_weights()
    np.testing.assert_allclose(hidden.predict([X1, X2]), np.tanh(X1 @ w + b), rtol=1e-5, atol=1e-6)
    assert model.get_layer("cls") is model.layers[-2]


def test_two_outputs_with_loss_weights_log_the_weighted_sum():
    model = two_in_two_out()
    model.compile("sgd", loss={"cls": "categorical_crossentropy", "reg": "mse"},
                  loss_weights={"cls": 1.0, "reg": 0.25}, metrics={"cls": ["acc"]})
    assert model.metrics_names == ["loss", "cls_loss", "reg_loss", "cls_acc"]
    loss, cls_loss, reg_loss, acc = model.evaluate({"a": X1, "b": X2}, {"cls": Y1, "reg": Y2},
                                                    verbose=0)
    assert loss == pytest.approx(cls_loss + 0.25 * reg_loss, rel=1e-5)
    probs, reg = model.predict([X1, X2])
    assert reg_loss == pytest.approx(float(np.mean((reg - Y2) ** 2)), rel=1e-4)
    assert acc == pytest.approx(float(np.mean(probs.argmax(1) == Y1.argmax(1))))
    history = model.fit([X1, X2], [Y1, Y2], epochs=1, batch_size=12, verbose=0).history
    assert history["loss"][0] == pytest.approx(loss, rel=1e-5)


def test_trainable_false_then_recompile_freezes_a_layer():
    model = two_in_two_out()
    frozen = model.layers[2]
    frozen.trainable = False
    model.compile("sgd", ["categorical_crossentropy", "mse"])
    kept = frozen.get_weights()
    model.fit([X1, X2], [Y1, Y2], epochs=2, verbose=0)
    for w, k in zip(frozen.get_weights(), kept):
        np.testing.assert_array_equal(w, k)


def test_merge_layers_compute_what_keras_does():
    a, b = X2[:5].astype(np.float32), X2[5:10].astype(np.float32)
    expected = {L.Add: a + b, L.Subtract: a - b, L.Multiply: a * b, L.Average: (a + b) / 2,
                L.Maximum: np.maximum(a, b), L.Minimum: np.minimum(a, b)}
    for cls, value in expected.items():
        np.testing.assert_allclose(cls()([a, b]).data, value, rtol=1e-6)
    np.testing.assert_allclose(L.Concatenate(axis=1)([a, b]).data, np.hstack([a, b]))
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(L.Dot(axes=1, normalize=True)([a, b]).data[:, 0], cos, rtol=1e-5)
    m, n = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    np.testing.assert_allclose(L.dot([m, n], axes=(2, 1)).data, m @ n, rtol=1e-5, atol=1e-6)
    out = L.Lambda(lambda t, k: t * k, arguments={"k": 3.0})(L.Input((4,)))
    assert out.shape == (None, 4)
    assert L.Lambda(lambda t: t, output_shape=(7,))(L.Input((4,))).shape == (None, 7)


def listed(value):
    return value if isinstance(value, list) else [value]


def double(t):
    return t * 2


def test_save_and_load_round_trip(tmp_path):
    model = two_in_two_out()
    model.compile("adam", ["categorical_crossentropy", "mse"], loss_weights=[1, 0.5], metrics=["acc"])
    sia, _ = siamese()
    inner = Sequential([L.Dense(3, input_shape=(4,))])
    x = L.Input((4,))
    nested = Model(x, L.Lambda(double)(inner(x)))
    for m in (model, sia, nested):
        m.save(tmp_path / "m.passos")
        back = load_model(tmp_path / "m.passos", custom_objects={"double": double})
        xs = [X1, X2] if m is model else [X2, X2] if m is sia else X2
        for p, q in zip(listed(m.predict(xs)), listed(back.predict(xs))):
            np.testing.assert_allclose(p, q, rtol=1e-6)
        assert len(back.weights) == len(m.weights)
    assert back.get_config()["layers"][-1]["class_name"] == "Lambda"
    with pytest.raises(ValueError, match="custom_objects=\\{'double': double\\}"):
        load_model(tmp_path / "m.passos")
    with pytest.raises(ValueError, match="a lambda or a nested function"):
        Model(x, L.Lambda(lambda t: t)(x)).get_config()


def test_clear_errors():
    model = two_in_two_out()
    model.compile("sgd", ["categorical_crossentropy", "mse"])
    with pytest.raises(ValueError, match=r"^fit: the model has 2 inputs \['a', 'b'\], but x is "
                                         r"a single array of shape \(12, 3\)"):
        model.fit(X1, [Y1, Y2])
    with pytest.raises(ValueError, match=r"y is a list of 1 array"):
        model.fit([X1, X2], [Y1])
    with pytest.raises(ValueError, match=r"no array for \['b'\]"):
        model.fit({"a": X1}, [Y1, Y2])
    with pytest.raises(ValueError, match=r"x 'a' has 12 samples but x 'b' has 11"):
        model.predict([X1, X2[:11]])
    with pytest.raises(ValueError, match=r"loss is a list of 3, but the model has 2 output"):
        model.compile("sgd", ["mse"] * 3)
    with pytest.raises(ValueError, match=r"names \['nope'\], which are not outputs"):
        model.compile("sgd", {"cls": "mse", "reg": "mse", "nope": "mse"})
    a, b = L.Input((3,)), L.Input((3,))
    with pytest.raises(ValueError, match=r"not computed from the given inputs .* need Input"):
        Model(a, L.add([a, b]))
    with pytest.raises(ValueError, match=r"Add 'add_\d+' merges tensors of one shape"):
        L.add([a, L.Input((4,))])
    with pytest.raises(ValueError, match=r"Concatenate .* must be called on a list of at least 2"):
        L.Concatenate()(a)
    with pytest.raises(ValueError, match=r"get_layer: model .* has 6 layers, there is no index 9"):
        model.get_layer(index=9)
