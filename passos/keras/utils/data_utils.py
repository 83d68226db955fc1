"""`Sequence`: the base class of batch sources that know their length (keras.utils.Sequence).

Subclass it and define `__len__` (the number of batches) and `__getitem__(i)` (batch i,
as (x, y) or (x, y, sample_weight)); `fit_generator` and `fit` read batches by index, so
they may shuffle the batch order and build batches on several threads, and they call
`on_epoch_end` after each pass.

>>> import numpy as np
>>> class Halves(Sequence):
...     def __len__(self):
...         return 2
...     def __getitem__(self, i):
...         return np.full((3, 1), i), np.zeros((3, 1))
>>> [int(x[0, 0]) for x, y in Halves()]
[0, 1]
"""


class Sequence:
    """A batch source with a length: batch i is `seq[i]`, there are `len(seq)` batches."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), "
                                  f"returning batch `index` as (x, y) or (x, y, sample_weight)")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__(), the number "
                                  f"of batches in one pass")

    def on_epoch_end(self):
        """Called after each pass over the batches; override it to reshuffle the samples."""

    def __iter__(self):
        """The batches of one pass, in order."""
        for i in range(len(self)):
            yield self[i]
