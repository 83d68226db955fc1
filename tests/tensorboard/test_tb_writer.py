"""SummaryWriter: scalars, histograms and images, read back by TensorBoard's EventAccumulator."""
import io
import os
import socket

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import passos  # noqa: E402
from passos.tensorboard import SummaryWriter, histogram_proto  # noqa: E402


def test_event_file_name_and_first_event(tmp_path, event_files):
    with SummaryWriter(tmp_path / "run") as writer:
        pass
    (path,) = event_files(tmp_path / "run")
    name = os.path.basename(path)
    prefix, stamp, host = name[:len("events.out.tfevents.")], name.split(".")[3], \
        name.split(".", 4)[4]
    assert prefix == "events.out.tfevents." and stamp.isdigit() and len(stamp) == 10
    assert host == socket.gethostname()
    assert writer.closed and "closed" in repr(writer)


def test_two_writers_in_one_directory_keep_separate_files(tmp_path, event_files):
    with SummaryWriter(tmp_path) as a, SummaryWriter(tmp_path) as b:
        a.add_scalar("x", 1.0, 0)
        b.add_scalar("x", 2.0, 1)
    assert len(event_files(tmp_path)) == 2


def test_scalars_values_and_steps(tmp_path, accumulate):
    with SummaryWriter(tmp_path) as writer:
        writer.add_scalar("loss", 0.5, step=0)
        writer.add_scalar("loss", np.float32(0.25), step=10)
        writer.add_scalar("loss", passos.tensor([0.125]), step=20)
        writer.add_scalar("train/accuracy", np.array(0.75), step=20)
    events = accumulate(tmp_path)
    assert sorted(events.Tags()["scalars"]) == ["loss", "train/accuracy"]
    loss = events.Scalars("loss")
    assert [e.step for e in loss] == [0, 10, 20]
    assert [e.value for e in loss] == [0.5, 0.25, 0.125]
    assert events.Scalars("train/accuracy")[0].value == 0.75


def test_flush_makes_values_visible_before_close(tmp_path, accumulate):
    writer = SummaryWriter(tmp_path)
    writer.add_scalar("loss", 1.0, 1)
    writer.flush()
    assert [e.value for e in accumulate(tmp_path).Scalars("loss")] == [1.0]
    writer.close()
    writer.close()  # harmless
    with pytest.raises(RuntimeError, match="closed"):
        writer.add_scalar("loss", 2.0, 2)


def test_scalar_must_be_one_number(tmp_path):
    with SummaryWriter(tmp_path) as writer, pytest.raises(ValueError, match="single number"):
        writer.add_scalar("loss", [1.0, 2.0], 0)


@pytest.mark.parametrize("bins", ["tensorflow", "auto", 5])
def test_histograms_count_min_max_sum(tmp_path, accumulate, bins):
    values = np.random.default_rng(0).normal(size=(40, 25)).astype(np.float32)
    with SummaryWriter(tmp_path) as writer:
        writer.add_histogram("weights", values, step=3, bins=bins)
        writer.add_histogram("weights", passos.tensor(values * 2), step=4, bins=bins)
    events = accumulate(tmp_path).Histograms("weights")
    assert [e.step for e in events] == [3, 4]
    h = events[0].histogram_value
    x = values.astype(np.float64)
    assert h.num == 1000 and sum(h.bucket) == 1000
    assert h.min == pytest.approx(x.min()) and h.max == pytest.approx(x.max())
    assert h.sum == pytest.approx(x.sum()) and h.sum_squares == pytest.approx((x * x).sum())
    assert list(h.bucket_limit) == sorted(h.bucket_limit)
    assert events[1].histogram_value.max == pytest.approx(2 * x.max())
    if bins == 5:
        assert len(h.bucket) == 5


def test_tensorflow_buckets_match_tensorflows_rule():
    h = histogram_proto([0.0, 1.0, 1.0, -2.5])
    # each value lands in the bucket whose upper limit is the first one above it
    limits, counts = np.array(h.bucket_limit), np.array(h.bucket)
    for v in (0.0, 1.0, -2.5):
        i = np.searchsorted(limits, v, side="right")
        assert counts[i] > 0 and (i == 0 or limits[i - 1] <= v < limits[i])
    assert counts.sum() == 4 and counts.max() == 2
    assert limits[-1] == np.finfo(np.float64).max  # the last bucket reaches DBL_MAX
    assert counts[-1] == 0 and counts[0] == 0  # empty runs collapse to one bucket each


def test_histogram_edge_cases():
    assert histogram_proto([]).num == 0
    constant = histogram_proto(np.full(7, 3.0), bins="auto")
    assert (constant.min, constant.max, sum(constant.bucket)) == (3.0, 3.0, 7)
    with pytest.raises(ValueError, match="NaN"):
        histogram_proto([1.0, np.nan])
    with pytest.raises(ValueError, match="inf"):
        histogram_proto([1.0, np.inf], bins="auto")
    assert histogram_proto([1.0, np.inf]).num == 2  # TensorFlow's buckets reach DBL_MAX


def _decode(image_event):
    Image = pytest.importorskip("PIL.Image")
    return np.asarray(Image.open(io.BytesIO(image_event.encoded_image_string)))


def test_images_sizes_and_pixels(tmp_path, accumulate):
    rgb = np.random.default_rng(1).integers(0, 256, (6, 9, 3), dtype=np.uint8)
    grey = np.linspace(0, 1, 4 * 5).reshape(4, 5)
    with SummaryWriter(tmp_path) as writer:
        writer.add_image("rgb", rgb, step=1)
        writer.add_image("chw", rgb.transpose(2, 0, 1), step=2, dataformats="CHW")
        writer.add_image("grey", grey, step=3)
        writer.add_image("rgba", np.ones((2, 3, 4), np.float32), step=4)
    events = accumulate(tmp_path)
    assert sorted(events.Tags()["images"]) == ["chw", "grey", "rgb", "rgba"]
    for tag, (height, width) in {"rgb": (6, 9), "chw": (6, 9), "grey": (4, 5),
                                 "rgba": (2, 3)}.items():
        (event,) = events.Images(tag)
        assert (event.height, event.width) == (height, width)
    assert events.Images("chw")[0].step == 2
    assert _decode(events.Images("rgb")[0]).tolist() == rgb.tolist()
    assert _decode(events.Images("chw")[0]).tolist() == rgb.tolist()
    assert _decode(events.Images("grey")[0]).ravel().tolist() == \
        np.floor(grey * 255 + 0.5).astype(int).ravel().tolist()
    assert (_decode(events.Images("rgba")[0]) == 255).all()


def test_image_errors_say_what_to_do(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(ValueError, match="dataformats='CHW'"):
            writer.add_image("x", np.zeros((3, 8, 8)))  # channels first, read as HWC
        with pytest.raises(ValueError, match="dataformats must be one of"):
            writer.add_image("x", np.zeros((8, 8, 3)), dataformats="NHWC")
        with pytest.raises(ValueError, match="NaN"):
            writer.add_image("x", np.full((2, 2), np.nan))


def test_without_tensorboard_the_error_names_the_extra():
    import subprocess
    import sys
    code = ("import sys; sys.modules['tensorboard'] = None\n"
            "import passos.keras.callbacks, passos.compat.v1.summary  # still importable\n"
            "try:\n    import passos.tensorboard\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("passos.tensorboard needs the tensorboard package: "
                                  "pip install 'passos[tensorboard]'")
