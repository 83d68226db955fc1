"""PNG encoding of uint8 images (H, W, C) with C in 1-4: Pillow when installed, else zlib.

>>> import numpy as np
>>> encode_png(np.zeros((2, 3, 1), np.uint8))[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""
import io
import struct
import zlib

import numpy as np

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # grey, grey+alpha, RGB, RGBA in the PNG header


def encode_png(image, use_pillow=True):
    """PNG bytes for a uint8 array of shape (H, W, C), C = 1, 2, 3 or 4."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] not in _MODES:
        raise ValueError(f"encode_png: expected a uint8 array (H, W, C) with C in 1-4, "
                         f"got shape {image.shape}")
    if use_pillow:
        try:
            from PIL import Image
        except ImportError:
            pass
        else:
            channels = image.shape[2]
            pil = Image.fromarray(image[:, :, 0] if channels == 1 else image, _MODES[channels])
            buffer = io.BytesIO()
            pil.save(buffer, format="PNG")
            return buffer.getvalue()
    return _encode_png_zlib(image)


def _chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _encode_png_zlib(image):
    height, width, channels = image.shape
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPES[channels], 0, 0, 0)
    # each scanline starts with filter type 0 (none); zlib does the compressing
    rows = np.concatenate([np.zeros((height, 1), np.uint8),
                           image.reshape(height, width * channels)], axis=1)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))
