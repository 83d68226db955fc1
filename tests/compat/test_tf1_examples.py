"""The TF1 example programs built on tf.layers, tf.data and dynamic shapes run and learn.

Each runs as a program with `--quick` on small data (the stand-in of `fake_fashion_mnist`,
or the GAN's own ring of Gaussians). Where Fashion-MNIST is installed (skipped elsewhere),
the tf.layers CNN and the course's Keras CNN (examples/course_cnn.py), trained with the
same recipe on the same subset from the same seed, must reach the same test accuracy.
"""
import re
import runpy
import sys
from pathlib import Path

import numpy as np

import passos
import passos.compat.v1 as tf
import passos.keras.datasets.fashion_mnist as keras_fashion_mnist
from passos.data import fashion_mnist
from passos.kernels.threads import compute_threads
from passos.keras.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from passos.keras.models import Sequential

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def _run(script, capsys, monkeypatch, *flags):
    """Run examples/`script` with `flags` as a program: (its output, its globals).

    Under compute_threads, as tests/compat/test_tf1_fashion.py runs its programs: a Session
    leaves BLAS its own threads, which stall on shared cores.
    """
    monkeypatch.setattr(sys, "argv", [script, *flags])
    passos.random.seed(0)
    with compute_threads():
        names = runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    return capsys.readouterr().out, names


def _numbers(pattern, out):
    return [float(v) for v in re.findall(pattern, out)]


def _course_cnn():
    """examples/course_cnn.py's model."""
    model = Sequential()
    model.add(Conv2D(32, (3, 3), padding='same', activation='relu', input_shape=(28, 28, 1)))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(32, (3, 3), padding='same', activation='relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(256, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation='softmax'))
    return model


def test_tf1_layers_cnn_learns_from_a_tf_data_pipeline(capsys, monkeypatch, fake_fashion_mnist):
    fake_fashion_mnist(2000, 500)
    out, names = _run("tf1_layers_cnn.py", capsys, monkeypatch, "--quick")
    # 1,600 training images (the last 400 held out) in batches of 32: 50 steps an epoch,
    # the epoch ended by OutOfRangeError, then a validation pass of the same iterator.
    assert re.findall(r"Epoch (\d)/2 - (\d+) steps", out) == [("1", "50"), ("2", "50")]
    losses = _numbers(r"loss: ([0-9.]+)", out)
    assert losses[1] < losses[0]
    assert _numbers(r"Test accuracy: ([0-9.]+)", out)[0] > 0.9  # the classes are easy to tell apart
    # tf.layers named its variables as TF1 does, and holds the Keras course model's weights.
    names = [v.name.split(":")[0] for v in tf.trainable_variables()]  # passos drops TF1's ":0"
    assert names[:2] == ["conv2d/kernel", "conv2d/bias"] and names[-1] == "dense_1/bias"
    variables = tf.trainable_variables()
    assert sum(int(np.prod(v.shape)) for v in variables) == _course_cnn().count_params()


def test_tf1_layers_cnn_reaches_the_keras_cnn_accuracy(capsys, monkeypatch, real_fashion_mnist):
    """The same recipe (SGD 0.01, batch 32, two epochs, 20% held out) on the same subset.

    12,000 training images (9,600 trained on) and 2,000 test images keep the two runs to a
    fifth of the full ones (~12 s of CPU each). The tolerance, 0.03: each accuracy on 2,000
    images carries a sampling error of ~0.010 (sqrt(0.7 * 0.3 / 2000)), so the difference of
    two independent runs ~0.014, and 0.03 is about two of those. Measured over seeds 0, 1
    and 2: Keras 0.711, 0.709, 0.702; tf.layers 0.705, 0.687, 0.685 (differences 0.007,
    0.022, 0.018). Here the seed is 0, as both programs run in the other tests.
    """
    real = fashion_mnist.load_data

    def subset(path=None):
        (x_train, y_train), (x_test, y_test) = real()
        return (x_train[:12000], y_train[:12000]), (x_test[:2000], y_test[:2000])
    for module in (fashion_mnist, keras_fashion_mnist):
        monkeypatch.setattr(module, "load_data", subset)
    keras_out, _ = _run("course_cnn.py", capsys, monkeypatch)
    keras_accuracy = _numbers(r"Test accuracy: ([0-9.]+)", keras_out)[0]
    tf1_out, _ = _run("tf1_layers_cnn.py", capsys, monkeypatch)
    tf1_accuracy = _numbers(r"Test accuracy: ([0-9.]+)", tf1_out)[0]
    print(f"\ntf.layers CNN {tf1_accuracy:.4f}, Keras CNN {keras_accuracy:.4f}")
    assert min(tf1_accuracy, keras_accuracy) > 0.7  # both learned (chance is 0.1)
    assert abs(tf1_accuracy - keras_accuracy) <= 0.03


def test_tf1_vae_loss_falls_and_the_latent_plane_separates_classes(capsys, monkeypatch,
                                                                    fake_fashion_mnist):
    fake_fashion_mnist(2000, 500)
    out, names = _run("tf1_vae.py", capsys, monkeypatch, "--quick")
    losses = _numbers(r"Epoch \d/3 - loss: ([0-9.]+)", out)
    assert len(losses) == 3 and losses[2] < losses[1] < losses[0]
    before, after = _numbers(r"Test loss (?:before|after) training: ([0-9.]+)", out)
    assert after < 0.8 * before
    # an encoder that ignored its input would put every class centre at the same point
    assert _numbers(r"latent plane: ([0-9.]+)", out)[0] > 0.1
    # eps took the batch's size at run time: 500 test images, 25 grid points
    assert names["means"].shape == (500, 2) and names["images"].shape == (25, 784)


def test_tf1_gan_moves_its_samples_onto_the_ring(capsys, monkeypatch):
    out, names = _run("tf1_gan.py", capsys, monkeypatch, "--quick")
    d_losses = _numbers(r"D loss: ([0-9.]+)", out)
    g_losses = _numbers(r"G loss: ([0-9.]+)", out)
    assert len(d_losses) == len(g_losses) == 5 and np.isfinite(d_losses + g_losses).all()
    before = _numbers(r"Before training: distance to the modes ([0-9.]+)", out)[0]
    after = _numbers(r"After training: distance to the modes ([0-9.]+)", out)[0]
    assert after < 0.5 * before  # starts ~1.3 from the modes, ends ~0.25
    assert int(re.search(r"After training: .* modes covered (\d)/8", out).group(1)) >= 4
    # each player trains only its own variables; the discriminator is one network used twice
    assert {v.name.split("/")[0] for v in names["D_vars"]} == {"discriminator"}
    assert {v.name.split("/")[0] for v in names["G_vars"]} == {"generator"}
    assert len(names["D_vars"]) == len(names["G_vars"]) == 6
