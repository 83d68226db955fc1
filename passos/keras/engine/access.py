"""Which Model calls may run in several threads at once, and the lock that enforces it.

Inference reads the weights: `predict`, `evaluate` and their `*_on_batch`
forms may run on one model from many threads at once, and give the numbers a
serial call gives. Training writes the weights in place: a `fit` or
`train_on_batch` runs alone, so a second one (or an inference call) from
another thread waits until it ends: concurrent fits on one model run one after
another, never interleaved. The thread that is training may call inference
itself (a callback's `predict`). The first call on an unbuilt model builds it
alone too.
"""
import functools
import threading

_creating = threading.Lock()


class ModelAccess:
    """Many readers or one writer (re-entrant for the writer's thread)."""

    def __init__(self):
        self._changed = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = None   # the thread training now
        self._depth = 0       # its nested writes (a callback's train_on_batch)
        self._waiting = 0     # writers waiting: new readers let them in first
        self._reading = threading.local()  # .depth: this thread's open reads

    def _acquire(self, write, who):
        me = threading.get_ident()
        with self._changed:
            if self._writer == me:  # the training thread may read or write again
                self._depth += 1
                return
            depth = getattr(self._reading, "depth", 0)
            if depth and write:  # it would wait for itself to stop reading
                raise RuntimeError(f"{who}: cannot train a model inside its own predict or "
                                   "evaluate on the same thread")
            if depth:  # a read inside this thread's read: never wait behind a writer
                self._reading.depth = depth + 1
                self._readers += 1
                return
            if write:
                self._waiting += 1
                self._changed.wait_for(lambda: self._writer is None and not self._readers)
                self._waiting -= 1
                self._writer, self._depth = me, 1
            else:
                self._changed.wait_for(lambda: self._writer is None and not self._waiting)
                self._readers += 1
                self._reading.depth = 1

    def _release(self):
        with self._changed:
            if self._writer == threading.get_ident():
                self._depth -= 1
                if self._depth == 0:
                    self._writer = None
            else:
                self._readers -= 1
                self._reading.depth -= 1
            self._changed.notify_all()


def _access(model):
    access = model.__dict__.get("_access")
    if access is None:
        with _creating:
            access = model.__dict__.setdefault("_access", ModelAccess())
    return access


def _guarded(write_always):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(model, *args, **kwargs):
            access = _access(model)
            access._acquire(write_always or not model.built, f"{method.__name__} of '{model.name}'")
            try:
                return method(model, *args, **kwargs)
            finally:
                access._release()
        return wrapper
    return decorate


reads = _guarded(False)   # predict, evaluate: concurrent with each other
writes = _guarded(True)   # fit, train_on_batch: alone
