"""The course's CNN on Fashion-MNIST with tf.layers, fed by tf.data, in TensorFlow 1's graph style.

Only the import changed: `import tensorflow as tf` became `import passos.compat.v1 as tf`.
The model and recipe are examples/course_cnn.py's (Keras): two blocks of a 3x3 'same'
convolution with 32 filters and 2x2 max-pooling, dropout 0.25, flatten, dense 256 relu,
dropout 0.5, dense 10; plain SGD at 0.01, batch 32, two epochs, the last 20% of the
training images held out for validation. The batches come from an initializable
iterator over placeholders, run until tf.errors.OutOfRangeError ends the epoch; accuracy
is streamed with tf.metrics.accuracy. Run with `--quick` for 2,000 images.
"""
import argparse

import numpy as np

import passos.compat.v1 as tf
from passos.keras.datasets import fashion_mnist

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--quick', action='store_true', help='2,000 training and 500 test images')
args = parser.parse_args()

EPOCHS, BATCH_SIZE, LEARNING_RATE = 2, 32, 0.01  # the Keras course's recipe: SGD, batch 32
EVAL_BATCH_SIZE = 1000

(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
if args.quick:
    x_train, y_train, x_test, y_test = x_train[:2000], y_train[:2000], x_test[:500], y_test[:500]
x_train = x_train.reshape(len(x_train), 28, 28, 1).astype('float32') / 255
x_test = x_test.reshape(len(x_test), 28, 28, 1).astype('float32') / 255
y_train, y_test = y_train.astype('int64'), y_test.astype('int64')  # class indices, not one-hot
# Hold out the last 20% for validation, as Keras' validation_split=0.2 does.
split = int(len(x_train) * 0.8)
x_train, x_val, y_train, y_val = x_train[:split], x_train[split:], y_train[:split], y_train[split:]

tf.set_random_seed(0)

# 1. The input pipeline: one dataset over placeholders, initialised with the training set
#    (shuffled anew each epoch) or with the validation or test set.
images = tf.placeholder(tf.float32, [None, 28, 28, 1], name='images')
labels = tf.placeholder(tf.int64, [None], name='labels')
batch_size = tf.placeholder(tf.int64, [], name='batch_size')
dataset = (tf.data.Dataset.from_tensor_slices((images, labels))
           .shuffle(buffer_size=len(x_train))
           .batch(batch_size))
iterator = dataset.make_initializable_iterator()
x, y = iterator.get_next()
is_training = tf.placeholder_with_default(False, [], name='is_training')


# 2. The model, layer by layer: 28x28x1 -> 14x14x32 -> 7x7x32 -> 1568 -> 256 -> 10.
def cnn(inputs, training):
    net = tf.layers.conv2d(inputs, 32, 3, padding='same', activation=tf.nn.relu)
    net = tf.layers.max_pooling2d(net, pool_size=2, strides=2)
    net = tf.layers.conv2d(net, 32, 3, padding='same', activation=tf.nn.relu)
    net = tf.layers.max_pooling2d(net, pool_size=2, strides=2)
    net = tf.layers.dropout(net, rate=0.25, training=training)
    net = tf.layers.flatten(net)
    net = tf.layers.dense(net, 256, activation=tf.nn.relu)
    net = tf.layers.dropout(net, rate=0.5, training=training)
    return tf.layers.dense(net, 10)  # logits: the softmax is inside the loss


logits = cnn(x, is_training)

# 3. Loss, training step and a streamed accuracy (its counts are local variables).
loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
global_step = tf.train.get_or_create_global_step()
train_op = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss, global_step=global_step)
accuracy, update_accuracy = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1))


def evaluate(sess, eval_images, eval_labels):
    """Accuracy over a whole set: reset the metric's counts, stream every batch, read it."""
    sess.run(tf.local_variables_initializer())
    sess.run(iterator.initializer, feed_dict={images: eval_images, labels: eval_labels,
                                              batch_size: EVAL_BATCH_SIZE})
    while True:
        try:
            sess.run(update_accuracy)
        except tf.errors.OutOfRangeError:
            return sess.run(accuracy)


# 4. Train: each epoch runs the iterator dry, then measures the held-out images.
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(EPOCHS):
        sess.run(iterator.initializer, feed_dict={images: x_train, labels: y_train,
                                                  batch_size: BATCH_SIZE})
        losses = []
        while True:
            try:
                _, batch_loss = sess.run([train_op, loss], feed_dict={is_training: True})
                losses.append(batch_loss)
            except tf.errors.OutOfRangeError:
                break
        print(f'Epoch {epoch + 1}/{EPOCHS} - {len(losses)} steps - loss: {np.mean(losses):.4f}'
              f' - val_accuracy: {evaluate(sess, x_val, y_val):.4f}')

    print('Test accuracy:', round(float(evaluate(sess, x_test, y_test)), 4))
