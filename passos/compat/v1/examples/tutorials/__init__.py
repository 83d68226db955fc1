"""tensorflow.examples.tutorials: the MNIST tutorial helpers."""
