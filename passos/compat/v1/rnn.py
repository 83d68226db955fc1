"""tf.nn.dynamic_rnn, static_rnn and the bidirectional ones, dynamic and static: a cell over a
whole sequence.

A cell TF1 defines (`rnn_cell`, `rnn_wrappers`) runs the sequence as one recurrent op (its
`sequence`): the loop over time happens inside the op, forward and back. Any other cell (a
user's RNNCell, or a DropoutWrapper dropping the state) is called once per step, unrolled over
the steps the inputs' static shape gives, its variables reused after the first step.

With sequence_length, as in TF1, the outputs past each sequence's length are zeros and the final
state is the one of its last valid step.
"""
import numpy as np

from ...core.shapes import describe
from ...ops import arithmetic as ar, elementwise as el, movement as mv
from .array_ops import shape as _shape
from .framework import inputs as _inputs
from .rnn_cell import map_state
from .variables import variable_scope


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,  # noqa: A002
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """`cell` over inputs (batch, time, depth), or (time, batch, depth) when time_major:
    (outputs (batch, time, output_size) or time-major, final state), variables under 'rnn/'.

    >>> import numpy as np, passos.compat.v1 as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.placeholder(tf.float32, [None, 5, 2])
    ...     y, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), x, dtype=tf.float32)
    ...     y.shape, [v.name for v in tf.trainable_variables()][:2]
    ((None, 5, 3), ['rnn/gru_cell/gates/kernel:0', 'rnn/gru_cell/gates/bias:0'])
    """
    with variable_scope(scope or "rnn") as varscope:
        return _sequence("dynamic_rnn", cell, inputs, sequence_length, initial_state, dtype,
                         time_major, False, varscope)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,  # noqa: A002
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """cell_fw forward and cell_bw backward in time over each sequence (its first
    sequence_length steps): ((outputs_fw, outputs_bw), (state_fw, state_bw)), both outputs in
    the inputs' time order; variables under 'bidirectional_rnn/fw/' and '.../bw/'."""
    with variable_scope(scope or "bidirectional_rnn"):
        return _both_ways("bidirectional_dynamic_rnn", cell_fw, cell_bw, inputs, sequence_length,
                          initial_state_fw, initial_state_bw, dtype, time_major)


def _both_ways(who, cell_fw, cell_bw, x, sequence_length, state_fw, state_bw, dtype, time_major):
    """((outputs_fw, outputs_bw), (state_fw, state_bw)), variables under 'fw/' and 'bw/'."""
    with variable_scope("fw") as fw_scope:
        y_fw, s_fw = _sequence(who, cell_fw, x, sequence_length, state_fw, dtype, time_major,
                               False, fw_scope)
    with variable_scope("bw") as bw_scope:
        y_bw, s_bw = _sequence(who, cell_bw, x, sequence_length, state_bw, dtype, time_major,
                               True, bw_scope)
    return (y_fw, y_bw), (s_fw, s_bw)


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None,  # noqa: A002
               scope=None):
    """`cell` over a list of inputs (batch, depth), one per step: (the list of outputs, the
    final state), as dynamic_rnn computes them."""
    with variable_scope(scope or "rnn") as varscope:
        x = _stacked("static_rnn", inputs)
        y, state = _sequence("static_rnn", cell, x, sequence_length, initial_state, dtype, False,
                             False, varscope)
        return _steps(y, len(inputs)), state


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,  # noqa: A002
                             initial_state_bw=None, dtype=None, sequence_length=None, scope=None):
    """cell_fw forward and cell_bw backward in time over a list of inputs (batch, depth):
    (the list of outputs, each fw's and bw's joined on the last axis, state_fw, state_bw),
    variables under 'bidirectional_rnn/fw/' and '.../bw/', as TF1's."""
    with variable_scope(scope or "bidirectional_rnn"):
        x = _stacked("static_bidirectional_rnn", inputs)
        (y_fw, y_bw), (s_fw, s_bw) = _both_ways(
            "static_bidirectional_rnn", cell_fw, cell_bw, x, sequence_length, initial_state_fw,
            initial_state_bw, dtype, False)
        return _steps(mv.concatenate([y_fw, y_bw], 2), len(inputs)), s_fw, s_bw


