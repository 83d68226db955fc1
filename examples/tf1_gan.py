"""A generative adversarial network on a ring of eight Gaussians, in TensorFlow 1's graph style.

Only the import changed: `import tensorflow as tf` became `import passos.compat.v1 as tf`.
The generator (an MLP from 2-D noise to 2-D points) and the discriminator (an MLP from
points to a logit) keep their weights in tf.get_variable under tf.variable_scope with
reuse=tf.AUTO_REUSE, so the discriminator called on real and on generated points is one
network; the weights start from Xavier-scaled normal draws whose stddev is itself a
tensor. Each player has its own Adam optimizer over its own variables (var_list from the
scope's TRAINABLE_VARIABLES). The data are made here: points near eight modes on a circle.
Run with `--quick` for fewer steps.
"""
import argparse

import numpy as np

import passos.compat.v1 as tf

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--quick', action='store_true', help='1,500 steps instead of 10,000')
args = parser.parse_args()

STEPS = 1500 if args.quick else 10000
BATCH_SIZE, NOISE_DIM, HIDDEN, LEARNING_RATE = 128, 2, 128, 1e-3
MODES = 2.0 * np.array([[np.cos(a), np.sin(a)] for a in np.arange(8) * np.pi / 4], 'float32')

tf.set_random_seed(0)
rng = np.random.default_rng(0)


def sample_data(n):
    """n points from the ring: a mode chosen at random, plus Gaussian noise of stddev 0.05."""
    return MODES[rng.integers(len(MODES), size=n)] + rng.normal(0, 0.05, (n, 2)).astype('float32')


def sample_noise(n):
    return rng.uniform(-1.0, 1.0, (n, NOISE_DIM)).astype('float32')


def xavier_init(size):
    in_dim = size[0]
    xavier_stddev = 1. / tf.sqrt(in_dim / 2.)
    return tf.random_normal(shape=size, stddev=xavier_stddev)


def dense(inputs, in_dim, out_dim, name):
    """inputs @ W + b, with W and b found (or made) in the current variable scope."""
    W = tf.get_variable(name + '_W', initializer=xavier_init([in_dim, out_dim]))
    b = tf.get_variable(name + '_b', initializer=tf.zeros([out_dim]))
    return tf.matmul(inputs, W) + b


def generator(z):
    with tf.variable_scope('generator', reuse=tf.AUTO_REUSE):
        h1 = tf.nn.relu(dense(z, NOISE_DIM, HIDDEN, 'h1'))
        h2 = tf.nn.relu(dense(h1, HIDDEN, HIDDEN, 'h2'))
        return dense(h2, HIDDEN, 2, 'out')


def discriminator(x):
    """The logit that x is real (not the probability: the loss applies the sigmoid)."""
    with tf.variable_scope('discriminator', reuse=tf.AUTO_REUSE):
        h1 = tf.nn.relu(dense(x, 2, HIDDEN, 'h1'))
        h2 = tf.nn.relu(dense(h1, HIDDEN, HIDDEN, 'h2'))
        return dense(h2, HIDDEN, 1, 'out')


# 1. The two players: D sees real points and G's points with the same weights.
X = tf.placeholder(tf.float32, [None, 2], name='X')
Z = tf.placeholder(tf.float32, [None, NOISE_DIM], name='Z')
G_sample = generator(Z)
D_logit_real = discriminator(X)
D_logit_fake = discriminator(G_sample)

# 2. D learns to tell real (1) from generated (0); G learns to make D say 1.
D_loss_real = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
    logits=D_logit_real, labels=tf.ones_like(D_logit_real)))
D_loss_fake = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
    logits=D_logit_fake, labels=tf.zeros_like(D_logit_fake)))
D_loss = D_loss_real + D_loss_fake
G_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
    logits=D_logit_fake, labels=tf.ones_like(D_logit_fake)))

# 3. Separate optimizers, each over its own player's variables only.
D_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='discriminator')
G_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='generator')
D_solver = tf.train.AdamOptimizer(LEARNING_RATE, beta1=0.5).minimize(D_loss, var_list=D_vars)
G_solver = tf.train.AdamOptimizer(LEARNING_RATE, beta1=0.5).minimize(G_loss, var_list=G_vars)


def distance_to_modes(points):
    """The mean distance from each point to its nearest mode (0.05 * sqrt(pi/2) ~ 0.06 for the data)."""
    return np.linalg.norm(points[:, None, :] - MODES[None], axis=2).min(axis=1).mean()


def modes_covered(points, radius=0.25):
    """How many of the eight modes have at least 1% of the points within `radius`."""
    nearest = np.linalg.norm(points[:, None, :] - MODES[None], axis=2)
    return int(((nearest < radius).mean(axis=0) > 0.01).sum())


# 4. Alternate one step of D and one of G; report where G's samples fall.
eval_noise = sample_noise(1000)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    samples = sess.run(G_sample, feed_dict={Z: eval_noise})
    print(f'Before training: distance to the modes {distance_to_modes(samples):.3f}, '
          f'modes covered {modes_covered(samples)}/8')
    for step in range(1, STEPS + 1):
        _, D_loss_curr = sess.run([D_solver, D_loss],
                                  feed_dict={X: sample_data(BATCH_SIZE), Z: sample_noise(BATCH_SIZE)})
        _, G_loss_curr = sess.run([G_solver, G_loss], feed_dict={Z: sample_noise(BATCH_SIZE)})
        if step % (STEPS // 5) == 0:
            samples = sess.run(G_sample, feed_dict={Z: eval_noise})
            print(f'Step {step}/{STEPS} - D loss: {D_loss_curr:.4f} - G loss: {G_loss_curr:.4f}'
                  f' - distance to the modes: {distance_to_modes(samples):.3f}'
                  f' - modes covered: {modes_covered(samples)}/8')
    print(f'After training: distance to the modes {distance_to_modes(samples):.3f}, '
          f'modes covered {modes_covered(samples)}/8')
