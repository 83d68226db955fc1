"""A denoising autoencoder on Fashion-MNIST, as Keras' mnist_denoising_autoencoder.py.

Only the imports changed: `keras` became `passos.keras`, and the data is Fashion-MNIST.
Gaussian noise is added to the images; a Conv2D encoder squeezes a noisy image into 16 numbers
and a Conv2DTranspose decoder rebuilds the clean image from them. The reconstruction loss
(mean squared error against the clean test images) is printed before and after training.
Run with `--quick` for a few hundred images and two epochs, and with `--plot [FILE]` to save
clean, noisy and denoised test images to a figure (needs matplotlib).
"""
import argparse

import numpy as np

from passos.keras import backend as K
from passos.keras.datasets import fashion_mnist
from passos.keras.layers import Activation, Conv2D, Conv2DTranspose, Dense, Flatten, Input, Reshape
from passos.keras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--quick', action='store_true', help='a few hundred images, two epochs')
parser.add_argument('--plot', nargs='?', const='corrupted_and_denoised.png', metavar='FILE',
                    help='save clean, noisy and denoised images (default %(const)s)')
args = parser.parse_args()
np.random.seed(1337)

# Fashion-MNIST data set
(x_train, _), (x_test, _) = fashion_mnist.load_data()
if args.quick:
    x_train, x_test = x_train[:500], x_test[:100]

image_size = x_train.shape[1]
x_train = np.reshape(x_train, [-1, image_size, image_size, 1])
x_test = np.reshape(x_test, [-1, image_size, image_size, 1])
x_train = x_train.astype('float32') / 255
x_test = x_test.astype('float32') / 255

# Generate corrupted images by adding noise with normal dist centered at 0.5 and std=0.5
noise = np.random.normal(loc=0.5, scale=0.5, size=x_train.shape)
x_train_noisy = x_train + noise
noise = np.random.normal(loc=0.5, scale=0.5, size=x_test.shape)
x_test_noisy = x_test + noise

x_train_noisy = np.clip(x_train_noisy, 0., 1.)
x_test_noisy = np.clip(x_test_noisy, 0., 1.)

# Network parameters
input_shape = (image_size, image_size, 1)
batch_size = 32 if args.quick else 128
kernel_size = 3
latent_dim = 16
# Encoder/Decoder number of CNN layers and filters per layer
layer_filters = [32, 64]

# Build the Autoencoder Model
# First build the Encoder Model
inputs = Input(shape=input_shape, name='encoder_input')
x = inputs
# Stack of Conv2D blocks
for filters in layer_filters:
    x = Conv2D(filters=filters, kernel_size=kernel_size, strides=2,
               activation='relu', padding='same')(x)

# Shape info needed to build Decoder Model
shape = K.int_shape(x)

# Generate the latent vector
x = Flatten()(x)
latent = Dense(latent_dim, name='latent_vector')(x)

# Instantiate Encoder Model
encoder = Model(inputs, latent, name='encoder')
encoder.summary()

# Build the Decoder Model
latent_inputs = Input(shape=(latent_dim,), name='decoder_input')
x = Dense(shape[1] * shape[2] * shape[3])(latent_inputs)
x = Reshape((shape[1], shape[2], shape[3]))(x)

# Stack of Transposed Conv2D blocks
for filters in layer_filters[::-1]:
    x = Conv2DTranspose(filters=filters, kernel_size=kernel_size, strides=2,
                        activation='relu', padding='same')(x)

x = Conv2DTranspose(filters=1, kernel_size=kernel_size, padding='same')(x)
outputs = Activation('sigmoid', name='decoder_output')(x)

# Instantiate Decoder Model
decoder = Model(latent_inputs, outputs, name='decoder')
decoder.summary()

# Autoencoder = Encoder + Decoder
autoencoder = Model(inputs, decoder(encoder(inputs)), name='autoencoder')
autoencoder.summary()

autoencoder.compile(loss='mse', optimizer='adam')
before = autoencoder.evaluate(x_test_noisy, x_test, verbose=0)
print('Reconstruction loss before training:', before)

# Train the autoencoder
autoencoder.fit(x_train_noisy, x_train, validation_data=(x_test_noisy, x_test),
                epochs=2 if args.quick else 30, batch_size=batch_size)
after = autoencoder.evaluate(x_test_noisy, x_test, verbose=0)
print('Reconstruction loss after training:', after)

# Predict the Autoencoder output from corrupted test images
x_decoded = autoencoder.predict(x_test_noisy)

if args.plot:
    try:
        import matplotlib
    except ImportError:
        print('--plot needs matplotlib (pip install matplotlib); no figure saved')
    else:
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        # Clean images on the top rows, corrupted in the middle, denoised on the bottom rows
        rows, cols = (2, 10) if args.quick else (10, 30)
        num = rows * cols
        imgs = np.concatenate([x_test[:num], x_test_noisy[:num], x_decoded[:num]])
        imgs = imgs.reshape((rows * 3, cols, image_size, image_size))
        imgs = np.vstack(np.split(imgs, rows, axis=1))
        imgs = imgs.reshape((rows * 3, -1, image_size, image_size))
        imgs = np.vstack([np.hstack(i) for i in imgs])
        plt.figure()
        plt.axis('off')
        plt.title('Original images: top rows, Corrupted Input: middle rows, Denoised Input: third rows',
                  fontsize=7)
        plt.imshow(imgs, interpolation='none', cmap='gray')
        plt.savefig(args.plot, dpi=150, bbox_inches='tight')
        plt.close()
        print('Figure saved to', args.plot)
