"""Safe save and load of Keras models: one zip file, the architecture as JSON, the weights as .npy.

The archive holds 'model.json' (format name and version, passos version,
the model's class_name and config, compile settings, and a manifest of
entries) and one .npy entry per weight and per optimizer slot. Loading never
runs code from the file: JSON is read as data, arrays with
np.load(allow_pickle=False), and layer classes are looked up by name in
passos.keras.layers (or in the caller's custom_objects). Saving goes through
passos.io.atomic_write, so a crash never leaves a half-written model.

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
import io
import json
import os
import warnings
import zipfile
import zlib

import numpy as np

import passos
from ..io import atomic_write
from . import layers as layers_module, losses, metrics as metrics_module, optimizers
from .engine.base_layer import Layer
from .engine.sequential import Sequential
from .engine.training import Model
from .layers.core import Input, InputLayer

FORMAT = "passos.keras"
FORMAT_VERSION = 1
MANIFEST = "model.json"
_MODEL_CLASSES = {"Sequential": Sequential, "Model": Model}
_MAX_MANIFEST_BYTES = 64 << 20
_NPY_HEADER_BYTES = 1 << 16   # room for an .npy header beyond the array's own bytes
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError)


class ModelFileError(ValueError):
    """A file load_model or load_weights cannot use: damaged, altered, too new, or not passos'."""


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
    """The model saved in `filepath` with its weights, compiled as saved (unless compile=False)."""
    path = os.fspath(filepath)
    with _open(path) as archive:
        manifest = _read_manifest(archive, path)
        section = manifest.get("model")
        if section is None:
            raise _error(path, "it holds only weights (written by save_weights); build the "
                               "model in code and call model.load_weights(path)")
        model = _rebuild(path, section, custom_objects or {})
        model.set_weights(_read_weights(archive, path, manifest, model))
        settings = manifest.get("compile")
        if compile and settings is not None:
            _recompile(archive, path, model, settings, manifest.get("optimizer_state"))
    return model


def load_weights(model, filepath):
    """Set `model`'s weights from a file written by save_weights or save (same architecture)."""
    path = os.fspath(filepath)
    with _open(path) as archive:
        values = _read_weights(archive, path, _read_manifest(archive, path), model)
    model.set_weights(values)


def _error(path, problem):
    return ModelFileError(f"cannot load '{path}': {problem}")


def _expect(value, kind, path, what):
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise _error(path, f"{what} should be {getattr(kind, '__name__', kind)}, got "
                           f"{value!r:.60} (the file is damaged or was altered)")
    return value


def _open(path):
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError, OverflowError, NotImplementedError):
        raise _error(path, "it is not a passos model file (not a zip archive, or truncated)") \
            from None


def _read(archive, path, entry, limit):
    try:
        info = archive.getinfo(entry)
    except KeyError:
        raise _error(path, f"the entry '{entry}' is missing (the file is incomplete or is not "
                           "a passos model file)") from None
    if info.file_size > limit:
        raise _error(path, f"the entry '{entry}' holds {info.file_size} bytes, more than the "
                           f"{limit} it can need")
    try:
        return archive.read(info)
    except _ZIP_ERRORS as error:
        raise _error(path, f"the entry '{entry}' is corrupt ({error})") from None


