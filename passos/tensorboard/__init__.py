"""TensorBoard event files: scalars, histograms, images and graphs, written by passos (and their
scalars and histograms read back: `read_scalars`, `read_histograms`).

Needs the optional `tensorboard` package for its protobufs: ``pip install 'passos[tensorboard]'``.
The files are the ``events.out.tfevents.*`` TFRecord files that ``tensorboard --logdir`` reads.

>>> import tempfile, passos.tensorboard as tb
>>> with tb.SummaryWriter(tempfile.mkdtemp()) as writer:
...     writer.add_scalar("loss", 0.5, step=1)
"""
try:
    from tensorboard.compat.proto import event_pb2 as _event_pb2  # noqa: F401 - the protobufs
except ImportError as error:
    raise ImportError("passos.tensorboard needs the tensorboard package: "
                      "pip install 'passos[tensorboard]'") from error

from .graphdef import graph_def
from .reader import read_histograms, read_scalars
from .records import crc32c, masked_crc32c, read_records
from .summaries import histogram_proto, image_proto
from .trace import trace_model
from .writer import SummaryWriter

__all__ = ["SummaryWriter", "graph_def", "trace_model", "histogram_proto", "image_proto",
           "crc32c", "masked_crc32c", "read_records", "read_scalars", "read_histograms"]
