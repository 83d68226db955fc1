"""The fusion pass (passos/graph/rewrite.py): each pattern gives the graph's values and
gradients through one fused op, chains that others read into run as written, and Keras and
TF1 models' plans hold the fused ops."""
import contextlib

import numpy as np
import pytest

import passos as P
import passos.compat.v1 as tf
import passos.graph as g
from passos.graph import session as graph_session
from passos.debug import NonFiniteError, check_numerics
from passos.keras import layers as L
from passos.keras.models import Sequential

RNG = np.random.default_rng(0)


def as_written(monkeypatch):
    monkeypatch.setattr(graph_session, "fuse", lambda order, fetches, fed: (order, {}, {}))


def build(model, x_shape, params):
    """A float64 graph: y = model(x, *params), the loss sum(y * r) and its gradients."""
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float64", (None, *x_shape[1:]), name="x")
        variables = [g.Variable(RNG.normal(size=shape), dtype="float64") for shape in params]
        y = model(x, *variables)
        loss = (y * RNG.normal(size=(x_shape[0], *y.shape[1:]))).sum()
        grads = g.gradients(loss, [x, *variables])
        init = g.global_variables_initializer()
    return graph, x, y, loss, grads, init


def run(built, x_value, extra=()):
    """(values of y, loss, gradients and `extra`, the kinds of the ops the plan runs)."""
    graph, x, y, loss, grads, init = built
    session = g.Session(graph)
    session.run(init)
    call = session.make_callable([y, loss, *grads, *extra], [x])
    return call(x_value), [n.primitive.kind for n in call.plan.nodes]


def check(monkeypatch, model, x_shape, params, fused, unfused=(), extra=lambda built: ()):
    """The fused plan holds `fused` (and none of `unfused`) and agrees with the graph as written."""
    built = build(model, x_shape, params)
    x_value = RNG.normal(size=x_shape)
    values, kinds = run(built, x_value, extra(built))
    assert fused in kinds and not set(unfused) & set(kinds), kinds
    with monkeypatch.context() as patch:
        as_written(patch)
        expected, _ = run(built, x_value, extra(built))
    for got, want in zip(values, expected):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    return kinds


def conv_bias(x, W, b, strides=1, padding="same"):
    return P.conv2d(x, W, strides, padding) + b


@pytest.mark.parametrize("model, x_shape, params", [
    (lambda x, W, b: P.relu(P.matmul(x, W) + b), (5, 4), [(4, 3), (3,)]),
    (lambda x, W, b: P.matmul(x, W) + b, (2, 3, 4), [(4, 3), (3,)]),
    (lambda x, W, b: b + P.matmul(x, W), (5, 4), [(4, 3), (3,)]),
], ids=["relu", "linear-rank3", "bias-first"])
def test_matmul_bias_activation_becomes_dense(monkeypatch, model, x_shape, params):
    kinds = check(monkeypatch, model, x_shape, params, "dense", ["matmul", "add", "relu"])
    assert kinds.count("dense") == 1 and kinds.count("dense_grad") == 1


@pytest.mark.parametrize("model", [
    lambda x, W, b: P.relu(conv_bias(x, W, b, strides=2)),
    lambda x, W, b: conv_bias(x, W, b),
    lambda x, W, b: P.relu(P.conv2d(x, W, 1, "valid", 2)) + b,
], ids=["bias-relu", "bias", "relu-dilated"])
def test_convolution_bias_relu_becomes_one_convolution(monkeypatch, model):
    kinds = check(monkeypatch, model, (3, 9, 9, 2), [(3, 3, 2, 4), (4,)], "conv2d")
    assert kinds.count("conv2d") == 1 and "relu" not in kinds


