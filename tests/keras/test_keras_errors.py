"""The Keras API's clear errors: who failed, what, both shapes, and the fix."""
import re

import numpy as np
import pytest

import passos as P
from passos.keras import activations, initializers, losses, optimizers
from passos.keras.layers import Dense, Flatten, Input, Reshape
from passos.keras.models import Model, Sequential


def ones(*shape):
    return P.tensor(np.ones(shape, np.float32))


def classifier(dim=784, classes=10, loss="categorical_crossentropy"):
    model = Sequential([Dense(8, activation="relu", input_shape=(dim,)),
                        Dense(classes, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    return model


# -- Dense shape mismatches -------------------------------------------------------------------
def test_dense_wrong_last_dimension_names_layer_and_shapes():
    layer = Dense(4, name="dense_probe")
    layer(ones(2, 5))
    with pytest.raises(ValueError, match=r"^Dense 'dense_probe' expects inputs with last "
                                         r"dimension 5, got shape \(2, 6\)$"):
        layer(ones(2, 6))


def test_dense_fed_images_hints_flatten():
    layer = Dense(128, name="dense_2")
    layer(ones(1, 784))
    with pytest.raises(ValueError, match=r"^Dense 'dense_2' expects inputs with last dimension "
                                         r"784, got shape \(32, 28, 28\); did you forget "
                                         r"Flatten\(\)\?$"):
        layer(ones(32, 28, 28))


def test_dense_wrong_dimension_in_functional_wiring():
    layer = Dense(4, name="dense_wired")
    inputs = Input(shape=(5,))
    layer(inputs)
    with pytest.raises(ValueError, match=r"Dense 'dense_wired' expects inputs with last "
                                         r"dimension 5, got shape \((None|\?), 3\)"):
        layer(Input(shape=(3,)))


def test_model_fed_wrong_input_shape_names_both_shapes():
    model = classifier()
    with pytest.raises(ValueError, match=r"model '.+' expects inputs of shape \((None|\?), 784\), "
                                         r"got \(5, 28, 28\)"):
        model.fit(np.ones((5, 28, 28)), np.eye(10)[:5], verbose=0)
    with pytest.raises(ValueError, match=r"\((None|\?), 784\).*\(3, 783\)"):
        model.predict(np.ones((3, 783)))


def test_dense_needs_known_last_dimension():
    with pytest.raises(ValueError, match=r"Dense '.+' needs inputs with a known last dimension"):
        Dense(3)(Input(batch_shape=(None, None)))


def test_flatten_and_reshape_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"^Reshape 'rs_probe' cannot reshape inputs of shape "
                                         r"\(3, 12\) \(12 values per sample\) to \(5, 2\)$"):
        Reshape((5, 2), name="rs_probe")(ones(3, 12))
    with pytest.raises(ValueError, match=r"Flatten '.+' needs the non-batch dimensions known"):
        Flatten()(Input(batch_shape=(None, None, 3)))


# -- targets that do not fit the loss -------------------------------------------------------------
@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_categorical_crossentropy_with_integer_labels(shape):
    model = classifier()
    labels = np.arange(6).reshape(shape)
    message = (r"^categorical_crossentropy expects targets shaped like the model's output "
               r"\(None, 10\), got shape " + re.escape(str(shape)) + r"; these look like integer "
               r"labels: use to_categorical\(y, 10\) or loss='sparse_categorical_crossentropy'$")
    with pytest.raises(ValueError, match=message):
        model.fit(np.ones((6, 784)), labels, verbose=0)
    with pytest.raises(ValueError, match="to_categorical"):
        model.evaluate(np.ones((6, 784)), labels, verbose=0)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        model.train_on_batch(np.ones((6, 784)), labels)


def test_sparse_categorical_crossentropy_with_one_hot_targets():
    model = classifier(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"^sparse_categorical_crossentropy expects integer class "
                                         r"labels of shape \(6,\), got targets of shape \(6, 10\) "
                                         r"\(one-hot\?\); use loss='categorical_crossentropy'"):
        model.fit(np.ones((6, 784)), np.eye(10)[:6], verbose=0)


def test_sparse_labels_out_of_range():
    model = classifier(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\).*10"):
        model.fit(np.ones((3, 784)), np.array([0, 1, 10]), verbose=0)


def test_regression_targets_of_the_wrong_width():
    model = Sequential([Dense(3, input_shape=(4,))])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"^mean_squared_error expects targets shaped like the "
                                         r"model's output \(None, 3\), got shape \(5, 2\)$"):
        model.fit(np.ones((5, 4)), np.ones((5, 2)), verbose=0)


def test_binary_crossentropy_with_two_columns():
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"binary_crossentropy .*\(None, 1\), got shape \(5, 2\)"):
        model.fit(np.ones((5, 4)), np.ones((5, 2)), verbose=0)


