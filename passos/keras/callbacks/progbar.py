"""ProgbarLogger: fit's progress through a Progbar, a bar per epoch (verbose=1) or a line (2)."""
from ... import arguments
from ..utils.generic_utils import Progbar
from .base import Callback


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and the epoch's Progbar, counting samples or steps (`count_mode`).

    Shows the metrics named in params['metrics'] (the validation ones at the epoch's end),
    averaged over the epoch except those in `stateful_metrics`; verbose comes from fit.
    """

    def __init__(self, count_mode="samples", stateful_metrics=None):
        super().__init__()
        count_mode = arguments.one_of(count_mode, "ProgbarLogger", "count_mode",
                                      ("samples", "steps"))
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or ())

    def on_train_begin(self, logs=None):
        self.verbose, self.epochs = self.params["verbose"], self.params["epochs"]

    def on_epoch_begin(self, epoch, logs=None):
        self.seen, self.log_values = 0, []
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.epochs}")
            self.target = self.params["steps" if self.use_steps else "samples"]
            self.progbar = Progbar(self.target, verbose=self.verbose,
                                   stateful_metrics=self.stateful_metrics)

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += 1 if self.use_steps else logs.get("size", 0)
        self.log_values = [(k, logs[k]) for k in self.params["metrics"] if k in logs]
        if self.verbose and self.seen < self.target:  # the last batch shows with the epoch's end
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose:
            shown = {k for k, _ in self.log_values}  # fit's epoch logs repeat the batch metrics
            extra = [(k, logs[k]) for k in self.params["metrics"]
                     if k in (logs or {}) and k not in shown]
            self.progbar.update(self.seen, self.log_values + extra)
