"""Shape arguments as TF1 takes them: a list of ints, an int32 tensor (`tf.shape(x)`), or a list
mixing both (`[tf.shape(x)[0], 10]`, packed into one tensor as TF1 does).

`shape_arg` checks the argument when the graph is built and gives what the static shape can
know: each dimension an int where the value is a constant (or read off a known static shape), else None.
"""
import numpy as np

from ...core.shapes import describe
from ...graph.graph import Symbol, get_default_graph
from ...ops import movement as mv
from .framework import Const


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _static_ints(value, where, arg):
    dims = np.asarray(value)
    if dims.dtype == object or (dims.size and dims.dtype.kind not in "iu"):
        raise TypeError(f"{where}: {arg} must hold integers, not {value!r:.80}")
    if dims.ndim > 1:
        raise ValueError(f"{where}: {arg} must be a list of dimensions (rank 1), "
                         f"got shape {describe(dims.shape)}")
    return tuple(int(d) for d in dims.reshape(-1))


def _check_tensor(node, where, arg, rank):
    if node.dtype.kind not in "iu":
        raise TypeError(f"{where}: {arg} must be an int32 or int64 tensor, but '{node.name}' "
                        f"has dtype {node.dtype}")
    if node.shape is not None and len(node.shape) != rank:
        what = "a scalar" if rank == 0 else "a 1-D tensor (one value per dimension)"
        raise ValueError(f"{where}: {arg} must be {what}, but '{node.name}' has shape "
                         f"{describe(node.shape)}")


def known_scalar(value):
    """The int a scalar is known to hold when the graph is built, else None."""
    if _is_int(value):
        return int(value)
    if not isinstance(value, Symbol):
        return None
    if isinstance(value.primitive, Const):
        return int(value.primitive.value)
    source = value.inputs[0] if value.inputs and isinstance(value.inputs[0], Symbol) else None
    index = getattr(value.primitive, "index", None)
    if source is not None and getattr(source.primitive, "kind", None) == "shape" and _is_int(index):
        dims = source.inputs[0].shape
        return None if dims is None else dims[index]
    return None


def known_dims(node):
    """What the 1-D int tensor `node` is known to hold when built: a tuple with None where unknown."""
    if isinstance(node.primitive, Const):
        return tuple(int(d) for d in node.primitive.value.reshape(-1))
    if node.primitive.kind == "shape" and node.inputs[0].shape is not None:
        return tuple(node.inputs[0].shape)
    if node.primitive.kind == "stack" and node.shape is not None:
        return tuple(known_scalar(v) for v in node.inputs)
    return None if node.shape is None or node.shape[0] is None else (None,) * node.shape[0]


def shape_arg(value, where, arg="shape"):
    """(None, ints) for a shape known now; (int tensor, known_dims) for one known when run."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, Symbol) for v in value):
        for v in value:
            if isinstance(v, Symbol):
                _check_tensor(v, f"{where}", f"each tensor in {arg}", 0)
            elif not _is_int(v):
                raise TypeError(f"{where}: {arg} must hold integers, not {v!r:.80}")
        graph = get_default_graph()
        with graph.name_scope(f"{where}_{arg}"):
            value = mv.stack([v if isinstance(v, Symbol) else np.int32(v) for v in value])
    if not isinstance(value, Symbol):
        return None, _static_ints(value, where, arg)
    _check_tensor(value, where, arg, 1)
    dims = known_dims(value)
    if dims is not None and None not in dims and isinstance(value.primitive, Const):
        return None, dims
    return value, dims
