"""tf.Print: the identity of its input that prints values to stderr each time it runs.

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     x = tf.Print(tf.constant([1.0, 2.0]), [tf.constant(7)], "x is ")
...     tf.Session().run(x).tolist()  # stderr: x is [7]
[1.0, 2.0]
"""
import sys

import numpy as np

from ...core.op import Op
from ...graph.graph import get_default_graph
from .framework import convert_to_tensor


def _summary(value, summarize):
    """TF1's text of one value: its first `summarize` entries, in brackets."""
    flat = np.asarray(value).ravel()
    text = " ".join(str(v) for v in flat[:summarize])
    return f"[{text}{'...' if flat.size > summarize else ''}]"


class PrintOp(Op):
    """Returns its first input; prints the others (the first `first_n` runs of a session)."""

    kind = "Print"

    def __init__(self, message, first_n, summarize):
        self.message, self.first_n, self.summarize = message, first_n, summarize

    def shape(self, x, *data):
        return x

    def dtype(self, x, *data):
        return x

    def bind(self, session, node):
        runs = [0]

        def forward(x, *data):
            if self.first_n is None or self.first_n < 0 or runs[0] < self.first_n:
                runs[0] += 1
                print(self.message + "".join(_summary(v, self.summarize) for v in data),
                      file=sys.stderr)
            return x
        return forward

    def vjp(self, gy, xs, y, saved, needs):
        # the printed tensors get no gradient (zeros where another path needs theirs)
        return [gy] + [np.zeros_like(x) if need else None for x, need in zip(xs[1:], needs[1:])]


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """input_, unchanged (its gradient too), printing `message` and the values of the tensors in
    `data` (the first `summarize` entries each, default 3) to stderr on each run; with
    `first_n`, only on the first first_n runs."""
    values = [convert_to_tensor(x) for x in [input_, *data]]
    op = PrintOp(message or "", first_n, 3 if summarize is None else summarize)
    return get_default_graph().add_op(op, values, name=name or "Print")
