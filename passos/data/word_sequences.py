"""IMDB reviews and Reuters newswires: lists of word indices, as keras.datasets prepares them.

Keras' imdb.npz and reuters.npz hold object arrays of Python lists (read by safe_pickle);
`load_imdb` and `load_reuters` shuffle, shift and cut them exactly as Keras 2.2.4 does, so
a seed gives the same samples in the same order.
"""
import json
import warnings

import numpy as np

from . import keras_files
from .npz_file import load_npz


def _arrays(key, who, path, names):
    """The entries `names` of `key`'s .npz, checked to be sequences of integer lists."""
    file = keras_files.find_or_download(key, who, path)
    arrays = load_npz(file, who)
    for name in names:
        if name not in arrays:
            raise ValueError(f"{who}: {file} lacks the entry '{name}' (it has {sorted(arrays)})")
    if not all(isinstance(seq, list) and all(isinstance(w, (int, np.integer)) for w in seq)
               for seq in arrays[names[0]]):
        raise ValueError(f"{who}: {file}: '{names[0]}' is not a sequence of lists of word indices")
    return [arrays[name] for name in names]


def _object_array(lists):
    """A 1-D object array of lists (np.array would make a 2-D int array of equal lengths)."""
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def _prepare(xs, labels, who, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """Keras' steps: mark starts, shift indices, drop long sequences, cut the vocabulary."""
    if start_char is not None:
        xs = [[start_char] + [int(w) + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[int(w) + index_from for w in x] for x in xs]
    else:
        xs = [[int(w) for w in x] for x in xs]
    if maxlen:
        kept = [i for i, x in enumerate(xs) if len(x) < maxlen]
        xs, labels = [xs[i] for i in kept], labels[kept]
        if not xs:
            raise ValueError(f"{who}: no sequence is shorter than maxlen={maxlen}; increase maxlen")
    if not num_words:  # Keras' rule: the largest index then counts as out of vocabulary
        num_words = max(max(x) for x in xs if x)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    return xs, labels


def _nb_words(who, num_words, kwargs):
    """Keras 1's `nb_words` still works, with Keras' warning; any other keyword is an error."""
    if "nb_words" in kwargs:
        warnings.warn(f"{who}: the `nb_words` argument has been renamed `num_words`")
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"{who}: unrecognized keyword arguments {sorted(kwargs)}")
    return num_words


def load_imdb(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """IMDB reviews ((x_train, y_train), (x_test, y_test)): object arrays of lists, int labels."""
    who = "imdb.load_data"
    num_words = _nb_words(who, num_words, kwargs)
    x_train, y_train, x_test, y_test = _arrays("imdb.npz", who, path,
                                               ["x_train", "y_train", "x_test", "y_test"])
    rng = np.random.RandomState(seed)  # Keras seeds NumPy's global generator; we use our own
    x_train, y_train = _shuffled(rng, x_train, y_train)
    x_test, y_test = _shuffled(rng, x_test, y_test)
    xs, labels = _prepare(np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test]),
                          who, num_words, skip_top, maxlen, start_char, oov_char, index_from)
    cut = len(x_train)
    return ((_object_array(xs[:cut]), np.array(labels[:cut])),
            (_object_array(xs[cut:]), np.array(labels[cut:])))


def _shuffled(rng, x, y):
    """x and y in one random order drawn from `rng` (as Keras' np.random.shuffle of indices)."""
    indices = np.arange(len(x))
    rng.shuffle(indices)
    return x[indices], y[indices]


def load_reuters(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
                 seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Reuters newswires in 46 topics, split as Keras does after shuffling with `seed`."""
    who = "reuters.load_data"
    num_words = _nb_words(who, num_words, kwargs)
    x, y = _arrays("reuters.npz", who, path, ["x", "y"])
    x, y = _shuffled(np.random.RandomState(seed), x, y)
    xs, labels = _prepare(x, y, who, num_words, skip_top, maxlen, start_char, oov_char, index_from)
    cut = int(len(xs) * (1 - test_split))
    return ((_object_array(xs[:cut]), np.array(labels[:cut])),
            (_object_array(xs[cut:]), np.array(labels[cut:])))


def get_word_index(key, who, path=None):
    """{word: index} from Keras' word-index JSON (indices before index_from's shift)."""
    file = keras_files.find_or_download(key, who, path)
    with open(file, encoding="utf-8") as stream:
        try:
            index = json.load(stream)
        except json.JSONDecodeError as error:
            raise ValueError(f"{who}: {file} is not valid JSON ({error})") from None
    if not isinstance(index, dict):
        raise ValueError(f"{who}: {file} holds a JSON {type(index).__name__}, not a word index")
    return index
