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
import os
import sys
import time

import numpy as np

import contenders
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


def worker(args):
    """One contender in its own process (contenders.py): warm up, then one epoch per "run"."""
    if args.threads:
        os.environ["PASSOS_THREADS"] = str(args.threads)
    images, labels, _ = load(args.samples)
    x, y = fashion.prepare(images, labels, args.models[0])
    if args.worker == "pytorch":
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
        contenders.serve(torch_epoch(args.models[0], x, y, args.batch))
    else:
        contenders.serve(passos_epoch(args.models[0], x, y, args.batch))


def command(contender, name, args):
    """The command line of a worker for `contender` and the model `name`."""
    line = [sys.executable, __file__, "--worker", "pytorch" if contender == "pytorch" else "passos",
            "--models", name, "--batch", str(args.batch), "--samples", str(args.samples)]
    return line + (["--threads", str(args.threads)] if args.threads else [])


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
    trees = contenders.trees(args.against)
    names = [*trees, *(["pytorch"] if contenders.have_torch() else [])]
    _, _, source = load(args.samples)
    threads = f"{args.threads} thread(s) each" if args.threads else "default threads"
    print(f"BLAS: {contenders.blas_kernel()}")
    print(f"one epoch of {args.samples:,} {source}, batch {args.batch}, SGD lr 0.01, {threads}, "
          f"each contender in its own process, median of {args.rounds} interleaved rounds (samples/s)")
    for name in args.models:
        processes = {c: contenders.start(c, command(c, name, args), trees.get(c)) for c in names}
        print(f"{name}:")
        contenders.report(contenders.interleaved(processes, args.rounds), trees)


if __name__ == "__main__":
    main()
