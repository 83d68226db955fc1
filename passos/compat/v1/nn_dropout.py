"""tf.nn.dropout: its own module, so the RNN cells' DropoutWrapper uses it without importing tf.nn."""
from ... import arguments
from ...graph.graph import Symbol, get_default_graph
from ...ops import arithmetic as ar, dropout as pd
from .framework import inputs, named, state


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """x with each value zeroed with probability `rate` (or 1 - keep_prob), the rest scaled up;
    applied on every run (TF1 has no training flag): feed keep_prob=1.0 to evaluate."""
    if (keep_prob is None) == (rate is None):
        raise ValueError("dropout: give exactly one of keep_prob and rate")
    if keep_prob is not None and not isinstance(keep_prob, Symbol):
        if not arguments.is_number(keep_prob) or not 0 < keep_prob <= 1:
            raise ValueError(f"dropout: keep_prob must be a number in (0, 1], got {keep_prob!r}")
        keep_prob, rate = None, 1.0 - float(keep_prob)
    elif rate is not None and not isinstance(rate, Symbol):
        rate = arguments.number(rate, "dropout", "rate", 0, 1)
    graph_seed = state().seed
    if seed is not None and graph_seed is not None:  # as TF1: the graph seed, then the op's
        seed = (graph_seed, int(seed))

    def build():
        values = inputs(x, rate if keep_prob is None else ar.subtract(1.0, keep_prob))
        out = get_default_graph().add_op(pd.Dropout(noise_shape, seed), values)
        if out.shape is None and isinstance(values[0], Symbol):
            out.shape = values[0].shape  # a keep_prob placeholder of unknown shape hides nothing
        return out
    return named(name or "dropout", build)
