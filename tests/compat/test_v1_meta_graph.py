"""tf.train.import_meta_graph: a saved TF1 model reloaded, and trained on, without its code."""
import json
import os
import zipfile

import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.compat.v1.meta_graph import MetaGraphError
from passos.compat.v1.operation import Operation

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture


def blobs(n=64, seed=0):
    """Three Gaussian blobs in 4-D, with integer labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.normal(0, 1, (n, 4)).astype(np.float32) + 2 * np.eye(3, 4, dtype=np.float32)[y]
    return x, y.astype(np.int64)


def build_mlp():
    """The classic TF1 MLP: placeholders, get_variable layers, softmax cross-entropy, Adam."""
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    with tf.variable_scope("hidden"):
        w1 = tf.get_variable("w", [4, 16], initializer=tf.glorot_uniform_initializer(seed=1))
        b1 = tf.get_variable("b", [16], initializer=tf.zeros_initializer())
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    logits = tf.layers.dense(h, 3, name="out")
    probs = tf.nn.softmax(logits, name="probs")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits),
                          name="loss")
    step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
    tf.add_to_collection("probs", probs)
    tf.add_to_collection(tf.GraphKeys.LOSSES, loss)
    return x, y, probs, loss, train_op


def train(sess, train_op, loss, feed, steps):
    return [float(sess.run([train_op, loss], feed)[1]) for _ in range(steps)]


def save_trained_mlp(folder):
    """Train the MLP a few steps and save it; returns (path, feed values, its probabilities,
    and its next losses had training gone on in the original graph)."""
    data = blobs()
    x, y, probs, loss, train_op = build_mlp()
    feed = {x: data[0], y: data[1]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        train(sess, train_op, loss, feed, 5)
        path = tf.train.Saver().save(sess, os.path.join(folder, "mlp.ckpt"))
        expected = sess.run(probs, feed)
        later = train(sess, train_op, loss, feed, 5)
    tf.reset_default_graph()
    return path, data, expected, later


def test_mlp_reloaded_without_its_code_predicts_and_trains_on(tmp_path):
    path, (xs, ys), expected, later = save_trained_mlp(str(tmp_path))
    assert os.path.exists(path + ".meta")
    saver = tf.train.import_meta_graph(path + ".meta")
    graph = tf.get_default_graph()
    x, y = graph.get_tensor_by_name("x:0"), graph.get_tensor_by_name("y:0")
    probs = tf.get_collection("probs")[0]
    train_op = tf.get_collection("train_op")[0]
    loss = tf.get_collection(tf.GraphKeys.LOSSES)[0]
    assert probs is graph.get_tensor_by_name("probs:0") and loss.name == "loss:0"
    names = {v.name for v in tf.trainable_variables()}
    assert names == {"hidden/w:0", "hidden/b:0", "out/kernel:0", "out/bias:0"}
    assert {"hidden/w/Adam:0", "beta1_power:0", "global_step:0"} <= {
        v.name for v in tf.global_variables()} - names  # slots and the step: not trainable
    with tf.Session() as sess:
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(probs, {x: xs}), expected)
        assert sess.run(tf.train.get_global_step()) == 5
        # the Adam slots came back too: training goes on exactly as in the original graph
        np.testing.assert_allclose(train(sess, train_op, loss, {x: xs, y: ys}, 5), later,
                                   rtol=1e-6)
        assert later[-1] < later[0]
        assert sess.run(tf.train.get_global_step()) == 10


def test_variable_store_and_names_after_import(tmp_path):
    path = save_trained_mlp(str(tmp_path))[0]
    tf.train.import_meta_graph(path + ".meta")
    kernel = tf.get_default_graph().get_tensor_by_name("out/kernel:0")
    with tf.variable_scope("out", reuse=True):
        assert tf.get_variable("kernel") is kernel
    with pytest.raises(ValueError, match="already exists"):
        tf.get_variable("out/kernel", [16, 3])
    extra = tf.add(kernel, 1.0, name="loss")  # taken names stay taken
    assert extra.name == "loss_1:0"
    assert tf.train.get_global_step().name == "global_step:0"


def test_import_scope_and_clash(tmp_path):
    path = save_trained_mlp(str(tmp_path))[0]
    tf.train.import_meta_graph(path + ".meta")
    with pytest.raises(ValueError, match="already has nodes named .*import_scope"):
        tf.train.import_meta_graph(path + ".meta")
    saver = tf.train.import_meta_graph(path + ".meta", import_scope="copy")
    graph = tf.get_default_graph()
    probs = graph.get_tensor_by_name("copy/probs:0")
    with tf.Session() as sess:
        saver.restore(sess, path)  # checkpoint names without the scope
        assert sess.run(probs, {graph.get_tensor_by_name("copy/x:0"): blobs()[0]}).shape == (64, 3)


def test_cnn_round_trip_with_seeded_dropout(tmp_path):
    images = np.random.default_rng(1).normal(size=(5, 8, 8, 1)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="images")
    keep = tf.placeholder_with_default(0.5, [], name="keep")
    h = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu, name="conv")
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    h = tf.nn.dropout(tf.reshape(h, [-1, 64]), keep_prob=keep, seed=3)
    h = tf.layers.batch_normalization(h, training=True, name="norm")
    scores = tf.nn.softmax(tf.layers.dense(h, 3, name="dense"), name="scores")
    tf.summary.scalar("top", tf.reduce_max(scores))
    meta = str(tmp_path / "exported.meta")
    tf.train.export_meta_graph(meta)  # before any run: the dropout stream is where it started
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver = tf.train.Saver()
        saver.save(sess, str(tmp_path / "cnn"), write_meta_graph=False)
        expected = [sess.run(scores, {x: images}) for _ in range(2)]
    assert not os.path.exists(str(tmp_path / "cnn.meta"))
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(meta)
        kinds = {n.primitive.kind for n in graph.nodes}
        assert {"conv2d", "max_pool2d", "dropout", "softmax"} <= kinds
        updates, summaries = tf.get_collection(tf.GraphKeys.UPDATE_OPS), tf.summary.merge_all()
        assert len(updates) == 2 and summaries is not None
        with tf.Session() as sess:
            saver.restore(sess, str(tmp_path / "cnn"))
            got = [sess.run("scores:0", {"images:0": images}) for _ in range(2)]
            sess.run(updates, {"images:0": images})
            assert isinstance(sess.run(summaries, {"images:0": images}), bytes)
            moved = sess.run("norm/moving_mean:0")
    np.testing.assert_array_equal(got, expected)  # same masks, step after step
    assert np.abs(moved).sum() > 0  # the moving averages were updated


def test_control_flow_round_trip(tmp_path):
    a = tf.placeholder(tf.float32, [], name="a")
    v = tf.Variable(2.0, name="v")
    picked = tf.cond(a > 0, lambda: a * v, lambda: a - v, name="picked")
    looped = tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * v),
                           [tf.constant(0), a], name="looped")[1]
    tf.add_to_collection("outputs", picked)
    tf.add_to_collection("outputs", looped)
    meta = str(tmp_path / "flow.meta")
    tf.train.export_meta_graph(meta)
    with tf.Graph().as_default():
        tf.train.import_meta_graph(meta)
        outputs = tf.get_collection("outputs")
        grad = tf.gradients(outputs[1], tf.get_default_graph().get_tensor_by_name("a:0"))[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(outputs, {"a:0": 3.0}) == [6.0, 48.0]
            assert sess.run(outputs[0], {"a:0": -1.0}) == -3.0
            assert sess.run(grad, {"a:0": 3.0}) == 16.0


def test_saver_names_and_operations_in_collections(tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    bump = tf.assign_add(w, [1.0, 1.0])
    tf.add_to_collection("steps", bump.op)
    tf.add_to_collection("notes", "two weights")
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(bump)
        saver = tf.train.Saver({"renamed/weights": w})
        path = saver.save(sess, str(tmp_path / "model"))
    assert saver.export_meta_graph()["saver"] == {"renamed/weights": "w"}
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(tmp_path / "model.meta")  # a pathlib.Path too
        (step,), notes = tf.get_collection("steps"), tf.get_collection("notes")
        assert isinstance(step, Operation) and step.type == "AssignAdd"
        assert notes == ["two weights"]
        with tf.Session() as sess:
            saver.restore(sess, path)  # the checkpoint's names, as that Saver wrote them
            assert sess.run(step) is None
            assert sess.run("w:0").tolist() == [3.0, 4.0]


def test_streaming_metrics_after_import(tmp_path):
    labels = tf.placeholder(tf.int64, [None], name="labels")
    predictions = tf.placeholder(tf.int64, [None], name="predictions")
    accuracy, update = tf.metrics.accuracy(labels, predictions, name="acc")
    tf.add_to_collection("metric", accuracy)
    tf.add_to_collection("metric", update)
    meta = str(tmp_path / "metric.meta")
    tf.train.export_meta_graph(meta)
    with tf.Graph().as_default():
        assert tf.train.import_meta_graph(meta) is None  # only local variables: nothing to save
        accuracy, update = tf.get_collection("metric")
        assert {v.name for v in tf.local_variables()} == {"acc/mean/total:0", "acc/mean/count:0"}
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            sess.run(update, {"labels:0": [1, 2, 3], "predictions:0": [1, 2, 0]})
            sess.run(update, {"labels:0": [1], "predictions:0": [0]})
            assert sess.run(accuracy) == 0.5


def rewrite(path, change):
    """The meta file at `path` with its JSON changed by `change(document)`."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(entries["meta_graph.json"])
    change(document)
    entries["meta_graph.json"] = json.dumps(document).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def node_entry(document, name):
    return next(n for n in document["nodes"] if n["name"] == name)


