"""TensorFlow 1's `tf.summary`: summary ops in the graph, merged and written by a FileWriter.

A summary op is a graph node whose value is a serialized `Summary` protobuf (bytes); it joins
the graph's SUMMARIES collection, which `merge_all()` reads, or those named in `collections=`.
Writing needs the optional tensorboard package: ``pip install 'passos[tensorboard]'``.

>>> import tempfile, passos.graph as g
>>> graph = g.Graph()
>>> with graph.as_default():
...     x = g.placeholder("float32", (None,), name="x")
...     _ = scalar("mean_x", x.mean())
...     _ = histogram("x", x)
...     merged = merge_all()
>>> with g.Session(graph) as sess, FileWriter(tempfile.mkdtemp(), sess.graph) as writer:
...     writer.add_summary(sess.run(merged, {x: [1.0, 2.0, 3.0]}), global_step=0)
"""
import re
import sys

import numpy as np

from passos.core.op import Op  # absolute: importable before passos/compat has its __init__
from passos.core.shapes import ShapeError, describe
from passos.compat.v1.framework import state
from passos.compat.v1.unsupported import error as _missing_name
from passos.graph.graph import Symbol, get_default_graph

SUMMARIES = "summaries"  # tf.GraphKeys.SUMMARIES


class SummaryOp(Op):
    """Base of the summary ops: the value is a serialized Summary; no gradient."""

    differentiable = False

    def __init__(self, tag=None):
        self.tag = tag  # the node's scoped, unique name; set once the node exists

    def dtype(self, *dtypes):
        return np.dtype(object)

    def shape(self, *shapes):
        return ()

    def forward(self, *xs):
        from passos.tensorboard import summaries
        from tensorboard.compat.proto import summary_pb2
        return summary_pb2.Summary(value=self.values(summaries, *xs)).SerializeToString()


class ScalarSummary(SummaryOp):
    kind = "scalar_summary"

    def shape(self, x):
        if x and all(d is not None for d in x) and int(np.prod(x)) != 1:
            raise ShapeError(f"summary.scalar '{self.tag}': expected a single value, got shape "
                             f"{describe(x)}; reduce it first (e.g. tf.reduce_mean)")
        return ()

    def values(self, summaries, x):
        return [summaries.scalar_value(self.tag, x)]


class HistogramSummary(SummaryOp):
    kind = "histogram_summary"

    def values(self, summaries, x):
        from tensorboard.compat.proto import summary_pb2
        return [summary_pb2.Summary.Value(
            tag=self.tag, histo=summaries.histogram_proto(x, "tensorflow", self.tag))]


class ImageSummary(SummaryOp):
    kind = "image_summary"

    def __init__(self, tag=None, max_outputs=3):
        super().__init__(tag)
        self.max_outputs = int(max_outputs)

    def shape(self, x):
        if len(x) != 4 or x[3] not in (None, 1, 3, 4):
            raise ShapeError(f"summary.image '{self.tag}': expected images [batch, height, "
                             f"width, channels] with 1, 3 or 4 channels, got shape {describe(x)}")
        return ()

    def values(self, summaries, images):
        from tensorboard.compat.proto import summary_pb2
        values = []
        for i, image in enumerate(np.asarray(images)[:self.max_outputs]):
            tag = f"{self.tag}/image" if self.max_outputs == 1 else f"{self.tag}/image/{i}"
            values.append(summary_pb2.Summary.Value(
                tag=tag, image=summaries.image_proto(_tf1_pixels(image), "HWC", tag)))
        return values


