"""tf.nn.rnn_cell (and tf.contrib.rnn): TF1's RNN cells on passos' recurrent ops.

A known cell (BasicRNNCell, BasicLSTMCell, LSTMCell, GRUCell) keeps TF1's variables, made by
get_variable in a scope named after the cell ('rnn/basic_lstm_cell/kernel', (inputs + units,
4*units), gates i, j, f, o) and computes with the op of its Keras twin (`passos.ops.rnn`): graph
ops slice and reorder the TF1 variables into the op's kernel, recurrent kernel and bias, so the
gradients reach the TF1 variables and the math is written once. One step, `cell(inputs, state)`,
is the op over one step; `dynamic_rnn` runs a whole sequence as one op (`cell.sequence`).

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     cell = tf.nn.rnn_cell.BasicLSTMCell(3)
...     h, state = cell(tf.ones([2, 4]), cell.zero_state(2, tf.float32))
...     [v.name for v in tf.trainable_variables()], h.shape
(['basic_lstm_cell/kernel:0', 'basic_lstm_cell/bias:0'], (2, 3))
"""
import collections
import contextlib

import numpy as np

from ...core.shapes import describe
from ...graph.graph import Symbol
from ...ops import arithmetic as ar, elementwise as el, movement as mv, rnn
from . import init_ops
from .array_ops import zeros
from .framework import TensorShape, inputs
from .variables import get_variable, variable_scope

# TF1 activations the recurrent ops compute inside (their names in passos.ops.recurrence);
# tf.nn's wrappers (tf.nn.relu) give the function they apply as `.op`
_ACTIVATIONS = {el.tanh: "tanh", el.sigmoid: "sigmoid", el.relu: "relu"}


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM's state: the cell state c and the output h, each (batch, units)."""

    __slots__ = ()

    @property
    def dtype(self):
        return self.c.dtype


def map_state(fn, *structures):
    """fn applied to the matching tensors (or sizes) of state structures (tuples nest)."""
    first = structures[0]
    if isinstance(first, tuple):
        parts = [map_state(fn, *items) for items in zip(*structures)]
        return type(first)(*parts) if hasattr(first, "_fields") else tuple(parts)
    return fn(*structures)


class RNNCell:
    """The base of TF1 cells: `cell(inputs, state)` gives (output, new state); a subclass gives
    `state_size`, `output_size` and `call(inputs, state)`, making variables with
    `add_variable` in `build(inputs_shape)` (in the scope of its first call, reused after it)."""

    base_name = "rnn_cell"
    fused = False  # whether `sequence` runs a whole sequence as recurrent ops

    def __init__(self, reuse=None, name=None, dtype=None):
        self._reuse, self.name, self.dtype = reuse, name, dtype
        self._scope, self.built, self._variables = None, False, []
        self._variable_dtype = None  # the inputs' float dtype, on the first call

    @property
    def state_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define state_size")

    @property
    def output_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define output_size")

    def zero_state(self, batch_size, dtype):
        """Zeros shaped like the state: (batch_size, size) for each of state_size's sizes."""
        return map_state(lambda n: zeros([batch_size, n], dtype), self.state_size)

    @contextlib.contextmanager
    def scope(self, scope=None):
        """The cell's variable scope: made on the first call (`scope`, the name, or a unique
        default name such as 'basic_lstm_cell_1'), reused after it."""
        if self._scope is not None:
            with variable_scope(self._scope, reuse=True):
                yield
            return
        name = scope if scope is not None else self.name
        if name is None and self._reuse:
            name = self.base_name
        with variable_scope(name, default_name=self.base_name, reuse=self._reuse) as s:
            self._scope = s
            self.name = self.name or s.name.rsplit("/", 1)[-1]
            yield

    def __call__(self, inputs, state, scope=None):
        (x,) = _tensors(inputs)
        with self.scope(scope):
            self._build_once(x)
            return self.call(x, state)

    def _build_once(self, x):
        if not self.built:
            self._variable_dtype = _float(self.dtype or x.dtype)
            self.build(TensorShape(x.shape))
            self.built = True

    def build(self, inputs_shape):
        """Make the variables for inputs of `inputs_shape` (none by default)."""

    def add_variable(self, name, shape, dtype=None, initializer=None):
        """tf.get_variable(name, ...) in the cell's scope (dtype: the inputs' float type)."""
        var = get_variable(name, shape, dtype or self._variable_dtype, initializer=initializer)
        self._variables.append(var)
        return var

    add_weight = add_variable

    @property
    def variables(self):
        return list(self._variables)

    @property
    def trainable_variables(self):
        return [v for v in self.variables if v.trainable]

    trainable_weights = trainable_variables