def small_meta(tmp_path):
    x = tf.placeholder(tf.float32, [None, 4, 4, 1], name="x")
    tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID", name="pool")
    meta = str(tmp_path / "small.meta")
    tf.train.export_meta_graph(meta)
    tf.reset_default_graph()
    return meta


@pytest.mark.parametrize("change, message", [
    (lambda d: node_entry(d, "pool").update({"class": "os.system"}),
     "node 'pool' names the op class 'os.system', which is not one passos registers"),
    (lambda d: node_entry(d, "pool").update({"class": "passos.io.SafeNpz"}),
     "'passos.io.SafeNpz', which is not one passos registers"),
    (lambda d: node_entry(d, "pool").update(
        {"class": "passos.compat.v1.init_ops.zeros_initializer"}),
     "names zeros_initializer, not an op"),
    (lambda d: node_entry(d, "pool")["state"].update({"strides": {"tuple": ["a", "b"]}}),
     r"node 'pool' \(passos.ops.pool.MaxPool\) does not rebuild: TypeError"),
    (lambda d: node_entry(d, "pool")["state"].update({"pool_size": {"tuple": [3, 3]}}),
     r"node 'pool' .* computes shape \(None, 1, 1, 1\) but the file says \(None, 2, 2, 1\)"),
    (lambda d: node_entry(d, "pool")["state"].update({"forward": {"numpy": "add"}}),
     "attribute 'forward', which would replace its code"),
    (lambda d: node_entry(d, "pool")["state"].update({"x": {"object": "builtins.eval",
                                                            "state": {}}}),
     "class 'builtins.eval', which is not one passos stores"),
    (lambda d: node_entry(d, "pool")["state"].update({"x": {"numpy": "load"}}),
     "damaged 'numpy' value"),
    (lambda d: node_entry(d, "pool").update({"dtype": "float64"}),
     "computes dtype float32 but the file says float64"),
    (lambda d: node_entry(d, "pool").update({"inputs": [{"node": "nowhere"}]}),
     "refers to the node 'nowhere', which is not defined before it"),
    (lambda d: d.update({"format_version": 99}), "format version 99 is not one this passos reads"),
])
def test_an_altered_file_is_refused_and_adds_nothing(tmp_path, change, message):
    meta = small_meta(tmp_path)
    rewrite(meta, change)
    with pytest.raises(MetaGraphError, match=message):
        tf.train.import_meta_graph(meta)
    assert tf.get_default_graph().nodes == []


