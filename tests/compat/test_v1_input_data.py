"""TF1 tutorials' `input_data.read_data_sets`, on small IDX files made here (and Fashion-MNIST's
folder where it is installed)."""
import os

import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.compat.v1.examples.tutorials.mnist import input_data
from passos.data.idx import write_idx
from tf1_graphs import fresh_graph  # noqa: F401

FASHION = "/usr/share/datasets/fashion-mnist"


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    y_train, y_test = np.arange(30, dtype=np.uint8) % 10, np.arange(10, dtype=np.uint8)
    x_train = rng.integers(0, 30, (30, 28, 28)).astype(np.uint8)
    x_test = np.full((10, 28, 28), 75, np.uint8)
    for x, y in ((x_train, y_train), (x_test, y_test)):  # class k: bright rows 2k, 2k + 1
        for image, k in zip(x, y):
            image[2 * k:2 * k + 2] = 255
    for name, array in zip(input_data.FILES, (x_train, y_train, x_test, y_test)):
        write_idx(str(tmp_path / (name + (".gz" if "train" in name else ""))), array)
    return tmp_path


def test_sets_are_split_scaled_and_flattened_as_in_tf1(folder):
    mnist = input_data.read_data_sets(str(folder), one_hot=True, validation_size=10)
    assert (mnist.train.num_examples, mnist.validation.num_examples,
            mnist.test.num_examples) == (20, 10, 10)
    assert mnist.train.images.shape == (20, 784) and mnist.train.images.dtype == np.float32
    assert 0.0 <= mnist.train.images.min() and mnist.train.images.max() <= 1.0
    np.testing.assert_allclose(mnist.test.images[3, 8 * 28:], 75 / 255, rtol=1e-6)
    np.testing.assert_allclose(mnist.test.images[3, 6 * 28:8 * 28], 1.0)
    assert mnist.train.labels.dtype == np.float64 and mnist.train.labels.shape == (20, 10)
    np.testing.assert_array_equal(mnist.validation.labels.argmax(1), np.arange(10))
    raw = input_data.read_data_sets(folder, dtype=tf.uint8, reshape=False, validation_size=0)
    assert raw.train.images.shape == (30, 28, 28) and raw.train.labels.dtype == np.uint8


def test_next_batch_shuffles_each_epoch_and_joins_its_end_to_the_next(folder):
    train = input_data.read_data_sets(folder, validation_size=0, seed=3).train
    seen = [train.next_batch(7)[1] for _ in range(4)]  # 28 of 30: no epoch done yet
    assert train.epochs_completed == 0 and len(set(map(len, seen))) == 1
    images, labels = train.next_batch(7)  # the last 2 of epoch 1, then 5 of epoch 2
    assert train.epochs_completed == 1 and len(images) == len(labels) == 7
    first_epoch = np.concatenate([*seen, labels[:2]])
    np.testing.assert_array_equal(np.sort(first_epoch), np.sort(np.arange(30) % 10))
    in_order = input_data.read_data_sets(folder, validation_size=0).train
    np.testing.assert_array_equal(in_order.next_batch(30, shuffle=False)[1], np.arange(30) % 10)


def test_fake_data_and_bad_arguments(folder, tmp_path_factory):
    fake = input_data.read_data_sets("unused", fake_data=True, one_hot=True)
    images, labels = fake.train.next_batch(3, fake_data=True)
    assert np.shape(images) == (3, 784) and labels[0] == [1] + [0] * 9
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(FileNotFoundError, match=r"read_data_sets: .* lacks train-images-idx3-ubyte"
                                                 r".*downloads nothing"):
        input_data.read_data_sets(str(empty))
    with pytest.raises(ValueError, match=r"validation_size must be in 0\.\.30 \(the training examples\), got 5000"):
        input_data.read_data_sets(folder)
    with pytest.raises(ValueError, match=r"next_batch: batch_size must be in 1\.\.20"):
        input_data.read_data_sets(folder, validation_size=10).train.next_batch(21)


def test_the_classic_softmax_regression_learns_from_it(folder):
    mnist = input_data.read_data_sets(str(folder), one_hot=True, validation_size=0, seed=0)
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    W, b = tf.Variable(tf.zeros([784, 10])), tf.Variable(tf.zeros([10]))
    logits = tf.matmul(x, W) + b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(60):
            batch_x, batch_y = mnist.train.next_batch(10)
            sess.run(train, {x: batch_x, y: batch_y})
        assert sess.run(accuracy, {x: mnist.test.images, y: mnist.test.labels}) >= 0.9


@pytest.mark.skipif(not os.path.isdir(FASHION), reason="Fashion-MNIST is not installed "
                    "(apt-get install dataset-fashion-mnist)")
def test_fashion_mnists_folder_is_a_drop_in_replacement():
    mnist = input_data.read_data_sets(FASHION, one_hot=True)
    assert (mnist.train.num_examples, mnist.validation.num_examples,
            mnist.test.num_examples) == (55000, 5000, 10000)
