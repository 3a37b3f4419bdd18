"""Initializers: values and statistics against NumPy, fans, seeding, get/serialize round trips."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitf as tf
from minitf import initializers as init

TRUNCATED_STD = 0.8796256610342398  # std of a unit normal truncated to [-2, 2]


def sample(initializer: init.Initializer, shape, dtype: str = "float32") -> np.ndarray:
    t = initializer(shape, dtype)
    values = t.numpy()
    t.dispose()
    return values


# -- constant initializers ----------------------------------------------------------------------
def test_zeros_ones_constant_values_and_dtypes() -> None:
    np.testing.assert_array_equal(sample(init.zeros(), [2, 3]), np.zeros((2, 3)))
    np.testing.assert_array_equal(sample(init.ones(), [4]), np.ones(4))
    np.testing.assert_array_equal(sample(init.constant(value=2.5), [2, 2]), np.full((2, 2), 2.5))
    assert sample(init.zeros(), [2], "int32").dtype == np.int32
    assert sample(init.ones(), [2], "float64").dtype == np.float64
    assert init.zeros()([3], None).dtype == "float32"


def test_identity_is_gain_times_eye_and_needs_a_matrix() -> None:
    np.testing.assert_array_equal(sample(init.identity(gain=2), [3, 3]), 2 * np.eye(3))
    np.testing.assert_array_equal(sample(init.Identity(), [2, 3]), np.eye(2, 3))
    with pytest.raises(ValueError, match="2-D"):
        init.Identity()([3])


# -- random initializers: statistics ------------------------------------------------------------
def test_random_uniform_bounds_and_moments() -> None:
    x = sample(init.random_uniform({"minval": -1, "maxval": 3, "seed": 1}), [200, 100])
    assert x.min() >= -1 and x.max() < 3
    assert abs(x.mean() - 1) < 0.03
    assert abs(x.std() - 4 / math.sqrt(12)) < 0.02
    x = sample(init.RandomUniform(), [1000])
    assert x.min() >= -0.05 and x.max() < 0.05 and x.min() < -0.045


def test_random_uniform_zero_minval_is_kept() -> None:
    # TF.js's `args.minval || -0.05` would turn this 0 into -0.05; minitf keeps it.
    assert sample(init.RandomUniform(minval=0, maxval=1), [500]).min() >= 0


def test_random_normal_moments() -> None:
    x = sample(init.random_normal(mean=1.0, stddev=2.0, seed=2), [200, 100])
    assert abs(x.mean() - 1) < 0.05
    assert abs(x.std() - 2) / 2 < 0.02
    assert np.abs(x - 1).max() > 2 * 2  # untruncated: some values beyond 2 stddev


def test_truncated_normal_stays_within_two_stddev() -> None:
    x = sample(init.truncated_normal(mean=0.5, stddev=0.1, seed=3), [200, 100])
    assert np.abs(x - 0.5).max() <= 0.2 + 1e-6
    assert abs(x.mean() - 0.5) < 0.005
    assert abs(x.std() - 0.1 * TRUNCATED_STD) / 0.1 < 0.02
    defaults = init.TruncatedNormal()
    assert (defaults.mean, defaults.stddev, defaults.seed) == (0.0, 0.05, None)


# -- fans and VarianceScaling ---------------------------------------------------------------------
@pytest.mark.parametrize("shape, fans", [
    ([20, 30], (20, 30)),                            # Dense [in, out]
    ([5, 4, 6], (5 * 4, 5 * 6)),                     # Conv1D [k, in, out]
    ([3, 3, 8, 16], (9 * 8, 9 * 16)),                # Conv2D [kh, kw, in, out]
    ([2, 2, 2, 3, 4], (8 * 3, 8 * 4)),               # Conv3D
    ([7], (math.sqrt(7), math.sqrt(7))),             # other ranks: sqrt of the size
    ([2, 3, 4, 5, 6, 7], (math.sqrt(5040), math.sqrt(5040))),
])
def test_compute_fans_matches_tfjs(shape, fans) -> None:
    assert init.compute_fans(shape) == pytest.approx(fans)


def _n(shape, mode: str) -> float:
    """The fan that VarianceScaling divides by, from an independent count."""
    if len(shape) == 2:
        fan_in, fan_out = shape
    else:  # conv kernels [*window, in, out]
        window = int(np.prod(shape[:-2]))
        fan_in, fan_out = window * shape[-2], window * shape[-1]
    return max(1.0, {"fan_in": fan_in, "fan_out": fan_out,
                     "fan_avg": (fan_in + fan_out) / 2}[mode])


@pytest.mark.parametrize("shape", [[300, 200], [5, 5, 16, 32]])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_uniform_limit(shape, mode) -> None:
    limit = math.sqrt(3 * 2.0 / _n(shape, mode))
    x = sample(init.VarianceScaling(scale=2.0, mode=mode, distribution="uniform", seed=4), shape)
    assert np.abs(x).max() <= limit
    assert np.abs(x).max() > 0.99 * limit
    assert abs(x.std() - limit / math.sqrt(3)) / limit < 0.02


@pytest.mark.parametrize("shape", [[300, 200], [5, 5, 16, 32]])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_normal_is_truncated_without_correction(shape, mode) -> None:
    stddev = math.sqrt(0.5 / _n(shape, mode))
    x = sample(init.VarianceScaling(scale=0.5, mode=mode, seed=5), shape)
    assert np.abs(x).max() <= 2 * stddev * (1 + 1e-6)
    assert abs(x.std() - stddev * TRUNCATED_STD) / stddev < 0.03


def test_variance_scaling_keras_distributions() -> None:
    shape, stddev = [400, 100], math.sqrt(1 / 400)
    x = sample(init.VarianceScaling(distribution="truncated_normal", seed=6), shape)
    assert np.abs(x).max() <= 2 * stddev / TRUNCATED_STD * (1 + 1e-6)
    assert abs(x.std() - stddev) / stddev < 0.03  # the correction restores the variance
    x = sample(init.VarianceScaling(distribution="untruncated_normal", seed=6), shape)
    assert abs(x.std() - stddev) / stddev < 0.03
    assert np.abs(x).max() > 2 * stddev


def test_variance_scaling_fans_are_at_least_one() -> None:
    x = sample(init.VarianceScaling(scale=4.0, mode="fan_in", distribution="uniform"), [0, 10])
    assert x.shape == (0, 10)
    x = sample(init.VarianceScaling(scale=1e-4, distribution="uniform", seed=1), [])
    assert abs(float(x)) <= math.sqrt(3e-4)  # rank 0: fans sqrt(1) = 1


@pytest.mark.parametrize("factory, scale, mode, uniform", [
    (init.glorot_uniform, 1.0, "fan_avg", True),
    (init.glorot_normal, 1.0, "fan_avg", False),
    (init.he_uniform, 2.0, "fan_in", True),
    (init.he_normal, 2.0, "fan_in", False),
    (init.le_cun_uniform, 1.0, "fan_in", True),
    (init.le_cun_normal, 1.0, "fan_in", False),
])
def test_presets_have_tfjs_scale_mode_and_distribution(factory, scale, mode, uniform) -> None:
    shape = [3, 3, 20, 40]
    x = sample(factory(seed=7), shape)
    variance = scale / _n(shape, mode)
    if uniform:
        limit = math.sqrt(3 * variance)
        assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit
        assert abs(x.std() - limit / math.sqrt(3)) / limit < 0.03
    else:
        stddev = math.sqrt(variance)
        assert np.abs(x).max() <= 2 * stddev * (1 + 1e-6)
        assert abs(x.std() - stddev * TRUNCATED_STD) / stddev < 0.03


def test_variance_scaling_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="scale"):
        init.VarianceScaling(scale=-1)
    with pytest.raises(ValueError, match="mode must be one of.*fan_avg.*'fan_x'"):
        init.VarianceScaling(mode="fan_x")
    with pytest.raises(ValueError, match="distribution must be one of"):
        init.VarianceScaling(distribution="cauchy")


def test_variance_scaling_accepts_camel_case_values() -> None:
    vs = init.variance_scaling({"mode": "fanAvg", "distribution": "truncatedNormal"})
    assert (vs.mode, vs.distribution) == ("fan_avg", "truncated_normal")


# -- orthogonal --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [[6, 6], [10, 4], [4, 10], [3, 3, 4, 8]])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape) -> None:
    gain = 1.5
    q = sample(init.orthogonal(gain=gain, seed=8), shape).astype(np.float64)
    assert q.shape == tuple(shape)
    m = q.reshape(-1, shape[-1])
    small = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(small, gain ** 2 * np.eye(len(small)), atol=1e-5)


def test_orthogonal_needs_two_dimensions() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        init.Orthogonal()([5])


# -- seeding -----------------------------------------------------------------------------------
@pytest.mark.parametrize("factory", [
    init.random_uniform, init.random_normal, init.truncated_normal, init.variance_scaling,
    init.glorot_uniform, init.glorot_normal, init.he_normal, init.orthogonal,
])
def test_seed_gives_the_same_values(factory) -> None:
    a = sample(factory(seed=11), [8, 6])
    np.testing.assert_array_equal(a, sample(factory(seed=11), [8, 6]))
    np.testing.assert_array_equal(a, sample(factory({"seed": 11}), [8, 6]))
    assert not np.array_equal(a, sample(factory(seed=12), [8, 6]))


def test_no_seed_draws_from_the_global_generator() -> None:
    glorot = init.glorot_uniform()
    tf.set_seed(123)
    first = sample(glorot, [5, 5]), sample(init.orthogonal(), [5, 5])
    tf.set_seed(123)
    again = sample(glorot, [5, 5]), sample(init.orthogonal(), [5, 5])
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(sample(glorot, [5, 5]), sample(glorot, [5, 5]))


# -- ownership ---------------------------------------------------------------------------------
ALL = [init.zeros(), init.ones(), init.constant(value=3), init.random_uniform(),
       init.random_normal(), init.truncated_normal(), init.variance_scaling(),
       init.glorot_uniform(), init.glorot_normal(), init.he_normal(), init.he_uniform(),
       init.le_cun_normal(), init.le_cun_uniform(), init.orthogonal(), init.identity()]


@pytest.mark.parametrize("initializer", ALL, ids=lambda i: type(i).__name__)
def test_initializer_returns_one_owned_tensor_and_leaks_nothing(initializer, no_leaks) -> None:
    before = tf.memory().num_tensors
    t = initializer([4, 4], "float64")
    assert tf.memory().num_tensors == before + 1
    assert t.dtype == "float64" and t.shape == (4, 4)
    t.dispose()
    with tf.tidy():
        initializer([3, 3])  # owned by the enclosing scope, disposed with it


# -- get / serialize ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("zeros", init.Zeros), ("Zeros", init.Zeros), ("ones", init.Ones),
    ("constant", init.Constant), ("randomUniform", init.RandomUniform),
    ("random_uniform", init.RandomUniform), ("randomNormal", init.RandomNormal),
    ("random_normal", init.RandomNormal), ("truncatedNormal", init.TruncatedNormal),
    ("truncated_normal", init.TruncatedNormal), ("varianceScaling", init.VarianceScaling),
    ("variance_scaling", init.VarianceScaling), ("VarianceScaling", init.VarianceScaling),
    ("glorotNormal", init.GlorotNormal), ("glorot_normal", init.GlorotNormal),
    ("GlorotNormal", init.GlorotNormal), ("glorotUniform", init.GlorotUniform),
    ("glorot_uniform", init.GlorotUniform), ("heNormal", init.HeNormal),
    ("he_normal", init.HeNormal), ("heUniform", init.HeUniform), ("he_uniform", init.HeUniform),
    ("leCunNormal", init.LeCunNormal), ("lecun_normal", init.LeCunNormal),
    ("LecunNormal", init.LeCunNormal), ("leCunUniform", init.LeCunUniform),
    ("lecun_uniform", init.LeCunUniform), ("orthogonal", init.Orthogonal),
    ("Orthogonal", init.Orthogonal), ("identity", init.Identity),
])
def test_get_accepts_every_spelling(name, cls) -> None:
    got = init.get(name)
    assert type(got) is cls
    assert got.get_config() == cls().get_config()


def test_get_passes_through_none_and_instances() -> None:
    assert init.get(None) is None
    he = init.he_normal(seed=3)
    assert init.get(he) is he


def test_get_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown initializer 'glorotMedium'.*glorot_normal"):
        init.get("glorotMedium")
    with pytest.raises(ValueError, match="class_name"):
        init.get({"config": {}})
    with pytest.raises(TypeError):
        init.get(3)


def test_serialize_matches_tfjs_json() -> None:
    # The kernel_initializer of a Dense layer saved by tfjs-node (facts file, section 3).
    saved = {"class_name": "VarianceScaling",
             "config": {"scale": 1, "mode": "fan_avg", "distribution": "normal", "seed": None}}
    assert init.serialize(init.glorot_normal()) == saved
    assert init.serialize(init.get(saved)) == saved
    assert init.serialize(init.zeros()) == {"class_name": "Zeros", "config": {}}
    assert init.serialize(init.he_uniform(seed=5)) == {
        "class_name": "VarianceScaling",
        "config": {"scale": 2.0, "mode": "fan_in", "distribution": "uniform", "seed": 5}}
    assert init.serialize(init.orthogonal(gain=2)) == {"class_name": "Orthogonal",
                                                       "config": {"gain": 2, "seed": None}}
    assert init.serialize(None) is None


@pytest.mark.parametrize("initializer", ALL + [
    init.random_uniform(minval=-1, maxval=2, seed=4), init.constant({"value": 7}),
    init.variance_scaling(scale=3, mode="fan_out", distribution="untruncated_normal", seed=1),
    init.identity(gain=0.5), init.orthogonal(gain=3, seed=2),
], ids=lambda i: repr(i))
def test_serialize_round_trip(initializer) -> None:
    back = init.get(init.serialize(initializer))
    assert back.get_config() == initializer.get_config()
    assert back.class_name == initializer.class_name


def test_keras_configs_load() -> None:
    keras3 = {"module": "keras.initializers", "class_name": "GlorotUniform",
              "config": {"seed": None}, "registered_name": None}
    assert type(init.get(keras3)) is init.GlorotUniform
    assert type(init.get({"class_name": "LecunNormal", "config": {"seed": 4}})) is \
        init.LeCunNormal
    camel = {"className": "VarianceScaling",
             "config": {"scale": 2, "mode": "fanOut", "distribution": "uniform", "seed": None}}
    assert init.get(camel).get_config() == {"scale": 2, "mode": "fan_out",
                                            "distribution": "uniform", "seed": None}


def test_factories_take_keywords_or_a_config_dict() -> None:
    a = init.random_normal({"mean": 1, "stddev": 2, "seed": 3}).get_config()
    assert a == init.random_normal(mean=1, stddev=2, seed=3).get_config()
    assert init.lecun_normal is init.le_cun_normal
    with pytest.raises(TypeError, match="both"):
        init.constant({"value": 1}, value=2)
    with pytest.raises(TypeError):
        init.glorot_normal(scale=3)  # presets take only a seed
