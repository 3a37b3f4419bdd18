"""Tests of minitf.losses: every per-sample loss against an independent NumPy formula (fixed and
Hypothesis-drawn inputs, float32 and float64, per-sample shapes), its gradient against central
differences, the clipping edge cases, name lookup, the reduced tfjs-core losses with weights
and each Reduction, tensor leaks, and values computed by TensorFlow.js itself
(tests/fixtures/tfjs/losses/values.json; see generate.js there to regenerate).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from gradcheck import check_gradients
from minitf import losses
from minitf.serialization import to_snake_case

EPS = 1e-7
FIXTURE = Path(__file__).parent / "fixtures" / "tfjs" / "losses" / "values.json"
TFJS = json.loads(FIXTURE.read_text())
TFJS_CASES = TFJS["cases"]


# -- independent NumPy references (float64), from the TF.js formulas ------------------------------
def _cce(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    q = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(t * np.log(q), -1)


def _bce(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    q = np.clip(p, EPS, 1 - EPS)
    return np.mean(-t * np.log(q) - (1 - t) * np.log(1 - q), -1)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.maximum(np.sum(x * x, -1, keepdims=True), EPS))


def _huber(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    e = np.abs(p - t)
    return np.mean(np.where(e <= 1, 0.5 * e**2, e - 0.5), -1)


REFERENCE: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "mean_squared_error": lambda t, p: np.mean((p - t) ** 2, -1),
    "mean_absolute_error": lambda t, p: np.mean(np.abs(p - t), -1),
    "mean_absolute_percentage_error":
        lambda t, p: 100 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS), -1),
    "mean_squared_logarithmic_error": lambda t, p: np.mean(
        (np.log(1 + np.maximum(p, EPS)) - np.log(1 + np.maximum(t, EPS))) ** 2, -1),
    "squared_hinge": lambda t, p: np.mean(np.maximum(0, 1 - t * p) ** 2, -1),
    "hinge": lambda t, p: np.mean(np.maximum(0, 1 - t * p), -1),
    "categorical_hinge": lambda t, p: np.maximum(
        0, 1 + np.max((1 - t) * p, -1) - np.sum(t * p, -1)),
    "log_cosh": lambda t, p: np.mean(np.log(np.cosh(p - t)), -1),
    "huber": _huber,
    "categorical_crossentropy": _cce,
    "binary_crossentropy": _bce,
    "kullback_leibler_divergence":
        lambda t, p: np.sum(t * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1),
    "poisson": lambda t, p: np.mean(p - t * np.log(p + EPS), -1),
    "cosine_proximity": lambda t, p: -np.sum(_unit(t) * _unit(p), -1),
}


# -- inputs per loss, kept away from kinks so that gradients exist ------------------------------
def _away(x: np.ndarray, rng: np.random.Generator, lo: float = 0.05, hi: float = 2.0) -> np.ndarray:
    """Random offsets of size lo..hi with random signs, shaped like x."""
    return rng.uniform(lo, hi, x.shape) * rng.choice([-1.0, 1.0], x.shape)


def _one_hot(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]


def _regression(rng, shape):
    t = rng.uniform(-3, 3, shape)
    return t, t + _away(t, rng)


def _hinge(rng, shape):
    t = rng.choice([-1.0, 1.0], shape)
    return t, t * (1 - _away(t, rng))  # 1 - t * p is then the offset, never near 0


def _categorical_hinge(rng, shape):
    t = _one_hot(rng, shape)
    while True:  # distinct scores (no ties in max) and 1 + max(neg) - pos away from 0
        p = rng.uniform(-2, 2, shape)
        gaps = np.abs(np.diff(np.sort(p, -1), axis=-1))
        margin = 1 + np.max((1 - t) * p, -1) - np.sum(t * p, -1)
        if gaps.min(initial=1) > 0.02 and np.abs(margin).min() > 0.05:
            return t, p


DRAW: dict[str, Callable[[np.random.Generator, tuple], tuple[np.ndarray, np.ndarray]]] = {
    "mean_squared_error": _regression,
    "mean_absolute_error": _regression,
    "mean_absolute_percentage_error": lambda rng, s: _regression(rng, s),
    "mean_squared_logarithmic_error":
        lambda rng, s: (rng.uniform(0, 3, s), rng.uniform(0.1, 3, s)),
    "squared_hinge": _hinge,
    "hinge": _hinge,
    "categorical_hinge": _categorical_hinge,
    "log_cosh": _regression,
    "huber": lambda rng, s: (np.zeros(s), rng.uniform(0.05, 0.9, s) * rng.choice([-1, 1], s)
                             + rng.choice([0.0, 0.0, 1.2], s)),
    "categorical_crossentropy":
        lambda rng, s: (rng.dirichlet(np.ones(s[-1]), s[:-1]), rng.uniform(0.05, 1, s)),
    "binary_crossentropy":
        lambda rng, s: (rng.choice([0.0, 1.0], s), rng.uniform(0.02, 0.98, s)),
    "kullback_leibler_divergence":
        lambda rng, s: (rng.dirichlet(np.ones(s[-1]), s[:-1]), rng.uniform(0.02, 1, s)),
    "poisson": lambda rng, s: (rng.integers(0, 4, s).astype(float), rng.uniform(0.1, 3, s)),
    "cosine_proximity": lambda rng, s: (rng.uniform(-3, 3, s), rng.uniform(-3, 3, s) + 0.1),
}
NAMES = sorted(REFERENCE)
SHAPES = [(3, 4), (2, 2, 3), (5,)]


def _value(fn: Callable, t: np.ndarray, p: np.ndarray, dtype: str = "float64") -> np.ndarray:
    return tf.tidy(lambda: fn(tf.tensor(t, dtype=dtype), tf.tensor(p, dtype=dtype)).numpy())


def test_every_compile_loss_has_a_reference() -> None:
    assert sorted(name for name in REFERENCE) == sorted(
        losses.name_of(losses.get(n)) for n in REFERENCE)
    assert set(DRAW) == set(REFERENCE)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_forward_matches_numpy_per_sample(name: str, shape: tuple[int, ...]) -> None:
    t, p = DRAW[name](np.random.default_rng(0), shape)
    got = _value(losses.get(name), t, p)
    assert got.shape == shape[:-1]
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, REFERENCE[name](t, p), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 4), depth=st.integers(1, 5))
def test_forward_matches_numpy_drawn(name: str, seed: int, batch: int, depth: int) -> None:
    rng = np.random.default_rng(seed)
    t, p = DRAW[name](rng, (batch, depth))
    np.testing.assert_allclose(_value(losses.get(name), t, p), REFERENCE[name](t, p),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_float32_keeps_dtype_and_matches_float64(name: str) -> None:
    t, p = DRAW[name](np.random.default_rng(1), (4, 3))
    got = _value(losses.get(name), t, p, "float32")
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, _value(losses.get(name), t, p), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(3, 4), (2, 2, 3)], ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_gradient_wrt_y_pred(name: str, shape: tuple[int, ...]) -> None:
    t, p = DRAW[name](np.random.default_rng(2), shape)
    fn = losses.get(name)
    check_gradients(lambda y_pred: fn(tf.tensor(t, dtype="float64"), y_pred), [p],
                    rtol=1e-5, atol=1e-6)


def test_sparse_categorical_crossentropy_matches_one_hot_form() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 1, (5, 4))
    p /= p.sum(-1, keepdims=True)
    labels = rng.integers(0, 4, 5)
    want = _cce(np.eye(4)[labels], np.clip(p, EPS, 1 - EPS))
    for y_true in (labels, labels.reshape(5, 1), labels.astype(np.float64) + 0.3):
        got = tf.tidy(lambda: losses.get("sparseCategoricalCrossentropy")(
            tf.tensor(y_true), tf.tensor(p, dtype="float64")).numpy())
        np.testing.assert_allclose(got, want, rtol=1e-12)
    # Rank 3: one label per [batch, time] position.
    p3 = rng.uniform(0.05, 1, (2, 3, 4))
    labels3 = rng.integers(0, 4, (2, 3))
    got = _value(losses.sparse_categorical_crossentropy, labels3, p3)
    np.testing.assert_allclose(got, _cce(np.eye(4)[labels3], np.clip(p3, EPS, 1 - EPS)))
    check_gradients(lambda y: losses.sparse_categorical_crossentropy(tf.tensor(labels), y),
                    [p])


def test_from_logits_uses_the_stable_forms() -> None:
    logits = np.array([[1000.0, 0.0, -1000.0], [0.5, 0.2, 0.1]])
    onehot = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    got = _value(lambda t, p: losses.categorical_crossentropy(t, p, from_logits=True),
                 onehot, logits)
    shifted = logits - logits.max(-1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    np.testing.assert_allclose(got, -np.sum(onehot * log_softmax, -1))
    labels = np.array([1, 0])
    got = _value(lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=True),
                 labels, logits)
    np.testing.assert_allclose(got, -np.sum(onehot * log_softmax, -1))
    bce = _value(lambda t, p: losses.binary_crossentropy(t, p, from_logits=True),
                 np.array([[1.0, 0.0]]), np.array([[-800.0, 800.0]]))
    np.testing.assert_allclose(bce, [800.0])


# -- clipping -------------------------------------------------------------------------------------
PROB_LOSSES = ["binary_crossentropy", "categorical_crossentropy", "kullback_leibler_divergence",
               "mean_squared_logarithmic_error", "poisson"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", PROB_LOSSES)
def test_probabilities_0_and_1_give_finite_loss_and_gradient(name: str, dtype: str) -> None:
    t = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    p = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    fn = losses.get(name)

    def run() -> tuple[np.ndarray, np.ndarray]:
        yt, yp = tf.tensor(t, dtype=dtype), tf.tensor(p, dtype=dtype)
        g = tf.grad(lambda y: tf.sum(fn(yt, y)))(yp)
        return fn(yt, yp).numpy(), g.numpy()

    value, grad = tf.tidy(run)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))


def test_clipped_predictions_get_zero_gradient() -> None:
    # Like TF.js's clipByValue gradient: nothing flows to entries clipped to eps or 1 - eps.
    t = np.array([[1.0, 0.0, 1.0]])
    p = np.array([[0.0, 1.0, 0.5]])
    for name in ("binary_crossentropy", "kullback_leibler_divergence"):
        fn = losses.get(name)
        grad = tf.tidy(lambda: tf.grad(lambda y: tf.sum(fn(tf.tensor(t), y)))(
            tf.tensor(p, dtype="float64")).numpy())
        assert grad[0, 0] == 0 and np.isfinite(grad[0, 2])
        assert name == "kullback_leibler_divergence" or grad[0, 1] == 0
    grad = tf.tidy(lambda: tf.grad(lambda y: tf.sum(losses.sparse_categorical_crossentropy(
        tf.tensor([0]), y)))(tf.tensor([[0.0, 1.0]], dtype="float64")).numpy())
    np.testing.assert_array_equal(grad, [[0.0, 0.0]])


def test_categorical_crossentropy_of_a_certain_wrong_answer_is_minus_log_eps() -> None:
    got = _value(losses.categorical_crossentropy, np.array([[1.0, 0.0]]),
                 np.array([[0.0, 1.0]]), "float32")
    np.testing.assert_allclose(got, [-np.log(EPS)], rtol=1e-6)


def test_mape_divides_zero_targets_by_epsilon() -> None:
    got = _value(losses.mape, np.array([[0.0, 2.0]]), np.array([[1e-6, 1.0]]))
    np.testing.assert_allclose(got, [100 * (1e-6 / EPS + 0.5) / 2])


# -- names ----------------------------------------------------------------------------------------
TFJS_STRINGS = ["meanSquaredError", "meanAbsoluteError", "meanAbsolutePercentageError",
                "meanSquaredLogarithmicError", "squaredHinge", "hinge", "categoricalHinge",
                "logcosh", "categoricalCrossentropy", "sparseCategoricalCrossentropy",
                "binaryCrossentropy", "kullbackLeiblerDivergence", "poisson", "cosineProximity"]
ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error",
           "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
           "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
           "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
           "kld": "kullback_leibler_divergence", "KLD": "kullback_leibler_divergence",
           "cosine": "cosine_proximity", "logcosh": "log_cosh", "logCosh": "log_cosh",
           "huber": "huber"}


@pytest.mark.parametrize("tfjs_name", TFJS_STRINGS)
def test_get_accepts_tfjs_and_snake_case_names(tfjs_name: str) -> None:
    snake = "log_cosh" if tfjs_name == "logcosh" else to_snake_case(tfjs_name)
    fn = losses.get(tfjs_name)
    assert losses.get(snake) is fn
    assert losses.name_of(fn) == snake
    assert losses.tfjs_name(fn) == tfjs_name
    assert losses.tfjs_name(snake) == tfjs_name


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_get_accepts_short_aliases(alias: str) -> None:
    assert losses.name_of(losses.get(alias)) == ALIASES[alias]
    assert losses.get(alias) is losses.get(ALIASES[alias])


def test_module_names_and_the_mean_squared_error_split() -> None:
    assert losses.mse is losses.MSE is losses.mean_squared_error_per_sample
    assert losses.get("meanSquaredError") is losses.mean_squared_error_per_sample
    assert losses.get("mean_squared_error") is not losses.mean_squared_error
    assert losses.tfjs_name("huber") is None
    with tf.tidy():
        per_sample = losses.mse([[1.0, 2.0], [3.0, 5.0]], [[1.0, 4.0], [3.0, 3.0]])
        reduced = losses.mean_squared_error([[1.0, 2.0], [3.0, 5.0]], [[1.0, 4.0], [3.0, 3.0]])
        assert per_sample.array_sync() == [2.0, 2.0] and reduced.item() == 2.0


def test_get_passes_functions_and_rejects_unknown_names() -> None:
    def my_loss(y_true, y_pred):
        return tf.mean(y_pred, -1)

    assert losses.get(my_loss) is my_loss
    assert losses.name_of(my_loss) == "my_loss"
    assert losses.name_of("whatever") == "whatever"
    with pytest.raises(ValueError, match=r"Unknown loss 'meanSquaredErr'.*categoricalCrossentropy"):
        losses.get("meanSquaredErr")
    with pytest.raises(ValueError, match=r"use 'categoricalCrossentropy'"):
        losses.get("softmaxCrossEntropy")
    with pytest.raises(TypeError, match="Unknown loss"):
        losses.get(3)


def test_shape_mismatch_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"binary_crossentropy: y_true and y_pred must have the "
                                         r"same shape, got y_true \[4\] and y_pred \[4, 1\]"):
        losses.binary_crossentropy(tf.zeros([4]), tf.zeros([4, 1]))
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: y_true must hold"):
        losses.sparse_categorical_crossentropy(tf.zeros([3]), tf.zeros([4, 5]))
    with pytest.raises(ValueError, match="got scalars"):
        losses.mse(1.0, 2.0)


# -- memory ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES + ["sparse_categorical_crossentropy"])
def test_a_loss_leaves_only_its_result(name: str) -> None:
    t, p = DRAW.get(name, DRAW["categorical_crossentropy"])(np.random.default_rng(4), (3, 4))
    if name == "sparse_categorical_crossentropy":
        t = np.array([0, 3, 1])
    yt, yp = tf.tensor(t, dtype="float32"), tf.tensor(p, dtype="float32")
    fn = losses.get(name)
    before = tf.memory().num_tensors
    with tf.tidy():
        result = fn(yt, yp)
        assert tf.memory().num_tensors == before + 1  # intermediates are already gone
        tf.grad(lambda y: tf.sum(fn(yt, y)))(yp)
    assert tf.memory().num_tensors == before
    with pytest.raises(tf.DisposedTensorError):
        result.numpy()
    fn(t.tolist(), p.tolist()).dispose()  # converted inputs do not leak either
    assert tf.memory().num_tensors == before
    tf.dispose([yt, yp])


# -- reduced losses (tfjs-core) ------------------------------------------------------------------
def _reduce(losses_: np.ndarray, weights: np.ndarray | float | None, reduction: str) -> np.ndarray:
    """TF.js computeWeightedLoss, in NumPy."""
    w = None if weights is None else np.asarray(weights, dtype=float)
    weighted = losses_ if w is None else losses_ * w
    if reduction == "NONE":
        return weighted
    if reduction == "SUM":
        return np.sum(weighted)
    if reduction == "MEAN":
        if w is None:
            return np.mean(weighted)
        factor = losses_.size / w.size
        return np.sum(weighted) / np.sum(w) / (factor if factor > 1 else 1)
    if w is None:
        return np.sum(weighted) / losses_.size
    return np.sum(weighted) / np.count_nonzero(np.broadcast_to(w, weighted.shape))


def _softmax_ce(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(-1, keepdims=True)
    return -np.sum(t * (shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))), -1)


def _sigmoid_ce(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    return -t * np.log(1 / (1 + np.exp(-x))) - (1 - t) * np.log(1 - 1 / (1 + np.exp(-x)))


RNG = np.random.default_rng(5)
LABELS = RNG.uniform(-2, 2, (4, 3))
PREDS = RNG.uniform(-2, 2, (4, 3))
BINARY = RNG.choice([0.0, 1.0], (4, 3))
PROBS = RNG.uniform(0.05, 0.95, (4, 3))
ONEHOT = np.eye(3)[[0, 2, 1, 1]]
# name: (call, NumPy elementwise losses, labels, predictions, losses are per row)
CORE = {
    "absolute_difference": (losses.absolute_difference, lambda t, p: np.abs(t - p),
                            LABELS, PREDS, False),
    "mean_squared_error": (losses.mean_squared_error, lambda t, p: (t - p) ** 2,
                           LABELS, PREDS, False),
    "hinge_loss": (losses.hinge_loss, lambda t, p: np.maximum(0, 1 - (2 * t - 1) * p),
                   BINARY, PREDS, False),
    "huber_loss": (losses.huber_loss, lambda t, p: np.where(
        np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5), LABELS, PREDS, False),
    "log_loss": (losses.log_loss, lambda t, p: -t * np.log(p + EPS)
                 - (1 - t) * np.log(1 - p + EPS), BINARY, PROBS, False),
    "sigmoid_cross_entropy": (losses.sigmoid_cross_entropy, _sigmoid_ce, BINARY, PREDS, False),
    "softmax_cross_entropy": (losses.softmax_cross_entropy, _softmax_ce, ONEHOT, PREDS, True),
    "cosine_distance": (lambda t, p, **kwargs: losses.cosine_distance(t, p, 1, **kwargs),
                        lambda t, p: 1 - np.sum(t * p, 1, keepdims=True), LABELS, PREDS, True),
}
WEIGHTS = {"none": None, "scalar": 2.0, "per_row": np.array([[1.0], [0.0], [2.0], [0.5]]),
           "full": np.array([[1.0, 0, 2], [0.5, 0.5, 0], [0, 0, 0], [3, 1, 1]])}


REDUCED_CASES = [(name, weights, reduction) for name in sorted(CORE) for weights in WEIGHTS
                 for reduction in losses.Reduction
                 if not (CORE[name][4] and weights == "full")]  # per-row losses: per-row weights


@pytest.mark.parametrize("name, weights, reduction", REDUCED_CASES,
                         ids=[f"{n}-{w}-{r.name}" for n, w, r in REDUCED_CASES])
def test_reduced_losses_match_numpy(name: str, weights: str, reduction: losses.Reduction) -> None:
    fn, elementwise, t, p, per_row = CORE[name]
    w = WEIGHTS[weights]
    if name == "softmax_cross_entropy" and weights == "per_row":
        w = w[:, 0]
    want = _reduce(elementwise(t, p), w, reduction.name)

    def run() -> np.ndarray:
        wt = w if w is None or np.isscalar(w) else tf.tensor(w, dtype="float64")
        return fn(tf.tensor(t, dtype="float64"), tf.tensor(p, dtype="float64"),
                  weights=wt, reduction=reduction).numpy()

    got = tf.tidy(run)
    assert got.shape == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_reduction_default_and_spellings() -> None:
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    w = np.array([[1.0], [0.0]])
    with tf.tidy():
        assert losses.compute_weighted_loss(x).item() == 3.0
        assert losses.compute_weighted_loss(x, w).item() == 1.5  # (1 + 2) / 2 nonzero weights
        assert losses.compute_weighted_loss(x, w, "mean").item() == 1.5  # 3 / 1 / factor 2
        assert losses.compute_weighted_loss(x, w, losses.Reduction.SUM).item() == 3.0
        assert losses.compute_weighted_loss(x, None, 0).shape == (2, 2)
    with pytest.raises(ValueError, match="unknown reduction 'median'"):
        losses.compute_weighted_loss(x, None, "median")
    with pytest.raises(ValueError, match="compute_weighted_loss"):
        losses.compute_weighted_loss(x, np.ones(3))


def test_label_smoothing() -> None:
    got = tf.tidy(lambda: losses.softmax_cross_entropy(
        tf.tensor(ONEHOT, dtype="float64"), tf.tensor(PREDS, dtype="float64"),
        label_smoothing=0.3, reduction=losses.Reduction.NONE).numpy())
    np.testing.assert_allclose(got, _softmax_ce(ONEHOT * 0.7 + 0.1, PREDS))
    got = tf.tidy(lambda: losses.sigmoid_cross_entropy(
        tf.tensor(BINARY, dtype="float64"), tf.tensor(PREDS, dtype="float64"),
        label_smoothing=0.2, reduction="none").numpy())
    np.testing.assert_allclose(got, _sigmoid_ce(BINARY * 0.8 + 0.1, PREDS))


@pytest.mark.parametrize("name", sorted(CORE))
def test_reduced_loss_gradients(name: str) -> None:
    fn, _, t, p, per_row = CORE[name]
    rng = np.random.default_rng(6)
    if name in ("absolute_difference", "huber_loss"):
        p = t + _away(t, rng, 0.05, 0.8)  # away from |p - t| = 0
    elif name == "hinge_loss":
        p = (2 * t - 1) * (1 - _away(t, rng))  # away from 1 - (2t - 1) p = 0
    w = WEIGHTS["per_row"] if per_row else WEIGHTS["full"]
    if name == "softmax_cross_entropy":
        w = w[:, 0]
    check_gradients(lambda y: fn(tf.tensor(t, dtype="float64"), y,
                                 weights=tf.tensor(w, dtype="float64")), [p])


# -- TensorFlow.js parity -------------------------------------------------------------------------
def _close_to_tfjs(got: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(np.ravel(got), np.asarray(expected, dtype=np.float32),
                               rtol=1e-6, atol=2e-7)


LAYERS_CASES = [c for c in TFJS_CASES if c["kind"] == "layers_loss"]
CORE_CASES = [c for c in TFJS_CASES if c["kind"] == "core_loss"]


@pytest.mark.parametrize("case", LAYERS_CASES,
                         ids=[f"{c['fn']}-{i}" for i, c in enumerate(LAYERS_CASES)])
def test_layers_losses_match_tfjs(case: dict) -> None:
    fn = losses.get(case["fn"])
    got = tf.tidy(lambda: fn(tf.tensor(case["y_true"], dtype="float32"),
                             tf.tensor(case["y_pred"], dtype="float32")).numpy())
    assert got.dtype == np.float32
    _close_to_tfjs(got, case["expected"])


def test_epsilon_is_tfjs_backend_epsilon() -> None:
    assert losses.EPSILON == TFJS["epsilon"] == EPS


def test_huber_is_tfjs_huber_loss_averaged_over_the_last_axis() -> None:
    # TF.js layers has no 'huber' string; its tf.losses.huberLoss without reduction gives the
    # elementwise values, which minitf's per-sample huber averages over the last axis.
    case = next(c for c in CORE_CASES if c["fn"] == "huberLoss" and not c["extra"]
                and c["weights"] is None and c["reduction"] == "NONE")
    elementwise = np.reshape(np.asarray(case["expected"], np.float32), case["expected_shape"])
    got = tf.tidy(lambda: losses.huber(tf.tensor(case["labels"], dtype="float32"),
                                       tf.tensor(case["predictions"], dtype="float32")).numpy())
    _close_to_tfjs(got, elementwise.mean(-1))


@pytest.mark.parametrize("case", CORE_CASES,
                         ids=[f"{c['fn']}-{c['reduction']}-{i}" for i, c in enumerate(CORE_CASES)])
def test_reduced_losses_match_tfjs(case: dict) -> None:
    fn = getattr(losses, to_snake_case(case["fn"]))

    def run() -> np.ndarray:
        w = case["weights"]
        weights = tf.tensor(w, dtype="float32") if isinstance(w, list) else w
        predictions = tf.tensor(case["predictions"], dtype="float32")
        reduction = losses.Reduction[case["reduction"]]
        if case["fn"] == "computeWeightedLoss":
            return fn(predictions, weights, reduction).numpy()
        return fn(tf.tensor(case["labels"], dtype="float32"), predictions, weights=weights,
                  reduction=reduction, **case["extra"]).numpy()

    got = tf.tidy(run)
    assert list(got.shape) == case["expected_shape"]
    _close_to_tfjs(got, case["expected"])
