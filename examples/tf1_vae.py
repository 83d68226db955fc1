"""A variational autoencoder on Fashion-MNIST, in TensorFlow 1's graph style.

Only the import changed: `import tensorflow as tf` became `import passos.compat.v1 as tf`.
The encoder maps an image to the mean and log-variance of a 2-D Gaussian; a sample
z = mean + sigma * eps, with eps = tf.random_normal(tf.shape(z_mean)) drawn afresh at each
step whatever the batch size (the reparameterisation trick), is decoded back to 784 pixel
logits. The loss is the reconstruction's cross-entropy plus the KL divergence from N(0, I),
minimised with Adam on shuffled mini-batches fed through placeholders. The decoder is
built a second time, reusing its variables, to turn points of the latent plane into images.
Run with `--quick` for 2,000 images and three epochs.
"""
import argparse

import numpy as np

import passos.compat.v1 as tf
from passos.keras.datasets import fashion_mnist

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--quick', action='store_true', help='2,000 images, three epochs')
args = parser.parse_args()

EPOCHS = 3 if args.quick else 30
BATCH_SIZE, LEARNING_RATE = 128, 1e-3
ORIGINAL_DIM, INTERMEDIATE_DIM, LATENT_DIM = 784, 512, 2

(x_train, _), (x_test, y_test) = fashion_mnist.load_data()
if args.quick:
    x_train, x_test, y_test = x_train[:2000], x_test[:500], y_test[:500]
x_train = x_train.reshape(-1, ORIGINAL_DIM).astype('float32') / 255
x_test = x_test.reshape(-1, ORIGINAL_DIM).astype('float32') / 255

tf.set_random_seed(0)
rng = np.random.default_rng(0)  # shuffles the training set each epoch


def encoder(x):
    """x (batch, 784) -> z_mean, z_log_var (batch, 2)."""
    with tf.variable_scope('encoder'):
        h = tf.layers.dense(x, INTERMEDIATE_DIM, activation=tf.nn.relu, name='hidden')
        z_mean = tf.layers.dense(h, LATENT_DIM, name='z_mean')
        z_log_var = tf.layers.dense(h, LATENT_DIM, name='z_log_var')
    return z_mean, z_log_var


def decoder(z, reuse=None):
    """z (batch, 2) -> pixel logits (batch, 784); reuse=True shares the trained weights."""
    with tf.variable_scope('decoder', reuse=reuse):
        h = tf.layers.dense(z, INTERMEDIATE_DIM, activation=tf.nn.relu, name='hidden')
        return tf.layers.dense(h, ORIGINAL_DIM, name='logits')


# 1. The model: encode, sample with the reparameterisation trick, decode.
x = tf.placeholder(tf.float32, [None, ORIGINAL_DIM], name='x')
z_mean, z_log_var = encoder(x)
eps = tf.random_normal(tf.shape(z_mean))  # the batch size is known only when run
z = z_mean + tf.exp(0.5 * z_log_var) * eps
logits = decoder(z)

# 2. The loss: reconstruction (summed over pixels) + KL(q(z|x) || N(0, I)), averaged over the batch.
reconstruction = tf.reduce_sum(
    tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits), axis=1)
kl = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=1)
loss = tf.reduce_mean(reconstruction + kl)
train_op = tf.train.AdamOptimizer(LEARNING_RATE).minimize(loss)

# 3. The generator: the same decoder on points of the latent plane.
z_grid = tf.placeholder(tf.float32, [None, LATENT_DIM], name='z_grid')
generated = tf.sigmoid(decoder(z_grid, reuse=True))


def mean_loss(sess, images, batch_size=500):
    """The loss over a whole set (one draw of eps per image)."""
    total = 0.0
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        total += sess.run(loss, feed_dict={x: batch}) * len(batch)
    return total / len(images)


# 4. Train, printing the training loss per epoch and the test loss at the end.
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(f'Test loss before training: {mean_loss(sess, x_test):.2f}')
    for epoch in range(EPOCHS):
        order = rng.permutation(len(x_train))
        losses = []
        for start in range(0, len(x_train), BATCH_SIZE):
            batch = x_train[order[start:start + BATCH_SIZE]]
            _, batch_loss = sess.run([train_op, loss], feed_dict={x: batch})
            losses.append(batch_loss)
        print(f'Epoch {epoch + 1}/{EPOCHS} - loss: {np.mean(losses):.2f}')
    print(f'Test loss after training: {mean_loss(sess, x_test):.2f}')

    # Where each class sits in the latent plane: the mean of its images' z_mean.
    means = sess.run(z_mean, feed_dict={x: x_test})
    centres = np.array([means[y_test == c].mean(axis=0) for c in np.unique(y_test)])
    print('Spread of the class centres in the latent plane: '
          f'{np.linalg.norm(centres - centres.mean(axis=0), axis=1).mean():.3f}')
    # A 5x5 walk over the plane, decoded to images.
    grid = np.array([[a, b] for a in np.linspace(-2, 2, 5) for b in np.linspace(-2, 2, 5)], 'float32')
    images = sess.run(generated, feed_dict={z_grid: grid})
    print('Decoded a 5x5 grid of the latent plane:', images.reshape(-1, 28, 28).shape)
