"""The `passos` command line: train and evaluate on Fashion-MNIST, and the course's examples.

Expected failures (missing data, a bad model file, a wrong argument) are one line on stderr
and exit status 2; `--debug` shows their traceback (see passos.command_errors).
"""
import argparse
import sys

from .command_errors import Parser, run_reporting


def _parser():
    parser = Parser(prog="passos", description="passos: deep learning you can see")
    parser.add_argument("--debug", action="store_true", default=False,
                        help="show the traceback of an expected failure (missing data, bad file)")
    commands = parser.add_subparsers(dest="command", required=True)
    from . import train_command

    def command(name, help):
        sub = commands.add_parser(name, help=help)
        # after the command too (`passos train --debug`); SUPPRESS keeps a --debug given before it
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show the traceback of an expected failure")
        return sub
    train_command.add_arguments(command("train", "train the course's dfn or cnn on Fashion-MNIST"))
    command("evaluate", "test accuracy of a saved model").add_argument("model_file")
    command("backprop", "the course's softmax regression, step by step")
    from .explain.cli import add_explain_arguments
    add_explain_arguments(command("explain", "every number, step by step: backprop, conv or pool"))
    graph = command("graph", "draw a saved Keras model as SVG (or DOT)")
    graph.add_argument("model_file")
    graph.add_argument("-o", "--output", default="model.svg", help="model.svg, or .dot for DOT")
    graph.add_argument("--expand", action="store_true", help="show the ops inside each layer")
    return parser


def main(argv=None):
    """Entry point of the `passos` command; returns the exit status."""
    args = _parser().parse_args(argv)
    return run_reporting(f"passos {args.command}", lambda: _run(args), args.debug)


def _run(args):
    from . import train_command
    if args.command == "train":
        train_command.train(args)
    elif args.command == "evaluate":
        train_command.evaluate(args)
    elif args.command == "backprop":
        from .course.backprop import table
        print(table())
    elif args.command == "explain":
        from .explain.cli import run_explain
        return run_explain(args)
    elif args.command == "graph":
        from .explain.draw import draw
        from .keras.models import load_model
        draw(load_model(args.model_file, compile=False), expand=args.expand, path=args.output)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
