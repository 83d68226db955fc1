"""Keras utilities: `to_categorical` (also as `utils.np_utils.to_categorical`)."""
from .np_utils import to_categorical
