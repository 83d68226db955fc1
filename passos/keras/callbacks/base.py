"""The Keras 2 callback protocol: `Callback`, `CallbackList` and `History`."""
from ..metric_names import Logs


class Callback:
    """Hooks called by fit: on_train_*, on_epoch_*, on_batch_* (Keras 2 signatures)."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    # tf.keras spellings, for callbacks written against it
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)


class CallbackList:
    """Calls each hook on every callback, in order."""

    def __init__(self, callbacks):
        self.callbacks = list(callbacks)
        self._batch_hooks = [c for c in self.callbacks if _overrides_batch_hooks(c)]
        self.wants_batch_logs = bool(self._batch_hooks)  # else fit skips building them

    def set_model(self, model):
        for c in self.callbacks:
            c.set_model(model)

    def set_params(self, params):
        for c in self.callbacks:
            c.set_params(params)

    def on_train_begin(self, logs=None):
        for c in self.callbacks:
            c.on_train_begin(logs)

    def on_train_end(self, logs=None):
        for c in self.callbacks:
            c.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for c in self.callbacks:
            c.on_epoch_begin(epoch, logs if logs is not None else {})

    def on_epoch_end(self, epoch, logs=None):
        shared = _as_logs(logs)
        for c in self.callbacks:
            c.on_epoch_end(epoch, shared)
        _copy_back(shared, logs)

    def on_batch_begin(self, batch, logs=None):
        shared = _as_logs(logs)
        for c in self._batch_hooks:  # only those that listen: per-batch cost stays small
            c.on_batch_begin(batch, shared)
        _copy_back(shared, logs)

    def on_batch_end(self, batch, logs=None):
        shared = _as_logs(logs)
        for c in self._batch_hooks:
            c.on_batch_end(batch, shared)
        _copy_back(shared, logs)


def _as_logs(logs):
    """`logs` as a Logs dict (which answers to both Keras spellings of a metric's name)."""
    return logs if isinstance(logs, Logs) else Logs(logs or {})


def _copy_back(shared, logs):
    """Callbacks may add to the logs (Keras passes one dict along): keep that in the caller's."""
    if logs is not None and shared is not logs:
        logs.update(shared)


def _overrides_batch_hooks(callback):
    cls = type(callback)
    return any(getattr(cls, name) is not getattr(Callback, name)
               for name in ("on_batch_begin", "on_batch_end",
                            "on_train_batch_begin", "on_train_batch_end"))


class History(Callback):
    """Records each epoch's logs: `history.history['loss']` is the list of epoch losses.

    `history.history` answers to both Keras spellings of a metric: 'acc' finds 'accuracy',
    'val_mean_absolute_error' finds 'val_mae' (see passos.keras.metric_names).
    """

    def on_train_begin(self, logs=None):
        self.epoch, self.history = [], Logs()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
