"""Training speed: the course's two Fashion-MNIST models, one epoch, passos against PyTorch.

Both frameworks train the same architecture with the same optimizer (SGD, lr
0.01) and batch size on the same images, alternating framework by framework
for a few rounds; samples/second medians, the passos/PyTorch ratio of the
medians and each round's ratio are printed (the speed of this kind of VM
drifts by up to 1.7x between rounds, for both frameworks alike). Uses the real data when installed (dataset-fashion-mnist), else
random images of the same shape.

    python benchmarks/train.py [--models dfn cnn] [--batch 32] [--samples 12000] [--rounds 3]
                               [--threads N]

--threads N gives both frameworks N threads (passos through $PASSOS_THREADS,
PyTorch through torch.set_num_threads); by default both use every core.
"""
import argparse
import os
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["dfn", "cnn"], choices=["dfn", "cnn"])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, help="CPU threads for both")
    args = parser.parse_args()
    if args.threads:
        os.environ["PASSOS_THREADS"] = str(args.threads)
    images, labels, source = load(args.samples)
    try:
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
        have_torch = True
    except ImportError:
        have_torch = False
        print("(PyTorch not installed: passos alone)")
    threads = f"{args.threads} thread(s) each" if args.threads else "default threads"
    print(f"BLAS: {blas_kernel()}")
    print(f"one epoch of {len(images):,} {source}, batch {args.batch}, SGD lr 0.01, "
          f"{threads}, median of {args.rounds} rounds (samples/s)")
    print(f"{'model':<6}{'passos':>10}{'pytorch':>10}{'passos/pytorch':>16}  (per round)")
    for name in args.models:
        x, y = fashion.prepare(images, labels, name)
        contenders = {"passos": passos_epoch(name, x, y, args.batch)}
        if have_torch:
            contenders["pytorch"] = torch_epoch(name, x, y, args.batch)
        speeds = {k: [] for k in contenders}
        for _ in range(args.rounds):
            for key, run in contenders.items():  # interleaved rounds
                speeds[key].append(run())
        p = np.median(speeds["passos"])
        t = np.median(speeds["pytorch"]) if have_torch else float("nan")
        # each round's ratio compares the two under the same machine conditions
        rounds = [a / b for a, b in zip(speeds["passos"], speeds.get("pytorch", []))]
        per_round = ", ".join(f"{r:.2f}" for r in rounds)
        print(f"{name:<6}{p:10.0f}{t:10.0f}{p / t:16.2f}  ({per_round})")


if __name__ == "__main__":
    main()
