"""Writing a model (or its weights) as the file passos.keras.saving describes; reading weights back."""
import json
import os
import warnings
import zipfile

import numpy as np

import passos
from ..io import atomic_write
from . import losses, metrics as metrics_module, optimizers
from .saving_checks import (ZIP_ERRORS, check_manifest, check_total, decode, entry_info,
                            error as _error, expect, memory_limit, read_array, read_header)

FORMAT = "passos.keras"
FORMAT_VERSION = 1
MANIFEST = "model.json"
_MAX_MANIFEST_BYTES = 64 << 20


def save_model(model, filepath, include_optimizer=True):
    """Write `model`'s architecture, weights, compile settings and optimizer state to one file."""
    if not vars(type(model)).get("saved_by_config"):  # Sequential, Model: not a subclass
        raise ValueError(f"save: passos saves Sequential and functional Model(inputs, outputs) "
                         f"models, not the subclass {type(model).__name__}; save its weights "
                         "with model.save_weights(path) and rebuild the model in code")
    inputs = model.inputs[0] if model.inputs else None  # Sequential's; functional configs hold theirs
    manifest, arrays = _weights_manifest(model)
    manifest["model"] = {"class_name": type(model).__name__, "config": model.get_config(),
                         "build_input_shape": None if inputs is None else list(inputs.shape),
                         "input_dtype": None if inputs is None else str(inputs.dtype)}
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
    """{'optimizer', 'loss', 'loss_weights', 'metrics'} by name, or None (with a warning)
    when not saveable. Several outputs: a loss per output and metrics by output name."""
    if model.optimizer is None or model._compiled is None:
        return None
    names = [getattr(fn, "__name__", None) for fn in model.loss_functions]
    optimizer = {"class_name": type(model.optimizer).__name__,
                 "config": model.optimizer.get_config()}
    unnamed = [f"the loss {name!r}" for name, fn in zip(names, model.loss_functions)
               if _by_name(losses.get, name) is not fn]
    if _by_name(optimizers.get, optimizer) is None:
        unnamed.append(f"the optimizer {optimizer['class_name']}")
    if unnamed:
        warnings.warn(f"save: {' and '.join(unnamed)} cannot be rebuilt by name, so the model "
                      "is saved uncompiled; call compile() again after loading",
                      RuntimeWarning, stacklevel=4)
        return None
    metrics = {name: [] for name in model.output_names}
    for (i, name, function), (logged, _) in zip(model.metric_specs, model.metric_functions):
        known = _by_name(metrics_module.get, name, model.loss_functions[i],
                         model.outputs[i].shape if model.outputs else None)
        if known is not None and known[1] is function:
            metrics[model.output_names[i]].append(name)
        else:
            warnings.warn(f"save: the custom metric {logged!r} is not saved; pass it to compile() "
                          "again after loading", RuntimeWarning, stacklevel=4)
    single = len(names) == 1
    return {"optimizer": optimizer, "loss": names[0] if single else names,
            "loss_weights": None if single else model.loss_weights_list,
            "metrics": next(iter(metrics.values())) if single else metrics}


def _by_name(get, *identifier):
    """get(*identifier), or None where it does not know the name."""
    try:
        return get(*identifier)
    except (KeyError, TypeError, ValueError):
        return None


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
        raise _error(path, f"it was written by a newer passos ({manifest.get('passos_version')!r:.30}, "
                           f"format version {version}); this passos {passos.__version__} reads "
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
