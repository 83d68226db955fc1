"""Find the data files Keras publishes, or download each once, checksum-verified and atomically.

A file is looked for, under Keras' own file name, in `search_dirs()`: $PASSOS_DATA, Keras'
cache ~/.keras/datasets and passos' cache ~/.passos/datasets. Missing everywhere, it is
downloaded from Keras' URL into passos' cache: streamed into a temporary file, hashed as it
comes, and renamed into place only when the published checksum matches.
"""
import hashlib
import os
import urllib.request

from ..io import atomic_write

KERAS_DIR = os.path.join(os.path.expanduser("~"), ".keras", "datasets")
CACHE_DIR = os.path.join(os.path.expanduser("~"), ".passos", "datasets")
DOWNLOAD_TIMEOUT = 60  # seconds without progress before a download gives up

# File name -> (URL, hash algorithm, published hash), as keras.datasets (2.2.4; CIFAR's
# SHA-256 from later Keras releases, which publish one) passes them to get_file.
ORIGINS = {
    "mnist.npz": ("https://s3.amazonaws.com/img-datasets/mnist.npz",
                  "md5", "8a61469f7ea1b51cbae51d4f78837e45"),
    "imdb.npz": ("https://s3.amazonaws.com/text-datasets/imdb.npz",
                 "md5", "599dadb1135973df5b59232a0e9a887c"),
    "imdb_word_index.json": ("https://s3.amazonaws.com/text-datasets/imdb_word_index.json",
                             "md5", "bfafd718b763782e994055a2d397834f"),
    "reuters.npz": ("https://s3.amazonaws.com/text-datasets/reuters.npz",
                    "md5", "87aedbeb0cb229e378797a632c1997b6"),
    "reuters_word_index.json": ("https://s3.amazonaws.com/text-datasets/reuters_word_index.json",
                                "md5", "4d44cc38712099c9e383dc6e5f11a921"),
    "boston_housing.npz": ("https://s3.amazonaws.com/keras-datasets/boston_housing.npz", "sha256",
                           "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"),
    "cifar-10-batches-py.tar.gz": ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                                   "sha256", "6d958be074577803d12ecdefd02955f3"
                                             "9262c83c16fe9348329d7fe0b5c001ce"),
    "cifar-100-python.tar.gz": ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                                "sha256", "85cd44d02ba6437773c5bbd22e183051"
                                          "d648de2e7d6b014e1ef29b855ba677a7"),
}


def search_dirs():
    """Where data files are looked for, in order: $PASSOS_DATA, KERAS_DIR, CACHE_DIR."""
    root = os.environ.get("PASSOS_DATA")
    return ([os.path.expanduser(root)] if root else []) + [KERAS_DIR, CACHE_DIR]


def _open_url(url):
    """A binary stream of `url`; the only function here that touches the network."""
    return urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT)


def download(key, target, who):
    """Download ORIGINS[key] to `target`, checked against its published hash, never half-written."""
    url, algorithm, expected = ORIGINS[key]

    def write(file):
        digest = hashlib.new(algorithm)
        with _open_url(url) as response:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                digest.update(chunk)
                file.write(chunk)
        if digest.hexdigest() != expected:
            raise ValueError(f"{who}: the download of {url} has {algorithm} {digest.hexdigest()}, "
                             f"but the published checksum is {expected}; it is damaged and was "
                             f"not saved. {where_to_put(key)}")

    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    atomic_write(target, write)
    return target


def where_to_put(key, names=None):
    """The advice of an offline failure: which file, from where, into which folder."""
    names = " or ".join(names or [key])
    return (f"To use it offline, download {ORIGINS[key][0]} elsewhere and put it, named {names}, "
            f"in one of {', '.join(search_dirs())} (or set the environment variable PASSOS_DATA "
            "to the folder that holds it)")


def find_or_download(key, who, path=None, also=()):
    """The local path of data file `key`, found or downloaded; FileNotFoundError when offline.

    `path` is Keras' `path` argument: a file name looked for in search_dirs() (default `key`),
    or a path of its own (with a folder), used as it is. `also` names other forms to accept
    (an extracted folder, the archive's original name).
    """
    name = key if path is None else os.path.expanduser(os.fspath(path))
    if os.path.dirname(name):
        dirs, target, names = [], name, [name]
    else:
        dirs, target, names = search_dirs(), os.path.join(CACHE_DIR, name), [name, *also]
    for directory in dirs:
        for candidate in names:
            if os.path.exists(os.path.join(directory, candidate)):
                return os.path.join(directory, candidate)
    if not dirs and os.path.exists(target):
        return target
    try:
        return download(key, target, who)
    except OSError as error:  # urllib's URLError is an OSError
        looked = f"not in {', '.join(dirs)}" if dirs else f"not at {target}"
        raise FileNotFoundError(f"{who}: {name} is {looked}, and downloading it from "
                                f"{ORIGINS[key][0]} failed ({error}). "
                                f"{where_to_put(key, names)}") from None
