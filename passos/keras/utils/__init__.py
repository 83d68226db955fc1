"""Keras utilities: `to_categorical`, `Sequence`, `Progbar`, `print_summary`, `plot_model`,
`model_to_dot` (as in keras.utils)."""
from .data_utils import Sequence
from .generic_utils import Progbar
from .layer_utils import print_summary
from .np_utils import to_categorical
from .vis_utils import model_to_dot, plot_model

from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
