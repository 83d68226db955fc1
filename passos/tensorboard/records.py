"""TFRecord framing: uint64 length, masked CRC32C of the length, data, masked CRC32C of the data.

The CRC32C (Castagnoli) comes from the tensorboard package, which checks it when it reads;
a table-driven copy stands in if it ever moves.

>>> hex(crc32c(b"123456789"))
'0xe3069283'
>>> len(frame(b"abc"))
19
"""
import struct

try:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import crc32c as _crc32c
except ImportError:  # pragma: no cover - only if tensorboard reorganises its stub
    _crc32c = None

_MASK_DELTA = 0xA282EAD8


def _table():
    table = list(range(256))
    for _ in range(8):
        table = [(crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1 for crc in table]  # reflected
    return table


_TABLE = _table()  # CRC32C of each byte value, for the stand-in


def _crc32c_table_driven(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c(data):
    """The CRC32C checksum of `data` (bytes) as an unsigned 32-bit int."""
    return _crc32c_table_driven(data) if _crc32c is None else _crc32c(data) & 0xFFFFFFFF


def masked_crc32c(data):
    """TFRecord's masked CRC: rotate right by 15 bits and add a constant (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(data):
    """One TFRecord: the bytes to append to a record file for `data`."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data
            + struct.pack("<I", masked_crc32c(data)))


def read_records(path):
    """The payloads of a TFRecord file, checking every CRC (ValueError on a bad one)."""
    records = []
    with open(path, "rb") as f:
        content = f.read()
    at = 0
    while at < len(content):
        if at + 12 > len(content):
            raise ValueError(f"{path}: truncated record header at byte {at}")
        length, header_crc = struct.unpack_from("<QI", content, at)
        if header_crc != masked_crc32c(content[at:at + 8]):
            raise ValueError(f"{path}: bad length CRC at byte {at}")
        data = content[at + 12:at + 12 + length]
        tail = content[at + 12 + length:at + 16 + length]
        if len(data) < length or len(tail) < 4:
            raise ValueError(f"{path}: truncated record at byte {at}")
        if struct.unpack("<I", tail)[0] != masked_crc32c(data):
            raise ValueError(f"{path}: bad data CRC in the record at byte {at}")
        records.append(data)
        at += 16 + length
    return records
