"""Feed values as TF1's Session.run converts them, before passos's own feed checks.

TF1 turns each fed value into an array of the placeholder's dtype with NumPy's casting
(`np.asarray(value, dtype)`): floats fed to an integer placeholder are truncated toward zero
(one-hot labels 0.0/1.0 become 0/1), to a bool one they are True where nonzero. It refuses a
Python int that the dtype cannot hold and a tf.Tensor as a value. passos also refuses NaN and
infinite floats for an integer placeholder (NumPy's result would be an arbitrary integer).
Keys may be tensor names ('x:0') as in TF1.
"""
import numpy as np

from ...graph.graph import Symbol


def _convert(node, value):
    if isinstance(value, Symbol):
        raise TypeError(f"feed_dict: the value fed to '{node.node_name}' cannot be a tensor "
                        f"('{value.name}'); feed a NumPy array, list or number (run it first)")
    target = node.dtype
    if isinstance(value, int) and not isinstance(value, bool) and target.kind in "iu" and \
            not np.iinfo(target).min <= value <= np.iinfo(target).max:
        raise TypeError(f"feed_dict: value {value} fed to '{node.node_name}' does not fit its dtype "
                        f"{target}; give the placeholder a larger type (e.g. int64)")
    try:
        array = np.asarray(getattr(value, "data", value))
    except (ValueError, TypeError):  # ragged or not numbers: passos' feed check explains it
        return value
    if array.dtype.kind != "f" or target.kind not in "iub":
        return value
    if target.kind != "b" and not np.isfinite(array).all():
        raise ValueError(f"feed_dict: placeholder '{node.node_name}' has dtype {target}; cannot "
                         "feed NaN or infinite values")
    return array.astype(target)


def tf1_feeds(graph, feed_dict):
    """`feed_dict` with names resolved to nodes of `graph` and values converted as TF1 does."""
    if not feed_dict:
        return feed_dict
    out = {}
    for key, value in feed_dict.items():
        node = graph.get_tensor_by_name(key) if isinstance(key, str) else key
        out[node] = _convert(node, value) if isinstance(node, Symbol) else value
    return out
