"""Keras 2 callbacks: EarlyStopping, TerminateOnNaN, LearningRateScheduler, ReduceLROnPlateau,
ModelCheckpoint and CSVLogger, driven by real fits on tiny data.

Where a test needs a monitored value to follow a known course, a `Script`
callback placed before the one under test writes it into the epoch's logs.
"""
import csv
import os

import numpy as np
import pytest

from passos.keras.callbacks import (Callback, CSVLogger, EarlyStopping, LearningRateScheduler,
                                    ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from passos.keras.layers import Dense
from passos.keras.models import Sequential, load_model
from passos.keras.optimizers import SGD


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x.sum(axis=1) > 0).astype(np.float32).reshape(-1, 1)


def classifier(learning_rate=0.1):
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)),
                        Dense(1, activation="sigmoid")])
    model.compile(SGD(learning_rate=learning_rate), "binary_crossentropy", metrics=["accuracy"])
    return model


class Script(Callback):
    """Sets logs[key] to values[epoch] at each epoch's end (before the callbacks after it)."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Recorder(Callback):
    """Records the learning rate at each epoch's start and end, logs, weights, batch count."""

    def __init__(self):
        super().__init__()
        self.lr_begin, self.lr_end, self.logs, self.weights, self.batches = [], [], [], [], 0

    def on_epoch_begin(self, epoch, logs=None):
        self.lr_begin.append(self.model.optimizer.learning_rate)

    def on_batch_end(self, batch, logs=None):
        self.batches += 1

    def on_epoch_end(self, epoch, logs=None):
        self.lr_end.append(self.model.optimizer.learning_rate)
        self.logs.append(dict(logs))
        self.weights.append(self.model.get_weights())


def fit(model, callbacks, epochs, **kwargs):
    x, y = data()
    return model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=callbacks, **kwargs)


# -- EarlyStopping -------------------------------------------------------------------------
def test_early_stopping_waits_patience_epochs_after_the_best():
    stop = EarlyStopping(monitor="val_loss", patience=3)
    history = fit(classifier(), [Script("val_loss", [1.0, 0.8, 0.9, 0.85, 0.81, 0.7, 0.6]),
                                 stop], 7)
    assert history.epoch == [0, 1, 2, 3, 4]
    assert stop.stopped_epoch == 4 and stop.best == 0.8


def test_early_stopping_min_delta_counts_small_gains_as_none():
    stop = EarlyStopping(monitor="val_loss", min_delta=0.05, patience=2)
    history = fit(classifier(), [Script("val_loss", [1.0, 0.97, 0.96, 0.5]), stop], 4)
    assert history.epoch == [0, 1, 2]


def test_early_stopping_auto_mode_maximises_accuracy():
    stop = EarlyStopping(monitor="val_acc", patience=2)
    history = fit(classifier(), [Script("val_acc", [0.5, 0.6, 0.6, 0.55, 0.9]), stop], 5)
    assert stop.monitor_op is np.greater
    assert history.epoch == [0, 1, 2, 3]


def test_early_stopping_baseline_must_be_beaten():
    stop = EarlyStopping(monitor="val_loss", patience=2, baseline=0.5)
    history = fit(classifier(), [Script("val_loss", [0.9, 0.8, 0.7, 0.6]), stop], 4)
    assert history.epoch == [0, 1]


def test_early_stopping_on_a_real_plateau():
    # learning rate 0: the validation loss never changes, so it never improves after epoch 0
    history = fit(classifier(learning_rate=0.0), [EarlyStopping(patience=1)], 10,
                  validation_split=0.25)
    assert history.epoch == [0, 1]


@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_restore_best_weights(restore):
    model, recorder = classifier(), Recorder()
    stop = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=restore)
    fit(model, [Script("val_loss", [1.0, 0.5, 0.7, 0.8, 0.9]), recorder, stop], 5)
    assert len(recorder.weights) == 4
    expected = recorder.weights[1] if restore else recorder.weights[3]
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(recorder.weights[1][0], recorder.weights[3][0])


