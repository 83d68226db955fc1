"""Masking: zero the time steps whose features all equal `mask_value`, and mask them.

As in Keras, the output carries a mask (batch, steps), False at those steps, so the
recurrent layers after it skip them (their states carried through).
"""
from ... import arguments
from ...ops import arithmetic as ar, elementwise as el, reduce as rd
from ..engine.base_layer import Layer, layer_label


class Masking(Layer):
    """x where any feature of a step differs from mask_value, 0 for the whole step elsewhere."""

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = arguments.number(mask_value, layer_label(self), "mask_value",
                                           -float("inf"), float("inf"))

    def call(self, x, training=False):
        differs = el.cast(ar.not_equal(x, self.mask_value), x.dtype)
        return x * rd.max(differs, axis=-1, keepdims=True)

    def compute_mask(self, inputs, mask=None):
        """True at the steps where some feature differs from mask_value: (batch, steps)."""
        differs = el.cast(ar.not_equal(inputs, self.mask_value), "float32")
        return ar.not_equal(rd.max(differs, axis=-1), 0.0)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
