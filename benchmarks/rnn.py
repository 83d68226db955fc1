"""Recurrent training speed: LSTM(128) over 100 steps of 32 features, passos against PyTorch.

Both train LSTM(128) -> Dense(10) softmax with SGD (lr 0.01), batch 32, on the same random
sequences, each in a process of its own (as benchmarks/train.py runs them), alternating
framework by framework for a few rounds; the samples/second medians, the passos/PyTorch
ratio of the medians and each round's ratio are printed. passos' LSTM uses the sigmoid for
its gates here, as PyTorch's does (Keras 2's default is hard_sigmoid:
--recurrent-activation hard_sigmoid).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/rnn.py [--samples 1024]
        [--rounds 5] [--steps 100] [--features 32] [--units 128] [--batch 32] [--threads N]
        [--against OLD_CHECKOUT]
"""
import argparse
import os
import sys
import time

import numpy as np

import contenders


def data(args):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.samples, args.steps, args.features)).astype(np.float32)
    return x, rng.integers(0, 10, args.samples)


def passos_epoch(x, y, args):
    import passos
    from passos.keras import layers
    from passos.keras.models import Sequential
    from passos.keras.optimizers import SGD
    passos.random.seed(0)
    model = Sequential([layers.LSTM(args.units, input_shape=x.shape[1:],
                                    recurrent_activation=args.recurrent_activation),
                        layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=SGD(lr=0.01))
    model.fit(x[:args.batch * 2], y[:args.batch * 2], batch_size=args.batch, verbose=0)  # warm-up

    def run():
        start = time.perf_counter()
        model.fit(x, y, batch_size=args.batch, epochs=1, verbose=0)
        return len(x) / (time.perf_counter() - start)
    return run


def torch_epoch(x, y, args):
    import torch
    from torch import nn
    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(x.shape[2], args.units, batch_first=True)
            self.head = nn.Linear(args.units, 10)

        def forward(self, inputs):
            _, (h, _) = self.lstm(inputs)
            return self.head(h[0])
    net = Net()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def run(samples=len(xt)):
        start = time.perf_counter()
        order = torch.randperm(len(xt))[:samples]
        for i in range(0, samples, args.batch):
            index = order[i:i + args.batch]
            optimizer.zero_grad()
            loss_fn(net(xt[index]), yt[index]).backward()
            optimizer.step()
        return samples / (time.perf_counter() - start)
    run(args.batch * 2)  # warm-up
    return run


def worker(args):
    """One contender in its own process: warm up, print "ready", then one epoch per "run" line
    (passos changes process-wide settings, malloc thresholds and BLAS threads, that would
    speed up or slow down a peer measured in the same process)."""
    if args.threads:
        os.environ["PASSOS_THREADS"] = str(args.threads)
    x, y = data(args)
    if args.worker == "pytorch":
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
        run = torch_epoch(x, y, args)
    else:
        run = passos_epoch(x, y, args)
    contenders.serve(run)


def command(contender, args):
    """The command line of a worker for `contender`."""
    line = [sys.executable, __file__, "--worker", "pytorch" if contender == "pytorch" else "passos",
            "--recurrent-activation", args.recurrent_activation]
    for name in ("samples", "steps", "features", "units", "batch", "threads"):
        if getattr(args, name):
            line += [f"--{name}", str(getattr(args, name))]
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--recurrent-activation", default="sigmoid",
                        choices=["sigmoid", "hard_sigmoid"])
    parser.add_argument("--threads", type=int, help="CPU threads for both")
    parser.add_argument("--against", metavar="DIR",
                        help="also time the passos of another checkout (an older commit)")
    parser.add_argument("--worker", choices=["passos", "pytorch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    trees = contenders.trees(args.against)
    names = [*trees, *(["pytorch"] if contenders.have_torch() else [])]
    threads = f"{args.threads} thread(s) each" if args.threads else "default threads"
    print(f"BLAS: {contenders.blas_kernel()}")
    print(f"LSTM({args.units}) over {args.steps} steps of {args.features} features, Dense(10) "
          f"softmax, SGD, batch {args.batch}, {args.samples} samples an epoch, passos gates "
          f"{args.recurrent_activation}, {threads}, each contender in its own process; median "
          f"of {args.rounds} interleaved rounds (samples/s)")
    processes = {c: contenders.start(c, command(c, args), trees.get(c)) for c in names}
    contenders.report(contenders.interleaved(processes, args.rounds), trees)


if __name__ == "__main__":
    main()
