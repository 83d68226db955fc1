"""load_model and load_weights bound what they allocate before they allocate it.

A hostile model file of a few hundred bytes must not exhaust memory or time: it
is refused with a ModelFileError naming the file and the value at fault. The
memory tests run the loader in a child process whose address space may grow by
only a few MiB (the memory_capped fixture, conftest.py).
"""
import json

import numpy as np
import pytest

import passos
from passos.keras import initializers
from passos.keras.layers import Dense
from passos.keras.models import load_model
from passos.keras.saving import ModelFileError

from .bombs import deflated, raw_zip, stored
from .model_files import (dense_manifest, entries, functional_file, manifest_of, npy_header,
                          rezip, sequential_file, small_dense_file, with_manifest)

CAP = 16 << 20   # the child may grow by this much: a real small model loads within it
SETUP = "from passos.keras.models import load_model"


def write(tmp_path, data, name="m.passos"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def capped_load(memory_capped, path):
    """What load_model(path) raised in a child process under the memory cap."""
    return memory_capped(f"load_model({str(path)!r})", setup=SETUP, allowance=CAP)


# -- huge configs: refused before allocating, without running the initializer ----------------
def test_a_real_model_loads_under_the_memory_cap(tmp_path, memory_capped):
    """The control for the tests below: the cap leaves room for an honest load."""
    outcome = capped_load(memory_capped, write(tmp_path, sequential_file()))
    assert outcome["raised"] is None, outcome


@pytest.mark.parametrize("units, initializer", [(100_000, "glorot_uniform"),
                                                (6000, "Orthogonal")])
def test_huge_dense_config_is_refused_fast_within_the_cap(tmp_path, memory_capped, units,
                                                          initializer):
    data = small_dense_file(dense_manifest(units, units, initializer, [[3, 2], [2]]))
    assert len(data) < 2000
    outcome = capped_load(memory_capped, write(tmp_path, data))
    assert outcome["raised"] == "ModelFileError", outcome
    assert (f"its config asks for more weights than the file stores: Dense 'dense' weight "
            f"'kernel' of shape ({units}, {units}) needs {units * units} values, and only 8 "
            f"values in 2 of the file's 2 arrays are left") in outcome["message"]


def test_huge_orthogonal_is_refused_without_running_it(tmp_path, monkeypatch):
    """A 6000x6000 Orthogonal initializer used to run for over a minute before any check."""
    path = write(tmp_path, small_dense_file(dense_manifest(6000, 6000, "Orthogonal",
                                                           [[3, 2], [2]])))

    def refuse(self, shape, dtype="float32"):
        raise AssertionError(f"Orthogonal{shape} ran during load_model")
    monkeypatch.setattr(initializers.Orthogonal, "__call__", refuse)
    with pytest.raises(ModelFileError, match=r"asks for more weights than the file stores"):
        load_model(path)


def test_load_runs_no_initializer(tmp_path, monkeypatch):
    """Weights are read from the file, so the initializers' time and memory are never spent."""
    path = write(tmp_path, sequential_file())

    def refuse(self, shape, dtype="float32"):
        raise AssertionError(f"{type(self).__name__} ran during load_model")
    for cls in (initializers.Orthogonal, initializers.VarianceScaling, initializers.Zeros,
                initializers.Ones):
        monkeypatch.setattr(cls, "__call__", refuse)
    load_model(path)
    with pytest.raises(AssertionError, match="ran during load_model"):
        Dense(2, input_shape=(3,)).build((None, 3))


def test_a_refused_load_leaves_layer_construction_as_it_was(tmp_path):
    path = write(tmp_path, small_dense_file(dense_manifest(50, 50, weights=[[3, 2], [2]])))
    with pytest.raises(ModelFileError):
        load_model(path)
    layer = Dense(4, kernel_initializer="ones")
    layer.build((None, 3))
    np.testing.assert_array_equal(layer.kernel.data, np.ones((3, 4), np.float32))


# -- zip bombs: an entry's memory bounded by the file's size and by what the model needs ------
def test_weight_entry_that_inflates_far_beyond_the_file_is_refused(tmp_path, memory_capped):
    """An honest-looking 4096x4096 Dense whose kernel entry deflates 64 MiB from 64 KiB."""
    units = 4096
    header = npy_header((units, units))
    kernel, crc, size = deflated(header, units * units * 4)
    data = raw_zip([stored("model.json", json.dumps(dense_manifest(units, units)).encode()),
                    ("weights/0.npy", kernel, 8, crc, size),
                    stored("weights/1.npy", npy_header((units,)) + bytes(units * 4))])
    assert len(data) < 200_000
    outcome = capped_load(memory_capped, write(tmp_path, data))
    assert outcome["raised"] == "ModelFileError", outcome
    assert (f"its arrays would take {units * units * 4 + units * 4} bytes of memory, more than "
            f"8 times the file's {len(data)} bytes") in outcome["message"]


def test_weight_entry_that_inflates_beyond_its_declared_size_is_refused(tmp_path,
                                                                         memory_capped):
    """The bias entry says 136 bytes; its deflate stream would give 64 MiB."""
    header = npy_header((2,))
    bomb, _, _ = deflated(header, 64 << 20)
    manifest = dense_manifest(2, 3)
    data = raw_zip([stored("model.json", json.dumps(manifest).encode()),
                    stored("weights/0.npy", npy_header((3, 2)) + bytes(24)),
                    ("weights/1.npy", bomb, 8, 0, len(header) + 8)])
    outcome = capped_load(memory_capped, write(tmp_path, data))
    assert outcome["raised"] == "ModelFileError", outcome
    assert "the entry 'weights/1.npy' is damaged (BadZipFile: Bad CRC-32" in outcome["message"]


def test_entry_size_must_match_its_header(tmp_path):
    manifest = dense_manifest(2, 3)
    data = raw_zip([stored("model.json", json.dumps(manifest).encode()),
                    stored("weights/0.npy", npy_header((3, 2)) + bytes(20)),
                    stored("weights/1.npy", npy_header((2,)) + bytes(8))])
    with pytest.raises(ModelFileError, match=r"the entry 'weights/0\.npy' holds 148 bytes, but "
                       r"its header declares a float32 array of shape \(3, 2\) \(24 bytes of "
                       r"data after 128 of header\); the file is damaged"):
        load_model(write(tmp_path, data))


# -- the tester's cases, each pinned with its message -----------------------------------------
def test_models_nested_250_deep(tmp_path):
    manifest = manifest_of(sequential_file())
    config = manifest["model"]["config"]
    for depth in range(250):
        config = {"name": f"outer_{depth}", "layers": [{"class_name": "Sequential",
                                                         "config": config}]}
    manifest["model"]["config"] = config
    with pytest.raises(ModelFileError, match=r"'model\.json' nests lists and dicts more than 100 "
                       r"levels deep \(models inside models inside \.\.\.\); passos reads at most "
                       r"100 levels"):
        load_model(write(tmp_path, with_manifest(sequential_file(), manifest)))


@pytest.mark.parametrize("dtype", ["int8", "bool", "object", "complex64", 5, None])
def test_layer_dtypes_other_than_floats(tmp_path, dtype):
    manifest = manifest_of(sequential_file())
    manifest["model"]["config"]["layers"][4]["config"]["dtype"] = dtype
    data = with_manifest(sequential_file(), manifest)
    if dtype is None:  # no dtype: the layer's default, float32
        load_model(write(tmp_path, data))
        return
    with pytest.raises(ModelFileError, match=rf"the dtype of layer 4 \(Dense\) is {dtype!r}; "
                       r"passos models compute in float16, float32, float64"):
        load_model(write(tmp_path, data))


@pytest.mark.parametrize("where", ["input_dtype", "weights"])
def test_model_input_and_weight_dtypes(tmp_path, where):
    manifest = manifest_of(sequential_file())
    if where == "input_dtype":
        manifest["model"]["input_dtype"] = "int8"
        expected = r"the model's input_dtype is 'int8'"
    else:
        manifest["weights"][0]["dtype"] = "bool"
        expected = r"the dtype of weight 0 is 'bool'"
    with pytest.raises(ModelFileError, match=expected + r"; passos models compute in float16"):
        load_model(write(tmp_path, with_manifest(sequential_file(), manifest)))


def test_stored_array_of_integers(tmp_path):
    manifest = dense_manifest(2, 3)
    data = raw_zip([stored("model.json", json.dumps(manifest).encode()),
                    stored("weights/0.npy", npy_header((3, 2), "int8") + bytes(6)),
                    stored("weights/1.npy", npy_header((2,)) + bytes(8))])
    with pytest.raises(ModelFileError, match=r"the entry 'weights/0\.npy' is not a plain NumPy "
                       r"array: it holds int8 values, and passos stores float16, float32, "
                       r"float64"):
        load_model(write(tmp_path, data))


def test_negative_iterations(tmp_path):
    manifest = manifest_of(sequential_file())
    manifest["optimizer_state"]["iterations"] = -5
    with pytest.raises(ModelFileError, match=r"the optimizer's iterations is -5; it counts the "
                       r"steps taken, so it is 0 or more"):
        load_model(write(tmp_path, with_manifest(sequential_file(), manifest)))


def test_optimizer_hyperparameters_that_would_turn_weights_into_nan(tmp_path):
    manifest = manifest_of(sequential_file())
    manifest["compile"]["optimizer"]["config"]["beta_1"] = 1.0
    with pytest.raises(ModelFileError, match=r"the compile settings cannot be restored \(Adam: "
                       r"beta_1 must be a number in \[0, 1\), got 1\.0\); load with compile=False"):
        load_model(write(tmp_path, with_manifest(sequential_file(), manifest)))


@pytest.mark.parametrize("value, slot", [(np.nan, "m"), (np.inf, "m"), (-1.0, "v")])
def test_optimizer_slots_that_would_turn_weights_into_nan(tmp_path, value, slot):
    manifest = manifest_of(sequential_file())
    item = next(s for s in manifest["optimizer_state"]["slots"] if s["slot"] == slot)
    array = np.full(manifest["weights"][item["weight"]]["shape"], value, np.float32)
    content = npy_header(array.shape) + array.tobytes()
    data = rezip({**entries(sequential_file()), item["entry"]: content})
    kind = "NaN or infinite" if slot == "m" else "negative"
    with pytest.raises(ModelFileError, match=rf"optimizer slot '{slot}' of weight "
                       rf"{item['weight']} holds {kind} values"):
        load_model(write(tmp_path, data))
    load_model(write(tmp_path, data), compile=False)  # the way out the message suggests


@pytest.mark.parametrize("name", [{"evil": 1}, ["a"], 7, "", "x" * 1001])
def test_layer_name_that_is_not_a_short_string(tmp_path, name):
    manifest = manifest_of(sequential_file())
    manifest["model"]["config"]["layers"][0]["config"]["name"] = name
    expected = (r"characters long; names have 1 to 1000" if isinstance(name, str)
                else rf"the name of layer 0 \(Reshape\) should be str, got {name!r}"
                .replace("[", r"\[").replace("{", r"\{"))
    with pytest.raises(ModelFileError, match=expected):
        load_model(write(tmp_path, with_manifest(sequential_file(), manifest)))


def test_functional_layer_name_that_is_an_object(tmp_path):
    manifest = manifest_of(functional_file())
    manifest["model"]["config"]["layers"][1]["name"] = {"a": 1}
    with pytest.raises(ModelFileError, match=r"the name of layer 1 \(Dense\) should be str, got "
                       r"\{'a': 1\}"):
        load_model(write(tmp_path, with_manifest(functional_file(), manifest)))


@pytest.mark.parametrize("text, expected", [
    ('{"format": NaN}', r"'model\.json' is not valid JSON \(NaN is not a number"),
    ('{"format": 1e999}', r"'model\.json' holds the number inf, too large for a model file"),
    ('{"format": 123456789012345678901234567890}', r"holds an integer of 30 digits, beyond "
     r"the 9007199254740992 a model file may hold"),
    ('{"format": 1%s}' % ("0" * 400), r"holds an integer of 401 digits"),
    (b'{"format": "\xff"}', r"'model\.json' is not UTF-8 text"),
])
def test_manifest_values_json_itself_allows(tmp_path, text, expected):
    raw = text if isinstance(text, bytes) else text.encode()
    data = rezip({**entries(sequential_file()), "model.json": raw})
    with pytest.raises(ModelFileError, match=expected):
        load_model(write(tmp_path, data))


def test_load_weights_checks_headers_and_total_too(tmp_path):
    units = 4096
    header = npy_header((units, units))
    kernel, crc, size = deflated(header, units * units * 4)
    data = raw_zip([stored("model.json", json.dumps({**dense_manifest(units, units),
                                                     "model": None}).encode()),
                    ("weights/0.npy", kernel, 8, crc, size),
                    stored("weights/1.npy", npy_header((units,)) + bytes(units * 4))])
    model = passos.keras.models.Sequential([Dense(2, input_shape=(3,))])
    with pytest.raises(ModelFileError, match=r"its arrays would take \d+ bytes of memory"):
        model.load_weights(write(tmp_path, data))


def test_manifest_that_inflates_far_beyond_the_file_is_refused(tmp_path, memory_capped):
    """24 MiB of JSON (a list of zeros) deflated into 24 KiB."""
    text = b'{"format": "passos.keras", "format_version": 1, "weights": [' + b"0," * (12 << 20)
    packed, crc, size = deflated(text + b"0]}", 0)
    data = raw_zip([("model.json", packed, 8, crc, size)])
    outcome = capped_load(memory_capped, write(tmp_path, data))
    assert outcome["raised"] == "ModelFileError", outcome
    assert (f"the entry 'model.json' holds {size} bytes, more than the {8 * len(data) + (1 << 20)}"
            " it can need (a compressed entry that expands far beyond the file's size is a zip "
            "bomb)") in outcome["message"]


@pytest.mark.parametrize("count", [500, 2000])
def test_more_layers_than_passos_loads(tmp_path, count):
    """A long flat list of layers: wiring them recursed once per layer, then quadratic time."""
    manifest = manifest_of(sequential_file())
    layers = manifest["model"]["config"]["layers"]
    layers[4:4] = [{"class_name": "Activation", "config": {"name": f"a{i}", "activation": "relu"}}
                   for i in range(count - len(layers))]
    path = write(tmp_path, with_manifest(sequential_file(), manifest))
    if count <= 500:
        assert len(load_model(path).layers) == count
        return
    with pytest.raises(ModelFileError, match=r"its models hold more than 500 layers in all; "
                       r"passos loads at most 500"):
        load_model(path)


def test_an_entry_named_for_two_arrays(tmp_path):
    """Reading one entry for many arrays would multiply the file's size in reads and memory."""
    manifest = manifest_of(sequential_file())
    manifest["optimizer_state"]["slots"][1]["entry"] = manifest["weights"][0]["entry"]
    with pytest.raises(ModelFileError, match=r"the entry 'weights/0\.npy' is named for more "
                       r"than one array; each array has its own entry"):
        load_model(write(tmp_path, with_manifest(sequential_file(), manifest)))


def test_array_header_that_declares_a_huge_length(tmp_path, memory_capped):
    """A version-2 header declaring 4 GiB, then 64 MiB of deflated zeros: numpy reads a header's
    declared length before checking it; passos.io refuses a length over numpy's own 10000."""
    header = b"\x93NUMPY\x02\x00" + (0xFFFFFFF0).to_bytes(4, "little")
    packed, crc, size = deflated(header, 64 << 20)
    data = raw_zip([stored("model.json", json.dumps(dense_manifest(2, 3)).encode()),
                    ("weights/0.npy", packed, 8, crc, size),
                    stored("weights/1.npy", npy_header((2,)) + bytes(8))])
    outcome = capped_load(memory_capped, write(tmp_path, data))
    assert outcome["raised"] == "ModelFileError", outcome
    assert ("the entry 'weights/0.npy' has an .npy header of 4294967280 bytes; at most 10000 "
            "are allowed") in outcome["message"]


def test_saving_removes_what_killed_saves_left(tmp_path):
    """model.save goes through passos.io.atomic_write: a dead writer's temporary is cleared."""
    path = write(tmp_path, sequential_file())
    stale = tmp_path / ".m.passos.999999999-0badf00d.tmp"   # a pid above any pid_max
    stale.write_bytes(b"half a model")
    load_model(path).save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.passos"]
    load_model(path)
