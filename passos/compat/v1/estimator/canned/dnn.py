"""DNNClassifier and DNNRegressor: feed-forward networks over feature columns, as TF1's.

The network: input_layer of the columns, one tf.layers.dense per hidden_units entry
(activation_fn, then dropout while training), a dense logits layer; its variables are named
as TF1's ('dnn/hiddenlayer_0/kernel', 'dnn/logits/bias', ...).
"""
from ... import nn
from ...feature_column import input_layer
from ...layers import dense, dropout as dropout_layer
from ...variables import variable_scope
from ..estimator import Estimator
from ..model_fn import ModeKeys
from .base import CannedClassifier, example_weights, loss_reduction, unsupported
from .head import ClassificationHead, RegressionHead, estimator_spec
from .optimizers import get_optimizer


def _dnn_model_fn(head, hidden_units, feature_columns, optimizer, activation_fn, dropout,
                  weight_column, reduction, who):
    """A model_fn for `head` on the network described above."""
    if not feature_columns:
        raise ValueError(f"{who}: feature_columns must not be empty")
    if dropout is not None and not 0 <= dropout < 1:
        raise ValueError(f"{who}: dropout must be in [0, 1), given {dropout}")
    weights, reduction = example_weights(weight_column, who), loss_reduction(reduction, who)

    def model_fn(features, labels, mode, config):
        with variable_scope("dnn"):
            with variable_scope("input_from_feature_columns"):
                net = input_layer(features, feature_columns)
            for i, units in enumerate(hidden_units):
                net = dense(net, units, activation=activation_fn, name=f"hiddenlayer_{i}")
                if dropout and mode == ModeKeys.TRAIN:
                    net = dropout_layer(net, rate=dropout, training=True)
            logits = dense(net, head.logits_dimension, name="logits")
        return estimator_spec(head, features, labels, mode, logits,
                              get_optimizer(optimizer, who) if mode == ModeKeys.TRAIN else None,
                              weights, reduction)
    return model_fn


class DNNClassifier(CannedClassifier):
    """A classifier over n_classes: evaluate gives 'accuracy', 'average_loss', 'loss' (and, with
    two classes, 'auc', 'precision', 'recall' ...); predict gives 'logits', 'probabilities',
    'class_ids' and 'classes' (the class ids as bytes, as TF1 without a label_vocabulary)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, optimizer="Adagrad",
                 activation_fn=nn.relu, dropout=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=None, batch_norm=False):
        unsupported("DNNClassifier", label_vocabulary=label_vocabulary, batch_norm=batch_norm)
        super().__init__(_dnn_model_fn(ClassificationHead(n_classes), hidden_units,
                                       feature_columns, optimizer, activation_fn, dropout,
                                       weight_column, loss_reduction, "DNNClassifier"),
                         model_dir=model_dir, config=config, warm_start_from=warm_start_from)


class DNNRegressor(Estimator):
    """A regressor of label_dimension values: evaluate gives 'average_loss', 'loss';
    predict gives 'predictions'."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1,
                 weight_column=None, optimizer="Adagrad", activation_fn=nn.relu, dropout=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None,
                 loss_reduction=None, batch_norm=False):
        unsupported("DNNRegressor", batch_norm=batch_norm)
        super().__init__(_dnn_model_fn(RegressionHead(label_dimension), hidden_units,
                                       feature_columns, optimizer, activation_fn, dropout,
                                       weight_column, loss_reduction, "DNNRegressor"),
                         model_dir=model_dir, config=config, warm_start_from=warm_start_from)
