"""How the `passos` command reports failures: a user's mistake in one line, a bug with its traceback.

Expected failures (missing data, a bad or unsafe model file, a file that is not there, a wrong
argument) print `passos train: error: ...` on stderr and exit with status 2, as argparse does
for a wrong option; `--debug` adds the traceback. Anything else is a bug and keeps its traceback.
"""
import argparse
import sys
import traceback

USAGE_ERROR = 2  # argparse's status for a wrong argument; one status for every expected failure


class CommandError(Exception):
    """A failure the user can fix (data, files, arguments), said in one line."""


class Parser(argparse.ArgumentParser):
    """argparse, but a wrong argument is one line (with where to read the usage), not the usage."""

    def error(self, message):
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def expected_errors():
    """The exception types that are the user's to fix, not bugs."""
    from .keras.saving_checks import ModelFileError
    return (CommandError, ModelFileError, OSError)


def one_line(error):
    """The error's message on one line; an OSError as 'path: reason'."""
    if isinstance(error, OSError) and error.strerror and error.filename is not None:
        text = f"{error.filename}: {error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def run_reporting(prog, run, debug=False):
    """run()'s exit status; an expected failure prints one line on stderr (its traceback too
    when `debug`) and gives USAGE_ERROR, any other error propagates with its traceback."""
    try:
        return run()
    except expected_errors() as error:
        if debug:
            traceback.print_exc()
        print(f"{prog}: error: {one_line(error)}", file=sys.stderr)
        return USAGE_ERROR
