"""tf.io: reading and writing files (write_graph)."""
from .graph_io import write_graph

__all__ = ["write_graph"]
