"""keras.wrappers: `scikit_learn` (KerasClassifier, KerasRegressor for scikit-learn)."""
from . import scikit_learn

__all__ = ["scikit_learn"]

from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
