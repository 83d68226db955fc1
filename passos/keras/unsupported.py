"""Names Keras 2.2.4 has and passos.keras does not: the table, served by passos.unsupported_names.

Each module of passos.keras ends with `__getattr__ = module_getattr(__name__)` (PEP 562), so
`layers.CuDNNLSTM` raises an AttributeError and `from passos.keras.layers import CuDNNLSTM`
an ImportError, both saying what to use instead. When passos gains one of these names,
delete its line here (tests/keras/test_unsupported.py fails until you do).
"""
from ..unsupported_names import MissingNames

# {module under passos.keras ("" for passos.keras itself): {Keras 2.2.4 name: what to do}}
MISSING = {
    "": {
        "applications": "no pretrained models ship with passos; build the network from layers",
    },
    "layers": {
        "CuDNNLSTM": "use LSTM: passos runs on the CPU, and LSTM computes the same thing",
        "CuDNNGRU": "use GRU: passos runs on the CPU, and GRU computes the same thing",
        "ConvLSTM2D": "combine Conv2D layers (per frame) with an LSTM over their features",
        "LocallyConnected1D": "use Conv1D (it shares weights across positions)",
        "LocallyConnected2D": "use Conv2D (it shares weights across positions)",
    },
    "utils": {
        "multi_gpu_model": "train the model itself: passos runs on the CPU, one device",
        "HDF5Matrix": "load the data as NumPy arrays (numpy.load(..., mmap_mode='r') for big ones)",
        "convert_all_kernels_in_model": "not needed: passos has one kernel layout",
    },
    "backend": {
        "get_session": "not needed: passos runs models without a TensorFlow session",
        "set_session": "not needed: passos runs models without a TensorFlow session",
    },
    "models": {
        "model_from_yaml": "save with model.save(path) and load with load_model(path)",
    },
    "optimizers": {
        "TFOptimizer": "use a passos optimizer: SGD, RMSprop, Adagrad, Adadelta, Adam ...",
    },
    "callbacks": {
        "RemoteMonitor": "use CSVLogger or TensorBoard to follow training",
    },
}


_NAMES = MissingNames("passos.keras", "Keras 2.2.4", MISSING)
explain, module_getattr = _NAMES.explain, _NAMES.module_getattr