def test_damaged_files(tmp_path):
    meta = small_meta(tmp_path)
    with open(meta, "r+b") as f:
        f.truncate(100)
    with pytest.raises(MetaGraphError, match="not a readable zip file"):
        tf.train.import_meta_graph(meta)
    with zipfile.ZipFile(meta, "w") as archive:
        archive.writestr("meta_graph.json", "{ not json")
    with pytest.raises(MetaGraphError, match="not valid JSON"):
        tf.train.import_meta_graph(meta)


def test_py_func_is_saved_and_refused_at_import(tmp_path):
    x = tf.placeholder(tf.float32, [3], name="x")
    w = tf.Variable(np.ones(3, np.float32), name="w")
    doubled = tf.py_func(lambda a: 2 * a, [x * w], tf.float32, name="double")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(doubled, {x: [1, 2, 3]}).tolist() == [2, 4, 6]
        path = tf.train.Saver().save(sess, str(tmp_path / "model"))  # TF1 saves such graphs
    tf.reset_default_graph()
    with pytest.raises(MetaGraphError, match=r"1 node\(s\) could not be stored: 'double': its op "
                                             r"\(py_func\) holds the Python callable '<lambda>'"):
        tf.train.import_meta_graph(path + ".meta")
    assert tf.get_default_graph().nodes == []


def test_old_meta_files_go_with_their_checkpoints(tmp_path):
    w = tf.Variable(1.0, name="w")
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(w.initializer)
        for step in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert sorted(p for p in os.listdir(tmp_path) if p.endswith(".meta")) == ["m-1.meta",
                                                                               "m-2.meta"]
