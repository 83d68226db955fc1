"""Names Keras 2.2.4 has and passos.keras does not: one table, and the messages that explain them.

Each module of passos.keras ends with `__getattr__ = module_getattr(__name__)` (PEP 562):
Python calls it only for a name the module lacks, so `hasattr` still answers False, while
`layers.CuDNNLSTM` raises an AttributeError and `from passos.keras.layers import CuDNNLSTM`
an ImportError, both saying what to use instead. When passos gains one of these names,
delete its line here (tests/keras/test_unsupported.py fails until you do).
"""
import difflib
import dis
import sys

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


def explain(module_name, name):
    """Why `module_name` has no `name`, and what to use instead where there is something."""
    short = module_name[len("passos.keras."):] if module_name != "passos.keras" else ""
    advice = MISSING.get(short, {}).get(name)
    if advice:
        return (f"{module_name} has no {name}: it is a Keras 2.2.4 name that passos does not "
                f"provide; {advice}")
    module = sys.modules.get(module_name)
    names = [n for n in vars(module) if not n.startswith("_")] if module else []
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else f"; see dir({module_name})"
    return f"module {module_name} has no attribute {name!r}{hint}"


def _in_from_import(frame):
    """True when `frame` is executing `from module import name` (bytecode IMPORT_FROM)."""
    return frame is not None and frame.f_code.co_code[frame.f_lasti] == dis.opmap["IMPORT_FROM"]


def module_getattr(module_name):
    """A module-level __getattr__ that raises a helpful AttributeError (ImportError in `from`)."""

    def __getattr__(name):  # noqa: N807 (the name PEP 562 asks for)
        if name.startswith("_"):  # Python and tools probe dunders: answer plainly, fast
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        message = explain(module_name, name)
        if _in_from_import(sys._getframe(1)):
            raise ImportError(message, name=module_name)
        raise AttributeError(message)

    return __getattr__
