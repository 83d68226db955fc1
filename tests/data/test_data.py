"""IDX reading and writing, and Fashion-MNIST loading, on small files made here; no network."""
import gzip
import hashlib
import os
import urllib.error

import numpy as np
import pytest

import passos.keras.datasets.fashion_mnist as keras_fashion_mnist
from passos.data import fashion_mnist
from passos.data.fashion_mnist import FILES, label_names, load_data
from passos.data.idx import TYPE_CODES, read_idx, write_idx

DTYPES = ["uint8", "int8", "int16", "int32", "float32", "float64"]


def sample(dtype, shape=(3, 4, 5)):
    """An array of `dtype` that spans negative, large and (for floats) non-integer values."""
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    x = np.linspace(info.min if info else -1e30, info.max if info else 1e30, np.prod(shape))
    return x.astype(dtype).reshape(shape)


# --- IDX -----------------------------------------------------------------------------------

def test_dtypes_are_every_idx_type_code():
    assert sorted(DTYPES) == sorted(dtype.newbyteorder("=").name for dtype in TYPE_CODES.values())


@pytest.mark.parametrize("ext", ["", ".gz"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_every_dtype(tmp_path, dtype, ext):
    x = sample(dtype)
    path = tmp_path / f"x-idx3{ext}"
    write_idx(path, x)
    y = read_idx(path)
    assert y.dtype == np.dtype(dtype) and y.dtype.isnative and y.flags.writeable
    np.testing.assert_array_equal(y, x)
    assert (open(path, "rb").read(2) == b"\x1f\x8b") == (ext == ".gz")


@pytest.mark.parametrize("shape", [(), (0,), (7,), (0, 28, 28), (2, 1, 3, 1)])
def test_round_trip_shapes(tmp_path, shape):
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    write_idx(tmp_path / "x", x)
    assert read_idx(tmp_path / "x").shape == shape


def test_bytes_on_disk_are_big_endian(tmp_path):
    write_idx(tmp_path / "x", np.array([0x0102, -2], dtype="<i2"))
    assert (tmp_path / "x").read_bytes() == bytes.fromhex("00000b01 00000002 0102 fffe")


def test_reads_a_file_written_by_hand(tmp_path):
    header = bytes.fromhex("00000d02 00000001 00000002")
    (tmp_path / "x").write_bytes(header + np.array([[1.5, -2.0]], dtype=">f4").tobytes())
    np.testing.assert_array_equal(read_idx(tmp_path / "x"), [[1.5, -2.0]])


def test_gzip_is_detected_by_content_not_name(tmp_path):
    write_idx(tmp_path / "x.gz", np.arange(4, dtype=np.uint8))
    os.replace(tmp_path / "x.gz", tmp_path / "x")
    np.testing.assert_array_equal(read_idx(tmp_path / "x"), np.arange(4))
    write_idx(tmp_path / "plain", np.arange(4, dtype=np.uint8))
    os.replace(tmp_path / "plain", tmp_path / "named.gz")
    np.testing.assert_array_equal(read_idx(tmp_path / "named.gz"), np.arange(4))


def test_gzip_output_is_reproducible(tmp_path):
    x = sample("int32")
    write_idx(tmp_path / "a.gz", x)
    write_idx(tmp_path / "b.gz", x)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "x"
    write_idx(path, np.zeros(3, dtype=np.uint8))
    assert os.listdir(tmp_path) == ["x"]  # no temporary file left behind

    def fail(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_idx(path, np.ones(5, dtype=np.uint8))
    assert os.listdir(tmp_path) == ["x"]
    np.testing.assert_array_equal(read_idx(path), np.zeros(3))


def test_write_rejects_dtypes_idx_lacks(tmp_path):
    with pytest.raises(ValueError, match=r"IDX has no type for dtype int64.*astype"):
        write_idx(tmp_path / "x", np.arange(3, dtype=np.int64))
    assert not os.listdir(tmp_path)


def corrupt(tmp_path, ext, edit):
    """Path of a valid (2, 3, 4) float32 IDX file whose uncompressed bytes went through `edit`."""
    path = tmp_path / f"bad{ext}"
    raw = bytes.fromhex("00000d03 00000002 00000003 00000004") + bytes(2 * 3 * 4 * 4)
    raw = edit(raw)
    path.write_bytes(gzip.compress(raw) if ext else raw)
    return path


@pytest.mark.parametrize("ext", ["", ".gz"])
@pytest.mark.parametrize("edit, message", [
    (lambda b: b[:-3], r"truncated: shape \(2, 3, 4\) of float32 needs 112 bytes .*got 109"),
    (lambda b: b + b"xx", r"oversized: shape \(2, 3, 4\) of float32 needs 112 bytes .*got (114|more)"),
    (lambda b: b[:10], r"truncated header: 3 dimensions need 16 header bytes, got 10 bytes"),
    (lambda b: b[:3], r"3 bytes.*too short for the 4-byte IDX magic number"),
    (lambda b: b"", r"0 bytes.*too short"),
    (lambda b: b"\x01\x02" + b[2:], r"bad magic number 01 02 0d 03, expected 00 00 <type"),
    (lambda b: b[:2] + b"\x0a" + b[3:], r"unknown type code 0x0A; IDX knows 0x08 uint8.*float64"),
    (lambda b: b[:4] + (5).to_bytes(4, "big") + b[8:],
     r"truncated: shape \(5, 3, 4\) of float32 needs 256 bytes .*got 112 bytes"),
])
def test_damaged_files_give_clear_errors(tmp_path, ext, edit, message):
    path = corrupt(tmp_path, ext, edit)
    with pytest.raises(ValueError, match=message) as err:
        read_idx(path)
    assert str(path) in str(err.value)
    counts_bytes = "bytes" in message or "oversized" in message
    assert ("after gunzip" in str(err.value)) == (ext == ".gz" and counts_bytes)


def test_truncated_gzip_gives_a_clear_error(tmp_path):
    write_idx(tmp_path / "x.gz", sample("float64"))
    (tmp_path / "x.gz").write_bytes((tmp_path / "x.gz").read_bytes()[:-20])
    with pytest.raises(ValueError, match=r"x\.gz: corrupt or truncated gzip data"):
        read_idx(tmp_path / "x.gz")


# --- Fashion-MNIST -------------------------------------------------------------------------

def write_dataset(directory, n_train=20, n_test=10, gz=(False, True, True, False)):
    """The four files, small, at `directory`; returns the arrays written, in FILES order."""
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (n_train, 28, 28)), rng.integers(0, 10, n_train),
              rng.integers(0, 256, (n_test, 28, 28)), rng.integers(0, 10, n_test)]
    arrays = [a.astype(np.uint8) for a in arrays]
    os.makedirs(directory, exist_ok=True)
    for name, array, zipped in zip(FILES, arrays, gz):
        write_idx(os.path.join(directory, name + (".gz" if zipped else "")), array)
    return arrays


def assert_loaded(result, arrays):
    (x_train, y_train), (x_test, y_test) = result
    for got, want in zip((x_train, y_train, x_test, y_test), arrays):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No real data directories and no network: downloads fail like an unplugged cable."""
    def no_network(url):
        raise urllib.error.URLError("network is unreachable")
    monkeypatch.delenv("PASSOS_DATA", raising=False)
    monkeypatch.setattr(fashion_mnist, "CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIR", str(tmp_path / "system"))
    monkeypatch.setattr(fashion_mnist, "_fetch", no_network)
    return tmp_path


def test_label_names():
    assert label_names == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def test_load_from_passos_data(offline, monkeypatch):
    arrays = write_dataset(offline / "mine")
    monkeypatch.setenv("PASSOS_DATA", str(offline / "mine"))
    assert_loaded(load_data(), arrays)
    assert_loaded(keras_fashion_mnist.load_data(), arrays)


def test_load_from_fashion_mnist_folder_under_passos_data(offline, monkeypatch):
    arrays = write_dataset(offline / "data" / "fashion-mnist")
    monkeypatch.setenv("PASSOS_DATA", str(offline / "data"))
    assert_loaded(load_data(), arrays)


def test_load_from_explicit_path_and_system_dir(offline):
    arrays = write_dataset(offline / "explicit", gz=(True,) * 4)
    assert_loaded(load_data(path=offline / "explicit"), arrays)
    arrays = write_dataset(fashion_mnist.SYSTEM_DIR, n_train=5, n_test=3)
    assert_loaded(load_data(), arrays)


def test_explicit_path_missing_files_names_them(offline):
    write_dataset(offline / "half")
    os.remove(offline / "half" / "t10k-images-idx3-ubyte.gz")
    with pytest.raises(FileNotFoundError, match=r"half lacks t10k-images-idx3-ubyte.*PASSOS_DATA"):
        load_data(path=offline / "half")


def test_missing_data_offline_says_how_to_get_it(offline):
    with pytest.raises(FileNotFoundError) as err:
        load_data()
    message = str(err.value)
    for needed in ["network is unreachable", "apt-get install dataset-fashion-mnist",
                   "PASSOS_DATA", "train-images-idx3-ubyte", fashion_mnist.SYSTEM_DIR]:
        assert needed in message


def fake_server(monkeypatch, arrays, tamper=False):
    """Serve gzip IDX files of `arrays` at the official URLs with matching MD5s; count fetches."""
    served, fetched = {}, []
    for name, array in zip(FILES, arrays):
        payload = gzip.compress(bytes.fromhex(f"0000080{array.ndim}")
                                + np.asarray(array.shape, ">u4").tobytes() + array.tobytes())
        served[fashion_mnist.BASE_URL + name + ".gz"] = payload + (b"!" if tamper else b"")
        monkeypatch.setitem(fashion_mnist.MD5, name + ".gz", hashlib.md5(payload).hexdigest())

    def fetch(url):
        fetched.append(url)
        return served[url]
    monkeypatch.setattr(fashion_mnist, "_fetch", fetch)
    return fetched


def test_download_verifies_and_caches(offline, monkeypatch):
    arrays = [np.full((4, 28, 28), 7, np.uint8), np.arange(4, dtype=np.uint8),
              np.zeros((2, 28, 28), np.uint8), np.array([9, 0], np.uint8)]
    fetched = fake_server(monkeypatch, arrays)
    assert_loaded(load_data(), arrays)
    assert len(fetched) == 4
    assert sorted(os.listdir(fashion_mnist.CACHE_DIR)) == sorted(f + ".gz" for f in FILES)
    assert_loaded(load_data(), arrays)
    assert len(fetched) == 4  # the second load reads the cache


def test_download_with_wrong_checksum_saves_nothing(offline, monkeypatch):
    arrays = write_dataset(offline / "unused")
    fake_server(monkeypatch, arrays, tamper=True)
    with pytest.raises(FileNotFoundError, match=r"MD5 \w+, but the published checksum is"):
        load_data()
    assert os.listdir(fashion_mnist.CACHE_DIR) == []


def test_wrong_files_give_clear_errors(offline):
    write_dataset(offline / "d")
    write_idx(offline / "d" / "train-labels-idx1-ubyte.gz", np.zeros(19, np.uint8))
    with pytest.raises(ValueError, match=r"labels-idx1-ubyte.gz holds uint8 of shape \(19,\)"):
        load_data(path=offline / "d")
    write_idx(offline / "d" / "train-images-idx3-ubyte", np.zeros((20, 784), np.uint8))
    with pytest.raises(ValueError, match=r"expected uint8 images of shape \(n, 28, 28\)"):
        load_data(path=offline / "d")


REAL = "/usr/share/datasets/fashion-mnist"


@pytest.mark.skipif(not os.path.isdir(REAL),
                    reason=f"{REAL} absent: apt-get install dataset-fashion-mnist to run this test")
def test_real_fashion_mnist():
    (x_train, y_train), (x_test, y_test) = load_data(path=REAL)
    assert (x_train.shape, y_train.shape) == ((60000, 28, 28), (60000,))
    assert (x_test.shape, y_test.shape) == ((10000, 28, 28), (10000,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert x_train.max() == 255 and x_train.min() == 0