@pytest.mark.parametrize("model", [
    lambda x, W, b: P.max_pool2d(P.relu(conv_bias(x, W, b)), 2),
    lambda x, W, b: P.relu(P.max_pool2d(conv_bias(x, W, b, padding="valid"), 2)),
    lambda x, W, b: P.max_pool2d(P.relu(conv_bias(x, W, b)), 2, padding="same"),
    lambda x, W, b: P.max_pool2d(P.relu(P.conv2d(x, W, 1, "same")), 2) + b,
], ids=["relu-pool", "pool-relu", "pool-same", "no-bias"])
def test_convolution_relu_pooling_becomes_conv_pool(monkeypatch, model):
    kinds = check(monkeypatch, model, (3, 10, 10, 2), [(3, 3, 2, 4), (4,)], "conv_pool2d",
                  ["conv2d", "max_pool2d", "relu"])
    assert kinds.count("conv_pool2d") == 1 and kinds.count("conv_pool2d_grad") == 1


def test_consecutive_blocks_become_one_conv_pool(monkeypatch):
    def model(x, W1, b1, W2, b2):
        h = P.max_pool2d(P.relu(conv_bias(x, W1, b1)), 2)
        return P.max_pool2d(P.relu(conv_bias(h, W2, b2)), 2)
    kinds = check(monkeypatch, model, (2, 12, 12, 1), [(3, 3, 1, 3), (3,), (3, 3, 3, 4), (4,)],
                  "conv_pool2d", ["conv2d", "max_pool2d", "relu", "add"])
    assert kinds.count("conv_pool2d") == 1


def dense_relu(x, W, b):
    return P.relu(P.matmul(x, W) + b)


@pytest.mark.parametrize("kind, runs, fused", [("matmul", "matmul", ["dense"]),
                                               ("add", "relu", ["matmul"])])
def test_a_fetched_intermediate_prevents_the_fusion_through_it(monkeypatch, kind, runs, fused):
    def fetched(built):
        return [next(n for n in built[0].nodes if n.primitive.kind == kind)]
    check(monkeypatch, dense_relu, (5, 4), [(4, 3), (3,)], runs, fused, extra=fetched)


def test_an_intermediate_used_twice_prevents_the_fusion(monkeypatch):
    def model(x, W, b):
        m = P.matmul(x, W)
        return P.relu(m + b) * m
    check(monkeypatch, model, (5, 4), [(4, 3), (3,)], "matmul", ["dense"])


@pytest.mark.parametrize("model, x_shape", [
    (lambda x, W, b: P.max_pool2d(P.relu(conv_bias(x, W, b, strides=2)), 2), (2, 12, 12, 2)),
    (lambda x, W, b: P.max_pool2d(P.relu(conv_bias(x, W, b)), 2), (2, 9, 9, 2)),
], ids=["stride-2", "odd-size"])
def test_convolutions_conv_pool_cannot_run_keep_their_pooling(monkeypatch, model, x_shape):
    check(monkeypatch, model, x_shape, [(3, 3, 2, 4), (4,)], "max_pool2d", ["conv_pool2d"])


def test_channels_first_runs_as_written(monkeypatch):
    def model(x, W, b):
        y = P.conv2d(x, W, 1, "same", data_format="channels_first") + P.reshape(b, (4, 1, 1))
        return P.max_pool2d(P.relu(y), 2, data_format="channels_first")
    check(monkeypatch, model, (2, 2, 8, 8), [(3, 3, 2, 4), (4,)], "max_pool2d",
          ["conv_pool2d", "dense"])


def test_the_graph_as_written_is_unchanged_and_an_intermediate_can_be_fed():
    built = build(dense_relu, (5, 4), [(4, 3), (3,)])
    graph, x, y = built[:3]
    before = [(n.name, n.primitive.kind) for n in graph.nodes]
    values, kinds = run(built, RNG.normal(size=(5, 4)))
    assert "dense" in kinds and [(n.name, n.primitive.kind) for n in graph.nodes] == before
    session = g.Session(graph)
    session.run(built[-1])
    added = next(n for n in graph.nodes if n.primitive.kind == "add")
    fed = RNG.normal(size=(5, 3))
    np.testing.assert_allclose(session.run(y, {added: fed}), np.maximum(fed, 0))


