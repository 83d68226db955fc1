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
    args = parser.parse_args(argv)
    if args.command == "train":
        train_command.train(args)
    elif args.command == "evaluate":
        train_command.evaluate(args)
    elif args.command == "backprop":
        from .course.backprop import table
        print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