class _Fused(RNNCell):
    """A cell whose whole sequence is one recurrent op: `sequence(x, state, mask, backwards)`."""

    fused = True
    op = None       # the op's function in passos.ops.rnn
    n_states = 1    # the op's states: h, or h and c
    options = {}    # the op's arguments for TF1's math

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        self.num_units = int(num_units)
        self.activation = activation
        name = "tanh" if activation is None else \
            _ACTIVATIONS.get(getattr(activation, "op", activation))
        if name is None:
            raise ValueError(f"{type(self).__name__}: activation must be tf.tanh, tf.sigmoid or "
                             f"tf.nn.relu (the recurrence runs inside one op), got {activation!r}")
        self.activation_name = name

    @property
    def state_size(self):
        return self.num_units

    @property
    def output_size(self):
        return self.num_units

    def call(self, x, state):
        """One step: x (batch, depth) and state -> (output (batch, units), new state)."""
        y, state = self._run(mv.reshape(x, (-1, 1, x.shape[-1])), state, None, False, False)
        return y, state

    def sequence(self, x, state, mask, backwards):
        """The whole of x (batch, steps, depth): (outputs (batch, steps, units), final state);
        mask (batch, steps) or None: where 0, the step keeps the state before it."""
        (x,) = _tensors(x)
        with self.scope():
            self._build_once(x)
            return self._run(x, state, mask, backwards, True)

    def _run(self, x, state, mask, backwards, sequences):
        W, U, b = self.op_weights(x.shape[-1])
        y = self.op(x, W, U, b, activation=self.activation_name, return_sequences=sequences,
                    go_backwards=backwards, mask=mask,
                    initial_state=None if state is None else self.op_states(state),
                    **self.options)
        outputs, states = self.split_output(y)
        last = [mv.getitem(s, (slice(None), -1)) if sequences else s for s in states]
        if sequences and backwards:  # the op's outputs run backwards in time
            outputs = mv.getitem(outputs, (slice(None), slice(None, None, -1)))
        return outputs, self.tf_state(last)

    def op_states(self, state):
        return [state]

    def tf_state(self, states):
        return states[0]

    def split_output(self, y):
        """(the outputs, the op's states: [h] per step or last)."""
        return y, [y]

    def op_weights(self, depth):
        """(kernel, recurrent kernel, bias) in the op's layout, from the TF1 variables."""
        return (mv.getitem(self.kernel, slice(0, depth)),
                mv.getitem(self.kernel, slice(depth, None)), self.bias)


class BasicRNNCell(_Fused):
    """h_t = activation([x_t, h_{t-1}] @ kernel + bias): 'basic_rnn_cell/kernel' (depth + units,
    units) and '/bias' (units,)."""

    base_name = "basic_rnn_cell"
    op = staticmethod(rnn.simple_rnn)

    def build(self, inputs_shape):
        depth, u = _depth(self, inputs_shape), self.num_units
        self.kernel = self.add_variable("kernel", (depth + u, u))
        self.bias = self.add_variable("bias", (u,), initializer=init_ops.zeros_initializer())


class BasicLSTMCell(_Fused):
    """TF1's LSTM: i, j, f, o = [x, h] @ kernel + bias (kernel (depth + units, 4*units));
    c = c sigmoid(f + forget_bias) + sigmoid(i) activation(j), h = sigmoid(o) activation(c).
    The state is LSTMStateTuple(c, h), or with state_is_tuple=False [c, h] joined on axis 1."""

    base_name = "basic_lstm_cell"
    op = staticmethod(rnn.lstm)
    n_states = 2
    options = {"recurrent_activation": "sigmoid", "return_state": True}
    order = (0, 2, 1, 3)  # the op's blocks i, f, c(andidate), o among TF1's i, j, f, o

    kernel_initializer = None

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)
        self.forget_bias, self.state_is_tuple = float(forget_bias), bool(state_is_tuple)

    @property
    def state_size(self):
        u = self.num_units
        return LSTMStateTuple(u, u) if self.state_is_tuple else 2 * u

    def build(self, inputs_shape):
        depth, u = _depth(self, inputs_shape), self.num_units
        self.kernel = self.add_variable("kernel", (depth + u, 4 * u),
                                        initializer=self.kernel_initializer)
        self.bias = self.add_variable("bias", (4 * u,), initializer=init_ops.zeros_initializer())

    def op_weights(self, depth):
        u = self.num_units
        kernel, bias = _blocks(self.kernel, u, self.order), _blocks(self.bias, u, self.order)
        if self.forget_bias:
            shift = np.zeros(4 * u, self.bias.dtype)
            shift[u:2 * u] = self.forget_bias
            bias = ar.add(bias, shift)
        return (mv.getitem(kernel, slice(0, depth)), mv.getitem(kernel, slice(depth, None)),
                bias)

    def op_states(self, state):
        if self.state_is_tuple:
            c, h = state
        else:
            (state,) = _tensors(state)
            u = self.num_units
            c, h = (mv.getitem(state, (slice(None), slice(a, a + u))) for a in (0, u))
        return [h, c]

    def tf_state(self, states):
        h, c = states
        return LSTMStateTuple(c, h) if self.state_is_tuple else mv.concatenate([c, h], 1)

    def split_output(self, y):
        return mv.getitem(y, 0), [mv.getitem(y, 0), mv.getitem(y, 1)]


