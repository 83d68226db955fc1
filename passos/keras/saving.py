"""Safe save and load of Keras models: one zip file, the architecture as JSON, the weights as .npy.

The archive holds 'model.json' (format and versions, the model's class and
config, compile settings, a manifest of entries) and one .npy entry per weight
and optimizer slot; model_file writes it atomically. Loading never runs code
from the file (JSON read as data, arrays without pickle, layer classes looked
up by name) and checks the whole file (saving_checks) before it builds a layer,
whose weights then come without running initializers: a hostile file is
refused with a ModelFileError before it costs memory or time.

>>> import os, tempfile
>>> from passos.keras.models import Sequential, load_model
>>> from passos.keras.layers import Dense
>>> model = Sequential([Dense(2, input_shape=(3,))])
>>> with tempfile.TemporaryDirectory() as folder:
...     model.save(os.path.join(folder, "model.passos"))
...     restored = load_model(os.path.join(folder, "model.passos"))
>>> [w.shape for w in restored.get_weights()]
[(3, 2), (2,)]
"""
import inspect
import os

import numpy as np

from . import layers as layers_module, optimizers
from .engine.base_layer import Layer, weights_from
from .engine.functional import legacy_functional, rebuild
from .engine.sequential import Sequential
from .engine.training import Model
from .layers.core import Input, InputLayer
from .model_file import (load_weights, save_model, save_weights, _open, _read_manifest,
                         _read_weights, _weight_headers)
from .saving_checks import (MODEL_CLASSES, ModelFileError, StoredWeights, check_total,
                            error as _error, read_array, read_header)

# slots that hold sums of squares: the update takes their square root
_NON_NEGATIVE_SLOTS = ("v", "v_max", "u", "accumulator", "delta")
__all__ = ["ModelFileError", "load_model", "load_weights", "save_model", "save_weights"]


def load_model(filepath, custom_objects=None, compile=True):
    """The model saved by `model.save(filepath)`: architecture, weights and compile settings.

    custom_objects maps class names to your own layer classes; compile=False: uncompiled.
    """
    path = os.fspath(filepath)
    with _open(path) as archive:
        # 1. the JSON and every array's header, checked before anything is allocated
        manifest = _read_manifest(archive, path)
        section = manifest.get("model")
        if section is None:
            raise _error(path, "it holds only weights (written by save_weights); build the "
                               "model in code and call model.load_weights(path)")
        settings = manifest.get("compile") if compile else None
        state = manifest.get("optimizer_state") if settings is not None else None
        stored = _weight_headers(archive, path, manifest)
        slots = [] if state is None else [(item, read_header(archive, path, item["entry"]))
                                          for item in state["slots"]]
        check_total(path, stored + [slot for _, slot in slots])
        # 2. the layers, holding zeros (no initializer runs), never more than the file stores
        with weights_from(StoredWeights(path, stored)):
            model = _rebuild(path, section, custom_objects or {})
        # 3. the weights, then the compile settings and the optimizer's state
        model.set_weights(_read_weights(archive, path, manifest, stored, model))
        if settings is not None:
            _recompile(archive, path, model, settings, state, slots)
    return model


def _rebuild(path, section, custom_objects):
    """The model described by the 'model' section, its layers rebuilt from their configs."""
    try:
        return _model_from_config(path, section["class_name"], section["config"],
                                  custom_objects, section.get("build_input_shape"),
                                  section.get("input_dtype"))
    except ModelFileError:
        raise
    except RecursionError:  # check_manifest bounds depth and layers; this is the last guard
        raise _error(path, "its model is nested or chained too deeply to build") from None
    except (KeyError, TypeError, AttributeError, IndexError, ValueError, ArithmeticError) as error:
        raise _error(path, f"the model's config is malformed ({type(error).__name__}: "
                           f"{error})") from error


