"""Safe save and load of Keras models: one zip file, the architecture as JSON, the weights as .npy.

The archive holds 'model.json' (format name and version, passos version,
the model's class_name and config, compile settings, and a manifest of
entries) and one .npy entry per weight and per optimizer slot. Loading never
runs code from the file: JSON is read as data, arrays with
np.load(allow_pickle=False), and layer classes are looked up by name in
passos.keras.layers (or in the caller's custom_objects). Saving goes through
passos.io.atomic_write, so a crash never leaves a half-written model.
Loading checks the whole JSON (saving_checks) and every array's header
(saving_arrays) before it builds a layer, and layers get their weights without
running initializers: a hostile file is refused with a ModelFileError before it
costs memory or time.

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
import json
import os
import warnings
import zipfile

import numpy as np

import passos
from ..io import atomic_write
from . import layers as layers_module, losses, metrics as metrics_module, optimizers
from .engine.base_layer import Layer, weights_from
from .engine.sequential import Sequential
from .engine.training import Model
from .layers.core import Input, InputLayer
from .saving_arrays import (ZIP_ERRORS, StoredWeights, check_total, entry_info, memory_limit,
                            read_array, read_header)
from .saving_checks import ModelFileError, check_manifest, decode, error as _error, expect

FORMAT = "passos.keras"
FORMAT_VERSION = 1
MANIFEST = "model.json"
_MODEL_CLASSES = {"Sequential": Sequential, "Model": Model}
_MAX_MANIFEST_BYTES = 64 << 20
# slots that hold sums of squares: the update takes their square root
_NON_NEGATIVE_SLOTS = ("v", "v_max", "u", "accumulator", "delta")
__all__ = ["ModelFileError", "load_model", "load_weights", "save_model", "save_weights"]

# -- saving ------------------------------------------------------------------------------
def save_model(model, filepath, include_optimizer=True):
    """Write `model`'s architecture, weights, compile settings and optimizer state to one file."""
    if type(model) not in _MODEL_CLASSES.values():
        raise ValueError(f"save: passos saves Sequential and functional Model(inputs, outputs) "
                         f"models, not the subclass {type(model).__name__}; save its weights "
                         "with model.save_weights(path) and rebuild the model in code")
    inputs = model.inputs
    section = {"class_name": type(model).__name__, "config": model.get_config(),
               "build_input_shape": None if inputs is None else list(inputs.shape),
               "input_dtype": None if inputs is None else str(inputs.dtype)}
    manifest, arrays = _weights_manifest(model)
    manifest["model"] = section
    manifest["compile"] = _compile_section(model)
    if include_optimizer and manifest["compile"] is not None:
        manifest["optimizer_state"] = _optimizer_state(model.optimizer, model, arrays)
    _write(os.fspath(filepath), manifest, arrays)


def save_weights(model, filepath):
    """Write only `model`'s weights (read them back with load_weights)."""
    manifest, arrays = _weights_manifest(model)
    _write(os.fspath(filepath), manifest, arrays)


def _weights_manifest(model):
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "passos_version": passos.__version__, "model": None, "compile": None,
                "optimizer_state": None, "weights": []}
    arrays = {}
    for i, weight in enumerate(model.weights):
        entry = f"weights/{i}.npy"
        manifest["weights"].append({"name": weight.name, "shape": list(weight.shape),
                                    "dtype": str(weight.data.dtype), "entry": entry})
        arrays[entry] = weight.data
    return manifest, arrays


def _compile_section(model):
    """{'optimizer', 'loss', 'metrics'} by name, or None (with a warning) when not saveable."""
    if model.optimizer is None or model.loss is None:
        return None
    loss = getattr(model.loss, "__name__", None)
    optimizer = {"class_name": type(model.optimizer).__name__,
                 "config": model.optimizer.get_config()}
    unnamed = []
    try:
        if losses.get(loss) is not model.loss:
            unnamed.append(f"the loss {loss!r}")
    except ValueError:
        unnamed.append(f"the loss {loss!r}")
    try:
        optimizers.get(optimizer)
    except (KeyError, TypeError, ValueError):
        unnamed.append(f"the optimizer {optimizer['class_name']}")
    if unnamed:
        warnings.warn(f"save: {' and '.join(unnamed)} cannot be rebuilt by name, so the model "
                      "is saved uncompiled; call compile() again after loading",
                      RuntimeWarning, stacklevel=4)
        return None
    metrics = []
    for name, function in model.metric_functions:
        try:
            known = metrics_module.get(name, model.loss, model.output_shape)[1] is function
        except ValueError:
            known = False
        if known:
            metrics.append(name)
        else:
            warnings.warn(f"save: the custom metric {name!r} is not saved; pass it to compile() "
                          "again after loading", RuntimeWarning, stacklevel=4)
    return {"optimizer": optimizer, "loss": loss, "metrics": metrics}


