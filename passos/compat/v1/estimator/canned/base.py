"""What the canned estimators share: their classifiers' predict ('classes' as bytes), the
weight_column of the examples, and the refusal of the options passos lacks."""
import numpy as np

from ... import losses
from ...array_ops import reshape
from ...feature_column import NumericColumn, numeric_column
from ..estimator import Estimator


class CannedClassifier(Estimator):
    """An Estimator whose predictions hold 'class_ids', to which predict adds 'classes'."""

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                yield_single_examples=True):
        keys = None if predict_keys is None else (
            [predict_keys] if isinstance(predict_keys, str) else list(predict_keys))
        # 'classes' are strings, which passos graphs do not hold: made here from 'class_ids'
        fetch = None if keys is None else sorted({k for k in keys if k != "classes"} |
                                                 ({"class_ids"} if "classes" in keys else set()))
        for found in super().predict(input_fn, fetch, hooks, checkpoint_path,
                                     yield_single_examples):
            if keys is None or "classes" in keys:
                found["classes"] = np.char.encode(found["class_ids"].astype(str))
            yield found if keys is None else {k: found[k] for k in keys}


def example_weights(weight_column, who):
    """None, or a function of the features giving the examples' weights (batch, 1) from
    `weight_column` (a feature key or a tf.feature_column.numeric_column of one value)."""
    if weight_column is None:
        return None
    if isinstance(weight_column, str):
        weight_column = numeric_column(weight_column)
    if not isinstance(weight_column, NumericColumn) or weight_column.width != 1:
        raise ValueError(f"{who}: weight_column must be a feature key or a numeric_column of "
                         f"one value per example, given {weight_column!r:.80}")
    return lambda features: reshape(weight_column.dense(features), [-1, 1])


def loss_reduction(reduction, who):
    """The training loss' reduction: TF1's default SUM, or another but NONE."""
    if reduction is None:
        return losses.Reduction.SUM
    if reduction == losses.Reduction.NONE or reduction not in losses.Reduction.all():
        raise ValueError(f"{who}: loss_reduction must be one of tf.losses.Reduction but NONE, "
                         f"given {reduction!r}")
    return reduction


def unsupported(who, label_vocabulary=None, **options):
    """A clear refusal of the options (given a true value) passos does not support."""
    if label_vocabulary:
        raise NotImplementedError(f"{who}: label_vocabulary is not supported in passos (its "
                                  "graphs hold no strings); give the labels as class ids 0 ... "
                                  "n_classes - 1, e.g. with vocabulary.index(label)")
    given = [name for name, value in options.items() if value]
    if given:
        raise NotImplementedError(f"{who}: {', '.join(given)} not supported in passos")
