"""Helpers for the reliability suite: run hostile inputs in a child process under a memory cap."""
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

_CHILD = """
import json, resource, sys, traceback
{setup}
def _mapped():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
allowance = {allowance}
resource.setrlimit(resource.RLIMIT_AS, (_mapped() + allowance, resource.RLIM_INFINITY))
try:
{body}
    outcome = {{"raised": None}}
except BaseException as error:
    outcome = {{"raised": type(error).__name__, "message": str(error)[:2000],
                "module": type(error).__module__}}
print("OUTCOME " + json.dumps(outcome))
"""


def under_memory_cap(body, setup="import passos", allowance=64 << 20, timeout=120):
    """Run `body` in a fresh Python whose address space may grow by only `allowance` bytes.

    `setup` runs first, uncapped (imports); returns {'raised': exception class name or None,
    'message': ..., 'module': ...} for what `body` raised.
    """
    if not sys.platform.startswith("linux"):
        pytest.skip("the memory cap reads /proc and uses RLIMIT_AS (Linux only)")
    code = _CHILD.format(setup=setup, allowance=int(allowance),
                         body=textwrap.indent(textwrap.dedent(body), "    "))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("OUTCOME ")]
    assert lines, f"the child printed no outcome (exit {done.returncode}):\n{done.stderr[-3000:]}"
    return json.loads(lines[-1][len("OUTCOME "):])


@pytest.fixture
def memory_capped():
    """The under_memory_cap function, for tests of hostile files."""
    return under_memory_cap


def kill_while_writing(write, path, is_whole, tries=10, seed=0):
    """SIGKILL a forked child that calls write() over and over, `tries` times at random moments.

    `write` is timed here first, and each kill lands within two of its
    durations. After each kill `path` must hold nothing or a file that
    `is_whole(bytes)` accepts. Returns how many kills left a temporary file
    beside `path` (a kill in the middle of a write); a last write() here must
    then leave no temporary behind. Give `path` a folder of its own: any other
    file there counts as a leftover. On a busy machine a child may start late,
    so while no kill has landed mid-write, up to 4 * `tries` kills are made.
    """
    if not hasattr(os, "fork"):
        pytest.skip("killing a writer at random moments uses os.fork (POSIX only)")
    path, rng = Path(path), random.Random(seed)
    write()  # the first write may load fonts or compile plans: time the second
    start = time.perf_counter()
    write()
    window = 2 * (time.perf_counter() - start)
    path.unlink()
    torn = done = 0
    while done < tries or not torn and done < 4 * tries:
        done += 1
        pid = os.fork()
        if pid == 0:  # the child: write until killed, never back into pytest
            try:
                while True:
                    write()
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0, window))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        if path.exists():
            assert is_whole(path.read_bytes()), f"a killed write left a partial {path.name}"
        torn += any(f".{pid}-" in name for name in _temporaries(path))  # the child's own
    write()
    assert _temporaries(path) == [] and is_whole(path.read_bytes())
    return torn


def _temporaries(path):
    return [p.name for p in path.parent.iterdir() if p.name != path.name]


@pytest.fixture
def killed_writes():
    """The kill_while_writing function, for tests that writes leave whole files or none."""
    return kill_while_writing
