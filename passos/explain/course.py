"""The course's softmax regression with every step named, eager and graph mode, ready to trace.

z = W x + b, h = exp(z), H = h1 + h2, y_hat = h / H, L = -sum(y log y_hat),
with the numbers of `passos.course.backprop` (x = [0.2, 0.7], y = [1, 0]).
"""
import numpy as np

from ..core.tensor import tensor
from ..course import backprop
from ..ops.arithmetic import add, divide, multiply, negative
from ..ops.elementwise import exp, log
from ..ops.matmul import matmul
from ..ops.movement import getitem
from ..ops.reduce import sum as reduce_sum

X, Y = backprop.BATCH_X[0], backprop.BATCH_Y[0]


def _steps(W, b, x, y):
    z = add(matmul(W, x), b, name="z")
    h = exp(z, name="h")
    H = add(getitem(h, 0, name="h1"), getitem(h, 1, name="h2"), name="H")
    y_hat = divide(h, H, name="y_hat")
    return negative(reduce_sum(multiply(y, log(y_hat))), name="L")


def backprop_eager(x=X, y=Y):
    """L as an eager float64 tensor; W and b require grad."""
    W = tensor(backprop.W, dtype="float64", requires_grad=True, name="W")
    b = tensor(backprop.B, dtype="float64", requires_grad=True, name="b")
    return _steps(W, b, tensor(x, dtype="float64", name="x"), tensor(y, dtype="float64", name="y"))


def backprop_graph(x=X, y=Y):
    """(L, feed_dict, session): the same steps as a graph, its variables initialised."""
    from .. import graph as g
    graph = g.Graph()
    with graph.as_default():
        xs = g.placeholder("float64", (2,), name="x")
        ys = g.placeholder("float64", (2,), name="y")
        W = g.Variable(np.array(backprop.W), name="W", dtype="float64")
        b = g.Variable(np.array(backprop.B), name="b", dtype="float64")
        L = _steps(W, b, xs, ys)
        init = g.global_variables_initializer()
    session = g.Session(graph)
    session.run(init)
    return L, {xs: x, ys: y}, session
