"""keras.preprocessing.image: transforms against NumPy/PyTorch/Pillow, generators, files, training."""
import sys

import numpy as np
import pytest

import passos as P
from passos.keras.layers import Dense, Flatten
from passos.keras.models import Sequential
from passos.keras.preprocessing import image
from passos.keras.preprocessing.image import ImageDataGenerator
from passos.keras.preprocessing.transforms import (affine_matrix, apply_affine_transform,
                                                   transform_matrix_offset_center)


def grid(h=7, w=7, c=1):
    return np.arange(h * w * c, dtype=np.float64).reshape(h, w, c)


# -- transforms --------------------------------------------------------------------------------------
def test_rotation_90_is_rot90_about_keras_centre():
    x = grid(c=2)
    out = ImageDataGenerator().apply_transform(x, {"theta": 90})
    # Keras rotates about (h/2 + 0.5, w/2 + 0.5), one pixel past the middle: rot90 moved 2 columns
    expected = np.roll(np.rot90(x, -1), 2, axis=1)
    np.testing.assert_allclose(out[:, 2:], expected[:, 2:], atol=1e-9)


def test_shift_and_flips():
    x = grid()
    gen = ImageDataGenerator()
    out = gen.apply_transform(x, {"tx": 2, "ty": -1})  # tx moves rows, ty columns
    expected = np.roll(np.roll(x, -2, axis=0), 1, axis=1)
    np.testing.assert_allclose(out[:-2, 1:], expected[:-2, 1:], atol=1e-12)
    assert np.array_equal(gen.apply_transform(x, {"flip_horizontal": True}), x[:, ::-1])
    assert np.array_equal(gen.apply_transform(x, {"flip_vertical": True}), x[::-1])
    first = ImageDataGenerator(data_format="channels_first")
    chw = x.transpose(2, 0, 1)
    assert np.array_equal(first.apply_transform(chw, {"flip_horizontal": True}), chw[:, :, ::-1])


@pytest.mark.parametrize("mode, column", [("nearest", [10, 10, 10, 11, 12]),
                                          ("constant", [-1, -1, 10, 11, 12]),
                                          ("reflect", [11, 10, 10, 11, 12]),
                                          ("wrap", [13, 14, 10, 11, 12])])
def test_fill_modes(mode, column):
    x = np.arange(10.0, 15.0).reshape(5, 1, 1)
    out = ImageDataGenerator(fill_mode=mode, cval=-1).apply_transform(x, {"tx": -2})
    assert out[:, 0, 0].tolist() == column


@pytest.mark.parametrize("mode, padding", [("nearest", "border"), ("reflect", "reflection")])
def test_bilinear_matches_torch_grid_sample(mode, padding):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(6, 9, 3))
    out = apply_affine_transform(x, theta=25, tx=1.3, ty=-2.1, shear=12, zx=0.8, zy=1.3,
                                 fill_mode=mode)
    matrix = transform_matrix_offset_center(affine_matrix(25, 1.3, -2.1, 12, 0.8, 1.3), 6, 9)
    r, c = np.meshgrid(np.arange(6.0), np.arange(9.0), indexing="ij")
    rows = matrix[0, 0] * r + matrix[0, 1] * c + matrix[0, 2]
    cols = matrix[1, 0] * r + matrix[1, 1] * c + matrix[1, 2]
    # align_corners=False: pixel i sits at (2i + 1) / n - 1 in grid_sample's [-1, 1]
    sample_grid = np.stack([(2 * cols + 1) / 9 - 1, (2 * rows + 1) / 6 - 1], -1)[None]
    ref = torch.nn.functional.grid_sample(
        torch.tensor(x.transpose(2, 0, 1)[None]), torch.tensor(sample_grid), mode="bilinear",
        padding_mode=padding, align_corners=False)[0].numpy().transpose(1, 2, 0)
    np.testing.assert_allclose(out, ref, atol=1e-9)


def test_brightness_matches_pillow_and_channel_shift_clips():
    ImageEnhance = pytest.importorskip("PIL.ImageEnhance")
    x = np.random.default_rng(1).uniform(0, 255, size=(4, 5, 3))
    for factor in (0.6, 1.7):
        ours = ImageDataGenerator().apply_transform(x, {"brightness": factor})
        pil = ImageEnhance.Brightness(image.array_to_img(x)).enhance(factor)
        np.testing.assert_array_equal(ours, image.img_to_array(pil))
    shifted = ImageDataGenerator().apply_transform(x, {"channel_shift_intensity": 50.0})
    np.testing.assert_allclose(shifted, np.clip(x + 50, x.min(), x.max()))


