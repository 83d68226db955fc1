"""Keras initializers: statistics, fans, orthogonality, reproducibility, lookup by name/class/config."""
import numpy as np
import pytest

import passos as P
from passos.keras import initializers as I
from passos.keras.layers import Dense

# stddev of a unit normal truncated to [-2, 2]
TRUNC_STD = 0.87962566103423978
BIG = (400, 500)  # 200 000 samples: sample mean/std within ~1% relative


def draw(init, shape=BIG, dtype="float32"):
    P.random.seed(0)
    return np.asarray(init(shape, dtype=dtype))


# -- fans --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,fans", [
    ((20, 30), (20, 30)),                       # Dense kernel (in, out)
    ((3, 16, 32), (3 * 16, 3 * 32)),            # Conv1D (width, in, out)
    ((3, 5, 16, 32), (15 * 16, 15 * 32)),       # Conv2D (h, w, in, out)
    ((2, 3, 5, 4, 8), (30 * 4, 30 * 8)),        # Conv3D
])
def test_compute_fans(shape, fans):
    assert tuple(I.compute_fans(shape)) == fans


# -- constant-valued --------------------------------------------------------------------------------
def test_zeros_ones_constant():
    np.testing.assert_array_equal(I.Zeros()((3, 4)), np.zeros((3, 4)))
    np.testing.assert_array_equal(I.Ones()((3, 4)), np.ones((3, 4)))
    c = I.Constant(2.5)((2, 3))
    np.testing.assert_array_equal(c, np.full((2, 3), 2.5))
    assert c.dtype == np.float32
    assert I.Constant(value=-1)((2,), dtype="float64").dtype == np.float64


def test_identity():
    np.testing.assert_array_equal(I.Identity()((4, 4)), np.eye(4))
    np.testing.assert_array_equal(I.Identity(gain=3.0)((3, 3)), 3 * np.eye(3))
    with pytest.raises(ValueError, match="2-D"):
        I.Identity()((2, 2, 2))


# -- random: statistics -----------------------------------------------------------------------------
def check_moments(x, mean, std, tol=0.02):
    assert abs(x.mean() - mean) < tol * std + 1e-4, (x.mean(), mean)
    assert abs(x.std() / std - 1) < tol, (x.std(), std)


def test_random_normal_and_uniform():
    x = draw(I.RandomNormal())
    check_moments(x, 0.0, 0.05)
    x = draw(I.RandomNormal(mean=1.0, stddev=2.0))
    check_moments(x, 1.0, 2.0)
    x = draw(I.RandomUniform())
    assert x.min() >= -0.05 and x.max() <= 0.05
    check_moments(x, 0.0, 0.1 / np.sqrt(12))
    x = draw(I.RandomUniform(minval=2.0, maxval=5.0))
    assert x.min() >= 2.0 and x.max() <= 5.0
    check_moments(x, 3.5, 3 / np.sqrt(12))


def test_truncated_normal_bounds_and_std():
    x = draw(I.TruncatedNormal(mean=0.5, stddev=0.1))
    assert np.abs(x - 0.5).max() <= 0.2 + 1e-6  # within two standard deviations
    check_moments(x, 0.5, 0.1 * TRUNC_STD)


@pytest.mark.parametrize("name,scale,mode", [
    ("glorot_uniform", 1.0, "avg"), ("lecun_uniform", 1.0, "in"), ("he_uniform", 2.0, "in")])
@pytest.mark.parametrize("shape", [(300, 200), (3, 3, 64, 128)])
def test_uniform_variance_scaling_limit(name, scale, mode, shape):
    fan_in, fan_out = I.compute_fans(shape)
    n = {"in": fan_in, "avg": (fan_in + fan_out) / 2}[mode]
    limit = np.sqrt(3 * scale / n)
    x = draw(I.get(name), shape)
    if name == "glorot_uniform":
        assert limit == pytest.approx(np.sqrt(6 / (fan_in + fan_out)))
    assert x.min() >= -limit and x.max() <= limit
    assert x.max() > 0.99 * limit and x.min() < -0.99 * limit  # fills the range
    check_moments(x, 0.0, limit / np.sqrt(3))


@pytest.mark.parametrize("name,scale,mode", [
    ("glorot_normal", 1.0, "avg"), ("lecun_normal", 1.0, "in"), ("he_normal", 2.0, "in")])
@pytest.mark.parametrize("shape", [(300, 200), (3, 3, 64, 128)])
def test_normal_variance_scaling_is_truncated(name, scale, mode, shape):
    fan_in, fan_out = I.compute_fans(shape)
    n = {"in": fan_in, "avg": (fan_in + fan_out) / 2}[mode]
    # Keras 2: truncated normal with stddev sqrt(scale / n) / 0.8796..., so the samples'
    # standard deviation is sqrt(scale / n)
    stddev = np.sqrt(scale / n) / TRUNC_STD
    x = draw(I.get(name), shape)
    assert np.abs(x).max() <= 2 * stddev * (1 + 1e-6)
    assert np.abs(x).max() > 1.95 * stddev
    check_moments(x, 0.0, np.sqrt(scale / n))


def test_he_normal_stddev_on_dense_kernel():
    x = draw(I.he_normal(), (500, 400))
    assert x.std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)


