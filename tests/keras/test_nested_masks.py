"""Keras masks flow into and out of a model used as a layer (functional, Sequential, twice nested).

Each nested model must give what the same layers (the same weights) wired flat give, and
differ from the unmasked result.
"""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Model, Sequential

TOKENS = np.array([[1, 2, 0, 0, 0], [3, 0, 4, 5, 0], [6, 7, 8, 9, 1]])  # 0: padding, masked


def _same_as_flat_not_unmasked(nested, flat, unmasked, x=TOKENS):
    """The nested model predicts (plans) and runs eagerly as the flat one, not as unmasked."""
    expected = flat.predict(x)
    np.testing.assert_allclose(nested.predict(x), expected, atol=1e-6)
    np.testing.assert_allclose(nested(P.tensor(x)).numpy(), expected, atol=1e-6)
    assert not np.allclose(unmasked, expected, atol=1e-4)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_a_nested_functional_model_takes_the_mask_of_its_input(return_sequences):
    embedding = L.Embedding(10, 4, mask_zero=True)
    lstm = L.LSTM(3, return_sequences=return_sequences)
    inner_in = L.Input((5, 4))
    inner = Model(inner_in, lstm(inner_in))
    ids = L.Input((5,))
    nested = Model(ids, inner(embedding(ids)))
    flat_ids = L.Input((5,))
    flat = Model(flat_ids, lstm(embedding(flat_ids)))
    unmasked = lstm(embedding(P.tensor(TOKENS))).numpy()  # an eager call carries no mask
    _same_as_flat_not_unmasked(nested, flat, unmasked)


def test_the_mask_comes_out_of_a_nested_model_to_the_layer_after_it():
    embedding, inner_lstm, outer_lstm = (L.Embedding(10, 4, mask_zero=True),
                                         L.LSTM(3, return_sequences=True), L.LSTM(2))
    inner_in = L.Input((5, 4))
    inner = Model(inner_in, inner_lstm(inner_in))
    ids = L.Input((5,))
    through = inner(embedding(ids))
    assert through.mask_shape == (None, 5)  # wired: compute_mask of the nested model
    nested = Model(ids, outer_lstm(through))
    flat_ids = L.Input((5,))
    flat = Model(flat_ids, outer_lstm(inner_lstm(embedding(flat_ids))))
    x = P.tensor(TOKENS)
    unmasked = outer_lstm(inner_lstm(embedding(x), mask=embedding.compute_mask(x))).numpy()
    _same_as_flat_not_unmasked(nested, flat, unmasked)  # the outer LSTM got the mask too


def test_a_mask_made_inside_a_nested_model_comes_out():
    masking, lstm = L.Masking(0.0), L.LSTM(3)
    inner_in = L.Input((5, 4))
    inner = Model(inner_in, masking(inner_in))
    x_in = L.Input((5, 4))
    through = inner(x_in)
    assert through.mask_shape == (None, 5)
    nested = Model(x_in, lstm(through))
    flat_in = L.Input((5, 4))
    flat = Model(flat_in, lstm(masking(flat_in)))
    x = np.random.default_rng(3).normal(size=(3, 5, 4)).astype(np.float32)
    x[0, 2:] = 0.0
    x[1, 1] = 0.0
    _same_as_flat_not_unmasked(nested, flat, lstm(P.tensor(x)).numpy(), x)


def test_a_sequential_nested_in_a_functional_model_takes_and_gives_the_mask():
    embedding, first, second = (L.Embedding(10, 4, mask_zero=True),
                                L.GRU(3, return_sequences=True), L.SimpleRNN(2))
    inner = Sequential([first], name="inner")
    inner.add(L.Activation("tanh"))  # passes the mask on
    ids = L.Input((5,))
    through = inner(embedding(ids))
    assert through.mask_shape == (None, 5)
    nested = Model(ids, second(through))
    flat_ids = L.Input((5,))
    flat = Model(flat_ids, second(L.Activation("tanh")(first(embedding(flat_ids)))))
    x = P.tensor(TOKENS)
    unmasked = second(P.tanh(first(embedding(x)))).numpy()
    _same_as_flat_not_unmasked(nested, flat, unmasked)


def test_a_model_nested_twice_passes_the_mask_both_ways():
    embedding, inner_lstm, outer_lstm = (L.Embedding(10, 4, mask_zero=True),
                                         L.LSTM(3, return_sequences=True), L.LSTM(2))
    inner_in = L.Input((5, 4))
    inner = Model(inner_in, inner_lstm(inner_in))
    middle_in = L.Input((5, 4))
    middle = Model(middle_in, L.Dropout(0.5)(inner(middle_in)))  # Dropout passes masks on
    ids = L.Input((5,))
    nested = Model(ids, outer_lstm(middle(embedding(ids))))
    flat_ids = L.Input((5,))
    flat = Model(flat_ids, outer_lstm(inner_lstm(embedding(flat_ids))))
    x = P.tensor(TOKENS)
    unmasked = outer_lstm(inner_lstm(embedding(x))).numpy()
    _same_as_flat_not_unmasked(nested, flat, unmasked)


def test_compute_mask_of_a_model_on_arrays():
    inner_in = L.Input((5, 4))
    sequences = Model(inner_in, L.LSTM(3, return_sequences=True)(inner_in))
    last = Model(inner_in, L.LSTM(3)(inner_in))
    x, mask = P.tensor(np.ones((3, 5, 4), np.float32)), TOKENS != 0
    np.testing.assert_array_equal(np.asarray(sequences.compute_mask(x, mask)), mask)
    assert last.compute_mask(x, mask) is None  # LSTM without return_sequences ends the mask
    assert sequences.compute_mask(x, None) is None  # no mask in, none made inside


def test_a_layer_inside_a_nested_model_refuses_the_mask_with_keras_error():
    inner_in = L.Input((5, 4))
    inner = Model(inner_in, L.Flatten(name="flat_inside")(inner_in))
    ids = L.Input((5,))
    with pytest.raises(TypeError, match="Layer flat_inside does not support masking"):
        inner(L.Embedding(10, 4, mask_zero=True)(ids))


def test_a_mask_per_input_or_a_clear_error():
    inner_in = L.Input((5, 4))
    inner = Model(inner_in, L.LSTM(3)(inner_in), name="inner")
    with pytest.raises(ValueError, match=r"model 'inner' takes 1 input\(s\) .*, got 2 mask\(s\)"):
        inner(P.tensor(np.ones((3, 5, 4), np.float32)), mask=[TOKENS != 0, TOKENS != 0])
