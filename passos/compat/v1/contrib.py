"""tf.contrib.layers: the parts teaching code uses (fully_connected, flatten, xavier_initializer,
variance_scaling_initializer, l1/l2 regularizers), built on tf.layers and tf's initializers;
tf.contrib.rnn: tf.nn.rnn_cell's cells, static_rnn and static_bidirectional_rnn."""
import types

from ... import arguments
from ...ops import arithmetic as ar, elementwise as el, reduce as rd
from . import init_ops, nn
from .framework import inputs, named
from .layers import Dense, flatten


def xavier_initializer(uniform=True, seed=None, dtype=None):
    """Glorot: variance 2 / (fan_in + fan_out), uniform or truncated normal."""
    return variance_scaling_initializer(1.0, "FAN_AVG", uniform, seed)


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=None):
    """Variance factor / n, n the fan given by mode ('FAN_IN', 'FAN_OUT', 'FAN_AVG')."""
    mode = arguments.one_of(mode, "variance_scaling_initializer", "mode",
                            ("FAN_IN", "FAN_OUT", "FAN_AVG"))
    return init_ops.variance_scaling_initializer(
        factor, mode.lower(), "uniform" if uniform else "truncated_normal", seed)


def _regularizer(who, scale, penalty):
    scale = arguments.number(scale, who, "scale", 0, float("inf"))
    if not scale:
        return lambda weights: None

    def regularize(weights):
        return named(who, lambda: ar.multiply(penalty(*inputs(weights)), scale))
    return regularize


def l2_regularizer(scale, scope=None):
    """weights -> scale * sum(weights²) / 2 (None when scale is 0)."""
    return _regularizer(scope or "l2_regularizer", scale,
                        lambda w: ar.multiply(rd.sum(el.square(w)), 0.5))


def l1_regularizer(scale, scope=None):
    """weights -> scale * sum(|weights|) (None when scale is 0)."""
    return _regularizer(scope or "l1_regularizer", scale, lambda w: rd.sum(el.abs(w)))


def fully_connected(inputs, num_outputs, activation_fn=nn.relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=None,
                    weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                    biases_regularizer=None, reuse=None, trainable=True, scope=None):
    """activation_fn(inputs @ weights + biases) (ReLU by default), variables
    'fully_connected/weights' and '/biases'; normalizer_fn replaces the biases."""
    layer = Dense(num_outputs, None, normalizer_fn is None and biases_initializer is not None,
                  weights_initializer or xavier_initializer(), biases_initializer,
                  weights_regularizer, biases_regularizer, trainable=trainable, name=scope,
                  _reuse=reuse)
    layer.base_name, layer.names = "fully_connected", ("weights", "biases")
    y = layer(inputs)
    if normalizer_fn is not None:
        y = normalizer_fn(y, **(normalizer_params or {}))
    return y if activation_fn is None else activation_fn(y)


layers = types.SimpleNamespace(
    flatten=flatten, fully_connected=fully_connected, xavier_initializer=xavier_initializer,
    xavier_initializer_conv2d=xavier_initializer,
    variance_scaling_initializer=variance_scaling_initializer, l1_regularizer=l1_regularizer,
    l2_regularizer=l2_regularizer)

rnn = types.SimpleNamespace(**vars(nn.rnn_cell), static_rnn=nn.static_rnn,
                            static_bidirectional_rnn=nn.static_bidirectional_rnn)

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
__path__ = []  # a package with no files: `import tf.contrib.<name>` asks the import hooks, which
# explain a name passos lacks (passos.unsupported_names.MissingNames.find_spec)
