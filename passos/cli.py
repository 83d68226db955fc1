"""The `passos` command line."""
import argparse
import sys


def main(argv=None):
    """Entry point: `passos backprop` prints the course's worked back-propagation example."""
    parser = argparse.ArgumentParser(prog="passos", description="passos: deep learning you can see")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backprop", help="the course's softmax regression, step by step")
    args = parser.parse_args(argv)
    if args.command == "backprop":
        from .course.backprop import table
        print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
