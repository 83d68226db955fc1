"""passos.io.atomic_write: whole files or the old ones, and no leftovers from killed writes."""
import os
import subprocess
import sys

import pytest

from passos.io import atomic_write


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path):
    path = tmp_path / "report.txt"
    atomic_write(path, "old")

    def fail(file):
        file.write(b"half")
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(path, fail)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["report.txt"]


def test_the_next_write_removes_temporaries_of_dead_writers_only(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".m.passos.{dead}-0badc0de.tmp"
    ours = tmp_path / f".m.passos.{os.getpid()}-00000000.tmp"   # a write of ours in progress
    other = tmp_path / f".other.passos.{dead}-0badc0de.tmp"     # another file's
    for leftover in (stale, ours, other):
        leftover.write_bytes(b"x" * 100)
    atomic_write(tmp_path / "m.passos", b"new")
    assert not stale.exists() and ours.exists() and other.exists()
    assert (tmp_path / "m.passos").read_bytes() == b"new"


def test_files_get_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.bin", b"1")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.bin").stat().st_mode & 0o777 == 0o644


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the folder '.*nowhere' does not exist"):
        atomic_write(tmp_path / "nowhere" / "a.txt", "x")
