"""Safe save/load (passos.keras.saving): round trips, damaged and hostile files, atomic writes."""
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import passos
from passos.keras.model_file import FORMAT_VERSION
from passos.keras.saving import ModelFileError
from passos.keras.layers import Dense, Dropout, Flatten, Input, Layer, Reshape
from passos.keras.models import Model, Sequential, load_model


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    return x, (x[:, :3].sum(axis=1) > 0).astype(np.int64) + (x[:, 3] > 1)


def sequential(compiled=True):
    model = Sequential([Reshape((2, 3), input_shape=(6,)), Flatten(),
                        Dense(8, activation="relu", kernel_initializer="he_normal"),
                        Dropout(0.25), Dense(3, activation="softmax")])
    if compiled:
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def functional():
    inputs = Input(shape=(6,))
    hidden = Dropout(0.1)(Dense(5, activation="tanh")(inputs))
    model = Model(inputs, Dense(3, activation="softmax")(hidden))
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def trained(model):
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, seed=1)
    return model


def assert_same_weights(a, b):
    assert len(a.get_weights()) == len(b.get_weights())
    for got, want in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def saved(tmp_path):
    """(path, model) of a trained, compiled Sequential model saved to disk."""
    model = trained(sequential())
    path = tmp_path / "model.passos"
    model.save(path)
    return path, model


