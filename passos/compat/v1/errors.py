"""tf.errors: TensorFlow 1's exception classes, raised by passos' TF1 front end.

`OutOfRangeError` ends an epoch of a tf.data iterator:
`while True: try: sess.run(train) except tf.errors.OutOfRangeError: break`.
"""


class OpError(Exception):
    """The base class of TensorFlow's run-time errors."""

    def __init__(self, node_def=None, op=None, message=None, *args):
        if message is None and op is None:  # OutOfRangeError("message"), as people write it
            node_def, message = None, node_def
        super().__init__(message)
        self.node_def, self.op, self.message = node_def, op, message

    def __str__(self):
        return str(self.message)


class OutOfRangeError(OpError):
    """An iterator has no more elements (the end of an epoch)."""


class InvalidArgumentError(OpError, ValueError):
    """An op was given a value it cannot take."""


class FailedPreconditionError(OpError, RuntimeError):
    """The state an op needs is missing (an iterator not yet initialised)."""


class NotFoundError(OpError, ValueError, KeyError):
    """Something named is missing (a key in a checkpoint); a KeyError too."""


from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
