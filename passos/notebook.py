"""Jupyter awareness for what passos shows: is a kernel running, and showing figures inline there.

Nothing here imports IPython unless a kernel has already imported it, so plain Python pays nothing.
"""
import sys


def kernel_shell():
    """The running IPython kernel's shell (Jupyter), else None; ipykernel merely imported is not one."""
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return None
    from IPython import get_ipython
    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


def in_notebook():
    """True inside a running IPython kernel (Jupyter)."""
    return kernel_shell() is not None


def show_figures_inline():
    """In Jupyter, display a returned matplotlib Figure as a PNG, as pyplot's inline backend does
    once pyplot is imported; passos.plots makes figures without pyplot. A no-op elsewhere, and
    where a display for Figures is already set (pyplot's own, or the user's)."""
    shell = kernel_shell()
    if shell is None:
        return
    from matplotlib.figure import Figure
    formatters = shell.display_formatter.formatters
    if any(Figure in formatter.type_printers for formatter in formatters.values()):
        return
    from IPython.core.pylabtools import print_figure
    formatters["image/png"].for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))
