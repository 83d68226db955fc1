"""What every TF1 test shares: an empty default graph before and after each test."""
import pytest

import passos.compat.v1 as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()
