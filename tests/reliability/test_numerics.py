"""check_numerics names the first op that gives NaN or inf; out-of-memory names the op that asked."""
import numpy as np
import pytest

import passos
import passos.graph as G
from passos.core import apply, autodiff
from passos.debug import NonFiniteError, check_numerics, numerics
from passos.keras import optimizers
from passos.keras.callbacks import TerminateOnNaN
from passos.keras.layers import Dense, Dropout
from passos.keras.models import Sequential
from passos.ops import random as passos_random

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns of the NaN we test


def _regression(lr=1e6, dropout=False):
    """A Dense regression whose SGD step with `lr` blows the weights up within a few batches."""
    passos_random.seed(0)
    layers = [Dense(16, activation="relu", input_shape=(8,), name="hidden"),
              *([Dropout(0.2)] if dropout else []), Dense(1, name="out")]
    model = Sequential(layers)
    model.compile(optimizers.SGD(lr=lr), "mse")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 8)).astype(np.float32)
    return model, x, x @ rng.standard_normal((8, 1)).astype(np.float32)


# -- eager ---------------------------------------------------------------------------------
def test_eager_forward_names_log_of_a_negative():
    with check_numerics():
        with pytest.raises(NonFiniteError) as caught:
            passos.log(passos.tensor([-1.0, 2.0]), name="logits")
    error = caught.value
    assert (error.op, error.node, error.direction, error.found) == \
        ("log", "logits", "forward", "NaN")
    assert "x0 float32 (2,) in [-1, 2]" in str(error)
    assert isinstance(error, FloatingPointError)


def test_eager_backward_names_sqrt_at_zero():
    x = passos.tensor([0.0, 4.0], requires_grad=True)
    with check_numerics():
        y = passos.sqrt(x).sum()  # finite forward
        with pytest.raises(NonFiniteError) as caught:
            y.backward()
    error = caught.value
    assert (error.op, error.direction, error.found) == ("sqrt", "backward", "inf")
    assert "output gradient float32 (2,) in [1, 1]" in str(error)


def test_outside_the_block_nothing_is_checked():
    with check_numerics():
        pass
    assert np.isnan(passos.log(passos.tensor([-1.0])).numpy()).all()


# -- graph -----------------------------------------------------------------------------------
def test_session_run_names_the_node_and_its_input_ranges():
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder("float32", (None,), name="x")
        y = passos.sqrt(passos.log(x, name="log_x"), name="root")
    session = G.Session(graph)
    assert np.isnan(session.run(y, {x: [0.5]})).all()  # unchecked: NaN comes back quietly
    with check_numerics():
        with pytest.raises(NonFiniteError) as caught:
            session.run(y, {x: [0.5, 4.0]})
    error = caught.value
    assert (error.op, error.node, error.direction) == ("sqrt", "root", "forward")
    assert "'log_x' float32 (2,) in [-0.6931, 1.386]" in str(error)


def test_session_run_names_a_gradient_node():
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder("float32", (None,), name="x")
        y = passos.sqrt(x, name="root").sum()
        (gx,) = G.gradients(y, [x])
    with check_numerics():
        with pytest.raises(NonFiniteError) as caught:
            G.Session(graph).run(gx, {x: [0.0, 1.0]})
    assert (caught.value.op, caught.value.node, caught.value.direction) == \
        ("sqrt", "root", "backward")


# -- Keras -------------------------------------------------------------------------------------
def test_fit_check_numerics_names_the_layer():
    model, x, y = _regression()
    assert np.isnan(model.fit(x, y, batch_size=32, shuffle=False, verbose=0).history["loss"][0])
    model, x, y = _regression()
    with pytest.raises(NonFiniteError) as caught:
        model.fit(x, y, batch_size=32, shuffle=False, verbose=0, check_numerics=True)
    error = caught.value
    assert (error.layer, error.direction) == ("out", "forward")
    assert "in layer 'out'" in str(error) and "'out/kernel' float32 (16, 1)" in str(error)
    assert not numerics.checking  # the block closed with the error


