"""TFRecord framing and CRC32C: known test vectors, round trips, and TensorBoard's own check."""
import struct

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from passos.tensorboard import SummaryWriter, records  # noqa: E402
from passos.tensorboard.png import encode_png  # noqa: E402

# CRC32C vectors from RFC 3720 (iSCSI), appendix B.4, and the classic check value
VECTORS = [(b"", 0x00000000), (b"123456789", 0xE3069283), (bytes(32), 0x8A9136AA),
           (b"\xff" * 32, 0x62A8AB43), (bytes(range(32)), 0x46DD794E),
           (bytes(range(31, -1, -1)), 0x113FDB5C)]


@pytest.mark.parametrize("data, expected", VECTORS)
def test_crc32c_known_vectors(data, expected):
    assert records.crc32c(data) == expected
    assert records._crc32c_table_driven(data) == expected  # the stand-in agrees


def test_masked_crc_is_tensorflows_rotation_plus_constant():
    crc = records.crc32c(b"abc")
    assert records.masked_crc32c(b"abc") == ((crc >> 15 | crc << 17) + 0xA282EAD8) & 0xFFFFFFFF
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    assert records.masked_crc32c(b"passos") == masked_crc32c(b"passos")


def test_frame_layout_and_round_trip(tmp_path):
    payloads = [b"", b"x", b"hello world" * 100]
    path = tmp_path / "records"
    path.write_bytes(b"".join(records.frame(p) for p in payloads))
    raw = path.read_bytes()
    assert struct.unpack("<Q", raw[:8])[0] == 0
    assert struct.unpack("<I", raw[8:12])[0] == records.masked_crc32c(raw[:8])
    assert records.read_records(path) == payloads


def test_every_record_of_a_written_file_has_valid_crcs(tmp_path, event_files):
    with SummaryWriter(tmp_path) as writer:
        for step in range(3):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
        writer.add_histogram("w", np.arange(10.0), 0)
    (path,) = event_files(tmp_path)
    from tensorboard.compat.proto import event_pb2
    events = [event_pb2.Event.FromString(r) for r in records.read_records(path)]
    assert events[0].file_version == "brain.Event:2"
    assert [e.step for e in events[1:]] == [0, 1, 2, 0]


def test_a_corrupted_crc_is_caught_by_us_and_by_tensorboard(tmp_path, event_files, accumulate):
    with SummaryWriter(tmp_path) as writer:
        for step in range(3):
            writer.add_scalar("loss", float(step), step)
    (path,) = event_files(tmp_path)
    raw = bytearray(open(path, "rb").read())
    raw[-1] ^= 0xFF  # the data CRC of the last record
    with open(path, "wb") as f:
        f.write(raw)
    with pytest.raises(ValueError, match="bad data CRC"):
        records.read_records(path)
    # TensorBoard stops at the bad record: only the first two scalars survive
    assert [e.step for e in accumulate(path).Scalars("loss")] == [0, 1]


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_encoders_round_trip(channels):
    Image = pytest.importorskip("PIL.Image")
    import io
    pixels = np.random.default_rng(channels).integers(0, 256, (5, 7, channels), dtype=np.uint8)
    for use_pillow in (True, False):
        png = encode_png(pixels, use_pillow=use_pillow)
        decoded = np.asarray(Image.open(io.BytesIO(png)))
        assert decoded.reshape(pixels.shape).tolist() == pixels.tolist()


def test_png_rejects_bad_shapes():
    with pytest.raises(ValueError, match="C in 1-4"):
        encode_png(np.zeros((4, 4, 5), np.uint8))
