"""Fashion-MNIST: 28x28 grayscale photos of clothing in ten classes, loaded as Keras loads them.

load_data() reads the four IDX files from the first directory of search_dirs() that has them
all, or else downloads them once, checksum-verified, into CACHE_DIR.

>>> label_names[9]
'Ankle boot'
"""
import hashlib
import os
import urllib.request

from ..io import atomic_write
from .idx import read_idx

label_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# x_train, y_train, x_test, y_test; each may be stored plain or as NAME.gz.
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

# The official files and MD5s of the .gz downloads, as the zalandoresearch/fashion-mnist README
# publishes them. Debian's package recompresses the files, so its .gz bytes differ: local files
# are checked by read_idx's structure checks, downloads also by these sums.
BASE_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
DOWNLOAD_TIMEOUT = 60  # seconds without progress before one file's download gives up

CACHE_DIR = os.path.join(os.path.expanduser("~"), ".passos", "datasets", "fashion-mnist")
SYSTEM_DIR = "/usr/share/datasets/fashion-mnist"  # Debian's package dataset-fashion-mnist

HOW_TO_GET = (
    "to get the data: `apt-get install dataset-fashion-mnist` (Debian/Ubuntu; installs it in "
    f"{SYSTEM_DIR}), or put the four files {', '.join(FILES)} (plain or .gz) in a directory "
    "and set the environment variable PASSOS_DATA to it, or call load_data(path=that_directory)")


def search_dirs():
    """Where load_data looks, in order: $PASSOS_DATA, its fashion-mnist/, CACHE_DIR, SYSTEM_DIR."""
    dirs = []
    root = os.environ.get("PASSOS_DATA")
    if root:
        root = os.path.expanduser(root)
        dirs += [root, os.path.join(root, "fashion-mnist")]
    return dirs + [CACHE_DIR, SYSTEM_DIR]


def _locate(directory):
    """Paths of FILES found in `directory` (plain preferred to .gz), and the names missing there."""
    found, missing = [], []
    for name in FILES:
        candidates = [os.path.join(directory, name + ext) for ext in ("", ".gz")]
        present = [p for p in candidates if os.path.isfile(p)]
        if present:
            found.append(present[0])
        else:
            missing.append(name)
    return found, missing


def _fetch(url):
    """The bytes at `url`; the only function here that touches the network."""
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
        return response.read()


def download(directory=None):
    """Download the official files missing from `directory` (CACHE_DIR), MD5-checked, atomically."""
    directory = CACHE_DIR if directory is None else directory
    os.makedirs(directory, exist_ok=True)
    for name in _locate(directory)[1]:
        url = BASE_URL + name + ".gz"
        payload = _fetch(url)
        digest = hashlib.md5(payload, usedforsecurity=False).hexdigest()
        if digest != MD5[name + ".gz"]:
            raise ValueError(f"{url}: MD5 {digest}, but the published checksum is "
                             f"{MD5[name + '.gz']}; the download is damaged, nothing was saved")
        atomic_write(os.path.join(directory, name + ".gz"), payload)


def local_files():
    """Paths of the four files in the first complete directory of search_dirs(), else None."""
    for directory in search_dirs():
        found, missing = _locate(directory)
        if not missing:
            return found
    return None


def _find_or_download():
    """Paths of the four files: the first complete directory of search_dirs(), else downloaded."""
    dirs = search_dirs()
    found = local_files()
    if found:
        return found
    try:
        download(CACHE_DIR)
    except (OSError, ValueError) as err:
        raise FileNotFoundError(
            f"fashion_mnist.load_data: Fashion-MNIST is not in {', '.join(dirs)}, and downloading "
            f"it into {CACHE_DIR} failed ({err}); {HOW_TO_GET}") from err
    return _locate(CACHE_DIR)[0]


def _check(x, y, x_path, y_path):
    """Raise a clear ValueError unless x is (n, 28, 28) uint8 images and y n uint8 labels 0..9."""
    if x.dtype != "uint8" or x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"fashion_mnist.load_data: {x_path} holds {x.dtype} of shape {x.shape}, "
                         f"expected uint8 images of shape (n, 28, 28); is it the right file?")
    if y.dtype != "uint8" or y.shape != (len(x),):
        raise ValueError(f"fashion_mnist.load_data: {y_path} holds {y.dtype} of shape {y.shape}, "
                         f"expected uint8 labels of shape ({len(x)},) to match {x_path}")
    if y.size and y.max() >= len(label_names):
        raise ValueError(f"fashion_mnist.load_data: {y_path} has label {y.max()}, "
                         f"expected labels 0..{len(label_names) - 1}")


def load_data(path=None):
    """Fashion-MNIST as ((x_train, y_train), (x_test, y_test)), like keras.datasets.fashion_mnist.

    uint8 arrays (60000, 28, 28), (60000,), (10000, 28, 28), (10000,); labels index label_names.
    `path`: a directory holding the four FILES (else search_dirs(), then a download).
    """
    if path is None:
        paths = _find_or_download()
    else:
        paths, missing = _locate(os.fspath(path))
        if missing:
            raise FileNotFoundError(f"fashion_mnist.load_data: {path} lacks {', '.join(missing)} "
                                    f"(plain or .gz); {HOW_TO_GET}")
    x_train, y_train, x_test, y_test = (read_idx(p) for p in paths)
    _check(x_train, y_train, paths[0], paths[1])
    _check(x_test, y_test, paths[2], paths[3])
    return (x_train, y_train), (x_test, y_test)
