"""LinearClassifier and LinearRegressor: a weighted sum of the feature columns, as TF1's.

Each column gets its weights 'linear/linear_model/<column name>/weights' (width, units) and the
model one 'linear/linear_model/bias_weights' (units,), all starting at zero; a categorical
column (categorical_column_with_identity) counts as its one-hot vector, the weight of its id.
The default optimizer is FTRL-Proximal with learning rate 0.2, as TF1's.
"""
from ... import math_ops, nn
from ...feature_column import IdentityColumn, IndicatorColumn
from ...init_ops import zeros_initializer
from ...variables import get_variable, variable_scope
from ..estimator import Estimator
from ..model_fn import ModeKeys
from .base import CannedClassifier, example_weights, loss_reduction, unsupported
from .head import ClassificationHead, RegressionHead, estimator_spec
from .optimizers import get_optimizer

LEARNING_RATE = 0.2  # TF1's canned linear estimators' rate for an optimizer given by name
_COMBINERS = ("sum", "mean", "sqrtn")  # alike here: a passos categorical column has one id


def linear_logits(features, feature_columns, units, who):
    """(batch, units): the sum over the columns of their values times their weights, plus bias."""
    terms = []
    with variable_scope("linear_model"):
        for column in sorted(feature_columns, key=lambda c: c.name):
            dense = IndicatorColumn(column) if isinstance(column, IdentityColumn) else column
            if not hasattr(dense, "dense"):
                raise ValueError(f"{who}: feature_columns must be numeric, indicator or "
                                 f"categorical (identity) columns, given {column!r:.80}")
            with variable_scope(column.name):
                weights = get_variable("weights", [dense.width, units],
                                       initializer=zeros_initializer())
                terms.append(math_ops.matmul(dense.dense(features), weights))
        bias = get_variable("bias_weights", [units], initializer=zeros_initializer())
        return nn.bias_add(math_ops.add_n(terms) if len(terms) > 1 else terms[0], bias,
                           name="weighted_sum")


def _linear_model_fn(head, feature_columns, optimizer, weight_column, reduction,
                     sparse_combiner, who):
    """A model_fn for `head` on the linear model described above."""
    feature_columns = list(feature_columns or [])
    if not feature_columns:
        raise ValueError(f"{who}: feature_columns must not be empty")
    if sparse_combiner not in _COMBINERS:
        raise ValueError(f"{who}: sparse_combiner must be one of {_COMBINERS}, given "
                         f"{sparse_combiner!r}")
    weights, reduction = example_weights(weight_column, who), loss_reduction(reduction, who)

    def model_fn(features, labels, mode, config):
        if not isinstance(features, dict):
            raise ValueError(f"{who}: the input_fn's features must be a dict {{feature name: "
                             f"tensor}}, given {type(features).__name__}")
        with variable_scope("linear"):
            logits = linear_logits(features, feature_columns, head.logits_dimension, who)
        train = mode == ModeKeys.TRAIN
        return estimator_spec(head, features, labels, mode, logits,
                              get_optimizer(optimizer, who, LEARNING_RATE) if train else None,
                              weights, reduction)
    return model_fn


class LinearClassifier(CannedClassifier):
    """A linear classifier over n_classes: evaluate gives 'accuracy', 'average_loss', 'loss'
    (and, with two classes, 'auc', 'precision', 'recall' ...); predict gives 'logits',
    'probabilities', 'class_ids', 'classes' (and with two classes 'logistic')."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Ftrl", config=None, partitioner=None,
                 warm_start_from=None, loss_reduction=None, sparse_combiner="sum"):
        unsupported("LinearClassifier", label_vocabulary=label_vocabulary)
        super().__init__(_linear_model_fn(ClassificationHead(n_classes), feature_columns,
                                          optimizer, weight_column, loss_reduction,
                                          sparse_combiner, "LinearClassifier"),
                         model_dir=model_dir, config=config, warm_start_from=warm_start_from)


class LinearRegressor(Estimator):
    """A linear regressor of label_dimension values: evaluate gives 'average_loss', 'loss';
    predict gives 'predictions'."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=None, sparse_combiner="sum"):
        super().__init__(_linear_model_fn(RegressionHead(label_dimension), feature_columns,
                                          optimizer, weight_column, loss_reduction,
                                          sparse_combiner, "LinearRegressor"),
                         model_dir=model_dir, config=config, warm_start_from=warm_start_from)
