"""The eager `Tensor`: a NumPy array plus what reverse-mode autodiff needs."""
import numpy as np

from .autodiff import backward as _backward
from .dtypes import as_array


class Tensor:
    """An n-dimensional array that can record the ops applied to it.

    Operators (``+ - * / ** @``, comparisons, indexing) are added by
    ``passos.ops.operators`` so that eager and symbolic tensors share them.
    """

    __slots__ = ("data", "grad", "requires_grad", "_node", "_retain", "name", "__weakref__")
    __array_priority__ = 100  # ndarray <op> Tensor calls our reflected operator

    def __init__(self, data, requires_grad=False, name=None):
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad
        self._node = None
        self._retain = False
        self.name = name

    # -- what it is -------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    is_leaf = property(lambda self: self._node is None)

    def __len__(self):
        return len(self.data)

    def numpy(self):
        """The values as a NumPy array (shared with the tensor, not copied)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item(): tensor has {self.data.size} elements (shape "
                             f"{self.data.shape}); only one-element tensors convert to a number")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = "" if self.data.dtype == np.float32 else f", dtype={self.data.dtype}"
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"tensor({body}{extra}{grad})"

    # -- autodiff ---------------------------------------------------------
    def backward(self, grad=None, retain_graph=False):
        """Accumulate the gradient of this tensor into the `.grad` of every leaf it depends on.

        `grad` is d(final)/d(self); it may be left out only for a one-element tensor.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad; create the inputs with "
                "passos.tensor(..., requires_grad=True) and compute outside no_grad()")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward(): the tensor has shape {self.data.shape}, not a single "
                    "value; reduce it first (e.g. .sum() or .mean()) or pass "
                    "grad= with the same shape")
            grad = np.ones_like(self.data)
        else:
            grad = np.array(getattr(grad, "data", grad), dtype=self.data.dtype)
            if grad.shape != self.data.shape:
                raise ValueError(f"backward(): grad has shape {grad.shape} but the tensor "
                                 f"has shape {self.data.shape}")
        _backward(self, grad, retain_graph, Tensor)

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in `.grad` after backward()."""
        self._retain = True
        return self

    def detach(self):
        """The same values, cut from the graph (no gradient flows through)."""
        return Tensor(self.data)

    def requires_grad_(self, flag=True):
        self.requires_grad = flag
        return self

    def zero_grad(self):
        self.grad = None

    __hash__ = object.__hash__


def tensor(data, dtype=None, requires_grad=False, name=None):
    """A new eager tensor; float data defaults to float32.

    >>> tensor([1.0, 2.0]).dtype
    dtype('float32')
    >>> tensor([1, 2], dtype="float64").dtype
    dtype('float64')
    """
    if isinstance(data, Tensor):
        data = data.data
    array = as_array(data, dtype)
    if requires_grad and array.dtype.kind not in "fc":
        raise TypeError(f"tensor(): only floating-point tensors can require grad, "
                        f"got dtype {array.dtype}; pass dtype='float32'")
    if array is data:
        array = array.copy()
    return Tensor(array, requires_grad, name)
