"""tf.flags (tf.app.flags): TF1's command-line flags, on argparse.

Define flags at import time; `FLAGS` parses sys.argv on the first attribute read, ignoring
arguments it does not know (as TF1's wrapper around absl does, `known_only=True`).

>>> import passos.compat.v1 as tf
>>> tf.flags.DEFINE_integer("doc_steps", 5, "training steps")
>>> tf.flags.FLAGS(["prog", "--doc_steps=7", "--other"])
['prog', '--other']
>>> tf.flags.FLAGS.doc_steps
7
"""
import argparse
import sys


def _boolean(text):
    value = str(text).strip().lower()
    if value in ("true", "t", "1", "yes", "y"):
        return True
    if value in ("false", "f", "0", "no", "n"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _bounded(kind, name, lower, upper):
    """kind (int or float) of the text, checked against absl's lower_bound and upper_bound."""
    def parse(text):
        value = kind(text)
        if (lower is not None and value < lower) or (upper is not None and value > upper):
            raise argparse.ArgumentTypeError(f"flag --{name}={value} is outside "
                                             f"[{lower}, {upper}]")
        return value
    return parse


def _list(text):
    return [part.strip() for part in str(text).split(",") if part.strip()]


class FlagValues:
    """The defined flags and their values; `FLAGS(argv)` parses and returns the rest of argv."""

    def __init__(self):
        self.__dict__.update(_defs={}, _values={}, _parsed=False)

    def define(self, name, default, help_text, parse):
        """Add flag `--name` (a second definition is an error, as in absl)."""
        if name in self._defs:
            raise ValueError(f"flags: flag '--{name}' is already defined; define each flag once")
        self._defs[name] = (default, help_text, parse)
        self._values[name] = parse(default) if isinstance(default, str) else default
        self.__dict__["_parsed"] = False

    def __call__(self, argv):
        parser = argparse.ArgumentParser(prog=argv[0] if argv else None, add_help=False,
                                         allow_abbrev=False)
        for name, (_, help_text, parse) in self._defs.items():
            if parse is _boolean:
                parser.add_argument(f"--{name}", nargs="?", const=True, type=_boolean,
                                    default=argparse.SUPPRESS, help=help_text)
                parser.add_argument(f"--no{name}", dest=name, action="store_false",
                                    default=argparse.SUPPRESS)
            else:
                parser.add_argument(f"--{name}", type=parse, default=argparse.SUPPRESS,
                                    help=help_text)
        known, rest = parser.parse_known_args(list(argv[1:]))
        self._values.update(vars(known))
        self.__dict__["_parsed"] = True
        return list(argv[:1]) + rest

    def __getattr__(self, name):
        if not self._parsed:
            self(sys.argv)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"flags: no flag '--{name}' is defined; define it with "
                                 f"tf.flags.DEFINE_...('{name}', default, help)") from None

    def __setattr__(self, name, value):
        if name not in self._defs:
            raise AttributeError(f"flags: no flag '--{name}' is defined, so it cannot be set")
        self._values[name] = value

    def __contains__(self, name):
        return name in self._defs

    def flag_values_dict(self):
        """{name: value} of every flag."""
        if not self._parsed:
            self(sys.argv)
        return dict(self._values)


FLAGS = FlagValues()


def DEFINE_string(name, default, help, flag_values=FLAGS):  # noqa: A002 (TF1's names)
    """A string flag `--name=value`."""
    flag_values.define(name, default, help, str)


def DEFINE_integer(name, default, help, lower_bound=None, upper_bound=None,  # noqa: A002
                   flag_values=FLAGS):
    """An integer flag."""
    flag_values.define(name, default, help, _bounded(int, name, lower_bound, upper_bound))


def DEFINE_float(name, default, help, lower_bound=None, upper_bound=None,  # noqa: A002
                 flag_values=FLAGS):
    """A float flag."""
    flag_values.define(name, default, help, _bounded(float, name, lower_bound, upper_bound))


def DEFINE_boolean(name, default, help, flag_values=FLAGS):  # noqa: A002
    """A boolean flag: `--name`, `--noname` or `--name=true|false`."""
    flag_values.define(name, default, help, _boolean)


def DEFINE_list(name, default, help, flag_values=FLAGS):  # noqa: A002
    """A comma-separated list flag: `--name=a,b,c` gives ['a', 'b', 'c']."""
    flag_values.define(name, default, help, _list)


DEFINE_bool = DEFINE_boolean
