"""Forward + backward time of passos' convolution and max pooling against PyTorch's.

The shapes are those of the course's small Fashion-MNIST CNN:
Conv2D(32, 3x3, same) on 28x28x1, MaxPool 2x2, Conv2D(32, 3x3, same) on
14x14x32, MaxPool 2x2. Each layer gets the gradients it gets in training: the
first convolution's input is data (kernel gradient only); the others also
pass a gradient to their input. passos runs channels-last (Keras' layout),
PyTorch channels-first (its own). Contenders are interleaved (A, B, A, B ...)
and medians of the repeats reported; ratio = passos speed / PyTorch speed,
the median of the rounds' ratios (the total's: of the medians).

    python benchmarks/conv.py [--repeats 9] [--batches 32 128]
    OPENBLAS_NUM_THREADS=1 python benchmarks/conv.py   # one thread for both: steadier

With two threads each library's idle workers spin-wait after its call and
take a core from the other's next call (OMP_WAIT_POLICY=PASSIVE stops
PyTorch's); on a shared 2-core machine the one-thread figures are the robust ones.
Fresh arrays cost a page fault per 4 KiB here (~2 us each); whether a step pays
them depends on glibc's heap-trimming, for both libraries alike.
MALLOC_TRIM_THRESHOLD_=268435456 MALLOC_MMAP_THRESHOLD_=33554432 removes them.
"""
import argparse
import os
import time

import numpy as np

import passos

LAYERS = [  # name, input (H, W, C), conv output channels or None for a 2x2 max pool, input needs grad
    ("conv 28x28x1->32", (28, 28, 1), 32, False),
    ("maxpool 28x28x32", (28, 28, 32), None, True),
    ("conv 14x14x32->32", (14, 14, 32), 32, True),
    ("maxpool 14x14x32", (14, 14, 32), None, True),
]


def passos_step(shape, channels, needs_x, rng):
    """A function running one forward + backward of the layer in passos."""
    x = passos.tensor(rng.normal(size=shape).astype(np.float32), requires_grad=needs_x)
    if channels is None:
        def step():
            x.grad = None  # as a training step would, rather than accumulate
            passos.max_pool2d(x, 2).backward(gy)
        gy = np.ones((shape[0], shape[1] // 2, shape[2] // 2, shape[3]), np.float32)
        return step
    W = passos.tensor(rng.normal(size=(3, 3, shape[-1], channels)).astype(np.float32),
                      requires_grad=True)
    gy = np.ones((*shape[:-1], channels), np.float32)

    def step():
        x.grad = W.grad = None
        passos.conv2d(x, W, padding="same").backward(gy)
    return step


def torch_step(torch, shape, channels, needs_x, rng):
    """The same layer in PyTorch, channels-first."""
    F = torch.nn.functional
    n, h, w, c = shape
    x = torch.tensor(rng.normal(size=(n, c, h, w)).astype(np.float32), requires_grad=needs_x)
    if channels is None:
        gy = torch.ones((n, c, h // 2, w // 2))

        def step():
            x.grad = None
            F.max_pool2d(x, 2).backward(gy)
        return step
    W = torch.tensor(rng.normal(size=(channels, c, 3, 3)).astype(np.float32), requires_grad=True)
    gy = torch.ones((n, channels, h, w))

    def step():
        x.grad = W.grad = None
        F.conv2d(x, W, padding=1).backward(gy)
    return step


def timed(step, calls):
    """Seconds per call, over `calls` calls in a row."""
    start = time.perf_counter()
    for _ in range(calls):
        step()
    return (time.perf_counter() - start) / calls


def calls_for(step, seconds=0.01):
    """Enough calls that one timing lasts about `seconds` (short timings are noisy)."""
    step()  # warm up: the first call allocates and loads code
    return max(1, int(seconds / max(timed(step, 1), 1e-6)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 128])
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", len(os.sched_getaffinity(0))))
    if torch is not None:
        torch.set_num_threads(threads)
    print(f"passos {passos.__version__}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'}; {threads} threads, "
          f"median of {args.repeats} interleaved repeats, ms per forward + backward\n")
    print("| layer | batch | passos ms | torch ms | ratio |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for batch in args.batches:
        totals = {"passos": 0.0, "torch": 0.0}
        for name, hwc, channels, needs_x in LAYERS:
            shape = (batch, *hwc)
            steps = {"passos": passos_step(shape, channels, needs_x, rng)}
            if torch is not None:
                steps["torch"] = torch_step(torch, shape, channels, needs_x, rng)
            times = {key: [] for key in steps}
            calls = {key: calls_for(step) for key, step in steps.items()}
            for _ in range(args.repeats):
                for key, step in steps.items():
                    times[key].append(timed(step, calls[key]))
            medians = {key: 1e3 * float(np.median(t)) for key, t in times.items()}
            for key, value in medians.items():
                totals[key] += value
            if "torch" in times:  # the ratio of each interleaved round, then their median
                medians["ratio"] = float(np.median(np.divide(times["torch"], times["passos"])))
            _row(name, batch, medians)
        _row("total", batch, totals if torch is not None else {"passos": totals["passos"]})


def _row(name, batch, medians):
    ours, theirs = medians["passos"], medians.get("torch")
    if theirs is None:
        print(f"| {name} | {batch} | {ours:.2f} | - | - |")
    else:
        ratio = medians.get("ratio", theirs / ours)
        print(f"| {name} | {batch} | {ours:.2f} | {theirs:.2f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
