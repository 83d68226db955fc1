"""tf.io: reading and writing files (gfile, write_graph)."""
from .gfile import io_gfile as gfile
from .graph_io import write_graph

__all__ = ["gfile", "write_graph"]


from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
