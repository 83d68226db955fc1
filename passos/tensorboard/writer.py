"""`SummaryWriter`: appends Event protobufs to an events.out.tfevents.* file in TFRecord format."""
import os
import socket
import time

import numpy as np
from tensorboard.compat.proto import event_pb2, summary_pb2

from .graphdef import graph_def
from .records import frame
from .summaries import histogram_proto, image_proto, scalar_value


def event_file_path(logdir, suffix=""):
    """A new events.out.tfevents.<time>.<host> path in `logdir` (made unique if taken)."""
    base = os.path.join(logdir, f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}")
    path, count = base + suffix, 0
    while os.path.exists(path):  # two writers in one second: keep both files
        count += 1
        path = f"{base}.{os.getpid()}.{count}{suffix}"
    return path


class SummaryWriter:
    """Writes scalars, histograms, images and graphs for TensorBoard to one event file.

    Values reach the disk on `flush()`, `close()`, and the first write after `flush_secs`.

    >>> import tempfile
    >>> with SummaryWriter(tempfile.mkdtemp()) as w:
    ...     w.add_scalar("loss", 0.25, step=3)
    ...     w.add_histogram("weights", [0.1, -0.2, 0.3], step=3)
    ...     w.add_image("digit", [[0.0, 1.0], [1.0, 0.0]], step=3)
    """

    def __init__(self, logdir, flush_secs=120, filename_suffix=""):
        self.logdir = str(logdir)
        os.makedirs(self.logdir, exist_ok=True)
        self.path = event_file_path(self.logdir, filename_suffix)
        self.flush_secs = flush_secs
        self._file = open(self.path, "wb")
        self._last_flush = time.time()
        self.add_event(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.flush()

    # -- what to log ----------------------------------------------------------
    def add_scalar(self, tag, value, step=None, walltime=None):
        """One number (float, NumPy scalar or one-element tensor) at `step`."""
        self.add_summary(summary_pb2.Summary(value=[scalar_value(tag, value)]), step, walltime)

    def add_histogram(self, tag, values, step=None, bins="tensorflow", walltime=None):
        """The distribution of `values`: bins='tensorflow' (TF's buckets) or NumPy's ('auto', n)."""
        self._add_value(step, walltime, tag=tag, histo=histogram_proto(values, bins, tag))

    def add_image(self, tag, image, step=None, dataformats="HWC", walltime=None):
        """One image, HW, HWC or CHW (say which in `dataformats`), floats in [0, 1] or uint8."""
        self._add_value(step, walltime, tag=tag, image=image_proto(image, dataformats, tag))

    def add_graph(self, graph, step=None, training=False, walltime=None):
        """The graph of a passos Graph, Session, graph symbol, eager result or Keras model."""
        definition = graph_def(graph, training=training)
        self._add(step, walltime, graph_def=definition.SerializeToString())

    def add_summary(self, summary, step=None, walltime=None):
        """A Summary protobuf, or its serialized bytes (what TF1 summary ops produce)."""
        if isinstance(summary, np.ndarray) and summary.ndim == 0:
            summary = summary.item()  # a fetched value kept as a 0-d array
        if isinstance(summary, (bytes, bytearray)):
            summary = summary_pb2.Summary.FromString(bytes(summary))
        if not isinstance(summary, summary_pb2.Summary):
            raise TypeError(f"add_summary: expected a Summary protobuf or its serialized bytes, "
                            f"got {type(summary).__name__}")
        self._add(step, walltime, summary=summary)

    def _add_value(self, step, walltime, **value):
        self.add_summary(summary_pb2.Summary(value=[summary_pb2.Summary.Value(**value)]), step, walltime)

    def _add(self, step, walltime, **content):
        self.add_event(event_pb2.Event(wall_time=time.time() if walltime is None else walltime,
                                       step=int(step or 0), **content))

    def add_event(self, event):
        """Append one Event protobuf as a TFRecord."""
        if self._file is None:
            raise RuntimeError(f"SummaryWriter for '{self.logdir}' is closed; create a new one")
        self._file.write(frame(event.SerializeToString()))
        if time.time() - self._last_flush >= self.flush_secs:
            self.flush()

    # -- file handling ----------------------------------------------------------
    def get_logdir(self):
        return self.logdir

    @property
    def closed(self):
        return self._file is None

    def flush(self):
        """Write everything logged so far to the disk."""
        if self._file is not None:
            self._file.flush()
            self._last_flush = time.time()

    def close(self):
        """Flush and close the file (closing twice is harmless)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<SummaryWriter '{self.path}'{' (closed)' if self.closed else ''}>"
