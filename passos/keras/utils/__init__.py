"""Keras utilities: `to_categorical`, `print_summary` and `plot_model` (as in keras.utils)."""
from .layer_utils import print_summary
from .np_utils import to_categorical
