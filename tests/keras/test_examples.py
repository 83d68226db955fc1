"""The Keras-2 example programs (examples/*.py) run in their quick mode and learn something.

Each runs as a program (`--quick`: a few hundred samples, one or two epochs) on Fashion-MNIST
where it is installed, else on the small stand-in of `fake_fashion_mnist`; the IMDB-style one
makes its own reviews. The examples that need parts of passos.keras still being written skip
until those parts exist.
"""
import importlib
import importlib.util
import re
import runpy
import sys
from pathlib import Path

import pytest

import passos
from passos.data import fashion_mnist
from passos.keras.models import Model

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def _installed():
    """True where Fashion-MNIST's four files are where load_data() looks."""
    return any(all(any(Path(folder, name + ext).is_file() for ext in ("", ".gz"))
                   for name in fashion_mnist.FILES) for folder in fashion_mnist.search_dirs())


@pytest.fixture
def fashion(fake_fashion_mnist):
    """Real Fashion-MNIST where installed, else a small easy stand-in."""
    if not _installed():
        fake_fashion_mnist(600, 200)


def _run(script, capsys, monkeypatch, *flags):
    """Run examples/`script` with --quick and `flags`: (its output, its globals)."""
    monkeypatch.setattr(sys, "argv", [script, "--quick", *flags])
    passos.random.seed(0)
    names = runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    return capsys.readouterr().out, names


def _number(pattern, out):
    return float(re.search(pattern, out).group(1))


def test_imdb_lstm_learns_which_words_carry_the_sentiment(capsys, monkeypatch):
    out, names = _run("imdb_lstm.py", capsys, monkeypatch)
    assert "Epoch 2/2" in out and names["x_train"].shape == (800, 30)
    assert _number(r"Test accuracy: ([0-9.]+)", out) > 0.75  # chance is 0.5; it reaches ~0.95


def test_siamese_network_shares_its_base_and_separates_pairs(capsys, monkeypatch, fashion):
    out, names = _run("siamese.py", capsys, monkeypatch)
    # One base network called twice: the siamese model holds its weights once.
    assert names["model"].count_params() == names["base_network"].count_params()
    assert _number(r"Accuracy on test set: ([0-9.]+)%", out) > 55  # chance is 50%


def test_denoising_autoencoder_reconstructs_better_after_training(capsys, monkeypatch, fashion,
                                                                   tmp_path):
    figure = tmp_path / "denoised.png"
    out, _ = _run("denoising_autoencoder.py", capsys, monkeypatch, "--plot", str(figure))
    before = _number(r"loss before training: ([0-9.]+)", out)
    after = _number(r"loss after training: ([0-9.]+)", out)
    assert after < 0.8 * before
    if importlib.util.find_spec("matplotlib"):
        assert figure.stat().st_size > 0 and f"Figure saved to {figure}" in out


def test_augmented_cnn_learns_from_generated_batches(capsys, monkeypatch, fashion):
    if not hasattr(Model, "fit_generator"):
        pytest.skip("fit_generator not available yet")
    out, _ = _run("augmented_cnn.py", capsys, monkeypatch)
    assert "Epoch 2/2" in out
    assert _number(r"Test accuracy: ([0-9.]+)", out) > 0.3  # chance is 0.1; it reaches ~0.65


def test_sklearn_grid_search_picks_a_setting_from_the_grid(capsys, monkeypatch, fashion):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    try:
        importlib.import_module("passos.keras.wrappers.scikit_learn")
    except ImportError:
        pytest.skip("passos.keras.wrappers.scikit_learn not available yet")
    out, names = _run("sklearn_grid_search.py", capsys, monkeypatch)
    assert len(names["validator"].cv_results_["params"]) == 4
    assert names["validator"].best_params_["dense_layer_sizes"] in ([32], [64])
    assert _number(r"Test accuracy: ([0-9.]+)", out) > 0.15  # chance is 0.1


def test_variational_autoencoder_learns_a_latent_plane_from_its_added_loss(capsys, monkeypatch,
                                                                          fashion):
    out, names = _run("variational_autoencoder.py", capsys, monkeypatch)
    losses = names["history"].history["loss"]
    assert losses[-1] < losses[0]  # the KL + reconstruction loss given to add_loss falls
    assert names["vae"].metrics_names == ["loss"] and "val_loss" in names["history"].history
    # an encoder that ignored its input (z_mean constant) would put every class centre at 0
    assert _number(r"latent plane: ([0-9.]+)", out) > 0.1


def test_tf1_estimator_trains_and_resumes_a_dnn_classifier(capsys, monkeypatch, fashion, tmp_path):
    out, names = _run("tf1_estimator.py", capsys, monkeypatch, "--model-dir", str(tmp_path))
    steps = -(-len(names["x_train"]) // 128)  # batches in an epoch
    # the second train call continued from the first one's checkpoint
    assert f"Epoch 1/2 - global_step: {steps} " in out
    assert f"Epoch 2/2 - global_step: {2 * steps} " in out
    assert names["classifier"].latest_checkpoint().endswith(f"model.ckpt-{2 * steps}")
    assert _number(r"Test accuracy: ([0-9.]+)", out) > 0.5  # chance is 0.1
    assert "First test image: class" in out
    assert f"tensorboard --logdir {tmp_path}" in out