def _optimizer_state(optimizer, model, arrays):
    """Iteration count and per-weight slots (moments, accumulators), so training resumes exactly."""
    slots = []
    for i, weight in enumerate(model.trainable_weights):
        state = getattr(optimizer, "slots", {}).get(id(weight.data), {})
        for key in sorted(state):
            entry = f"optimizer/{len(slots)}.npy"
            slots.append({"weight": i, "slot": key, "entry": entry})
            arrays[entry] = state[key]
    return {"iterations": int(getattr(optimizer, "iterations", 0)), "slots": slots}


def _write(path, manifest, arrays):
    """Write the archive through passos.io.atomic_write: a crash never leaves half a model."""
    text = _to_json(manifest)

    def archive_to(file):
        with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST, text)
            for entry, array in arrays.items():
                with archive.open(entry, "w", force_zip64=array.nbytes > 1 << 30) as out:
                    np.save(out, array, allow_pickle=False)
    atomic_write(path, archive_to)


def _to_json(manifest):
    def plain(value):
        if isinstance(value, (np.generic, np.ndarray)):
            return value.tolist()
        raise TypeError(f"{value!r:.60} is not a number, string, list or dict")
    try:
        return json.dumps(manifest, indent=1, default=plain)
    except (TypeError, ValueError) as error:
        raise ValueError(f"save: the model's configuration cannot be written as JSON ({error}); "
                         "every get_config() must hold only numbers, strings, booleans, None, "
                         "lists and dicts") from None


# -- loading -----------------------------------------------------------------------------
def load_model(filepath, custom_objects=None, compile=True):
    """The model saved in `filepath` with its weights, compiled as saved (unless compile=False).

    Nothing is built before the whole file is checked, and layers get their
    weights from the file without running their initializers.
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
        slots = _slot_headers(archive, path, state)
        check_total(path, stored + [slot for _, slot in slots])
        # 2. the layers, holding zeros (no initializer runs), never more than the file stores
        with weights_from(StoredWeights(path, stored)):
            model = _rebuild(path, section, custom_objects or {})
        # 3. the weights, then the compile settings and the optimizer's state
        model.set_weights(_read_weights(archive, path, manifest, stored, model))
        if settings is not None:
            _recompile(archive, path, model, settings, state, slots)
    return model


def load_weights(model, filepath):
    """Set `model`'s weights from a file written by save_weights or save (same architecture)."""
    path = os.fspath(filepath)
    with _open(path) as archive:
        manifest = _read_manifest(archive, path)
        stored = _weight_headers(archive, path, manifest)
        check_total(path, stored)
        values = _read_weights(archive, path, manifest, stored, model)
    model.set_weights(values)


def _open(path):
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError, OverflowError, NotImplementedError):
        raise _error(path, "it is not a passos model file (not a zip archive, or truncated)") \
            from None


