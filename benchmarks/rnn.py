"""Recurrent training speed: LSTM(128) over 100 steps of 32 features, passos against PyTorch.

Both train LSTM(128) -> Dense(10) softmax with SGD (lr 0.01), batch 32, on the same random
sequences, alternating framework by framework for a few rounds; the samples/second medians,
the passos/PyTorch ratio of the medians and each round's ratio are printed. passos' LSTM
uses the sigmoid for its gates here, as PyTorch's does (Keras 2's default is hard_sigmoid:
--recurrent-activation hard_sigmoid).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/rnn.py [--samples 1024]
        [--rounds 5] [--steps 100] [--features 32] [--units 128] [--batch 32] [--threads N]
"""
import argparse
import os
import time

import numpy as np

import passos
from passos.keras import layers
from passos.keras.models import Sequential
from passos.keras.optimizers import SGD
from train import blas_kernel


def passos_epoch(x, y, args):
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
    args = parser.parse_args()
    if args.threads:
        os.environ["PASSOS_THREADS"] = str(args.threads)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.samples, args.steps, args.features)).astype(np.float32)
    y = rng.integers(0, 10, args.samples)
    contenders = {"passos": passos_epoch(x, y, args)}
    try:
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
        contenders["pytorch"] = torch_epoch(x, y, args)
    except ImportError:
        print("(PyTorch not installed: passos alone)")
    print(f"BLAS: {blas_kernel()}")
    print(f"LSTM({args.units}) over {args.steps} steps of {args.features} features, Dense(10) "
          f"softmax, SGD, batch {args.batch}, {args.samples} samples an epoch, passos gates "
          f"{args.recurrent_activation}; median of {args.rounds} interleaved rounds (samples/s)")
    speeds = {k: [] for k in contenders}
    for _ in range(args.rounds):
        for key, run in contenders.items():
            speeds[key].append(run())
    p = np.median(speeds["passos"])
    t = np.median(speeds["pytorch"]) if "pytorch" in speeds else float("nan")
    rounds = ", ".join(f"{a / b:.2f}" for a, b in zip(speeds["passos"], speeds.get("pytorch", [])))
    print(f"{'passos':>10}{'pytorch':>10}{'passos/pytorch':>16}  (per round)")
    print(f"{p:10.0f}{t:10.0f}{p / t:16.2f}  ({rounds})")


if __name__ == "__main__":
    main()
