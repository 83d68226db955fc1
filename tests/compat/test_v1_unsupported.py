"""TF1 names passos lacks fail helpfully, and hasattr still answers False."""
import importlib

import pytest

from passos.compat.v1 import unsupported

MODULES = ["", "nn", "train", "layers", "contrib", "data", "metrics", "losses", "io", "errors",
           "dtypes", "summary", "gfile"]


def module(short):
    return importlib.import_module("passos.compat.v1" + (f".{short}" if short else ""))


@pytest.mark.parametrize("short", MODULES)
def test_every_module_explains_a_missing_name(short):
    dotted = r"passos\.compat\.v1" + (rf"\.{short}" if short else "")
    with pytest.raises(AttributeError, match=rf"^module {dotted} has no attribute 'Nonexistent'"):
        getattr(module(short), "Nonexistent")
    assert not hasattr(module(short), "Nonexistent") and not hasattr(module(short), "__nothing__")


def test_known_tf1_names_say_what_to_use_instead():
    import passos.compat.v1 as tf
    assert not hasattr(tf, "sparse_placeholder") and not hasattr(tf.train, "string_input_producer")
    with pytest.raises(AttributeError, match=r"^passos\.compat\.v1\.train has no "
                                             r"string_input_producer: it is a TensorFlow 1\.15 "
                                             r"name that passos does not provide; .*use tf\.data"):
        tf.train.string_input_producer(["a.csv"])
    with pytest.raises(AttributeError, match=r"^passos\.compat\.v1 has no scan: .*tf\.while_loop"):
        tf.scan
    with pytest.raises(AttributeError, match=r"passos\.compat\.v1\.contrib has no slim: .*tf\.layers"):
        tf.contrib.slim
    with pytest.raises(AttributeError, match=r"did you mean reduce_mean or "):
        tf.reduce_maen
    with pytest.raises(AttributeError, match=r"did you mean AdamOptimizer or "):
        tf.train.AdamOptimiser


def test_lazy_modules_still_load():
    import passos.compat.v1 as tf
    assert tf.keras.__name__ == "passos.keras"


def test_from_import_gives_the_message_as_an_import_error():
    with pytest.raises(ImportError, match=r"^passos\.compat\.v1\.nn has no ctc_loss: "):
        from passos.compat.v1.nn import ctc_loss  # noqa: F401
    with pytest.raises(ImportError, match=r"^passos\.compat\.v1 has no distribute: .*one process"):
        from passos.compat.v1 import distribute  # noqa: F401
    with pytest.raises(ImportError, match=r"^module passos\.compat\.v1\.data has no attribute "
                                          r"'NoSuchDataset'"):
        from passos.compat.v1.data import NoSuchDataset  # noqa: F401


def test_the_table_covers_only_modules_that_answer():
    assert set(unsupported.MISSING) <= set(MODULES)


@pytest.mark.parametrize("short", sorted(unsupported.MISSING))
def test_the_table_lists_only_names_passos_lacks(short):
    present = [name for name in unsupported.MISSING[short] if name in vars(module(short))]
    assert not present, (f"passos.compat.v1.{short} now has {present}: delete them from "
                         "passos/compat/v1/unsupported.py MISSING")
