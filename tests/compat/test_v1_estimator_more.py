"""tf.estimator, continued: TensorBoard events in model_dir, optimizer slots in its checkpoints,
and the canned LinearClassifier and LinearRegressor."""
import logging
import sys

import numpy as np
import pytest

import passos.compat.v1 as tf


def _data(n=200, seed=0):
    """Two features; the label says whether x0 + x1 > 0 (linearly separable)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    return {"a": x[:, 0], "b": x[:, 1]}, (x[:, 0] + x[:, 1] > 0).astype("int64")


def _input_fn(features, labels=None, epochs=None, batch_size=32, shuffle=False):
    return tf.estimator.inputs.numpy_input_fn(features, labels, batch_size=batch_size,
                                              num_epochs=epochs, shuffle=shuffle)


def _scalars(logdir):
    """{tag: [(step, value)]} of the scalars in logdir's event files, read by TensorBoard."""
    accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator").EventAccumulator(
            str(logdir), size_guidance={"scalars": 0})
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)]
            for tag in accumulator.Tags()["scalars"]}


def summary_model_fn(features, labels, mode, params):
    """y = w x, w from 0, with a summary of w (unless params say no); Adam."""
    w = tf.get_variable("w", initializer=0.0)
    prediction = features["x"] * w
    loss = tf.reduce_mean(tf.square(prediction - labels))
    if params.get("summary", True):
        tf.summary.scalar("w_value", w)
    train_op = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(
        mode, predictions={"y": prediction}, loss=loss, train_op=train_op,
        eval_metric_ops={"mae": tf.metrics.mean_absolute_error(labels, prediction)})


def _line_input_fn():
    return _input_fn({"x": np.ones(8, "float32")}, np.full(8, 3.0, "float32"), batch_size=4)


# -- summaries ---------------------------------------------------------------------------------
def test_train_writes_loss_model_summaries_and_step_rate(tmp_path):
    config = tf.estimator.RunConfig(save_summary_steps=10, log_step_count_steps=10)
    estimator = tf.estimator.Estimator(summary_model_fn, model_dir=str(tmp_path), config=config)
    estimator.train(_line_input_fn(), steps=25)
    found = _scalars(tmp_path)
    assert set(found) == {"loss", "w_value", "global_step/sec"}
    # as TF1: the first step, then every 10, at the global step after the step
    assert [s for s, _ in found["loss"]] == [1, 11, 21] == [s for s, _ in found["w_value"]]
    assert found["loss"][0][1] == 9.0 and found["w_value"][0][1] == 0.0  # w = 0 at step 1
    assert found["loss"][2][1] < found["loss"][1][1] < 9.0
    assert [s for s, _ in found["global_step/sec"]] == [11, 21]
    assert all(rate > 0 for _, rate in found["global_step/sec"])
    # a second train() continues the curves from its own first step
    estimator.train(_line_input_fn(), steps=12)
    assert [s for s, _ in _scalars(tmp_path)["loss"]] == [1, 11, 21, 26, 36]


def test_model_fn_summary_named_loss_is_not_repeated(tmp_path):
    def model_fn(features, labels, mode, params):
        spec = summary_model_fn(features, labels, mode, params)
        tf.summary.scalar("loss", spec.loss * 2.0)
        return spec
    config = tf.estimator.RunConfig(save_summary_steps=5, log_step_count_steps=None)
    tf.estimator.Estimator(model_fn, str(tmp_path), config).train(_line_input_fn(), steps=6)
    found = _scalars(tmp_path)
    assert set(found) == {"loss", "w_value"}
    assert found["loss"][0] == (1, 18.0)


def test_no_summaries_when_save_summary_steps_is_none(tmp_path):
    config = tf.estimator.RunConfig(save_summary_steps=None, log_step_count_steps=2)
    tf.estimator.Estimator(summary_model_fn, str(tmp_path), config).train(_line_input_fn(),
                                                                         steps=5)
    assert set(_scalars(tmp_path)) == {"global_step/sec"}


