"""tf.nn.rnn_cell.MultiRNNCell and DropoutWrapper: cells made of cells.

Both run a sequence as their cells' ops (`sequence`) when their cells can; a DropoutWrapper
with state_keep_prob below 1 drops the state between steps, so dynamic_rnn steps it instead.
"""
from ...graph.graph import Symbol
from .nn_dropout import dropout
from .rnn_cell import LSTMStateTuple, RNNCell
from .variables import variable_scope


class MultiRNNCell(RNNCell):
    """Cells stacked: each one's output is the next one's input, under 'multi_rnn_cell/cell_<i>';
    the state is the tuple of the cells' states."""

    base_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("MultiRNNCell: give at least one cell")
        if not state_is_tuple:
            raise NotImplementedError("MultiRNNCell: passos supports state_is_tuple=True only "
                                      "(the state is a tuple of the cells' states)")
        self.cells = list(cells)

    @property
    def fused(self):
        return all(cell.fused for cell in self.cells)

    @property
    def state_size(self):
        return tuple(cell.state_size for cell in self.cells)

    @property
    def output_size(self):
        return self.cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        return tuple(cell.zero_state(batch_size, dtype) for cell in self.cells)

    def __call__(self, inputs, state, scope=None):
        return self._stack(lambda cell, x, s: cell(x, s), inputs, state, scope)

    def sequence(self, x, state, mask, backwards):
        return self._stack(lambda cell, x, s: cell.sequence(x, s, mask, backwards), x, state)

    def _stack(self, run, x, state, scope=None):
        """Run the cells one after the other, each in its scope 'cell_<i>'."""
        self._check(state)
        states = []
        with self.scope(scope):
            for i, cell in enumerate(self.cells):
                with variable_scope(f"cell_{i}"):
                    x, s = run(cell, x, None if state is None else state[i])
                states.append(s)
        return x, tuple(states)

    def _check(self, state):
        if state is not None and (not isinstance(state, (tuple, list)) or
                                  len(state) != len(self.cells)):
            raise ValueError(f"MultiRNNCell: the state must be a tuple of {len(self.cells)} "
                             f"states, one per cell, got {type(state).__name__}")

    @property
    def variables(self):
        return [v for cell in self.cells for v in cell.variables]


class DropoutWrapper(RNNCell):
    """`cell` with dropout on its inputs, outputs and new state (keep probabilities: numbers in
    (0, 1] or tensors; a number 1 adds nothing). The state dropout spares an LSTM's c."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        super().__init__(dtype=dtype)
        if variational_recurrent or dropout_state_filter_visitor is not None:
            raise NotImplementedError("DropoutWrapper: passos does not support "
                                      "variational_recurrent or dropout_state_filter_visitor")
        for what, p in (("input_keep_prob", input_keep_prob),
                        ("output_keep_prob", output_keep_prob),
                        ("state_keep_prob", state_keep_prob)):
            if not isinstance(p, Symbol) and not 0 < float(p) <= 1:
                raise ValueError(f"DropoutWrapper: {what} must be in (0, 1], got {p!r}")
        self.cell, self.seed = cell, seed
        self.input_keep_prob, self.output_keep_prob = input_keep_prob, output_keep_prob
        self.state_keep_prob = state_keep_prob

    @property
    def fused(self):
        return self.cell.fused and not _drops(self.state_keep_prob)

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    @property
    def variables(self):
        return self.cell.variables

    def zero_state(self, batch_size, dtype):
        return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        y, state = self.cell(self._drop(inputs, self.input_keep_prob), state, scope=scope)
        if _drops(self.state_keep_prob):
            state = _drop_state(state, lambda s: self._drop(s, self.state_keep_prob))
        return self._drop(y, self.output_keep_prob), state

    def sequence(self, x, state, mask, backwards):
        """As the wrapped cell's, with dropout on the inputs and outputs of every step."""
        y, state = self.cell.sequence(self._drop(x, self.input_keep_prob), state, mask, backwards)
        return self._drop(y, self.output_keep_prob), state

    def _drop(self, x, keep_prob):
        return dropout(x, keep_prob=keep_prob, seed=self.seed) if _drops(keep_prob) else x


def _drops(keep_prob):
    return isinstance(keep_prob, Symbol) or float(keep_prob) < 1


def _drop_state(state, drop):
    """drop applied to every tensor of a state but an LSTM's c (TF1's default filter)."""
    if isinstance(state, LSTMStateTuple):
        return LSTMStateTuple(state.c, drop(state.h))
    if isinstance(state, tuple):
        return tuple(_drop_state(s, drop) for s in state)
    return drop(state)
