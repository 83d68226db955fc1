"""Hostile bytes built in a moment: deflate streams of many zeros, and zips and gzips that lie."""
import struct
import zlib

_MIB = bytes(1 << 20)


def deflated(prefix, zeros):
    """(raw deflate stream, CRC-32, size once inflated) of `prefix` then `zeros` zero bytes.

    Whole MiBs of zeros are compressed once after a full flush, which resets the
    compressor, so their deflate blocks repeat byte for byte: gigabytes take a moment.
    """
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = deflate.compress(prefix) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(_MIB) + deflate.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(zeros, len(_MIB))
    crc = zlib.crc32(prefix)
    for _ in range(whole):
        crc = zlib.crc32(_MIB, crc)
    crc = zlib.crc32(bytes(rest), crc)
    stream = head + block * whole + deflate.compress(bytes(rest)) + deflate.flush()
    return stream, crc, len(prefix) + zeros


def raw_zip(items):
    """A zip archive written by hand, so that an entry may lie about its size.

    `items`: (name, data as stored, method (0 stored, 8 deflated), crc, declared size).
    """
    out, central = bytearray(), bytearray()
    for name, data, method, crc, size in items:
        offset, encoded = len(out), name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data),
                           size, len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc,
                               len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(items), len(items), len(central),
                      len(out), 0)
    return bytes(out + central + end)


def stored(name, content):
    """A raw_zip item holding `content` uncompressed, sizes and CRC true."""
    return name, content, 0, zlib.crc32(content), len(content)


def gzip_bomb(prefix, zeros):
    """A one-member gzip file of `prefix` then `zeros` zero bytes, CRC and size as a reader checks."""
    stream, crc, size = deflated(prefix, zeros)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + stream
            + struct.pack("<II", crc, size & 0xFFFFFFFF))
