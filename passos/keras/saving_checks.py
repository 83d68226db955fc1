"""The checks load_model runs on a model file's JSON and arrays before it builds anything.

A model file is data from anywhere: every value the loader acts on is checked
here first, so a damaged or hostile file fails with a ModelFileError naming the
file and the value at fault, never with an error from deep inside a layer. The
.npy headers alone must show that the arrays fit what the file's size can
honestly hold (an entry that claims to inflate far beyond its bytes is a zip bomb).
"""
import json
import math
import os

import numpy as np

from ..io import DAMAGED_FILE_ERRORS as _CORRUPT, read_npy_array, read_npy_header

FLOAT_DTYPES = ("float16", "float32", "float64")
MAX_DEPTH = 100        # levels of lists and dicts in model.json: about 30 models nested in models
MAX_INTEGER = 2 ** 53  # no size or count needs more; larger ones are inexact in most JSON readers
MAX_RANK = 8           # dimensions of an input or a weight
MAX_NAME = 1000        # characters in a name
MAX_LAYERS = 500       # in all models of a file: bounds the work of building them
MODEL_CLASSES = ("Sequential", "Model")
MAX_EXPANSION = 8          # stored arrays may take this many times the file's size ...
EXPANSION_ALLOWANCE = 1 << 20   # ... plus this, for small files of zeros a zip tool compressed
ZIP_ERRORS = _CORRUPT + (ValueError,)


class ModelFileError(ValueError):
    """A file load_model or load_weights cannot use: damaged, altered, too new, or not passos'."""


def error(path, problem):
    return ModelFileError(f"cannot load '{path}': {problem}")


def expect(value, kind, path, what):
    """`value` if it is a `kind` (a bool is not an int), else a ModelFileError naming `what`."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise error(path, f"{what} should be {getattr(kind, '__name__', kind)}, got "
                          f"{value!r:.60} (the file is damaged or was altered)")
    return value


# -- the JSON as a whole -----------------------------------------------------------------------
def decode(raw, path, name):
    """The JSON document in `raw`, refused when not UTF-8, too deep, or holding odd numbers."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(path, f"'{name}' is not UTF-8 text ({problem})") from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep(path, name) from None
    except ValueError as problem:
        raise error(path, f"'{name}' is not valid JSON ({problem})") from None
    _check_values(document, path, name)
    return document


def _refuse_constant(word):
    raise ValueError(f"{word} is not a number a model file may hold")


def _too_deep(path, name):
    return error(path, f"'{name}' nests lists and dicts more than {MAX_DEPTH} levels deep "
                       f"(models inside models inside ...); passos reads at most {MAX_DEPTH} "
                       "levels")


