"""Per-Session.run overhead: the TF1 linear regression trained one sample per run.

The course's loop: 42 (x, y) samples x 100 epochs, each step one
`sess.run([optimizer, loss, w, b], feed_dict={X: x, Y: y})` on scalar
placeholders (passos.compat.v1), against the same loop in PyTorch eager
(forward, backward, SGD step, and .item() for loss, w and b) and a
hand-written NumPy loop. Rounds are interleaved (A, B, C, A, B, C ...);
medians and per-round ratios are printed.

    python benchmarks/session.py [--rounds 7] [--epochs 100]
"""
import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

import passos.compat.v1 as tf  # noqa: E402

LR = 0.001


def course_data(n=42, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 40, n).astype(np.float32)
    return x, (1.5 * x + 10 + rng.normal(0, 5, n)).astype(np.float32)


def passos_loop():
    graph = tf.Graph()
    with graph.as_default():
        X = tf.placeholder(tf.float32, name="X")
        Y = tf.placeholder(tf.float32, name="Y")
        w = tf.get_variable("w", dtype=tf.float32, initializer=0.)
        b = tf.get_variable("b", dtype=tf.float32, initializer=0.)
        loss = tf.square(Y - (w * X + b), name="loss")
        optimizer = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)

    def train(xs, ys, epochs):
        sess.run(init)
        for _ in range(epochs):
            for x, y in zip(xs, ys):
                _, l, w_value, b_value = sess.run([optimizer, loss, w, b], feed_dict={X: x, Y: y})
        return float(w_value), float(b_value)
    return train


def torch_loop():
    import torch
    torch.set_num_threads(1)

    def train(xs, ys, epochs):
        w = torch.zeros((), requires_grad=True)
        b = torch.zeros((), requires_grad=True)
        optimizer = torch.optim.SGD([w, b], lr=LR)
        for _ in range(epochs):
            for x, y in zip(xs, ys):
                X, Y = torch.tensor(x), torch.tensor(y)
                loss = (Y - (w * X + b)) ** 2
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                l, w_value, b_value = loss.item(), w.item(), b.item()
        return w_value, b_value
    return train


def numpy_loop(xs, ys, epochs):
    """The reference: the gradient written by hand, no framework."""
    w = b = np.float32(0)
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            error = w * x + b - y
            l = error * error
            w, b = w - LR * (2 * error * x), b - LR * (2 * error)
    return float(w), float(b)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args()
    xs, ys = course_data()
    contenders = {"passos compat.v1 Session.run": passos_loop(), "numpy (hand-written)": numpy_loop}
    try:
        contenders["pytorch eager"] = torch_loop()
    except ImportError:
        print("(PyTorch not installed: its column is left out)")
    steps = len(xs) * args.epochs
    times = {name: [] for name in contenders}
    results = {}
    for _ in range(args.rounds):
        for name, train in contenders.items():  # interleaved
            start = time.perf_counter()
            results[name] = train(xs, ys, args.epochs)
            times[name].append((time.perf_counter() - start) / steps)
    print(f"TF1 linear regression, {len(xs)} samples x {args.epochs} epochs, one run per sample; "
          f"median of {args.rounds} rounds")
    print(f"{'contender':<32}{'us/step':>9}{'steps/s':>10}   final (w, b)")
    for name, ts in times.items():
        t = np.median(ts)
        w, b = results[name]
        print(f"{name:<32}{t * 1e6:9.1f}{1 / t:10.0f}   ({w:.5f}, {b:.5f})")
    if "pytorch eager" in times:
        ratio = np.array(times["passos compat.v1 Session.run"]) / np.array(times["pytorch eager"])
        median = np.median(ratio)
        verdict = f"{1 / median:.1f}x faster" if median < 1 else f"{median:.1f}x slower"
        print(f"passos / pytorch time: median {median:.2f} (rounds "
              f"{', '.join(f'{r:.2f}' for r in ratio)}): passos is {verdict}")


if __name__ == "__main__":
    main()