# -- order of calls and arguments ------------------------------------------------------------------
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_training_before_compile(method):
    model = Sequential([Dense(2, input_shape=(3,))])
    what = "evaluate" if method in ("evaluate", "test_on_batch") else "fit"
    with pytest.raises(RuntimeError, match=rf"^model '.+' must be compiled before {what}: call "
                                           r"model\.compile\(optimizer=\.\.\., loss=\.\.\.\) first$"):
        kwargs = {"verbose": 0} if method in ("fit", "evaluate") else {}
        getattr(model, method)(np.ones((4, 3)), np.ones((4, 2)), **kwargs)
    # predict needs no compile
    assert model.predict(np.ones((4, 3))).shape == (4, 2)


def test_compile_without_loss():
    """Keras allows loss=None (the loss may come from add_loss); with none, fit says so."""
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match=r"fit: model '\w+' has no output with a loss .* takes no y"):
        model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    with pytest.raises(ValueError, match=r"model '\w+' has no loss to optimize: give compile\(\) a "
                                         r"loss, or add one with model.add_loss"):
        model.fit(np.ones((4, 3)), verbose=0)


def test_x_and_y_length_mismatch():
    model = classifier(dim=4, classes=3)
    with pytest.raises(ValueError, match=r"^fit: x has 10 samples but y has 9; they must match$"):
        model.fit(np.ones((10, 4)), np.eye(3)[[0] * 9], verbose=0)
    with pytest.raises(ValueError, match=r"^evaluate: x has 10 samples but y has 11"):
        model.evaluate(np.ones((10, 4)), np.eye(3)[[0] * 11], verbose=0)


def test_sample_weight_length_and_validation_split():
    model = classifier(dim=4, classes=3)
    x, y = np.ones((10, 4)), np.eye(3)[[0] * 10]
    with pytest.raises(ValueError, match=r"sample_weight has 9 values for 10 samples"):
        model.fit(x, y, sample_weight=np.ones(9), verbose=0)
    with pytest.raises(ValueError, match=r"fit: validation_split must be a number in \[0, 1\), got 1\.5"):
        model.fit(x, y, validation_split=1.5, verbose=0)


def test_fit_unknown_argument():
    model = classifier(dim=4, classes=3)
    with pytest.raises(TypeError, match=r"fit: unknown argument\(s\) \['epoch'\]"):
        model.fit(np.ones((4, 4)), np.eye(3)[[0] * 4], epoch=3, verbose=0)


# -- unknown names ---------------------------------------------------------------------------------
def test_unknown_loss_name():
    model = Sequential([Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match=r"^unknown loss 'mean_square_error'; choose one of .*"
                                         r"'mean_squared_error'"):
        model.compile(optimizer="sgd", loss="mean_square_error")
    with pytest.raises(ValueError, match="unknown loss"):
        losses.get("crossentropy")


def test_unknown_optimizer_name():
    model = Sequential([Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match=r"^unknown optimizer 'adamm'; choose one of \[.*'adam'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.get("nadamx")


def test_unknown_activation_name():
    with pytest.raises(ValueError, match=r"^unknown activation 'relux'; choose one of \[.*'relu'"):
        Dense(3, activation="relux")
    with pytest.raises(ValueError, match="unknown activation 'softplusx'"):
        activations.get("softplusx")


def test_unknown_initializer_name():
    with pytest.raises(ValueError, match=r"^unknown initializer 'glorot'; use e\.g\. "
                                         r"'glorot_uniform'"):
        Dense(3, kernel_initializer="glorot")
    with pytest.raises(ValueError, match="unknown initializer"):
        initializers.get("he")


def test_unknown_metric_name():
    model = Sequential([Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match=r"unknown metric 'acuracy'; use 'accuracy'"):
        model.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])


def test_functional_outputs_not_from_inputs():
    with pytest.raises(ValueError, match=r"Model: the outputs .* are not computed from the given "
                                         r"inputs"):
        Model(Input(shape=(3,)), Dense(2)(Input(shape=(3,))))


def test_get_layer_unknown_name_lists_layers():
    model = Sequential([Dense(2, input_shape=(3,), name="only_layer")])
    with pytest.raises(ValueError, match=r"no layer named 'missing'.*\['only_layer'\]"):
        model.get_layer("missing")
