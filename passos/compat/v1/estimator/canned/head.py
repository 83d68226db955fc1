"""Heads of the canned estimators: from logits and labels to predictions, loss and metrics.

As TF1's canned estimators, the training loss is the sum over the batch of the examples'
losses (times their weight_column weights; loss_reduction may ask for another reduction);
evaluation reports its mean over batches ('loss') and the weighted mean per example
('average_loss'), and weighs every metric.
"""
from .....ops import arithmetic as ar
from ... import losses, math_ops, metrics, nn
from ...array_ops import concat, expand_dims, reshape
from ...framework import name_scope
from ...math_ops import cast
from ...train import get_global_step
from ..model_fn import EstimatorSpec, ModeKeys


class ClassificationHead:
    """n_classes > 2: softmax over n_classes logits; 2: one logit, the positive class' sigmoid."""

    def __init__(self, n_classes):
        if not isinstance(n_classes, int) or n_classes < 2:
            raise ValueError(f"n_classes must be an integer > 1, given {n_classes!r}")
        self.n_classes = n_classes
        self.logits_dimension = 1 if n_classes == 2 else n_classes

    def predictions(self, logits):
        if self.n_classes == 2:
            logistic = nn.sigmoid(logits)
            probabilities = concat([1.0 - logistic, logistic], axis=1)
            extra = {"logistic": logistic}
        else:
            probabilities, extra = nn.softmax(logits), {}
        class_ids = expand_dims(math_ops.argmax(probabilities, axis=1), -1)
        return {"logits": logits, "probabilities": probabilities, "class_ids": class_ids, **extra}

    def example_losses(self, labels, logits):
        if self.n_classes == 2:
            return nn.sigmoid_cross_entropy_with_logits(
                labels=cast(reshape(labels, [-1, 1]), "float32"), logits=logits)
        return expand_dims(nn.sparse_softmax_cross_entropy_with_logits(
            labels=reshape(cast(labels, "int64"), [-1]), logits=logits), -1)

    def metrics(self, labels, predictions, weights):
        labels, ids = reshape(labels, [-1, 1]), predictions["class_ids"]
        found = {"accuracy": metrics.accuracy(labels, ids, weights)}
        if self.n_classes == 2:
            positive = predictions["logistic"]
            label_mean = metrics.mean(labels, weights, name="label/mean")
            found.update({
                "label/mean": label_mean,
                "prediction/mean": metrics.mean(positive, weights, name="prediction/mean"),
                "accuracy_baseline": tuple(ar.maximum(m, 1.0 - m) for m in label_mean),
                "auc": metrics.auc(labels, positive, weights),
                "auc_precision_recall": metrics.auc(labels, positive, weights, curve="PR"),
                "precision": metrics.precision(labels, ids, weights),
                "recall": metrics.recall(labels, ids, weights)})
        return found


class RegressionHead:
    """label_dimension real outputs; squared error."""

    def __init__(self, label_dimension):
        if not isinstance(label_dimension, int) or label_dimension < 1:
            raise ValueError(f"label_dimension must be a positive integer, given "
                             f"{label_dimension!r}")
        self.logits_dimension = label_dimension

    def predictions(self, logits):
        return {"predictions": logits}

    def example_losses(self, labels, logits):
        labels = reshape(cast(labels, "float32"), [-1, self.logits_dimension])
        return math_ops.squared_difference(labels, logits)

    def metrics(self, labels, predictions, weights):
        labels = reshape(cast(labels, "float32"), [-1, self.logits_dimension])
        return {"label/mean": metrics.mean(labels, weights, name="label/mean"),
                "prediction/mean": metrics.mean(predictions["predictions"], weights,
                                                name="prediction/mean")}


def estimator_spec(head, features, labels, mode, logits, optimizer, weights=None,
                   reduction=losses.Reduction.SUM):
    """The EstimatorSpec of a canned model: `head` on `logits`, trained with `optimizer`;
    `weights`: a function of the features giving each example's weight (batch, 1), or None."""
    with name_scope("head"):
        predictions = head.predictions(logits)
        if mode == ModeKeys.PREDICT:
            return EstimatorSpec(mode, predictions=predictions)
        if labels is None:
            raise ValueError("A canned estimator needs labels to train or evaluate: the input_fn "
                             "should return (features, labels)")
        example_losses = head.example_losses(labels, logits)
        weights = None if weights is None else weights(features)
        loss = losses.compute_weighted_loss(example_losses, 1.0 if weights is None else weights,
                                            reduction=reduction)
        if mode == ModeKeys.EVAL:
            found = head.metrics(labels, predictions, weights)
            found["average_loss"] = metrics.mean(example_losses, weights, name="average_loss")
            return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                 eval_metric_ops=found)
    train_op = optimizer.minimize(loss, global_step=get_global_step())
    return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)
