"""Pooling layers: Max/AveragePooling 1D/2D/3D and global average/max pooling."""
from ... import arguments
from ...ops import pool as pool_ops
from ..engine.base_layer import layer_label
from .convolutional import _SpatialLayer, ranked

_MAX = {1: pool_ops.max_pool1d, 2: pool_ops.max_pool2d, 3: pool_ops.max_pool3d}
_AVG = {1: pool_ops.avg_pool1d, 2: pool_ops.avg_pool2d, 3: pool_ops.avg_pool3d}


class _Pooling(_SpatialLayer):
    functions = _MAX

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        who = layer_label(self)
        self.pool_size = arguments.int_tuple(pool_size, self.rank, who, "pool_size")
        self.strides = self.pool_size if strides is None else arguments.int_tuple(
            strides, self.rank, who, "strides")
        self.padding = arguments.padding(padding, who)
        self.data_format = self.resolve_data_format(data_format)

    def call(self, x, training=False):
        return self.functions[self.rank](x, self.pool_size, self.strides, self.padding,
                                         self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding,
                "data_format": self.data_format}


MaxPooling1D, MaxPooling2D, MaxPooling3D = ranked(
    _Pooling, "MaxPooling{rank}D", "The largest value of each pool_size window over ({axes}).")
AveragePooling1D, AveragePooling2D, AveragePooling3D = ranked(
    _Pooling, "AveragePooling{rank}D", "The mean of each pool_size window over ({axes}).", functions=_AVG)


class _GlobalPooling(_SpatialLayer):
    function = staticmethod(pool_ops.global_avg_pool)

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = self.resolve_data_format(data_format)

    def call(self, x, training=False):
        return self.function(x, self.data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D = ranked(
    _GlobalPooling, "GlobalAveragePooling{rank}D",
    "Mean over ({axes}): (batch, {axes}, channels) -> (batch, channels).")
GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D = ranked(
    _GlobalPooling, "GlobalMaxPooling{rank}D",
    "Maximum over ({axes}): (batch, {axes}, channels) -> (batch, channels).",
    function=staticmethod(pool_ops.global_max_pool))
