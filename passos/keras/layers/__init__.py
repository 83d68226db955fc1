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
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPooling1D,
                      MaxPooling2D, MaxPooling3D)
from .advanced_activations import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .convolutional_depthwise import DepthwiseConv2D, SeparableConv1D, SeparableConv2D
from .convolutional_transpose import Conv2DTranspose, Conv3DTranspose
from .embeddings import Embedding
from .masking import Masking
from .noise import (AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D,
                    SpatialDropout2D, SpatialDropout3D)
from .regularization import ActivityRegularization
from .reshaping import Permute, RepeatVector
from .wrappers import Bidirectional, TimeDistributed

from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
