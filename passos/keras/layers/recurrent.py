"""Recurrent layers: SimpleRNN, LSTM and GRU (Keras 2.2.4's arguments, weights and math).

Each call runs the whole sequence as one op (`passos.ops.rnn`): the inputs times the kernel
for all steps at once, then a loop over the steps inside the op, forward and back.
Dropout masks are drawn once per sequence, as Keras does; one mask serves all the gates
(Keras' implementation=2; with implementation=1 Keras draws one per gate). A Keras mask
(Embedding(mask_zero=True), Masking) makes the layers skip the masked steps, their states and
outputs carried over from the step before.

With stateful=True the final states of each batch are the initial states of the next (sample i
of a batch continues sample i of the one before): they live in non-trainable tensors (`states`,
zeros until the first batch ends; `reset_states()` zeros them again) that the recurrence reads
as its initial states and an update (`ops.assign`) replaces after each run, eager or in a plan.
No gradient flows from one batch into the one before (truncated backprop through time).
"""
import numpy as np

from ... import arguments
from ...core.apply import apply
from ...core.shapes import describe
from ...core.tensor import Tensor
from ...ops import dropout as dropout_op
from ...ops import rnn
from ...ops.assign import assign_state
from ...ops.creation import ones_like
from ...ops.recurrence import ACTIVATIONS
from .. import activations, initializers
from ..engine.base_layer import Layer, layer_error, layer_label
from ..engine.node import flat