def _read_manifest(archive, path):
    """model.json, read within a few times the file's size and checked whole (check_manifest)."""
    info = entry_info(archive, path, MANIFEST)
    limit = min(_MAX_MANIFEST_BYTES, memory_limit(path))
    if info.file_size > limit:
        raise _error(path, f"the entry '{MANIFEST}' holds {info.file_size} bytes, more than the "
                           f"{limit} it can need (a compressed entry that expands far beyond "
                           "the file's size is a zip bomb)")
    try:
        raw = archive.read(info)
    except ZIP_ERRORS as problem:
        raise _error(path, f"the entry '{MANIFEST}' is corrupt ({problem})") from None
    manifest = decode(raw, path, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else manifest
        raise _error(path, f"'{MANIFEST}' does not describe a passos model (format "
                           f"{found!r:.60}, expected {FORMAT!r})")
    version = expect(manifest.get("format_version"), int, path, "format_version")
    if version > FORMAT_VERSION:
        written_by = manifest.get("passos_version")
        raise _error(path, f"it was written by a newer passos ({written_by!r:.30}, format "
                           f"version {version}); this passos {passos.__version__} reads "
                           f"format versions up to {FORMAT_VERSION}: upgrade passos")
    if version < 1:
        raise _error(path, f"format_version {version} is not a valid version")
    check_manifest(path, manifest)
    return manifest


def _weight_headers(archive, path, manifest):
    """The header of each weight's entry, which must agree with what model.json declares."""
    stored = []
    for i, item in enumerate(manifest["weights"]):
        header = read_header(archive, path, item["entry"])
        if header.shape != tuple(item["shape"]) or header.dtype.name != item["dtype"]:
            raise _error(path, f"weight {i} ('{item['name']:.60}') is {item['dtype']} of shape "
                               f"{tuple(item['shape'])} in '{MANIFEST}' but {header.dtype.name} "
                               f"of shape {header.shape} in its entry '{item['entry']}'; the "
                               "file is damaged or was altered")
        stored.append(header)
    return stored


def _slot_headers(archive, path, state):
    """(slot description, header) for each optimizer slot to restore."""
    if state is None:
        return []
    return [(item, read_header(archive, path, item["entry"])) for item in state["slots"]]


def _read_weights(archive, path, manifest, stored, model):
    items, weights = manifest["weights"], model.weights
    if len(items) != len(weights):
        hint = " (the model is not built yet: give its first layer an input_shape)" \
            if not weights and not model.built else "; the architectures differ"
        raise _error(path, f"it holds {len(items)} weights but model '{model.name}' has "
                           f"{len(weights)}{hint}")
    for i, (header, weight) in enumerate(zip(stored, weights)):
        if header.shape != weight.shape:
            raise _error(path, f"weight {i} ('{weight.name}') has shape {header.shape} in the "
                               f"file but {weight.shape} in the model; the architectures differ")
    return [read_array(archive, path, header) for header in stored]


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
    tensors, built, inputs = {}, {}, None
    for item in config["layers"]:
        name = item["name"]
        if item["class_name"] == "InputLayer":
            layer_config = item["config"]
            inputs = Input(batch_shape=tuple(layer_config["batch_input_shape"]), name=name,
                           dtype=layer_config.get("dtype"))
            tensors[name] = inputs
            continue
        if name not in built:
            built[name] = _layer_from_config(path, item, custom_objects)
        (inbound,) = item["inbound"]
        if inbound not in tensors:
            raise _error(path, f"layer {name!r} takes its input from {inbound!r}, which comes "
                               "later or nowhere in the config")
        tensors[name] = built[name](tensors[inbound])
    output = config["output"]
    if inputs is None or output not in tensors:
        raise _error(path, f"the functional model {config.get('name')!r} lacks its InputLayer or "
                           f"its output {output!r}")
    return Model(inputs, tensors[output], name=config.get("name"))


def _layer_from_config(path, item, custom_objects):
    class_name, config = item["class_name"], item["config"]
    if class_name in _MODEL_CLASSES and class_name not in custom_objects:
        return _model_from_config(path, class_name, config, custom_objects)
    cls = custom_objects.get(class_name)
    if cls is None and class_name.isidentifier() and not class_name.startswith("_"):
        cls = getattr(layers_module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise _error(path, f"unknown layer class {class_name!r:.60}: it is not in "
                           f"passos.keras.layers; for a layer of your own pass load_model(path, "
                           f"custom_objects={{{class_name!r:.60}: {class_name:.60}}})")
    try:
        return cls.from_config(config)
    except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError,
            IndexError) as error:
        raise _error(path, f"layer {config.get('name')!r} ({class_name}) cannot be rebuilt from "
                           f"its config: {error}") from error


def _recompile(archive, path, model, settings, state, slots):
    """Compile as saved, then restore the optimizer's iteration count and slots."""
    optimizer = settings["optimizer"]
    try:
        model.compile(optimizer=optimizers.get({"class_name": optimizer["class_name"],
                                                "config": optimizer["config"]}),
                      loss=settings["loss"], metrics=settings["metrics"])
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
    if not np.isfinite(values).all():
        raise _error(path, f"{what} holds NaN or infinite values; training would turn the "
                           "weights into NaN at the next step (load with compile=False to "
                           "start the optimizer afresh)")
    if key in _NON_NEGATIVE_SLOTS and (values < 0).any():
        raise _error(path, f"{what} holds negative values, but it is a sum of squares; "
                           "training would turn the weights into NaN at the next step (load "
                           "with compile=False to start the optimizer afresh)")
    return values
