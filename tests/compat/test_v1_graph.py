"""passos.compat.v1: graphs, sessions, names, variables and scopes behave as TensorFlow 1's."""
import numpy as np
import pytest

import passos.compat.v1 as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    """Every test starts from an empty default graph and no default session."""
    tf.reset_default_graph()
    yield
    while tf.get_default_session() is not None:
        tf.get_default_session().close()
    tf.reset_default_graph()


# -- the course's slide, exactly ------------------------------------------------------------
def test_course_slide_forward_pass():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(shape=[10, 1], dtype="float32")
        W1 = tf.get_variable(initializer=np.zeros([4, 10], "float32"))
        v = tf.matmul(W1, x)
        h = tf.sigmoid(v)
        W2 = tf.get_variable(initializer=np.zeros([2, 4], "float32"))
        z = tf.matmul(W2, h)
        yhat = tf.nn.softmax(z)
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as session:
        session.run(init)
        out, h_value, z_value = session.run([yhat, h, z], feed_dict={x: np.arange(10.0)[:, None]})
    # zero weights: h = sigmoid(0) = 0.5, z = 0; TF1's softmax runs over the LAST axis, which
    # has size 1 here, so every entry is exp(0) / exp(0) = 1 (not 0.5)
    np.testing.assert_array_equal(h_value, np.full((4, 1), 0.5, np.float32))
    np.testing.assert_array_equal(z_value, np.zeros((2, 1), np.float32))
    np.testing.assert_array_equal(out, [[1.0], [1.0]])
    assert out.dtype == np.float32 and out.shape == (2, 1)
    assert W1.name == "Variable:0" and W2.name == "Variable_1:0"
    assert W1.shape == (4, 10) and yhat.shape == (2, 1)


def test_softmax_over_axis_zero_gives_the_halves():
    z = tf.zeros([2, 1])
    with tf.Session() as session:
        np.testing.assert_array_equal(session.run(tf.nn.softmax(z, axis=0)), [[0.5], [0.5]])


# -- names ---------------------------------------------------------------------------------------
def test_names_are_made_unique_like_tf1():
    a = tf.placeholder(tf.float32, name="x")
    b = tf.placeholder(tf.float32, name="x")
    c = tf.constant(1.0, name="x")
    assert (a.name, b.name, c.name) == ("x:0", "x_1:0", "x_2:0")
    assert tf.placeholder(tf.float32).name == "Placeholder:0"
    assert tf.Variable(1.0).name == "Variable:0" and tf.Variable(2.0).name == "Variable_1:0"
    assert tf.add(a, b).name == "Add:0" and tf.add(a, b, name="total").name == "total:0"
    assert tf.add(a, b, name="total").name == "total_1:0"
    assert tf.get_default_graph().get_tensor_by_name("total_1:0").node_name == "total_1"


def test_name_scopes_prefix_and_uniquify():
    with tf.name_scope("layer") as scope:
        assert scope == "layer/"
        w = tf.Variable(1.0, name="w")
        y = tf.multiply(w, 2.0, name="y")
    with tf.name_scope("layer") as scope:
        assert scope == "layer_1/"
        w2 = tf.Variable(1.0, name="w")
        with tf.name_scope("inner"):
            z = tf.identity(w2, name="z")
    assert (w.node_name, y.node_name, w2.node_name, z.node_name) == (
        "layer/w", "layer/y", "layer_1/w", "layer_1/inner/z")
    graph = tf.get_default_graph()
    with graph.name_scope("g"):
        assert tf.constant(0).name == "g/Const:0"