# -- standardize and fit ------------------------------------------------------------------------------
def test_rescale_samplewise_and_preprocessing_function():
    x = np.arange(1.0, 9.0).reshape(2, 2, 2, 1)
    np.testing.assert_allclose(ImageDataGenerator(rescale=0.5).standardize(x), x * 0.5)
    out = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True).standardize(x[0])
    assert abs(out.mean()) < 1e-6 and abs(out.std() - 1) < 1e-4
    twice = ImageDataGenerator(preprocessing_function=lambda a: a * 2, rescale=0.25)
    np.testing.assert_allclose(twice.standardize(x), x * 0.5)
    assert x[0, 0, 0, 0] == 1.0  # the input is left alone


def test_featurewise_statistics_and_zca():
    x = np.random.default_rng(2).normal(3.0, 2.0, size=(50, 4, 4, 3)) * [1, 2, 3]
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    gen.fit(x)
    assert gen.mean.shape == (1, 1, 3) and gen.std.shape == (1, 1, 3)
    np.testing.assert_allclose(gen.mean.ravel(), x.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(gen.std.ravel(), x.std(axis=(0, 1, 2)), rtol=1e-5)
    out = gen.standardize(x)
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-4)
    small = np.random.default_rng(3).normal(size=(400, 2, 2, 1))
    zca = ImageDataGenerator(zca_whitening=True, zca_epsilon=1e-9)
    zca.fit(small)
    flat = zca.standardize(small).reshape(400, -1).astype(np.float64)
    np.testing.assert_allclose(flat.T @ flat / 400, np.eye(4), atol=1e-4)
    with pytest.warns(UserWarning, match="featurewise_center is set but the generator has not been fit"):
        ImageDataGenerator(featurewise_center=True).standardize(x[:1])


# -- flow ---------------------------------------------------------------------------------------------
def numbered(n=10):
    """Images whose pixels all equal their index, so a batch says which samples it holds."""
    return np.arange(n, dtype=np.float32)[:, None, None, None] * np.ones((1, 2, 2, 1)), np.arange(n)


def test_flow_covers_the_data_once_per_epoch():
    x, y = numbered()
    it = ImageDataGenerator().flow(x, y, batch_size=3, seed=1)
    assert len(it) == 4
    for _ in range(2):  # two epochs, each a new order
        batches = [next(it) for _ in range(len(it))]
        assert [len(b[1]) for b in batches] == [3, 3, 3, 1]
        seen = np.concatenate([b[1] for b in batches])
        assert sorted(seen.tolist()) == list(range(10))
        assert all(np.array_equal(bx[:, 0, 0, 0], by) for bx, by in batches)
    by_index = np.concatenate([it[i][1] for i in range(len(it))])
    assert sorted(by_index.tolist()) == list(range(10))
    unshuffled = ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False)
    assert next(unshuffled)[1].tolist() == [0, 1, 2, 3]
    with pytest.raises(IndexError, match="NumpyArrayIterator: batch index 4 is out of range"):
        it[4]


def test_flow_seed_reproduces_order_and_augmentation():
    x = np.random.default_rng(4).normal(size=(6, 5, 5, 1))
    gen = ImageDataGenerator(rotation_range=40, width_shift_range=0.2, zoom_range=0.1,
                             horizontal_flip=True)
    first, again = [gen.flow(x, np.arange(6), batch_size=4, seed=7) for _ in range(2)]
    for _ in range(3):  # the second epoch starts at the third batch
        (xa, ya), (xb, yb) = next(first), next(again)
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert xa.dtype == np.float32
    other = next(gen.flow(x, np.arange(6), batch_size=4, seed=8))
    assert not np.array_equal(next(gen.flow(x, np.arange(6), batch_size=4, seed=7))[0], other[0])
    assert next(gen.flow(x, batch_size=2, seed=1)).shape == (2, 5, 5, 1)  # y=None: x alone


def test_flow_subsets_sample_weights_and_extra_inputs():
    x, y = numbered()
    gen = ImageDataGenerator(validation_split=0.2)
    val = gen.flow(x, y % 2, batch_size=10, shuffle=False, subset="validation")
    train = gen.flow(x, y % 2, batch_size=10, shuffle=False, subset="training")
    assert next(val)[0][:, 0, 0, 0].tolist() == [0, 1] and len(next(train)[1]) == 8
    xb, yb, wb = next(ImageDataGenerator().flow(x, y, sample_weight=y * 2.0, shuffle=False))
    assert wb.tolist() == (y * 2.0).tolist()
    inputs, _ = next(ImageDataGenerator().flow((x, y * 10), y, batch_size=3, shuffle=False))
    assert inputs[1].tolist() == [0, 10, 20]
    with pytest.raises(ValueError, match="subset='training' needs ImageDataGenerator"):
        ImageDataGenerator().flow(x, y, subset="training")


