"""An LSTM counts the ones in bit sequences of varying length, in TensorFlow 1's graph style.

tf.nn.dynamic_rnn runs a BasicLSTMCell over the padded sequences; sequence_length stops each
one at its own length (its final state is the one at its last bit, its outputs past it zeros),
so the padding never counts. A dense layer reads the count off the final h.
Run with --quick for a short run (fewer sequences and steps).
"""
import argparse

import numpy as np

import passos.compat.v1 as tf

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="a short run, for tests")
args = parser.parse_args()

MAX_LEN, UNITS, BATCH_SIZE = 12, 16, 64
SAMPLES, STEPS = (1024, 150) if args.quick else (8192, 1500)


def make_data(n, rng):
    """Bits (n, MAX_LEN, 1) zero-padded past random lengths 1..MAX_LEN, and the count of ones."""
    lengths = rng.integers(1, MAX_LEN + 1, n).astype(np.int32)
    bits = rng.integers(0, 2, (n, MAX_LEN)) * (np.arange(MAX_LEN) < lengths[:, None])
    return bits[..., None].astype(np.float32), lengths, bits.sum(1, keepdims=True).astype(np.float32)


rng = np.random.default_rng(0)
tf.set_random_seed(0)
x_train, len_train, y_train = make_data(SAMPLES, rng)
x_test, len_test, y_test = make_data(512, rng)

# 1. The model: an LSTM over each sequence up to its length, a dense layer on its final h.
x = tf.placeholder(tf.float32, [None, MAX_LEN, 1])
lengths = tf.placeholder(tf.int32, [None])
count = tf.placeholder(tf.float32, [None, 1])
cell = tf.nn.rnn_cell.BasicLSTMCell(UNITS)
outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
prediction = tf.layers.dense(state.h, 1) * MAX_LEN / 2

# 2. Loss, training step, and how often the rounded prediction is the exact count.
loss = tf.reduce_mean(tf.square(prediction - count))
train_step = tf.train.AdamOptimizer(0.01).minimize(loss)
exact = tf.reduce_mean(tf.cast(tf.equal(tf.round(prediction), count), tf.float32))

print("Variables:", ", ".join(f"{v.name} {tuple(v.shape)}" for v in tf.trainable_variables()))
# 3. Train on random mini-batches, then measure on new sequences.
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, STEPS + 1):
        batch = rng.integers(0, SAMPLES, BATCH_SIZE)
        sess.run(train_step, {x: x_train[batch], lengths: len_train[batch], count: y_train[batch]})
        if step % (STEPS // 5) == 0:
            value = sess.run(loss, {x: x_train, lengths: len_train, count: y_train})
            print(f"Step {step}/{STEPS} - loss: {value:.4f}")
    test_loss, test_exact = sess.run([loss, exact], {x: x_test, lengths: len_test, count: y_test})
    print(f"Test loss: {test_loss:.4f}")
    print(f"Test exact counts: {test_exact:.4f}")
