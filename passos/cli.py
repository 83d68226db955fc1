"""The `passos` command line: train and evaluate on Fashion-MNIST, and the course's examples."""
import argparse
import sys


def main(argv=None):
    """Entry point of the `passos` command."""
    parser = argparse.ArgumentParser(prog="passos", description="passos: deep learning you can see")
    commands = parser.add_subparsers(dest="command", required=True)
    from . import train_command
    train_command.add_arguments(commands.add_parser(
        "train", help="train the course's dfn or cnn on Fashion-MNIST"))
    evaluate = commands.add_parser("evaluate", help="test accuracy of a saved model")
    evaluate.add_argument("model_file")
    commands.add_parser("backprop", help="the course's softmax regression, step by step")
    from .explain.cli import add_explain_arguments, run_explain
    add_explain_arguments(commands.add_parser(
        "explain", help="every number, step by step: backprop, conv or pool"))
    graph = commands.add_parser("graph", help="draw a saved Keras model as SVG (or DOT)")
    graph.add_argument("model_file")
    graph.add_argument("-o", "--output", default="model.svg", help="model.svg, or .dot for DOT")
    graph.add_argument("--expand", action="store_true", help="show the ops inside each layer")
    args = parser.parse_args(argv)
    if args.command == "train":
        train_command.train(args)
    elif args.command == "evaluate":
        train_command.evaluate(args)
    elif args.command == "backprop":
        from .course.backprop import table
        print(table())
    elif args.command == "explain":
        return run_explain(args)
    elif args.command == "graph":
        from .explain.draw import draw
        from .keras.models import load_model
        draw(load_model(args.model_file, compile=False), expand=args.expand, path=args.output)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
