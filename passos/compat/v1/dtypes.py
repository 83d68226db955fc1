"""TensorFlow-1 dtype objects (tf.float32 ...) that compare equal to NumPy dtypes and names.

>>> import numpy as np
>>> from passos.compat.v1 import dtypes
>>> dtypes.float32 == np.float32, dtypes.float32 == "float32", np.dtype("int32") == dtypes.int32
(True, True, True)
>>> dtypes.float64.as_numpy_dtype
<class 'numpy.float64'>
"""
import numpy as np

from ...core.dtypes import as_dtype as _numpy_dtype


class DType:
    """A dtype as TensorFlow 1 spells it; `.dtype` lets NumPy accept it anywhere it takes a dtype."""

    __slots__ = ("_np",)

    def __init__(self, dtype):
        self._np = np.dtype(dtype)

    dtype = property(lambda self: self._np)
    as_numpy_dtype = property(lambda self: self._np.type)
    name = property(lambda self: self._np.name)
    base_dtype = property(lambda self: self)
    is_floating = property(lambda self: self._np.kind == "f")
    is_integer = property(lambda self: self._np.kind in "iu")
    is_bool = property(lambda self: self._np.kind == "b")
    size = property(lambda self: self._np.itemsize)
    min = property(lambda self: (np.finfo if self.is_floating else np.iinfo)(self._np).min)
    max = property(lambda self: (np.finfo if self.is_floating else np.iinfo)(self._np).max)

    def __eq__(self, other):
        try:
            return self._np == _numpy_dtype(other)
        except TypeError:
            return False

    def __hash__(self):
        return hash(self._np)

    def __repr__(self):
        return f"tf.{self._np.name}"


float16, float32, float64 = DType("float16"), DType("float32"), DType("float64")
int8, int16, int32, int64 = DType("int8"), DType("int16"), DType("int32"), DType("int64")
uint8, uint16, bool = DType("uint8"), DType("uint16"), DType("bool")  # noqa: A001 - tf.bool
half, double = float16, float64
_ALL = {d.name: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, bool)}


def as_dtype(type_value):
    """The DType for a DType, NumPy dtype or type, or a name ('float32')."""
    if isinstance(type_value, DType):
        return type_value
    found = _ALL.get(_numpy_dtype(type_value).name)
    if found is None:
        raise TypeError(f"passos.compat.v1 has no dtype {type_value!r}; use one of {sorted(_ALL)}")
    return found


from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