class _Recurrent(Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, weights, dropout, outputs and config."""

    gates = 1
    weight_options = ("kernel", "recurrent", "bias", "activity")
    op_function = staticmethod(rnn.simple_rnn)
    supports_masking = True

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        super().__init__(**kwargs)
        who = layer_label(self)
        self.units = arguments.positive_int(units, who, "units")
        self.activation = self._activation(activation, "activation")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout = arguments.number(dropout, who, "dropout", 0, 1)
        self.recurrent_dropout = arguments.number(recurrent_dropout, who, "recurrent_dropout", 0, 1)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.unroll = bool(go_backwards), bool(unroll)
        self.stateful = bool(stateful)
        self._states = None  # stateful: the tensors carried from batch to batch, made on first call
        # one op each for the layer's life: their masks follow one random sequence
        self._input_dropout = dropout_op.Dropout((None, 1, None))  # one mask per sequence
        self._recurrent_dropout = dropout_op.Dropout()

    def _activation(self, identifier, what):
        function = activations.get(identifier)
        name = getattr(function, "__name__", None)
        if name not in ACTIVATIONS or activations.get(name) is not function:
            raise layer_error(self, f"{what} must be one of {list(ACTIVATIONS)} (the recurrence "
                                    f"runs inside one op), got {identifier!r}")
        return function

    def __call__(self, x, training=False, mask=None, initial_state=None):
        """Keras' call: with initial_state (a tensor, or a list: [h] or, for an LSTM, [h, c])
        the layer takes [x, *states], as layer([x, *states]) does."""
        if initial_state is not None:
            x = [x, *flat(initial_state)]
        return super().__call__(x, training=training, mask=mask)

    def n_states(self):
        return 2 if isinstance(self, LSTM) else 1

    # -- states carried between batches (stateful) -------------------------------------
    @property
    def states(self):
        """The tensors a stateful layer carries between batches: [h], or [h, c] for an LSTM;
        Nones (one per state) when it is not stateful or has not been called yet, as in Keras."""
        return list(self._states) if self._states is not None else [None] * self.n_states()

    def _carried_states(self, shape):
        """The state tensors for inputs of `shape`, zeros made on the first call for its batch."""
        batch = shape[0]
        if batch is None:
            raise layer_error(self, f"is stateful, so it needs a fixed batch size, but its inputs "
                                    f"have shape {describe(shape)}: give the first layer "
                                    f"batch_input_shape=(batch, steps, features) (or batch_size="
                                    f"...), or the Input batch_shape=(batch, steps, features)")
        if self._states is None:
            self._states = [Tensor(np.zeros((batch, self.units), self.dtype),
                                   name=f"{self.name}/state_{name}")
                            for name in ("h", "c")[:self.n_states()]]
        size = self._states[0].shape[0]
        if batch != size:
            raise layer_error(self, f"is stateful with batch size {size}, got inputs of shape "
                                    f"{describe(shape)}; every batch needs exactly {size} samples "
                                    f"(batch_size={size} in fit, evaluate and predict)")
        return self._states

    def reset_states(self, states=None):
        """Set the carried states to zeros, or to `states`: one array (batch, units) per state
        ([h], or [h, c] for an LSTM)."""
        if not self.stateful:
            raise AttributeError(f"{layer_label(self)} is not stateful (stateful=False), so it "
                                 f"has no states to reset")
        if self._states is None:
            raise layer_error(self, "has no states yet: a stateful layer makes them on its first "
                                    "call, sized for its inputs' batch")
        values = [None] * len(self._states) if states is None else \
            list(states) if isinstance(states, (list, tuple)) else [states]
        if len(values) != len(self._states):
            raise layer_error(self, f"has {len(self._states)} state(s), reset_states got "
                                    f"{len(values)} value(s)")
        arrays = []
        for state, value in zip(self._states, values):
            value = np.zeros(state.shape, state.dtype) if value is None else np.array(
                value.numpy() if isinstance(value, Tensor) else value, state.dtype)
            if value.shape != state.shape:
                raise layer_error(self, f"state '{state.name}' has shape {describe(state.shape)}, "
                                        f"reset_states got a value of shape "
                                        f"{describe(value.shape)}")
            arrays.append(value)
        for state, value in zip(self._states, arrays):  # new arrays: no one's copy changes
            state.data = value

    def split_states(self, x):
        """(x, the initial states or None) from a call's input (or its shape): x, or a list
        [x, *states]."""
        if not isinstance(x, list):
            return x, None
        if len(x) != 1 + self.n_states():
            raise layer_error(self, f"takes [inputs, *initial states] with {self.n_states()} "
                                    f"state(s) after the inputs, got {len(x) - 1}")
        return x[0], list(x[1:]) or None

    # -- weights ---------------------------------------------------------------------
    def build(self, input_shape):
        input_shape, _ = self.split_states(input_shape)
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise layer_error(self, f"expects 3-D inputs (batch, steps, features) with known "
                                    f"features, got shape {describe(input_shape)}")
        k = self.gates * self.units
        self.kernel = self.add_weight("kernel", (input_shape[-1], k), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, k),
                                                self.recurrent_initializer)
        self.bias = self.add_weight("bias", self.bias_shape(), self.bias_init()) \
            if self.use_bias else None

    def bias_shape(self):
        return (self.gates * self.units,)

    def bias_init(self):
        return self.bias_initializer

    def check_input(self, shape):
        shape, states = self.split_states(shape)
        expected = self.kernel.shape[0]
        if len(shape) != 3 or shape[-1] != expected:
            raise layer_error(self, f"expects inputs (batch, steps, {expected}), got shape "
                                    f"{describe(shape)}; a sequence of vectors per sample "
                                    f"(reshape (batch, {expected}) data to (batch, 1, {expected}))")
        for state in states or []:
            if len(state) != 2 or state[1] != self.units or None not in (state[0], shape[0]) \
                    and state[0] != shape[0]:
                raise layer_error(self, f"an initial state must have shape (batch, units) = "
                                        f"{describe((shape[0], self.units))}, got "
                                        f"{describe(state)}")

    # -- computing -------------------------------------------------------------------
    def call(self, x, training=False, mask=None):
        x, states = self.split_states(x)
        carried = self._carried_states(x.shape) if self.stateful else None
        steps = mask[0] if isinstance(mask, list) else mask  # Keras' mask: (batch, steps)
        mask = None
        if training and self.dropout:
            x = apply(self._input_dropout, x, self.dropout)
        if training and self.recurrent_dropout:  # (batch, units) ones, then dropped
            ones = ones_like(x[:, 0, :1]) * np.ones(self.units, self.dtype)
            mask = apply(self._recurrent_dropout, ones, self.recurrent_dropout)
        y = self.op_function(x, self.kernel, self.recurrent_kernel, self.bias,
                             initial_state=carried if states is None else states,
                             recurrent_mask=mask, return_sequences=self.return_sequences,
                             go_backwards=self.go_backwards, mask=steps, **self.op_arguments())
        if not (self.return_state or self.stateful):
            return y
        output, finals = self.split_output(y)
        for state, final in zip(carried or [], finals):  # the next batch starts from here
            self.add_update(assign_state(state, final))
        return [output, *finals] if self.return_state else output

    def compute_mask(self, inputs, mask=None):
        """The input's mask with return_sequences, else None (and None for each state)."""
        mask = mask[0] if isinstance(mask, list) else mask
        output_mask = mask if self.return_sequences else None
        return [output_mask] + [None] * self.n_states() if self.return_state else output_mask

    def split_output(self, y):
        """(output, [final h]) from the op's output."""
        return y, [self._last(y)]

    def _last(self, y):
        """The final state from a sequence output (the last step processed) or from the last;
        with a mask, the state of the last step not masked (the op carries it over the rest)."""
        return y[:, -1] if self.return_sequences else y

    def op_arguments(self):
        return {"activation": self.activation.__name__}

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll}


