"""TF1's summary API (passos.compat.v1.summary): summary ops run by a Session, merged, written
by a FileWriter, and read back by TensorBoard.

The ops are built on passos.graph directly, which is what passos.compat.v1 builds on; when
passos.compat.v1 itself offers placeholder/Session, the same flow is also run through it.
"""
import importlib
import importlib.util
import os

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import passos  # noqa: E402
import passos.graph as g  # noqa: E402
from passos.core.shapes import ShapeError  # noqa: E402

SUMMARY_PY = os.path.join(os.path.dirname(passos.__file__), "compat", "v1", "summary.py")


def _load_summary_module():
    try:
        return importlib.import_module("passos.compat.v1.summary")
    except ImportError:  # compat.v1 may be a module, not a package, while it is being written
        spec = importlib.util.spec_from_file_location("_passos_compat_v1_summary", SUMMARY_PY)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


summary = _load_summary_module()


def _compat_v1():
    try:
        tf = importlib.import_module("passos.compat.v1")
    except Exception:
        return None
    needed = ("placeholder", "Session", "summary", "reduce_mean")
    return tf if all(hasattr(tf, name) for name in needed) else None


def test_scalar_histogram_image_merge_all_and_file_writer(tmp_path, accumulate):
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", (None, 4, 4, 1), name="x")
        with graph.name_scope("stats"):
            summary.scalar("average", passos.mean(x))
            summary.histogram("pixels", x)
        summary.image("digits", x, max_outputs=2)
        merged = summary.merge_all()
    rng = np.random.default_rng(0)
    batches = [rng.uniform(0, 1, (3, 4, 4, 1)).astype(np.float32) for _ in range(3)]
    with g.Session(graph) as sess:
        writer = summary.FileWriter(str(tmp_path), sess.graph)
        for step, batch in enumerate(batches):
            serialized = sess.run(merged, {x: batch})
            assert isinstance(serialized, bytes)
            writer.add_summary(serialized, global_step=step * 10)
        writer.close()
    events = accumulate(tmp_path)
    scalars = events.Scalars("stats/average")
    assert [e.step for e in scalars] == [0, 10, 20]
    np.testing.assert_allclose([e.value for e in scalars], [b.mean() for b in batches], rtol=1e-6)
    histograms = events.Histograms("stats/pixels")
    assert [h.histogram_value.num for h in histograms] == [48, 48, 48]
    assert histograms[2].histogram_value.max == pytest.approx(batches[2].max())
    assert sorted(events.Tags()["images"]) == ["digits/image/0", "digits/image/1"]
    assert (events.Images("digits/image/1")[0].width,
            events.Images("digits/image/1")[0].height) == (4, 4)
    # the graph holds the summary ops as nodes, wired to what they summarise
    nodes = {n.name: n for n in events.Graph().node}
    assert nodes["stats/average"].op == "ScalarSummary"
    assert list(nodes["stats/average"].input) == ["stats/mean"]
    assert nodes["stats/pixels"].op == "HistogramSummary" and nodes["stats/pixels"].input[0] == "x"
    assert any(n.op == "MergeSummary" for n in nodes.values())


def test_tags_follow_name_scopes_and_stay_unique():
    graph = g.Graph()
    with graph.as_default(), graph.name_scope("train"):
        first = summary.scalar("loss", 1.0)
        second = summary.scalar("loss", 2.0)
    assert (first.name, second.name) == ("train/loss", "train/loss_1")
    from tensorboard.compat.proto import summary_pb2
    with g.Session(graph) as sess:
        values = summary_pb2.Summary.FromString(sess.run(second)).value
    assert [(v.tag, v.simple_value) for v in values] == [("train/loss_1", 2.0)]


