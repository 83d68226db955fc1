"""assign_state: a tensor's value replaced, eagerly now or at every run of a plan."""
import numpy as np
import pytest

import passos as P
import passos.graph as G
from passos.core.apply import tracing
from passos.ops.assign import assign_state


def test_eager_assignment_gives_the_tensor_a_new_array():
    state = P.tensor(np.zeros((2, 3), np.float32))
    before = state.numpy()
    value = P.tensor(np.ones((2, 3)), requires_grad=True)
    out = assign_state(state, value * 2)
    np.testing.assert_array_equal(state.numpy(), np.full((2, 3), 2, np.float32))
    assert state.dtype == np.float32 and not out.requires_grad  # no gradient through it
    np.testing.assert_array_equal(before, 0)  # what was read before stays as it was


def test_a_traced_assignment_runs_at_every_run_from_the_live_value():
    state = P.tensor(np.zeros(2, np.float32), name="s")
    graph = G.Graph()
    with graph.as_default(), tracing(graph):
        x = G.placeholder("float32", (2,), name="x")
        update = assign_state(state, state + x)  # reads the state live, then replaces it
    run = G.Session(graph).make_callable([update], [x])
    run(np.ones(2, np.float32))
    run(np.ones(2, np.float32))
    np.testing.assert_array_equal(state.numpy(), [2, 2])


def test_shapes_are_checked_eager_and_traced():
    state = P.tensor(np.zeros((2, 3), np.float32), name="layer/state_h")
    message = r"assign_state: 'layer/state_h' has shape \(2, 3\), the value has shape \(1, 3\)"
    with pytest.raises(P.ShapeError, match=message):
        assign_state(state, P.tensor(np.ones((1, 3))))
    with G.Graph().as_default():
        with pytest.raises(P.ShapeError, match=message):
            assign_state(state, G.placeholder("float32", (1, 3)))
