"""Fuzzing load_model on mutated real model files: it loads, or it raises ModelFileError.

Each example damages a real saved model (bytes flipped, the file cut short,
values of model.json replaced: sizes, dtypes, names, nesting, optimizer state)
and loads it. Anything but a ModelFileError, or a loaded model that then
fails to predict, is a bug. The process runs under an address-space cap, so a
loader that allocates what a hostile size asks for fails here as a MemoryError
instead of swapping the machine.
"""
import json
import resource

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from passos.keras.models import load_model
from passos.keras.saving import ModelFileError

from .model_files import functional_file, manifest_of, sequential_file, with_manifest

FUZZ = settings(derandomize=True, deadline=None, max_examples=150, database=None,
                suppress_health_check=[HealthCheck.too_slow])
HEADROOM = 2 << 30   # the address space may grow by this much during the fuzz tests
FILES = {"sequential": sequential_file, "functional": functional_file}
SIZE_KEYS = {"units", "filters", "kernel_size", "strides", "pool_size", "target_shape",
             "batch_input_shape", "build_input_shape", "shape", "iterations", "weight", "axis",
             "noise_shape", "rate", "format_version"}
HOSTILE = st.one_of(
    st.sampled_from([None, True, False, 0, -1, -5, 1, 2, 3, 6000, 100_000, 2 ** 31, 2 ** 53,
                     2 ** 64, 10 ** 30, 10 ** 400, 1e308, -0.5, 0.5, "", "x", "8", "int8", "bool", "object",
                     "float64", "float16", "<f4", [], [None], [1, 2], [0], [100_000, 100_000],
                     {}, {"a": 1}, {"class_name": "Sequential", "config": {}}]),
    st.integers(-2 ** 70, 2 ** 70), st.floats(), st.text(max_size=12))
SIZES = st.one_of(st.sampled_from([0, -1, -5, 1, 2, 3, 6000, 100_000, 2 ** 31, 2 ** 53, 2 ** 64,
                                   3.5, "8", None, True, [], [None], [6000, 6000]]),
                  st.integers(-2 ** 40, 2 ** 40))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module", autouse=True)
def address_space_cap():
    """Cap this process's address space at its size now plus HEADROOM for these tests."""
    with open("/proc/self/status") as status:
        mapped = next(int(line.split()[1]) * 1024 for line in status
                      if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mapped + HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY
                                            else min(cap, hard), hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def loads_or_refuses(folder, data):
    """Load `data`: a ModelFileError is a refusal; a loaded model must predict on a small batch."""
    path = folder / "fuzzed.passos"
    path.write_bytes(data)
    try:
        model = load_model(path)
    except ModelFileError as error:
        assert f"cannot load '{path}': " in str(error)
        return
    batch, *shape = model.input_shape
    shape = (2 if batch is None else batch,) + tuple(shape)  # a saved batch size is kept
    if None not in shape and int(np.prod(shape, dtype=np.int64)) <= 10_000:
        model.predict(np.zeros(shape, model.input_dtype), batch_size=max(shape[0], 1), verbose=0)


def paths(document, prefix=()):
    """Every place in a JSON document, as a tuple of keys and indices."""
    found = [prefix] if prefix else []
    items = document.items() if isinstance(document, dict) else (
        enumerate(document) if isinstance(document, list) else ())
    for key, value in items:
        found += paths(value, prefix + (key,))
    return found


def replaced(document, path, value):
    document = json.loads(json.dumps(document))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@st.composite
def mutated_manifests(draw, places=lambda path: True, values=HOSTILE):
    name = draw(st.sampled_from(sorted(FILES)))
    manifest = manifest_of(FILES[name]())
    for _ in range(draw(st.integers(1, 3))):
        candidates = [path for path in paths(manifest) if places(path)]
        if not candidates:
            break
        manifest = replaced(manifest, draw(st.sampled_from(candidates)), draw(values))
    return FILES[name](), manifest


@FUZZ
@given(name=st.sampled_from(sorted(FILES)), flips=st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6))
def test_flipped_bytes(folder, name, flips):
    data = bytearray(FILES[name]())
    for where, byte in flips:
        data[int(where * len(data))] = byte
    loads_or_refuses(folder, bytes(data))


@FUZZ
@given(name=st.sampled_from(sorted(FILES)), keep=st.floats(0, 1, exclude_max=True))
def test_truncated(folder, name, keep):
    data = FILES[name]()
    loads_or_refuses(folder, data[:int(keep * len(data))])


@FUZZ
@given(case=mutated_manifests())
def test_any_json_value_replaced(folder, case):
    data, manifest = case
    loads_or_refuses(folder, with_manifest(data, manifest))


def sized(path, section):
    return path[0] == section and bool(SIZE_KEYS & {key for key in path if isinstance(key, str)})


@settings(FUZZ, max_examples=200)
@given(case=mutated_manifests(places=lambda path: sized(path, "model"), values=SIZES))
def test_layer_size_fields_replaced(folder, case):
    data, manifest = case
    loads_or_refuses(folder, with_manifest(data, manifest))


@FUZZ
@given(case=mutated_manifests(places=lambda path: not sized(path, "model") and (
    sized(path, "weights") or sized(path, "optimizer_state")), values=SIZES))
def test_stored_sizes_replaced(folder, case):
    data, manifest = case
    loads_or_refuses(folder, with_manifest(data, manifest))


@FUZZ
@given(case=mutated_manifests(
    places=lambda path: path[-1] in ("dtype", "input_dtype", "name", "class_name", "slot",
                                     "entry", "inbound", "output", "loss"),
    values=st.one_of(st.sampled_from(["int8", "bool", "object", "float64", "complex64",
                                      "Sequential", "Model", "Dense", "weights/0.npy"]),
                     HOSTILE)))
def test_dtypes_names_and_classes_replaced(folder, case):
    data, manifest = case
    loads_or_refuses(folder, with_manifest(data, manifest))


@FUZZ
@given(case=mutated_manifests(places=lambda path: path[0] in ("optimizer_state", "compile")))
def test_optimizer_state_and_compile_replaced(folder, case):
    data, manifest = case
    loads_or_refuses(folder, with_manifest(data, manifest))


@settings(FUZZ, max_examples=40)
@given(name=st.sampled_from(sorted(FILES)), depth=st.integers(0, 400))
def test_models_nested_in_models(folder, name, depth):
    manifest = manifest_of(FILES[name]())
    section = manifest["model"]
    for level in range(depth):
        section = {"class_name": "Sequential", "config": {
            "name": f"outer_{level}", "layers": [{"class_name": section["class_name"],
                                                  "config": section["config"]}]}}
    manifest["model"] = {**manifest["model"], **section}
    loads_or_refuses(folder, with_manifest(FILES[name](), manifest))