def test_early_stopping_on_a_missing_value_is_an_error_listing_the_keys():
    with pytest.raises(ValueError, match=r"EarlyStopping: monitor='val_loss' is not in the logs "
                       r"\(pass validation_data or validation_split to fit\); "
                       r"available keys: accuracy, loss"):
        fit(classifier(), [EarlyStopping(monitor="val_loss")], 3)


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match=r"EarlyStopping: mode must be 'auto', 'min' or 'max', "
                       r"got 'maximum'"):
        EarlyStopping(mode="maximum")


# -- TerminateOnNaN --------------------------------------------------------------------------
def test_terminate_on_nan_stops_after_the_first_bad_batch(capsys):
    model, recorder = classifier(), Recorder()
    model.compile(SGD(learning_rate=0.1), "mse")
    x, y = data()
    y[:] = np.nan
    history = model.fit(x, y, batch_size=16, epochs=5, verbose=0,
                        callbacks=[recorder, TerminateOnNaN()])
    assert recorder.batches == 1 and history.epoch == [0]
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out


def test_terminate_on_nan_lets_finite_losses_train():
    recorder = Recorder()
    history = fit(classifier(), [recorder, TerminateOnNaN()], 2)
    assert recorder.batches == 8 and history.epoch == [0, 1]


# -- LearningRateScheduler -------------------------------------------------------------------
def test_scheduler_with_epoch_only():
    recorder = Recorder()
    fit(classifier(), [LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1)), recorder], 3)
    assert recorder.lr_begin == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert [logs["lr"] for logs in recorder.logs] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_scheduler_with_epoch_and_lr():
    recorder = Recorder()
    fit(classifier(learning_rate=0.2), [LearningRateScheduler(lambda epoch, lr: lr / 2),
                                        recorder], 3)
    assert recorder.lr_begin == pytest.approx([0.1, 0.05, 0.025])


def test_scheduler_rate_reaches_training():
    model = classifier()
    before = model.get_weights()
    fit(model, [LearningRateScheduler(lambda epoch: 0.0)], 2)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_scheduler_must_return_a_number():
    with pytest.raises(ValueError, match=r"LearningRateScheduler: schedule\(0\) must return a "
                       r"finite number, got 'fast'"):
        fit(classifier(), [LearningRateScheduler(lambda epoch: "fast")], 1)


# -- ReduceLROnPlateau -----------------------------------------------------------------------
def plateau_rates(epochs=8, **kwargs):
    recorder = Recorder()
    reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, **kwargs)
    fit(classifier(learning_rate=0.1), [Script("val_loss", [1.0] * epochs), reduce, recorder],
        epochs)
    assert [logs["lr"] for logs in recorder.logs] == pytest.approx(recorder.lr_begin)
    return recorder.lr_end


def test_reduce_lr_on_plateau_after_patience_epochs():
    assert plateau_rates(6) == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


def test_reduce_lr_on_plateau_cooldown():
    assert plateau_rates(6, cooldown=2) == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.05, 0.025])


def test_reduce_lr_on_plateau_min_lr():
    assert plateau_rates(8, min_lr=0.03) == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.03, 0.03,
                                                           0.03, 0.03])


def test_reduce_lr_on_plateau_keeps_the_rate_while_improving():
    recorder = Recorder()
    fit(classifier(), [Script("val_loss", [1.0, 0.9, 0.8, 0.7]),
                       ReduceLROnPlateau(patience=1), recorder], 4)
    assert recorder.lr_end == pytest.approx([0.1] * 4)


def test_reduce_lr_on_plateau_factor_must_shrink():
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: factor must be in \(0, 1\)"):
        ReduceLROnPlateau(factor=1.5)


# -- ModelCheckpoint -------------------------------------------------------------------------
def test_checkpoint_formats_file_names(tmp_path):
    model = classifier()
    pattern = str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.h5")
    history = fit(model, [ModelCheckpoint(pattern)], 3, validation_split=0.25)
    expected = {f"w.{epoch + 1:02d}-{loss:.2f}.h5"
                for epoch, loss in zip(history.epoch, history.history["val_loss"])}
    assert set(os.listdir(tmp_path)) == expected
    last = load_model(tmp_path / sorted(expected)[-1])
    x, _ = data()
    np.testing.assert_array_equal(last.predict(x), model.predict(x))