def _read_manifest(archive, path):
    raw = _read(archive, path, MANIFEST, _MAX_MANIFEST_BYTES)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise _error(path, f"'{MANIFEST}' is not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else manifest
        raise _error(path, f"'{MANIFEST}' does not describe a passos model (format "
                           f"{found!r:.60}, expected {FORMAT!r})")
    version = _expect(manifest.get("format_version"), int, path, "format_version")
    if version > FORMAT_VERSION:
        written_by = manifest.get("passos_version")
        raise _error(path, f"it was written by a newer passos ({written_by!r:.30}, format "
                           f"version {version}); this passos {passos.__version__} reads "
                           f"format versions up to {FORMAT_VERSION}: upgrade passos")
    if version < 1:
        raise _error(path, f"format_version {version} is not a valid version")
    return manifest


def _read_array(archive, path, entry, shape, what):
    """The array in `entry`, checked to be numeric and of `shape` (no pickled objects)."""
    limit = 8 * int(np.prod(shape, dtype=np.int64)) + _NPY_HEADER_BYTES
    raw = _read(archive, path, _expect(entry, str, path, f"the entry name of {what}"), limit)
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise _error(path, f"the entry '{entry}' is not a plain NumPy array ({error})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise _error(path, f"the entry '{entry}' is not an array of numbers")
    if array.shape != tuple(shape):
        raise _error(path, f"{what} has shape {array.shape} in the file but {tuple(shape)} in "
                           "the model; the architectures differ")
    return array


def _read_weights(archive, path, manifest, model):
    items = _expect(manifest.get("weights"), list, path, "'weights'")
    weights = model.weights
    if len(items) != len(weights):
        hint = " (the model is not built yet: give its first layer an input_shape)" \
            if not weights and not model.built else "; the architectures differ"
        raise _error(path, f"it holds {len(items)} weights but model '{model.name}' has "
                           f"{len(weights)}{hint}")
    return [_read_array(archive, path, _expect(item, dict, path, "a weight entry").get("entry"),
                        weight.shape, f"weight {i} ('{weight.name}')")
            for i, (item, weight) in enumerate(zip(items, weights))]


def _rebuild(path, section, custom_objects):
    """The model described by the 'model' section, its layers rebuilt from their configs."""
    section = _expect(section, dict, path, "'model'")
    try:
        return _model_from_config(path, section.get("class_name"), section.get("config"),
                                  custom_objects, section.get("build_input_shape"),
                                  section.get("input_dtype"))
    except ModelFileError:
        raise
    except (KeyError, TypeError, AttributeError, IndexError, ValueError, ArithmeticError) as error:
        raise _error(path, f"the model's config is malformed ({type(error).__name__}: "
                           f"{error})") from error


def _model_from_config(path, class_name, config, custom_objects, build_shape=None, dtype=None):
    config = _expect(config, dict, path, f"the config of {class_name!r}")
    layers = _expect(config.get("layers"), list, path, f"the layers of {class_name!r}")
    if class_name == "Sequential":
        model = Sequential(name=config.get("name"))
        if build_shape is not None:
            model.add(InputLayer(batch_input_shape=tuple(build_shape), dtype=dtype))
        for item in layers:
            model.add(_layer_from_config(path, item, custom_objects))
        return model
    if class_name != "Model":
        raise _error(path, f"unknown model class {class_name!r}; expected 'Sequential' or 'Model'")
    tensors, built, inputs = {}, {}, None
    for item in layers:
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
    class_name = _expect(item.get("class_name"), str, path, "a layer's class_name")
    config = _expect(item.get("config"), dict, path, f"the config of a {class_name} layer")
    if class_name in _MODEL_CLASSES and class_name not in custom_objects:
        return _model_from_config(path, class_name, config, custom_objects)
    cls = custom_objects.get(class_name)
    if cls is None and class_name.isidentifier() and not class_name.startswith("_"):
        cls = getattr(layers_module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise _error(path, f"unknown layer class {class_name!r}: it is not in passos.keras.layers; "
                           f"for a layer of your own pass load_model(path, custom_objects="
                           f"{{{class_name!r}: {class_name}}})")
    try:
        return cls.from_config(config)
    except (TypeError, ValueError) as error:
        raise _error(path, f"layer {config.get('name')!r} ({class_name}) cannot be rebuilt from "
                           f"its config: {error}") from error


def _recompile(archive, path, model, settings, state):
    """Compile as saved, then restore the optimizer's iteration count and slots."""
    settings = _expect(settings, dict, path, "'compile'")
    optimizer = _expect(settings.get("optimizer"), dict, path, "the compiled optimizer")
    metrics = _expect(settings.get("metrics"), list, path, "the compiled metrics")
    try:
        model.compile(optimizer=optimizers.get({
            "class_name": _expect(optimizer.get("class_name"), str, path, "the optimizer's name"),
            "config": _expect(optimizer.get("config"), dict, path, "the optimizer's config")}),
            loss=_expect(settings.get("loss"), str, path, "the compiled loss"),
            metrics=[_expect(m, str, path, "a compiled metric") for m in metrics])
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _error(path, f"the compile settings cannot be restored ({error}); load with "
                           "compile=False and compile the model yourself") from error
    if state is None:
        return
    state = _expect(state, dict, path, "'optimizer_state'")
    optimizer, weights = model.optimizer, model.trainable_weights
    iterations = _expect(state.get("iterations"), int, path, "the optimizer's iterations")
    slots, pending = {}, []
    for item in _expect(state.get("slots"), list, path, "the optimizer's slots"):
        item = _expect(item, dict, path, "an optimizer slot")
        i = _expect(item.get("weight"), int, path, "an optimizer slot's weight index")
        if not 0 <= i < len(weights):
            raise _error(path, f"an optimizer slot refers to weight {i}; the model has "
                               f"{len(weights)} trainable weights")
        data = weights[i].data
        slot = slots.setdefault(id(data), optimizer.create_slots(data))
        key = _expect(item.get("slot"), str, path, "an optimizer slot's name")
        if key not in slot:
            raise _error(path, f"the optimizer slot {key!r:.30} is unknown to "
                               f"{type(optimizer).__name__}")
        what = f"optimizer slot {key!r} of weight {i}"
        pending.append((slot[key], _read_array(archive, path, item.get("entry"),
                                               slot[key].shape, what)))
    # only now that everything was read: the optimizer is never left half restored
    for target, value in pending:
        np.copyto(target, value, casting="same_kind")
    optimizer.slots.update(slots)
    optimizer.iterations = iterations
