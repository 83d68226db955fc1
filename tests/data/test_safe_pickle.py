"""The restricted unpickler builds Keras' data files and refuses every other global."""
import builtins
import io
import os
import pickle

import numpy as np
import pytest

from passos.data import keras_files, safe_pickle
from passos.data.npz_file import load_npz
from passos.keras.datasets import cifar10, imdb

from .keras_files_writers import cifar_batch, object_array, py2_pickle, write_tar


class Evil:
    """Pickles as a call of `function(argument)`: what a hostile file does."""

    def __init__(self, function, argument):
        self.function, self.argument = function, argument

    def __reduce__(self):
        return self.function, (self.argument,)


@pytest.fixture
def evil_payloads(tmp_path):
    """Pickles that would create tmp_path/'pwned' if loaded with plain pickle."""
    target = tmp_path / "pwned"
    return target, [Evil(os.system, f"touch {target}"),
                    Evil(builtins.eval, f"open({str(target)!r}, 'w').close()")]


def test_evil_globals_are_refused_and_never_run(evil_payloads):
    target, payloads = evil_payloads
    for payload in payloads:
        for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
            with pytest.raises(ValueError, match=r"^here: refused to load (posix\.system|"
                                                 r"(__builtin__|builtins)\.eval) from a pickle"):
                safe_pickle.load(io.BytesIO(pickle.dumps([1, payload], protocol)), "here")
    assert not target.exists()


def test_numpy_arrays_and_plain_data_load():
    data = {"data": np.arange(6, dtype=np.uint8).reshape(2, 3), "labels": [1, 2], "name": "x",
            "scalar": np.float32(1.5), "objects": object_array([[1, 2], [3]])}
    loaded = safe_pickle.load(io.BytesIO(pickle.dumps(data)), "here")
    assert loaded["data"].tolist() == [[0, 1, 2], [3, 4, 5]] and loaded["scalar"] == np.float32(1.5)
    assert loaded["objects"].tolist() == [[1, 2], [3]]
    py2 = safe_pickle.load(io.BytesIO(py2_pickle(data)), "here", encoding="bytes")
    assert py2[b"data"].dtype == np.uint8 and py2[b"name"] == b"x"


def test_damaged_pickle_is_a_value_error():
    with pytest.raises(ValueError, match=r"^here: the pickled data is damaged "
                                         r"\(UnpicklingError: pickle data was truncated"):
        safe_pickle.load(io.BytesIO(pickle.dumps([1, 2, 3])[:-3]), "here")


def test_hostile_npz_and_cifar_batches_are_refused(evil_payloads, tmp_path, monkeypatch):
    target, (system, evaluate) = evil_payloads
    np.savez(tmp_path / "imdb.npz", x_train=object_array([[1], system]), y_train=np.zeros(2),
             x_test=object_array([[1]]), y_test=np.zeros(1))
    with pytest.raises(ValueError, match=r"entry 'x_train': refused to load posix\.system"):
        load_npz(tmp_path / "imdb.npz", "imdb.load_data")
    monkeypatch.setenv("PASSOS_DATA", str(tmp_path))
    monkeypatch.setattr(keras_files, "KERAS_DIR", str(tmp_path / "none"))
    with pytest.raises(ValueError, match=r"^imdb.load_data: .*refused to load posix\.system"):
        imdb.load_data()
    batch = cifar_batch(2, {"labels": 10})
    batch["labels"] = [0, evaluate]
    members = {name: py2_pickle(batch) for name in
               [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]}
    write_tar(tmp_path / "cifar-10-batches-py.tar.gz", "cifar-10-batches-py", members)
    with pytest.raises(ValueError, match=r"data_batch_1: refused to load __builtin__\.eval"):
        cifar10.load_data()
    assert not target.exists()
