"""Metric names in both Keras spellings: code written for Keras 2.0-2.2 or 2.3+ finds its keys.

Keras 2.0-2.2 logs metrics=['accuracy'] as 'acc' and 'mae' as 'mean_absolute_error'; Keras 2.3+
logs 'accuracy' and 'mae'. passos' rule: logs hold a metric under the name compile was given
(as Keras 2.3 does), and every place that reads a key by name (history.history, the logs handed
to callbacks, monitor=, ModelCheckpoint's filepath, CSVLogger's columns) also answers to the
other spellings of the same metric, 'val_' prefix included. Iterating shows each value once.

>>> logs = Logs(loss=0.3, accuracy=0.9, val_accuracy=0.8)
>>> logs['acc'], logs.get('val_acc'), 'val_acc' in logs, list(logs)
(0.9, 0.8, True, ['loss', 'accuracy', 'val_accuracy'])
"""

# each line: the spellings of one metric across Keras versions (losses' aliases included)
SPELLINGS = (
    ("acc", "accuracy"),
    ("ce", "crossentropy"),
    ("mae", "MAE", "mean_absolute_error"),
    ("mse", "MSE", "mean_squared_error"),
    ("mape", "MAPE", "mean_absolute_percentage_error"),
    ("msle", "MSLE", "mean_squared_logarithmic_error"),
    ("kld", "KLD", "kullback_leibler_divergence"),
    ("cosine", "cosine_proximity"),
)
_OTHERS = {name: tuple(n for n in group if n != name) for group in SPELLINGS for name in group}


def other_spellings(key):
    """The other names of the metric `key` ('val_acc' -> ('val_accuracy',)); () if none."""
    prefix = "val_" if key.startswith("val_") else ""
    return tuple(prefix + name for name in _OTHERS.get(key[len(prefix):], ()))


def find(logs, key):
    """The key under which `logs` holds `key`'s metric (itself or another spelling), or None."""
    if key in logs.keys():
        return key
    return next((other for other in other_spellings(key) if other in logs.keys()), None)


def lookup(logs, key, default=None):
    """logs[key] under any of its spellings, else `default`; `logs` any mapping."""
    found = find(logs or {}, key)
    return default if found is None else logs[found]


class MissingKey(KeyError):
    """A KeyError whose message lists the keys there are (KeyError alone shows only the key)."""

    def __str__(self):
        key, keys = self.args
        hint = " (pass validation_data or validation_split to fit)" if key.startswith("val_") else ""
        return f"{key!r} is not in the logs{hint}; available keys: {', '.join(keys) or 'none'}"


class Logs(dict):
    """A dict of logged values that answers to each metric's other Keras spelling too."""

    def __missing__(self, key):
        found = find(self, key) if isinstance(key, str) else None
        if found is None:
            raise MissingKey(key, [str(k) for k in self.keys()])
        return dict.__getitem__(self, found)

    def __contains__(self, key):
        return dict.__contains__(self, key) or (isinstance(key, str) and find(self, key) is not None)

    def get(self, key, default=None):
        return self[key] if key in self else default
