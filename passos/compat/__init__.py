"""Compatibility front ends: `passos.compat.v1` runs TensorFlow-1 graph code on passos.

>>> import passos.compat.v1 as tf
>>> tf.float32 == "float32"
True
"""
