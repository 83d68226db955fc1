"""DataFrameIterator: the batches of ImageDataGenerator.flow_from_dataframe.

A table names the image files (column x_col) and their targets (y_col) instead of class
folders. Any table whose `table[column]` gives the column's values works: a pandas DataFrame,
or a dict of lists, so pandas itself is never imported.
"""
import os
import warnings

import numpy as np

from .image_files import IMAGE_EXTENSIONS
from .iterators import FileIterator, subset_bounds

CLASS_MODES = ("categorical", "binary", "sparse", "input", "other", "raw", None)
_LABELLED = ("categorical", "binary", "sparse")


def _column(dataframe, name, who, role):
    """The values of column `name` as a list, or a ValueError naming the columns there are."""
    try:
        return list(dataframe[name])
    except (KeyError, IndexError, TypeError):
        columns = list(dataframe.columns if hasattr(dataframe, "columns") else
                       dataframe.keys() if hasattr(dataframe, "keys") else [])
        raise ValueError(f"{who}: the dataframe has no column {name!r} ({role}); its columns "
                         f"are {columns}") from None


def _is_image_file(path):
    return os.path.isfile(path) and path.lower().rsplit(".", 1)[-1] in IMAGE_EXTENSIONS


def _class_names(labels, classes, y_col, class_mode, who):
    """The class names, sorted unless given; binary needs exactly two."""
    if not classes:
        try:
            classes = sorted(set(labels))
        except TypeError:
            kinds = sorted({type(label).__name__ for label in labels})
            raise ValueError(f"{who}: the labels in column {y_col!r} mix types ({', '.join(kinds)}) "
                             f"and cannot be sorted into classes; make them all strings or pass "
                             f"classes=[...]") from None
    if class_mode == "binary" and len(classes) != 2:
        raise ValueError(f"{who}: class_mode='binary' needs exactly 2 classes, got "
                         f"{len(classes)}: {list(classes)[:10]}; use 'categorical' or 'sparse'")
    return list(classes)


class DataFrameIterator(FileIterator):
    """Batches of images named in `dataframe[x_col]` (under `directory`), targets from y_col.

    class_mode: 'categorical' (one-hot), 'binary' (0./1.), 'sparse' (int), 'input' (the images),
    'other' or 'raw' (the y_col values; a list of columns gives one row per image) or None.
    """

    def __init__(self, dataframe, directory, image_data_generator, x_col="filename",
                 y_col="class", target_size=(256, 256), color_mode="rgb", classes=None,
                 class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png",
                 subset=None, interpolation="nearest", dtype="float32", drop_duplicates=True):
        who = "DataFrameIterator"
        # 1. Options, as every file iterator checks them.
        self._image_options(who, image_data_generator, target_size, color_mode, data_format,
                            save_to_dir, save_prefix, save_format, interpolation, dtype)
        if class_mode not in CLASS_MODES:
            raise ValueError(f"{who}: class_mode must be one of {list(CLASS_MODES)}, "
                             f"got {class_mode!r}")
        if directory is not None and not os.path.isdir(directory):
            raise ValueError(f"{who}: directory {directory!r} does not exist or is not a folder")
        if classes and class_mode not in _LABELLED:
            warnings.warn(f"{who}: classes={list(classes)} is ignored with class_mode={class_mode!r}")
        self.directory, self.class_mode = directory, class_mode
        bounds = subset_bounds(image_data_generator, subset, who)
        # 2. The columns: file names, and the targets the class_mode needs.
        names = _column(dataframe, x_col, who, "x_col, the image file names")
        if not all(isinstance(name, str) for name in names):
            raise ValueError(f"{who}: column x_col={x_col!r} must hold file names (strings), "
                             f"got {[n for n in names if not isinstance(n, str)][:5]}")
        targets = None
        if class_mode in _LABELLED or class_mode in ("other", "raw"):
            y_cols = [y_col] if isinstance(y_col, str) else list(y_col)
            columns = [_column(dataframe, c, who, "y_col, the targets") for c in y_cols]
            targets = columns[0] if isinstance(y_col, str) else list(zip(*columns))
        rows = range(len(names))
        # 3. Rows to keep: the first of each file name, whose file is an image that exists.
        if drop_duplicates:
            rows = list({names[i]: i for i in reversed(rows)}.values())[::-1]
        missing = [names[i] for i in rows if not _is_image_file(os.path.join(directory or "", names[i]))]
        if missing:
            warnings.warn(f"{who}: skipping {len(missing)} of the {len(rows)} files named in column "
                          f"{x_col!r} that are missing or not images ({', '.join(IMAGE_EXTENSIONS)}) "
                          f"under directory={directory!r}: {missing[:5]}"
                          f"{' ...' if len(missing) > 5 else ''}")
            missing = set(missing)
            rows = [i for i in rows if names[i] not in missing]
        # 4. Classes: rows labelled with a class not in `classes` are left out, as in Keras.
        self.classes, self.class_indices, self.data = None, {}, None
        if class_mode in _LABELLED:
            classes = _class_names([targets[i] for i in rows], classes, y_col, class_mode, who)
            self.class_indices = {name: k for k, name in enumerate(classes)}
            rows = [i for i in rows if targets[i] in self.class_indices]
        self.num_classes = len(self.class_indices)
        # 5. The training or validation part, cut from the rows in order (validation first).
        if bounds is not None:
            rows = rows[int(bounds[0] * len(rows)):int(bounds[1] * len(rows))]
        self.filenames = [names[i] for i in rows]
        if class_mode in _LABELLED:
            self.classes = np.array([self.class_indices[targets[i]] for i in rows], dtype="int32")
        elif targets is not None:
            self.data = np.array([targets[i] for i in rows])
        self.samples = len(self.filenames)
        print(f"Found {self.samples} images" + (f" belonging to {self.num_classes} classes."
                                                if class_mode in _LABELLED else "."))
        super().__init__(self.samples, batch_size, shuffle, seed)
