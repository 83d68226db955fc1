"""Keras' global settings: float type, fuzz factor, image layout, learning phase; clear_session.

Keras 2 keeps these as process-wide values read through getters (`K.floatx()`),
so code written for it sets them with `K.set_floatx('float64')` and friends.
"""
import numpy as np

from ... import arguments
from ...graph import graph as graph_module
from ..engine import base_layer

_DEFAULTS = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}
_settings = dict(_DEFAULTS)
_phase = {"value": None}  # the learning phase set by set_learning_phase (0, 1) or None
FORMATS = arguments.DATA_FORMATS
FLOATS = ("float16", "float32", "float64")


def floatx():
    """The default float type, as a string: 'float32' unless set_floatx changed it."""
    return _settings["floatx"]


def set_floatx(value):
    """Set the default float type ('float16', 'float32' or 'float64')."""
    if value not in FLOATS:
        raise ValueError(f"set_floatx: unknown float type {value!r}; choose one of {FLOATS}")
    _settings["floatx"] = str(value)


def epsilon():
    """The fuzz factor used to keep logs and divisions finite (1e-7 by default)."""
    return _settings["epsilon"]


def set_epsilon(value):
    """Set the fuzz factor (a small positive number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not value > 0:
        raise ValueError(f"set_epsilon: expected a small positive number, got {value!r}")
    _settings["epsilon"] = float(value)


def image_data_format():
    """'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W)."""
    return _settings["image_data_format"]


def set_image_data_format(data_format):
    """Set the image layout: 'channels_last' or 'channels_first'."""
    if data_format not in FORMATS:
        raise ValueError(f"set_image_data_format: unknown data format {data_format!r}; "
                         f"choose one of {FORMATS}")
    _settings["image_data_format"] = str(data_format)


def normalize_data_format(value, who="normalize_data_format"):
    """`value` checked ('channels_last' or 'channels_first'), image_data_format() for None.

    Keras layers resolve data_format=None through this when they are made, so a model built
    after set_image_data_format('channels_first') is channels_first throughout and its config
    records the layout it was built with.
    """
    return arguments.data_format(image_data_format() if value is None else value, who)


def static_phase():
    """The learning phase set with set_learning_phase (0 or 1), else None."""
    return _phase["value"]


def set_learning_phase(value):
    """Fix the learning phase: 0 = test (no dropout), 1 = train."""
    if value not in (0, 1):
        raise ValueError(f"set_learning_phase: expected 0 (test) or 1 (train), got {value!r}")
    _phase["value"] = int(value)


def clear_session():
    """Forget everything Keras keeps globally: layer-name counters, the graph, the learning phase.

    Afterwards new layers are named dense_1, dense_2 ... again, as in a fresh process.
    """
    base_layer._name_counts.clear()
    _phase["value"] = None
    graph_module.reset_default_graph()