def _tf1_pixels(image):
    """TF1's rule for float images: non-negative ones scaled so the largest is 255,
    others so the largest magnitude is 127 around 128."""
    if image.dtype == np.uint8:
        return image
    x = image.astype(np.float64)
    finite = x[np.isfinite(x)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    if low < 0:
        largest = max(-low, abs(high))
        scale, offset = (127.0 / largest if largest else 0.0), 128.0
    else:
        scale, offset = (255.0 / high if high else 0.0), 0.0
    x = np.where(np.isfinite(x), x * scale + offset, 0.0)
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


class MergeSummary(SummaryOp):
    """Concatenated serialized Summaries are one Summary holding all their values."""

    kind = "merge_summary"

    def forward(self, *summaries):
        return b"".join(bytes(s) for s in summaries)


def clean_tag(name):
    """A summary name as TF1 makes it a tag: characters other than letters, digits, '_', '-', '.'
    and '/' become '_' (the 'W1:0' of a tensor name gives 'W1_0'); leading slashes go."""
    return None if name is None else re.sub(r"[^-/\w.]", "_", name).lstrip("/")


def _add(op, inputs, name, collections, family=None):
    import passos.tensorboard  # noqa: F401 - fail now, with the extra to install, not at run time
    graph = next((x.graph for x in inputs if isinstance(x, Symbol)), None) or get_default_graph()
    name, family = clean_tag(name), clean_tag(family)
    node = graph.add_op(op, inputs, name=f"{family}/{name}" if family else name)
    op.tag = f"{family}/{node.node_name}" if family else node.node_name  # TF1: family again, for the tab
    for key in (SUMMARIES,) if collections is None else collections:
        summary_collection(graph, key).append(node)
    return node


def summary_collection(graph=None, key=SUMMARIES):
    """The list of summary nodes kept under `key` in `graph`: its TF1 collection of that name."""
    return state(graph).collections.setdefault(key, [])


def scalar(name, tensor, collections=None, family=None):
    """A summary of one number; its tag is `name` with the name scope (made unique)."""
    return _add(ScalarSummary(), [tensor], name, collections, family)


def histogram(name, values, collections=None, family=None):
    """A summary of the distribution of `values` (TensorFlow's default buckets)."""
    return _add(HistogramSummary(), [values], name, collections, family)


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """PNG summaries of up to `max_outputs` images [batch, height, width, channels], float ones
    rescaled as TF1 does; tags 'name/image/0' ... ('name/image' when max_outputs=1)."""
    return _add(ImageSummary(max_outputs=max_outputs), [tensor], name, collections, family)


def merge(inputs, collections=None, name=None):
    """One summary op whose value holds the values of all `inputs`."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("summary.merge: give at least one summary op")
    return _add(MergeSummary(), inputs, name or "Merge/MergeSummary", collections or [])


def merge_all(key=SUMMARIES, scope=None, name=None):
    """Merge every summary made so far in the default graph (None if there is none)."""
    nodes = summary_collection(get_default_graph(), key)
    if scope is not None:
        nodes = [n for n in nodes if re.match(scope, n.node_name)]
    return merge(nodes, name=name) if nodes else None


class FileWriter:
    """Writes Summaries and graphs to an event file in `logdir`; `graph` (sess.graph) at once."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, filename_suffix=None,
                 session=None, graph_def=None):
        from passos.tensorboard import SummaryWriter  # ImportError names the extra
        self._options = (str(logdir), flush_secs, filename_suffix or "")
        self._writer = SummaryWriter(*self._options)
        if graph is not None or graph_def is not None:
            self.add_graph(graph if graph is not None else graph_def)

    def add_summary(self, summary, global_step=None):
        """A serialized Summary (what sess.run of a summary op returns) or a Summary proto."""
        self._writer.add_summary(summary, global_step)

    def add_graph(self, graph, global_step=None, graph_def=None):
        self._writer.add_graph(graph if graph is not None else graph_def, step=global_step)

    def add_event(self, event):
        self._writer.add_event(event)

    def add_session_log(self, session_log, global_step=None):
        from tensorboard.compat.proto import event_pb2
        self._writer.add_event(event_pb2.Event(step=int(global_step or 0),
                                               session_log=session_log))

    def get_logdir(self):
        return self._options[0]

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()

    def reopen(self):
        """Start a new event file after close()."""
        if self._writer.closed:
            from passos.tensorboard import SummaryWriter
            self._writer = SummaryWriter(*self._options)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def __getattr__(name):
    """tf.summary.Summary, .Event and .SessionLog: the protobuf classes themselves."""
    if name in ("Summary", "SessionLog", "Event"):
        import passos.tensorboard  # noqa: F401 - ImportError names the extra
        from tensorboard.compat.proto import event_pb2, summary_pb2
        return getattr(summary_pb2 if name == "Summary" else event_pb2, name)
    raise _missing_name(__name__, name, sys._getframe(1))