def rewrite(path, replace=None, drop=()):
    """Rewrite the archive at `path` with some entries replaced (name -> bytes) or dropped."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries.update(replace or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            if name not in drop:
                archive.writestr(name, content)


def edit_manifest(path, change):
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("model.json"))
    change(manifest)
    rewrite(path, {"model.json": json.dumps(manifest)})


# -- round trips -----------------------------------------------------------------------------
@pytest.mark.parametrize("build", [sequential, functional])
def test_round_trip_predictions_weights_config_and_compile(tmp_path, build):
    model = trained(build())
    model.save(tmp_path / "m.passos")
    loaded = load_model(tmp_path / "m.passos")
    x, _ = data()
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert_same_weights(loaded, model)
    assert loaded.get_config() == model.get_config()
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.loss is model.loss and loaded.metrics_names == model.metrics_names
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8


def test_loaded_model_continues_training_exactly(saved):
    path, model = saved
    loaded = load_model(path)
    trained(model), trained(loaded)
    assert_same_weights(loaded, model)
    x, y = data()
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_uncompiled_model_round_trip(tmp_path):
    model = Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    model.save(tmp_path / "m.passos")
    loaded = load_model(tmp_path / "m.passos")
    assert loaded.optimizer is None
    x = np.ones((5, 3), np.float32)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_sequential_built_from_data_keeps_its_input_shape(tmp_path):
    model = Sequential([Dense(4), Dense(2)])
    model.compile("sgd", "mse")
    model.predict(np.ones((2, 7), np.float32))
    model.save(tmp_path / "m.passos")
    assert load_model(tmp_path / "m.passos").input_shape == (None, 7)


def test_compile_false_and_nested_model(tmp_path):
    inputs = Input(shape=(6,))
    inner = Sequential([Dense(4, activation="relu"), Dense(2)])
    model = Model(inputs, inner(Dense(5)(inputs)))
    model.compile("rmsprop", "mse")
    model.save(tmp_path / "m.passos")
    loaded = load_model(tmp_path / "m.passos", compile=False)
    assert loaded.optimizer is None
    x, _ = data()
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_save_weights_and_load_weights(tmp_path):
    model, fresh = trained(sequential()), sequential()
    model.save_weights(tmp_path / "w.passos")
    fresh.load_weights(tmp_path / "w.passos")
    assert_same_weights(fresh, model)
    other = sequential()
    other.load_weights(tmp_path / "w.passos")  # a full model file works too after save()
    model.save(tmp_path / "m.passos")
    other.load_weights(tmp_path / "m.passos")
    assert_same_weights(other, model)


def test_custom_layer_needs_custom_objects(tmp_path):
    class Scale(Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x, training=False):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = Sequential([Dense(2, input_shape=(3,)), Scale(3.0)])
    model.save(tmp_path / "m.passos")
    with pytest.raises(ModelFileError, match=r"unknown layer class 'Scale': it is not in "
                       r"passos\.keras\.layers; .*custom_objects=\{'Scale': Scale\}"):
        load_model(tmp_path / "m.passos")
    loaded = load_model(tmp_path / "m.passos", custom_objects={"Scale": Scale})
    x = np.ones((4, 3), np.float32)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_custom_loss_is_saved_uncompiled_with_a_warning(tmp_path):
    def doubled_mse(y_true, y_pred):
        return passos.keras.losses.mean_squared_error(y_true, y_pred) * 2

    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile("sgd", doubled_mse)
    with pytest.warns(RuntimeWarning, match="saved uncompiled"):
        model.save(tmp_path / "m.passos")
    assert load_model(tmp_path / "m.passos").optimizer is None


def test_subclassed_model_cannot_be_saved_whole(tmp_path):
    class MyModel(Model):
        pass

    inputs = Input(shape=(3,))
    with pytest.raises(ValueError, match=r"not the subclass MyModel; save its weights"):
        MyModel(inputs, Dense(2)(inputs)).save(tmp_path / "m.passos")


# -- the file itself -------------------------------------------------------------------------
def test_file_layout(saved):
    path, model = saved
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("model.json"))
        assert manifest["format"] == "passos.keras"
        assert manifest["format_version"] == FORMAT_VERSION
        assert manifest["passos_version"] == passos.__version__
        assert manifest["model"]["class_name"] == "Sequential"
        assert manifest["model"]["config"] == model.get_config()
        assert manifest["compile"]["loss"] == "sparse_categorical_crossentropy"
        assert manifest["compile"]["metrics"] == ["accuracy"]
        assert manifest["compile"]["optimizer"]["class_name"] == "Adam"
        for item, weight in zip(manifest["weights"], model.get_weights()):
            array = np.load(io.BytesIO(archive.read(item["entry"])), allow_pickle=False)
            np.testing.assert_array_equal(array, weight)
        assert all(name == "model.json" or name.endswith(".npy") for name in archive.namelist())


# -- damaged and hostile files ---------------------------------------------------------------
def test_truncated_file(saved):
    path, _ = saved
    path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
    with pytest.raises(ValueError, match=rf"cannot load '{path}': it is not a passos model file "
                       r"\(not a zip archive, or truncated\)"):
        load_model(path)


@pytest.mark.parametrize("content", [b"", np.random.default_rng(0).bytes(2000)])
def test_random_bytes(tmp_path, content):
    path = tmp_path / "noise.passos"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="it is not a passos model file"):
        load_model(path)


def test_zip_that_is_not_a_passos_file(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError, match=r"the entry 'model\.json' is missing"):
        load_model(path)


def test_bad_json(saved):
    path, _ = saved
    rewrite(path, {"model.json": b"{'format': not json"})
    with pytest.raises(ModelFileError, match=r"'model\.json' is not valid JSON"):
        load_model(path)


def test_json_of_another_format(saved):
    path, _ = saved
    rewrite(path, {"model.json": json.dumps({"format": "keras", "weights": []})})
    with pytest.raises(ModelFileError, match=r"'model\.json' does not describe a passos model "
                       r"\(format 'keras', expected 'passos\.keras'\)"):
        load_model(path)


def test_newer_format_version(saved):
    path, _ = saved
    edit_manifest(path, lambda m: m.update(format_version=FORMAT_VERSION + 1,
                                           passos_version="9.0.0"))
    with pytest.raises(ModelFileError, match=rf"written by a newer passos \('9\.0\.0', format "
                       rf"version {FORMAT_VERSION + 1}\); this passos .* reads format versions up "
                       rf"to {FORMAT_VERSION}: upgrade passos"):
        load_model(path)


executed = []


class Payload:
    """Unpickling this would run code: the loader must refuse before that happens."""

    def __reduce__(self):
        return executed.append, ("code ran",)


@pytest.mark.parametrize("kind", ["raw pickle", "object array"])
def test_pickle_inside_is_refused_unexecuted(saved, kind):
    path, _ = saved
    if kind == "raw pickle":
        content = pickle.dumps(Payload())
    else:
        buffer = io.BytesIO()
        np.save(buffer, np.array([Payload()], dtype=object), allow_pickle=True)
        content = buffer.getvalue()
    rewrite(path, {"weights/0.npy": content})
    with pytest.raises(ModelFileError, match=r"the entry 'weights/0\.npy' (does not start with an "
                       r"\.npy|holds dtype object, not numbers)"):
        load_model(path)
    assert executed == []


def test_missing_weight_entry(saved):
    path, _ = saved
    rewrite(path, drop=["weights/1.npy"])
    with pytest.raises(ModelFileError, match=r"the entry 'weights/1\.npy' is missing"):
        load_model(path)


def test_weight_of_the_wrong_shape_in_the_file(saved):
    path, _ = saved
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 2), np.float32))
    rewrite(path, {"weights/0.npy": buffer.getvalue()})
    with pytest.raises(ModelFileError, match=r"weight 0 \('dense\w*/kernel'\) is float32 of shape "
                       r"\(6, 8\) in 'model\.json' but float32 of shape \(2, 2\) in its entry "
                       r"'weights/0\.npy'; the file is damaged or was altered"):
        load_model(path)


def test_load_weights_into_a_different_architecture(saved):
    path, _ = saved
    wider = Sequential([Dense(9, input_shape=(6,)), Dense(3)])
    with pytest.raises(ModelFileError, match=r"weight 0 \('dense\w*/kernel'\) has shape \(6, 8\) "
                       r"in the file but \(6, 9\) in the model"):
        wider.load_weights(path)
    deeper = Sequential([Dense(8, input_shape=(6,)), Dense(8), Dense(3)])
    with pytest.raises(ModelFileError, match=r"it holds 4 weights but model '\w+' has 6"):
        deeper.load_weights(path)


def test_unknown_layer_class_is_never_imported(saved):
    path, _ = saved
    edit_manifest(path, lambda m: m["model"]["config"]["layers"][0].update(class_name="core"))
    with pytest.raises(ModelFileError, match=r"unknown layer class 'core'"):
        load_model(path)


def test_malformed_config(saved):
    path, _ = saved
    edit_manifest(path, lambda m: m["model"]["config"]["layers"][2]["config"].update(units="8"))
    with pytest.raises(ModelFileError, match=r"layer 'dense\w*' \(Dense\) cannot be rebuilt from "
                       r"its config: Dense 'dense\w*': units must be a positive integer, got '8' \(str\)"):
        load_model(path)


def test_weights_only_file_given_to_load_model(tmp_path):
    sequential().save_weights(tmp_path / "w.passos")
    with pytest.raises(ModelFileError, match=r"it holds only weights \(written by save_weights\); "
                       r"build the model in code and call model\.load_weights\(path\)"):
        load_model(tmp_path / "w.passos")


# -- atomic saving ---------------------------------------------------------------------------
def test_failed_replace_leaves_the_old_file_and_no_temporary(saved, monkeypatch):
    path, _ = saved
    before = path.read_bytes()

    def fail(source, target):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        trained(sequential()).save(path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == [path.name]


def test_crash_while_writing_leaves_the_old_file(saved, monkeypatch):
    path, _ = saved
    before = path.read_bytes()
    real_save, calls = np.save, []

    def crash_on_third(file, array, allow_pickle=True):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_save(file, array, allow_pickle=allow_pickle)
    monkeypatch.setattr(np, "save", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        sequential().save(path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == [path.name]


def test_saving_into_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"cannot write '.*m.passos': the folder '.*nowhere' does not exist"):
        sequential().save(tmp_path / "nowhere" / "m.passos")