def test_train_writes_the_graph_as_text_into_model_dir(tmp_path):
    text_format = pytest.importorskip("google.protobuf.text_format")
    graph_pb2 = pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    # as TF1's CheckpointSaverHook: whatever the summary settings
    config = tf.estimator.RunConfig(save_summary_steps=None, log_step_count_steps=None)
    tf.estimator.Estimator(summary_model_fn, str(tmp_path), config).train(_line_input_fn(),
                                                                         steps=2)
    graph = text_format.Parse((tmp_path / "graph.pbtxt").read_text(), graph_pb2.GraphDef())
    nodes = {node.name: node for node in graph.node}
    assert {"w", "global_step", "mul", "sub", "Mean", "w_value"} <= set(nodes)
    assert nodes["mul"].op == "Mul" and "_output_shapes" in nodes["mul"].attr
    assert list(nodes["sub"].input) == ["mul", "IteratorGetNext:1"]


def test_without_tensorboard_training_goes_on_and_says_so(tmp_path, monkeypatch, caplog):
    from passos.compat.v1.estimator import summaries
    monkeypatch.setitem(sys.modules, "passos.tensorboard", None)  # its import fails
    monkeypatch.setattr(summaries, "_warned", [])
    estimator = tf.estimator.Estimator(summary_model_fn, model_dir=str(tmp_path),
                                       params={"summary": False})
    with caplog.at_level(logging.WARNING, logger="passos.compat.v1"):
        estimator.train(_line_input_fn(), steps=3)
        estimator.evaluate(_line_input_fn(), steps=1)
    assert caplog.text.count("no TensorBoard summaries are written") == 1
    assert "pip install 'passos[tensorboard]'" in caplog.text
    assert not list(tmp_path.rglob("events.out.tfevents.*"))
    assert not (tmp_path / "graph.pbtxt").exists()
    assert estimator.get_variable_value("global_step") == 3


def test_evaluate_writes_its_metrics_into_model_dir_eval(tmp_path):
    estimator = tf.estimator.Estimator(summary_model_fn, model_dir=str(tmp_path))
    estimator.train(_line_input_fn(), steps=30)
    results = estimator.evaluate(_line_input_fn(), steps=2)
    found = _scalars(tmp_path / "eval")
    assert set(found) == {"loss", "mae"}
    for key in found:
        assert found[key] == [(30, pytest.approx(results[key], rel=1e-6))]
    estimator.evaluate(_line_input_fn(), steps=1, name="holdout")
    assert set(_scalars(tmp_path / "eval_holdout")) == {"loss", "mae"}
    assert len(_scalars(tmp_path / "eval")["loss"]) == 1


# -- optimizer slots in the checkpoints --------------------------------------------------------
def test_train_twice_with_adam_equals_training_once(tmp_path):
    features, labels = _data(64)
    input_fn = _input_fn(features, labels, batch_size=64)  # the same batch at every step

    def model_fn(features, labels, mode):
        net = tf.stack([features["a"], features["b"]], axis=1)
        logits = tf.squeeze(tf.layers.dense(net, 1, name="linear"), axis=1)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
            labels=tf.cast(labels, tf.float32), logits=logits))
        train_op = tf.train.AdamOptimizer(0.05).minimize(
            loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    def trained(folder, *steps):
        for n in steps:  # each train() a new Estimator, restoring the last checkpoint
            estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / folder),
                                               config=tf.estimator.RunConfig(tf_random_seed=3))
            estimator.train(input_fn, steps=n)
        return estimator

    once, twice = trained("once", 20), trained("twice", 10, 10)
    assert "linear/kernel/Adam_1" in twice.get_variable_names()
    assert "beta1_power" in twice.get_variable_names()
    for name in once.get_variable_names():
        np.testing.assert_array_equal(twice.get_variable_value(name),
                                      once.get_variable_value(name))
    assert once.get_variable_value("global_step") == 20


# -- LinearClassifier, LinearRegressor ---------------------------------------------------------
COLUMNS = [tf.feature_column.numeric_column("a"), tf.feature_column.numeric_column("b")]