def test_checkpoint_save_best_only_saves_on_improvement(tmp_path):
    recorder = Recorder()
    checkpoint = ModelCheckpoint(str(tmp_path / "best.{epoch:02d}.h5"), save_best_only=True)
    fit(classifier(), [Script("val_loss", [1.0, 0.8, 0.9, 0.7, 0.75]), recorder, checkpoint], 5)
    assert sorted(os.listdir(tmp_path)) == ["best.01.h5", "best.02.h5", "best.04.h5"]
    assert checkpoint.best == 0.7
    for got, want in zip(load_model(tmp_path / "best.04.h5").get_weights(), recorder.weights[3]):
        np.testing.assert_array_equal(got, want)


def test_checkpoint_weights_only_and_period(tmp_path):
    model = classifier()
    fit(model, [ModelCheckpoint(str(tmp_path / "w{epoch}.h5"), save_weights_only=True,
                                period=2)], 5)
    assert sorted(os.listdir(tmp_path)) == ["w2.h5", "w4.h5"]
    fresh = classifier()
    fresh.load_weights(tmp_path / "w4.h5")
    assert all(np.isfinite(w).all() for w in fresh.get_weights())
    with pytest.raises(ValueError, match="holds only weights"):
        load_model(tmp_path / "w4.h5")


def test_checkpoint_monitoring_accuracy_keeps_the_highest(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "a{epoch}.h5"), monitor="val_acc",
                                 save_best_only=True)
    fit(classifier(), [Script("val_acc", [0.5, 0.7, 0.6, 0.8]), checkpoint], 4)
    assert sorted(os.listdir(tmp_path)) == ["a1.h5", "a2.h5", "a4.h5"]


def test_checkpoint_name_missing_from_logs(tmp_path):
    with pytest.raises(ValueError, match=r"ModelCheckpoint: filepath '.*w-\{val_loss:.2f\}.h5' "
                       r"refers to 'val_loss', which is not in the logs; available names: "
                       r"epoch, accuracy, loss"):
        fit(classifier(), [ModelCheckpoint(str(tmp_path / "w-{val_loss:.2f}.h5"))], 1)


def test_checkpoint_best_only_without_the_value_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="ModelCheckpoint: monitor='val_loss' is not in the logs"):
        fit(classifier(), [ModelCheckpoint(str(tmp_path / "w.h5"), save_best_only=True)], 1)
    assert os.listdir(tmp_path) == []


# -- CSVLogger -------------------------------------------------------------------------------
def read_csv(path, separator=","):
    with open(path, newline="") as file:
        return list(csv.reader(file, delimiter=separator))


def test_csv_logger_header_and_rows(tmp_path):
    path = tmp_path / "log.csv"
    history = fit(classifier(), [CSVLogger(path)], 3, validation_split=0.25)
    rows = read_csv(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    for column, key in enumerate(rows[0][1:], start=1):
        assert [float(row[column]) for row in rows[1:]] == history.history[key]


def test_csv_logger_append_and_overwrite(tmp_path):
    path = tmp_path / "log.csv"
    model = classifier()
    fit(model, [CSVLogger(path)], 2)
    fit(model, [CSVLogger(path, append=True)], 3)
    rows = read_csv(path)
    assert rows[0] == ["epoch", "accuracy", "loss"]
    assert [row[0] for row in rows] == ["epoch", "0", "1", "0", "1", "2"]
    fit(model, [CSVLogger(path)], 1)
    assert [row[0] for row in read_csv(path)] == ["epoch", "0"]


def test_csv_logger_append_to_a_new_file_writes_the_header(tmp_path):
    path = tmp_path / "new.csv"
    fit(classifier(), [CSVLogger(path, separator=";", append=True)], 1)
    rows = read_csv(path, ";")
    assert rows[0] == ["epoch", "accuracy", "loss"] and len(rows) == 2
