"""ImageDataGenerator.flow_from_dataframe: images named in a table, targets for each class_mode.

The iterator only reads `table[column]`, so most tests use a dict of lists; one runs on a pandas
DataFrame where pandas is installed.
"""
import numpy as np
import pytest

import passos as P
from passos.keras.layers import Dense, Flatten
from passos.keras.models import Sequential
from passos.keras.preprocessing import image
from passos.keras.preprocessing.image import ImageDataGenerator

NAMES = ["a.png", "b.png", "c.png", "d.png"]
LABELS = ["dog", "cat", "dog", "cat"]


@pytest.fixture
def table(tmp_path):
    """Four 4x5 PNGs in tmp_path, a table naming them (with a label, a score and a size each)."""
    pytest.importorskip("PIL", reason="flow_from_dataframe reads images through Pillow")
    rng = np.random.default_rng(7)
    pixels = {}
    for name in NAMES:
        pixels[name] = rng.integers(0, 256, size=(4, 5, 3)).astype(np.float32)
        image.save_img(str(tmp_path / name), pixels[name], scale=False)
    columns = {"filename": list(NAMES), "class": list(LABELS), "score": [0.5, 1.5, 2.5, 3.5],
               "size": [10, 20, 30, 40]}
    return tmp_path, columns, pixels


def flow(path, columns, **options):
    options = {"target_size": (4, 5), "shuffle": False, **options}
    return ImageDataGenerator().flow_from_dataframe(columns, str(path), **options)


def test_categorical_labels_follow_the_table(table):
    path, columns, pixels = table
    it = flow(path, columns, batch_size=3)
    assert it.class_indices == {"cat": 0, "dog": 1} and it.num_classes == 2
    assert it.filenames == NAMES and it.classes.tolist() == [1, 0, 1, 0]
    assert it.filepaths[0] == str(path / "a.png")
    x, y = next(it)
    assert x.shape == (3, 4, 5, 3) and y.tolist() == [[0, 1], [1, 0], [0, 1]]
    np.testing.assert_array_equal(x[1], pixels["b.png"])
    assert len(it) == 2 and it[1][0].shape == (1, 4, 5, 3)


@pytest.mark.parametrize("mode, expected", [("sparse", [1, 0, 1, 0]), ("binary", [1.0, 0.0, 1.0, 0.0]),
                                            ("other", [0.5, 1.5, 2.5, 3.5]),
                                            ("raw", [0.5, 1.5, 2.5, 3.5])])
def test_target_modes(table, mode, expected):
    path, columns, _ = table
    y_col = "score" if mode in ("other", "raw") else "class"
    x, y = next(flow(path, columns, y_col=y_col, class_mode=mode))
    assert x.shape == (4, 4, 5, 3) and y.tolist() == expected
    assert y.dtype == {"sparse": np.int32, "binary": np.float32}.get(mode, np.float64)


def test_raw_targets_from_several_columns_and_no_targets(table):
    path, columns, _ = table
    _, y = next(flow(path, columns, y_col=["score", "size"], class_mode="raw", batch_size=2))
    assert y.tolist() == [[0.5, 10], [1.5, 20]]
    x, y = next(flow(path, columns, class_mode="input", color_mode="grayscale", target_size=(2, 2)))
    assert x.shape == (4, 2, 2, 1) and np.array_equal(x, y)
    alone = flow(path, {"filename": NAMES}, class_mode=None, batch_size=3)
    assert next(alone).shape == (3, 4, 5, 3) and alone.classes is None and alone.class_indices == {}


def test_classes_duplicates_and_directory_none(table):
    path, columns, _ = table
    it = flow(path, columns, classes=["dog"], class_mode="sparse")
    assert it.filenames == ["a.png", "c.png"] and it.class_indices == {"dog": 0}
    doubled = {key: values + values[:1] for key, values in columns.items()}
    assert len(flow(path, doubled).filenames) == 4
    assert len(flow(path, doubled, drop_duplicates=False).filenames) == 5
    full = {"filename": [str(path / n) for n in NAMES], "class": LABELS}
    it = ImageDataGenerator().flow_from_dataframe(full, target_size=(4, 5), shuffle=False)
    assert it.filenames == full["filename"] and next(it)[0].shape == (4, 4, 5, 3)


def test_subset_splits_the_rows_validation_first(table):
    path, columns, _ = table
    gen = ImageDataGenerator(validation_split=0.25)
    options = {"target_size": (4, 5), "shuffle": False}
    validation = gen.flow_from_dataframe(columns, str(path), subset="validation", **options)
    training = gen.flow_from_dataframe(columns, str(path), subset="training", **options)
    assert validation.filenames == ["a.png"] and training.filenames == ["b.png", "c.png", "d.png"]
    assert training.class_indices == validation.class_indices == {"cat": 0, "dog": 1}


def test_missing_files_are_named_and_skipped(table):
    path, columns, _ = table
    (path / "notes.txt").write_text("not an image")
    columns = {key: values + [values[0], values[1]] for key, values in columns.items()}
    columns["filename"][4:] = ["gone.png", "notes.txt"]
    with pytest.warns(UserWarning, match=r"DataFrameIterator: skipping 2 of the 6 files named in "
                                         r"column 'filename' that are missing or not images.*"
                                         r"\['gone.png', 'notes.txt'\]"):
        it = flow(path, columns)
    assert it.filenames == NAMES and it.samples == 4


def test_mistakes_are_explained(table):
    path, columns, _ = table
    with pytest.raises(ValueError, match=r"no column 'path' \(x_col.*columns are \['filename', "
                                         r"'class', 'score', 'size'\]"):
        flow(path, columns, x_col="path")
    with pytest.raises(ValueError, match="class_mode must be one of"):
        flow(path, columns, class_mode="onehot")
    with pytest.raises(ValueError, match="'binary' needs exactly 2 classes, got 4"):
        flow(path, columns, y_col="size", class_mode="binary")
    with pytest.raises(ValueError, match="directory .*missing.* does not exist"):
        flow(path / "missing", columns)
    with pytest.raises(ValueError, match="labels in column 'class' mix types"):
        flow(path, {**columns, "class": ["dog", 1, "cat", 2]})


def test_fit_generator_on_a_dataframe_iterator(table):
    path, columns, _ = table
    P.random.seed(0)
    model = Sequential([Flatten(input_shape=(4, 5, 3)), Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    before = [w.copy() for w in model.get_weights()]
    it = ImageDataGenerator(rescale=1 / 255.0).flow_from_dataframe(
        columns, str(path), target_size=(4, 5), batch_size=2, seed=0)
    history = model.fit_generator(it, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.all(np.isfinite(history.history["loss"]))
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_a_pandas_dataframe(table):
    pd = pytest.importorskip("pandas", reason="pandas is optional; the dict-of-lists tests cover "
                                              "the same code")
    path, columns, _ = table
    frame = pd.DataFrame(columns)
    it = flow(path, frame, class_mode="sparse")
    assert it.filenames == NAMES and it.classes.tolist() == [1, 0, 1, 0]
    _, y = next(flow(path, frame, y_col=["score", "size"], class_mode="raw"))
    assert y.shape == (4, 2) and y[:, 1].tolist() == [10, 20, 30, 40]
