"""Elementwise behaviour the op catalog cannot express: dtype rules, int and bool inputs, entry
errors, numerical stability at extreme inputs, gradients at ties and boundaries, and gradients
of gradients (every gradient is written in ops, so it must be differentiable itself).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitf as tf


def _i(values) -> tf.Tensor:
    return tf.tensor(values, dtype="int32")


def _f64(values) -> tf.Tensor:
    return tf.tensor(values, dtype="float64")


# -- dtype rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [tf.exp, tf.log, tf.sqrt, tf.sigmoid, tf.tanh, tf.relu, tf.elu,
                                tf.softplus, tf.floor, tf.round, tf.reciprocal, tf.step])
def test_float_only_ops_cast_int_and_bool_to_float32(fn) -> None:
    assert fn(_i([1, 4])).dtype == "float32"
    assert fn(tf.tensor([True, True])).dtype == "float32"


def test_float_only_ops_keep_float64() -> None:
    assert tf.exp(_f64([1.0])).dtype == "float64"
    assert tf.leaky_relu(_f64([-1.0])).dtype == "float64"


@pytest.mark.parametrize("fn, want", [(tf.neg, [-2, 3]), (tf.abs, [2, 3]), (tf.sign, [1, -1]),
                                      (tf.square, [4, 9])])
def test_sign_and_magnitude_ops_keep_int32(fn, want) -> None:
    out = fn(_i([2, -3]))
    assert out.dtype == "int32" and out.array_sync() == want


def test_bool_inputs_count_as_int32_in_arithmetic() -> None:
    t = tf.tensor([True, False])
    assert tf.neg(t).array_sync() == [-1, 0] and tf.neg(t).dtype == "int32"
    both = tf.add(t, tf.tensor([True, True]))
    assert both.dtype == "int32" and both.array_sync() == [2, 1]
    assert tf.clip_by_value(t, 0, 1).dtype == "int32"
    assert tf.add(t, 2).array_sync() == [3, 2]  # 2 stays 2, not True
    assert tf.mul([True, False], [True, True]).array_sync() == [1, 0]


@pytest.mark.parametrize("a, b, want", [
    (_i([1]), _i([2]), "int32"),
    (_i([1]), tf.tensor([2.0]), "float32"),
    (tf.tensor([1.0]), _f64([2.0]), "float64"),
    (_i([1]), 2.5, "float32"),      # a float number lifts an int tensor to float32
    (_f64([1.0]), 2, "float64"),    # a number takes the tensor's dtype
    (_i([1]), 2, "int32"),
])
def test_binary_ops_meet_at_the_common_dtype(a, b, want) -> None:
    for fn in (tf.add, tf.sub, tf.mul, tf.maximum, tf.minimum, tf.squared_difference):
        assert fn(a, b).dtype == want, fn.__name__


def test_div_of_two_int32_floors_like_tfjs() -> None:
    out = tf.div(_i([7, -7]), 2)
    assert out.dtype == "int32" and out.array_sync() == [3, -4]
    assert tf.div(_i([7]), 2.0).array_sync() == [3.5]


def test_int_floor_div_and_mod_follow_the_divisor_sign() -> None:
    assert tf.floor_div(_i([7, -7, 7]), _i([2, 2, -2])).array_sync() == [3, -4, -4]
    assert tf.mod(_i([7, -7, 7]), _i([3, 3, -3])).array_sync() == [1, 2, -2]


def test_int_pow_accepts_negative_exponents_and_truncates() -> None:
    out = tf.pow(_i([2, 3, 1, -2]), _i([-1, 2, -3, 3]))
    assert out.dtype == "int32" and out.array_sync() == [0, 9, 1, -8]


def test_comparisons_give_bool_and_compare_at_the_common_dtype() -> None:
    out = tf.greater(_i([1, 2, 3]), 1.5)
    assert out.dtype == "bool" and out.array_sync() == [False, True, True]
    assert tf.equal(tf.tensor([True, False]), True).array_sync() == [True, False]
    assert (tf.tensor([1.0, 2.0]) <= 1).array_sync() == [True, False]


def test_cast_truncates_toward_zero_and_tests_nonzero_for_bool() -> None:
    x = tf.tensor([-1.7, -0.2, 0.0, 2.9])
    assert tf.cast(x, "int32").array_sync() == [-1, 0, 0, 2]
    assert tf.cast(x, "bool").array_sync() == [True, True, False, True]
    assert tf.cast(tf.tensor([True, False]), "float32").array_sync() == [1.0, 0.0]
    assert tf.cast(x, np.float64).dtype == "float64"  # NumPy dtypes are accepted too


def test_logical_xor_is_exclusive_or() -> None:
    a, b = tf.tensor([True, True, False, False]), tf.tensor([True, False, True, False])
    assert tf.logical_xor(a, b).array_sync() == [False, True, True, False]


def test_leaky_relu_default_alpha_is_tfjs_0_2() -> None:
    np.testing.assert_allclose(tf.leaky_relu(tf.tensor([-1.0, 1.0])).numpy(), [-0.2, 1.0])


def test_tensor_operators_run_the_ops() -> None:
    a, b = tf.tensor([1.0, 4.0]), tf.tensor([2.0, 2.0])
    assert (a - b).array_sync() == [-1.0, 2.0]
    assert (1 - a).array_sync() == [0.0, -3.0]
    assert (a / b).array_sync() == [0.5, 2.0]
    assert (8 / a).array_sync() == [8.0, 2.0]
    assert (a ** 2).array_sync() == [1.0, 16.0]
    assert (-a).array_sync() == [-1.0, -4.0]
    assert abs(-a).array_sync() == [1.0, 4.0]
    assert (a > b).array_sync() == [False, True]


# -- entry checks name the op and show what was expected -------------------------------------
def test_incompatible_shapes_name_the_op_and_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"sub: shapes \[2, 3\] and \[4\] cannot be broadcast"):
        tf.sub(tf.ones([2, 3]), tf.ones([4]))
    with pytest.raises(ValueError, match=r"prelu: shapes \[2, 3\] and \[2\]"):
        tf.prelu(tf.ones([2, 3]), tf.ones([2]))
    with pytest.raises(ValueError, match="where: shapes"):
        tf.where(tf.tensor([True, False, True]), tf.ones([2]), 0)


@pytest.mark.parametrize("fn, args, name", [
    (tf.logical_and, (tf.tensor([1.0]), tf.tensor([True])), "'a'"),
    (tf.logical_or, (tf.tensor([True]), _i([1])), "'b'"),
    (tf.logical_not, (tf.tensor([1.0]),), "'x'"),
    (tf.logical_xor, (tf.tensor([True]), tf.tensor([1.0])), "'b'"),
    (tf.where, (tf.tensor([1.0]), tf.tensor([1.0]), 0), "'condition'"),
])
def test_logical_ops_and_where_require_bool(fn, args, name) -> None:
    with pytest.raises(TypeError, match=f"{fn.__name__}: input {name} must be bool, got"):
        fn(*args)


def test_clip_by_value_rejects_min_above_max() -> None:
    with pytest.raises(ValueError, match=r"clip_by_value: clip_value_min \(2\) must be <= "
                                         r"clip_value_max \(1\)"):
        tf.clip_by_value(tf.ones([2]), 2, 1)


def test_cast_rejects_an_unknown_dtype() -> None:
    with pytest.raises(TypeError, match="cast: unsupported dtype 'complex64'"):
        tf.cast(tf.ones([2]), "complex64")


def test_ops_on_python_values_leave_no_tensors_behind() -> None:
    before = tf.memory().num_tensors
    out = tf.where([True, False], [1.0, 2.0], 0)
    out.dispose()
    tf.prelu([[-1.0, 2.0]], [0.1, 0.2]).dispose()
    assert tf.memory().num_tensors == before


# -- stability at extreme inputs --------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activations_stay_finite_and_silent_for_large_inputs(dtype) -> None:
    x = tf.tensor([-1000.0, -50.0, 50.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any NumPy overflow warning fails the test
        sig = tf.sigmoid(x).numpy()
        soft = tf.softplus(x).numpy()
        elu = tf.elu(x).numpy()
        selu = tf.selu(x).numpy()
    np.testing.assert_allclose(sig, [0.0, np.exp(-50.0), 1.0, 1.0], rtol=1e-6, atol=0)
    np.testing.assert_allclose(soft, [0.0, np.exp(-50.0), 50.0, 1000.0], rtol=1e-6, atol=0)
    np.testing.assert_allclose(elu, [-1.0, -1.0, 50.0, 1000.0])
    assert np.isfinite(selu).all()


def test_sigmoid_gradient_is_finite_far_from_zero() -> None:
    g = tf.grad(lambda x: tf.sum(tf.sigmoid(x)))(tf.tensor([-1000.0, 1000.0]))
    assert g.array_sync() == [0.0, 0.0]


def test_selu_uses_the_self_normalising_constants() -> None:
    np.testing.assert_allclose(tf.selu(_f64([1.0, -1.0])).numpy(),
                               [1.0507009873554805, 1.0507009873554805 * 1.6732632423543772
                                * (np.exp(-1.0) - 1)])


# -- gradients at ties, boundaries and outside the smooth domain -------------------------------
def _grads(fn, *xs):
    return [g.numpy() for g in tf.grads(lambda *ts: tf.sum(fn(*ts)))(list(xs))]


def test_maximum_and_minimum_send_ties_to_a() -> None:
    a, b = tf.tensor([1.0, 2.0, 3.0]), tf.tensor([2.0, 2.0, 2.0])
    da, db = _grads(tf.maximum, a, b)
    assert da.tolist() == [0.0, 1.0, 1.0] and db.tolist() == [1.0, 0.0, 0.0]
    da, db = _grads(tf.minimum, a, b)
    assert da.tolist() == [1.0, 1.0, 0.0] and db.tolist() == [0.0, 0.0, 1.0]


def test_clip_by_value_gradient_passes_on_the_boundaries() -> None:
    (dx,) = _grads(lambda x: tf.clip_by_value(x, -1, 1), tf.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]))
    assert dx.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


def test_pow_exponent_gradient_is_zero_for_non_positive_bases() -> None:
    da, db = _grads(tf.pow, tf.tensor([-2.0, 0.0, 2.0]), tf.tensor([2.0, 2.0, 3.0]))
    assert da.tolist() == [-4.0, 0.0, 12.0]
    np.testing.assert_allclose(db, [0.0, 0.0, 8 * np.log(2.0)], rtol=1e-6)


def test_pow_second_order_gradient_has_no_nan_for_negative_bases() -> None:
    a = tf.tensor([-2.0, 3.0])
    d_db = tf.grad(lambda c: tf.sum(tf.pow(a, c)))
    d2 = tf.grad(lambda b: tf.sum(d_db(b)))(tf.tensor([2.0, 2.0]))
    np.testing.assert_allclose(d2.numpy(), [0.0, 9 * np.log(3.0) ** 2], rtol=1e-6)


def test_zero_gradient_ops_give_zeros() -> None:
    x = tf.tensor([-1.3, 0.4, 2.6])
    for fn in (tf.sign, tf.floor, tf.ceil, tf.round, tf.step):
        assert _grads(fn, x)[0].tolist() == [0.0, 0.0, 0.0], fn.__name__


def test_relu_family_gradients_at_their_kinks_follow_tfjs() -> None:
    x = tf.tensor([0.0, 6.0, 7.0])
    assert _grads(tf.relu, x)[0].tolist() == [0.0, 1.0, 1.0]
    assert _grads(tf.relu6, x)[0].tolist() == [0.0, 1.0, 0.0]
    np.testing.assert_allclose(_grads(tf.leaky_relu, x)[0], [0.2, 1.0, 1.0])
    assert _grads(tf.elu, x)[0].tolist() == [1.0, 1.0, 1.0]


def test_abs_gradient_at_zero_is_zero() -> None:
    assert _grads(tf.abs, tf.tensor([-2.0, 0.0, 2.0]))[0].tolist() == [-1.0, 0.0, 1.0]


def test_cast_gradient_comes_back_in_the_input_dtype() -> None:
    x = tf.tensor([1.0, 2.0])
    (dx,) = _grads(lambda t: tf.mul(tf.cast(t, "float64"), _f64([3.0, 4.0])), x)
    assert dx.dtype == np.float32 and dx.tolist() == [3.0, 4.0]
    (dx,) = _grads(lambda t: tf.cast(tf.cast(t, "int32"), "float32"), x)
    assert dx.tolist() == [0.0, 0.0]  # no gradient flows through an int


def test_where_gradients_follow_a_broadcast_condition() -> None:
    cond = tf.tensor([True, False, True])
    da, db = _grads(lambda a, b: tf.where(cond, a, b), tf.ones([2, 3]), tf.ones([1]))
    assert da.tolist() == [[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]] and db.tolist() == [2.0]


def test_prelu_alpha_gradient_is_summed_to_alpha_shape() -> None:
    x = tf.tensor([[-1.0, 2.0, -3.0], [-4.0, -5.0, 6.0]])
    dx, dalpha = _grads(tf.prelu, x, tf.tensor([0.5, 0.25, 0.1]))
    np.testing.assert_allclose(dx, [[0.5, 1.0, 0.1], [0.5, 0.25, 1.0]])
    np.testing.assert_allclose(dalpha, [-5.0, -5.0, -3.0])


# -- gradients of gradients: each gradient is itself made of differentiable ops ----------------
SECOND_ORDER = {  # op, domain (lo, hi), exact second derivative
    "square": (tf.square, (-2, 2), lambda x: 2 + 0 * x),
    "exp": (tf.exp, (-2, 2), np.exp),
    "log": (tf.log, (0.3, 3), lambda x: -1 / x ** 2),
    "log1p": (tf.log1p, (-0.5, 3), lambda x: -1 / (1 + x) ** 2),
    "sqrt": (tf.sqrt, (0.3, 3), lambda x: -0.25 * x ** -1.5),
    "rsqrt": (tf.rsqrt, (0.3, 3), lambda x: 0.75 * x ** -2.5),
    "reciprocal": (tf.reciprocal, (0.3, 3), lambda x: 2 / x ** 3),
    "sin": (tf.sin, (-3, 3), lambda x: -np.sin(x)),
    "cos": (tf.cos, (-3, 3), lambda x: -np.cos(x)),
    "tanh": (tf.tanh, (-2, 2), lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    "sigmoid": (tf.sigmoid, (-3, 3),
                lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
    "softplus": (tf.softplus, (-3, 3), lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s)),
    "softsign": (tf.softsign, (-3, 3), lambda x: -2 * np.sign(x) / (1 + np.abs(x)) ** 3),
    "elu": (tf.elu, (-3, 3), lambda x: np.where(x > 0, 0.0, np.exp(x))),
    "selu": (tf.selu, (-3, 3), lambda x: np.where(x > 0, 0.0, 1.0507009873554805
                                                  * 1.6732632423543772 * np.exp(x))),
    "pow_base": (lambda x: tf.pow(x, 3.0), (0.3, 2), lambda x: 6 * x),
    "pow_exponent": (lambda x: tf.pow(2.0, x), (-2, 2), lambda x: 2 ** x * np.log(2) ** 2),
    "div_denominator": (lambda x: tf.div(3.0, x), (0.3, 2), lambda x: 6 / x ** 3),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivative_matches_the_exact_one(name) -> None:
    fn, (lo, hi), exact = SECOND_ORDER[name]
    values = np.linspace(lo, hi, 7)
    values = values[np.abs(values) > 0.05]  # stay off the kinks of elu, selu and softsign at 0
    x = _f64(values)
    d2 = tf.grad(lambda t: tf.sum(tf.grad(lambda u: tf.sum(fn(u)))(t)))(x)
    np.testing.assert_allclose(d2.numpy(), exact(values), rtol=1e-6, atol=1e-9)
