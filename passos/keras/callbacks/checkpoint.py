"""Callbacks that write files during training: ModelCheckpoint (the model) and CSVLogger (the logs)."""
import csv
import io
import os

import numpy as np

from ...io import atomic_write
from ..metric_names import Logs, lookup
from .base import Callback
from .control import monitor_op, monitored_value


class ModelCheckpoint(Callback):
    """Save the model (or its weights) every `period` epochs, or only when `monitor` improves.

    `filepath` may name the epoch (counting from 1) and any log value:
    'w.{epoch:02d}-{val_loss:.2f}.h5' -> 'w.03-0.41.h5'. Whatever the extension,
    the file is a passos archive (read it with load_model or load_weights). `monitor` and
    the names in `filepath` may use either Keras spelling ('val_acc' or 'val_accuracy').

    >>> import os, tempfile
    >>> import numpy as np
    >>> from passos.keras.models import Sequential
    >>> from passos.keras.layers import Dense
    >>> x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    >>> y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
    >>> model = Sequential([Dense(1, activation="sigmoid", input_shape=(3,))])
    >>> model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     checkpoint = ModelCheckpoint(os.path.join(folder, 'best.h5'), monitor='val_acc',
    ...                                  save_best_only=True)
    ...     _ = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[checkpoint])
    ...     os.listdir(folder)
    ['best.h5']
    """

    writes_files = True  # a distributed fit runs it on rank 0 only

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", period=1):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose, self.period = monitor, verbose, period
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.monitor_op = monitor_op("ModelCheckpoint", monitor, mode)
        # the best value so far survives several fit calls, as in Keras
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.epochs_since_last_save = 0

    def _format(self, epoch, logs):
        try:
            return self.filepath.format_map(Logs(logs, epoch=epoch + 1))
        except (KeyError, IndexError) as error:
            available = ", ".join(["epoch"] + sorted(logs))
            raise ValueError(f"ModelCheckpoint: filepath {self.filepath!r} refers to "
                             f"{error.args[0]!r}, which is not in the logs; available names: "
                             f"{available}") from None

    def _save(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self._format(epoch, logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1:05d}: saving model to {filepath}")
            self._save(filepath)
            return
        current = monitored_value("ModelCheckpoint", logs, self.monitor)
        if self.monitor_op(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1:05d}: {self.monitor} improved from {self.best:0.5f} "
                      f"to {current:0.5f}, saving model to {filepath}")
            self.best = current
            self._save(filepath)
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: {self.monitor} did not improve from "
                  f"{self.best:0.5f}")


class CSVLogger(Callback):
    """Write one row per epoch to a CSV file: 'epoch' (from 0), then the log keys sorted.

    With append=True, rows are added to an existing file under its header's columns, which
    may use the other Keras spelling of a metric ('acc' fills from 'accuracy'). Each epoch
    rewrites the whole file atomically: a crash mid-write leaves the previous epoch's file.

    >>> logger = CSVLogger('training.log', separator=',', append=False)
    """

    writes_files = True  # a distributed fit runs it on rank 0 only

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys = self.text = None
        self.append_header = True

    def on_train_begin(self, logs=None):
        self.text = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="", encoding="utf-8") as existing:
                self.text = existing.read()
        self.append_header = not self.text
        header = next(csv.reader(io.StringIO(self.text), delimiter=self.sep), None)
        self.keys = header[1:] if header and header[0] == "epoch" else None
        atomic_write(self.filename, self.text)  # as Keras' open(): the file exists from here on

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        rows = io.StringIO(newline="")
        writer = csv.DictWriter(rows, fieldnames=["epoch"] + self.keys, delimiter=self.sep,
                                lineterminator="\n")
        if self.append_header:
            writer.writeheader()
            self.append_header = False
        writer.writerow({"epoch": epoch, **{key: _cell(lookup(logs, key, "NA")) for key in self.keys}})
        self.text += rows.getvalue()
        atomic_write(self.filename, self.text)

    def on_train_end(self, logs=None):
        self.text = None


def _cell(value):
    """A log value as one CSV cell: numbers as they are, sequences as "[a, b]"."""
    if isinstance(value, str) or np.ndim(value) == 0:
        return value
    return "[" + ", ".join(map(str, np.ravel(value))) + "]"
