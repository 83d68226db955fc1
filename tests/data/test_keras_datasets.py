"""keras.datasets: Keras 2.2.4's load_data on small files in Keras' formats, found or downloaded."""
import hashlib
import json
import os
import urllib.error
import warnings

import numpy as np
import pytest

from passos.data import keras_files
from passos.keras import backend as K
from passos.keras.datasets import boston_housing, cifar10, cifar100, imdb, mnist, reuters

from .keras_files_writers import cifar_batch, object_array, py2_pickle, write_tar


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """PASSOS_DATA, Keras' and passos' caches in tmp_path; the network refuses every download."""
    folders = {name: tmp_path / name for name in ("data", "keras", "cache")}
    for folder in folders.values():
        folder.mkdir()
    monkeypatch.setenv("PASSOS_DATA", str(folders["data"]))
    monkeypatch.setattr(keras_files, "KERAS_DIR", str(folders["keras"]))
    monkeypatch.setattr(keras_files, "CACHE_DIR", str(folders["cache"]))

    def offline(url):
        raise urllib.error.URLError("no network in tests")
    monkeypatch.setattr(keras_files, "_open_url", offline)
    return folders


def write_mnist(path, n=5):
    x = np.arange(n * 784, dtype=np.uint8).reshape(n, 28, 28)
    np.savez(path, x_train=x, y_train=np.arange(n, dtype=np.uint8), x_test=x[:2],
             y_test=np.arange(2, dtype=np.uint8))


def test_mnist_shapes_dtypes_and_search_order(dirs):
    write_mnist(dirs["keras"] / "mnist.npz", n=3)
    (x, y), (xt, yt) = mnist.load_data()
    assert x.shape == (3, 28, 28) and x.dtype == np.uint8 and y.shape == (3,) and yt.dtype == np.uint8
    write_mnist(dirs["data"] / "mnist.npz", n=4)  # $PASSOS_DATA comes first
    assert mnist.load_data()[0][0].shape == (4, 28, 28)
    assert mnist.load_data(path=str(dirs["keras"] / "mnist.npz"))[0][0].shape == (3, 28, 28)


def test_offline_failure_says_which_file_goes_where(dirs):
    with pytest.raises(FileNotFoundError) as error:
        mnist.load_data()
    message = str(error.value)
    assert message.startswith("mnist.load_data: mnist.npz is not in ")
    assert str(dirs["data"]) in message and str(dirs["keras"]) in message
    assert "https://s3.amazonaws.com/img-datasets/mnist.npz" in message and "PASSOS_DATA" in message
    with pytest.raises(FileNotFoundError, match=r"cifar-10-batches-py.tar.gz or cifar-10-batches-py"):
        cifar10.load_data()


def test_download_is_checked_and_atomic(dirs, tmp_path, monkeypatch):
    source = tmp_path / "published.npz"
    write_mnist(source)
    monkeypatch.setattr(keras_files, "_open_url", keras_files.urllib.request.urlopen)
    url = source.as_uri()
    monkeypatch.setitem(keras_files.ORIGINS, "mnist.npz", (url, "md5", "0" * 32))
    with pytest.raises(ValueError, match=r"has md5 [0-9a-f]{32}, but the published checksum is 0{32}"):
        mnist.load_data()
    assert os.listdir(dirs["cache"]) == []  # no file, not even a temporary
    digest = hashlib.md5(source.read_bytes()).hexdigest()
    monkeypatch.setitem(keras_files.ORIGINS, "mnist.npz", (url, "md5", digest))
    assert mnist.load_data()[0][0].shape == (5, 28, 28)
    assert os.listdir(dirs["cache"]) == ["mnist.npz"]


def test_boston_housing_split_follows_the_seed(dirs):
    x = np.arange(10 * 13, dtype=np.float64).reshape(10, 13)
    np.savez(dirs["data"] / "boston_housing.npz", x=x, y=x[:, 0] / 13)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.2, seed=3)
    assert x_train.shape == (8, 13) and x_test.shape == (2, 13) and y_train.dtype == np.float64
    order = np.random.RandomState(3).permutation(10)
    assert (y_train.tolist(), y_test.tolist()) == (order[:8].tolist(), order[8:].tolist())
    with pytest.raises(ValueError, match=r"^boston_housing.load_data: test_split must be in \[0, 1\)"):
        boston_housing.load_data(test_split=1.5)


def write_imdb(path):
    """Review i is [i+1] * (i+1) words long (word i+1 repeated); label i % 2."""
    reviews = [[i + 1] * (i + 1) for i in range(6)]
    np.savez(path, x_train=object_array(reviews[:4]), y_train=np.arange(4) % 2,
             x_test=object_array(reviews[4:]), y_test=np.arange(4, 6) % 2)


