"""read_idx and write_idx on damaged and hostile files: bounded memory, only ValueError."""
import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passos.data.idx import read_idx, write_idx

from .bombs import gzip_bomb

FUZZ = settings(derandomize=True, deadline=None, max_examples=200,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def idx_bytes(array, code):
    """The IDX bytes of `array` (big-endian) under type `code`, written by hand."""
    shape = b"".join(d.to_bytes(4, "big") for d in array.shape)
    return bytes([0, 0, code, array.ndim]) + shape + array.tobytes()


VALID = [idx_bytes(np.arange(60, dtype="u1").reshape(3, 4, 5), 0x08),
         idx_bytes(np.linspace(-2, 2, 12, dtype=">f4").reshape(2, 6), 0x0D),
         idx_bytes(np.arange(336, dtype=">i2").reshape(12, 28), 0x0B)]  # room for 65 dimensions


def mutations():
    """Edits of an IDX file's raw bytes: flips, cuts, additions, and header fields changed."""
    flip = st.tuples(st.just("flip"), st.integers(0, 700), st.integers(1, 255))
    cut = st.tuples(st.just("cut"), st.integers(0, 700), st.just(0))
    grow = st.tuples(st.just("grow"), st.integers(1, 40), st.integers(0, 255))
    telling = st.sampled_from([1, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 64, 65, 80, 255])
    where = st.sampled_from([0, 2, 3, 3])  # the type code and ndim most often
    field = st.tuples(st.just("field"), where, telling | st.integers(0, 255))
    dim = st.tuples(st.just("dim"), st.integers(0, 3), st.integers(0, (1 << 32) - 1))
    return st.lists(st.one_of(flip, cut, grow, field, dim), min_size=1, max_size=3)


def mutate(raw, edits):
    raw = bytearray(raw)
    for kind, where, value in edits:
        if kind == "flip" and raw:
            raw[where % len(raw)] ^= value
        elif kind == "cut":
            del raw[where % (len(raw) + 1):]
        elif kind == "grow":
            raw += bytes([value]) * where
        elif kind == "field" and len(raw) > where:
            raw[where] = value
        elif kind == "dim" and len(raw) >= 8 + 4 * where:
            raw[4 + 4 * where:8 + 4 * where] = value.to_bytes(4, "big")
    return bytes(raw)


def only_value_errors(path):
    """read_idx(path) returns an array or raises a ValueError that names read_idx and the file."""
    try:
        array = read_idx(path)
    except ValueError as error:
        assert str(error).startswith(f"read_idx: {path}: "), error
        return None
    assert array.dtype.isnative and array.flags.writeable
    return array


@FUZZ
@given(which=st.sampled_from(range(len(VALID))), edits=mutations(),
       compress=st.sampled_from(["plain", "gzip the edited bytes", "edit the gzip bytes"]))
def test_fuzzed_files_raise_only_value_error(tmp_path, which, edits, compress):
    raw = VALID[which]
    if compress == "plain":
        data = mutate(raw, edits)
    elif compress == "gzip the edited bytes":
        data = gzip.compress(mutate(raw, edits), mtime=0)
    else:
        data = mutate(gzip.compress(raw, mtime=0), edits)
    path = tmp_path / "fuzzed"
    path.write_bytes(data)
    only_value_errors(path)


def test_gzip_bomb_is_refused_under_a_memory_cap(tmp_path, memory_capped):
    images = np.zeros((10, 28, 28), dtype=np.uint8)
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(gzip_bomb(idx_bytes(images, 0x08), 1536 << 20))
    assert path.stat().st_size < 2 << 20  # 1.5 GiB of zeros in under 2 MB
    outcome = memory_capped(f"from passos.data.idx import read_idx\nread_idx({str(path)!r})",
                            allowance=64 << 20)
    assert outcome["raised"] == "ValueError", outcome
    assert outcome["message"] == (
        f"read_idx: {path}: oversized: shape (10, 28, 28) of uint8 needs 7856 bytes (header "
        f"included), got more after gunzip; the file is damaged or its dimensions are wrong")


@pytest.mark.parametrize("compressed", [False, True])
def test_header_promising_more_than_numpy_holds(tmp_path, compressed, memory_capped):
    raw = bytes([0, 0, 0x0E, 3]) + b"\xff\xff\xff\xff" * 3 + bytes(64)
    path = tmp_path / "huge"
    path.write_bytes(gzip.compress(raw) if compressed else raw)
    outcome = memory_capped(f"from passos.data.idx import read_idx\nread_idx({str(path)!r})")
    assert outcome["raised"] == "ValueError", outcome
    shape = "(4294967295, 4294967295, 4294967295) of float64"
    if compressed:
        assert "more than NumPy can hold" in outcome["message"]
    else:
        assert outcome["message"].startswith(f"read_idx: {path}: truncated: shape {shape} needs ")


def test_ndim_beyond_numpy_is_refused(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(bytes([0, 0, 0x08, 65]) + bytes(4 * 65))
    with pytest.raises(ValueError) as error:
        read_idx(path)
    assert str(error.value) == (f"read_idx: {path}: the header gives 65 dimensions; NumPy holds "
                                f"at most 64; the file is damaged or not IDX")


def test_corrupt_gzip_crc_is_refused(tmp_path):
    data = bytearray(gzip.compress(VALID[0], mtime=0))
    data[-8] ^= 0xFF  # the CRC-32 in the gzip trailer
    (tmp_path / "x.gz").write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"x\.gz: corrupt or truncated gzip data \(CRC check"):
        read_idx(tmp_path / "x.gz")


def test_write_refuses_dimensions_idx_cannot_store(tmp_path):
    huge = np.broadcast_to(np.uint8(0), (1, 1 << 32))  # no memory behind it
    with pytest.raises(ValueError) as error:
        write_idx(tmp_path / "x", huge)
    assert str(error.value) == (
        f"write_idx: {tmp_path / 'x'}: shape (1, 4294967296) does not fit IDX, which stores at "
        f"most 255 dimensions, each below 2**32 = 4294967296; split the array into several files")
    assert not list(tmp_path.iterdir())


def test_writes_the_largest_dimension_idx_stores(tmp_path):
    largest = np.broadcast_to(np.uint8(0), (0, (1 << 32) - 1))
    write_idx(tmp_path / "x", largest)
    assert read_idx(tmp_path / "x").shape == (0, (1 << 32) - 1)