def test_a_fused_node_keeps_its_name_in_check_numerics_errors():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 2])
        W = tf.Variable([[1e30], [0.0]])
        h = tf.nn.relu(tf.matmul(x, W) + tf.Variable([0.0]), name="hidden")
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            with check_numerics(), pytest.raises(NonFiniteError, match="op 'dense' "
                                                 r"\(node 'hidden'\)"):
                session.run(h, {x: [[1e30, 1.0]]})  # overflows float32


def keras_cnn():
    P.random.seed(0)
    return Sequential([L.Conv2D(4, 3, padding="same", activation="relu", input_shape=(8, 8, 1)),
                       L.MaxPooling2D(), L.Conv2D(4, 3, padding="same", activation="relu"),
                       L.MaxPooling2D(), L.Flatten(), L.Dense(8, activation="relu"),
                       L.Dense(3, activation="softmax")])


def test_keras_train_plan_holds_the_fused_ops_and_names_their_layers():
    model = keras_cnn()
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    plan = model._plan("train")
    kinds = [n.primitive.kind for n in plan.nodes]
    assert kinds.count("conv_pool2d") == 1 and kinds.count("dense") == 2
    assert not {"conv2d", "max_pool2d", "matmul", "relu"} & set(kinds)
    assert {"conv_pool2d_grad", "dense_grad"} <= set(kinds)
    layers = {n.primitive.kind: plan._call.plan.origin_of(n)[0] for n in plan.nodes}
    assert layers["conv_pool2d"] == ", ".join(layer.name for layer in model.layers[:4])
    last = next(n for n in plan.nodes if n.primitive.kind == "dense_grad")  # the output layer's
    assert plan._call.plan.origin_of(last) == (model.layers[-1].name, True)


def test_tf1_cnn_train_plan_holds_the_fused_ops():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 8, 8, 1])
        labels = tf.placeholder(tf.float32, [None, 3])
        h = x
        for channels in ((1, 4), (4, 4)):
            W = tf.Variable(tf.truncated_normal([3, 3, *channels], stddev=0.1))
            b = tf.Variable(tf.constant(0.1, shape=[channels[1]]))
            h = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, W, [1, 1, 1, 1], "SAME"),
                                                         b)), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        W = tf.Variable(tf.truncated_normal([2 * 2 * 4, 3], stddev=0.1))
        logits = tf.add(tf.matmul(tf.reshape(h, [-1, 16]), W), tf.Variable(tf.zeros([3])))
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels,
                                                                          logits=logits))
        train = tf.train.AdamOptimizer(1e-3).minimize(loss)
        session = tf.Session()
        session.run(tf.global_variables_initializer())
    step = session.make_callable([train, loss], [x, labels])
    kinds = [n.primitive.kind for n in step.plan.nodes]
    assert kinds.count("conv_pool2d") == 1 and kinds.count("dense") == 1
    assert not {"conv2d", "max_pool2d", "matmul", "relu"} & set(kinds)
    rng = np.random.default_rng(1)
    batch = rng.random((4, 8, 8, 1)).astype(np.float32), np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]
    first = step(*batch)[1]
    for _ in range(20):
        last = step(*batch)[1]
    assert last < first


def test_plans_with_products_or_convolutions_run_inside_compute_threads(monkeypatch):
    entered = []
    monkeypatch.setattr(graph_session, "compute_threads",
                        lambda: contextlib.nullcontext(entered.append(True)))
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", (None, 4, 4, 1))
        pooled = P.max_pool2d(x, 2)
        total = (x * 2).sum()
    session = g.Session(graph)
    session.run(total, {x: np.ones((1, 4, 4, 1))})
    assert not entered  # a small elementwise graph keeps BLAS's own threads
    session.run(pooled, {x: np.ones((1, 4, 4, 1))})
    session.make_callable([pooled], [x])(np.ones((1, 4, 4, 1)))
    assert entered == [True, True]
    with graph.as_default():
        product = P.matmul(P.reshape(x, (-1, 16)), np.ones((16, 2), np.float32))
    session.run(product, {x: np.ones((1, 4, 4, 1))})
    assert entered == [True, True, True]
