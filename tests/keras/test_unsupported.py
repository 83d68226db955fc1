"""Keras names passos lacks fail helpfully, and hasattr still answers False."""
import importlib

import pytest

from passos.keras import unsupported

MODULES = ["", "layers", "models", "optimizers", "losses", "metrics", "callbacks", "utils",
           "datasets", "backend", "preprocessing", "initializers", "activations", "wrappers",
           "wrappers.scikit_learn"]


def module(short):
    return importlib.import_module("passos.keras" + (f".{short}" if short else ""))


@pytest.mark.parametrize("short", MODULES)
def test_every_module_explains_a_missing_name(short):
    with pytest.raises(AttributeError, match=rf"^module passos\.keras{'.' if short else ''}{short} "
                                             r"has no attribute 'Nonexistent'"):
        getattr(module(short), "Nonexistent")
    assert not hasattr(module(short), "Nonexistent") and not hasattr(module(short), "__nothing__")


def test_known_keras_names_say_what_to_use_instead():
    layers, utils = module("layers"), module("utils")
    assert not hasattr(layers, "CuDNNLSTM") and not hasattr(utils, "multi_gpu_model")
    with pytest.raises(AttributeError, match=r"^passos\.keras\.layers has no CuDNNLSTM: it is a "
                                             r"Keras 2\.2\.4 name .*; use LSTM"):
        layers.CuDNNLSTM
    with pytest.raises(AttributeError, match=r"did you mean Dense\?"):
        layers.Dens


def test_from_import_gives_the_message_as_an_import_error():
    with pytest.raises(ImportError, match=r"^passos\.keras\.utils has no multi_gpu_model: .*one device"):
        from passos.keras.utils import multi_gpu_model  # noqa: F401
    with pytest.raises(ImportError, match=r"^module passos\.keras\.layers has no attribute "
                                          r"'NoSuchLayer'"):
        from passos.keras.layers import NoSuchLayer  # noqa: F401
    with pytest.raises(ImportError, match=r"no pretrained models ship with passos"):
        from passos.keras import applications  # noqa: F401


@pytest.mark.parametrize("short", sorted(unsupported.MISSING))
def test_the_table_lists_only_names_passos_lacks(short):
    present = [name for name in unsupported.MISSING[short] if name in vars(module(short))]
    assert not present, (f"passos.keras.{short} now has {present}: delete them from "
                         "unsupported.MISSING")