def _check_values(document, path, name):
    """Depth and numbers everywhere, in one pass that needs no recursion."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise _too_deep(path, name)
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
        elif isinstance(value, float) and not math.isfinite(value):
            raise error(path, f"'{name}' holds the number {value}, too large for a model file")
        elif isinstance(value, int) and abs(value) > MAX_INTEGER:
            raise error(path, f"'{name}' holds an integer of {len(str(abs(value)))} digits, "
                              f"beyond the {MAX_INTEGER} a model file may hold")


def check_manifest(path, manifest):
    """Each section's structure; the layers' own arguments are checked by their constructors."""
    weights = expect(manifest.get("weights"), list, path, "'weights'")
    for i, item in enumerate(weights):
        what = f"weight {i}"
        item = expect(item, dict, path, f"{what} in 'weights'")
        check_name(item.get("name"), path, f"the name of {what}")
        check_shape(item.get("shape"), path, f"the shape of {what}", unknown=False)
        check_dtype(item.get("dtype"), path, f"the dtype of {what}", required=True)
        expect(item.get("entry"), str, path, f"the entry name of {what}")
    named = [item["entry"] for item in weights]
    if manifest.get("model") is not None:
        _check_model(path, expect(manifest["model"], dict, path, "'model'"))
    if manifest.get("compile") is not None:
        _check_compile(path, expect(manifest["compile"], dict, path, "'compile'"))
    if manifest.get("optimizer_state") is not None:
        state = expect(manifest["optimizer_state"], dict, path, "'optimizer_state'")
        _check_optimizer_state(path, state)
        named += [item["entry"] for item in state["slots"]]
    if len(set(named)) != len(named):  # each array is read once: no entry read over and over
        twice = next(entry for entry in named if named.count(entry) > 1)
        raise error(path, f"the entry '{twice:.200}' is named for more than one array; each "
                          "array has its own entry")


# -- pieces ------------------------------------------------------------------------------------
def check_name(value, path, what):
    name = expect(value, str, path, what)
    if not 0 < len(name) <= MAX_NAME:
        raise error(path, f"{what} is {len(name)} characters long; names have 1 to {MAX_NAME}")
    return name


def check_dtype(value, path, what, required=False):
    if (value is not None or required) and value not in FLOAT_DTYPES:
        raise error(path, f"{what} is {value!r:.60}; passos models compute in "
                          f"{', '.join(FLOAT_DTYPES)}")


def check_shape(value, path, what, unknown=True):
    """A list of at most MAX_RANK sizes: non-negative integers (or None where `unknown`)."""
    shape = expect(value, list, path, what)
    if len(shape) > MAX_RANK:
        raise error(path, f"{what} has {len(shape)} dimensions; passos handles at most {MAX_RANK}")
    for size in shape:
        if size is None and unknown:
            continue
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise error(path, f"{what} is {shape!r:.80}; sizes are non-negative integers"
                              f"{' or null' if unknown else ''}")
    return shape


def _check_model(path, section):
    class_name = section.get("class_name")
    if class_name not in MODEL_CLASSES:
        raise error(path, f"unknown model class {class_name!r:.60}; expected 'Sequential' "
                          "or 'Model'")
    if section.get("build_input_shape") is not None:
        check_shape(section["build_input_shape"], path, "the model's build_input_shape")
    check_dtype(section.get("input_dtype"), path, "the model's input_dtype")
    _check_network(path, class_name, section.get("config"), [0])


def _check_network(path, class_name, config, counted):
    """A Sequential or functional config: its layers, and the models nested in it (depth is
    bounded by MAX_DEPTH, so this recursion is too); `counted` holds the layers seen so far."""
    config = expect(config, dict, path, f"the config of a {class_name}")
    if config.get("name") is not None:
        check_name(config["name"], path, f"the name of a {class_name}")
    layers = expect(config.get("layers"), list, path, f"the layers of a {class_name}")
    counted[0] += len(layers)
    if counted[0] > MAX_LAYERS:
        raise error(path, f"its models hold more than {MAX_LAYERS} layers in all; passos loads "
                          f"at most {MAX_LAYERS}")
    for i, item in enumerate(layers):
        item = expect(item, dict, path, f"layer {i} of a {class_name}")
        layer_class = expect(item.get("class_name"), str, path, f"the class_name of layer {i}")
        what = f"layer {i} ({layer_class:.60})"
        layer_config = expect(item.get("config"), dict, path, f"the config of {what}")
        if layer_class in MODEL_CLASSES:
            _check_network(path, layer_class, layer_config, counted)
        else:
            _check_layer_config(path, layer_class, layer_config, what)
        if class_name == "Model":
            check_name(item.get("name"), path, f"the name of {what}")
            _check_calls(path, item, layer_class, what)
    if class_name == "Model":
        if "output" in config:  # format of passos before several inputs and outputs
            check_name(config["output"], path, "the output of a functional model")
            return
        for key in ("input_layers", "output_layers"):
            for ref in expect(config.get(key), list, path, f"the {key} of a functional model"):
                _check_ref(path, ref, f"an entry of {key}")


def _check_calls(path, item, layer_class, what):
    """A functional layer's calls: lists of [layer name, node index, tensor index, {}]."""
    if "inbound" in item:  # the older format: one inbound layer name
        inbound = expect(item["inbound"], list, path, f"the inbound layers of {what}")
        if len(inbound) != (layer_class != "InputLayer"):
            raise error(path, f"{what} takes {len(inbound)} inputs; a functional model's "
                              "layers take one (its InputLayer none)")
        for name in inbound:
            check_name(name, path, f"the inbound layer of {what}")
        return
    for call in expect(item.get("inbound_nodes"), list, path, f"the inbound nodes of {what}"):
        for ref in expect(call, list, path, f"an inbound node of {what}"):
            _check_ref(path, ref, f"an input of {what}")


