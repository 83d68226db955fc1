"""tf.gfile (and tf.io.gfile): TF1's file functions, on the local file system.

Missing files raise Python's FileNotFoundError (an OSError), with the path.

>>> import os, tempfile
>>> folder = os.path.join(tempfile.mkdtemp(), "logs", "run1")
>>> MakeDirs(folder)
>>> with GFile(os.path.join(folder, "notes.txt"), "w") as file:
...     _ = file.write("one\\ntwo\\n")
>>> Exists(folder), ListDirectory(folder), [os.path.basename(p) for p in Glob(folder + "/*.txt")]
(True, ['notes.txt'], ['notes.txt'])
"""
import glob as _glob
import os
import shutil
import types


def GFile(name, mode="r"):  # noqa: N802 - the TF name
    """An open file: text for 'r'/'w'/'a' (UTF-8), bytes with 'b' in `mode`."""
    return open(name, mode, encoding=None if "b" in mode else "utf-8")


def Exists(filename):  # noqa: N802
    """Whether a file or folder `filename` exists."""
    return os.path.exists(filename)


def IsDirectory(dirname):  # noqa: N802
    """Whether `dirname` is a folder."""
    return os.path.isdir(dirname)


def MakeDirs(dirname):  # noqa: N802
    """Create `dirname` and its missing parents (nothing to do when it exists)."""
    os.makedirs(dirname, exist_ok=True)


def MkDir(dirname):  # noqa: N802
    """Create the folder `dirname` (its parent must exist)."""
    os.mkdir(dirname)


def ListDirectory(dirname):  # noqa: N802
    """The names in folder `dirname`, sorted (without '.' and '..')."""
    return sorted(os.listdir(dirname))


def Glob(filename):  # noqa: N802
    """The paths matching the pattern `filename` ('*', '?', '[...]'), sorted."""
    return sorted(_glob.glob(filename))


def Remove(filename):  # noqa: N802
    """Delete the file `filename`."""
    os.remove(filename)


def DeleteRecursively(dirname):  # noqa: N802
    """Delete the folder `dirname` and everything in it."""
    shutil.rmtree(dirname)


def _refuse_overwrite(who, newpath, overwrite):
    if not overwrite and os.path.exists(newpath):
        raise FileExistsError(f"{who}: '{newpath}' already exists; pass overwrite=True to "
                              "replace it")


def Rename(oldname, newname, overwrite=False):  # noqa: N802
    """Move `oldname` to `newname` (an existing `newname` only with overwrite=True)."""
    _refuse_overwrite("gfile.Rename", newname, overwrite)
    os.replace(oldname, newname)


def Copy(oldpath, newpath, overwrite=False):  # noqa: N802
    """Copy the file `oldpath` to `newpath` (an existing `newpath` only with overwrite=True)."""
    _refuse_overwrite("gfile.Copy", newpath, overwrite)
    shutil.copyfile(oldpath, newpath)


def Walk(top, in_order=True):  # noqa: N802
    """(folder, subfolder names, file names) for `top` and each folder below, as os.walk."""
    return os.walk(top, topdown=in_order)


Open = FastGFile = GFile

# tf.io.gfile: the same functions under TensorFlow 2's names
io_gfile = types.SimpleNamespace(
    GFile=GFile, exists=Exists, isdir=IsDirectory, makedirs=MakeDirs, mkdir=MkDir,
    listdir=ListDirectory, glob=Glob, remove=Remove, rmtree=DeleteRecursively, rename=Rename,
    copy=Copy, walk=Walk)


from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
