"""keras.preprocessing: image augmentation (image), sequence padding and batching (sequence), text.

Keras 2.2.4's (keras_preprocessing 1.0.5) names; images go through Pillow, an optional extra.
"""
from . import image, sequence, text

__all__ = ["image", "sequence", "text"]

from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
