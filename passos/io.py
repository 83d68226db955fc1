"""Files passos writes are never left half-written: one atomic-write helper for all of them.

`atomic_write(path, content)` writes to a temporary file in the same folder,
flushes it to disk (fsync), then renames it over `path` in one step: a reader,
or a program started after a crash or a kill, sees the old file or the whole
new one. A write that is killed leaves only its temporary file; the next write
to the same path removes the temporaries of processes that no longer run.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "notes.txt")
...     atomic_write(path, "first")
...     atomic_write(path, lambda file: file.write(b"second"))
...     open(path).read(), os.listdir(folder)
('second', ['notes.txt'])
"""
import glob
import os
import secrets

_SUFFIX = ".tmp"


def atomic_write(path, content):
    """Replace `path` with `content` (bytes, str as UTF-8, or a function writing to a binary file).

    The file gets the permissions a plain open() would give (0666 less the umask).
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write '{path}': the folder '{folder}' does not exist; "
                                "create it first (os.makedirs) or choose another path")
    remove_stale_temporaries(path)
    temporary = _temporary_name(path)
    try:
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as file:
            if callable(content):
                content(file)
            else:
                file.write(content.encode("utf-8") if isinstance(content, str) else content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    _sync_folder(folder)


def _temporary_name(path):
    """'.name.<pid>-<random>.tmp' beside `path`: the pid says whose it is once its writer died."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.{os.getpid()}-{secrets.token_hex(4)}{_SUFFIX}")


def remove_stale_temporaries(path):
    """Remove the temporaries that killed writes to `path` left behind (their process is gone)."""
    folder, name = os.path.split(os.path.abspath(path))
    for temporary in glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(name)}.*{_SUFFIX}")):
        owner = os.path.basename(temporary)[len(name) + 2:-len(_SUFFIX)].partition("-")[0]
        if owner.isdigit() and not _running(int(owner)):
            try:
                os.remove(temporary)
            except FileNotFoundError:  # another writer removed it first
                pass


def _running(pid):
    if pid == os.getpid():
        return True  # another thread of ours may be writing it now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _sync_folder(folder):
    """Flush the rename itself to disk, where the system lets a folder be opened (POSIX)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
