"""tf.app: `tf.app.run()` and `tf.app.flags`."""
import sys

from . import flags


def run(main=None, argv=None):
    """Parse the flags from argv (sys.argv by default), call main(remaining argv) and exit
    with its return value (main defaults to the caller module's `main`)."""
    rest = flags.FLAGS(sys.argv if argv is None else argv)
    if main is None:
        main = sys.modules["__main__"].main
    sys.exit(main(rest))
