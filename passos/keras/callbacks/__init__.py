"""Keras callbacks: hooks into `fit` (History, progress bar, early stopping, checkpoints ...)."""
from .base import Callback, CallbackList, History
from ..utils.generic_utils import Progbar
from .progbar import ProgbarLogger
from .control import EarlyStopping, LearningRateScheduler, ReduceLROnPlateau, TerminateOnNaN
from .checkpoint import CSVLogger, ModelCheckpoint
from .tensorboard import TensorBoard
from .health import GradientHealth, GradientHealthWarning
from .distributed import (BroadcastGlobalVariablesCallback, LearningRateWarmupCallback,
                          MetricAverageCallback)

from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
