"""Metric names in both Keras spellings: 'acc'/'accuracy', 'mae'/'mean_absolute_error' ...

Logs hold a metric under the name compile was given; history, callbacks' logs, monitor=,
ModelCheckpoint's filepath and CSVLogger's columns also answer to the other spelling.
"""
import csv
import io
import os

import numpy as np
import pytest

from passos.keras.callbacks import (Callback, CSVLogger, EarlyStopping, ModelCheckpoint,
                                    ReduceLROnPlateau)
from passos.keras.layers import Dense
from passos.keras.metric_names import Logs, other_spellings
from passos.keras.models import Sequential
from passos.keras.optimizers import SGD


def data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x.sum(axis=1) > 0).astype(np.float32).reshape(-1, 1)


def classifier(metrics=("accuracy",)):
    model = Sequential([Dense(4, activation="relu", input_shape=(4,)),
                        Dense(1, activation="sigmoid")])
    model.compile(SGD(lr=0.1), "binary_crossentropy", metrics=list(metrics))
    return model


def fit(model, callbacks=(), epochs=2, **kwargs):
    x, y = data()
    return model.fit(x, y, batch_size=16, epochs=epochs, verbose=kwargs.pop("verbose", 0),
                     callbacks=list(callbacks), **kwargs)


class Script(Callback):
    """Sets logs[key] to values[epoch] at each epoch's end (before the callbacks after it)."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


def test_logs_answer_both_spellings_and_list_each_value_once():
    logs = Logs(loss=1.0, accuracy=0.5, val_mae=0.2, mean_squared_error=3.0)
    assert logs["acc"] == logs["accuracy"] == 0.5 and logs.get("val_mean_absolute_error") == 0.2
    assert logs["MSE"] == logs["mse"] == 3.0 and "val_MAE" in logs and "val_acc" not in logs
    assert list(logs) == ["loss", "accuracy", "val_mae", "mean_squared_error"]
    assert logs.get("val_acc", "none") == "none"
    with pytest.raises(KeyError, match=r"'val_acc' is not in the logs \(pass validation_data or "
                       r"validation_split to fit\); available keys: loss, accuracy, val_mae"):
        logs["val_acc"]
    assert other_spellings("val_kld") == ("val_KLD", "val_kullback_leibler_divergence")


@pytest.mark.parametrize("written,other", [("accuracy", "acc"), ("acc", "accuracy")])
def test_history_keys_as_written_and_found_by_either_name(written, other):
    history = fit(classifier([written]), validation_split=0.25)
    assert sorted(history.history) == sorted(["loss", written, "val_loss", "val_" + written])
    assert history.history[other] is history.history[written]
    assert history.history["val_" + other] is history.history["val_" + written]
    assert other in history.history


def test_regression_metrics_in_both_spellings():
    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile("sgd", "mse", metrics=["mae", "mean_squared_error"])
    x, y = data()
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y))
    logged = history.history
    assert logged["mean_absolute_error"] is logged["mae"]
    assert logged["val_mse"] is logged["val_mean_squared_error"]


def test_a_keras_2_2_callback_reading_acc_sees_accuracy():
    class StopAtAccuracy(Callback):  # the classic course callback, written for Keras 2.2
        def on_epoch_end(self, epoch, logs=None):
            if logs.get("acc") > 0.0:
                self.model.stop_training = True

    assert fit(classifier(["accuracy"]), [StopAtAccuracy()], epochs=5).epoch == [0]


@pytest.mark.parametrize("monitor,logged", [("val_acc", "val_accuracy"), ("acc", "accuracy"),
                                            ("val_accuracy", "val_acc")])
def test_early_stopping_monitors_the_other_spelling(monitor, logged):
    stop = EarlyStopping(monitor=monitor, patience=1)
    metric = logged.replace("val_", "")
    history = fit(classifier([metric]), [Script(logged, [0.6, 0.9, 0.8, 0.95]), stop], epochs=4,
                  validation_split=0.25)
    assert history.epoch == [0, 1, 2] and stop.best == 0.9


def test_checkpoint_on_val_acc_saves_the_best_epochs(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m{epoch}-{val_acc:.2f}.h5"), monitor="val_acc",
                                 save_best_only=True)
    fit(classifier(["accuracy"]), [Script("val_accuracy", [0.5, 0.75, 0.6, 0.875]), checkpoint],
        epochs=4, validation_split=0.25)
    assert sorted(os.listdir(tmp_path)) == ["m1-0.50.h5", "m2-0.75.h5", "m4-0.88.h5"]


def test_reduce_lr_on_plateau_monitors_acc():
    model = classifier(["accuracy"])
    reduce = ReduceLROnPlateau(monitor="acc", factor=0.5, patience=1, min_delta=0)
    fit(model, [Script("accuracy", [0.5, 0.5, 0.5]), reduce], epochs=3)
    assert model.optimizer.lr == pytest.approx(0.025)


@pytest.mark.parametrize("make", [
    lambda: EarlyStopping(monitor="val_acc"),
    lambda: ReduceLROnPlateau(monitor="top5"),
    lambda: ModelCheckpoint(os.devnull, monitor="accuracy_score", save_best_only=True)])
def test_a_monitor_that_matches_nothing_is_an_error_listing_the_keys(make):
    callback = make()
    with pytest.raises(ValueError, match=rf"{type(callback).__name__}: monitor='{callback.monitor}' "
                       r"is not in the logs.*; available keys: acc, loss"):
        fit(classifier(["acc"]), [callback], epochs=1)


def test_csv_logger_fills_an_old_files_columns_from_either_spelling(tmp_path):
    path = tmp_path / "log.csv"
    fit(classifier(["acc"]), [CSVLogger(path)], epochs=1, validation_split=0.25)
    history = fit(classifier(["accuracy"]), [CSVLogger(path, append=True)], epochs=2,
                  validation_split=0.25)
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["epoch", "acc", "loss", "val_acc", "val_loss"] and len(rows) == 4
    assert [float(r[1]) for r in rows[2:]] == history.history["accuracy"]
    assert [float(r[3]) for r in rows[2:]] == history.history["val_accuracy"]


@pytest.mark.parametrize("written", ["acc", "accuracy"])
def test_progress_line_names_the_metric_as_written(written, monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    fit(classifier([written]), epochs=1, verbose=2, validation_split=0.25)
    line = out.getvalue().splitlines()[-1]
    assert f" - {written}: " in line and f" - val_{written}: " in line


def test_crossentropy_metric_by_either_name():
    history = fit(classifier(["ce", "crossentropy"]), epochs=1)
    np.testing.assert_allclose(history.history["ce"], history.history["loss"], rtol=1e-5)
    assert history.history["crossentropy"] == history.history["ce"]
