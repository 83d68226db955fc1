"""Training speed: the course's two Fashion-MNIST models, one epoch, passos against PyTorch.

Both frameworks train the same architecture with the same optimizer (SGD, lr
0.01) and batch size on the same images, alternating framework by framework
for a few rounds; samples/second medians, the passos/PyTorch ratio of the
medians and each round's ratio are printed (the speed of this kind of VM
drifts by up to 1.7x between rounds, for both frameworks alike). Uses the real data
when installed (dataset-fashion-mnist), else random images of the same shape.

    python benchmarks/train.py [--models dfn cnn] [--batch 32] [--samples 12000] [--rounds 3]
                               [--threads N] [--against OLD_CHECKOUT]

Each contender runs in a process of its own; --against DIR adds the passos of another
checkout (e.g. `git worktree add --detach ../old <commit>`), timed in the same rounds.

--threads N gives both frameworks N threads (passos through $PASSOS_THREADS,
PyTorch through torch.set_num_threads); by default both use every core.
"""
import argparse
import importlib.util
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

import passos
from passos.course import fashion


def load(samples):
    try:
        from passos.data import fashion_mnist
        (images, labels), _ = fashion_mnist.load_data()
        return images[:samples], labels[:samples], "Fashion-MNIST"
    except (FileNotFoundError, OSError):
        rng = np.random.default_rng(0)
        return (rng.integers(0, 256, (samples, 28, 28), dtype=np.uint8),
                rng.integers(0, 10, samples), "random images")


def passos_epoch(name, x, y, batch):
    passos.random.seed(0)
    model = fashion.MODELS[name]()
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, epochs=1, verbose=0)  # warm-up

    def run():
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        return len(x) / (time.perf_counter() - start)
    return run


def torch_epoch(name, x, y, batch):
    import torch
    from torch import nn
    torch.manual_seed(0)
    if name == "dfn":
        net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                            nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
        xt = torch.from_numpy(x)
    else:
        net = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Dropout(0.25), nn.Flatten(), nn.Linear(32 * 7 * 7, 256), nn.ReLU(),
                            nn.Dropout(0.5), nn.Linear(256, 10))
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(y.argmax(-1))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def run():
        start = time.perf_counter()
        order = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            index = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(net(xt[index]), yt[index])
            loss.backward()
            optimizer.step()
        return len(xt) / (time.perf_counter() - start)
    return run


def blas_kernel():
    """The BLAS library and kernel NumPy runs (OPENBLAS_CORETYPE changes it; PERFORMANCE.md)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)"
    found = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
             for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(found) or "none found"


def worker(args):
    """One contender in its own process: warm up, print "ready", then one epoch per "run" line.

    Each framework runs in a process of its own, as its users run it: passos changes
    process-wide settings (malloc thresholds, BLAS threads) that would otherwise speed
    up or slow down the peer measured in the same process.
    """
    if args.threads:
        os.environ["PASSOS_THREADS"] = str(args.threads)
    images, labels, _ = load(args.samples)
    x, y = fashion.prepare(images, labels, args.models[0])
    if args.worker == "pytorch":
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
        run = torch_epoch(args.models[0], x, y, args.batch)
    else:
        run = passos_epoch(args.models[0], x, y, args.batch)
    print("ready", flush=True)
    for _ in sys.stdin:
        print(run(), flush=True)


def start_worker(contender, name, args, tree):
    """A worker process for `contender` ("pytorch", or passos from the checkout `tree`)."""
    command = [sys.executable, __file__, "--worker", "pytorch" if contender == "pytorch" else "passos",
               "--models", name, "--batch", str(args.batch), "--samples", str(args.samples)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [tree, os.environ.get("PYTHONPATH")])))
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"the {contender} worker for {name} failed to start")
    return process


def epoch(process):
    process.stdin.write("run\n")
    process.stdin.flush()
    return float(process.stdout.readline())


def have_torch():
    if importlib.util.find_spec("torch") is None:
        print("(PyTorch not installed: passos alone)")
        return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["dfn", "cnn"], choices=["dfn", "cnn"])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, help="CPU threads for both")
    parser.add_argument("--against", metavar="DIR",
                        help="also time the passos of another checkout (an older commit)")
    parser.add_argument("--worker", choices=["passos", "pytorch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    here = str(pathlib.Path(__file__).resolve().parent.parent)
    trees = {"passos": here, **({"passos@old": args.against} if args.against else {})}
    contenders = [*trees, *(["pytorch"] if have_torch() else [])]
    _, _, source = load(args.samples)
    threads = f"{args.threads} thread(s) each" if args.threads else "default threads"
    print(f"BLAS: {blas_kernel()}")
    print(f"one epoch of {args.samples:,} {source}, batch {args.batch}, SGD lr 0.01, {threads}, "
          f"each contender in its own process, median of {args.rounds} interleaved rounds (samples/s)")
    for name in args.models:
        processes = {c: start_worker(c, name, args, trees.get(c)) for c in contenders}
        speeds = {c: [] for c in contenders}
        # who goes first rotates round by round: the same code measured 9% slower run first
        for r in range(args.rounds):
            for contender in contenders[r % len(contenders):] + contenders[:r % len(contenders)]:
                speeds[contender].append(epoch(processes[contender]))
        for process in processes.values():
            process.stdin.close()
            process.wait()
        print(f"{name}: " + ", ".join(f"{c} {np.median(s):,.0f}" for c, s in speeds.items()))
        for c in trees:
            if "pytorch" in speeds:  # each round's ratio compares the two under the same conditions
                rounds = [a / b for a, b in zip(speeds[c], speeds["pytorch"])]
                print(f"  {c}/pytorch {np.median(speeds[c]) / np.median(speeds['pytorch']):.2f}"
                      f"  (per round: {', '.join(f'{r:.2f}' for r in rounds)})")
        if args.against:
            rounds = [a / b for a, b in zip(speeds["passos"], speeds["passos@old"])]
            print(f"  passos/passos@old {np.median(speeds['passos']) / np.median(speeds['passos@old']):.3f}"
                  f"  (per round: {', '.join(f'{r:.3f}' for r in rounds)})")


if __name__ == "__main__":
    main()