def _check_ref(path, ref, what):
    ref = expect(ref, list, path, what)
    if len(ref) not in (3, 4):
        raise error(path, f"{what} is {ref!r:.80}; expected [layer name, node index, tensor index]")
    check_name(ref[0], path, f"the layer name of {what}")
    for number in ref[1:3]:
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise error(path, f"{what} is {ref!r:.80}; its indices are integers of 0 or more")


def _check_layer_config(path, layer_class, config, what):
    if config.get("name") is not None:
        check_name(config["name"], path, f"the name of {what}")
    check_dtype(config.get("dtype"), path, f"the dtype of {what}")
    if "trainable" in config:
        expect(config["trainable"], bool, path, f"'trainable' of {what}")
    if config.get("batch_input_shape") is not None or layer_class == "InputLayer":
        check_shape(config.get("batch_input_shape"), path, f"the batch_input_shape of {what}")


def _check_compile(path, settings):
    optimizer = expect(settings.get("optimizer"), dict, path, "the compiled optimizer")
    expect(optimizer.get("class_name"), str, path, "the optimizer's class_name")
    config = expect(optimizer.get("config"), dict, path, "the optimizer's config")
    for key, value in config.items():
        if key == "name":
            expect(value, str, path, "the optimizer's name")
        elif value is not None and not isinstance(value, (int, float)):
            raise error(path, f"the optimizer's {key!r:.40} is {value!r:.60}; its settings are "
                              "numbers, booleans or null")
    loss = settings.get("loss")
    for name in loss if isinstance(loss, list) else [loss]:  # one, or one per output
        expect(name, str, path, "the compiled loss")
    weights = settings.get("loss_weights")
    for weight in [] if weights is None else expect(weights, list, path, "the loss weights"):
        if not isinstance(weight, (int, float)) or isinstance(weight, bool):
            raise error(path, f"a loss weight is {weight!r:.40}; loss weights are numbers")
    metrics = settings.get("metrics")
    lists = expect(metrics, dict, path, "the compiled metrics").values() \
        if isinstance(metrics, dict) else [metrics]  # a dict: per output name
    for names in lists:
        for metric in expect(names, list, path, "the compiled metrics"):
            expect(metric, str, path, "a compiled metric")


def _check_optimizer_state(path, state):
    iterations = expect(state.get("iterations"), int, path, "the optimizer's iterations")
    if iterations < 0:
        raise error(path, f"the optimizer's iterations is {iterations}; it counts the steps "
                          "taken, so it is 0 or more")
    for item in expect(state.get("slots"), list, path, "the optimizer's slots"):
        item = expect(item, dict, path, "an optimizer slot")
        weight = expect(item.get("weight"), int, path, "an optimizer slot's weight index")
        if weight < 0:
            raise error(path, f"an optimizer slot refers to weight {weight}; indices are 0 "
                              "or more")
        expect(item.get("slot"), str, path, "an optimizer slot's name")
        expect(item.get("entry"), str, path, "an optimizer slot's entry name")


# -- the arrays: headers first, then only the bytes needed ------------------------------------
class Stored:
    """An .npy entry of the file and its checked header (shape, dtype, order, data offset)."""

    def __init__(self, entry, header):
        self.entry, self.header = entry, header
        self.shape, self.dtype, self.nbytes = header.shape, header.dtype, header.nbytes
        self.size = math.prod(header.shape)


