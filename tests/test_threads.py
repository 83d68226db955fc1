"""blas_threads limits BLAS inside its block and restores it after."""
import pytest

from passos.core.threads import blas_threads

threadpoolctl = pytest.importorskip("threadpoolctl", reason="blas_threads needs threadpoolctl")


def _blas_threads():
    return [info["num_threads"] for info in threadpoolctl.threadpool_info()
            if info["user_api"] == "blas"]


def test_blas_threads_limits_inside_the_block_and_restores_after():
    before = _blas_threads()
    with blas_threads(1):
        assert all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before


def test_environment_variable_sets_the_default(monkeypatch):
    before = _blas_threads()
    monkeypatch.setenv("PASSOS_BLAS_THREADS", "0")  # 0: leave BLAS alone
    with blas_threads():
        assert _blas_threads() == before
