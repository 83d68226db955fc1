"""A small CNN on Fashion-MNIST (CONV -> POOL -> CONV -> POOL -> FC -> FC), in TensorFlow 1's graph style.

Only the import changed: `import tensorflow as tf` became `import passos.compat.v1 as tf`.
The layers are the course's Keras CNN written with tf.nn: conv2d + bias + relu,
max_pool, reshape, matmul.
"""
import numpy as np

import passos.compat.v1 as tf
from passos.keras.datasets import fashion_mnist

EPOCHS, BATCH_SIZE, LEARNING_RATE = 2, 128, 1e-3

(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
x_train = x_train.reshape(len(x_train), 28, 28, 1).astype('float32') / 255
x_test = x_test.reshape(len(x_test), 28, 28, 1).astype('float32') / 255
y_train = np.eye(10, dtype='float32')[y_train]  # one-hot labels
y_test = np.eye(10, dtype='float32')[y_test]

tf.set_random_seed(0)
rng = np.random.default_rng(0)  # shuffles the training set each epoch


def weight_variable(shape):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1))


def bias_variable(shape):
    return tf.Variable(tf.constant(0.1, shape=shape))


def conv_block(inputs, in_channels, out_channels):
    """3x3 convolution (32 filters, 'SAME'), bias, relu, then 2x2 max-pooling: halves height and width."""
    W = weight_variable([3, 3, in_channels, out_channels])
    b = bias_variable([out_channels])
    h = tf.nn.relu(tf.nn.conv2d(inputs, W, strides=[1, 1, 1, 1], padding='SAME') + b)
    return tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')


# 1. The model: two conv blocks (28x28x1 -> 14x14x32 -> 7x7x32), dense 256 relu, dense 10.
x = tf.placeholder(tf.float32, [None, 28, 28, 1])
y_ = tf.placeholder(tf.float32, [None, 10])
h_pool1 = conv_block(x, 1, 32)
h_pool2 = conv_block(h_pool1, 32, 32)
h_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 32])
W_fc1, b_fc1 = weight_variable([7 * 7 * 32, 256]), bias_variable([256])
h_fc1 = tf.nn.relu(tf.matmul(h_flat, W_fc1) + b_fc1)
W_fc2, b_fc2 = weight_variable([256, 10]), bias_variable([10])
logits = tf.matmul(h_fc1, W_fc2) + b_fc2

# 2. Loss, training step and accuracy.
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
train_step = tf.train.AdamOptimizer(LEARNING_RATE).minimize(loss)
correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))


def evaluate(sess, images, labels, batch_size=1000):
    """Accuracy over a whole set, fed in slices to keep the convolutions' memory small."""
    correct = 0.0
    for start in range(0, len(images), batch_size):
        feed = {x: images[start:start + batch_size], y_: labels[start:start + batch_size]}
        correct += sess.run(accuracy, feed_dict=feed) * len(feed[x])
    return correct / len(images)


# 3. Train on shuffled mini-batches, then measure on the test set.
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(EPOCHS):
        order = rng.permutation(len(x_train))
        losses = []
        for start in range(0, len(x_train), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            _, batch_loss = sess.run([train_step, loss],
                                     feed_dict={x: x_train[batch], y_: y_train[batch]})
            losses.append(batch_loss)
        print(f'Epoch {epoch + 1}/{EPOCHS} - loss: {np.mean(losses):.4f}')

    print('Test accuracy:', round(evaluate(sess, x_test, y_test), 4))
