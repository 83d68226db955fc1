"""Keras callbacks: hooks into `fit` (History, progress bar, early stopping, checkpoints ...)."""
from .base import Callback, CallbackList, History
from .progbar import Progbar, ProgbarLogger