def test_linear_classifier_first_step_is_tf1s_ftrl_step(tmp_path):
    features, labels = _data(16)
    classifier = tf.estimator.LinearClassifier(COLUMNS, model_dir=str(tmp_path))
    classifier.train(_input_fn(features, labels, batch_size=16), steps=1)
    # from zero weights: probabilities 0.5; the summed loss' gradient, one FTRL step (lr 0.2)
    x = np.stack([features["a"], features["b"], np.ones(16, "float32")], axis=1)
    g = x.T @ (0.5 - labels)
    expected = -0.2 * g / np.sqrt(0.1 + g * g)
    got = [classifier.get_variable_value(f"linear/linear_model/{name}").item()
           for name in ("a/weights", "b/weights", "bias_weights")]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert sorted(classifier.get_variable_names()) == sorted(
        ["global_step"] + [f"linear/linear_model/{v}{slot}" for v in
                           ("a/weights", "b/weights", "bias_weights")
                           for slot in ("", "/Ftrl", "/Ftrl_1")])


def test_linear_classifier_trains_evaluates_and_predicts(tmp_path):
    features, labels = _data()
    classifier = tf.estimator.LinearClassifier(COLUMNS, model_dir=str(tmp_path))
    classifier.train(_input_fn(features, labels, shuffle=True), steps=100)
    results = classifier.evaluate(_input_fn(features, labels, epochs=1))
    assert {"accuracy", "loss", "average_loss", "global_step", "auc", "auc_precision_recall",
            "precision", "recall", "label/mean", "prediction/mean",
            "accuracy_baseline"} == set(results)
    assert results["accuracy"] > 0.95 and results["auc"] > 0.99 and results["global_step"] == 100
    assert results["label/mean"] == pytest.approx(labels.mean())
    predictions = list(classifier.predict(_input_fn(features, epochs=1)))
    assert len(predictions) == 200
    first = predictions[0]
    assert set(first) == {"logits", "logistic", "probabilities", "class_ids", "classes"}
    assert first["probabilities"] == pytest.approx([1 - first["logistic"][0],
                                                    first["logistic"][0]])
    assert first["classes"] == [str(first["class_ids"][0]).encode()]
    accuracy = np.mean([p["class_ids"][0] == y for p, y in zip(predictions, labels)])
    assert accuracy == pytest.approx(results["accuracy"])


def test_linear_classifier_multiclass_with_a_categorical_column(tmp_path):
    rng = np.random.default_rng(1)
    kind = rng.integers(0, 3, 300)
    features = {"kind": kind, "noise": rng.normal(size=300).astype("float32")}
    columns = [tf.feature_column.categorical_column_with_identity("kind", 3),
               tf.feature_column.numeric_column("noise")]
    classifier = tf.estimator.LinearClassifier(columns, n_classes=3, model_dir=str(tmp_path),
                                               optimizer="Adam")
    classifier.train(_input_fn(features, kind, shuffle=True), steps=150)
    results = classifier.evaluate(_input_fn(features, kind, epochs=1))
    assert set(results) == {"accuracy", "loss", "average_loss", "global_step"}
    assert results["accuracy"] == 1.0
    assert classifier.get_variable_value("linear/linear_model/kind/weights").shape == (3, 3)
    assert "linear/linear_model/kind/weights/Adam" in classifier.get_variable_names()
    first = next(classifier.predict(_input_fn(features, epochs=1)))
    assert set(first) == {"logits", "probabilities", "class_ids", "classes"}


