"""The course's worked numbers, pinned exactly (float64), in eager and graph mode."""
import numpy as np
import pytest

import passos
import passos.graph as g
from passos.course import backprop

SOFTMAX_IN = [3.82, 5.35, 1.44, -1.26, 2.71, 1.98]
SOFTMAX_OUT = [0.16115195, 0.74422819, 0.01491471, 0.00100235, 0.05310907, 0.02559374]


def test_softmax_values_eager():
    y = passos.softmax(passos.tensor(SOFTMAX_IN, dtype="float64"))
    np.testing.assert_allclose(y.numpy(), SOFTMAX_OUT, rtol=0, atol=5e-9)


def test_softmax_values_graph():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float64", (None,), name="x")
        y = passos.softmax(x)
    out = g.Session(graph).run(y, {x: SOFTMAX_IN})
    np.testing.assert_allclose(out, SOFTMAX_OUT, rtol=0, atol=5e-9)


def test_information_theory_numbers():
    assert round(passos.info.entropy([0.8, 0.2]), 2) == 0.72
    assert passos.info.entropy([0.5, 0.5]) == pytest.approx(1.0, abs=1e-15)
    assert round(passos.info.kl_divergence([0.8, 0.2], [0.5, 0.5]), 2) == 0.28
    assert round(passos.info.kl_divergence([0.8, 0.2], [0.88, 0.12]), 2) == 0.04
    for q in ([0.5, 0.5], [0.88, 0.12]):
        assert passos.info.cross_entropy([0.8, 0.2], q) == pytest.approx(
            passos.info.entropy([0.8, 0.2]) + passos.info.kl_divergence([0.8, 0.2], q), abs=1e-15)


def test_backprop_forward_values_eager(course_by_hand):
    steps = backprop.forward_backward([0.2, 0.7], [1.0, 0.0])
    z, h, H, y_hat, L = course_by_hand([0.2, 0.7], [1.0, 0.0])
    np.testing.assert_allclose(steps["z"].numpy(), [0.963, -0.506], rtol=0, atol=1e-15)
    np.testing.assert_allclose(steps["z"].numpy(), z, rtol=1e-15)
    np.testing.assert_allclose(steps["h"].numpy(), h, rtol=1e-15)
    assert steps["H"].item() == pytest.approx(H, rel=1e-15)
    np.testing.assert_allclose(steps["y_hat"].numpy(), y_hat, rtol=1e-15)
    assert steps["L"].item() == pytest.approx(L, rel=1e-14)


def test_backprop_gradients_follow_the_chain_rule_over_all_paths(course_by_hand):
    steps = backprop.forward_backward([0.2, 0.7], [1.0, 0.0])
    z, h, H, y_hat, L = course_by_hand([0.2, 0.7], [1.0, 0.0])
    # dL/dy_hat = -y / y_hat
    np.testing.assert_allclose(steps["y_hat"].grad, [-1 / y_hat[0], 0.0], rtol=1e-14)
    # H reaches L through y_hat1 and y_hat2: sum over both paths
    dH = sum(-(t / p) * (-hv / H**2) for t, p, hv in zip([1, 0], y_hat, h))
    assert float(steps["H"].grad) == pytest.approx(dH, rel=1e-14)
    # h1 reaches L directly through y_hat1 = h1 / H and through H
    dh1 = -(1 / y_hat[0]) / H + dH
    assert steps["h"].grad[0] == pytest.approx(dh1, rel=1e-13)
    # the three paths from L to b1 (via y_hat1 directly, via H then y_hat1, via H then y_hat2)
    paths = [-(1 / y_hat[0]) * (1 / H) * h[0],
             -(1 / y_hat[0]) * (-h[0] / H**2) * h[0],
             -(0 / y_hat[1]) * (-h[1] / H**2) * h[0]]
    assert steps["b"].grad[0] == pytest.approx(sum(paths), rel=1e-13)
    assert steps["b"].grad[0] == pytest.approx(y_hat[0] - 1, rel=1e-13)
    assert round(float(steps["b"].grad[0]), 2) == -0.19


def test_backprop_batch_update(course_by_hand):
    per_example, mean, new_b1 = backprop.batch_update()
    assert [round(v, 2) for v in per_example] == [-0.19, 0.54, -0.26]
    expected = [course_by_hand(x, y)[3][0] - y[0]
                for x, y in zip(backprop.BATCH_X, backprop.BATCH_Y)]
    np.testing.assert_allclose(per_example, expected, rtol=1e-13)
    assert mean == pytest.approx(np.mean(expected), rel=1e-13)
    assert f"{mean:.4f}" == "0.0323"
    assert new_b1 == pytest.approx(-0.1 * mean, rel=1e-15)
    assert f"{new_b1:.5f}" == "-0.00323"


def test_backprop_in_graph_mode_matches_eager():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float64", (2,), name="x")
        y = g.placeholder("float64", (2,), name="y")
        W = g.Variable(np.array(backprop.W), name="W", dtype="float64")
        b = g.Variable(np.zeros(2), name="b", dtype="float64")
        z = passos.matmul(W, x) + b
        h = passos.exp(z)
        H = h[0] + h[1]
        y_hat = h / H
        L = -passos.sum(y * passos.log(y_hat))
        grads = g.gradients(L, [z, h, H, y_hat, b])
        init = g.global_variables_initializer()
    session = g.Session(graph)
    session.run(init)
    eager = backprop.forward_backward([0.2, 0.7], [1.0, 0.0])
    fetched = session.run({"z": z, "h": h, "H": H, "y_hat": y_hat, "L": L, "grads": grads},
                          {x: [0.2, 0.7], y: [1.0, 0.0]})
    for name in ("z", "h", "H", "y_hat", "L"):
        np.testing.assert_allclose(fetched[name], eager[name].numpy(), rtol=1e-15)
    for name, grad in zip(("z", "h", "H", "y_hat", "b"), fetched["grads"]):
        np.testing.assert_allclose(grad, eager[name].grad, rtol=1e-14)
    # mini-batch gradient descent on b1, as the course does by hand
    total = np.zeros(2)
    for xb, yb in zip(backprop.BATCH_X, backprop.BATCH_Y):
        total += session.run(grads[-1], {x: xb, y: yb})
    mean_grad = total / 3
    assert f"{mean_grad[0]:.4f}" == "0.0323"
    new_b = session.run(b.assign_sub(0.1 * mean_grad))
    assert f"{new_b[0]:.5f}" == "-0.00323"


def test_cli_prints_the_worked_example(capsys):
    from passos.cli import main
    assert main(["backprop"]) == 0
    out = capsys.readouterr().out
    assert "dL/db1 = y_hat1 - y1 = 0.8129 - 1 = -0.1871" in out
    assert "-0.1871, +0.5446, -0.2606" in out
    assert "-0.003232" in out
