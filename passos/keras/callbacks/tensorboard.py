"""The `TensorBoard` callback: loss, metrics, weight histograms and the model graph, as tf.keras
logs them (needs the optional extra: ``pip install 'passos[tensorboard]'``).
"""
import os
import warnings

import numpy as np

from .base import Callback


class TensorBoard(Callback):
    """Write TensorBoard logs during `fit`.

    Training values go to ``log_dir/train``, validation values to ``log_dir/validation``,
    both tagged 'epoch_loss', 'epoch_accuracy' ... so the runs overlay in the charts.
    histogram_freq: every how many epochs to write weight histograms (0: never).
    write_graph: write the model's graph (traced with one box per layer) once; "as_run" writes
    the training step as it runs instead (gradients, update, fused ops; scopes lost in fusion).
    write_images: also write 1-D and 2-D weights as images when histograms are written.
    update_freq: 'epoch', or 'batch' / an integer N to also write 'batch_loss' ...
    every N batches (step = batches trained so far). Other tf.keras arguments
    (profile_batch, embeddings_freq ...) are accepted and ignored.
    """

    writes_files = True  # a distributed fit runs it on rank 0 only

    def __init__(self, log_dir="./logs", histogram_freq=0, write_graph=True, write_images=False,
                 update_freq="epoch", batch_size=None, write_grads=False, profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None, write_steps_per_second=False,
                 embeddings_layer_names=None, embeddings_data=None):
        super().__init__()
        import passos.tensorboard  # noqa: F401 - fail here, naming the extra to install
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and not (isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                             f"number of batches, got {update_freq!r}")
        if histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be >= 0, got {histogram_freq}")
        self.log_dir, self.histogram_freq = str(log_dir), int(histogram_freq)
        self.write_graph, self.write_images, self.update_freq = write_graph, write_images, update_freq
        self._writers, self._batches = {}, 0

    def _writer(self, run):
        """The SummaryWriter of 'train' or 'validation', opened when first needed."""
        if run not in self._writers:
            from ...tensorboard import SummaryWriter
            self._writers[run] = SummaryWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def on_train_begin(self, logs=None):
        self._close_writers()
        self._batches = 0
        if self.write_graph:
            try:
                as_run = self.write_graph == "as_run"
                self._writer("train").add_graph(self.model._plan("train") if as_run else self.model)
            except (ValueError, TypeError, NotImplementedError) as error:
                warnings.warn(f"TensorBoard: could not trace model '{self.model.name}' for the "
                              f"graph view ({error}); logging the rest", stacklevel=2)
            self._writer("train").flush()

    def on_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch":
            return
        self._batches += 1
        if self._batches % self.update_freq == 0:
            writer = self._writer("train")
            for key, value in _numbers(logs):
                if key not in ("batch", "size"):
                    writer.add_scalar("batch_" + key, value, self._batches)

    def on_epoch_end(self, epoch, logs=None):
        # 1. the epoch's loss and metrics: val_* to the validation run, the rest to train
        for key, value in _numbers(logs):
            if key.startswith("val_"):
                self._writer("validation").add_scalar("epoch_" + key[4:], value, epoch)
            else:
                self._writer("train").add_scalar("epoch_" + key, value, epoch)
        # 2. the weights' distributions (and pictures) every histogram_freq epochs
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        self._close_writers()

    def _log_weights(self, epoch):
        writer = self._writer("train")
        for weight in self.model.weights:
            tag = (weight.name or "weight").replace(":", "_")
            writer.add_histogram(tag, weight.data, epoch)
            if self.write_images:
                picture = _weight_image(weight.data)
                if picture is not None:
                    writer.add_image(tag + "/image", picture, epoch, dataformats="HW")

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}


def _numbers(logs):
    """(key, float) for the entries of `logs` that are numbers."""
    for key, value in (logs or {}).items():
        try:
            yield key, float(value)
        except (TypeError, ValueError):
            continue


def _weight_image(w):
    """A 1-D or 2-D weight as an image in [0, 1] (wider than tall, as tf.keras draws it)."""
    w = np.squeeze(np.asarray(w, np.float64))
    if w.ndim == 1:
        w = w[None, :]
    elif w.ndim != 2:
        return None
    if w.shape[0] > w.shape[1]:
        w = w.T
    span = w.max() - w.min()
    return (w - w.min()) / span if span > 0 else np.zeros_like(w)
