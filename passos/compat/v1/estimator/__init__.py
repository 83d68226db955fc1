"""tf.estimator: Estimator (train, evaluate, predict through model_dir's checkpoints),
EstimatorSpec, ModeKeys, RunConfig, the canned DNNClassifier, DNNRegressor, LinearClassifier and
LinearRegressor, and tf.estimator.inputs.numpy_input_fn; TensorBoard events in model_dir."""
from . import inputs
from .canned import DNNClassifier, DNNRegressor, LinearClassifier, LinearRegressor
from .estimator import Estimator, NanLossDuringTrainingError
from .model_fn import EstimatorSpec, ModeKeys
from .run_config import RunConfig

__all__ = ["Estimator", "EstimatorSpec", "ModeKeys", "RunConfig", "DNNClassifier",
           "DNNRegressor", "LinearClassifier", "LinearRegressor", "NanLossDuringTrainingError",
           "inputs"]
