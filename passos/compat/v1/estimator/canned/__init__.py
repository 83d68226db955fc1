"""TF1's canned estimators: ready-made model_fns over feature columns."""
from .dnn import DNNClassifier, DNNRegressor

__all__ = ["DNNClassifier", "DNNRegressor"]
