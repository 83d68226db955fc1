"""tf.logging: TF1's log messages (an Estimator's "loss = ..., step = ...") on Python's logging.

Messages go to the logger "passos.compat.v1"; as in TF1, only warnings show until
`tf.logging.set_verbosity(tf.logging.INFO)`.
"""
import logging
import sys

DEBUG, INFO, WARN, ERROR, FATAL = (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR,
                                   logging.CRITICAL)
logger = logging.getLogger("passos.compat.v1")


def set_verbosity(v):
    """Show messages of level `v` and above (on stderr, unless the logger has a handler)."""
    logger.setLevel(v)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:tensorflow:%(message)s"))
        logger.addHandler(handler)


def get_verbosity():
    return logger.getEffectiveLevel()


debug, info, warning, error, fatal = (logger.debug, logger.info, logger.warning, logger.error,
                                      logger.critical)
warn = warning
