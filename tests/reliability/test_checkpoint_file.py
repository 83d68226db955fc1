"""tf.train.Saver on damaged and hostile checkpoints: bounded memory, ValueError, all or nothing."""
import io
import os
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import passos.compat.v1 as tf
from passos.compat.v1.saver import NotFoundError

from .bombs import deflated, raw_zip, stored

FUZZ = settings(derandomize=True, deadline=None, max_examples=200,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
SAVED = {"w": np.arange(6, dtype=np.float32).reshape(3, 2), "b": np.array([7, -8, 9], np.int32)}
BEFORE = {"w": np.full((3, 2), -1, np.float32), "b": np.zeros(3, np.int32)}


@pytest.fixture(scope="module")
def model():
    """A graph with variables w (3, 2) float32 and b (3,) int32, a Saver of them, a Session."""
    graph = tf.Graph()
    with graph.as_default():
        variables = {"w": tf.Variable(SAVED["w"], name="w"), "b": tf.Variable(SAVED["b"], name="b")}
        saver = tf.train.Saver(variables)
    sess = tf.Session(graph=graph)
    return variables, saver, sess


@pytest.fixture(scope="module")
def checkpoints(model, tmp_path_factory):
    """The bytes of a checkpoint of SAVED as Saver.save writes it, and a deflated one."""
    variables, saver, sess = model
    for key, var in variables.items():
        sess.variables[var] = SAVED[key].copy()
    prefix = saver.save(sess, str(tmp_path_factory.mktemp("ckpt") / "model"), write_state=False)
    compressed = io.BytesIO()
    np.savez_compressed(compressed, **SAVED)
    return [open(prefix + ".npz", "rb").read(), compressed.getvalue()]


def restore(model, path):
    """Restore from `path` into variables set to BEFORE; the error if it fails (values checked)."""
    variables, saver, sess = model
    for key, var in variables.items():
        sess.variables[var] = BEFORE[key].copy()
    try:
        saver.restore(sess, str(path))
    except ValueError as error:
        for key, var in variables.items():  # a failed restore changes nothing
            np.testing.assert_array_equal(sess.variables[var], BEFORE[key])
        return error
    for key, var in variables.items():
        value = sess.variables[var]
        assert value.shape == SAVED[key].shape and value.dtype == SAVED[key].dtype, key
    return None


# -- fuzzing ----------------------------------------------------------------------------------

def members(data):
    """{name: bytes} of a well-formed zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(entries, method):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def edit_npy(npy, kind, value):
    """An .npy entry with its header text, or its data, changed; the zip around it stays valid."""
    length = int.from_bytes(npy[8:10], "little")
    text, data = npy[10:10 + length].decode("latin1"), npy[10 + length:]
    if kind == "descr":
        text = text.replace(text[text.index("'descr': ") + 9:text.index(", 'fortran")], value)
    elif kind == "shape":
        text = text[:text.index("'shape': ") + 9] + value + "}"
    elif kind == "order":
        text = text.replace("False", "True")
    elif kind == "data":
        data = data[:len(data) // 2] if value == "half" else data + b"\x00" * 4
    elif kind == "text":
        text = value
    header = text.encode("latin1")
    return npy[:8] + len(header).to_bytes(2, "little") + header + data


NPY_EDITS = st.one_of(
    st.tuples(st.just("descr"), st.sampled_from(["'<f8'", "'<i4'", "'>f4'", "'|u1'", "'|O'",
                                                 "'<c8'", "'|b1'", "'<U1'", "'V4'", "'<f2'",
                                                 "[('a', '<f4')]", "'bogus'", "3"])),
    st.tuples(st.just("shape"), st.sampled_from(["(2, 3)", "(6,)", "(3, 2, 1)", "()", "(3,)",
                                                 "(-1, 2)", "(268435456,)", "(3, 2)",
                                                 "(4294967296, 4294967296, 4294967296)",
                                                 "'x'", "(" * 200 + ")" * 200])),
    st.tuples(st.just("order"), st.just("")),
    st.tuples(st.just("data"), st.sampled_from(["half", "more"])),
    st.tuples(st.just("text"), st.sampled_from(["", "{}", "x" * 20000, "[1, 2]", "{'descr'"])))


def raw_edits():
    """Byte-level damage: flips, cuts, appended bytes, renamed members, broken CRC fields."""
    flip = st.tuples(st.just("flip"), st.integers(0, 1 << 16), st.integers(1, 255))
    cut = st.tuples(st.just("cut"), st.integers(0, 1 << 16), st.just(0))
    grow = st.tuples(st.just("grow"), st.integers(1, 64), st.integers(0, 255))
    rename = st.tuples(st.just("rename"), st.integers(0, 3), st.sampled_from(b"xb_w.\xff"))
    crc = st.tuples(st.just("crc"), st.integers(0, 3), st.integers(1, 255))
    return st.lists(st.one_of(flip, cut, grow, rename, crc), min_size=1, max_size=3)


def damage(data, edits):
    data = bytearray(data)
    for kind, where, value in edits:
        names = [i for i in range(len(data)) if data[i:i + 4] == b".npy"]
        heads = [i for i in range(len(data) - 20)
                 if data[i:i + 4] in (b"PK\x03\x04", b"PK\x01\x02")]
        if kind == "flip" and data:
            data[where % len(data)] ^= value
        elif kind == "cut":
            del data[where % (len(data) + 1):]
        elif kind == "grow":
            data += bytes([value]) * where
        elif kind == "rename" and names:
            data[names[where % len(names)] - 1] = value  # the letter before ".npy"
        elif kind == "crc" and heads:
            head = heads[where % len(heads)]
            data[head + (14 if data[head + 2] == 3 else 16)] ^= value
    return bytes(data)


@FUZZ
@given(base=st.sampled_from([0, 1]), edits=raw_edits())
def test_damaged_zip_bytes_raise_only_value_error(model, checkpoints, tmp_path, base, edits):
    path = tmp_path / "fuzzed.npz"
    path.write_bytes(damage(checkpoints[base], edits))
    error = restore(model, path)
    assert error is None or str(path) in str(error), error


@FUZZ
@given(base=st.sampled_from([0, 1]), entry=st.sampled_from(["w.npy", "b.npy"]), edit=NPY_EDITS)
def test_damaged_npy_entries_raise_only_value_error(model, checkpoints, tmp_path, base, entry,
                                                    edit):
    entries = members(checkpoints[base])
    entries[entry] = edit_npy(entries[entry], *edit)
    path = tmp_path / "edited.npz"
    path.write_bytes(rezip(entries, (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)[base]))
    error = restore(model, path)
    assert error is None or str(path) in str(error), error


# -- a zip bomb under a memory cap -------------------------------------------------------------

def npy(shape, descr):
    """An .npy version 1.0 header for `shape` of `descr`, as numpy writes it (no data)."""
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}".encode("latin1")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


@pytest.mark.parametrize("header", [npy("(268435456,)", "<f8"), npy("(3, 2)", "<f4")],
                         ids=["header promises 2 GiB", "zip promises 2 GiB"])
def test_npz_bomb_is_refused_under_a_memory_cap(tmp_path, memory_capped, header):
    zeros = 2048 << 20
    bomb, crc, size = deflated(header, zeros)
    b = npy("(3,)", "<i4") + SAVED["b"].tobytes()
    path = tmp_path / "bomb.npz"
    path.write_bytes(raw_zip([stored("b.npy", b), ("w.npy", bomb, 8, crc, size)]))
    assert path.stat().st_size < 2.5e6  # 2 GiB once inflated
    outcome = memory_capped(f"""
        graph = tf.Graph()
        with graph.as_default():
            w = tf.Variable(tf.zeros([3, 2]), name="w")
            b = tf.Variable(tf.zeros([3], tf.int32), name="b")
        tf.train.Saver({{"w": w, "b": b}}).restore(tf.Session(graph=graph), {str(path)!r})
        """, setup="import passos.compat.v1 as tf", allowance=64 << 20)
    assert outcome["raised"] == "ValueError", outcome
    if "268435456" in str(header):
        assert outcome["message"] == (f"restore: variable 'w' has shape (3, 2) but checkpoint "
                                      f"entry 'w' has shape (268435456,) in {path}")
    else:
        assert outcome["message"] == (
            f"Saver.restore: {path}: entry 'w' holds {zeros} data bytes but its header's shape "
            f"(3, 2) of float32 needs 24; the file is damaged")


# -- all or nothing, and the messages ------------------------------------------------------------

def write_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def test_failed_restore_leaves_every_variable_unchanged(model, tmp_path):
    path = write_npz(tmp_path / "half.npz", w=SAVED["w"], b=np.zeros(4, np.int32))
    error = restore(model, path)  # checks that w, restored first, kept its value
    assert str(error) == (f"restore: variable 'b' has shape (3,) but checkpoint entry 'b' has "
                          f"shape (4,) in {path}")


def test_missing_key_is_a_value_error_and_a_key_error(model, tmp_path):
    path = write_npz(tmp_path / "m.npz", w=SAVED["w"], other=SAVED["b"])
    error = restore(model, path)
    assert isinstance(error, NotFoundError) and isinstance(error, KeyError)
    assert str(error) == (f"Key b not found in checkpoint {path}; it holds ['other', 'w']; "
                          "restore with a Saver whose var_list maps checkpoint names to variables")


@pytest.mark.parametrize("b, message", [
    (SAVED["b"].astype(np.float32), "restore: variable 'b' is int32 but checkpoint entry 'b' "
                                    "holds float32 in {path}; TF1 refuses this too: save from "
                                    "a graph of the same dtype"),
    (np.array(["a", "b", "c"]), "Saver.restore: {path}: entry 'b' holds dtype <U1, not numbers "
                                "(bool, int or float); Python objects would need pickle, which "
                                "passos never loads"),
])
def test_wrong_dtypes_are_refused(model, tmp_path, b, message):
    path = write_npz(tmp_path / "d.npz", w=SAVED["w"], b=b)
    assert str(restore(model, path)) == message.format(path=path)


def test_pickled_entries_are_never_loaded(model, tmp_path):
    path = tmp_path / "o.npz"
    np.savez(path, w=SAVED["w"], b=np.array([1, "x", None], dtype=object))
    assert "holds dtype object, not numbers" in str(restore(model, path))


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"\x00" * 100])
def test_files_that_are_not_zips_are_refused(model, tmp_path, content):
    path = tmp_path / "x.npz"
    path.write_bytes(content)
    assert str(restore(model, path)).startswith(
        f"Saver.restore: {path} is not a readable .npz (zip) file (BadZipFile: ")


# -- the checkpoint state file -------------------------------------------------------------------

@pytest.mark.parametrize("content, problem", [
    (b"\xff\xfe\x00garbage", "'utf-8' codec can't decode byte 0xff in position 0: invalid "
                             "start byte"),
    (b'model_checkpoint_path: "m"\nrandom words\n', "line 2 is not model_checkpoint_path: "
     "\"...\" or all_model_checkpoint_paths: \"...\": 'random words'"),
])
def test_garbage_state_file_is_ignored_with_a_warning(tmp_path, content, problem):
    (tmp_path / "checkpoint").write_bytes(content)
    for read in (tf.train.get_checkpoint_state, tf.train.latest_checkpoint):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert read(str(tmp_path)) is None
        assert [str(w.message) for w in caught] == [
            f"get_checkpoint_state: {tmp_path / 'checkpoint'} is not a checkpoint state file "
            f"({problem}); checkpoint ignored, as TF1 does; delete it or save a checkpoint again"]


def test_state_file_without_a_checkpoint_path_is_a_value_error(tmp_path):
    (tmp_path / "checkpoint").write_bytes(b'all_model_checkpoint_paths: "m-1"\n')
    with pytest.raises(ValueError) as error:
        tf.train.get_checkpoint_state(str(tmp_path))
    assert str(error.value) == (f"Invalid checkpoint state loaded from {tmp_path}: "
                                f"{tmp_path / 'checkpoint'} names no model_checkpoint_path; "
                                "delete it or save a checkpoint again")


def test_save_flushes_the_checkpoint_to_disk_before_renaming_it(model, tmp_path, monkeypatch):
    variables, saver, sess = model
    for key, var in variables.items():
        sess.variables[var] = SAVED[key].copy()
    events = []
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(fd):
        events.append("fsync")
        fsync(fd)

    def recorded_replace(source, target):
        events.append(f"replace {os.path.basename(target)}")
        replace(source, target)
    monkeypatch.setattr(os, "fsync", recorded_fsync)
    monkeypatch.setattr(os, "replace", recorded_replace)
    saver.save(sess, str(tmp_path / "m"))
    assert events[:2] == ["fsync", "replace m.npz"]
