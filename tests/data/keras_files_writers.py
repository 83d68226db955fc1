"""Small files in the formats Keras publishes its data sets in, for the dataset tests."""
import io
import pickle
import struct
import tarfile

import numpy as np


class Py2Pickler(pickle._Pickler):
    """Writes str and bytes as Python 2's pickle did (BINSTRING), as the CIFAR batches hold them."""

    def save_bytes(self, obj, raw=None):
        raw = obj if raw is None else raw
        n = len(raw)
        head = pickle.SHORT_BINSTRING + bytes([n]) if n < 256 else pickle.BINSTRING + struct.pack("<i", n)
        self.write(head + raw)
        self.memoize(obj)

    def save_str(self, obj):
        self.save_bytes(obj, obj.encode("latin1"))

    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[bytes] = save_bytes
    dispatch[str] = save_str


def py2_pickle(obj):
    """`obj` pickled as Python 2 and NumPy 1 wrote it (numpy.core, byte strings)."""
    stream = io.BytesIO()
    Py2Pickler(stream, protocol=2).dump(obj)
    return stream.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def object_array(lists):
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def cifar_batch(n, label_keys, offset=0):
    """A CIFAR batch dict of n images whose first pixel is their index (+ offset)."""
    data = np.zeros((n, 3072), np.uint8)
    data[:, 0] = np.arange(offset, offset + n)
    data[:, 1024] = 7  # the first pixel of the second (green) plane
    batch = {"batch_label": "testing batch", "data": data, "filenames": [f"{i}.png" for i in range(n)]}
    batch.update({key: [(offset + i) % modulus for i in range(n)] for key, modulus in label_keys.items()})
    return batch


def write_tar(path, folder, members):
    """A .tar.gz holding folder/name for each (name, bytes) of `members`."""
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in members.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