def entry_info(archive, path, entry):
    try:
        return archive.getinfo(entry)
    except KeyError:
        raise error(path, f"the entry '{entry:.200}' is missing (the file is incomplete or is "
                          "not a passos model file)") from None


def _read_entry(archive, path, entry, read, *args):
    """read(open entry, *args, fail) from passos.io; any problem is a ModelFileError naming `entry`."""
    try:
        with archive.open(entry_info(archive, path, entry)) as file:
            return read(file, *args, lambda problem: error(path, f"the entry '{entry}' {problem}"))
    except _CORRUPT as problem:
        raise error(path, f"the entry '{entry}' is corrupt ({problem})") from None


def read_header(archive, path, entry):
    """The header of the .npy `entry`, read alone (bounded), checked against its size."""
    header = _read_entry(archive, path, entry, read_npy_header)
    info = entry_info(archive, path, entry)
    shape, dtype = header.shape, header.dtype
    if len(shape) > MAX_RANK:
        raise error(path, f"the entry '{entry}' is not a plain NumPy array: its header declares "
                          f"the shape {shape!r:.80}")
    if dtype.name not in FLOAT_DTYPES or dtype.fields is not None:
        raise error(path, f"the entry '{entry}' is not a plain NumPy array: it holds "
                          f"{dtype.name} values, and passos stores {', '.join(FLOAT_DTYPES)}")
    if info.file_size != header.offset + header.nbytes:
        raise error(path, f"the entry '{entry}' holds {info.file_size} bytes, but its header "
                          f"declares a {dtype.name} array of shape {shape} ({header.nbytes} "
                          f"bytes of data after {header.offset} of header); the file is damaged")
    return Stored(entry, header)


def memory_limit(path):
    """The most bytes the loader reads out of the file at `path`: a few times its own size."""
    return MAX_EXPANSION * os.path.getsize(path) + EXPANSION_ALLOWANCE


def check_total(path, stored):
    """Refuse arrays that would take far more memory than the file's own bytes can describe."""
    total = sum(item.nbytes for item in stored)
    size = os.path.getsize(path)
    if total > memory_limit(path):
        raise error(path, f"its arrays would take {total} bytes of memory, more than "
                          f"{MAX_EXPANSION} times the file's {size} bytes: an entry claims to "
                          "expand far beyond its compressed size (a zip bomb, or a damaged "
                          "file); passos writes its entries uncompressed")


def read_array(archive, path, stored):
    """The array of `stored`: its entry opened again, exactly its data read, the CRC checked."""
    return _read_entry(archive, path, stored.entry, read_npy_array, stored.header)


class StoredWeights:
    """add_weight's source while load_model builds: zeros, never more than the file stores.

    The file orders the weights unlike the layers create them, so this checks their
    count and total size; each shape is compared once the model is built.
    """

    def __init__(self, path, stored):
        self.path = path
        self.count = self.count_left = len(stored)
        self.values_left = sum(item.size for item in stored)

    def __call__(self, layer, name, shape, dtype):
        what = f"{type(layer).__name__} '{layer.name}' weight '{name}'"
        if any(not isinstance(size, (int, np.integer)) or size < 0 for size in shape):
            raise error(self.path, f"{what} would have the shape {shape}; sizes are "
                                   "non-negative integers")
        if dtype.name not in FLOAT_DTYPES:
            raise error(self.path, f"{what} would hold {dtype.name} values; passos models "
                                   f"compute in {', '.join(FLOAT_DTYPES)}")
        size = math.prod(int(s) for s in shape)
        if self.count_left == 0 or size > self.values_left:
            raise error(self.path, f"its config asks for more weights than the file stores: "
                                   f"{what} of shape {shape} needs {size} values, and only "
                                   f"{self.values_left} values in {self.count_left} of the "
                                   f"file's {self.count} arrays are left; the config was "
                                   "altered or weights are missing")
        self.count_left -= 1
        self.values_left -= size
        return np.zeros(shape, dtype)
