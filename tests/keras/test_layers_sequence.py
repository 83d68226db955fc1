"""Embedding, RepeatVector, Permute, Masking, ActivityRegularization and global pooling over
1 and 3 spatial axes: shapes, weights, config round trips, values, gradients, errors.
"""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Sequential
from passos.keras.optimizers import Adam

RNG = np.random.default_rng(11)


def test_embedding_shapes_weights_config_and_scatter_add_gradient():
    layer = L.Embedding(6, 3, input_length=4, mask_zero=True, name="emb")
    assert layer.batch_input_shape == (None, 4)
    ids = np.array([[1, 5, 1, 0], [2, 2, 2, 3]])
    y = layer(P.tensor(ids))
    table = layer.get_weights()[0]
    assert table.shape == (6, 3) and np.abs(table).max() <= 0.05  # Keras' 'uniform' initializer
    np.testing.assert_array_equal(y.numpy(), table[ids])
    (y * P.tensor(np.ones((2, 4, 3)))).sum().backward()
    np.testing.assert_array_equal(layer.embeddings.grad[:, 0], [1, 2, 3, 1, 0, 1])
    config = layer.get_config()
    assert config["mask_zero"] and config["input_length"] == 4
    assert L.Embedding.from_config(config).get_config() == config
    model = Sequential([L.Embedding(6, 3, input_length=4)])
    assert model.output_shape == (None, 4, 3)


def test_embedding_matches_torch_and_its_gradients_pass_finite_differences(weight_gradients_match):
    torch = pytest.importorskip("torch", reason="PyTorch parity needs torch")
    layer = L.Embedding(5, 2, embeddings_initializer="random_normal", dtype="float64")
    ids = np.array([[4, 0, 4], [1, 1, 3]])
    ours = layer(P.tensor(ids)).numpy()
    theirs = torch.nn.functional.embedding(torch.tensor(ids), torch.tensor(layer.get_weights()[0]))
    np.testing.assert_array_equal(ours, theirs.numpy())
    weight_gradients_match(layer, ids, RNG.normal(size=(2, 3, 2)))


def test_embedding_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"Embedding 'e' has input_dim 5 \(ids 0 to 4\), got id 7"):
        L.Embedding(5, 2, name="e")(P.tensor(np.array([[1, 7]])))
    with pytest.raises(ValueError, match=r"Embedding 'e2' argument embeddings_regularizer: "
                                         r"unknown regularizer 'l3'"):
        L.Embedding(5, 2, embeddings_regularizer="l3", name="e2")


def test_embedding_model_learns_from_token_ids():
    """Sequences whose label is whether token 3 occurs: Embedding, global pooling, Dense."""
    P.random.seed(1)
    ids = RNG.integers(0, 6, size=(64, 5))
    labels = (ids == 3).any(axis=1).astype(np.float32)[:, None]
    model = Sequential([L.Embedding(6, 4, input_length=5), L.GlobalAveragePooling1D(),
                        L.Dense(1, activation="sigmoid")])
    model.compile(Adam(lr=0.05), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, labels, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_repeat_vector_and_permute():
    x = RNG.normal(size=(2, 3))
    y = L.RepeatVector(4)(P.tensor(x)).numpy()
    assert y.shape == (2, 4, 3) and np.all(y == x[:, None])
    assert P.gradcheck(lambda v: L.RepeatVector(2)(v), x)
    z = RNG.normal(size=(2, 3, 4, 5))
    permuted = L.Permute((3, 1, 2))(P.tensor(z)).numpy()
    np.testing.assert_array_equal(permuted, z.transpose(0, 3, 1, 2))
    assert P.gradcheck(lambda v: L.Permute((2, 1))(v), z[:, :, :, 0])
    model = Sequential([L.RepeatVector(4, input_shape=(3,)), L.Permute((2, 1))])
    assert model.output_shape == (None, 3, 4)
    for layer in (L.RepeatVector(3), L.Permute((2, 1))):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    with pytest.raises(ValueError, match=r"Permute 'pm' dims must be a permutation of 1 \.\. n"):
        L.Permute((0, 1), name="pm")
    with pytest.raises(ValueError, match=r"RepeatVector 'rv' expects 2-D inputs"):
        L.RepeatVector(2, name="rv")(P.tensor(z))


def test_masking_zeroes_the_steps_that_equal_mask_value():
    x = RNG.normal(size=(2, 4, 3))
    x[0, 1] = -1.0
    x[1, 3] = -1.0
    x[1, 0, 0] = -1.0  # one feature alone does not mask its step
    y = L.Masking(mask_value=-1.0)(P.tensor(x)).numpy()
    expected = x.copy()
    expected[0, 1] = expected[1, 3] = 0
    np.testing.assert_array_equal(y, expected)
    t = P.tensor(x, requires_grad=True)
    L.Masking(-1.0)(t).sum().backward()  # the kept steps pass their gradient, masked ones none
    kept = np.any(x != -1.0, axis=-1, keepdims=True)
    np.testing.assert_array_equal(t.grad, np.broadcast_to(kept, x.shape))
    layer = L.Masking(0.5)
    assert L.Masking.from_config(layer.get_config()).get_config() == layer.get_config()


def test_activity_regularization_penalty_eagerly_and_in_compiled_models():
    x = P.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    y = layer(x)
    assert y is x
    expected = 0.1 * np.abs(x.numpy()).sum() + 0.01 * (x.numpy() ** 2).sum()
    assert float(layer.losses[0].numpy()) == pytest.approx(expected)
    layer.losses[0].backward()
    np.testing.assert_allclose(x.grad, 0.1 * np.sign(x.numpy()) + 0.02 * x.numpy())
    assert L.ActivityRegularization.from_config(layer.get_config()).get_config() == \
        layer.get_config()
    model = Sequential([L.Dense(2, input_shape=(4,)), L.ActivityRegularization(l2=0.1, name="ar")])
    model.compile("sgd", "mse")
    np.testing.assert_array_equal(model.predict(x.numpy()).shape, (3, 2))
    out = model.predict(x.numpy())
    loss = model.evaluate(x.numpy(), np.zeros((3, 2)), verbose=0)
    assert loss == pytest.approx(np.mean(out ** 2) + 0.1 * np.sum(out ** 2), rel=1e-5)


@pytest.mark.parametrize("cls, reduce, shape, fmt", [
    (L.GlobalAveragePooling1D, np.mean, (2, 5, 3), "channels_last"),
    (L.GlobalMaxPooling1D, np.max, (2, 3, 5), "channels_first"),
    (L.GlobalAveragePooling3D, np.mean, (2, 3, 4, 2, 3), "channels_last"),
    (L.GlobalMaxPooling3D, np.max, (2, 3, 2, 4, 2), "channels_first"),
])
def test_global_pooling_1d_and_3d(cls, reduce, shape, fmt):
    x = RNG.normal(size=shape)
    axes = tuple(range(1, len(shape) - 1)) if fmt == "channels_last" else \
        tuple(range(2, len(shape)))
    layer = cls(data_format=fmt)
    np.testing.assert_allclose(layer(P.tensor(x)).numpy(), reduce(x, axis=axes), rtol=1e-12)
    assert P.gradcheck(lambda v: layer(v), x)
    assert cls.from_config(layer.get_config()).get_config() == layer.get_config()
    assert Sequential([cls(data_format=fmt, input_shape=shape[1:])]).output_shape == \
        (None, shape[-1] if fmt == "channels_last" else shape[1])