def test_merge_collections_and_scope_filter():
    graph = g.Graph()
    with graph.as_default():
        a = summary.scalar("a", 1.0)
        b = summary.scalar("b", 2.0)
        hidden = summary.scalar("hidden", 3.0, collections=[])
        extra = summary.scalar("extra", 4.0, collections=["mine"])
        assert summary.summary_collection(graph) == [a, b]
        only_b = summary.merge_all(scope="b")
        mine = summary.merge_all(key="mine")
        pair = summary.merge([a, hidden])
        everything = summary.merge_all()
    from tensorboard.compat.proto import summary_pb2

    def tags(node):
        return [v.tag for v in summary_pb2.Summary.FromString(sess.run(node)).value]
    with g.Session(graph) as sess:
        assert tags(only_b) == ["b"]
        assert tags(mine) == ["extra"] and extra in summary.summary_collection(graph, "mine")
        assert tags(pair) == ["a", "hidden"]
        assert tags(everything) == ["a", "b"]
    with g.Graph().as_default():
        assert summary.merge_all() is None  # as in TF1, when there is nothing to merge


def test_shape_mistakes_surface_when_the_graph_is_built():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", (3,), name="x")
        with pytest.raises(ShapeError, match="single value"):
            summary.scalar("x", x)
        with pytest.raises(ShapeError, match="batch, height"):
            summary.image("x", x)
        summary.scalar("ok", g.placeholder("float32", (None,), name="maybe_one"))


def test_float_images_are_rescaled_as_tf1_does():
    import io
    Image = pytest.importorskip("PIL.Image")
    graph = g.Graph()
    images = np.array([[[0.0], [0.5]], [[0.25], [0.125]]], np.float32)[None]  # (1, 2, 2, 1)
    signed = np.array([[[-1.0], [0.0]], [[0.5], [1.0]]], np.float32)[None]
    with graph.as_default():
        positive = summary.image("pos", images, max_outputs=1)
        negative = summary.image("neg", signed, max_outputs=1)
    from tensorboard.compat.proto import summary_pb2
    with g.Session(graph) as sess:
        (pos,) = summary_pb2.Summary.FromString(sess.run(positive)).value
        (neg,) = summary_pb2.Summary.FromString(sess.run(negative)).value
    assert pos.tag == "pos/image"

    def pixels(value):
        return np.asarray(Image.open(io.BytesIO(value.image.encoded_image_string))).tolist()
    assert pixels(pos) == [[0, 255], [128, 64]]  # largest value -> 255
    assert pixels(neg) == [[1, 128], [192, 255]]  # 0 -> 128, largest magnitude -> +-127


def test_file_writer_accepts_summary_protos_and_reopens(tmp_path, accumulate, event_files):
    Summary = summary.Summary
    writer = summary.FileWriter(str(tmp_path))
    writer.add_summary(Summary(value=[Summary.Value(tag="lr", simple_value=0.1)]), 5)
    writer.close()
    writer.reopen()
    writer.add_summary(Summary(value=[Summary.Value(tag="lr", simple_value=0.05)]), 6)
    writer.close()
    assert writer.get_logdir() == str(tmp_path) and len(event_files(tmp_path)) == 2
    assert sorted(e.value for f in event_files(tmp_path) for e in accumulate(f).Scalars("lr")) \
        == pytest.approx([0.05, 0.1])
    with pytest.raises(TypeError, match="Summary protobuf"):
        summary.FileWriter(str(tmp_path)).add_summary(3.0)


def test_through_passos_compat_v1_when_available(tmp_path, accumulate):
    tf = _compat_v1()
    if tf is None:
        pytest.skip("passos.compat.v1 does not offer placeholder/Session/summary yet")
    x = tf.placeholder(tf.float32, [None], name="x")
    tf.summary.scalar("mean_x", tf.reduce_mean(x))
    merged = tf.summary.merge_all()
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
        writer.add_summary(sess.run(merged, feed_dict={x: [1.0, 2.0, 6.0]}), 1)
        writer.close()
    assert [(e.step, e.value) for e in accumulate(tmp_path).Scalars("mean_x")] == [(1, 3.0)]
