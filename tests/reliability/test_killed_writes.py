"""Writers killed at random moments leave the old file or a whole new one, never part of one.

A forked child writes the same path over and over and is SIGKILLed (see
kill_while_writing in conftest.py): figures, `passos train` reports and the
Keras CSV log. TensorBoard event files are not here: like TensorFlow's, they
are append-only streams of CRC-checked records, and readers skip a torn tail.
"""
import csv
import io
import json

import numpy as np
import pytest

from passos import train_command
from passos.keras.callbacks import Callback, CSVLogger
from passos.keras.layers import Dense
from passos.keras.models import Sequential

PNG_END = b"IEND\xaeB`\x82"  # the last chunk of every whole PNG


def test_a_killed_figure_save_leaves_a_whole_png_or_none(tmp_path, killed_writes):
    pytest.importorskip("matplotlib", reason="passos.plots needs the [plots] extra")
    from passos import plots
    fig = plots._figure(figsize=(3, 3))
    fig.add_subplot().imshow(np.random.default_rng(0).random((200, 200)))  # noise: a large PNG
    path = tmp_path / "figure.png"
    torn = killed_writes(lambda: plots._save(fig, path), path,
                         lambda data: data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(PNG_END))
    assert torn  # some kills did land in the middle of a save


def test_a_killed_report_write_leaves_whole_metrics_json_or_none(tmp_path, killed_writes):
    history = {"loss": np.random.default_rng(1).random(20000).tolist()}
    report = {"model": "dfn", "history": history, "test_accuracy": 0.9}
    path = tmp_path / "metrics.json"

    def whole(data):
        try:
            return json.loads(data) == report
        except ValueError:  # cut short
            return False
    # most kills land while the report is being formatted, before any file is opened
    killed_writes(lambda: train_command._write_json(path, report), path, whole)


class LongLog(Callback):
    """Adds a long array to each epoch's logs: its CSV cell is written in many pieces."""

    def on_epoch_end(self, epoch, logs=None):
        logs["trace"] = np.full(20000, epoch, np.int64)


def test_a_killed_fit_leaves_whole_csv_rows(tmp_path, killed_writes):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(8, 3)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    path = tmp_path / "log.csv"

    def fit():  # appends 3 rows to the log each time
        model.fit(x, y, epochs=3, verbose=0, callbacks=[LongLog(), CSVLogger(path, append=True)])

    def whole(data):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        trace = rows[0].index("trace") if rows else None
        return (data == b"" or data.endswith(b"\n")) and (not rows or (
            rows[0] == ["epoch", "loss", "trace"] and
            all(len(row) == 3 and row[trace] == "[" + ", ".join([row[0]] * 20000) + "]"
                for row in rows[1:])))
    assert killed_writes(fit, path, whole)