def test_imdb_shifts_marks_and_cuts_as_keras(dirs):
    write_imdb(dirs["data"] / "imdb.npz")
    (x, y), (xt, yt) = imdb.load_data(seed=7)
    assert x.dtype == object and x.shape == (4,) and yt.shape == (2,) and y.dtype.kind == "i"
    order = np.random.RandomState(7).permutation(4)
    assert [len(r) - 1 for r in x] == (order + 1).tolist() and y.tolist() == (order % 2).tolist()
    review = x[list(order).index(2)]  # three times word 3: start mark, then 3 + index_from
    assert review == [1, 6, 6, 6]
    assert [1] + [2] * 6 in xt.tolist()  # the largest index (9) is out of vocabulary, as in Keras
    (x, _), (xt, _) = imdb.load_data(num_words=6, skip_top=5, oov_char=None, index_from=0,
                                     start_char=None)  # only word 5 is kept
    assert x.tolist() == [[]] * 4 and sorted(xt.tolist()) == [[], [5] * 5]
    (x, _), (xt, _) = imdb.load_data(maxlen=4, num_words=100)  # length < maxlen kept
    assert sorted(map(len, x)) == [2, 3] and len(xt) == 0


def test_imdb_errors_and_keras1_keyword(dirs):
    write_imdb(dirs["data"] / "imdb.npz")
    with pytest.raises(ValueError, match=r"^imdb.load_data: no sequence is shorter than maxlen=1"):
        imdb.load_data(maxlen=1)
    with pytest.raises(TypeError, match=r"unrecognized keyword arguments \['nub_words'\]"):
        imdb.load_data(nub_words=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x, _), _ = imdb.load_data(nb_words=5)
    assert "renamed `num_words`" in str(caught[0].message) and max(max(r) for r in x) <= 4


def test_reuters_split_and_word_index(dirs):
    np.savez(dirs["data"] / "reuters.npz", x=object_array([[i, i + 1] for i in range(10)]),
             y=np.arange(10) % 46)
    (x, y), (xt, yt) = reuters.load_data(test_split=0.3, num_words=1000)
    assert (len(x), len(xt)) == (7, 3) and x.dtype == object
    assert all(r[0] == 1 and r[1] - 3 == label for r, label in zip(x, y))
    (dirs["data"] / "reuters_word_index.json").write_text(json.dumps({"the": 1, "oil": 2}))
    assert reuters.get_word_index() == {"the": 1, "oil": 2}
    (dirs["keras"] / "imdb_word_index.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match=r"holds a JSON list, not a word index"):
        imdb.get_word_index()


def test_cifar10_from_the_archive_keras_caches(dirs):
    members = {f"data_batch_{i}": py2_pickle(cifar_batch(2, {"labels": 10}, offset=2 * i))
               for i in range(1, 6)}
    members["test_batch"] = py2_pickle(cifar_batch(3, {"labels": 10}))
    write_tar(dirs["keras"] / "cifar-10-batches-py.tar.gz", "cifar-10-batches-py", members)
    (x, y), (xt, yt) = cifar10.load_data()
    assert x.shape == (10, 32, 32, 3) and x.dtype == np.uint8 and xt.shape == (3, 32, 32, 3)
    assert y.shape == (10, 1) and y.dtype == np.uint8 and yt.shape == (3, 1) and yt.dtype == np.int64
    assert x[:, 0, 0, 0].tolist() == list(range(2, 12)) and (x[:, 0, 0, 1] == 7).all()
    K.set_image_data_format("channels_first")
    try:
        assert cifar10.load_data()[0][0].shape == (10, 3, 32, 32)
    finally:
        K.set_image_data_format("channels_last")


def test_cifar100_label_modes_from_an_extracted_folder(dirs):
    folder = dirs["data"] / "cifar-100-python"
    folder.mkdir()
    keys = {"fine_labels": 100, "coarse_labels": 20}
    (folder / "train").write_bytes(py2_pickle(cifar_batch(30, keys)))
    (folder / "test").write_bytes(py2_pickle(cifar_batch(4, keys)))
    (_, y), _ = cifar100.load_data(label_mode="coarse")
    assert y.shape == (30, 1) and y.max() == 19
    assert cifar100.load_data()[0][1].max() == 29
    with pytest.raises(ValueError, match=r"label_mode must be 'fine' or 'coarse', got 'medium'"):
        cifar100.load_data(label_mode="medium")
