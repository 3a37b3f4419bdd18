"""Regularizers and constraints: values on fixed arrays against NumPy, axis semantics,
gradients, get/serialize round trips."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from gradcheck import check_gradients
from minitf import constraints as C
from minitf import regularizers as R

W = np.array([[0.5, -1.5, 3.0], [-2.0, 0.25, 4.0]])
EPS = 1e-7


def value(fn, x: np.ndarray, dtype: str = "float64") -> np.ndarray:
    return tf.tidy(lambda: fn(tf.tensor(x, dtype=dtype)).numpy())


# -- regularizers ------------------------------------------------------------------------------
def test_l1l2_penalty_matches_numpy() -> None:
    expected = 0.3 * np.abs(W).sum() + 0.2 * (W ** 2).sum()
    out = value(R.L1L2(l1=0.3, l2=0.2), W)
    assert out.shape == () and out.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    np.testing.assert_allclose(value(R.l1(), W), 0.01 * np.abs(W).sum(), rtol=1e-12)
    np.testing.assert_allclose(value(R.l2({"l2": 0.5}), W), 0.5 * (W ** 2).sum(), rtol=1e-12)
    np.testing.assert_allclose(value(R.l1l2(), W, "float32"),
                               0.01 * np.abs(W).sum() + 0.01 * (W ** 2).sum(), rtol=1e-6)


def test_zero_rates_give_a_scalar_zero() -> None:
    out = value(R.L1L2(), W, "float32")
    assert out.shape == () and out.dtype == np.float32 and out == 0


def test_tfjs_factory_defaults() -> None:
    assert R.l1().get_config() == {"l1": 0.01, "l2": 0}
    assert R.l2().get_config() == {"l1": 0, "l2": 0.01}
    assert R.l1l2().get_config() == {"l1": 0.01, "l2": 0.01}
    assert R.l1l2(l1=0.1).get_config() == {"l1": 0.1, "l2": 0.01}
    assert R.l1_l2 is R.l1l2


def test_regularizer_gradient_matches_finite_differences() -> None:
    check_gradients(lambda x: R.L1L2(l1=0.3, l2=0.2)(x), [W])


def test_regularizer_leaks_nothing(no_leaks) -> None:
    x = tf.tensor(W)
    R.l1l2()(x).dispose()
    x.dispose()


@pytest.mark.parametrize("name, config", [
    ("l1", {"l1": 0.01, "l2": 0}), ("l2", {"l1": 0, "l2": 0.01}),
    ("l1l2", {"l1": 0.01, "l2": 0.01}), ("l1_l2", {"l1": 0.01, "l2": 0.01}),
    ("L1L2", {"l1": 0.01, "l2": 0.01}), ("L1", {"l1": 0.01, "l2": 0}),
])
def test_regularizer_get_spellings(name, config) -> None:
    assert R.get(name).get_config() == config


def test_regularizer_get_serialize() -> None:
    assert R.get(None) is None
    reg = R.l2()
    assert R.get(reg) is reg
    saved = {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.001}}
    assert R.serialize(R.get(saved)) == saved
    assert R.serialize(R.l1(l1=0.5)) == {"class_name": "L1L2", "config": {"l1": 0.5, "l2": 0}}
    keras = {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.02},
             "registered_name": None}
    assert R.serialize(R.get(keras)) == {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.02}}
    assert R.get({"className": "L1L2", "config": {"l1": 1, "l2": 2}}).get_config() == \
        {"l1": 1, "l2": 2}


def test_regularizer_unknown_name() -> None:
    with pytest.raises(ValueError, match=r"unknown regularizer 'l3'.*l1, l2, l1l2"):
        R.get("l3")
    with pytest.raises(TypeError):
        R.get(0.1)


# -- constraints: values -----------------------------------------------------------------------
def norms(w: np.ndarray, axis) -> np.ndarray:
    return np.sqrt((w ** 2).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("axis", [0, 1, [0, 1]])
def test_max_norm_matches_numpy(axis) -> None:
    n = norms(W, tuple(axis) if isinstance(axis, list) else axis)
    expected = W * np.clip(n, 0, 2.5) / (EPS + n)
    np.testing.assert_allclose(value(C.MaxNorm(max_value=2.5, axis=axis), W), expected,
                               rtol=1e-12)


def test_max_norm_axis_zero_bounds_each_column() -> None:
    # Column norms of W: 2.06, 1.52, 5.0. With max 2 only the first and last are rescaled.
    out = value(C.max_norm(), W)
    np.testing.assert_allclose(norms(out, 0).ravel(), [2.0, 1.5207, 2.0], atol=1e-4)
    np.testing.assert_allclose(out[:, 1], W[:, 1], rtol=1e-6)


def test_max_norm_of_a_conv_kernel_per_filter() -> None:
    kernel = np.random.default_rng(0).normal(size=(3, 3, 2, 4))
    out = value(C.MaxNorm(max_value=1, axis=[0, 1, 2]), kernel)
    per_filter = np.sqrt((out ** 2).sum(axis=(0, 1, 2)))
    np.testing.assert_allclose(per_filter, np.minimum(1, norms(kernel, (0, 1, 2)).ravel()),
                               rtol=1e-6)


@pytest.mark.parametrize("axis", [0, 1])
def test_unit_norm_matches_numpy(axis) -> None:
    out = value(C.unit_norm(axis=axis), W)
    np.testing.assert_allclose(out, W / (EPS + norms(W, axis)), rtol=1e-12)
    np.testing.assert_allclose(norms(out, axis), 1, rtol=1e-6)


def test_non_neg_zeroes_negative_weights() -> None:
    np.testing.assert_array_equal(value(C.non_neg(), W), np.maximum(W, 0))


@pytest.mark.parametrize("rate", [1.0, 0.5])
def test_min_max_norm_matches_numpy(rate) -> None:
    n = norms(W, 0)
    desired = rate * np.clip(n, 1.6, 3.0) + (1 - rate) * n
    out = value(C.min_max_norm({"minValue": 1.6, "maxValue": 3.0, "rate": rate}), W)
    np.testing.assert_allclose(out, W * desired / (EPS + n), rtol=1e-12)


def test_constraint_defaults_are_tfjs() -> None:
    assert C.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert C.UnitNorm().get_config() == {"axis": 0}
    assert C.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0,
                                           "axis": 0}


def test_constraint_gradient_matches_finite_differences() -> None:
    check_gradients(lambda w: C.MinMaxNorm(min_value=1.6, max_value=3, rate=0.7)(w), [W])


@pytest.mark.parametrize("constraint", [C.max_norm(), C.unit_norm(), C.non_neg(),
                                        C.min_max_norm()], ids=repr)
def test_constraint_leaks_nothing(constraint, no_leaks) -> None:
    w = tf.tensor(W, dtype="float32")
    out = constraint(w)
    assert out.shape == w.shape and out.dtype == "float32"
    out.dispose()
    w.dispose()


# -- constraints: get / serialize --------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("maxNorm", C.MaxNorm), ("max_norm", C.MaxNorm), ("MaxNorm", C.MaxNorm),
    ("unitNorm", C.UnitNorm), ("unit_norm", C.UnitNorm), ("UnitNorm", C.UnitNorm),
    ("nonNeg", C.NonNeg), ("non_neg", C.NonNeg), ("NonNeg", C.NonNeg),
    ("minMaxNorm", C.MinMaxNorm), ("min_max_norm", C.MinMaxNorm), ("MinMaxNorm", C.MinMaxNorm),
])
def test_constraint_get_spellings(name, cls) -> None:
    assert type(C.get(name)) is cls


def test_constraint_get_serialize() -> None:
    assert C.get(None) is None
    c = C.unit_norm()
    assert C.get(c) is c
    saved = {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 0}}
    assert C.serialize(C.get(saved)) == saved
    assert C.serialize(C.non_neg()) == {"class_name": "NonNeg", "config": {}}
    camel = {"className": "MinMaxNorm",
             "config": {"minValue": 0.5, "maxValue": 2, "rate": 0.5, "axis": [0, 1]}}
    assert C.get(camel).get_config() == {"min_value": 0.5, "max_value": 2, "rate": 0.5,
                                         "axis": [0, 1]}
    for constraint in (C.max_norm(max_value=4, axis=1), C.unit_norm(axis=[0, 1]),
                       C.min_max_norm(rate=0.3)):
        assert C.get(C.serialize(constraint)).get_config() == constraint.get_config()


def test_constraint_unknown_name() -> None:
    with pytest.raises(ValueError, match=r"unknown constraint 'maxnorms'.*max_norm.*non_neg"):
        C.get("maxnorms")
    with pytest.raises(ValueError, match="class_name"):
        C.get({"config": {}})
