"""The optimizer of a canned estimator: a name ('Adagrad', 'Adam', 'Ftrl', ...), an Optimizer,
or a function returning one."""
from ... import train

LEARNING_RATE = 0.05  # TF1's canned DNN estimators' rate for an optimizer given by name
_BY_NAME = {"Adagrad": train.AdagradOptimizer, "Adam": train.AdamOptimizer,
            "Ftrl": train.FtrlOptimizer, "RMSProp": train.RMSPropOptimizer,
            "SGD": train.GradientDescentOptimizer}


def get_optimizer(optimizer, who, learning_rate=LEARNING_RATE):
    """An Optimizer instance for `optimizer` (one given by name runs at `learning_rate`)."""
    if isinstance(optimizer, str):
        if optimizer not in _BY_NAME:
            raise ValueError(f"{who}: unknown optimizer name '{optimizer}'; passos knows "
                             f"{sorted(_BY_NAME)} (or pass a tf.train optimizer)")
        return _BY_NAME[optimizer](learning_rate)
    if callable(optimizer) and not isinstance(optimizer, train.Optimizer):
        optimizer = optimizer()
    if not isinstance(optimizer, train.Optimizer):
        raise TypeError(f"{who}: optimizer must be a name, a tf.train optimizer or a function "
                        f"returning one, given {optimizer!r:.60}")
    return optimizer