def _model_from_config(path, class_name, config, custom_objects, build_shape=None, dtype=None):
    """A model from a config check_manifest has checked: names are strings, shapes lists."""
    if class_name == "Sequential":
        model = Sequential(name=config.get("name"))
        if build_shape is not None:
            model.add(InputLayer(batch_input_shape=tuple(build_shape), dtype=dtype))
        for item in config["layers"]:
            model.add(_layer_from_config(path, item, custom_objects))
        return model
    def make_input(item):
        layer_config = item["config"]
        return Input(batch_shape=tuple(layer_config["batch_input_shape"]), name=item["name"],
                     dtype=layer_config.get("dtype"))

    inputs, outputs = rebuild(legacy_functional(config), make_input,
                              lambda item: _layer_from_config(path, item, custom_objects),
                              lambda message: _error(path, message))
    return Model(inputs, outputs, name=config.get("name"))


def _layer_from_config(path, item, custom_objects):
    class_name, config = item["class_name"], item["config"]
    if class_name in MODEL_CLASSES and class_name not in custom_objects:
        return _model_from_config(path, class_name, config, custom_objects)
    cls = custom_objects.get(class_name)
    if cls is None and class_name.isidentifier() and not class_name.startswith("_"):
        cls = getattr(layers_module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise _error(path, f"unknown layer class {class_name!r:.60}: it is not in "
                           f"passos.keras.layers; for a layer of your own pass load_model(path, "
                           f"custom_objects={{{class_name!r:.60}: {class_name:.60}}})")
    try:
        if "custom_objects" in inspect.signature(cls.from_config).parameters:  # Lambda
            return cls.from_config(config, custom_objects)
        return cls.from_config(config)
    except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError, IndexError) as error:
        raise _error(path, f"layer {config.get('name')!r} ({class_name}) cannot be rebuilt from "
                           f"its config: {error}") from error


def _recompile(archive, path, model, settings, state, slots):
    """Compile as saved, then restore the optimizer's iteration count and slots."""
    optimizer = settings["optimizer"]
    try:
        model.compile(optimizer=optimizers.get({"class_name": optimizer["class_name"],
                                                "config": optimizer["config"]}),
                      loss=settings["loss"], metrics=settings["metrics"],
                      loss_weights=settings.get("loss_weights"))
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise _error(path, f"the compile settings cannot be restored ({error}); load with "
                           "compile=False and compile the model yourself") from error
    if state is None:
        return
    optimizer, weights = model.optimizer, model.trainable_weights
    restored, pending = {}, []
    for item, header in slots:
        i, key = item["weight"], item["slot"]
        if i >= len(weights):
            raise _error(path, f"an optimizer slot refers to weight {i}; the model has "
                               f"{len(weights)} trainable weights")
        data = weights[i].data
        slot = restored.setdefault(id(data), optimizer.create_slots(data))
        if key not in slot:
            raise _error(path, f"the optimizer slot {key!r:.30} is unknown to "
                               f"{type(optimizer).__name__}")
        what = f"optimizer slot {key!r} of weight {i}"
        if header.shape != slot[key].shape:
            raise _error(path, f"{what} has shape {header.shape} in the file but "
                               f"{slot[key].shape} in the model; the architectures differ")
        pending.append((slot[key], _slot_values(archive, path, header, key, what)))
    # only now that everything was read: the optimizer is never left half restored
    for target, value in pending:
        np.copyto(target, value, casting="same_kind")
    optimizer.slots.update(restored)
    optimizer.iterations = state["iterations"]


def _slot_values(archive, path, header, key, what):
    """A slot's stored values, refused where the next update step would turn them into NaN."""
    values = read_array(archive, path, header)
    if key == "scratch":  # SGD's work buffer: every step writes it before reading it
        return values
    afresh = ("training would turn the weights into NaN at the next step (load with "
              "compile=False to start the optimizer afresh)")
    if not np.isfinite(values).all():
        raise _error(path, f"{what} holds NaN or infinite values; {afresh}")
    if key in _NON_NEGATIVE_SLOTS and (values < 0).any():
        raise _error(path, f"{what} holds negative values, but it is a sum of squares; {afresh}")
    return values
