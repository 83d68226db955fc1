"""Which Model calls may run in several threads at once, and the lock that enforces it.

Inference (`predict`, `evaluate`, their `*_on_batch` forms) only reads the weights, so
it may run in many threads at once. Training (`fit`, `train_on_batch`) writes them in
place, so it runs alone: other threads' calls wait until it ends, while the training
thread itself may call inference (a callback's `predict`). The first call on an
unbuilt model builds it alone too, and so does inference on a stateful model (its
recurrent layers' states change with every batch).
"""
import functools
import threading

_creating = threading.Lock()


class ModelAccess:
    """Many readers or one writer (re-entrant for the writer's thread, and for readers)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._readers = {}    # thread id -> its open reads
        self._writer = None   # the id of the thread training now
        self._depth = 0       # its open calls (a callback's predict or train_on_batch)
        self._waiting = 0     # writers waiting: new readers let them in first
        self._sleeping = 0    # threads waiting for a change (no notify when none)

    def acquire(self, write, call, model):
        """Enter `call` (a method's name) of `model` as a writer (`write`) or a reader."""
        me = threading.get_ident()
        with self._lock:
            if self._writer == me:  # the training thread may read or write again
                self._depth += 1
                return
            mine = self._readers.get(me, 0)
            if mine:
                if write:  # it would wait for itself to stop reading
                    raise RuntimeError(f"{call}: cannot train model '{model.name}' inside its "
                                       "own predict or evaluate on the same thread")
                self._readers[me] = mine + 1  # never wait behind a writer: it waits for us
                return
            if write:
                self._waiting += 1
                while self._writer is not None or self._readers:
                    self._sleep()
                self._waiting -= 1
                self._writer, self._depth = me, 1
            else:
                while self._writer is not None or self._waiting:
                    self._sleep()
                self._readers[me] = 1

    def _sleep(self):
        self._sleeping += 1
        self._changed.wait()
        self._sleeping -= 1

    def release(self):
        """Leave the call entered last by this thread."""
        me = threading.get_ident()
        with self._lock:
            if self._writer == me:
                self._depth -= 1
                if self._depth:
                    return
                self._writer = None
            else:
                left = self._readers[me] - 1
                if left:
                    self._readers[me] = left
                    return
                del self._readers[me]
            if self._sleeping:
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
            write = write_always or not model.built or model.stateful
            access.acquire(write, method.__name__, model)
            try:
                return method(model, *args, **kwargs)
            finally:
                access.release()
        return wrapper
    return decorate


reads = _guarded(False)   # predict, evaluate: concurrent with each other
writes = _guarded(True)   # fit, train_on_batch: alone
