"""tf.flags / tf.app.run, tf.py_func / tf.numpy_function and tf.Print, with TF1's behaviour."""
import sys

import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.compat.v1.flags import FlagValues

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture


def define_all(values):
    f = tf.flags
    f.DEFINE_string("name", "mnist", "data set", flag_values=values)
    f.DEFINE_integer("steps", 10, "steps", lower_bound=1, flag_values=values)
    f.DEFINE_float("lr", 0.1, "rate", flag_values=values)
    f.DEFINE_boolean("fast", False, "quick run", flag_values=values)
    f.DEFINE_bool("verbose", True, "talk", flag_values=values)
    f.DEFINE_list("layers", "32,16", "sizes", flag_values=values)


def test_flags_defaults_and_parsing():
    values = FlagValues()
    define_all(values)
    rest = values(["prog", "--steps=3", "--lr", "0.5", "--fast", "--noverbose",
                   "--layers=8,4,2", "--unknown=1", "file.txt"])
    assert rest == ["prog", "--unknown=1", "file.txt"]  # unknown flags are left, as TF1's wrapper
    assert (values.name, values.steps, values.lr, values.fast, values.verbose, values.layers) == \
        ("mnist", 3, 0.5, True, False, ["8", "4", "2"])
    values(["prog", "--fast=false"])
    assert values.fast is False
    values.steps = 99
    assert values.flag_values_dict()["steps"] == 99


def test_flags_parse_sys_argv_lazily(monkeypatch):
    values = FlagValues()
    define_all(values)
    monkeypatch.setattr(sys, "argv", ["prog", "--name=cifar", "--whatever"])
    assert values.name == "cifar" and values.layers == ["32", "16"]


def test_flag_errors():
    values = FlagValues()
    define_all(values)
    with pytest.raises(ValueError, match="'--steps' is already defined"):
        tf.flags.DEFINE_integer("steps", 1, "again", flag_values=values)
    values(["prog"])
    with pytest.raises(AttributeError, match="no flag '--stepz'"):
        values.stepz
    with pytest.raises(SystemExit):  # argparse reports a bad value and exits, as absl
        values(["prog", "--steps=0"])


def test_app_run_calls_main_and_exits():
    seen = []

    def main(argv):
        seen.append((argv, tf.app.flags.FLAGS.app_run_steps))
        return 3
    tf.app.flags.DEFINE_integer("app_run_steps", 1, "steps")
    with pytest.raises(SystemExit) as exit_info:
        tf.app.run(main, argv=["prog", "--app_run_steps=4", "extra"])
    assert exit_info.value.code == 3 and seen == [(["prog", "extra"], 4)]
    assert tf.flags is tf.app.flags


def test_py_func_one_and_several_outputs():
    x = tf.placeholder(tf.float32, [None])
    y = tf.py_func(lambda a: a * 2, [x], tf.float64)
    lo, hi = tf.py_func(lambda a: (a.min(), a.max()), [x], [tf.int32, tf.float32])
    s = tf.numpy_function(np.cumsum, [x], tf.float32)
    assert y.dtype == np.float64 and lo.dtype == np.int32 and y.shape is None
    got = run([y, lo, hi, s, tf.reduce_sum(y)], {x: [1.5, -2.0, 4.0]})
    np.testing.assert_allclose(got[0], [3.0, -4.0, 8.0])
    assert got[1] == -2 and got[1].dtype == np.int32 and got[2] == 4.0
    np.testing.assert_allclose(got[3], [1.5, -0.5, 3.5])
    assert got[4] == 7.0


def test_py_func_runs_each_time_and_has_no_gradient():
    calls = []
    w = tf.Variable([1.0, 2.0])
    y = tf.py_func(lambda a: calls.append(1) or a ** 2, [w], tf.float32)
    assert tf.gradients(tf.reduce_sum(y), [w]) == [None]
    with tf.Session() as s:
        s.run(w.initializer)
        s.run(y)
        s.run(y)
    assert len(calls) == 2


def test_py_func_wrong_output_count():
    y = tf.py_func(lambda a: (a, a), [tf.constant(1.0)], tf.float32, name="twice")
    with pytest.raises(ValueError, match=r"py_func 'twice'.*returned 2 value\(s\), Tout names 1"):
        run(y)


def test_print_prints_first_n_and_passes_gradient(capsys):
    w = tf.Variable([1.0, 2.0, 3.0, 4.0])
    y = tf.Print(w * 2, [w, tf.constant(5)], "w: ", first_n=2, summarize=2)
    g, = tf.gradients(tf.reduce_sum(y * y), [w])
    with tf.Session() as s:
        s.run(w.initializer)
        for _ in range(3):
            value, grad = s.run([y, g])
    np.testing.assert_allclose(value, [2, 4, 6, 8])
    np.testing.assert_allclose(grad, 8 * np.array([1, 2, 3, 4]))
    assert capsys.readouterr().err == "w: [1.0 2.0...][5]\n" * 2
