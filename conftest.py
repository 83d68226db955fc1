"""Test collection: skip doctests of modules whose optional dependency is not installed."""
import importlib.util

collect_ignore = []
if importlib.util.find_spec("tensorboard") is None:
    collect_ignore += ["passos/tensorboard", "passos/compat/v1/summary.py",
                       "passos/keras/callbacks/tensorboard.py", "passos/compat/v1/graph_io.py"]
