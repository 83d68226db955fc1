"""Embedding: integer token ids -> learned vectors (rows of a weight table picked by index)."""
import numpy as np

from ... import arguments
from ...core.tensor import Tensor
from ...ops.arithmetic import not_equal
from ...ops.gather import gather
from .. import initializers
from ..engine.base_layer import Layer, layer_error, layer_label


class Embedding(Layer):
    """(batch, steps) ids in [0, input_dim) -> (batch, steps, output_dim) rows of `embeddings`.

    The gradient adds into each picked row (gather's scatter-add). With mask_zero=True the
    output carries a Keras mask, False where the id is 0 (padding): recurrent layers after it
    skip those steps. Id 0 still gives its row, so input_dim counts it, as in Keras.
    """

    weight_options = ("embeddings", "activity")

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs and \
                "batch_input_shape" not in kwargs:
            lengths = input_length if isinstance(input_length, (list, tuple)) else [input_length]
            kwargs["input_shape"] = tuple(lengths)
        super().__init__(embeddings_regularizer=embeddings_regularizer,
                         activity_regularizer=activity_regularizer,
                         embeddings_constraint=embeddings_constraint, **kwargs)
        who = layer_label(self)
        self.input_dim = arguments.positive_int(input_dim, who, "input_dim")
        self.output_dim = arguments.positive_int(output_dim, who, "output_dim")
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer)

    def call(self, x, training=False):
        if isinstance(x, (Tensor, np.ndarray, list, tuple)):  # eager ids: check them here
            self._check_ids(np.asarray(x.data if isinstance(x, Tensor) else x))
        return gather(self.embeddings, x)

    def compute_mask(self, inputs, mask=None):
        """ids != 0 (batch, steps) with mask_zero, else None."""
        return not_equal(inputs, 0) if self.mask_zero else None

    def _check_ids(self, ids):
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim or
                         not np.array_equal(ids, np.floor(ids))):
            bad = ids[(ids < 0) | (ids >= self.input_dim) | (ids != np.floor(ids))].ravel()[0]
            raise layer_error(self, f"has input_dim {self.input_dim} (ids 0 to "
                                    f"{self.input_dim - 1}), got id {bad}; ids must be whole "
                                    f"numbers below input_dim (the vocabulary size)")

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "mask_zero": self.mask_zero,
                "input_length": self.input_length}