class _Gated(_Recurrent):
    """LSTM and GRU: a recurrent activation for the gates, and Keras' `implementation`."""

    def __init__(self, units, recurrent_activation="hard_sigmoid", implementation=1, **kwargs):
        super().__init__(units, **kwargs)
        self.recurrent_activation = self._activation(recurrent_activation,
                                                     "recurrent_activation")
        if implementation not in (1, 2):
            raise layer_error(self, f"implementation must be 1 or 2, got {implementation!r}")
        self.implementation = implementation

    def op_arguments(self):
        return {**super().op_arguments(),
                "recurrent_activation": self.recurrent_activation.__name__}

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "implementation": self.implementation}


class SimpleRNN(_Recurrent):
    """A fully connected recurrence: h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel).

    Inputs (batch, steps, features); outputs (batch, units), or (batch, steps, units) with
    return_sequences; with return_state, [output, final h].
    """


class LSTM(_Gated):
    """Long short-term memory (Hochreiter 1997), gates i, f, c, o side by side in the weights.

    unit_forget_bias (default True) starts the forget gate's bias at 1, as Keras does. With
    return_state the layer returns [output, final h, final c]; initial_state=[h, c]
    starts the sequences from given states.
    """

    gates = 4
    op_function = staticmethod(rnn.lstm)

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, units = self.bias_initializer, self.units

        def forget_gate_ones(shape, dtype=None):
            """The bias initializer's values for i, c and o, ones for f."""
            return np.concatenate([np.asarray(init((units,), dtype=dtype)), np.ones(units, dtype),
                                   np.asarray(init((2 * units,), dtype=dtype))])
        return forget_gate_ones

    def op_arguments(self):
        return {**super().op_arguments(), "return_state": self.return_state or self.stateful}

    def split_output(self, y):
        """(output, [final h, final c]) from the op's h and c outputs, stacked."""
        return y[0], [self._last(y[0]), self._last(y[1])]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRU(_Gated):
    """Gated recurrent unit (Cho 2014), gates z, r, h side by side in the weights.

    reset_after=False (Keras 2.2.4's default) resets before the recurrent product;
    reset_after=True applies the reset after it, with a bias (2, 3*units) (input and
    recurrent), as PyTorch and CuDNN do.
    """

    gates = 3
    op_function = staticmethod(rnn.gru)

    def __init__(self, units, reset_after=False, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def op_arguments(self):
        return {**super().op_arguments(), "reset_after": self.reset_after}

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}
