"""Per-step overhead at small batches: one SGD step of a 784-128-128-128-10 ReLU network.

Prints, in one run, the time of a forward+backward+update step at batch 32 in
a hand-written NumPy loop, passos eager, passos graph (a compiled Session plan)
and PyTorch eager (when installed), interleaved round by round, with medians
and ratios; and the time of `python -c "import passos"`.

    python benchmarks/overhead.py [--batch 32] [--rounds 7] [--steps 200]
"""
import argparse
import os
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread wins at batch 32
import numpy as np  # noqa: E402

import passos  # noqa: E402
import passos.graph as g  # noqa: E402

SIZES = [784, 128, 128, 128, 10]
LR = 0.01


def make_data(batch, rng):
    x = rng.random((batch, SIZES[0]), dtype=np.float32)
    y = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], batch)]
    return x, y


def init_params(rng):
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        limit = np.sqrt(6 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    return params


def numpy_step(params):
    """The hand-written reference: fused, few calls, no framework."""
    def step(x, y):
        hs = [x]
        for i in range(0, len(params) - 2, 2):
            hs.append(np.maximum(hs[-1] @ params[i] + params[i + 1], 0))
        z = hs[-1] @ params[-2] + params[-1]
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g_z = (p - y) * (LR / len(x))
        for i in range(len(params) - 2, -1, -2):
            h = hs[i // 2]
            g_h = g_z @ params[i].T if i else None
            params[i] -= h.T @ g_z
            params[i + 1] -= g_z.sum(axis=0)
            if i:
                g_z = g_h * (h > 0)
    return step


def passos_eager_step(params):
    tensors = [passos.Tensor(p, requires_grad=True) for p in params]

    def step(x, y):
        h = passos.Tensor(x)
        for i in range(0, len(tensors) - 2, 2):
            h = passos.relu(h @ tensors[i] + tensors[i + 1])
        z = h @ tensors[-2] + tensors[-1]
        loss = passos.softmax_cross_entropy(z, y).mean()
        loss.backward()
        for t in tensors:
            t.data -= LR * t.grad
            t.grad = None
    return step


def passos_graph_step(params, batch):
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", (None, SIZES[0]), name="x")
        y = g.placeholder("float32", (None, SIZES[-1]), name="y")
        variables = [g.Variable(p, name=f"v{i}") for i, p in enumerate(params)]
        h = x
        for i in range(0, len(variables) - 2, 2):
            h = passos.relu(h @ variables[i] + variables[i + 1])
        z = h @ variables[-2] + variables[-1]
        loss = passos.mean(passos.softmax_cross_entropy(z, y))
        grads = g.gradients(loss, variables)
        train = g.group(*[v.assign_sub(LR * gv) for v, gv in zip(variables, grads)])
        init = g.global_variables_initializer()
    session = g.Session(graph)
    session.run(init)

    def step(xb, yb):
        session.run(train, {x: xb, y: yb})
    return step


def torch_step(params):
    import torch
    torch.set_num_threads(1)
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    opt = torch.optim.SGD(tensors, lr=LR)

    def step(x, y):
        h = torch.from_numpy(x)
        for i in range(0, len(tensors) - 2, 2):
            h = torch.relu(h @ tensors[i] + tensors[i + 1])
        z = h @ tensors[-2] + tensors[-1]
        loss = torch.nn.functional.cross_entropy(z, torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def import_time():
    """Median wall time of a fresh `python -c "import passos"` minus a bare interpreter start."""
    def run(code):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start
    bare = np.median([run("pass") for _ in range(5)])
    full = np.median([run("import passos") for _ in range(5)])
    return full - bare, full


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    batches = [make_data(args.batch, rng) for _ in range(16)]
    params = init_params(rng)
    contenders = {
        "numpy (hand-written)": numpy_step([p.copy() for p in params]),
        "passos eager": passos_eager_step([p.copy() for p in params]),
        "passos graph plan": passos_graph_step([p.copy() for p in params], args.batch),
    }
    try:
        contenders["pytorch eager"] = torch_step([p.copy() for p in params])
    except ImportError:
        print("(PyTorch not installed: its column is left out)")
    times = {name: [] for name in contenders}
    for _ in range(args.rounds):
        for name, step in contenders.items():  # interleaved: A, B, C, D, A, B, ...
            for x, y in batches[:3]:
                step(x, y)
            start = time.perf_counter()
            for i in range(args.steps):
                x, y = batches[i % len(batches)]
                step(x, y)
            times[name].append((time.perf_counter() - start) / args.steps)
    print(f"SGD step of {'-'.join(map(str, SIZES))} at batch {args.batch}, "
          f"median of {args.rounds} rounds x {args.steps} steps, 1 BLAS thread")
    ref = np.median(times["numpy (hand-written)"])
    print(f"{'contender':<22}{'ms/step':>9}{'samples/s':>11}{'time / numpy':>14}")
    for name, ts in times.items():
        t = np.median(ts)
        print(f"{name:<22}{t * 1e3:9.3f}{args.batch / t:11.0f}{t / ref:14.2f}")
    if "pytorch eager" in times:
        per_round = np.array(times["passos eager"]) / np.array(times["pytorch eager"])
        print(f"passos eager / pytorch eager time: median {np.median(per_round):.2f} "
              f"(rounds {', '.join(f'{r:.2f}' for r in per_round)})")
    graph_ratio = np.array(times["passos graph plan"]) / np.array(times["numpy (hand-written)"])
    print(f"passos graph / numpy time: median {np.median(graph_ratio):.2f}")
    extra, full = import_time()
    print(f"import passos: {extra * 1e3:.0f} ms on top of the interpreter start "
          f"({full * 1e3:.0f} ms in all)")


if __name__ == "__main__":
    main()
