"""passos.core.registry: the namespaces derive from it, and the op table must cover it."""
import numpy as np
import pytest

import passos
import passos.compat.v1 as tf
from passos.compat.v1 import math_ops
from passos.core import registry
from passos.core.apply import apply
from passos.core.op import ElementwiseOp
from passos.explain import trace
from passos.keras import activations
from op_table import CASES, Case, inputs, normal


def uncovered(cases):
    """Registered differentiable functions without a gradient-check case (named `name[...]`)."""
    covered = {case.name.split("[")[0] for case in cases}
    return [e.name for e in registry.entries() if e.differentiable and e.name not in covered]


def test_every_registered_differentiable_function_has_an_op_table_case():
    assert uncovered(CASES) == []


def test_namespaces_are_the_registered_functions():
    for entry in registry.entries("passos"):
        assert getattr(passos, entry.name) is entry.function, entry.name
    for entry in registry.entries("keras.activations"):
        assert activations.get(entry.name) is entry.function
        assert activations.serialize(entry.function) == entry.name
    for space, module in (("tf", tf), ("tf.nn", tf.nn), ("tf.math", tf.math)):
        for entry in registry.entries(space):
            assert getattr(module, entry.name) is math_ops.REGISTERED[entry.name], (space, entry)
    assert tf.nn.sigmoid is tf.sigmoid is tf.math.sigmoid
    assert "relu" not in registry.namespace("tf")  # tf.nn.relu takes features=: written by hand
    assert {"exp", "conv2d", "softmax"} <= set(registry.namespace("passos"))
    assert set(registry.namespace("keras.activations")) == {
        "relu", "tanh", "sigmoid", "softmax", "elu", "hard_sigmoid", "selu", "softplus", "softsign",
        "exponential"}


def test_tf1_functions_add_name_and_the_tf1_node_name():
    with tf.Graph().as_default():
        x = tf.constant([1.0, -2.0])
        assert tf.abs(x).name == "Abs:0" and tf.subtract(x, x, "d").name == "d:0"
        assert tf.math.divide(x, 2.0).name == "truediv:0"
        np.testing.assert_array_equal(tf.Session().run(tf.maximum(x, 0.0)), [1.0, 0.0])


@pytest.mark.parametrize("kwargs, message", [
    ({"namespaces": ("numpy",)}, "unknown namespace"),
    ({"namespaces": ("tf",)}, "give tf="),
    ({"namespaces": ("passos",), "tf": "Exp"}, "give tf="),
])
def test_register_rejects_mistakes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        registry.register(*kwargs.pop("namespaces"), **kwargs)


def test_a_second_function_under_a_registered_name_is_refused(monkeypatch):
    monkeypatch.setattr(registry, "_entries", dict(registry._entries))

    def exp(x):
        return x
    with pytest.raises(ValueError, match="'exp' is already registered by passos.ops.elementwise"):
        registry.register("passos")(exp)


# -- adding an elementwise primitive: one op-file entry, one op-table line -------------------------
class Cube(ElementwiseOp):
    kind = "cube"
    formulas = ("∂x³/∂x = 3x²",)

    def forward(self, x):
        return x * x * x

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * 3 * xs[0] ** 2,)


def test_a_new_primitive_is_one_op_entry_plus_one_table_line(monkeypatch):
    monkeypatch.setattr(registry, "_entries", dict(registry._entries))

    # the op-file entry: the op (vjp and formula side by side) and its registered function
    @registry.register("passos", "tf", "tf.math", tf="Cube")
    def cube(x, name=None):
        """x³, elementwise."""
        return apply(Cube(), x, name=name)

    # until its op-table line exists, the coverage test fails
    assert uncovered(CASES) == ["cube"]
    line = Case("cube", cube, inputs(normal(3)), lambda x: x ** 3)
    assert uncovered(CASES + [line]) == []
    assert passos.gradcheck(line.fn, *line.make(np.random.default_rng(0)))
    # the namespaces find it
    assert registry.namespace("passos")["cube"] is cube
    assert registry.namespace("tf.math")["cube"] is cube
    tf_cube = math_ops.wrap(registry.entries("tf")[-1])
    with tf.Graph().as_default():
        y = tf_cube(tf.constant([2.0]))
        assert y.name == "Cube:0" and tf.Session().run(y).tolist() == [8.0]
    # explain finds its formula and reads the local derivative off its vjp
    x = passos.tensor([1.0, -2.0], dtype="float64", requires_grad=True)
    step = trace(passos.sum(cube(x))).backward[-1]
    (c,) = step.contributions
    assert c.local == "∂x³/∂x = 3x²"
    np.testing.assert_array_equal(c.local_value, [3.0, 12.0])