def test_weight_column_weighs_loss_and_metrics(tmp_path):
    features, labels = _data()
    tf.estimator.LinearClassifier(COLUMNS, model_dir=str(tmp_path)).train(
        _input_fn(features, labels, shuffle=True), steps=5)
    weighted = tf.estimator.LinearClassifier(COLUMNS, model_dir=str(tmp_path),
                                             weight_column="w")
    plain = tf.estimator.LinearClassifier(COLUMNS, model_dir=str(tmp_path)).evaluate(
        _input_fn(features, labels, epochs=1, batch_size=200))
    doubled = weighted.evaluate(_input_fn({**features, "w": np.full(200, 2.0, "float32")},
                                          labels, epochs=1, batch_size=200))
    assert doubled["loss"] == pytest.approx(2 * plain["loss"], rel=1e-5)
    for key in ("average_loss", "accuracy", "auc"):
        assert doubled[key] == pytest.approx(plain[key], rel=1e-5)
    half = (np.arange(200) < 100).astype("float32")  # only the first 100 examples count
    first_half = weighted.evaluate(_input_fn({**features, "w": half}, labels, epochs=1))
    first = tf.estimator.LinearClassifier(COLUMNS, model_dir=str(tmp_path)).evaluate(
        _input_fn({k: v[:100] for k, v in features.items()}, labels[:100], epochs=1))
    for key in ("average_loss", "accuracy", "precision", "recall", "label/mean"):
        assert first_half[key] == pytest.approx(first[key], rel=1e-5)


def test_linear_regressor_finds_the_line(tmp_path):
    features, _ = _data()
    y = 2 * features["a"] - features["b"] + 0.5
    regressor = tf.estimator.LinearRegressor(COLUMNS, model_dir=str(tmp_path))
    regressor.train(_input_fn(features, y, shuffle=True), steps=300)
    results = regressor.evaluate(_input_fn(features, y, epochs=1))
    assert set(results) == {"loss", "average_loss", "label/mean", "prediction/mean",
                            "global_step"}
    assert results["average_loss"] < 1e-4
    got = [regressor.get_variable_value(f"linear/linear_model/{name}").item()
           for name in ("a/weights", "b/weights", "bias_weights")]
    np.testing.assert_allclose(got, [2.0, -1.0, 0.5], atol=0.01)
    prediction = next(regressor.predict(_input_fn({k: v[:1] for k, v in features.items()},
                                                  epochs=1)))
    assert prediction["predictions"] == pytest.approx([y[0]], abs=0.02)


def test_canned_estimators_refuse_clearly(tmp_path):
    with pytest.raises(NotImplementedError, match="LinearClassifier: label_vocabulary is not "
                       "supported in passos"):
        tf.estimator.LinearClassifier(COLUMNS, label_vocabulary=["no", "yes"])
    with pytest.raises(ValueError, match="LinearRegressor: feature_columns must not be empty"):
        tf.estimator.LinearRegressor([])
    with pytest.raises(ValueError, match="LinearClassifier: sparse_combiner must be one of"):
        tf.estimator.LinearClassifier(COLUMNS, sparse_combiner="max")
    with pytest.raises(ValueError, match="DNNClassifier: weight_column must be a feature key "
                       "or a numeric_column of one value"):
        tf.estimator.DNNClassifier([4], COLUMNS,
                                   weight_column=tf.feature_column.numeric_column("w", 2))
    with pytest.raises(ValueError, match="LinearClassifier: loss_reduction must be one of "
                       "tf.losses.Reduction but NONE"):
        tf.estimator.LinearClassifier(COLUMNS, loss_reduction=tf.losses.Reduction.NONE)
    with pytest.raises(ValueError, match="LinearClassifier: unknown optimizer name 'Sgd'"):
        tf.estimator.LinearClassifier(COLUMNS, optimizer="Sgd", model_dir=str(tmp_path)).train(
            _input_fn(*_data()), steps=1)


def test_logistic_loss_gradient_at_zero_logits_is_tf1s():
    """A zero-initialised linear model's first step needs d/dx at x = 0: sigmoid(0) - z."""
    with tf.Graph().as_default():
        logits = tf.constant([0.0, 0.0, 2.0, -3.0])
        labels = tf.constant([0.0, 1.0, 1.0, 0.0])
        loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        (gradient,) = tf.gradients(tf.reduce_sum(loss), [logits])
        with tf.Session() as sess:
            got_loss, got = sess.run([loss, gradient])
    x, z = np.array([0.0, 0.0, 2.0, -3.0]), np.array([0.0, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-x)) - z, rtol=1e-6)
    np.testing.assert_allclose(got_loss, np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0) - x * z,
                               rtol=1e-6)
