"""Where a progress bar redraws its line: in Jupyter (passos.notebook tells), on a terminal, or neither.

In Jupyter stdout is no terminal, and '\\r' redraws are stored in the notebook as every line
drawn; a display handle keeps one output that each redraw replaces, so a saved or rendered
notebook shows one line per bar.
"""
import sys


def is_terminal():
    """True when stdout is a terminal, where '\\r' redraws the line."""
    return bool(getattr(sys.stdout, "isatty", lambda: False)())


class NotebookLine:
    """One text output in a notebook, shown on the first draw and replaced on each later one."""

    def __init__(self):
        self._handle = None

    def show(self, line):
        from IPython.display import display
        bundle = {"text/plain": line}
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)
