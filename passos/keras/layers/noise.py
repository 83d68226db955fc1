"""Noise layers, active only in training: GaussianNoise, GaussianDropout, AlphaDropout,
and SpatialDropout1D/2D/3D (whole channels dropped).

Each holds one random op for its life (`ops.noise.RandomLike`, `ops.dropout.Dropout`), so a
seed gives one sequence of draws, fresh at every eager call and every plan run.
"""
import math

from ... import arguments
from ...core.apply import apply
from ...ops import arithmetic as ar, dropout as dropout_op, elementwise as el
from ...ops.noise import RandomLike
from ..engine.base_layer import Layer, layer_label
from .convolutional import _SpatialLayer, ranked
from .core import Dropout

# SELU's constants (Klambauer et al. 2017): AlphaDropout keeps SELU's mean and variance
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class GaussianNoise(Layer):
    """In training, x + noise drawn from N(0, stddev²); at inference, x."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = arguments.number(stddev, layer_label(self), "stddev", 0, math.inf)
        self.seed = seed
        self._noise = RandomLike("normal", seed=seed)

    def call(self, x, training=False):
        if not training or self.stddev == 0:
            return x
        return x + self.stddev * apply(self._noise, x)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """In training, x * noise drawn from N(1, rate / (1 - rate)); at inference, x."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = arguments.number(rate, layer_label(self), "rate", 0, 1)
        self.seed = seed
        self._noise = RandomLike("normal", seed=seed)

    def call(self, x, training=False):
        if not training or self.rate == 0:
            return x
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return x * (1.0 + stddev * apply(self._noise, x))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(Layer):
    """In training, a fraction `rate` of x set to SELU's negative saturation, then an affine
    map that keeps the mean and variance (for self-normalising SELU networks); else x."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = arguments.number(rate, layer_label(self), "rate", 0, 1)
        self.noise_shape = None if noise_shape is None else arguments.shape(
            noise_shape, layer_label(self), "noise_shape")
        self.seed = seed
        self._uniform = RandomLike("uniform", self.noise_shape, seed)

    def call(self, x, training=False):
        if not training or self.rate == 0:
            return x
        rate, saturation = self.rate, -_SELU_ALPHA * _SELU_SCALE
        kept = el.cast(ar.greater_equal(apply(self._uniform, x), rate), x.dtype)
        a = ((1 - rate) * (1 + rate * saturation ** 2)) ** -0.5
        b = -a * saturation * rate
        return a * (x * kept + saturation * (1 - kept)) + b

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
                "seed": self.seed}


class _SpatialDropout(_SpatialLayer, Dropout):
    """Dropout of whole feature maps: one draw per sample and channel, shared over space."""

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        Dropout.__init__(self, rate, seed=seed, **kwargs)
        self.data_format = self.resolve_data_format(data_format)
        spatial = (1,) * self.rank
        self.noise_shape = (None, *spatial, None) if self.data_format == "channels_last" \
            else (None, None, *spatial)
        self._dropout = dropout_op.Dropout(self.noise_shape, seed)

    def get_config(self):
        config = {**Dropout.get_config(self), "data_format": self.data_format}
        del config["noise_shape"]  # fixed by the layer, as in Keras
        return config


SpatialDropout1D, SpatialDropout2D, SpatialDropout3D = ranked(
    _SpatialDropout, "SpatialDropout{rank}D",
    "In training, zero whole channels of (batch, {axes}, channels) with probability `rate`, "
    "scaling the rest by 1/(1-rate).")
