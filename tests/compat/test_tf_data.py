"""tf.data in passos.compat.v1: pipelines run on NumPy in the session, one element per run."""
import numpy as np
import pytest

import passos.compat.v1 as tf


def drain(sess, fetch, **kwargs):
    out = []
    while True:
        try:
            out.append(sess.run(fetch, **kwargs))
        except tf.errors.OutOfRangeError:
            return out


def test_shuffled_batches_cover_each_element_once_per_epoch():
    x = np.arange(10, dtype="float32")
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices((x, x * 2)).shuffle(4, seed=1).batch(3).repeat(2)
        a, b = tf.data.make_one_shot_iterator(ds).get_next()
        assert tuple(a.shape) == (None,) and a.dtype == np.float32
        with tf.Session() as sess:
            batches = drain(sess, (a, b))
    assert [len(p) for p, _ in batches] == [3, 3, 3, 1] * 2
    firsts = [np.concatenate([p for p, _ in batches[:4]]), np.concatenate([p for p, _ in batches[4:]])]
    for epoch in firsts:
        assert sorted(epoch.tolist()) == x.tolist()
    assert firsts[0].tolist() != x.tolist() and firsts[0].tolist() != firsts[1].tolist()
    for p, q in batches:
        np.testing.assert_array_equal(q, p * 2)


def test_out_of_range_at_the_end_and_dicts():
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices({"x": [[1, 2], [3, 4]], "y": [0, 1]})
        element = ds.make_one_shot_iterator().get_next()
        assert set(element) == {"x", "y"} and element["x"].dtype == np.int32
        with tf.Session() as sess:
            assert sess.run(element["x"]).tolist() == [1, 2]
            assert sess.run(element)["y"] == 1
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(element)


def test_two_fetches_in_one_run_see_one_element():
    with tf.Graph().as_default():
        x = tf.data.Dataset.range(5).make_one_shot_iterator().get_next()
        y = x * 10
        with tf.Session() as sess:
            assert sess.run([x, x, y]) == [0, 0, 0]
            assert sess.run([y, x]) == [10, 1]


def test_initializable_iterator_reinitialised_with_new_feeds():
    with tf.Graph().as_default():
        data = tf.placeholder(tf.float32, [None])
        it = tf.data.Dataset.from_tensor_slices(data).batch(2).make_initializable_iterator()
        nxt = it.get_next()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="not been initialized"):
                sess.run(nxt)
            sess.run(it.initializer, feed_dict={data: [1, 2, 3]})
            assert [v.tolist() for v in drain(sess, nxt)] == [[1, 2], [3]]
            sess.run(it.initializer, feed_dict={data: [7, 8]})
            assert [v.tolist() for v in drain(sess, nxt)] == [[7, 8]]
        with pytest.raises(ValueError, match="placeholders"):
            tf.data.Dataset.from_tensor_slices(data).make_one_shot_iterator()


def test_iterator_from_structure_switches_datasets():
    with tf.Graph().as_default():
        train = tf.data.Dataset.from_tensor_slices(np.arange(4.0, dtype="float32")).batch(2)
        test = tf.data.Dataset.from_tensor_slices(np.arange(10.0, 13.0, dtype="float32")).batch(2)
        it = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
        nxt = it.get_next()
        init_train, init_test = it.make_initializer(train), it.make_initializer(test)
        with pytest.raises(TypeError, match="make_initializer"):
            it.make_initializer(tf.data.Dataset.range(3))
        with tf.Session() as sess:
            sess.run(init_test)
            assert sess.run(nxt).tolist() == [10, 11]
            sess.run(init_train)
            assert [v.tolist() for v in drain(sess, nxt)] == [[0, 1], [2, 3]]


def test_map_filter_padded_batch_take_skip_zip_cache():
    def sequences():
        for n in range(1, 8):
            yield [n] * n, n
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_generator(sequences, (tf.int32, tf.int32), ([None], []))
        ds = ds.filter(lambda s, n: tf.equal(n % 2, 1)).map(lambda s, n: (s * 2, n * n))
        ds = ds.skip(1).take(3).cache().repeat(2).padded_batch(2, padded_shapes=([None], []))
        seq, sq = ds.make_one_shot_iterator().get_next()
        assert tuple(seq.shape) == (None, None) and seq.dtype == np.int32
        zipped = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.from_tensors([5, 6])))
        z = zipped.prefetch(1).make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            got = drain(sess, (seq, sq))
            assert drain(sess, z)[0][1].tolist() == [5, 6]
    assert [s.tolist() for _, s in got] == [[9, 25], [49, 9], [25, 49]]
    assert got[0][0].tolist() == [[6, 6, 6, 0, 0], [10, 10, 10, 10, 10]]
    assert got[1][0].shape == (2, 7)


def test_bad_input_is_named_when_built():
    with pytest.raises(ValueError, match="from_tensor_slices.*first dimensions differ"):
        tf.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        tf.data.Dataset.range(3).batch(0)
    with tf.Graph().as_default(), pytest.raises(ValueError, match="filter.*scalar bool"):
        tf.data.Dataset.range(3).filter(lambda n: n + 1)


