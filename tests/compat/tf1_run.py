"""`run(fetches, feed_dict)`: the TF1 tests' one-off session, its variables initialised."""
import passos.compat.v1 as tf


def run(fetches, feed_dict=None):
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        return s.run(fetches, feed_dict)
