"""keras.preprocessing.sequence: padding, skip-gram pairs and time-series batches.

>>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
[[2, 3], [0, 4]]
"""
import numpy as np

from ... import arguments
from ...ops import random as passos_random
from ..utils.data_utils import Sequence

__all__ = ["pad_sequences", "make_sampling_table", "skipgrams", "TimeseriesGenerator"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.):
    """A (num_samples, maxlen) array from a list of sequences, padded with `value` and cut.

    padding/truncating 'pre' (default) pads or cuts at the start, 'post' at the end;
    maxlen defaults to the longest sequence. Items may be arrays of one shape.
    """
    who = "pad_sequences"
    arguments.one_of(padding, who, "padding", ("pre", "post"))
    arguments.one_of(truncating, who, "truncating", ("pre", "post"))
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"{who}: sequences must be a list of sequences, got {arguments.got(sequences)}")
    for i, s in enumerate(sequences):
        if not hasattr(s, "__len__"):
            raise ValueError(f"{who}: sequences must be a list of sequences; item {i} is "
                             f"{arguments.got(s)}")
    lengths = [len(s) for s in sequences]
    maxlen = (max(lengths) if lengths else 0) if maxlen is None else \
        arguments.integer(maxlen, who, "maxlen", minimum=0)
    sample_shape = next((np.asarray(s).shape[1:] for s in sequences if len(s)), ())
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text:
        raise ValueError(f"{who}: dtype {dtype!r} cannot hold the padding value {value!r}; use "
                         f"dtype=object for strings")
    x = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"{who}: sequence {i} has items of shape {kept.shape[1:]}, the "
                             f"first non-empty one {sample_shape}")
        if padding == "post":
            x[i, :len(kept)] = kept
        else:
            x[i, maxlen - len(kept):] = kept
    return x


def make_sampling_table(size, sampling_factor=1e-5):
    """Word2vec's probability of keeping the word of each frequency rank (Zipf's law assumed).

    Entry i is min(1, sqrt(f_i / sampling_factor) / (f_i / sampling_factor)) for the
    estimated frequency f_i of the i-th most common word; feed it to skipgrams.
    """
    size = arguments.integer(size, "make_sampling_table", "size")
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1. / (12. * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1., f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1., shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """(couples, labels): [word, context] pairs within `window_size` labelled 1, and
    `negative_samples` times as many [word, random word] pairs labelled 0.

    Index 0 is a non-word and skipped. With `sampling_table`, word w is kept with
    probability sampling_table[w]. labels are 0/1, or [1, 0]/[0, 1] when categorical.
    """
    who = "skipgrams"
    vocabulary_size = arguments.integer(vocabulary_size, who, "vocabulary_size", minimum=2)
    window_size = arguments.integer(window_size, who, "window_size", minimum=0)
    rng = passos_random.generator() if seed is None else np.random.default_rng(seed)
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi or sampling_table is not None and sampling_table[wi] < rng.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append([0, 1] if categorical else 1)
    if negative_samples > 0 and couples:
        count = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        rng.shuffle(words)
        couples += [[words[i % len(words)], int(rng.integers(1, vocabulary_size))]
                    for i in range(count)]
        labels += [[1, 0] if categorical else 0 for _ in range(count)]
    if shuffle:
        order = rng.permutation(len(couples))
        couples, labels = [couples[k] for k in order], [labels[k] for k in order]
    return couples, labels


class TimeseriesGenerator(Sequence):
    """Batches (samples, targets) of windows over a time series, as a Keras Sequence.

    Sample for time t: data[t - length:t:sampling_rate], target: targets[t]; the times
    run from start_index + length to end_index, `stride` apart, batch_size per batch.

    >>> import numpy as np
    >>> gen = TimeseriesGenerator(np.arange(10)[:, None], np.arange(10), length=3, batch_size=4)
    >>> x, y = gen[0]
    >>> len(gen), x[0, :, 0].tolist(), y.tolist()
    (2, [0.0, 1.0, 2.0], [3.0, 4.0, 5.0, 6.0])
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0,
                 end_index=None, shuffle=False, reverse=False, batch_size=128):
        who = "TimeseriesGenerator"
        if len(data) != len(targets):
            raise ValueError(f"{who}: data and targets must have the same length, got "
                             f"{len(data)} and {len(targets)}")
        self.data, self.targets = np.asarray(data), np.asarray(targets)
        self.length = arguments.integer(length, who, "length")
        self.sampling_rate = arguments.integer(sampling_rate, who, "sampling_rate")
        self.stride = arguments.integer(stride, who, "stride")
        self.batch_size = arguments.integer(batch_size, who, "batch_size")
        self.start_index = arguments.integer(start_index, who, "start_index", minimum=0) + length
        self.end_index = len(data) - 1 if end_index is None else \
            arguments.integer(end_index, who, "end_index", minimum=0)
        self.shuffle, self.reverse = shuffle, reverse
        if self.start_index > self.end_index:
            raise ValueError(f"{who}: start_index + length = {self.start_index} is past end_index "
                             f"= {self.end_index}; no time step is left to predict")

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if not arguments.is_int(index) or not 0 <= index < len(self):
            raise IndexError(f"TimeseriesGenerator: batch index {index!r} is out of range; there "
                             f"are {len(self)} batches")
        if self.shuffle:
            rows = passos_random.generator().integers(self.start_index, self.end_index + 1,
                                                     size=self.batch_size)
        else:
            start = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(start, min(start + self.batch_size * self.stride, self.end_index + 1),
                             self.stride)
        windows = rows[:, None] - self.length + np.arange(0, self.length, self.sampling_rate)
        samples = self.data[windows].astype(np.float64)
        targets = self.targets[rows].astype(np.float64)
        return (samples[:, ::-1] if self.reverse else samples), targets

    def on_epoch_end(self):
        """Nothing to reshuffle: shuffled batches draw fresh rows each time."""
