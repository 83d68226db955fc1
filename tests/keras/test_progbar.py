"""keras.utils.Progbar: Keras 2.2.4's text, averaging and stateful metrics; fit prints with it.

A fake clock makes the times in the text exact. pytest's captured stdout is no terminal, so
a bar writes only its finished line there; the `terminal` fixture makes the bars redraw in
place (as on a terminal), and `lines` reads each redraw as a line. In Jupyter: test_progbar_notebook.
"""
import re
import sys
import types

import numpy as np
import pytest

from passos.keras import callbacks
from passos.keras import utils
from passos.keras.layers import Dense
from passos.keras.models import Sequential
from passos.keras.utils import generic_utils
from passos.keras.utils.generic_utils import Progbar


@pytest.fixture
def clock(monkeypatch):
    """clock(t) sets the time Progbar reads, in seconds since the bar was made."""
    now = [0.0]
    monkeypatch.setattr(generic_utils, "perf_counter", lambda: now[0])

    def set_time(seconds):
        now[0] = seconds
    return set_time


@pytest.fixture
def terminal(monkeypatch):
    """Bars made now redraw in place, as on a terminal."""
    monkeypatch.setattr(generic_utils, "is_terminal", lambda: True)


def lines(capsys):
    """The output's lines, each in-place redraw a line of its own (blanks at the end dropped)."""
    parts = [part.rstrip() for part in re.split(r"[\r\n]", capsys.readouterr().out)]
    return [part for part in parts[:-1] if part] + [parts[-1]]


def test_one_name_across_keras_import_paths():
    assert utils.Progbar is generic_utils.Progbar is callbacks.Progbar


def test_update_and_add_write_keras_lines(clock, capsys, terminal):
    bar = Progbar(100, interval=0)
    clock(0.5)
    bar.update(10, [("loss", 1.0), ("acc", 0.25)])
    clock(2.5)
    bar.add(40, [("loss", 0.0001), ("acc", 0.75)])
    clock(4.0)
    bar.update(100, [("loss", 0.5)])
    assert lines(capsys) == [
        " 10/100 [==>...........................] - ETA: 4s - loss: 1.0000 - acc: 0.2500",
        " 50/100 [==============>...............] - ETA: 2s - loss: 0.2001 - acc: 0.6500",
        "100/100 [==============================] - 4s 40ms/step - loss: 0.3500 - acc: 0.6500",
        ""]


def test_values_average_weighted_by_steps_stateful_ones_shown_as_given(clock, capsys, terminal):
    bar = Progbar(12, width=10, interval=0, stateful_metrics=["auc"])
    bar.update(2, [("loss", 1.0), ("auc", 0.9)])
    bar.update(6, [("loss", 3.0), ("auc", 0.4)])  # 4 steps of 3.0 after 2 of 1.0
    bar.add(6, [("loss", 2e-6), ("auc", 0.5)])
    assert lines(capsys)[1:3] == [
        " 6/12 [====>.....] - ETA: 0s - loss: 2.3333 - auc: 0.4000",
        "12/12 [==========] - 0s 0us/step - loss: 1.1667 - auc: 0.5000"]
    bar = Progbar(3, interval=0)
    bar.update(3, {"tiny": -1e-5})  # small values in e-notation; a dict works too
    assert lines(capsys)[0].endswith(" - tiny: -1.0000e-05")


def test_unknown_target_counts_up_and_every_update_draws(clock, capsys):
    bar = Progbar(None, interval=100)
    clock(0.9)
    bar.add(3, [("loss", 2.0)])
    clock(1.4)
    bar.add(4, [("loss", 1.0)])
    assert lines(capsys) == ["      3/Unknown - 1s 300ms/step - loss: 2.0000",
                             "      7/Unknown - 1s 200ms/step - loss: 1.4286", ""]


def test_redraws_wait_for_the_interval_but_the_last_always_shows(clock, capsys, terminal):
    bar = Progbar(5, width=5)  # interval 0.05s, counted from the last redraw
    for step, t in enumerate([0.0, 0.03, 0.06, 0.09, 0.1], start=1):
        clock(t)
        bar.update(step)
    assert lines(capsys) == ["1/5 [>....] - ETA: 0s", "3/5 [==>..] - ETA: 0s",
                             "5/5 [=====] - 0s 20ms/step", ""]