def test_terminate_on_nan_reports_the_op_from_the_batchs_starting_weights(capsys):
    model, x, y = _regression(dropout=True)
    callback = TerminateOnNaN()
    model.fit(x, y, batch_size=32, shuffle=False, verbose=0, callbacks=[callback])
    after = model.get_weights()
    printed = capsys.readouterr().out.splitlines()
    report = callback.report
    assert printed[0].endswith("Invalid loss, terminating training")
    assert printed[1] == f"{printed[0].split(':')[0]}: {report}"
    assert (report.op, report.layer, report.direction) == ("dense", "out", "forward")
    # the weights in the report are the batch's starting weights (finite), not the NaN ones
    assert "NaN" not in str(report).split("inputs:")[1].split("'out/kernel'")[1]
    for a, b in zip(after, model.get_weights()):  # the model keeps what training left
        np.testing.assert_array_equal(a, b)


def test_terminate_on_nan_without_explain_prints_only_keras_line(capsys):
    model, x, y = _regression()
    callback = TerminateOnNaN(explain=False)
    model.fit(x, y, batch_size=32, shuffle=False, verbose=0, callbacks=[callback])
    assert capsys.readouterr().out == "Batch 2: Invalid loss, terminating training\n"
    assert callback.report is None


# -- free when off ---------------------------------------------------------------------------------
def test_no_check_runs_when_off_and_results_are_the_same(monkeypatch):
    model, x, y = _regression(lr=0.01)
    with check_numerics():
        checked = [model.predict(x), passos.log(passos.tensor([2.0])).numpy()]
        fitted = model.fit(x, y, shuffle=False, verbose=0).history["loss"]
    assert not (apply.observers or autodiff.observers or G.session.observers)  # the hooks are empty
    model, x, y = _regression(lr=0.01)

    def taken(*args, **kwargs):
        raise AssertionError("a check ran outside check_numerics()")
    monkeypatch.setattr(numerics, "enabled", taken)  # every check asks it first
    plain = [model.predict(x), passos.log(passos.tensor([2.0])).numpy()]
    assert model.fit(x, y, shuffle=False, verbose=0).history["loss"] == fitted
    w = passos.tensor([4.0], requires_grad=True)
    passos.sqrt(w).sum().backward()
    for a, b in zip(plain, checked):
        np.testing.assert_array_equal(a, b)


def test_the_block_is_per_thread():
    import threading
    seen = []
    with check_numerics():
        t = threading.Thread(target=lambda: seen.append(passos.log(passos.tensor([-1.0]))))
        t.start()
        t.join()
    assert len(seen) == 1 and np.isnan(seen[0].numpy()).all()


# -- out of memory -------------------------------------------------------------------------------
def test_eager_out_of_memory_names_the_op_and_the_bytes(memory_capped):
    outcome = memory_capped("""
        import numpy as np
        a = passos.tensor(np.ones((20000, 1), np.float32))
        passos.matmul(a, a.numpy().T)
    """)
    assert outcome["raised"] == "MemoryError"
    assert outcome["message"].startswith("'matmul' ran out of memory asking for 1600000000 bytes")


def test_plan_out_of_memory_names_the_node(memory_capped):
    outcome = memory_capped("""
        import numpy as np
        import passos.graph as G
        graph = G.Graph()
        with graph.as_default():
            x = G.placeholder("float32", (None, 1), name="x")
            y = passos.matmul(x, passos.transpose(x), name="outer")
        G.Session(graph).run(y, {x: np.ones((20000, 1), np.float32)})
    """)
    assert outcome["raised"] == "MemoryError"
    assert outcome["message"].startswith(
        "'matmul' (node 'outer') ran out of memory asking for 1600000000 bytes")


def test_fit_check_numerics_names_a_weight_the_update_overflowed():
    model = Sequential([Dense(1, input_shape=(1,), kernel_initializer="zeros", name="edge")])
    model.compile(optimizers.SGD(lr=1e38), "mae")
    model.layers[0].bias.data[:] = 3e38  # |error| and its gradient stay finite; the step does not
    x, y = np.zeros((1, 1), np.float32), np.full((1, 1), 3.4e38, np.float32)
    with pytest.raises(NonFiniteError) as caught:
        model.fit(x, y, verbose=0, check_numerics=True)
    error = caught.value
    assert (error.op, error.node, error.layer, error.direction, error.found) == \
        ("apply_gradients", "edge/bias", "edge", "update", "inf")


def test_an_eager_layer_call_names_the_layer():
    layer = Dense(2, input_shape=(3,), name="probe")
    layer(np.ones((1, 3), np.float32))
    layer.kernel.data[:] = np.inf
    with check_numerics():
        with pytest.raises(NonFiniteError) as caught:
            layer(np.ones((1, 3), np.float32) * np.array([[1, -1, 0]], np.float32))
    assert caught.value.layer == "probe"
