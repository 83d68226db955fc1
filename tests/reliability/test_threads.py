"""Several threads on one model: the numbers of serial calls, and process settings left as found."""
import sys
import threading

import numpy as np
import pytest

import passos
from passos.kernels import parallel
from passos.kernels import threads as kernel_threads
from passos.kernels.threads import compute_threads
from passos.ops import random as passos_random
from passos.keras import callbacks
from passos.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from passos.keras.models import Sequential

threadpoolctl = pytest.importorskip("threadpoolctl", reason="compute_threads needs threadpoolctl")
THREADS = 8


def _settings():
    """The process-wide settings compute_threads changes, and this thread's split count.

    BLAS: the libraries compute_threads holds (NumPy's), not one loaded later (SciPy's, when a
    test imports scikit-learn), which runs none of passos' ops.
    """
    held = {c.filepath for c in kernel_threads._blas_controllers()}
    blas = [i["num_threads"] for i in threadpoolctl.threadpool_info()
            if i["user_api"] == "blas" and i["filepath"] in held]
    return sys.getswitchinterval(), blas, parallel.parts(parallel.MIN_WORK)


def _cnn():
    """Large enough at batch 64 that its convolutions split over threads."""
    passos_random.seed(0)
    model = Sequential([Conv2D(16, 3, padding="same", activation="relu", input_shape=(28, 28, 1)),
                        MaxPooling2D(2), Conv2D(32, 3, padding="same", activation="relu"),
                        MaxPooling2D(2), Flatten(), Dense(10, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data(n=128):
    rng = np.random.default_rng(1)
    return (rng.standard_normal((n, 28, 28, 1)).astype(np.float32),
            rng.integers(0, 10, n))


def _in_threads(work, count=THREADS):
    """[work(i) for i in range(count)], each on its own thread, all started together."""
    results, errors = [None] * count, []
    start = threading.Barrier(count)

    def run(i):
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as error:  # reported by the test below
            errors.append(error)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def _assert_all_equal(results, serial):
    for result in results:
        np.testing.assert_array_equal(result, serial)


def test_predict_from_many_threads_equals_serial_and_restores_settings():
    model, (x, _) = _cnn(), _data()
    before = _settings()
    serial = model.predict(x, batch_size=64)
    _assert_all_equal(_in_threads(lambda i: model.predict(x, batch_size=64)), serial)
    assert _settings() == before


def test_evaluate_from_many_threads_equals_serial_and_restores_settings():
    model, (x, y) = _cnn(), _data()
    before = _settings()
    serial = model.evaluate(x, y, batch_size=64, verbose=0)
    _assert_all_equal(_in_threads(lambda i: model.evaluate(x, y, batch_size=64, verbose=0)),
                      serial)
    assert _settings() == before


def test_predict_mixed_with_plain_compute_threads_blocks():
    model, (x, _) = _cnn(), _data()
    kernel = np.random.default_rng(2).standard_normal((3, 3, 1, 16)).astype(np.float32)

    def eager():
        with compute_threads(2):
            return passos.conv2d(x, kernel, padding="same").numpy()
    before = _settings()
    serial = [model.predict(x, batch_size=64), eager()]
    results = _in_threads(lambda i: model.predict(x, batch_size=64) if i % 2 else eager())
    for i, result in enumerate(results):
        np.testing.assert_array_equal(result, serial[0] if i % 2 else serial[1])
    assert _settings() == before


def test_interleaved_blocks_leave_the_settings_as_they_found_them():
    before = _settings()
    entered, first_left = threading.Event(), threading.Event()
    inside = []

    def first():
        with compute_threads(2):
            entered.set()
            inside.append(_settings())
        first_left.set()

    def second():
        entered.wait()
        with compute_threads(2):
            first_left.wait()  # the first block ended while this one is open
            inside.append(_settings())
    threads = [threading.Thread(target=f) for f in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    held = (min(before[0], parallel.SWITCH_INTERVAL), [1] * len(before[1]), 2)
    assert inside == [held, held]
    assert _settings() == before


def test_a_threads_split_count_is_its_own():
    seen = {}
    ready = threading.Barrier(2)

    def count(n):
        with compute_threads(n):
            ready.wait()
            seen[n] = parallel.parts(parallel.MIN_WORK)
            ready.wait()
    threads = [threading.Thread(target=count, args=(n,)) for n in (1, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {1: 1, 3: 3}


def test_concurrent_fits_run_one_after_another():
    (x, y) = _data(64)
    serial = _cnn()
    for _ in range(2):
        serial.fit(x, y, batch_size=32, shuffle=False, verbose=0)
    model = _cnn()
    _in_threads(lambda i: model.fit(x, y, batch_size=32, shuffle=False, verbose=0), count=2)
    for a, b in zip(model.get_weights(), serial.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_predict_waits_for_a_running_fit():
    model, (x, y) = _cnn(), _data(64)
    started, finished = threading.Event(), []

    class Slow(callbacks.Callback):
        def on_train_begin(self, logs=None):
            started.set()

        def on_epoch_end(self, epoch, logs=None):
            threading.Event().wait(0.2)  # predict arrives meanwhile
            finished.append(epoch)
    trainer = threading.Thread(target=lambda: model.fit(
        x, y, batch_size=32, epochs=2, shuffle=False, verbose=0, callbacks=[Slow()]))
    trainer.start()
    started.wait()
    during = model.predict(x)
    trainer.join()
    assert finished == [0, 1]
    np.testing.assert_array_equal(during, model.predict(x))


def test_a_callback_may_predict_on_the_model_it_trains():
    model, (x, y) = _cnn(), _data(32)
    seen = []

    class Peek(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(self.model.predict(x[:4]).shape)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[Peek()])
    assert seen == [(4, 10)]


def test_no_grad_in_one_thread_leaves_another_recording():
    inside, recorded = threading.Event(), []
    leave = threading.Event()

    def quiet():
        with passos.no_grad():
            inside.set()
            leave.wait()

    t = threading.Thread(target=quiet)
    t.start()
    inside.wait()
    w = passos.tensor([1.0], requires_grad=True)
    recorded.append((w * 2).requires_grad)
    leave.set()
    t.join()
    assert recorded == [True]
    assert (w * 2).requires_grad


def test_training_inside_a_read_on_the_same_thread_is_refused_not_deadlocked():
    from passos.keras.engine.access import ModelAccess
    model, access = _cnn(), ModelAccess()
    access.acquire(False, "predict", model)
    access.acquire(False, "evaluate", model)  # reads nest
    with pytest.raises(RuntimeError, match=f"fit: cannot train model '{model.name}' inside"):
        access.acquire(True, "fit", model)
    access.release()
    access.release()
    access.acquire(True, "fit", model)  # free again
    access.release()


def test_a_session_run_computes_with_blas_on_one_thread_and_gives_it_back():
    """Every plan runs as Keras' fit does: BLAS's own threads spin between a graph's small
    products (a TF1 GAN took 2.4x the CPU time and 1.8x the wall time with them)."""
    import passos.compat.v1 as tf
    outside = _settings()
    seen = []
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 2])
        y = tf.py_func(lambda v: seen.append(_settings()[1]) or v, [tf.matmul(x, x)], tf.float64)
        with tf.Session() as sess:
            sess.run(y, {x: np.eye(2)})
    assert seen and all(count == 1 for count in seen[0])
    assert _settings() == outside
