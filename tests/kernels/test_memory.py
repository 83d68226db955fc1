"""kernels/memory.py: glibc's thresholds are raised once, and never against the user's own."""
import ctypes
import sys

import pytest

from passos.kernels import memory
from passos.kernels.threads import compute_threads


@pytest.fixture
def fresh():
    memory.keep_freed_buffers.cache_clear()
    yield
    memory.keep_freed_buffers.cache_clear()


def is_glibc():
    try:
        ctypes.CDLL(None).gnu_get_libc_version
    except (OSError, AttributeError):
        return False
    return sys.platform == "linux"


@pytest.mark.skipif(not is_glibc(), reason="the thresholds are glibc's")
def test_first_compute_block_raises_the_thresholds_once(fresh, monkeypatch):
    for name in memory.USER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    with compute_threads(1):
        pass
    assert memory.keep_freed_buffers.cache_info().currsize == 1
    assert memory.keep_freed_buffers() is True


def test_the_users_own_setting_is_left_alone(fresh, monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert memory.keep_freed_buffers() is False