def test_generator_errors():
    with pytest.raises(ValueError, match="ImageDataGenerator: fill_mode must be 'nearest', "
                                         "'constant', 'reflect' or 'wrap', got 'mirror'"):
        ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ValueError, match="ImageDataGenerator: zoom_range must be a number or a"):
        ImageDataGenerator(zoom_range=(0.5, 1, 2))
    with pytest.raises(ValueError, match="brightness_range must be a \\(low, high\\) pair, got 0.5"):
        ImageDataGenerator(brightness_range=0.5)
    with pytest.raises(ValueError, match="validation_split must be a number in"):
        ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match=r"NumpyArrayIterator: x must be a batch of images of rank 4, "
                                         r"got shape \(3, 4, 4\)"):
        ImageDataGenerator().flow(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="x has 3 samples .* but y has 2"):
        ImageDataGenerator().flow(np.zeros((3, 4, 4, 1)), [0, 1])
    with pytest.raises(ValueError, match="apply_transform: expects one image of rank 3"):
        ImageDataGenerator().random_transform(np.zeros((2, 4, 4, 1)))


# -- files ---------------------------------------------------------------------------------------------
@pytest.fixture
def folder(tmp_path):
    """cats/ with two 4x5 PNGs and dogs/ with one (plus a file that is not an image)."""
    pytest.importorskip("PIL", reason="flow_from_directory reads images through Pillow")
    rng = np.random.default_rng(5)
    pixels = {}
    for name in ("cats/a.png", "cats/b.png", "dogs/c.png"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        pixels[name] = rng.integers(0, 256, size=(4, 5, 3)).astype(np.float32)
        image.save_img(str(tmp_path / name), pixels[name], scale=False)
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    return tmp_path, pixels


def test_image_files_round_trip(folder):
    path, pixels = folder
    img = image.load_img(str(path / "cats/a.png"))
    assert img.size == (5, 4)
    np.testing.assert_array_equal(image.img_to_array(img), pixels["cats/a.png"])
    assert image.img_to_array(img, data_format="channels_first").shape == (3, 4, 5)
    assert image.img_to_array(image.load_img(str(path / "cats/a.png"), color_mode="grayscale")).shape \
        == (4, 5, 1)
    assert image.load_img(str(path / "cats/a.png"), target_size=(2, 3)).size == (3, 2)
    with pytest.raises(ValueError, match="array_to_img: an image needs 1, 3 or 4 channels"):
        image.array_to_img(np.zeros((2, 2, 2)))


def test_flow_from_directory(folder):
    path, pixels = folder
    gen = ImageDataGenerator(rescale=1 / 255.0)
    it = gen.flow_from_directory(str(path), target_size=(4, 5), batch_size=3, shuffle=False)
    assert it.class_indices == {"cats": 0, "dogs": 1} and it.classes.tolist() == [0, 0, 1]
    assert it.filenames == ["cats/a.png", "cats/b.png", "dogs/c.png"]
    x, y = next(it)
    assert y.tolist() == [[1, 0], [1, 0], [0, 1]]
    np.testing.assert_allclose(x[2], pixels["dogs/c.png"] / 255.0, rtol=1e-6)
    modes = {"sparse": [0, 0, 1], "binary": [0.0, 0.0, 1.0]}
    for mode, labels in modes.items():
        it = gen.flow_from_directory(str(path), target_size=(4, 5), class_mode=mode, shuffle=False)
        assert next(it)[1].tolist() == labels
    x, y = next(gen.flow_from_directory(str(path), target_size=(2, 2), class_mode="input",
                                        color_mode="grayscale"))
    assert x.shape == (3, 2, 2, 1) and np.array_equal(x, y)
    alone = gen.flow_from_directory(str(path), target_size=(2, 2), class_mode=None, batch_size=2)
    assert next(alone).shape == (2, 2, 2, 3) and len(alone) == 2
    split = ImageDataGenerator(validation_split=0.5).flow_from_directory(
        str(path), target_size=(2, 2), subset="validation")
    assert split.filenames == ["cats/a.png"]
    with pytest.raises(ValueError, match="class_mode must be 'categorical'"):
        gen.flow_from_directory(str(path), class_mode="onehot")
    with pytest.raises(ValueError, match="DirectoryIterator: directory .* does not exist"):
        gen.flow_from_directory(str(path / "missing"))


def test_missing_pillow_says_which_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"load_img reads and writes images through Pillow.*"
                                          r"passos\[images\]"):
        image.load_img(str(tmp_path / "x.png"))


# -- training ------------------------------------------------------------------------------------------
def test_one_epoch_of_training_from_flow():
    rng = np.random.default_rng(6)
    labels = rng.integers(0, 2, 32)
    x = rng.uniform(0, 50, size=(32, 4, 4, 1)).astype(np.float32)
    x[labels == 1] += 200  # bright images are class 1
    y = np.eye(2, dtype=np.float32)[labels]
    P.random.seed(0)
    model = Sequential([Flatten(input_shape=(4, 4, 1)), Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    before = [w.copy() for w in model.get_weights()]
    it = ImageDataGenerator(rescale=1 / 255.0, horizontal_flip=True).flow(x, y, batch_size=8, seed=0)
    losses = [model.train_on_batch(*next(it)) for _ in range(len(it))]
    assert len(losses) == 4 and all(np.isfinite(losses))
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
