"""nn ops beyond the catalog: stability at extreme logits, dropout's seeding and statistics,
entry-check messages, dtypes and memory (each op disposes its own intermediates).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

import minitf as tf

EXTREME = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 999.0, 1000.0]])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(x / 2))  # no overflow warning at x = -1000


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _grad(f: Callable[[tf.Tensor], tf.Tensor], x: np.ndarray, dtype: str = "float32") -> np.ndarray:
    return tf.tidy(lambda: tf.grad(lambda t: tf.sum(f(t)))(tf.tensor(x, dtype=dtype)).numpy())


def _value(f: Callable[..., tf.Tensor], *arrays: np.ndarray, dtype: str = "float32") -> np.ndarray:
    return tf.tidy(lambda: f(*[tf.tensor(a, dtype=dtype) for a in arrays]).numpy())


# --- stability at extreme logits -----------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_is_finite_and_sums_to_one_for_huge_logits(dtype: str) -> None:
    y = _value(tf.softmax, EXTREME, dtype=dtype)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=-1), 1, rtol=1e-6)
    np.testing.assert_allclose(y, _softmax(EXTREME), rtol=1e-6, atol=1e-30)
    weights = np.arange(EXTREME.size).reshape(EXTREME.shape)
    g = _grad(lambda t: tf.mul(tf.softmax(t), weights.astype(dtype)), EXTREME, dtype)
    assert np.isfinite(g).all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_softmax_is_finite_for_huge_logits(dtype: str) -> None:
    y = _value(tf.log_softmax, EXTREME, dtype=dtype)
    shifted = EXTREME - EXTREME.max(axis=-1, keepdims=True)
    want = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y, want, rtol=1e-6)
    g = _grad(lambda t: tf.log_softmax(t), EXTREME, dtype)
    np.testing.assert_allclose(g, 1 - 3 * _softmax(EXTREME), atol=1e-6)  # dy = 1 in 3 columns


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_cross_entropy_is_finite_for_huge_logits(dtype: str) -> None:
    logits = np.array([1000.0, 1000.0, -1000.0, -1000.0, 0.0])
    labels = np.array([1.0, 0.0, 1.0, 0.0, 0.3])
    y = _value(tf.sigmoid_cross_entropy_with_logits, labels, logits, dtype=dtype)
    np.testing.assert_allclose(y, [0.0, 1000.0, 1000.0, 0.0, np.log(2)], rtol=1e-6)
    g = _grad(lambda t: tf.sigmoid_cross_entropy_with_logits(labels.astype(dtype), t),
              logits, dtype)
    np.testing.assert_allclose(g, _sigmoid(logits) - labels, atol=1e-6)  # also 1/2 - z at 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_cross_entropy_is_finite_for_huge_logits(dtype: str) -> None:
    labels = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    y = _value(tf.softmax_cross_entropy_with_logits, labels, EXTREME, dtype=dtype)
    np.testing.assert_allclose(y, [2000.0, np.log(3), np.log(2 + np.exp(-1))], rtol=1e-6)
    g = _grad(lambda t: tf.softmax_cross_entropy_with_logits(labels.astype(dtype), t),
              EXTREME, dtype)
    np.testing.assert_allclose(g, _softmax(EXTREME) - labels, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropies_match_the_naive_formulas(dtype: str) -> None:
    rng = np.random.default_rng(0)
    logits = rng.uniform(-8, 8, size=(5, 4))
    labels = rng.uniform(0, 1, size=(5, 4))
    p = _sigmoid(logits)
    naive = -labels * np.log(p) - (1 - labels) * np.log(1 - p)
    np.testing.assert_allclose(_value(tf.sigmoid_cross_entropy_with_logits, labels, logits,
                                      dtype=dtype), naive, rtol=1e-5, atol=1e-6)
    naive = -np.sum(labels * np.log(np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)), -1)
    np.testing.assert_allclose(_value(tf.softmax_cross_entropy_with_logits, labels, logits,
                                      dtype=dtype), naive, rtol=1e-5)


def test_softmax_cross_entropy_gradients_follow_the_closed_form() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(3, 5))
    labels = rng.uniform(0, 2, size=(3, 5))  # rows need not sum to 1
    g = _grad(lambda t: tf.softmax_cross_entropy_with_logits(labels, t), logits, "float64")
    np.testing.assert_allclose(g, _softmax(logits) * labels.sum(-1, keepdims=True) - labels,
                               rtol=1e-10)
    g = _grad(lambda t: tf.softmax_cross_entropy_with_logits(t, tf.tensor(logits, dtype="float64")),
              labels, "float64")
    np.testing.assert_allclose(g, -np.log(_softmax(logits)), rtol=1e-10)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_gradients_are_differentiable_again(name: str) -> None:
    f, w = getattr(tf, name), np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])

    def slope(x: np.ndarray) -> float:  # sum(w * d/dx sum(w * f(x))), a scalar of x
        inner = tf.grad(lambda t: tf.sum(tf.mul(f(t), w)))
        return tf.tidy(lambda: tf.sum(tf.mul(inner(tf.tensor(x, dtype="float64")), w)).item())

    x = np.array([[0.3, -1.2, 2.0], [1.0, 0.0, -0.5]])
    inner = tf.grad(lambda t: tf.sum(tf.mul(f(t), w)))
    exact = _grad(lambda t: tf.mul(inner(t), w), x, "float64")
    eps, numeric = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = eps
        numeric[idx] = (slope(x + step) - slope(x - step)) / (2 * eps)
    np.testing.assert_allclose(exact, numeric, atol=1e-6)


# --- batch_norm ----------------------------------------------------------------------------

def test_batch_norm_with_batch_moments_over_nhwc() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(3, 2, size=(4, 3, 3, 2))
    mean, variance = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    y = _value(lambda a, m, v: tf.batch_norm(a, m, v, [1.0, -1.0], [2.0, 0.5]), x, mean, variance)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), [1.0, -1.0], atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), [2.0, 0.5], rtol=1e-3)


def test_batch_norm_parameters_that_do_not_broadcast_are_named() -> None:
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError, match=r"batch_norm: variance of shape \[2\].*\[2, 3\]"):
        tf.batch_norm(x, [0.0, 0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"batch_norm: scale of shape \[4, 3\]"):
        tf.batch_norm(x, [0.0], [1.0], scale=np.ones((4, 3)))
    with pytest.raises(ValueError, match="variance_epsilon"):
        tf.batch_norm(x, [0.0], [1.0], variance_epsilon=-1)
    x.dispose()


# --- dropout -------------------------------------------------------------------------------

def test_dropout_is_deterministic_for_a_seed() -> None:
    x = np.ones((50, 40))
    a = _value(lambda t: tf.dropout(t, 0.4, seed=11), x)
    b = _value(lambda t: tf.dropout(t, 0.4, seed=11), x)
    c = _value(lambda t: tf.dropout(t, 0.4, seed=12), x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert set(np.unique(a)) <= {np.float32(0), np.float32(1 / 0.6)}


def test_dropout_preserves_the_mean_in_expectation() -> None:
    y = _value(lambda t: tf.dropout(t, 0.3, seed=5), np.full(200_000, 2.0))
    assert abs(y.mean() - 2.0) < 0.02
    assert abs((y == 0).mean() - 0.3) < 0.01


def test_dropout_gradient_is_mask_over_keep_probability() -> None:
    x = np.random.default_rng(3).normal(size=(6, 7))
    y = _value(lambda t: tf.dropout(t, 0.25, seed=9), x, dtype="float64")
    g = _grad(lambda t: tf.dropout(t, 0.25, seed=9), x, "float64")
    np.testing.assert_allclose(g, (y != 0) / 0.75)


def test_dropout_noise_shape_broadcasts_the_mask() -> None:
    y = _value(lambda t: tf.dropout(t, 0.5, noise_shape=[8, 1], seed=4), np.ones((8, 6)))
    assert (y == y[:, :1]).all()  # one draw per row, repeated along the columns
    assert 0 < (y[:, 0] == 0).sum() < 8
    with pytest.raises(ValueError, match=r"dropout: noise_shape \[3, 1\].*\[8, 6\]"):
        tf.dropout(np.ones((8, 6)), 0.5, noise_shape=[3, 1])


def test_dropout_rate_zero_returns_a_copy_of_x() -> None:
    x = tf.tensor([1.0, 2.0])
    y = tf.dropout(x, 0)
    assert y is not x and y.array_sync() == [1.0, 2.0]
    y.dispose()
    assert x.array_sync() == [1.0, 2.0]
    x.dispose()


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_dropout_rejects_a_rate_outside_zero_one(rate: float) -> None:
    with pytest.raises(ValueError, match=r"dropout: rate must be in \[0, 1\)"):
        tf.dropout([1.0, 2.0], rate)


# --- entry checks, dtypes, memory ----------------------------------------------------------

def test_entry_checks_name_the_op_and_the_shapes() -> None:
    with pytest.raises(ValueError,
                       match=r"softmax_cross_entropy_with_logits: .*\[2, 3\].*\[2, 4\]"):
        tf.softmax_cross_entropy_with_logits(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"sigmoid_cross_entropy_with_logits: .*\[3\].*\[2\]"):
        tf.sigmoid_cross_entropy_with_logits([0.0, 1.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="softmax: logits must have rank >= 1"):
        tf.softmax(1.0)
    with pytest.raises(ValueError, match="log_softmax: axis 2 is out of range"):
        tf.log_softmax(np.zeros((2, 2)), 2)


CALLS = {
    "softmax": lambda x, z: tf.softmax(x),
    "log_softmax": lambda x, z: tf.log_softmax(x, 0),
    "batch_norm": lambda x, z: tf.batch_norm(x, [0.5, 0.0, 1.0], [1.0, 2.0, 3.0], 0.5, [2.0]),
    "batch_norm_defaults": lambda x, z: tf.batch_norm(x, [0.5], [2.0]),
    "sigmoid_cross_entropy_with_logits": lambda x, z: tf.sigmoid_cross_entropy_with_logits(z, x),
    "softmax_cross_entropy_with_logits": lambda x, z: tf.softmax_cross_entropy_with_logits(z, x),
    "dropout": lambda x, z: tf.dropout(x, 0.5, seed=1),
    "dropout_noise_shape": lambda x, z: tf.dropout(x, 0.5, [1, 3], seed=1),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_ops_keep_the_dtype_and_dispose_their_intermediates(name: str, dtype: str) -> None:
    x = tf.tensor([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], dtype=dtype)
    z = tf.tensor([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]], dtype=dtype)
    before = tf.memory().num_tensors
    y = CALLS[name](x, z)
    assert tf.memory().num_tensors == before + 1, "the op left intermediates alive"
    assert y.dtype == dtype
    y.dispose()
    tf.dispose(tf.tidy(lambda: CALLS[name](x, z)))
    assert tf.memory().num_tensors == before
    tf.dispose(tf.grads(lambda a, b: tf.sum(CALLS[name](a, b)))([x, z]))
    assert tf.memory().num_tensors == before, "the gradient leaked tensors"
    tf.dispose([x, z])
