"""Keras layers (also importable from the Keras 2 submodules core, convolutional, pooling ...)."""
from ..engine.base_layer import Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from .convolutional import (Conv1D, Conv2D, Conv3D, Cropping1D, Cropping2D, Cropping3D,
                            UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D,
                            ZeroPadding2D, ZeroPadding3D)
from .lambda_layer import Lambda
from .merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,
                    average, concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization
from .recurrent import GRU, LSTM, SimpleRNN
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,
                      GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D,
                      MaxPooling3D)

from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
