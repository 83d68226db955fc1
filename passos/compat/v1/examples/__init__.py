"""TF1's tensorflow.examples: the tutorials' data helpers that TF1 teaching code imports."""
