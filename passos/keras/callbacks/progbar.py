"""Keras-style progress display: a per-batch bar with ETA (verbose=1), one line per epoch (verbose=2)."""
import sys
import time

from .base import Callback


def _format_duration(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _format_values(values):
    return "".join(f" - {k}: {v:.4f}" for k, v in values.items())


class Progbar:
    """A text progress bar for `target` samples (or steps: `unit`), redrawn at most every
    `interval` seconds."""

    def __init__(self, target, width=30, interval=0.1, stream=None, unit="sample"):
        self.target, self.width, self.interval, self.unit = target, width, interval, unit
        self.stream = stream or sys.stdout
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start, self.last_draw = time.perf_counter(), 0.0
        self.sums, self.count = {}, 0

    def update(self, done, values, size):
        """Record `values` of a batch of `size` samples; redraw when due."""
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value * size
        self.count += size
        now = time.perf_counter()
        if self.interactive and (now - self.last_draw >= self.interval or done >= self.target):
            self.last_draw = now
            self.stream.write("\r" + self.line(done, now))
            self.stream.flush()

    def averages(self):
        return {k: s / max(self.count, 1) for k, s in self.sums.items()}

    def line(self, done, now):
        digits = len(str(self.target))
        filled = int(self.width * done / max(self.target, 1))
        bar = "=" * filled
        if done < self.target:
            bar = bar[:-1] + ">" if filled else ">"
        bar = f"{done:>{digits}}/{self.target} [{bar:<{self.width}}]"
        elapsed = now - self.start
        if done < self.target:
            eta = elapsed / max(done, 1) * (self.target - done)
            timing = f" - ETA: {_format_duration(eta)}"
        else:
            timing = f" - {_format_duration(elapsed)} {elapsed / max(done, 1) * 1e6:.0f}us/{self.unit}"
        return bar + timing + _format_values(self.averages())

    def finish(self, extra):
        """Write the final line of the epoch, with `extra` (validation) values appended."""
        now = time.perf_counter()
        line = self.line(self.target, now) + _format_values(extra)
        self.stream.write(("\r" if self.interactive else "") + line + "\n")
        self.stream.flush()


class ProgbarLogger(Callback):
    """Prints training progress: verbose=1 a bar per epoch, verbose=2 one line per epoch."""

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        self.stream.write(f"Epoch {epoch + 1}/{self.params['epochs']}\n")
        self.start = time.perf_counter()
        self.done = 0
        if self.verbose == 1:  # generators count steps: their samples are unknown ahead
            steps = self.params["samples"] is None
            self.bar = Progbar(self.params["steps"] if steps else self.params["samples"],
                               stream=self.stream, unit="step" if steps else "sample")

    def on_batch_end(self, batch, logs=None):
        if self.bar is None:
            return
        size = logs.get("size", 0) if self.params["samples"] else 1
        self.done += size
        values = {k: v for k, v in logs.items() if k not in ("batch", "size")}
        self.bar.update(self.done, values, size)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.verbose == 1:
            extra = {k: v for k, v in logs.items() if k.startswith("val_")}
            self.bar.finish(extra)
        else:
            elapsed = time.perf_counter() - self.start
            self.stream.write(f" - {_format_duration(elapsed)}{_format_values(logs)}\n")
            self.stream.flush()