def test_variance_scaling_modes_and_distributions():
    shape = (200, 800)
    x = draw(I.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform"), shape)
    limit = np.sqrt(3 * 3.0 / 800)
    assert x.max() <= limit and x.min() >= -limit
    x = draw(I.VarianceScaling(scale=0.5, mode="fan_in", distribution="untruncated_normal"), shape)
    check_moments(x, 0.0, np.sqrt(0.5 / 200))
    assert np.abs(x).max() > 3 * np.sqrt(0.5 / 200)  # not truncated
    with pytest.raises(ValueError, match="mode"):
        I.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        I.VarianceScaling(distribution="cauchy")


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (2, 3, 12)])
def test_orthogonal(shape):
    q = draw(I.Orthogonal(gain=1.0), shape, dtype="float64")
    assert q.shape == shape
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    flat = q.reshape(rows, cols)
    if rows >= cols:
        np.testing.assert_allclose(flat.T @ flat, np.eye(cols), atol=1e-10)  # orthonormal columns
    else:
        np.testing.assert_allclose(flat @ flat.T, np.eye(rows), atol=1e-10)  # orthonormal rows
    q2 = draw(I.Orthogonal(gain=2.0), shape, dtype="float64")
    np.testing.assert_allclose(q2, 2 * q, rtol=1e-12)  # same seed, gain scales


def test_orthogonal_is_random_not_fixed():
    P.random.seed(0)
    a = I.Orthogonal()((4, 4))
    b = I.Orthogonal()((4, 4))
    assert not np.allclose(a, b)


# -- dtypes and reproducibility ------------------------------------------------------------------
ALL_RANDOM = ["random_normal", "random_uniform", "truncated_normal", "glorot_uniform",
              "glorot_normal", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform",
              "orthogonal"]


@pytest.mark.parametrize("name", ALL_RANDOM)
def test_reproducible_under_passos_random_seed(name):
    init = I.get(name)
    P.random.seed(42)
    a = np.asarray(init((7, 5)))
    b = np.asarray(init((7, 5)))
    P.random.seed(42)
    a2 = np.asarray(init((7, 5)))
    b2 = np.asarray(init((7, 5)))
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    assert not np.array_equal(a, b)
    assert a.dtype == np.float32
    assert np.asarray(init((7, 5), dtype="float64")).dtype == np.float64


def test_seed_argument_fixes_the_draw():
    a = I.RandomNormal(seed=3)((4, 4))
    P.random.seed(99)
    b = I.RandomNormal(seed=3)((4, 4))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(I.glorot_uniform(seed=5)((3, 3)), I.glorot_uniform(seed=5)((3, 3)))


def test_dense_weights_reproducible_and_use_initializers():
    P.random.seed(1)
    a = Dense(30, input_shape=(40,))
    a(P.tensor(np.zeros((1, 40), np.float32)))
    P.random.seed(1)
    b = Dense(30, input_shape=(40,))
    b(P.tensor(np.zeros((1, 40), np.float32)))
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])
    limit = np.sqrt(6 / (40 + 30))  # glorot_uniform is the Keras default
    assert np.abs(a.get_weights()[0]).max() <= limit
    c = Dense(3, kernel_initializer="ones", bias_initializer=I.Constant(0.5))
    c(P.tensor(np.zeros((1, 2), np.float32)))
    np.testing.assert_array_equal(c.get_weights()[0], np.ones((2, 3)))
    np.testing.assert_array_equal(c.get_weights()[1], np.full(3, 0.5))


# -- get() --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,cls", [("zeros", I.Zeros), ("Zeros", I.Zeros), ("ones", I.Ones),
                                      ("constant", I.Constant), ("random_normal", I.RandomNormal),
                                      ("RandomUniform", I.RandomUniform),
                                      ("truncated_normal", I.TruncatedNormal),
                                      ("orthogonal", I.Orthogonal), ("identity", I.Identity),
                                      ("glorot_uniform", I.VarianceScaling),
                                      ("he_normal", I.VarianceScaling)])
def test_get_by_name(name, cls):
    assert isinstance(I.get(name), cls)


def test_get_by_class_instance_function_and_config():
    assert isinstance(I.get(I.Ones), I.Ones)
    inst = I.Constant(3.0)
    assert I.get(inst) is inst
    got = I.get(I.he_uniform)
    assert isinstance(got, I.VarianceScaling)
    assert (got.scale, got.mode, got.distribution) == (2.0, "fan_in", "uniform")
    got = I.get({"class_name": "VarianceScaling",
                 "config": {"scale": 2.0, "mode": "fan_out", "distribution": "normal"}})
    assert (got.scale, got.mode, got.distribution) == (2.0, "fan_out", "normal")
    got = I.get({"class_name": "Constant", "config": {"value": 7}})
    np.testing.assert_array_equal(got((2,)), [7, 7])
    # serialize -> get round trip
    for init in (I.glorot_normal(), I.Orthogonal(gain=0.5), I.RandomUniform(-1, 2), I.Zeros()):
        clone = I.get(I.serialize(init))
        assert type(clone) is type(init) and clone.get_config() == init.get_config()


def test_get_unknown_raises():
    with pytest.raises(ValueError, match=r"unknown initializer 'glorot'.*glorot_uniform"):
        I.get("glorot")
    with pytest.raises(ValueError, match="unknown initializer class 'Glorot'"):
        I.get({"class_name": "Glorot", "config": {}})
