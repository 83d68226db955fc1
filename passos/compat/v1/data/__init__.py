"""tf.data: input pipelines that run on NumPy inside a Session.

>>> import numpy as np
>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     ds = tf.data.Dataset.from_tensor_slices(np.arange(5)).batch(2)
...     x = ds.make_one_shot_iterator().get_next()
...     with tf.Session() as sess:
...         [sess.run(x).tolist() for _ in range(3)]
[[0, 1], [2, 3], [4]]
"""
import types as _types

from .dataset import Dataset
from .iterator import Iterator, make_initializable_iterator, make_one_shot_iterator

# prefetch's and map's parallelism settings: passos computes each element when asked
experimental = _types.SimpleNamespace(AUTOTUNE=-1)

__all__ = ["Dataset", "Iterator", "experimental", "make_initializable_iterator",
           "make_one_shot_iterator"]


from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
