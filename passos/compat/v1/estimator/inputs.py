"""tf.estimator.inputs.numpy_input_fn: an input_fn giving batches of NumPy arrays.

>>> import numpy as np, passos.compat.v1 as tf
>>> input_fn = tf.estimator.inputs.numpy_input_fn({"x": np.arange(5.0)}, np.arange(5),
...                                               batch_size=2, shuffle=False)
>>> with tf.Graph().as_default():
...     features, labels = input_fn()
...     with tf.Session() as sess:
...         sess.run(labels).tolist(), sess.run(labels).tolist(), sess.run(labels).tolist()
([0, 1], [2, 3], [4])
"""
import numpy as np

from ..data import Dataset
from ..framework import state


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000,
                   num_threads=1):
    """An input_fn returning (features, labels) tensors, or features when y is None.

    x: an array or a dict of arrays; y: an array, a dict of arrays, or None; all share their
    first dimension. The data is read num_epochs times (forever when None), each epoch in a new
    random order when shuffle is True; batches run across epochs, the last one may be smaller.
    """
    # 1. Check the arguments now, as TF1 does, not when the Estimator calls input_fn.
    if not isinstance(shuffle, bool):
        raise ValueError("numpy_input_fn: shuffle must be provided and explicitly set as "
                         f"boolean (it is recommended to set it as True for training); got "
                         f"{shuffle!r}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"numpy_input_fn: batch_size must be a positive integer, given "
                         f"{batch_size!r}")
    if num_epochs is not None and (not isinstance(num_epochs, (int, np.integer)) or num_epochs < 1):
        raise ValueError(f"numpy_input_fn: num_epochs must be None or a positive integer, given "
                         f"{num_epochs!r}")
    features, labels = _arrays(x, "x"), None if y is None else _arrays(y, "y")
    if isinstance(x, dict) and isinstance(y, dict) and set(x) & set(y):
        raise ValueError(f"numpy_input_fn: x and y share the keys {sorted(set(x) & set(y))}")
    lengths = {f"{name}": len(a) for name, a in _named(features, "x") + _named(labels, "y")}
    if len(set(lengths.values())) > 1:
        raise ValueError("numpy_input_fn: the arrays in x and y must have the same length "
                         f"(first dimension); got {lengths}")
    size = next(iter(lengths.values()))

    def input_fn():
        # 2. One pass per epoch, shuffled with the graph's seed (tf.set_random_seed) if any.
        data = Dataset.from_tensor_slices(features if labels is None else (features, labels))
        if shuffle:
            data = data.shuffle(max(size, 1), seed=state().seed)
        data = data.repeat(num_epochs).batch(int(batch_size))
        return data.make_one_shot_iterator().get_next()
    return input_fn


def _arrays(value, name):
    if isinstance(value, dict):
        if not value:
            raise ValueError(f"numpy_input_fn: {name} must not be an empty dict")
        return {k: np.asarray(v) for k, v in value.items()}
    array = np.asarray(value)
    if array.ndim == 0:
        raise ValueError(f"numpy_input_fn: {name} must be an array with one row per example "
                         f"(a first dimension), given a scalar")
    return array


def _named(arrays, name):
    if arrays is None:
        return []
    if isinstance(arrays, dict):
        return [(f"{name}['{k}']", v) for k, v in arrays.items()]
    return [(name, arrays)]
