"""A plan splits the ops that declare a batch axis (or independent gradients) over threads:
the same values and gradients as the whole op, in float64 to within rounding."""
import numpy as np
import pytest

import passos as P
import passos.graph as G
from passos.core.apply import apply
from passos.graph.sources import SavedOf
from passos.kernels import parallel
from passos.ops.conv import Conv
from passos.ops.conv_pool import ConvPool
from passos.ops.dense import Dense

rng = np.random.default_rng(0)
CASES = {  # name: (function of the inputs, input arrays); a batch of 5 splits 2 + 3
    "conv, stride 2, bias, relu, channels_first": (
        lambda x, W, b: apply(Conv(2, 2, "same", data_format="channels_first",
                                   activation="relu"), x, W, b),
        [rng.normal(size=(5, 3, 7, 6)), rng.normal(size=(3, 3, 3, 4)), rng.normal(size=4)]),
    "conv, stride 1 (transposed input gradient)": (
        lambda x, W: P.conv2d(x, W, padding="same"),
        [rng.normal(size=(5, 6, 6, 3)), rng.normal(size=(3, 3, 3, 4))]),
    "overlapping max pool with ties": (
        lambda x: P.max_pool2d(x, 3, 1, "same"),
        [rng.integers(0, 3, size=(5, 6, 6, 2)).astype(np.float64)]),
    "two conv+pool blocks, one bias": (
        lambda x, W1, b1, W2: apply(ConvPool("same", "valid", biases=(True, False)),
                                    x, W1, b1, W2),
        [rng.normal(size=(5, 8, 8, 2)), rng.normal(size=(3, 3, 2, 3)), rng.normal(size=3),
         rng.normal(size=(3, 3, 3, 2))]),
    "dense with relu": (
        lambda x, W, b: apply(Dense("relu"), x, W, b),
        [rng.normal(size=(5, 7)), rng.normal(size=(7, 4)), rng.normal(size=4)]),
    "matmul": (lambda a, b: a @ b, [rng.normal(size=(5, 7)), rng.normal(size=(7, 3))]),
    "lstm, sequences, sigmoid (its own gate order inside)": (
        lambda x, W, U, b: P.lstm(x, W, U, b, recurrent_activation="sigmoid"),
        [rng.normal(size=(5, 4, 2)), rng.normal(size=(2, 12)), rng.normal(size=(3, 12)),
         rng.normal(size=12)]),
    "gru, last step, reset_after": (
        lambda x, W, U, b: P.gru(x, W, U, b, return_sequences=False, reset_after=True),
        [rng.normal(size=(5, 4, 2)), rng.normal(size=(2, 9)), rng.normal(size=(3, 9)),
         rng.normal(size=(2, 9))]),
    "simple_rnn, backwards": (
        lambda x, W, U: P.simple_rnn(x, W, U, go_backwards=True),
        [rng.normal(size=(5, 4, 2)), rng.normal(size=(2, 3)), rng.normal(size=(3, 3))]),
}


def run(fn, arrays):
    """y and the gradient of sum(y * weights) for every input, through one Session run."""
    graph = G.Graph()
    with graph.as_default():
        xs = [G.placeholder("float64", a.shape) for a in arrays]
        y = fn(*xs)
        weights = np.random.default_rng(1).normal(size=y.shape)
        grads = G.gradients(P.sum(y * weights), xs)
        fetches = [y, *grads]
        if y.primitive.saves:  # what the op saved for its gradient, as a plan fetches it
            fetches.append(graph.add_op(SavedOf(), [y]))
    with G.Session(graph) as session:
        return session.run(fetches, dict(zip(xs, arrays)))


def assert_close(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        assert_close(list(a.values()), list(b.values()))
    elif isinstance(a, (list, tuple)):
        for x, y in zip(a, b):
            assert_close(x, y)
    elif a is None:  # e.g. an RNN's step mask when none was given
        assert b is None
    else:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_a_split_step_gives_what_the_whole_op_gives(name, splits, monkeypatch):
    fn, arrays = CASES[name]
    whole = run(fn, arrays)
    assert not splits
    monkeypatch.setattr(parallel, "MIN_WORK", 0)  # split whatever declares it can be
    with parallel.threads(2):
        split = run(fn, arrays)
    assert splits and set(splits) == {2}
    assert_close(split, whole)


def test_each_thread_carries_its_share_through_every_block_and_back(splits, monkeypatch):
    """A multi-block ConvPool splits once forward and once back, at the same bounds."""
    monkeypatch.setattr(parallel, "MIN_WORK", 0)
    fn, arrays = CASES["two conv+pool blocks, one bias"]
    with parallel.threads(2):
        run(fn, arrays)
    assert splits == [2, 2]


def test_eager_ops_run_whole(splits, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_WORK", 0)
    fn, arrays = CASES["two conv+pool blocks, one bias"]
    with parallel.threads(2):
        tensors = [P.tensor(a, requires_grad=True) for a in arrays]
        fn(*tensors).sum().backward()
    assert not splits
