"""Contenders in processes of their own, timed in interleaved rounds (train.py, rnn.py).

Each contender (passos, the passos of another checkout, PyTorch) runs in a worker process,
as its users run it: passos changes process-wide settings (malloc thresholds, BLAS threads)
that would otherwise speed up or slow down a peer measured in the same process. A worker
prints "ready" after its warm-up, then one samples/s figure per "run" line it reads.
"""
import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np

HERE = str(pathlib.Path(__file__).resolve().parent.parent)  # this checkout


def blas_kernel():
    """The BLAS library and kernel NumPy runs (OPENBLAS_CORETYPE changes it; PERFORMANCE.md)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)"
    found = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
             for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(found) or "none found"


def have_torch():
    if importlib.util.find_spec("torch") is None:
        print("(PyTorch not installed: passos alone)")
        return False
    return True


def trees(against):
    """{contender: checkout} of the passos contenders: this one, and `against` if given."""
    return {"passos": HERE, **({"passos@old": against} if against else {})}


def serve(run):
    """A worker's loop: one `run()` (samples/s) per "run" line."""
    print("ready", flush=True)
    for _ in sys.stdin:
        print(run(), flush=True)


def start(contender, command, tree):
    """The worker process `command` runs, with passos imported from the checkout `tree`."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [tree, os.environ.get("PYTHONPATH")])))
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"the {contender} worker failed to start")
    return process


def interleaved(processes, rounds):
    """{contender: [samples/s per round]}; who goes first rotates round by round, since the
    same code measured 9% slower when it always ran first."""
    names = list(processes)
    speeds = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            process = processes[name]
            process.stdin.write("run\n")
            process.stdin.flush()
            speeds[name].append(float(process.stdout.readline()))
    for process in processes.values():
        process.stdin.close()
        process.wait()
    return speeds


def report(speeds, passos_trees):
    """Medians, then each passos contender against PyTorch and the new passos against the old."""
    print("  " + ", ".join(f"{c} {np.median(s):,.0f}" for c, s in speeds.items()))
    pairs = [(c, "pytorch") for c in passos_trees if "pytorch" in speeds]
    pairs += [("passos", "passos@old")] if "passos@old" in speeds else []
    for c, other in pairs:
        rounds = [a / b for a, b in zip(speeds[c], speeds[other])]
        print(f"  {c}/{other} {np.median(speeds[c]) / np.median(speeds[other]):.3f}, median of "
              f"the rounds' ratios {np.median(rounds):.3f}  (per round: "
              f"{', '.join(f'{r:.3f}' for r in rounds)})")
