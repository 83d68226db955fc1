"""TF1-style programs (tf.nn, tf.train.AdamOptimizer, Session) learn Fashion-MNIST as Keras does.

The two examples run unchanged on small synthetic data, and on all of
Fashion-MNIST where it is installed (skipped elsewhere). There the TF1 test
accuracy must clear a floor of its own, so that both front ends failing alike
cannot pass: the course's PyTorch figures with plain SGD (0.827 feedforward,
0.800 CNN) less a margin, above what a model that only half learns reaches.
It must also be within one point of the equivalent Keras model's (same layers,
Adam 1e-3, batch 128, same epochs), or better.
"""
import re
import runpy
import time
from pathlib import Path

import numpy as np
import pytest

import passos
import passos.compat.v1 as tf
from passos.kernels.threads import compute_threads
from passos.data import fashion_mnist
from passos.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from passos.keras.models import Sequential
from passos.keras.optimizers import Adam
from passos.keras.utils import np_utils

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
SCRIPTS = ["tf1_softmax_classifier.py", "tf1_cnn.py"]
EPOCHS = {"tf1_softmax_classifier.py": 5, "tf1_cnn.py": 2}
FLOOR = {"tf1_softmax_classifier.py": 0.80, "tf1_cnn.py": 0.85}  # test accuracy, real data


def _run(script, capsys):
    """Run an example as a program: (its test accuracy, its output, its globals).

    Under compute_threads, as Keras' fit runs: a Session leaves BLAS its own
    threads, which stall on shared cores (the CNN took 4x as long).
    """
    passos.random.seed(0)
    with compute_threads():
        names = runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    out = capsys.readouterr().out
    return float(re.search(r"Test accuracy: ([0-9.]+)", out).group(1)), out, names


def _keras_equivalent(script):
    """The Keras model each TF1 example spells out by hand (softmax output, as the course writes it)."""
    model = Sequential()
    if script == "tf1_softmax_classifier.py":
        model.add(Dense(10, activation='softmax', input_shape=(784,)))
    else:
        model.add(Conv2D(32, (3, 3), padding='same', activation='relu', input_shape=(28, 28, 1)))
        model.add(MaxPooling2D(pool_size=(2, 2), padding='same'))
        model.add(Conv2D(32, (3, 3), padding='same', activation='relu'))
        model.add(MaxPooling2D(pool_size=(2, 2), padding='same'))
        model.add(Flatten())
        model.add(Dense(256, activation='relu'))
        model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=Adam(learning_rate=1e-3),
                  metrics=['accuracy'])
    return model


def _keras_accuracy(script):
    """Test accuracy of the Keras equivalent trained with the example's recipe on Fashion-MNIST."""
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    shape = (-1, 784) if script == "tf1_softmax_classifier.py" else (-1, 28, 28, 1)
    x_train = x_train.reshape(shape).astype('float32') / 255
    x_test = x_test.reshape(shape).astype('float32') / 255
    y_train, y_test = np_utils.to_categorical(y_train, 10), np_utils.to_categorical(y_test, 10)
    passos.random.seed(0)
    model = _keras_equivalent(script)
    model.fit(x_train, y_train, batch_size=128, epochs=EPOCHS[script], verbose=0)
    return float(model.evaluate(x_test, y_test, verbose=0)[1])


@pytest.mark.parametrize("script", SCRIPTS)
def test_tf1_program_runs_unchanged(script, capsys, fake_fashion_mnist):
    fake_fashion_mnist(1000, 200)
    accuracy, out, names = _run(script, capsys)
    assert f"Epoch {EPOCHS[script]}/{EPOCHS[script]}" in out
    assert accuracy > 0.9  # the classes are easy to tell apart
    # The graph holds the same weights as the Keras equivalent.
    sizes = [int(np.prod(v.shape)) for v in tf.trainable_variables()]
    assert sum(sizes) == _keras_equivalent(script).count_params()


@pytest.mark.parametrize("script", SCRIPTS)
def test_tf1_program_reaches_keras_accuracy(script, capsys, real_fashion_mnist):
    start = time.perf_counter()
    tf1_accuracy, _, _ = _run(script, capsys)
    tf1_seconds = time.perf_counter() - start
    start = time.perf_counter()
    keras_accuracy = _keras_accuracy(script)
    keras_seconds = time.perf_counter() - start
    print(f"\n{script}: TF1 test accuracy {tf1_accuracy:.4f} ({tf1_seconds:.0f} s), "
          f"Keras {keras_accuracy:.4f} ({keras_seconds:.0f} s)")
    assert tf1_accuracy >= FLOOR[script]
    assert tf1_accuracy >= keras_accuracy - 0.01
