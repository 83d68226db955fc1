"""`GradientHealth`, the Keras callback that watches whether training is healthy, layer by layer.

It lives with the other callbacks (`passos.keras.callbacks.health`), since Keras
sits below explain; explain lists it among its tools.
"""
from ..keras.callbacks.health import GradientHealth, GradientHealthWarning  # noqa: F401