def test_variable_scope_names_and_reuse():
    with tf.variable_scope("scope"):
        w = tf.get_variable("w", [2, 3], initializer=tf.zeros_initializer())
        v = tf.Variable(1.0, name="v")
    assert w.name == "scope/w:0" and v.name == "scope/v:0"
    with tf.variable_scope("scope", reuse=True):
        assert tf.get_variable("w", [2, 3]) is w
        assert tf.get_variable("w") is w
        with pytest.raises(ValueError, match=r"^Variable scope/u does not exist, or was not created "
                                             r"with tf.get_variable\(\)"):
            tf.get_variable("u", [1])
    with tf.variable_scope("scope", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("w", [2, 3]) is w
        new = tf.get_variable("u", [1])
    assert new.name == "scope/u:0"
    with tf.variable_scope("scope") as scope:
        scope.reuse_variables()
        assert tf.get_variable("w") is w
    with tf.variable_scope("outer"):
        with tf.variable_scope("inner"):
            assert tf.get_variable("k", [1]).name == "outer/inner/k:0"
    assert len(tf.global_variables()) == 4


def test_reusing_a_scope_object_and_inherited_reuse():
    with tf.variable_scope("net") as net:
        w = tf.get_variable("w", [1])
    with tf.variable_scope(net, reuse=True):
        with tf.variable_scope("sub", reuse=False):  # inherits reuse, as in TF1
            with pytest.raises(ValueError, match="does not exist"):
                tf.get_variable("k", [1])
        assert tf.get_variable("w") is w


def test_the_already_exists_error():
    with tf.variable_scope("scope"):
        tf.get_variable("w", [1])
    with pytest.raises(ValueError) as info:
        with tf.variable_scope("scope"):
            tf.get_variable("w", [1])
    message = str(info.value)
    assert message.startswith("Variable scope/w already exists, disallowed. Did you mean to set "
                              "reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
    assert "tf.reset_default_graph()" in message


def test_sharing_checks_shape_and_dtype():
    with tf.variable_scope("s"):
        tf.get_variable("w", [2])
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match=r"Trying to share variable s/w, but specified shape "
                                             r"\(3,\) and found shape \(2,\)"):
            tf.get_variable("w", [3])
        with pytest.raises(ValueError, match="specified dtype float64 and found dtype float32"):
            tf.get_variable("w", [2], dtype=tf.float64)


def test_get_variable_initializers_and_errors():
    tf.set_random_seed(1)
    a = tf.get_variable("a", [3, 4])  # Glorot uniform by default
    b = tf.get_variable("b", [2], initializer=tf.constant_initializer(7))
    c = tf.get_variable("c", [500], initializer=tf.random_normal_initializer(1.0, 0.5))
    d = tf.get_variable("d", [2], dtype=tf.int32)
    e = tf.get_variable("e", dtype=tf.float32, initializer=0.)
    f = tf.get_variable("f", [400], initializer=tf.truncated_normal_initializer(stddev=0.1))
    with pytest.raises(ValueError, match="if initializer is a constant, do not specify shape"):
        tf.get_variable("g", [2], initializer=np.zeros(2))
    with pytest.raises(ValueError, match=r"Shape of a new variable \(h\) must be fully defined"):
        tf.get_variable("h")
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        va, vb, vc, vd, ve, vf = s.run([a, b, c, d, e, f])
    limit = np.sqrt(6 / 7)
    assert va.dtype == np.float32 and np.all(np.abs(va) <= limit) and va.std() > 0
    np.testing.assert_array_equal(vb, [7, 7])
    assert abs(vc.mean() - 1) < 0.1 and abs(vc.std() - 0.5) < 0.1
    assert vd.dtype == np.int32 and vd.tolist() == [0, 0]
    assert ve.dtype == np.float32 and ve.shape == () and ve == 0
    assert np.abs(vf).max() <= 0.2


def test_initialisers_draw_again_on_each_run():
    w = tf.get_variable("w", [50], initializer=tf.random_uniform_initializer(-1, 1))
    init = tf.global_variables_initializer()
    with tf.Session() as s:
        s.run(init)
        first = s.run(w)
        s.run(init)
        assert not np.array_equal(first, s.run(w))


# -- dtypes --------------------------------------------------------------------------------------
def test_dtypes_compare_with_numpy_and_names():
    assert tf.float32 == np.float32 and tf.float32 == "float32" and tf.float32 != tf.float64
    assert np.dtype("float32") == tf.float32 and tf.int32.as_numpy_dtype is np.int32
    assert np.zeros(2, tf.float64).dtype == np.float64
    x = tf.placeholder(tf.float32)
    assert x.dtype == tf.float32 and tf.as_dtype("int64") is tf.int64
    assert {tf.float32: 1}[tf.as_dtype(np.float32)] == 1 and tf.bool.is_bool


def test_constants_follow_tf1_conversion():
    assert tf.constant(1.5).dtype == np.float32
    assert tf.constant(3).dtype == np.int32
    assert tf.constant([1.0, 2.0]).dtype == np.float32
    assert tf.constant(np.zeros(2)).dtype == np.float64
    assert tf.constant(0, dtype=tf.float64).dtype == np.float64
    c = tf.constant([1, 2, 3, 4, 5, 6], shape=[2, 3])
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(c), [[1, 2, 3], [4, 5, 6]])
        value = s.run(tf.constant(2.0, shape=[2]))
        value2 = s.run(tf.constant(2.0, shape=[2]))
        assert value.tolist() == [2.0, 2.0] and value2 is not None
    with pytest.raises(ValueError, match="cannot fill shape"):
        tf.constant([1, 2, 3], shape=[2])


