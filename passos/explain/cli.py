"""`passos explain ...`: the course's worked examples, step by step, on the command line.

    passos explain backprop                 the softmax regression's trace table
    passos explain conv [--padding same] [--stride 2]
    passos explain pool [--pool-size 3] [--stride 1] [--mode avg] [--padding same]

`add_explain_arguments(parser)` declares the options and `run_explain(args)` runs them; extend
both to add outputs or topics.
"""
import numpy as np

from .course import backprop_eager, backprop_graph
from .html import backprop_html, steps_html
from .steps import conv2d_steps, pool2d_steps
from .trace import trace

# the course's 5×5 image and 3×3 kernel
IMAGE = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
                  [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], np.float64)
KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], np.float64)
TOPICS = ("backprop", "conv", "pool")


def add_explain_arguments(parser):
    """Declare `passos explain`'s arguments on an argparse (sub)parser."""
    parser.add_argument("topic", choices=TOPICS,
                        help="backprop: the softmax regression's forward and backward steps; conv / "
                             "pool: the sliding window, frame by frame")
    parser.add_argument("--padding", choices=("valid", "same"), default="valid",
                        help="conv/pool: 'same' pads a border so the output keeps the size")
    parser.add_argument("--stride", type=int, default=1, help="conv/pool: window step (1)")
    parser.add_argument("--pool-size", type=int, default=3, help="pool: window size (3)")
    parser.add_argument("--mode", choices=("max", "avg"), default="max", help="pool: max or avg")
    parser.add_argument("--graph", action="store_true",
                        help="backprop: build the example as a graph and run it in a Session")
    parser.add_argument("--html", metavar="FILE",
                        help="write a page that steps through it in a browser (no server)")
    return parser


def explain_object(args):
    """The Trace or WindowSteps that `args` asks for."""
    if args.topic == "backprop":
        if args.graph:
            loss, feed_dict, session = backprop_graph()
            return trace(loss, feed_dict, session)
        return trace(backprop_eager())
    if args.topic == "conv":
        return conv2d_steps(IMAGE, KERNEL, strides=args.stride, padding=args.padding)
    return pool2d_steps(IMAGE, args.pool_size, strides=args.stride, padding=args.padding, mode=args.mode)


def run_explain(args):
    """Print the explanation; returns the exit status."""
    shown = explain_object(args)
    if args.html:
        path = (backprop_html(args.html, shown) if args.topic == "backprop"
                else steps_html(shown, args.html))
        print(f"wrote {path}: open it in a browser (Next / Previous, or the arrow keys)")
        return 0
    if args.topic == "backprop":
        print("The course's softmax regression: z = W x + b, h = exp(z), H = h1 + h2, "
              "y_hat = h / H, L = -sum(y log y_hat)")
        print(f"x = {shown.value('x').tolist()}, y = {shown.value('y').tolist()}\n")
        print(shown.table())
        y_hat1, y1 = shown.value("y_hat")[0], shown.value("y")[0]
        print(f"\n∂L/∂b1 = y_hat1 - y1 = {y_hat1:.4f} - {y1:g} = {shown.grad('b')[0]:+.4f}: the sum "
              "of the paths through y_hat1 directly, through H then y_hat1, and through H then y_hat2")
    else:
        print(shown.text())
    return 0
