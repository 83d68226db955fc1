"""TF1's canned estimators: ready-made model_fns over feature columns."""
from .dnn import DNNClassifier, DNNRegressor
from .linear import LinearClassifier, LinearRegressor

__all__ = ["DNNClassifier", "DNNRegressor", "LinearClassifier", "LinearRegressor"]
