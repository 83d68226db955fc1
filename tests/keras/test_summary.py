"""model.summary() prints what Keras 2.2.4 prints: the expected texts are written out by hand."""
import pytest

from passos.keras import backend as K
from passos.keras.layers import Concatenate, Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D
from passos.keras.models import Model, Sequential
from passos.keras.utils import print_summary

DFN = """\
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense_1 (Dense)              (None, 128)               100480    
_________________________________________________________________
dense_2 (Dense)              (None, 128)               16512     
_________________________________________________________________
dense_3 (Dense)              (None, 128)               16512     
_________________________________________________________________
dense_4 (Dense)              (None, 10)                1290      
=================================================================
Total params: 134,794
Trainable params: 134,794
Non-trainable params: 0
_________________________________________________________________"""

CNN = """\
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d_1 (Conv2D)            (None, 28, 28, 32)        320       
_________________________________________________________________
max_pooling2d_1 (MaxPooling2 (None, 14, 14, 32)        0         
_________________________________________________________________
conv2d_2 (Conv2D)            (None, 14, 14, 32)        9248      
_________________________________________________________________
max_pooling2d_2 (MaxPooling2 (None, 7, 7, 32)          0         
_________________________________________________________________
dropout_1 (Dropout)          (None, 7, 7, 32)          0         
_________________________________________________________________
flatten_1 (Flatten)          (None, 1568)              0         
_________________________________________________________________
dense_1 (Dense)              (None, 256)               401664    
_________________________________________________________________
dropout_2 (Dropout)          (None, 256)               0         
_________________________________________________________________
dense_2 (Dense)              (None, 10)                2570      
=================================================================
Total params: 413,802
Trainable params: 413,802
Non-trainable params: 0
_________________________________________________________________"""


def summary_text(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def fresh_names():
    K.clear_session()  # layer numbers start at 1, as in a fresh Keras session
    yield
    K.clear_session()


def test_course_dfn_summary_is_keras_text():
    model = Sequential()
    model.add(Dense(128, activation="relu", input_shape=(784,)))
    for units, activation in ((128, "relu"), (128, "relu"), (10, "softmax")):
        model.add(Dense(units, activation=activation))
    assert model.name == "sequential_1"
    assert summary_text(model) == DFN


def test_course_cnn_summary_is_keras_text():
    model = Sequential([
        Conv2D(32, (3, 3), padding="same", activation="relu", input_shape=(28, 28, 1)),
        MaxPooling2D(pool_size=(2, 2)), Conv2D(32, (3, 3), padding="same", activation="relu"),
        MaxPooling2D(pool_size=(2, 2)), Dropout(0.25), Flatten(), Dense(256, activation="relu"),
        Dropout(0.5), Dense(10, activation="softmax")])
    assert summary_text(model) == CNN
    lines = []
    print_summary(model, print_fn=lines.append)
    assert "\n".join(lines) == CNN


def test_functional_chain_lists_its_input_layer_and_frozen_weights():
    x = Input(shape=(3,))
    hidden = Dense(4, name="hidden")
    model = Model(x, Dense(2)(hidden(x)))
    hidden.trainable = False
    assert summary_text(model, line_length=50, positions=[.5, .8, 1.]).split("\n") == [
        "_" * 50,
        "Layer (type)             Output Shape   Param #   ",
        "=" * 50,
        "input_1 (InputLayer)     (None, 3)      0         ",
        "_" * 50,
        "hidden (Dense)           (None, 4)      16        ",
        "_" * 50,
        "dense_1 (Dense)          (None, 2)      10        ",
        "=" * 50,
        "Total params: 26", "Trainable params: 10", "Non-trainable params: 16", "_" * 50]


def test_merges_print_connected_to():
    a, b = Input(shape=(2,), name="a"), Input(shape=(3,), name="b")
    dense = Dense(2)
    model = Model([a, b], Concatenate(name="pair")([dense(a), b]))
    text = []
    print_summary(model, print_fn=text.append, positions=[30, 50, 60, 90])
    assert text[1] == "Layer (type)                  Output Shape        Param #   Connected to" + " " * 18
    assert text[3:9] == [
        "a (InputLayer)                (None, 2)           0         " + " " * 30,
        "_" * 98,
        "dense_1 (Dense)               (None, 2)           6         a[0][0]" + " " * 23,
        "_" * 98,
        "b (InputLayer)                (None, 3)           0         " + " " * 30,
        "_" * 98]
    assert text[9:12] == ["pair (Concatenate)            (None, 5)           0         dense_1[0][0]"
                          + " " * 17, " " * 59 + " b[0][0]" + " " * 23, "=" * 98]
