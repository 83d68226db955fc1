"""Real model files to damage, and tools to damage them (the reliability tests of load_model)."""
import functools
import io
import json
import os
import tempfile
import zipfile

import numpy as np

from passos.keras.layers import (BatchNormalization, Conv2D, Dense, Dropout, Flatten, Input,
                                 MaxPooling2D, Reshape)
from passos.keras.models import Model, Sequential

from .bombs import raw_zip, stored


def _saved(model):
    """The bytes of `model` saved after one training step (so optimizer slots are stored)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8,) + model.input_shape[1:]).astype(np.float32)
    model.fit(x, rng.integers(0, 3, size=8), batch_size=8, epochs=1, verbose=0, seed=0)
    with tempfile.TemporaryDirectory() as folder:
        model.save(os.path.join(folder, "m.passos"))
        with open(os.path.join(folder, "m.passos"), "rb") as file:
            return file.read()


@functools.lru_cache(maxsize=None)
def sequential_file():
    """A convolutional Sequential model with an Orthogonal Dense and BatchNormalization, Adam."""
    model = Sequential([Reshape((6, 6, 1), input_shape=(36,)), Conv2D(2, 3, activation="relu"),
                        MaxPooling2D(2), Flatten(), Dense(4, kernel_initializer="orthogonal"),
                        BatchNormalization(), Dropout(0.2), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _saved(model)


@functools.lru_cache(maxsize=None)
def functional_file():
    """A functional model holding a nested Sequential, trained with SGD and momentum."""
    inputs = Input(shape=(5,))
    inner = Sequential([Dense(4, activation="relu"), Dense(3)])
    model = Model(inputs, Dense(3, activation="softmax")(inner(Dense(4)(inputs))))
    model.compile({"class_name": "SGD", "config": {"momentum": 0.9}},
                  "sparse_categorical_crossentropy")
    return _saved(model)


def entries(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def manifest_of(data):
    return json.loads(entries(data)["model.json"])


def rezip(contents):
    """A stored zip archive of {name: bytes}, entries in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_manifest(data, manifest):
    """`data` with its model.json replaced by `manifest` (a dict, or text written as is)."""
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    return rezip({**entries(data), "model.json": text.encode("utf-8")})


def npy_header(shape, dtype="float32"):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": np.lib.format.dtype_to_descr(
        np.dtype(dtype)), "fortran_order": False, "shape": tuple(shape)})
    return buffer.getvalue()


def dense_manifest(units, inputs, initializer="glorot_uniform", weights=None):
    """model.json of an uncompiled Sequential([Dense(units, input_shape=(inputs,))]).

    `weights`: the shapes its 'weights' section declares (by default the true ones).
    """
    shapes = weights if weights is not None else [[inputs, units], [units]]
    layer = {"class_name": "Dense", "config": {
        "name": "dense", "trainable": True, "dtype": "float32",
        "batch_input_shape": [None, inputs], "units": units, "activation": "linear",
        "use_bias": True, "kernel_initializer": {"class_name": initializer, "config": {}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}}}
    return {"format": "passos.keras", "format_version": 1, "passos_version": "0.1.0",
            "model": {"class_name": "Sequential", "config": {"name": "s", "layers": [layer]},
                      "build_input_shape": [None, inputs], "input_dtype": "float32"},
            "compile": None, "optimizer_state": None,
            "weights": [{"name": f"dense/{kind}", "shape": shape, "dtype": "float32",
                         "entry": f"weights/{i}.npy"}
                        for i, (kind, shape) in enumerate(zip(["kernel", "bias"], shapes))]}


def small_dense_file(manifest):
    """`manifest` with the weights of a Dense(2) on 3 inputs: 32 bytes of values in all."""
    return raw_zip([stored("model.json", json.dumps(manifest).encode()),
                    stored("weights/0.npy", npy_header((3, 2)) + bytes(24)),
                    stored("weights/1.npy", npy_header((2,)) + bytes(8))])