def test_division_and_dtype_rules():
    i, j = tf.constant(7), tf.constant(2)
    x = tf.placeholder(tf.float32, [2])
    with tf.Session() as s:
        quotient, floored, remainder = s.run([i / j, i // j, i % j])
        assert quotient == 3.5 and quotient.dtype == np.float64
        assert floored == 3 and floored.dtype == np.int32 and remainder == 1
        assert s.run(tf.divide(i, j)) == 3.5 and s.run(tf.div(i, j)) == 3
        assert s.run(tf.constant(-7) // 2) == -4
        for y in (x * 2.0, 2.5 * x, x / 3.0, x + np.float64(1), tf.multiply(x, 2.0), x * [1.0, 2.0]):
            assert y.dtype == np.float32
            assert s.run(y, {x: [1, 2]}).dtype == np.float32
        assert s.run(tf.reduce_mean(tf.constant([1, 2]))) == 1  # integer mean, as TF1
        assert s.run(tf.cast(tf.constant(2.7), tf.int32)) == 2


# -- sessions ------------------------------------------------------------------------------------
def test_fetch_structures_and_operations():
    x = tf.placeholder(tf.float32, [None], name="x")
    w = tf.Variable([1.0, 2.0], name="w")
    y = x * w
    total = tf.reduce_sum(y)
    init = tf.global_variables_initializer()
    with tf.Session() as s:
        assert s.run(init) is None
        out = s.run({"pair": (y, [total]), "w": w, "op": init}, feed_dict={x: [3, 4]})
        np.testing.assert_array_equal(out["pair"][0], [3, 8])
        assert isinstance(out["pair"], tuple) and out["pair"][1] == [11.0] and out["op"] is None
        np.testing.assert_array_equal(out["w"], [1, 2])


def test_session_graph_and_context_make_defaults():
    graph = tf.Graph()
    with graph.as_default():
        c = tf.constant(4.0)
    session = tf.Session(graph=graph)
    assert session.graph is graph
    with session:
        assert tf.get_default_graph() is graph and tf.get_default_session() is session
        assert c.eval() == 4.0
        d = tf.sqrt(c)  # built in the session's graph
        assert d.graph is graph and d.eval() == 2.0
    assert tf.get_default_graph() is not graph and tf.get_default_session() is None
    with pytest.raises(RuntimeError, match="closed"):
        session.run(c)


def test_eval_and_run_need_a_default_session():
    w = tf.Variable(2.0)
    y = w * 3
    with pytest.raises(ValueError, match=r"^Cannot evaluate tensor using `eval\(\)` \('mul:0'\): No "
                                         r"default session is registered"):
        y.eval()
    session = tf.Session()
    with session.as_default():
        tf.global_variables_initializer().run()
        assert y.eval() == 6.0
    assert y.eval(session=session) == 6.0
    w.load(5.0, session)
    assert session.run(y) == 15.0


def test_interactive_session_is_the_default_until_closed():
    x = tf.placeholder(tf.float32, [2])
    w = tf.Variable([1.0, 1.0])
    step = w.assign_add(x)
    session = tf.InteractiveSession()
    tf.global_variables_initializer().run()
    step.run(feed_dict={x: [1, 2]})
    np.testing.assert_array_equal(w.eval(), [2, 3])
    assert (x * 2).eval(feed_dict={x: [1, 2]}).tolist() == [2, 4]
    session.close()
    assert tf.get_default_session() is None


def test_uninitialised_variables_and_bad_feeds_name_the_culprit():
    x = tf.placeholder(tf.float32, [None, 3], name="inputs")
    w = tf.get_variable("weights", [3, 1])
    y = tf.matmul(x, w)
    with tf.Session() as s:
        with pytest.raises(RuntimeError, match="variable 'weights' is not initialised"):
            s.run(y, {x: np.ones((2, 3))})
        s.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match=r"placeholder 'inputs' has shape \(\?, 3\); cannot "
                                             r"feed a value of shape \(2, 4\)"):
            s.run(y, {x: np.ones((2, 4))})
        with pytest.raises(ValueError, match="placeholder 'inputs'.*needs a value"):
            s.run(y)
        assert s.run(y, {x: np.ones((5, 3))}).shape == (5, 1)


def test_collections_and_variable_lists():
    w = tf.Variable(1.0, name="w")
    frozen = tf.Variable(2.0, name="frozen", trainable=False)
    assert tf.global_variables() == [w, frozen]
    assert tf.trainable_variables() == [w]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [w]
    tf.add_to_collection("mine", w)
    assert tf.get_default_graph().get_collection("mine") == [w]
    with tf.Session() as s:
        s.run(tf.variables_initializer([w]))
        assert s.run(w) == 1.0
        with pytest.raises(RuntimeError, match="'frozen' is not initialised"):
            s.run(frozen)


def test_graph_lookup_and_shapes():
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    assert x.get_shape().as_list() == [None, 784]
    assert tf.get_default_graph().get_operation_by_name("x") == x.op
    assert [op.name for op in tf.get_default_graph().get_operations()] == ["x"]
    with pytest.raises(ValueError, match=r"matmul: shapes \(\?, 784\) and \(10, 2\) are not aligned"):
        tf.matmul(x, tf.zeros([10, 2]))


def test_random_ops_draw_fresh_values_and_seed():
    r = tf.random_normal([1000], mean=2.0, stddev=3.0)
    u = tf.random_uniform([1000], -1, 1)
    t = tf.truncated_normal([1000], stddev=1.0)
    with tf.Session() as s:
        a, b = s.run(r), s.run(r)
        assert not np.array_equal(a, b) and a.dtype == np.float32
        assert abs(a.mean() - 2) < 0.3 and abs(a.std() - 3) < 0.3
        uv, tv = s.run([u, t])
        assert uv.min() >= -1 and uv.max() < 1 and np.abs(tv).max() <= 2
    seeded = tf.random_normal([3], seed=5)
    first = tf.Session().run(seeded)
    np.testing.assert_array_equal(first, tf.Session().run(seeded))  # op seed: same per session


def test_placeholder_with_default():
    x = tf.placeholder_with_default([1.0, 2.0], shape=[None])
    with tf.Session() as s:
        assert s.run(x * 2).tolist() == [2, 4]
        assert s.run(x * 2, {x: [1.0, 1.0, 1.0]}).tolist() == [2, 2, 2]


def test_summary_is_optional():
    try:
        tf.summary
    except AttributeError as error:
        assert "tensorboard" in str(error)


def test_tf1_idioms():
    v = tf.Variable(1.0)
    assert isinstance(v, tf.Variable) and isinstance(v, tf.Tensor) and not isinstance(v * 2, tf.Variable)
    x = tf.placeholder(tf.float32, [3, 2])
    assert [t.shape for t in x] == [(2,), (2,), (2,)]
    with pytest.raises(TypeError, match="unknown first dimension"):
        list(tf.placeholder(tf.float32, [None, 2]))
    keep_prob = tf.placeholder(tf.float32)
    assert tf.nn.dropout(tf.zeros([4, 3]), keep_prob).shape == (4, 3)
    assert tf.math.reduce_sum is tf.reduce_sum and tf.random.normal is tf.random_normal
    graph = tf.Graph()
    with graph.as_default():
        w = tf.Variable(2.0)
        loss = tf.square(w)
    step = tf.train.GradientDescentOptimizer(0.25).minimize(loss)  # outside graph.as_default()
    with tf.Session(graph) as sess:  # a graph passed positionally, as some TF1 code does
        sess.run(tf.variables_initializer([w]))
        assert sess.run([step, tf.no_op()][0]) is None and sess.run(w) == 1.0


def test_device_placement_and_session_config_are_accepted_on_the_cpu():
    """TF1 code pins ops to devices and configures sessions; passos runs all on the CPU."""
    with tf.device("/gpu:0"):
        x = tf.placeholder(tf.float32, [None, 2])
        with tf.device(None):
            y = tf.reduce_sum(x * 2.0)
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False)
    with tf.Session(config=config) as s:
        assert s.run(y, {x: [[1.0, 2.0]]}) == 6.0
    with pytest.raises(TypeError, match=r"tf.device: expected a device name such as '/cpu:0'"):
        with tf.device(0):
            pass
