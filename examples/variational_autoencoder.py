"""A variational autoencoder on Fashion-MNIST, written as Keras 2's variational_autoencoder.py.

Only the imports and the data changed. It exercises what a VAE needs of Keras: a Lambda
layer that samples z = mean + sigma * epsilon with `K.random_normal(shape=(K.shape(z_mean)[0],
dim))` (fresh noise at each step), models nested in a model, and a loss written with K
functions and operators on the model's tensors, given to `vae.add_loss` and compiled with
no per-output loss (`compile(optimizer='adam')`, `fit(x, epochs=...)` without targets).
Run with `--quick` for 2,000 images and two epochs.
"""
import argparse

import numpy as np

from passos.keras import backend as K
from passos.keras.datasets import fashion_mnist
from passos.keras.layers import Dense, Input, Lambda
from passos.keras.losses import binary_crossentropy, mse
from passos.keras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="2,000 images, two epochs")
parser.add_argument("--mse", action="store_true", help="mean squared error as the "
                                                        "reconstruction loss (default: cross-entropy)")
args = parser.parse_args()


def sampling(args):
    """z = z_mean + exp(z_log_var / 2) * epsilon, epsilon ~ N(0, I): the reparameterisation trick."""
    z_mean, z_log_var = args
    batch = K.shape(z_mean)[0]
    dim = K.int_shape(z_mean)[1]
    epsilon = K.random_normal(shape=(batch, dim))
    return z_mean + K.exp(0.5 * z_log_var) * epsilon


(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
if args.quick:
    x_train, x_test, y_test = x_train[:2000], x_test[:500], y_test[:500]
image_size = x_train.shape[1]
original_dim = image_size * image_size
x_train = np.reshape(x_train, [-1, original_dim]).astype("float32") / 255
x_test = np.reshape(x_test, [-1, original_dim]).astype("float32") / 255

input_shape = (original_dim,)
intermediate_dim = 512
batch_size = 128
latent_dim = 2
epochs = 2 if args.quick else 50

# the encoder: x -> (z_mean, z_log_var, z)
inputs = Input(shape=input_shape, name="encoder_input")
x = Dense(intermediate_dim, activation="relu")(inputs)
z_mean = Dense(latent_dim, name="z_mean")(x)
z_log_var = Dense(latent_dim, name="z_log_var")(x)
z = Lambda(sampling, output_shape=(latent_dim,), name="z")([z_mean, z_log_var])
encoder = Model(inputs, [z_mean, z_log_var, z], name="encoder")
encoder.summary()

# the decoder: z -> x
latent_inputs = Input(shape=(latent_dim,), name="z_sampling")
x = Dense(intermediate_dim, activation="relu")(latent_inputs)
outputs = Dense(original_dim, activation="sigmoid")(x)
decoder = Model(latent_inputs, outputs, name="decoder")
decoder.summary()

# the VAE: the decoder on the encoder's sample; its loss is reconstruction + KL divergence
outputs = decoder(encoder(inputs)[2])
vae = Model(inputs, outputs, name="vae_mlp")
if args.mse:
    reconstruction_loss = mse(inputs, outputs)
else:
    reconstruction_loss = binary_crossentropy(inputs, outputs)
reconstruction_loss *= original_dim
kl_loss = 1 + z_log_var - K.square(z_mean) - K.exp(z_log_var)
kl_loss = K.sum(kl_loss, axis=-1)
kl_loss *= -0.5
vae_loss = K.mean(reconstruction_loss + kl_loss)
vae.add_loss(vae_loss)
vae.compile(optimizer="adam")
vae.summary()

history = vae.fit(x_train, epochs=epochs, batch_size=batch_size, validation_data=(x_test, None))

# the latent means of the test images, and how far apart the classes' centres lie
z_test, _, _ = encoder.predict(x_test, batch_size=batch_size)
centres = np.array([z_test[y_test == c].mean(axis=0) for c in np.unique(y_test)])
spread = np.mean(np.linalg.norm(centres - centres.mean(axis=0), axis=1))
print(f"Test loss: {vae.evaluate(x_test, verbose=0):.2f}")
print(f"Mean distance of the class centres from their mean in the latent plane: {spread:.3f}")
