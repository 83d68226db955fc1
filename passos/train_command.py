"""`passos train` and `passos evaluate`: Fashion-MNIST with the course's models.

train writes to --out: model.passos (architecture + weights), metrics.json (per-epoch history
and test scores), confusion_matrix.png and misclassified.png (these need matplotlib).
Under `mpiexec -n N` (or with --distributed) it trains data-parallel: --batch-size per
process, so the global batch is N times larger, and the learning rate scaled to match
(--lr-scaling, see scaled_learning_rate); only rank 0 prints, tests and writes.
"""
import argparse
import json
import os
import time

import numpy as np

from . import distributed
from .command_errors import CommandError
from .course import fashion
from .io import atomic_write
from .data import fashion_mnist
from .ops import random as passos_random

# with the learning rate halved on plateaus: >= 0.89 (dfn), >= 0.92 (cnn) on test
DEFAULTS = {model: {"epochs": 20, "batch_size": 128, "optimizer": "adam", "lr": 1e-3}
            for model in ("dfn", "cnn")}


def _positive(kind):
    """An argparse type: a `kind` number above 0, else argparse's one-line error."""
    def convert(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:
            noun = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {noun} above 0, got {text!r}")
        return value
    return convert


def _fraction(text):
    """An argparse type: a float in [0, 1), the share of the data held out for validation."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 up to (not including) 1, got {text!r}")
    return value


def add_arguments(parser):
    parser.add_argument("--model", choices=sorted(fashion.MODELS), default="dfn")
    parser.add_argument("--epochs", type=_positive(int))
    parser.add_argument("--batch-size", type=_positive(int))
    parser.add_argument("--optimizer", choices=["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax"])
    parser.add_argument("--lr", type=_positive(float), help="learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--validation-split", type=_fraction, default=0.1)
    parser.add_argument("--limit", type=_positive(int), help="train on the first N images only (quick runs)")
    parser.add_argument("--out", default="out", help="folder for the model, metrics and figures")
    parser.add_argument("--logdir", help="also write TensorBoard logs (loss, accuracy, graph) here")
    parser.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])
    parser.add_argument("--distributed", action="store_true",
                        help="train data-parallel over MPI processes (automatic under mpiexec)")
    parser.add_argument("--lr-scaling", choices=["linear", "sqrt", "none"],
                        help="learning rate x N (sgd's default) or x sqrt(N) (the adaptive "
                             "optimizers' default) for N processes, reached over a warm-up epoch")


def scaled_learning_rate(lr, optimizer, processes, scaling=None):
    """The learning rate for `processes` times the batch: lr x N for SGD (Goyal et al. 2017's
    linear scaling: N small steps ~ one step N times larger), lr x sqrt(N) for the adaptive
    optimizers (their steps are normalised, the gradient noise shrinks by sqrt(N))."""
    scaling = scaling or ("linear" if optimizer == "sgd" else "sqrt")
    return lr * {"linear": processes, "sqrt": processes ** 0.5, "none": 1}[scaling]


def train(args):
    """Train, evaluate on the test set and write the outputs; returns the test accuracy."""
    from .keras import optimizers
    settings = {**DEFAULTS[args.model], **{key: getattr(args, key) for key in DEFAULTS[args.model]
                                           if getattr(args, key) is not None}}
    parallel = args.distributed or distributed.launched()
    processes = 1
    if parallel:
        distributed.init()
        processes = distributed.size()
        settings["lr"] = scaled_learning_rate(settings["lr"], settings["optimizer"], processes,
                                              args.lr_scaling)
    writer = not parallel or distributed.rank() == 0
    passos_random.seed(args.seed)
    # 1. data
    (train_images, train_labels), (test_images, test_labels) = _load_data()
    if args.limit:
        train_images, train_labels = train_images[:args.limit], train_labels[:args.limit]
    x_train, y_train = fashion.prepare(train_images, train_labels, args.model)
    x_test, y_test = fashion.prepare(test_images, test_labels, args.model)
    # 2. model
    model = fashion.MODELS[args.model]()
    optimizer = optimizers.get(settings["optimizer"])
    optimizer.learning_rate = settings["lr"]
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    if writer:
        print(f"passos train: {args.model}, {len(x_train):,} images, {settings['epochs']} "
              f"epochs, batch {settings['batch_size']}"
              + (f" x {processes} processes" if parallel else "")
              + f", {settings['optimizer']} lr {settings['lr']:g}")
    # 3. training (data-parallel: every process holds the model, rank 0's weights to start)
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=settings["batch_size"],
                        epochs=settings["epochs"], validation_split=args.validation_split,
                        verbose=args.verbose, callbacks=_callbacks(args, parallel, settings["lr"]),
                        distributed=parallel)
    seconds = time.perf_counter() - start
    if not writer:
        return None
    # 4. test scores and outputs (one writer)
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    predictions = model.predict(x_test, batch_size=256).argmax(-1)
    print(f"test accuracy: {accuracy:.4f} (loss {loss:.4f}); training took {seconds:.1f}s")
    os.makedirs(args.out, exist_ok=True)
    model.save(os.path.join(args.out, "model.passos"))
    _write_json(os.path.join(args.out, "metrics.json"), {
        "model": args.model, "settings": settings, "seed": args.seed, "processes": processes,
        "global_batch_size": settings["batch_size"] * processes,
        "history": history.history, "test_loss": loss, "test_accuracy": accuracy,
        "train_seconds": seconds})
    _write_figures(args.out, test_images, test_labels, predictions)
    return accuracy


def _callbacks(args, parallel, lr):
    """The learning rate halved on plateaus (warmed up over the first epoch when data-parallel);
    TensorBoard logs when --logdir is given."""
    from .keras import callbacks
    warmup = [callbacks.LearningRateWarmupCallback(lr, warmup_epochs=1)] \
        if parallel and distributed.size() > 1 else []
    chosen = warmup + [callbacks.ReduceLROnPlateau(
        monitor="val_loss" if args.validation_split else "loss", factor=0.5, patience=2,
        verbose=1)]
    if args.logdir:
        from .keras.callbacks.tensorboard import TensorBoard
        chosen.append(TensorBoard(log_dir=args.logdir))
    return chosen


def evaluate(args):
    """Test accuracy and confusion matrix of a saved model."""
    from .keras.models import load_model
    from .plots import confusion_matrix
    model = load_model(args.model_file)
    _, (test_images, test_labels) = _load_data()
    name = "dfn" if len(model.input_shape) == 2 else "cnn"
    x_test, y_test = fashion.prepare(test_images, test_labels, name)
    predictions = model.predict(x_test, batch_size=256).argmax(-1)
    accuracy = float(np.mean(predictions == test_labels))
    print(f"test accuracy: {accuracy:.4f}")
    print(_confusion_text(confusion_matrix(test_labels, predictions, 10)))
    return accuracy


def _load_data():
    """Fashion-MNIST; damaged files are the user's to replace (a CommandError), not a bug."""
    try:
        return fashion_mnist.load_data()
    except ValueError as error:
        raise CommandError(str(error)) from error


def _confusion_text(cm):
    names = [n[:7] for n in fashion_mnist.label_names]
    lines = ["true \\ predicted " + " ".join(f"{n:>7}" for n in names)]
    for name, row in zip(fashion_mnist.label_names, cm):
        lines.append(f"{name:<16} " + " ".join(f"{v:>7}" for v in row))
    return "\n".join(lines)


def _write_json(path, data):
    atomic_write(path, json.dumps(data, indent=1))


def _write_figures(out, images, labels, predictions):
    try:
        from . import plots
        cm = plots.confusion_matrix(labels, predictions, 10)
        plots.plot_confusion_matrix(cm, fashion_mnist.label_names,
                                    path=os.path.join(out, "confusion_matrix.png"))
        plots.plot_misclassified(images, labels, predictions, fashion_mnist.label_names,
                                 path=os.path.join(out, "misclassified.png"))
    except ImportError as error:
        print(f"(figures skipped: {error})")
