"""Masking: zero the time steps whose features all equal `mask_value`.

passos layers carry no masks. Keras' Masking also hands a mask to the layers after it,
and an LSTM then skips the masked steps (keeps its state through them); here the output
values are Keras' (masked steps zeroed) but the recurrent layers still run those steps.
"""
from ... import arguments
from ...ops import arithmetic as ar, elementwise as el, reduce as rd
from ..engine.base_layer import Layer, layer_label


class Masking(Layer):
    """x where any feature of a step differs from mask_value, 0 for the whole step elsewhere."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = arguments.number(mask_value, layer_label(self), "mask_value",
                                           -float("inf"), float("inf"))

    def call(self, x, training=False):
        differs = el.cast(ar.not_equal(x, self.mask_value), x.dtype)
        return x * rd.max(differs, axis=-1, keepdims=True)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
