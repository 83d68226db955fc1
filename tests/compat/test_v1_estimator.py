"""tf.estimator: an Estimator trains, evaluates and predicts, and resumes from its model_dir."""
import logging

import numpy as np
import pytest

import passos.compat.v1 as tf


def _data(n=200, seed=0):
    """Two features; the label says whether x0 + x1 > 0 (linearly separable)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    return {"a": x[:, 0], "b": x[:, 1]}, (x[:, 0] + x[:, 1] > 0).astype("int64")


def _input_fn(epochs=None, shuffle=True, n=200, batch_size=32):
    x, y = _data(n)
    return tf.estimator.inputs.numpy_input_fn(x, y, batch_size=batch_size, num_epochs=epochs,
                                              shuffle=shuffle)


def logistic_model_fn(features, labels, mode, params):
    """Logistic regression on the features a and b, as a custom model_fn."""
    net = tf.stack([features["a"], features["b"]], axis=1)
    logits = tf.squeeze(tf.layers.dense(net, 1, name="linear"), axis=1)
    predictions = {"probability": tf.sigmoid(logits),
                   "class": tf.cast(logits > 0, tf.int64)}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.cast(labels, tf.float32), logits=logits))
    train_op = tf.train.GradientDescentOptimizer(params["learning_rate"]).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(
        mode, predictions=predictions, loss=loss, train_op=train_op,
        eval_metric_ops={"accuracy": tf.metrics.accuracy(labels, predictions["class"])})


def _estimator(model_dir, **config):
    return tf.estimator.Estimator(logistic_model_fn, model_dir=str(model_dir),
                                  params={"learning_rate": 0.5},
                                  config=tf.estimator.RunConfig(tf_random_seed=1, **config))


def test_custom_model_fn_trains_and_evaluates(tmp_path, caplog):
    estimator = _estimator(tmp_path, log_step_count_steps=10)
    with caplog.at_level(logging.INFO, logger="passos.compat.v1"):
        assert estimator.train(_input_fn(), steps=30) is estimator
    assert "loss = " in caplog.text and ", step = 1" in caplog.text and ", step = 21" in caplog.text
    assert "Saving checkpoints for 30" in caplog.text
    assert estimator.latest_checkpoint().endswith("model.ckpt-30")
    results = estimator.evaluate(_input_fn(epochs=1, shuffle=False))
    assert set(results) == {"accuracy", "loss", "global_step"}
    assert results["global_step"] == 30 and results["accuracy"] > 0.9
    assert isinstance(results["loss"], float) and results["loss"] < 0.5
    assert estimator.evaluate(_input_fn(epochs=1, shuffle=False), steps=2)["accuracy"] > 0.8
    assert sorted(estimator.get_variable_names()) == ["global_step", "linear/bias", "linear/kernel"]


def test_second_estimator_resumes_from_model_dir(tmp_path):
    first = _estimator(tmp_path)
    first.train(_input_fn(), steps=20)
    kernel = first.get_variable_value("linear/kernel")
    evaluation = first.evaluate(_input_fn(epochs=1, shuffle=False))
    # A new Estimator on the same folder restores the weights: the same evaluation ...
    second = _estimator(tmp_path)
    assert second.evaluate(_input_fn(epochs=1, shuffle=False)) == evaluation
    # ... and its training continues the global step from the weights saved.
    second.train(_input_fn(), steps=1)
    assert second.get_variable_value("global_step") == 21
    moved = second.get_variable_value("linear/kernel") - kernel
    assert 0 < np.abs(moved).max() < 0.5  # one small step from the saved weights, not from new ones
    second.train(_input_fn(), max_steps=25)
    assert second.evaluate(_input_fn(epochs=1, shuffle=False))["global_step"] == 25
    second.train(_input_fn(), max_steps=25)  # already there: nothing to do
    assert second.latest_checkpoint().endswith("model.ckpt-25")


def test_train_stops_when_the_input_ends_and_saves_every_n_steps(tmp_path):
    estimator = _estimator(tmp_path, save_checkpoints_steps=3)
    estimator.train(_input_fn(epochs=1, n=100, batch_size=20))  # 5 batches, then OutOfRange
    assert estimator.evaluate(_input_fn(epochs=1), steps=1)["global_step"] == 5
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [p.rsplit("-", 1)[1] for p in state["all_model_checkpoint_paths"]] == ["3", "5"]


def test_predict_yields_one_dict_per_example(tmp_path):
    estimator = _estimator(tmp_path)
    estimator.train(_input_fn(), steps=30)
    x, y = _data(10)
    predict_input = tf.estimator.inputs.numpy_input_fn(x, batch_size=4, shuffle=False)
    found = list(estimator.predict(predict_input))
    assert len(found) == 10 and set(found[0]) == {"probability", "class"}
    assert np.mean([p["class"] for p in found] == y) >= 0.9
    assert 0 <= found[0]["probability"] <= 1
    only = list(estimator.predict(predict_input, predict_keys=["class"]))
    assert [p["class"] for p in only] == [p["class"] for p in found]
    batches = list(estimator.predict(predict_input, yield_single_examples=False))
    assert [len(b["class"]) for b in batches] == [4, 4, 2]
    with pytest.raises(ValueError, match="predict_keys \\['nope'\\]"):
        list(estimator.predict(predict_input, predict_keys=["nope"]))


def test_model_fn_without_params_and_a_dataset_input_fn(tmp_path):
    def model_fn(features, labels, mode):
        w = tf.get_variable("w", initializer=0.0)
        if mode == tf.estimator.ModeKeys.PREDICT:  # no labels
            return tf.estimator.EstimatorSpec(mode, predictions=features * w)
        loss = tf.reduce_mean(tf.square(features * w - labels))
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                          predictions=features * w)

    def input_fn():
        x = np.ones(8, "float32")
        return tf.data.Dataset.from_tensor_slices((x, 2 * x)).repeat().batch(4)
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    estimator.train(input_fn, steps=40)
    assert estimator.get_variable_value("w") == pytest.approx(2.0, abs=1e-3)
    assert estimator.evaluate(input_fn, steps=3)["loss"] == pytest.approx(0.0, abs=1e-5)
    first = next(estimator.predict(lambda: tf.data.Dataset.from_tensor_slices(
        np.array([3.0], "float32")).batch(1)))
    assert first == pytest.approx(6.0, abs=1e-2)


def test_model_dir_none_uses_a_temporary_folder():
    estimator = tf.estimator.Estimator(logistic_model_fn, params={"learning_rate": 0.1})
    assert estimator.model_dir and estimator.config.model_dir == estimator.model_dir
    estimator.train(_input_fn(), steps=2)
    assert estimator.latest_checkpoint().startswith(estimator.model_dir)


def _run_input(input_fn):
    """Every batch of labels input_fn gives, until OutOfRange."""
    with tf.Graph().as_default():
        _, labels = input_fn()
        with tf.Session() as sess:
            found = []
            while True:
                try:
                    found.append(sess.run(labels).tolist())
                except tf.errors.OutOfRangeError:
                    return found


def test_numpy_input_fn_epochs_batches_and_shuffle():
    x, y = {"x": np.arange(5.0)}, np.arange(5)
    input_fn = tf.estimator.inputs.numpy_input_fn
    # batches run across epochs; the last one may be short
    assert _run_input(input_fn(x, y, batch_size=2, num_epochs=2, shuffle=False)) == [
        [0, 1], [2, 3], [4, 0], [1, 2], [3, 4]]
    shuffled = sum(_run_input(input_fn(x, y, batch_size=5, num_epochs=3, shuffle=True)), [])
    epochs = [shuffled[i:i + 5] for i in (0, 5, 10)]
    assert all(sorted(e) == [0, 1, 2, 3, 4] for e in epochs)  # each example once an epoch
    assert any(e != [0, 1, 2, 3, 4] for e in epochs)
    with tf.Graph().as_default():
        features = input_fn(np.ones((4, 3)), batch_size=4, shuffle=False)()
        assert not isinstance(features, tuple) and tuple(features.shape)[1:] == (3,)


def test_numpy_input_fn_errors():
    input_fn = tf.estimator.inputs.numpy_input_fn
    with pytest.raises(ValueError, match="shuffle must be provided"):
        input_fn({"x": np.ones(3)}, np.ones(3))
    with pytest.raises(ValueError, match="same length"):
        input_fn({"x": np.ones(3)}, np.ones(4), shuffle=False)
    with pytest.raises(ValueError, match="share the keys"):
        input_fn({"x": np.ones(3)}, {"x": np.ones(3)}, shuffle=False)


def test_feature_columns_input_layer_sorts_by_name():
    columns = [tf.feature_column.numeric_column("z", shape=(2,)),
               tf.feature_column.numeric_column("a"),
               tf.feature_column.indicator_column(
                   tf.feature_column.categorical_column_with_identity("m", num_buckets=3))]
    with tf.Graph().as_default():
        net = tf.feature_column.input_layer(
            {"z": np.full((2, 2), 5.0, "float32"), "a": np.array([1, 2]),
             "m": np.array([[2], [0]])}, columns)
        with tf.Session() as sess:
            found = sess.run(net)
    # a, then m's one-hot (m_indicator), then z
    np.testing.assert_array_equal(found, [[1, 0, 0, 1, 5, 5], [2, 1, 0, 0, 5, 5]])
    with pytest.raises(ValueError, match="'q' of a feature column is not in the features"):
        with tf.Graph().as_default():
            tf.feature_column.input_layer({"z": np.ones(2)},
                                          [tf.feature_column.numeric_column("q")])
    with pytest.raises(ValueError, match="wrap a categorical column in indicator_column"):
        with tf.Graph().as_default():
            tf.feature_column.input_layer(
                {"m": np.ones(2)}, [tf.feature_column.categorical_column_with_identity("m", 2)])


def test_dnn_classifier_learns_a_separable_problem(tmp_path):
    columns = [tf.feature_column.numeric_column("a"), tf.feature_column.numeric_column("b")]
    classifier = tf.estimator.DNNClassifier(
        hidden_units=[8, 8], feature_columns=columns, model_dir=str(tmp_path),
        optimizer=tf.train.AdamOptimizer(0.05), config=tf.estimator.RunConfig(tf_random_seed=0))
    classifier.train(_input_fn(), steps=100)
    results = classifier.evaluate(_input_fn(epochs=1, shuffle=False))
    assert results["accuracy"] > 0.9 and results["global_step"] == 100
    assert {"accuracy", "average_loss", "loss", "auc", "precision", "recall",
            "accuracy_baseline", "label/mean", "prediction/mean"} <= set(results)
    # TF1's canned loss sums over the batch: 'loss' is ~batch size times 'average_loss'
    assert results["loss"] == pytest.approx(results["average_loss"] * 32, rel=0.3)
    assert "dnn/hiddenlayer_1/kernel" in classifier.get_variable_names()
    x, y = _data(6)
    found = list(classifier.predict(tf.estimator.inputs.numpy_input_fn(x, shuffle=False)))
    assert set(found[0]) == {"logits", "logistic", "probabilities", "class_ids", "classes"}
    assert found[0]["probabilities"].shape == (2,) and found[0]["class_ids"].shape == (1,)
    assert [int(p["classes"][0]) for p in found] == [int(p["class_ids"][0]) for p in found]


def test_dnn_classifier_many_classes_and_regressor(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2)).astype("float32")
    label = np.digitize(x[:, 0], [-0.5, 0.5])  # three classes along x0
    columns = [tf.feature_column.numeric_column("x", shape=(2,))]
    classifier = tf.estimator.DNNClassifier([16], columns, model_dir=str(tmp_path / "c"),
                                            n_classes=3, optimizer="Adam",
                                            config=tf.estimator.RunConfig(tf_random_seed=0))
    input_fn = tf.estimator.inputs.numpy_input_fn({"x": x}, label, num_epochs=None, shuffle=True,
                                                  batch_size=50)
    classifier.train(input_fn, steps=150)
    results = classifier.evaluate(input_fn, steps=6)
    assert set(results) == {"accuracy", "average_loss", "loss", "global_step"}
    assert results["accuracy"] > 0.85
    regressor = tf.estimator.DNNRegressor([16], columns, model_dir=str(tmp_path / "r"),
                                          optimizer="Adam",
                                          config=tf.estimator.RunConfig(tf_random_seed=0))
    target = (2 * x[:, 0] - x[:, 1]).astype("float32")
    input_fn = tf.estimator.inputs.numpy_input_fn({"x": x}, target, num_epochs=None,
                                                  shuffle=True, batch_size=50)
    regressor.train(input_fn, steps=150)
    assert regressor.evaluate(input_fn, steps=6)["average_loss"] < 0.3
    first = next(regressor.predict(tf.estimator.inputs.numpy_input_fn({"x": x[:1]}, shuffle=False)))
    assert first["predictions"].shape == (1,)


def test_errors(tmp_path):
    estimator = _estimator(tmp_path)
    with pytest.raises(ValueError, match=f"could not find a trained model in model_dir {tmp_path}"):
        estimator.evaluate(_input_fn(epochs=1))
    with pytest.raises(ValueError, match="steps or max_steps, not both"):
        estimator.train(_input_fn(), steps=1, max_steps=2)
    with pytest.raises(ValueError, match="missing train_op"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.TRAIN, loss=tf.constant(1.0))
    with pytest.raises(ValueError, match="mode must be one of"):
        tf.estimator.EstimatorSpec("training")
    with pytest.raises(TypeError, match=r"eval_metric_ops\['acc'\] must be a \(value, update_op\)"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.EVAL, loss=tf.constant(1.0),
                                   eval_metric_ops={"acc": tf.constant(1.0)})
    with pytest.raises(ValueError, match="loss must be a scalar"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.EVAL, loss=tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="should return an EstimatorSpec"):
        tf.estimator.Estimator(lambda features, labels: None, str(tmp_path)).train(_input_fn(),
                                                                                  steps=1)
    with pytest.raises(ValueError, match="takes no 'params' argument"):
        tf.estimator.Estimator(lambda features, labels, mode: None, str(tmp_path),
                               params={"a": 1}).train(_input_fn(), steps=1)
    with pytest.raises(ValueError, match="model_dir is set both"):
        tf.estimator.Estimator(logistic_model_fn, "a", tf.estimator.RunConfig(model_dir="b"))
    with pytest.raises(ValueError, match="cannot both be set"):
        tf.estimator.RunConfig(save_checkpoints_steps=5, save_checkpoints_secs=5)
