"""tf.layers: TF 1.15's layer functions and classes, their variables made by tf.get_variable.

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     x = tf.placeholder(tf.float32, [None, 3])
...     y = tf.layers.dense(x, 2, kernel_initializer=tf.ones_initializer())
...     names = [v.name for v in tf.global_variables()]
>>> names
['dense/kernel:0', 'dense/bias:0']
"""
from .base import Layer
from .convolutional import (AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D,
                            AvgPool2D, AvgPool3D, Conv1D, Conv2D, Conv2DTranspose, Conv3D,
                            Convolution1D, Convolution2D, Convolution2DTranspose, Convolution3D,
                            MaxPool1D, MaxPool2D, MaxPool3D, MaxPooling1D, MaxPooling2D,
                            MaxPooling3D, average_pooling1d, average_pooling2d,
                            average_pooling3d, conv1d, conv2d, conv2d_transpose, conv3d,
                            max_pooling1d, max_pooling2d, max_pooling3d)
from .core import Dense, Dropout, Flatten, dense, dropout, flatten
from .normalization import BatchNormalization, batch_normalization

__all__ = ["Layer", "Dense", "Dropout", "Flatten", "BatchNormalization", "Conv1D", "Conv2D",
           "Conv3D", "Conv2DTranspose", "Convolution1D", "Convolution2D", "Convolution3D",
           "Convolution2DTranspose", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "MaxPool1D",
           "MaxPool2D", "MaxPool3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
           "AvgPool1D", "AvgPool2D", "AvgPool3D", "dense", "dropout", "flatten",
           "batch_normalization", "conv1d", "conv2d", "conv3d", "conv2d_transpose",
           "max_pooling1d", "max_pooling2d", "max_pooling3d", "average_pooling1d",
           "average_pooling2d", "average_pooling3d"]


from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
