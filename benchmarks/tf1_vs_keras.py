"""One training step of the course's CNN written TF1-style against the same CNN in passos.keras.

The TF1 model is examples/tf1_cnn.py's (tf.nn.conv2d + bias + relu + max_pool twice,
then matmul layers, softmax cross-entropy); the Keras model is examples/course_cnn.py's
(Conv2D + MaxPooling2D twice, Dropout, Flatten, Dense 256, Dropout, Dense 10). Both train
with Adam (lr 1e-3) on the same images. Each round times `--steps` steps of each (TF1:
`sess.run([train_step, loss], feed_dict)`; Keras: `fit` over as many batches), which one
goes first alternating round by round; the median step times over the rounds, their ratio
and the median of the rounds' ratios are printed per batch size. Both get the same fusions
(passos/graph/rewrite.py) and thread setup, so the ratio should be near 1.

    python benchmarks/tf1_vs_keras.py [--batches 32 128] [--rounds 5] [--steps 20]
"""
import argparse
import time

import numpy as np

import passos
import passos.compat.v1 as tf
from passos.keras import layers as L
from passos.keras.models import Sequential
from passos.keras.optimizers import Adam


def tf1_step(x, y, batch):
    """A function running `steps` TF1 training steps; returns the seconds per step."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        images = tf.placeholder(tf.float32, [None, 28, 28, 1])
        labels = tf.placeholder(tf.float32, [None, 10])
        h = images
        for channels in ((1, 32), (32, 32)):
            W = tf.Variable(tf.truncated_normal([3, 3, *channels], stddev=0.1))
            b = tf.Variable(tf.constant(0.1, shape=[channels[1]]))
            h = tf.nn.relu(tf.nn.conv2d(h, W, strides=[1, 1, 1, 1], padding="SAME") + b)
            h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        h = tf.reshape(h, [-1, 7 * 7 * 32])
        W1 = tf.Variable(tf.truncated_normal([7 * 7 * 32, 256], stddev=0.1))
        h = tf.nn.relu(tf.matmul(h, W1) + tf.Variable(tf.constant(0.1, shape=[256])))
        W2 = tf.Variable(tf.truncated_normal([256, 10], stddev=0.1))
        logits = tf.matmul(h, W2) + tf.Variable(tf.constant(0.1, shape=[10]))
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels,
                                                                          logits=logits))
        train_step = tf.train.AdamOptimizer(1e-3).minimize(loss)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())

    def run(steps):
        start = time.perf_counter()
        for i in range(steps):
            part = slice(i * batch, (i + 1) * batch)
            sess.run([train_step, loss], feed_dict={images: x[part], labels: y[part]})
        return (time.perf_counter() - start) / steps
    run(2)  # compiles the plan
    plan = max(sess._plans.values(), key=lambda p: len(p.nodes))  # the training step's
    return run, [n.primitive.kind for n in plan.nodes]


def keras_step(x, y, batch):
    """A function running `steps` Keras training steps (one fit); returns seconds per step."""
    passos.random.seed(0)
    model = Sequential([L.Conv2D(32, (3, 3), padding="same", activation="relu",
                                 input_shape=(28, 28, 1)),
                        L.MaxPooling2D(pool_size=(2, 2)),
                        L.Conv2D(32, (3, 3), padding="same", activation="relu"),
                        L.MaxPooling2D(pool_size=(2, 2)), L.Dropout(0.25), L.Flatten(),
                        L.Dense(256, activation="relu"), L.Dropout(0.5),
                        L.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=Adam(1e-3))

    def run(steps):
        start = time.perf_counter()
        model.fit(x[:steps * batch], y[:steps * batch], batch_size=batch, epochs=1,
                  shuffle=False, verbose=0)
        return (time.perf_counter() - start) / steps
    run(2)
    return run, [n.primitive.kind for n in model._plan("train").nodes]


def main():
    from contenders import blas_kernel
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    print(f"BLAS: {blas_kernel()}")
    rng = np.random.default_rng(0)
    for batch in args.batches:
        n = args.steps * batch
        x = rng.random((n, 28, 28, 1), dtype=np.float32)
        y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
        contenders = {"tf1": tf1_step(x, y, batch), "keras": keras_step(x, y, batch)}
        for name, (_, kinds) in contenders.items():
            fused = sorted({k for k in kinds if k in ("conv_pool2d", "dense", "conv2d")})
            print(f"batch {batch}: {name} plan runs {len(kinds)} nodes, fused ops {fused}")
        times = {name: [] for name in contenders}
        for i in range(args.rounds):  # interleaved, each first in turn: no bias from the order
            for name in list(contenders)[::1 if i % 2 == 0 else -1]:
                times[name].append(contenders[name][0](args.steps))
        t, k = np.median(times["tf1"]), np.median(times["keras"])
        # each round's ratio compares the two under the same machine conditions
        rounds = [a / b for a, b in zip(times["tf1"], times["keras"])]
        print(f"batch {batch}: tf1 {t * 1e3:.2f} ms/step, keras {k * 1e3:.2f} ms/step, "
              f"tf1/keras {t / k:.2f}, median round ratio {np.median(rounds):.2f}  (per round "
              f"{', '.join(f'{r:.2f}' for r in rounds)}; medians of {args.rounds} rounds x "
              f"{args.steps} steps)")


if __name__ == "__main__":
    main()
