"""passos.distributed in one process (size 1): the wrappers keep what they wrap, errors are clear."""
import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="mpi4py is not installed: pip install 'passos[mpi]'")

import passos.distributed as hvd  # noqa: E402
from passos.distributed.optimizer import Buckets  # noqa: E402
from passos.keras import optimizers  # noqa: E402
from passos.keras.callbacks import LearningRateWarmupCallback  # noqa: E402


def test_one_process_without_mpiexec_is_rank_0_of_1():
    hvd.init()
    assert (hvd.rank(), hvd.size(), hvd.local_rank(), hvd.quiet()) == (0, 1, 0, False)


def test_a_later_init_keeps_the_settings_it_does_not_give():
    from passos.distributed import comm
    hvd.init(timeout=7, quiet=False)
    hvd.init()
    assert (comm._state["timeout"], comm._state["quiet"]) == (7.0, False)
    hvd.init(timeout=300, quiet=True)


def test_the_distributed_optimizer_keeps_the_class_name_settings_and_steps():
    plain = optimizers.Adam(lr=0.01, clipnorm=1.0)
    wrapped = hvd.DistributedOptimizer(plain)
    assert type(wrapped).__name__ == "Adam" and isinstance(wrapped, type(plain))
    assert wrapped.get_config() == plain.get_config() and wrapped.lr == 0.01
    assert hvd.DistributedOptimizer(wrapped) is wrapped
    a, b = np.ones(3), np.ones(3)
    g = np.array([0.5, -2.0, 3.0])
    for _ in range(3):
        plain.step([a], [g])
        wrapped.step([b], [g])
    np.testing.assert_array_equal(a, b)


def test_buckets_put_each_dtype_in_one_buffer_and_keep_missing_gradients():
    buckets = Buckets()
    grads = [np.ones((2, 3), np.float32), None, np.arange(4.0), np.full(5, 2, np.float32)]
    averaged = buckets.average(grads, share=0.5)
    assert {d: b.size for d, b in buckets.buffers.items()} == {np.dtype("float32"): 11,
                                                              np.dtype("float64"): 4}
    assert averaged[1] is None and averaged[0].shape == (2, 3)
    np.testing.assert_array_equal(averaged[2], np.arange(4.0) / 2)
    np.testing.assert_array_equal(averaged[3], np.ones(5, np.float32))


def test_broadcast_variables_leaves_a_single_process_alone():
    w = np.arange(6.0).reshape(2, 3)
    hvd.broadcast_variables([w, np.ones(2, np.float32)])
    np.testing.assert_array_equal(w, np.arange(6.0).reshape(2, 3))


def test_the_warmup_reaches_the_initial_learning_rate():
    class Model:
        optimizer = optimizers.SGD(lr=0.1)
    warmup = LearningRateWarmupCallback(0.4, warmup_epochs=2)
    warmup.set_model(Model())
    warmup.set_params({"steps": 10})
    warmup.on_epoch_begin(0)
    assert Model.optimizer.lr == pytest.approx(0.4 / hvd.size())
    warmup.on_epoch_begin(2)
    assert Model.optimizer.lr == pytest.approx(0.4)


def test_a_bad_timeout_in_the_environment_is_named(monkeypatch):
    from passos.distributed import comm
    monkeypatch.setitem(comm._state, "timeout", None)
    monkeypatch.setenv("PASSOS_MPI_TIMEOUT", "soon")
    with pytest.raises(ValueError, match=r"^passos\.distributed: PASSOS_MPI_TIMEOUT must be a "
                                         r"number of seconds, got 'soon'$"):
        hvd.init()


@pytest.mark.parametrize("call, message", [
    (lambda: hvd.DistributedOptimizer("adam"),
     r"^DistributedOptimizer: expected an optimizer instance \(passos\.keras\.optimizers\.Adam"),
    (lambda: hvd.init(timeout=0),
     r"^passos\.distributed\.init: timeout must be a positive number of seconds, got 0$"),
    (lambda: hvd.broadcast_(np.ones(2), root=3),
     r"^passos\.distributed: broadcast: root must be a rank in 0\.\.0, got 3$"),
    (lambda: hvd.broadcast_variables(["w"]),
     r"^broadcast_variables: expected a Keras model or a list of tensors, variables or NumPy "
     r"arrays, got str$"),
    (lambda: LearningRateWarmupCallback(0.0),
     r"^LearningRateWarmupCallback: initial_lr must be positive, got 0\.0$"),
])
def test_errors_name_the_function_and_the_value(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_fit_distributed_with_one_process_trains_as_usual(tmp_path):
    from passos.keras.layers import Dense
    from passos.keras.models import Sequential, load_model
    x = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
    y = x @ np.ones((3, 1), np.float32)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, batch_size=5, epochs=3, verbose=0, distributed=True)
    assert getattr(model.optimizer, "distributed", False)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save(tmp_path / "m.passos")  # saved as the optimizer it wraps
    loaded = load_model(tmp_path / "m.passos")
    assert type(loaded.optimizer).__name__ == "SGD" and not hasattr(loaded.optimizer, "distributed")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
