"""Keras' text progress bar, `Progbar` (keras.utils.generic_utils), the one fit prints with.

>>> bar = Progbar(4, verbose=2)  # verbose=2: one line, once the target is reached
>>> bar.update(1, [("loss", 1.0)])
>>> bar.add(3, [("loss", 0.5)])  # doctest: +ELLIPSIS
 - ...s - loss: 0.6250
"""
import sys
from time import perf_counter

import numpy as np

from ...notebook import in_notebook
from .live_line import NotebookLine, is_terminal


def _eta(seconds):
    """Keras' ETA: 1:02:03 past an hour, 2:03 past a minute, else 59s."""
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def _per_step(seconds):
    """Time per step in the unit that keeps the number whole: 2s, 35ms or 120us."""
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """A text progress bar: `24/100 [======>.......................] - ETA: 3s - loss: 0.4321`.

    target: the number of steps, None when unknown. verbose: 1 redraws the bar in place, at most
    every `interval` seconds, on a terminal ('\r') or in Jupyter (one output it replaces);
    elsewhere it writes the line once, when the target is reached; 2 writes one line when the
    target is reached; 0 nothing. Values are averaged over the steps seen, each weighted by the
    steps it covers, except those named in `stateful_metrics`, shown as given.
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None):
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.stateful_metrics = set(stateful_metrics or ())
        # a terminal or a notebook redraws the line in place; a file or pipe gets new lines
        self._notebook = NotebookLine() if verbose == 1 and in_notebook() else None
        self._dynamic_display = self._notebook is not None or is_terminal()
        self._values = {}  # name: [sum of value * steps, steps], in the order first seen
        self._seen_so_far = 0
        self._total_width = 0  # of the line on screen, to blank out what a shorter one leaves
        self._start = perf_counter()
        self._last_update = -np.inf

    def update(self, current, values=None):
        """Move to step `current`; `values` are (name, value) pairs (or a dict) for the steps
        since the last update."""
        steps = current - self._seen_so_far
        for name, value in values.items() if isinstance(values, dict) else values or ():
            if name in self.stateful_metrics:
                self._values[name] = [value, 1]
            else:
                total, count = self._values.get(name, (0, 0))
                self._values[name] = [total + value * steps, count + steps]
        self._seen_so_far = current
        now = perf_counter()
        finished = self.target is not None and current >= self.target
        due = finished or self.target is None or now - self._last_update >= self.interval
        # a file or pipe gets the finished line only: a log stays one line per epoch
        if self.verbose == 1 and due and (finished or self._dynamic_display or self.target is None):
            self._draw(self._bar(current) + self._timing(current, now) + self._averages(),
                       finished)
            self._last_update = now
        elif self.verbose == 2 and (finished or self.target is None):
            sys.stdout.write(f" - {now - self._start:.0f}s{self._averages()}\n")
            sys.stdout.flush()

    def add(self, n, values=None):
        """Move `n` steps on (see update)."""
        self.update(self._seen_so_far + n, values)

    def _bar(self, current):
        if self.target is None:
            return f"{int(current):7d}/Unknown"
        filled = int(self.width * current / self.target) if self.target else self.width
        arrow = (">" if current < self.target else "=") if filled > 0 else ""
        return (f"{int(current):{len(str(self.target))}d}/{self.target} "
                f"[{'=' * (filled - 1)}{arrow}{'.' * (self.width - filled)}]")

    def _timing(self, current, now):
        elapsed = now - self._start
        per_step = elapsed / current if current else 0
        if self.target is not None and current < self.target:
            return f" - ETA: {_eta(per_step * (self.target - current))}"
        return f" - {elapsed:.0f}s {_per_step(per_step)}"

    def _averages(self):
        text = ""
        for name, (total, count) in self._values.items():
            mean = np.mean(total / max(1, count))
            text += f" - {name}: {mean:.4f}" if abs(mean) > 1e-3 else f" - {name}: {mean:.4e}"
        return text

    def _draw(self, line, finished):
        """Redraw in place in a notebook, or on a terminal (blanking the rest of a longer line);
        else a new line."""
        if self._notebook is not None:
            self._notebook.show(line)
        elif self._dynamic_display:
            blank = " " * max(self._total_width - len(line), 0)
            sys.stdout.write("\r" + line + blank + ("\n" if finished else ""))
        else:
            sys.stdout.write(line + "\n")
        self._total_width = len(line)
        sys.stdout.flush()
