"""Define-then-run graphs over the same ops as the eager API.

>>> import passos, passos.graph as g
>>> graph = g.Graph()
>>> with graph.as_default():
...     x = g.placeholder("float64", (None, 2), name="x")
...     w = g.Variable([[1.0], [2.0]], name="w", dtype="float64")
...     loss = passos.sum(passos.matmul(x, w))
...     (dw,) = g.gradients(loss, [w])
...     init = g.global_variables_initializer()
>>> with g.Session(graph) as s:
...     _ = s.run(init)
...     s.run(dw, {x: [[1, 2], [3, 4]]}).ravel().tolist()
[4.0, 6.0]
"""
from ..ops import operators
from .gradients import gradients
from .graph import (Graph, Symbol, Variable, VariableSymbol, get_default_graph,
                    global_variables_initializer, group, placeholder, reset_default_graph,
                    variables_initializer)
from .session import Session

operators.install(Symbol, offer_names=True)
