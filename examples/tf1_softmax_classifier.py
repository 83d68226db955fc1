"""A softmax classifier on Fashion-MNIST, written in TensorFlow 1's graph style.

Only the import changed: `import tensorflow as tf` became `import passos.compat.v1 as tf`.
Build the graph (placeholders, variables, loss, training step), then feed
mini-batches to a Session.
"""
import numpy as np

import passos.compat.v1 as tf
from passos.keras.datasets import fashion_mnist

EPOCHS, BATCH_SIZE, LEARNING_RATE = 5, 128, 1e-3

(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
x_train = x_train.reshape(len(x_train), 784).astype('float32') / 255
x_test = x_test.reshape(len(x_test), 784).astype('float32') / 255
y_train = np.eye(10, dtype='float32')[y_train]  # one-hot labels
y_test = np.eye(10, dtype='float32')[y_test]

tf.set_random_seed(0)
rng = np.random.default_rng(0)  # shuffles the training set each epoch

# 1. The model: logits = x W + b, one score per class.
x = tf.placeholder(tf.float32, [None, 784])
y_ = tf.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
logits = tf.matmul(x, W) + b

# 2. Loss, training step and accuracy.
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
train_step = tf.train.AdamOptimizer(LEARNING_RATE).minimize(loss)
correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

# 3. Train on shuffled mini-batches, then measure on the test set.
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(EPOCHS):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            sess.run(train_step, feed_dict={x: x_train[batch], y_: y_train[batch]})
        train_loss, train_accuracy = sess.run([loss, accuracy],
                                              feed_dict={x: x_train, y_: y_train})
        print(f'Epoch {epoch + 1}/{EPOCHS} - loss: {train_loss:.4f} - accuracy: {train_accuracy:.4f}')

    print('Test accuracy:', sess.run(accuracy, feed_dict={x: x_test, y_: y_test}))
