"""Helpers for the reliability suite: run hostile inputs in a child process under a memory cap."""
import json
import subprocess
import sys
import textwrap

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
