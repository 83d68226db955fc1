"""The Keras 2 callback protocol: `Callback`, `CallbackList` and `History`."""


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
        for c in self.callbacks:
            c.on_epoch_end(epoch, logs if logs is not None else {})

    def on_batch_begin(self, batch, logs=None):
        for c in self._batch_hooks:  # only those that listen: per-batch cost stays small
            c.on_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        for c in self._batch_hooks:
            c.on_batch_end(batch, logs)


def _overrides_batch_hooks(callback):
    cls = type(callback)
    return any(getattr(cls, name) is not getattr(Callback, name)
               for name in ("on_batch_begin", "on_batch_end",
                            "on_train_batch_begin", "on_train_batch_end"))


class History(Callback):
    """Records each epoch's logs: `history.history['loss']` is the list of epoch losses."""

    def on_train_begin(self, logs=None):
        self.epoch, self.history = [], {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
