"""Read TensorBoard event files back as plain Python: scalars and histograms per tag.

What `tensorboard --logdir` would plot, for a notebook or a test: `read_scalars(folder)` gives
{tag: [(step, value), ...]}, `read_histograms(folder)` {tag: [(step, histogram), ...]}, in the
order written. A folder is one run, as TensorBoard counts them: the event files directly inside
it (Keras' TensorBoard callback writes the runs 'train' and 'validation' as subfolders).

>>> import tempfile, passos.tensorboard as tb
>>> folder = tempfile.mkdtemp()
>>> with tb.SummaryWriter(folder) as writer:
...     writer.add_scalar("loss", 0.5, step=1)
...     writer.add_scalar("loss", 0.25, step=2)
>>> read_scalars(folder)
{'loss': [(1, 0.5), (2, 0.25)]}
"""
import os

import numpy as np
from tensorboard.compat.proto import event_pb2

from .records import read_records

EVENT_FILE = "events.out.tfevents."  # how every writer (TensorFlow, passos, PyTorch) names them


def read_scalars(logdir):
    """{tag: [(step, value), ...]} of every scalar summary in the run `logdir` (or one event file).

    >>> read_scalars("no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: read_scalars: no folder or event file 'no/such/folder'
    """
    scalars = {}
    for step, value in _values("read_scalars", logdir):
        if value.WhichOneof("value") == "simple_value":
            scalars.setdefault(value.tag, []).append((step, float(value.simple_value)))
    return scalars


def read_histograms(logdir):
    """{tag: [(step, histogram), ...]} of every histogram summary in the run `logdir`.

    Each histogram is a dict: 'counts' (n buckets) and 'edges' (n + 1, from the smallest value
    to the largest: TensorFlow's outer buckets reach to +-1.8e308, so they are cut at min and
    max), and the totals 'min', 'max', 'num', 'sum', 'sum_squares'.
    """
    histograms = {}
    for step, value in _values("read_histograms", logdir):
        if value.WhichOneof("value") == "histo":
            histograms.setdefault(value.tag, []).append((step, _histogram(value.histo)))
    return histograms


def _histogram(proto):
    """A HistogramProto as plain numbers; bucket k holds the values up to bucket_limit[k]."""
    low, high = proto.min, proto.max
    edges = np.clip(np.concatenate([[low], proto.bucket_limit]), low, high)
    return {"edges": edges, "counts": np.array(proto.bucket, dtype=np.float64), "min": low,
            "max": high, "num": proto.num, "sum": proto.sum, "sum_squares": proto.sum_squares}


def _values(who, logdir):
    """(step, Summary.Value) of every summary in the run's event files, in the order written."""
    for path in event_files(who, logdir):
        for record in read_records(path):
            event = event_pb2.Event.FromString(record)
            if event.HasField("summary"):
                for value in event.summary.value:
                    yield event.step, value


def event_files(who, logdir):
    """The event files of one run: `logdir` itself if it is one, else those directly inside it,
    oldest first (their names start with the time they were opened)."""
    path = os.fspath(logdir)
    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{who}: no folder or event file {path!r}")
    names = sorted(name for name in os.listdir(path) if name.startswith(EVENT_FILE))
    if names:
        return [os.path.join(path, name) for name in names]
    runs = sorted(name for name in os.listdir(path) if os.path.isdir(os.path.join(path, name))
                  and any(f.startswith(EVENT_FILE) for f in os.listdir(os.path.join(path, name))))
    hint = (f"; it holds the runs {runs}: read one, e.g. {who}(os.path.join(logdir, {runs[0]!r}))"
            if runs else "")
    raise FileNotFoundError(f"{who}: no event files ({EVENT_FILE}*) in {path!r}{hint}")