def test_a_file_or_pipe_gets_only_the_finished_line(clock, capsys):
    bar = Progbar(3, width=3, interval=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 1.0)])
    assert capsys.readouterr().out == ""  # a log keeps one line per epoch
    clock(3.0)
    bar.update(3, [("loss", 4.0)])
    assert capsys.readouterr().out == "3/3 [===] - 3s 1s/step - loss: 2.0000\n"


def test_verbose_2_writes_one_line_at_the_end(clock, capsys):
    bar = Progbar(7, verbose=2)
    bar.add(3, [("loss", 2.0)])
    assert capsys.readouterr().out == ""
    clock(75.0)
    bar.add(4, [("loss", 1.0)])
    assert capsys.readouterr().out == " - 75s - loss: 1.4286\n"
    Progbar(7, verbose=0).update(7, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_long_waits_show_minutes_and_hours(clock, capsys, terminal):
    bar = Progbar(1000, interval=0)
    clock(3700.0)
    bar.update(1, [])
    clock(7260.0)
    bar.update(980, [])
    clock(7400.0)
    bar.update(1000, [])
    out = lines(capsys)
    assert out[0].endswith("- ETA: 1026:45:00") and out[1].endswith("- ETA: 2:28")
    assert out[2].endswith("- 7400s 7s/step")


def test_ipykernel_imported_without_a_running_kernel_is_no_notebook(clock, capsys, monkeypatch):
    pytest.importorskip("IPython", reason="a notebook needs IPython")
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    bar = Progbar(2, interval=0)
    bar.update(1, [])
    assert capsys.readouterr().out == ""  # a pipe: the finished line only
    bar.update(2, [])
    assert capsys.readouterr().out.count("\n") == 1


def test_a_terminal_redraws_in_place(clock, capsys, terminal):
    bar = Progbar(2, width=2, interval=0, stateful_metrics=["m"])
    bar.update(1, [("m", 123456789.0)])
    bar.update(2, [("m", 1.0)])
    first = "1/2 [>.] - ETA: 0s - m: 123456789.0000"
    last = "2/2 [==] - 0s 0us/step - m: 1.0000"  # and blanks over the rest of the longer line
    assert capsys.readouterr().out == "\r" + first + "\r" + last + "    \n"


# -- fit prints through it ---------------------------------------------------------------------------
def test_fit_prints_keras_bars_counting_samples_or_steps(capsys, terminal):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(40, 4)).astype(np.float32), rng.integers(0, 3, 40)
    model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, validation_split=0.25, verbose=1).history
    out = lines(capsys)
    assert out[0] == "Epoch 1/1" and out[1].startswith("16/30 [===============>......") \
        and out[-1] == ""
    assert re.fullmatch(r"30/30 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: \d\.\d{4} - "
                        r"accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}",
                        out[-2])
    for name in ("loss", "accuracy", "val_loss"):  # the epoch's averages, as History has them
        assert f" - {name}: {history[name][0]:.4f}" in out[-2]

    def batches():
        while True:
            yield x[:10], y[:10]
    model.fit_generator(batches(), steps_per_epoch=4, verbose=1)
    assert re.match(r"4/4 \[={30}\] - \d+s ", lines(capsys)[-2])


def test_progbar_logger_shows_batch_averages_and_adds_validation_at_the_end(capsys, terminal):
    logger = callbacks.ProgbarLogger("steps")
    logger.set_params({"verbose": 1, "epochs": 1, "steps": 2, "samples": None,
                       "metrics": ["loss", "val_loss"]})
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    logger.on_batch_end(0, {"batch": 0, "size": 8, "loss": 1.0})
    logger.on_batch_end(1, {"batch": 1, "size": 8, "loss": 3.0, "lr": 0.1})
    logger.on_epoch_end(0, {"loss": 2.5, "val_loss": 0.5, "lr": 0.1})
    out = lines(capsys)
    assert out[:2] == ["Epoch 1/1", "1/2 [==============>...............] - ETA: 0s - loss: 1.0000"]
    assert out[2].endswith(" - loss: 2.0000 - val_loss: 0.5000") and out[3:] == [""]


def test_progbar_logger_checks_its_count_mode():
    with pytest.raises(ValueError, match=r"^ProgbarLogger: count_mode must be 'samples' or "
                                         r"'steps', got 'batches'$"):
        callbacks.ProgbarLogger("batches")