class LSTMCell(BasicLSTMCell):
    """BasicLSTMCell's math with an `initializer` for the kernel, variables under 'lstm_cell';
    peepholes, clipping and projections are not supported."""

    base_name = "lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None):
        unsupported = [n for n, v in (("use_peepholes", use_peepholes), ("cell_clip", cell_clip),
                                      ("num_proj", num_proj), ("proj_clip", proj_clip),
                                      ("num_unit_shards", num_unit_shards),
                                      ("num_proj_shards", num_proj_shards)) if v]
        if unsupported:
            raise NotImplementedError(f"LSTMCell: passos does not support {', '.join(unsupported)}"
                                      f"; use LSTMCell(num_units, forget_bias=...) without them")
        super().__init__(num_units, forget_bias, state_is_tuple, activation, reuse, name, dtype)
        self.kernel_initializer = initializer


class GRUCell(_Fused):
    """TF1's GRU: r, u = sigmoid([x, h] @ gates/kernel + gates/bias) (bias starting at 1);
    c = activation([x, r h] @ candidate/kernel + candidate/bias); h = u h + (1 - u) c."""

    base_name = "gru_cell"
    op = staticmethod(rnn.gru)
    options = {"recurrent_activation": "sigmoid", "reset_after": False}

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer

    def build(self, inputs_shape):
        depth, u = _depth(self, inputs_shape), self.num_units
        with variable_scope("gates"):
            self.gates_kernel = self.add_variable("kernel", (depth + u, 2 * u),
                                                  initializer=self.kernel_initializer)
            self.gates_bias = self.add_variable(
                "bias", (2 * u,),
                initializer=self.bias_initializer or init_ops.constant_initializer(1.0))
        with variable_scope("candidate"):
            self.candidate_kernel = self.add_variable("kernel", (depth + u, u),
                                                      initializer=self.kernel_initializer)
            self.candidate_bias = self.add_variable(
                "bias", (u,), initializer=self.bias_initializer or init_ops.zeros_initializer())

    def op_weights(self, depth):
        # the op's blocks z, r, h: TF1's u and r (in that order) then the candidate's
        u = self.num_units
        kernel = mv.concatenate([_blocks(self.gates_kernel, u, (1, 0)), self.candidate_kernel], 1)
        bias = mv.concatenate([_blocks(self.gates_bias, u, (1, 0)), self.candidate_bias], 0)
        return (mv.getitem(kernel, slice(0, depth)), mv.getitem(kernel, slice(depth, None)),
                bias)


def _blocks(w, units, order):
    """w's blocks of `units` columns (the last axis) in `order`, side by side."""
    lead = (slice(None),) * (len(w.shape) - 1)
    return mv.concatenate([mv.getitem(w, lead + (slice(i * units, (i + 1) * units),))
                           for i in order], -1)


def _tensors(*values):
    return [v if isinstance(v, Symbol) else inputs(v)[0] for v in values]


def _depth(cell, shape):
    if shape is None or shape[-1] is None:
        raise ValueError(f"{type(cell).__name__}: the last dimension of the inputs must be known "
                         f"to make the variables, got inputs of shape {describe(shape)}")
    return shape[-1]


def _float(dtype):
    dtype = np.dtype(dtype)
    return dtype if dtype.kind == "f" else np.dtype(np.float32)
