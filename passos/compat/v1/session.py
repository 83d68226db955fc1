"""TF1 sessions: `Session` (a context manager that is also the default session), InteractiveSession.

`Tensor.eval()` and `Operation.run()` use the default session: the innermost `with tf.Session()`
or `sess.as_default()` block, else the open InteractiveSession.
"""
import contextlib

from .feeds import tf1_feeds
from .graph_io import as_graph_def
from ...graph import session as graph_session
from ...graph.graph import Graph, get_default_graph

_default_sessions = []


class ConfigProto:
    """Accepted for TF1 code that passes `config=`; passos runs on the CPU with NumPy."""

    def __init__(self, **options):
        self.__dict__.update(options)


GPUOptions = RunOptions = RunMetadata = ConfigProto


@contextlib.contextmanager
def device(device_name_or_function):
    """Accepted for TF1 code that places ops (`with tf.device('/gpu:0'):`): passos runs every
    op on the CPU, as TF1 with allow_soft_placement does on a machine without a GPU."""
    if not (device_name_or_function is None or isinstance(device_name_or_function, str)
            or callable(device_name_or_function)):
        raise TypeError(f"tf.device: expected a device name such as '/cpu:0' (or None, or a "
                        f"function of the op), got {device_name_or_function!r:.60}")
    yield


class Session(graph_session.Session):
    """Runs nodes of one graph (the default graph when None) and holds its variables' values."""

    def __init__(self, target="", graph=None, config=None):
        if isinstance(target, Graph) and graph is None:  # tf.Session(g): meant as the graph
            target, graph = "", target
        super().__init__(graph)
        self._contexts = []

    @contextlib.contextmanager
    def as_default(self):
        """Make this the session `eval()` and `run()` use, inside the block."""
        _default_sessions.append(self)
        try:
            yield self
        finally:
            _remove(self)

    def __enter__(self):
        stack = contextlib.ExitStack()
        if self.graph is not get_default_graph():  # TF1: the session's graph becomes the default
            stack.enter_context(self.graph.as_default())
        stack.enter_context(self.as_default())
        self._contexts.append(stack)
        return self

    def __exit__(self, *exc):
        self._contexts.pop().close()
        self.close()

    def close(self):
        _remove(self)
        super().close()

    @property
    def graph_def(self):
        """The GraphDef protobuf of this session's graph (as `graph.as_graph_def()`)."""
        return as_graph_def(self.graph)

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        return super().run(fetches, tf1_feeds(self.graph, feed_dict))


class InteractiveSession(Session):
    """A session that makes itself the default until closed (for shells and notebooks)."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        _default_sessions.append(self)


def _remove(session):
    for i in range(len(_default_sessions) - 1, -1, -1):
        if _default_sessions[i] is session:
            del _default_sessions[i]
            return


def get_default_session():
    """The innermost default session, or None."""
    return _default_sessions[-1] if _default_sessions else None


def default_session_for(node, session, method):
    """`session`, or the default session, checked to run `node`'s graph."""
    session = session or get_default_session()
    if session is None:
        what = "evaluate tensor using `eval()`" if method == "eval" else "execute operation using `run()`"
        raise ValueError(f"Cannot {what} ('{node.name}'): No default session is registered. Use "
                         "`with sess.as_default():` (or `with tf.Session() as sess:`), create a "
                         f"tf.InteractiveSession(), or pass an explicit session: "
                         f"`{method}(session=sess)`")
    if node.graph is not session.graph:
        raise ValueError(f"Cannot use '{node.name}' with the default session: the tensor's graph "
                         "is different from the session's graph; pass session= explicitly")
    return session
