"""tf.gfile and tf.io.gfile on the local file system."""
import os

import pytest

import passos.compat.v1 as tf


def test_write_read_list_and_glob(tmp_path):
    folder = str(tmp_path / "a" / "b")
    assert not tf.gfile.Exists(folder)
    tf.gfile.MakeDirs(folder)
    tf.gfile.MakeDirs(folder)  # again: nothing to do
    assert tf.gfile.Exists(folder) and tf.gfile.IsDirectory(folder)
    for name, text in (("x.csv", "1,2\n3,4\n"), ("y.csv", "5,6\n"), ("notes.txt", "hi")):
        with tf.gfile.GFile(os.path.join(folder, name), "w") as file:
            file.write(text)
    assert tf.gfile.ListDirectory(folder) == ["notes.txt", "x.csv", "y.csv"]
    assert tf.gfile.Glob(os.path.join(folder, "*.csv")) == [os.path.join(folder, "x.csv"),
                                                            os.path.join(folder, "y.csv")]
    with tf.gfile.GFile(os.path.join(folder, "x.csv")) as file:
        assert file.readlines() == ["1,2\n", "3,4\n"]
    with tf.gfile.GFile(os.path.join(folder, "y.csv"), "rb") as file:
        assert file.read() == b"5,6\n"


def test_copy_rename_remove_refuse_to_overwrite_unless_asked(tmp_path):
    a, b = str(tmp_path / "a.txt"), str(tmp_path / "b.txt")
    with tf.io.gfile.GFile(a, "w") as file:
        file.write("first")
    tf.io.gfile.copy(a, b)
    with pytest.raises(FileExistsError, match=r"gfile\.Copy: '.*b\.txt' already exists; pass "
                                              r"overwrite=True"):
        tf.gfile.Copy(a, b)
    tf.gfile.Rename(a, b, overwrite=True)
    assert tf.io.gfile.listdir(str(tmp_path)) == ["b.txt"] and not tf.io.gfile.exists(a)
    tf.gfile.Remove(b)
    tf.io.gfile.makedirs(str(tmp_path / "d" / "e"))
    tf.gfile.DeleteRecursively(str(tmp_path / "d"))
    assert tf.io.gfile.glob(str(tmp_path / "*")) == []


def test_missing_folder_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        tf.gfile.ListDirectory(str(tmp_path / "missing"))