def _stacked(who, inputs):
    """A static RNN's list of step inputs (batch, depth) as one tensor (batch, time, depth)."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError(f"{who}: inputs must be a non-empty list of tensors (batch, depth), "
                        f"one per step, got {type(inputs).__name__}")
    return mv.stack(_inputs(*inputs), 1)


def _steps(y, steps):
    return [mv.getitem(y, (slice(None), t)) for t in range(steps)]


def _sequence(who, cell, x, sequence_length, initial_state, dtype, time_major, backwards,
              varscope):
    """(outputs, final state) of `cell` over x, in time order (backwards: run from the end)."""
    # 1. batch-major inputs, checked
    (x,) = _inputs(x)
    if x.shape is None or len(x.shape) != 3:
        axes = "time, batch" if time_major else "batch, time"
        raise ValueError(f"{who}: inputs must have shape ({axes}, depth), got "
                         f"{describe(x.shape)}")
    if time_major:
        x = mv.transpose(x, (1, 0, 2))
    if initial_state is None and dtype is None:
        raise ValueError(f"{who}: if there is no initial_state, you must give a dtype")
    # 2. the step mask of the sequence lengths
    mask = None if sequence_length is None else _step_mask(who, sequence_length, x)
    # 3. the whole sequence as ops, or the cell stepped
    if cell.fused:
        y, state = cell.sequence(x, initial_state, mask, backwards)
    else:
        y, state = _unrolled(who, cell, x, initial_state, dtype, mask, backwards, varscope)
    # 4. zeros past each length, time-major again where asked
    if mask is not None:
        y = ar.multiply(y, mv.reshape(mask, (-1, x.shape[1], 1)))
    return (mv.transpose(y, (1, 0, 2)) if time_major else y), state


def _step_mask(who, sequence_length, x):
    """(batch, time): 1 for the steps before each sequence's length, 0 after, x's dtype."""
    steps = x.shape[1]
    if steps is None:
        raise ValueError(f"{who}: with sequence_length, the number of steps must be known when "
                         f"the graph is built, got inputs of shape {describe(x.shape)}")
    (lengths,) = _inputs(sequence_length)
    if lengths.shape is not None and len(lengths.shape) != 1:
        raise ValueError(f"{who}: sequence_length must be a vector (batch,), got shape "
                         f"{describe(lengths.shape)}")
    before = ar.less(np.arange(steps, dtype=lengths.dtype)[None], mv.reshape(lengths, (-1, 1)))
    return el.cast(before, x.dtype)


def _unrolled(who, cell, x, state, dtype, mask, backwards, varscope):
    """The cell called on each step in turn (a masked step keeps the state before it)."""
    steps = x.shape[1]
    if steps is None:
        raise ValueError(f"{who}: {type(cell).__name__} runs step by step, so the number of "
                         f"steps must be known when the graph is built, got inputs of shape "
                         f"{describe(x.shape)}")
    if state is None:
        batch = x.shape[0] if x.shape[0] is not None else _shape(x)[0]
        state = cell.zero_state(batch, dtype)
    outputs = [None] * steps
    for k, t in enumerate(reversed(range(steps)) if backwards else range(steps)):
        with variable_scope(varscope, reuse=True if k else None):
            y, new = cell(mv.getitem(x, (slice(None), t)), state)
        if mask is not None:  # old + m (new - old): the new state where the step counts
            m = mv.getitem(mask, (slice(None), slice(t, t + 1)))
            new = map_state(lambda n, o: ar.add(o, ar.multiply(m, ar.subtract(n, o))), new, state)
        outputs[t], state = y, new
    return mv.stack(outputs, 1), state
