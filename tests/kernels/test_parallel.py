"""compute_threads holds BLAS to one thread and lets large ops split over threads."""
import numpy as np
import pytest

import passos
import passos.graph as G
from passos.kernels import parallel, threads
from passos.kernels.threads import compute_threads

threadpoolctl = pytest.importorskip("threadpoolctl", reason="compute_threads needs threadpoolctl")


def _blas_threads():
    """Thread counts of the BLAS libraries compute_threads holds: NumPy's, found at its first block.

    A BLAS loaded later (SciPy's, when a test imports scikit-learn) runs none of passos' ops.
    """
    held = {c.filepath for c in threads._blas_controllers()}
    return [info["num_threads"] for info in threadpoolctl.threadpool_info()
            if info["user_api"] == "blas" and info["filepath"] in held]


def test_blas_runs_on_one_thread_inside_the_block_and_is_restored_after():
    before = _blas_threads()
    with compute_threads(2):
        assert all(n == 1 for n in _blas_threads())
        assert parallel.parts(parallel.MIN_WORK) == 2
    assert _blas_threads() == before
    assert parallel.parts(parallel.MIN_WORK) == 1


def test_environment_variable_sets_the_thread_count(monkeypatch):
    monkeypatch.setenv("PASSOS_THREADS", "3")
    with compute_threads():
        assert parallel.parts(parallel.MIN_WORK) == 3
        assert parallel.parts(parallel.MIN_WORK - 1) == 1  # small ops run whole


def test_zero_threads_is_an_error():
    with pytest.raises(ValueError, match="compute_threads: needs at least 1 thread"):
        with compute_threads(0):
            pass


def test_split_ops_give_the_same_values_as_whole_ones(splits):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 28, 28, 32)).astype(np.float32)  # big enough to split
    kernel = rng.standard_normal((3, 3, 32, 32)).astype(np.float32)
    a = rng.standard_normal((64, 1568)).astype(np.float32)
    b = rng.standard_normal((1568, 256)).astype(np.float32)
    graph = G.Graph()
    with graph.as_default():  # a plan splits; eager ops run whole
        inputs = [G.placeholder("float32", v.shape) for v in (x, kernel, a, b)]
        xs, ks, as_, bs = inputs
        y = passos.max_pool2d(passos.conv2d(xs, ks, padding="same"), 2)
        fetches = [y, *G.gradients(y.sum() + (as_ @ bs).sum(), inputs)]
    feed = dict(zip(inputs, (x, kernel, a, b)))
    with G.Session(graph) as session:
        with compute_threads(1):  # plans with convolutions enter compute_threads on their own
            whole = session.run(fetches, feed)
        assert not splits
        with compute_threads(2):
            split = session.run(fetches, feed)
    assert len(splits) >= 4 and set(splits) == {2}  # conv, pool, matmul and their gradients
    for w, s in zip(whole, split):
        np.testing.assert_allclose(s, w, rtol=1e-4, atol=1e-3)


def test_an_error_in_a_worker_part_reaches_the_caller_after_every_part_ends():
    done = []

    def fails():
        raise ValueError("part two failed")
    with parallel.threads(2):
        with pytest.raises(ValueError, match="part two failed"):
            parallel.run_all([lambda: done.append(1), fails])
    assert done == [1]


def test_parts_on_a_worker_never_split_again():
    with parallel.threads(2):
        inner = parallel.run_all([lambda: 0, lambda: parallel.parts(parallel.MIN_WORK)])
    assert inner == [0, 1]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_workers():
    import os
    with parallel.threads(2):
        parallel.run_all([lambda: 0, lambda: 1])  # the parent's worker exists now
        pid = os.fork()
        if pid == 0:  # the child: without new workers this would wait forever
            __import__("signal").alarm(20)  # so a hang ends the child, and the test fails
            try:
                os._exit(0 if parallel.run_all([lambda: 0, lambda: 1]) == [0, 1] else 1)
            except BaseException:
                os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("threads", [1, 2])
def test_an_empty_batch_gives_empty_results(threads):
    x = np.zeros((0, 28, 28, 32), np.float32)
    kernel = np.ones((3, 3, 32, 32), np.float32)
    with compute_threads(threads):
        y = passos.conv2d(passos.tensor(x, requires_grad=True), kernel, padding="same",
                          bias=np.zeros(32, np.float32))
        assert y.shape == (0, 28, 28, 32)
        assert passos.max_pool2d(y, 2).shape == (0, 14, 14, 32)


def test_a_nested_block_without_a_count_keeps_the_outer_count():
    with compute_threads(3):
        with compute_threads():  # as Keras fit opens one inside the user's block
            assert parallel.parts(parallel.MIN_WORK) == 3


def test_a_nested_block_with_its_own_count_uses_it_then_gives_the_outer_one_back():
    with compute_threads(3):
        with compute_threads(2):
            assert parallel.parts(parallel.MIN_WORK) == 2
        assert parallel.parts(parallel.MIN_WORK) == 3


def test_split_blocks_hand_the_gil_over_sooner_and_restore_the_interval():
    import sys
    before = sys.getswitchinterval()
    with parallel.threads(1):
        assert sys.getswitchinterval() == before  # nothing splits: nothing changes
    with parallel.threads(2):
        assert sys.getswitchinterval() == min(before, parallel.SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before