def test_model_trains_from_get_next():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(64, 3)).astype("float32")
    labels = features @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices((features, labels)).shuffle(64, seed=0).batch(16)
        it = ds.make_initializable_iterator()
        x, y = it.get_next()
        w = tf.Variable(tf.zeros([3, 1]))
        b = tf.Variable(tf.zeros([1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            epochs = []
            for _ in range(8):
                sess.run(it.initializer)
                losses = []
                while True:
                    try:
                        losses.append(sess.run([train, loss])[1])
                    except tf.errors.OutOfRangeError:
                        break
                epochs.append(np.mean(losses))
    assert len(losses) == 4 and epochs[-1] < 0.1 * epochs[0]


def test_errors_are_tf1_classes():
    assert issubclass(tf.errors.OutOfRangeError, tf.errors.OpError)
    assert str(tf.errors.InvalidArgumentError(None, None, "bad")) == "bad"
    assert issubclass(tf.errors.NotFoundError, KeyError)


def test_flat_map_interleave_enumerate_unbatch():
    with tf.Graph().as_default():
        rows = tf.data.Dataset.from_tensor_slices(np.arange(6).reshape(3, 2))
        flat = rows.flat_map(lambda r: tf.data.Dataset.from_tensor_slices(r * 10))
        mixed = rows.interleave(lambda r: tf.data.Dataset.from_tensor_slices(r), cycle_length=2)
        pairs = rows.unbatch().enumerate(start=1).batch(6)
        fetches = [d.make_one_shot_iterator().get_next() for d in (flat, mixed)]
        index, value = pairs.make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            assert [v.tolist() for v in drain(sess, fetches[0])] == [0, 10, 20, 30, 40, 50]
            assert [v.tolist() for v in drain(sess, fetches[1])] == [0, 2, 1, 3, 4, 5]
            i, v = sess.run((index, value))
    assert i.tolist() == [1, 2, 3, 4, 5, 6] and v.tolist() == [0, 1, 2, 3, 4, 5]


def test_output_shapes_are_tensor_shapes_and_rebuild_an_iterator():
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices((np.zeros((4, 3), "float32"), np.zeros((4, 1))))
        ds = ds.batch(2)
        assert ds.output_shapes[0].as_list() == [None, 3] and ds.output_types[1] == tf.float64
        it = tf.data.Iterator.from_structure(ds.output_types, ds.output_shapes)
        x, y = it.get_next()
        assert tuple(x.shape) == (None, 3) and tuple(y.shape) == (None, 1)
        with pytest.raises(ValueError, match="padded_shapes.*does not match"):
            ds.padded_batch(2, padded_shapes=[None])


def test_batch_and_shuffle_sizes_may_be_tensors_fed_at_initialisation():
    # TF1's pattern: one pipeline, batch_size an int64 placeholder (training vs evaluation).
    with tf.Graph().as_default():
        data = tf.placeholder(tf.float32, [None])
        batch_size = tf.placeholder(tf.int64, [])
        ds = tf.data.Dataset.from_tensor_slices(data).shuffle(tf.constant(10, tf.int64)).batch(
            batch_size)
        padded = tf.data.Dataset.from_tensor_slices(data).padded_batch(batch_size, [])
        assert tuple(ds.output_shapes) == (None,)
        it, it_padded = ds.make_initializable_iterator(), padded.make_initializable_iterator()
        nxt, nxt_padded = it.get_next(), it_padded.get_next()
        with tf.Session() as sess:
            sess.run(it.initializer, feed_dict={data: np.arange(5.0), batch_size: 2})
            batches = drain(sess, nxt)
            assert [len(b) for b in batches] == [2, 2, 1]
            assert sorted(np.concatenate(batches).tolist()) == list(range(5))
            sess.run(it_padded.initializer, feed_dict={data: np.arange(5.0), batch_size: 4})
            assert [len(b) for b in drain(sess, nxt_padded)] == [4, 1]
            sess.run(it.initializer, feed_dict={data: np.arange(5.0), batch_size: 0})
            with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
                sess.run(nxt)
        with pytest.raises(ValueError, match="batch_size must be a scalar tensor, got shape"):
            ds.batch(tf.constant([2, 2], tf.int64))


def test_shuffle_follows_the_graph_seed_and_reshuffles_at_each_initialisation():
    def orders():
        with tf.Graph().as_default():
            tf.set_random_seed(3)
            it = tf.data.Dataset.range(20).shuffle(20).make_initializable_iterator()
            nxt = it.get_next()
            with tf.Session() as sess:
                epochs = []
                for _ in range(2):
                    sess.run(it.initializer)
                    epochs.append([int(v) for v in drain(sess, nxt)])
                return epochs
    first, second = orders(), orders()
    assert first == second  # one seed, one program: the same orders
    assert sorted(first[0]) == list(range(20)) and first[0] != first[1]  # a new order each epoch
