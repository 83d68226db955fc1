"""What the TF1 tests share: `fresh_graph`, an autouse fixture giving each test an empty default
graph (a test module imports it to use it), and `run(fetches, feed_dict)`, a one-off session
with its variables initialised."""
import pytest

import passos.compat.v1 as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def run(fetches, feed_dict=None):
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        return s.run(fetches, feed_dict)
