"""passos.explain: see every number a network computes, and why.

`trace` (forward values and backward gradients, step by step), `draw` (the graph as SVG or
DOT), `html` (a page that steps through it), `check_gradients` (finite differences at every
node), `conv2d_steps` / `pool2d_steps` and `steps_html` (sliding windows frame by frame),
`GradientHealth` (a Keras callback, also in `passos.keras.callbacks`).
"""
from .checks import GradientReport, check_gradients
from .draw import draw
from .health import GradientHealth
from .html import html, steps_html
from .steps import conv2d_steps, pool2d_steps
from .trace import Trace, trace
