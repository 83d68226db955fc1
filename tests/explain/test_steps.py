"""passos.explain.conv2d_steps / pool2d_steps: frame by frame, agreeing with passos.conv2d and pooling; the CLI."""
import json

import numpy as np
import pytest

import passos
from passos.cli import main
from passos.explain import conv2d_steps, pool2d_steps

IMAGE = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
KERNEL = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]


def as_nhwc(a):
    return np.asarray(a, np.float32)[None, :, :, None]


def test_course_convolution_nine_frames():
    steps = conv2d_steps(IMAGE, KERNEL)
    assert len(steps) == 9
    first, last = steps.frames[0], steps.frames[-1]
    assert (first.row, first.col, first.top, first.left) == (0, 0, 0, 0)
    np.testing.assert_array_equal(first.window, [[3, 3, 2], [0, 0, 1], [3, 1, 2]])
    np.testing.assert_array_equal(first.products, [[0, 3, 4], [0, 0, 0], [0, 1, 4]])
    assert first.value == 12
    assert np.isnan(first.output_so_far[0, 1]) and first.output_so_far[0, 0] == 12
    np.testing.assert_array_equal(last.output_so_far, [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    np.testing.assert_array_equal(steps.output, [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    data = json.loads(json.dumps(steps.to_dict()))
    assert data["kind"] == "conv2d" and data["padding"] == "valid" and data["strides"] == [1, 1]
    assert data["kernel"] == KERNEL and data["image"] == IMAGE and data["padded"] == IMAGE
    assert data["frames"][0]["output_so_far"][0] == [12, None, None]
    assert set(data["frames"][0]) == {"row", "col", "top", "left", "window", "products", "value",
                                      "output_so_far"}


@pytest.mark.parametrize("strides,padding", [(1, "valid"), (1, "same"), (2, "valid"),
                                             (2, "same"), ((1, 2), "same")])
def test_convolution_agrees_with_passos_conv2d(strides, padding):
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(6, 5)), rng.normal(size=(3, 2))
    steps = conv2d_steps(image, kernel, strides=strides, padding=padding)
    expected = passos.conv2d(image[None, :, :, None], kernel[:, :, None, None],
                             strides=strides, padding=padding).numpy()[0, :, :, 0]
    np.testing.assert_allclose(steps.output, expected, rtol=1e-12)
    assert len(steps) == expected.size


def test_same_padding_shows_the_zero_border():
    steps = conv2d_steps(IMAGE, KERNEL, padding="same")
    assert len(steps) == 25 and steps.padded.shape == (7, 7)
    assert steps.padded[0].tolist() == [0] * 7 and steps.padded[1:6, 1:6].tolist() == IMAGE
    np.testing.assert_array_equal(steps.frames[0].window, [[0, 0, 0], [0, 3, 3], [0, 0, 0]])
    assert steps.frames[0].value == 6
    text = steps.text()
    assert "Frame 25 of 25" in text and "of the padded image" in text
    assert "[0][0][0] 0  0  0  0" in text


def test_course_max_pooling():
    steps = pool2d_steps(IMAGE, 3, strides=1)
    assert len(steps) == 9 and steps.kind == "max_pool2d"
    np.testing.assert_array_equal(steps.output, [[3, 3, 3], [3, 3, 3], [3, 2, 3]])
    np.testing.assert_array_equal(
        steps.output, passos.max_pool2d(as_nhwc(IMAGE), 3, strides=1).numpy()[0, :, :, 0])
    assert steps.frames[0].winner == (0, 0)  # the first maximum, where the gradient goes
    data = json.loads(json.dumps(steps.to_dict()))
    assert "products" not in data["frames"][0] and data["frames"][0]["winner"] == [0, 0]
    assert data["pool_size"] == [3, 3] and "kernel" not in data


@pytest.mark.parametrize("mode,fn", [("max", passos.max_pool2d), ("avg", passos.avg_pool2d)])
@pytest.mark.parametrize("size,strides,padding", [(2, None, "valid"), (2, None, "same"),
                                                  (3, 2, "same"), (3, 1, "same")])
def test_pooling_agrees_with_passos(mode, fn, size, strides, padding):
    image = np.random.default_rng(2).normal(size=(5, 7))
    steps = pool2d_steps(image, size, strides=strides, padding=padding, mode=mode)
    expected = fn(image[None, :, :, None], size, strides=strides,
                  padding=padding).numpy()[0, :, :, 0]
    np.testing.assert_allclose(steps.output, expected, rtol=1e-12)
    json.dumps(steps.to_dict())


def test_pool_same_padding_cells_are_null_and_never_count():
    steps = pool2d_steps(IMAGE, 2, padding="same", mode="avg")
    data = steps.to_dict()
    assert data["padded"][5] == [None] * 6 and data["padded"][0][:5] == IMAGE[0]
    last = data["frames"][-1]
    assert last["window"] == [[1, None], [None, None]] and last["value"] == 1


def test_errors():
    with pytest.raises(ValueError, match="2-D image"):
        conv2d_steps(np.zeros((2, 3, 3)), KERNEL)
    with pytest.raises(ValueError, match="'valid' or 'same'"):
        conv2d_steps(IMAGE, KERNEL, padding="full")
    with pytest.raises(ValueError, match="mode must be"):
        pool2d_steps(IMAGE, mode="min")
    with pytest.raises(ValueError, match="larger than"):
        conv2d_steps([[1, 2]], KERNEL)


def test_cli_explain_backprop(capsys):
    assert main(["explain", "backprop"]) == 0
    out = capsys.readouterr().out
    assert "h = exp(z)" in out and "∂(a/b)/∂b = -a/b²" in out
    assert "∂L/∂b1 = y_hat1 - y1 = 0.8129 - 1 = -0.1871" in out
    assert main(["explain", "backprop", "--graph"]) == 0
    assert "-0.1871" in capsys.readouterr().out


def test_cli_explain_conv_and_pool(capsys):
    assert main(["explain", "conv"]) == 0
    out = capsys.readouterr().out
    assert "Frame 9 of 9" in out and "sum = 0 + 3 + 4 + 0 + 0 + 0 + 0 + 1 + 4 = 12" in out
    assert main(["explain", "conv", "--padding", "same", "--stride", "2"]) == 0
    assert "output 3×3, 9 frames" in capsys.readouterr().out
    assert main(["explain", "pool"]) == 0
    out = capsys.readouterr().out
    assert "max_pool2d" in out and "pool 3×3, strides 1×1" in out and "Frame 9 of 9" in out
    assert main(["explain", "pool", "--mode", "avg", "--pool-size", "2", "--stride", "2"]) == 0
    assert "avg_pool2d" in capsys.readouterr().out
