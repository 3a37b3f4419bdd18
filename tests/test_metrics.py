"""Tests of minitf.metrics: each metric against an independent NumPy computation (fixed and
Hypothesis-drawn inputs, per-sample shapes), name lookup, TF.js's resolution of 'accuracy' and
'crossentropy', tensor leaks, and values computed by TensorFlow.js itself
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
from minitf import losses, metrics
from minitf.serialization import to_snake_case

FIXTURE = Path(__file__).parent / "fixtures" / "tfjs" / "losses" / "values.json"
TFJS_CASES = [c for c in json.loads(FIXTURE.read_text())["cases"] if c["kind"] == "metric"]


def _run(fn: Callable, y_true: np.ndarray, y_pred: np.ndarray, **kwargs) -> np.ndarray:
    t = tf.tensor(y_true, dtype="int32" if y_true.dtype.kind in "iu" else "float32")
    return tf.tidy(lambda: fn(t, tf.tensor(y_pred, dtype="float32"), **kwargs).numpy())


# -- independent NumPy references ----------------------------------------------------------------
def np_top_k(labels: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """In the top k when the true score reaches the k-th largest score (TF's in_top_k)."""
    kth = -np.sort(-scores, -1)[..., min(k, scores.shape[-1]) - 1]
    true_score = np.take_along_axis(scores, labels[..., None], -1)[..., 0]
    return (true_score >= kth).astype(np.float32)


def np_precision_recall(t: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    tp = np.sum((t == 1) & (p == 1))
    fp = np.sum((t == 0) & (p == 1))
    fn = np.sum((t == 1) & (p == 0))
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 5), depth=st.integers(1, 4))
def test_binary_accuracy_drawn(seed: int, batch: int, depth: int) -> None:
    rng = np.random.default_rng(seed)
    t = rng.choice([0.0, 1.0], (batch, depth))
    p = rng.choice([0.0, 0.2, 0.5, 0.50001, 0.8, 1.0], (batch, depth))
    want = np.mean(t == (p > 0.5), -1)
    np.testing.assert_allclose(_run(metrics.binary_accuracy, t, p), want, rtol=1e-6)
    want = np.mean(t == (p > 0.7), -1)
    np.testing.assert_allclose(_run(metrics.binary_accuracy, t, p, threshold=0.7), want)


@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 5), depth=st.integers(1, 6))
def test_categorical_and_sparse_accuracy_drawn(seed: int, batch: int, depth: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, depth, batch)
    p = rng.choice([0.1, 0.2, 0.3, 0.4], (batch, depth))  # ties: the first maximum counts
    want = (np.argmax(p, -1) == labels).astype(np.float32)
    np.testing.assert_array_equal(_run(metrics.categorical_accuracy, np.eye(depth)[labels], p),
                                  want)
    np.testing.assert_array_equal(_run(metrics.sparse_categorical_accuracy, labels, p), want)
    np.testing.assert_array_equal(
        _run(metrics.sparse_categorical_accuracy, labels[:, None].astype(float), p), want)


@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 5), depth=st.integers(1, 7),
       k=st.integers(1, 8))
def test_top_k_accuracy_drawn(seed: int, batch: int, depth: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, depth, batch)
    p = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], (batch, depth))  # plenty of ties
    want = np_top_k(labels, p, k)
    got = _run(metrics.top_k_categorical_accuracy, np.eye(depth)[labels], p, k=k)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(_run(metrics.sparse_top_k_categorical_accuracy, labels, p,
                                       k=k), want)
    np.testing.assert_array_equal(_run(metrics.sparse_top_k_categorical_accuracy,
                                       labels[:, None], p, k=k), want)


def test_top_k_fixed_cases_and_default_k() -> None:
    p = np.array([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], [0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]])
    labels = np.array([1, 1])
    # Class 1 is 6th of 7 in the first row and 2nd in the second: in the top 5 only there.
    np.testing.assert_array_equal(_run(metrics.sparse_top_k_categorical_accuracy, labels, p),
                                  [0.0, 1.0])
    np.testing.assert_array_equal(_run(metrics.top_k_categorical_accuracy, np.eye(7)[labels], p,
                                       k=1), [0.0, 0.0])
    with pytest.raises(ValueError, match="k must be a positive int"):
        metrics.top_k_categorical_accuracy(np.eye(7)[labels], p, k=0)


def test_per_sample_shapes_for_rank_3() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, (2, 3))
    onehot = np.eye(4)[labels]
    p = rng.uniform(0, 1, (2, 3, 4))
    for fn, t in [(metrics.binary_accuracy, onehot), (metrics.categorical_accuracy, onehot),
                  (metrics.sparse_categorical_accuracy, labels),
                  (metrics.top_k_categorical_accuracy, onehot),
                  (metrics.sparse_top_k_categorical_accuracy, labels),
                  (metrics.mse, onehot), (metrics.categorical_crossentropy, onehot)]:
        assert _run(fn, t, p).shape == (2, 3), fn.__name__
    np.testing.assert_array_equal(_run(metrics.sparse_categorical_accuracy, labels, p),
                                  np.argmax(p, -1) == labels)


def test_binary_accuracy_threshold_is_strict() -> None:
    np.testing.assert_array_equal(
        _run(metrics.binary_accuracy, np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]])),
        [0.0, 1.0])


@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 12))
def test_precision_recall_drawn(seed: int, size: int) -> None:
    rng = np.random.default_rng(seed)
    t = rng.choice([0.0, 1.0], (2, size))
    p = rng.choice([0.0, 1.0, 0.7], (2, size))  # 0.7 is neither 0 nor 1: counted nowhere
    want_p, want_r = np_precision_recall(t, p)
    got_p, got_r = _run(metrics.precision, t, p), _run(metrics.recall, t, p)
    assert got_p.shape == () and got_r.shape == ()
    np.testing.assert_allclose([got_p, got_r], [want_p, want_r], rtol=1e-6)


def test_precision_recall_are_zero_when_undefined() -> None:
    zeros = np.zeros((2, 3))
    assert _run(metrics.precision, np.ones((2, 3)), zeros) == 0
    assert _run(metrics.recall, zeros, np.ones((2, 3))) == 0


@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(2, 5), depth=st.integers(1, 3))
def test_r2_score_drawn(seed: int, batch: int, depth: int) -> None:
    rng = np.random.default_rng(seed)
    t = rng.uniform(-3, 3, (batch, depth))
    p = t + rng.normal(0, 0.5, t.shape)
    want = 1 - np.sum((t - p) ** 2) / np.sum((t - t.mean()) ** 2)
    got = tf.tidy(lambda: metrics.r2_score(tf.tensor(t, dtype="float64"),
                                           tf.tensor(p, dtype="float64")).numpy())
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_loss_like_metrics_are_the_per_sample_losses() -> None:
    assert metrics.mean_squared_error is metrics.mse is metrics.MSE is losses.mse
    assert metrics.mae is metrics.MAE is losses.mean_absolute_error
    assert metrics.mape is metrics.MAPE is losses.mean_absolute_percentage_error
    assert metrics.cosine is metrics.cosine_proximity is losses.cosine_proximity
    assert metrics.binary_crossentropy is losses.binary_crossentropy
    assert metrics.categorical_crossentropy is losses.categorical_crossentropy
    assert metrics.sparse_categorical_crossentropy is losses.sparse_categorical_crossentropy


def test_shape_errors_name_the_metric() -> None:
    with pytest.raises(ValueError, match=r"categorical_accuracy: y_true and y_pred must have"):
        metrics.categorical_accuracy(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy: y_true must hold one"):
        metrics.sparse_categorical_accuracy(np.zeros((4, 2)), np.zeros((4, 3)))


# -- names and resolution ------------------------------------------------------------------------
TFJS_METRICS = ["binaryAccuracy", "categoricalAccuracy", "sparseCategoricalAccuracy",
                "topKCategoricalAccuracy", "sparseTopKCategoricalAccuracy", "precision",
                "recall", "r2Score", "binaryCrossentropy", "categoricalCrossentropy",
                "sparseCategoricalCrossentropy", "meanSquaredError", "meanAbsoluteError",
                "meanAbsolutePercentageError", "cosineProximity"]


@pytest.mark.parametrize("tfjs_name", TFJS_METRICS)
def test_get_accepts_both_spellings(tfjs_name: str) -> None:
    snake = to_snake_case(tfjs_name)
    fn = metrics.get(tfjs_name)
    assert metrics.get(snake) is fn
    assert metrics.name_of(fn) == snake


ALIASES = [("mse", "mean_squared_error"), ("MSE", "mean_squared_error"),
           ("mae", "mean_absolute_error"), ("MAE", "mean_absolute_error"),
           ("mape", "mean_absolute_percentage_error"), ("MAPE", "mean_absolute_percentage_error"),
           ("cosine", "cosine_proximity"),
           # loss names work as metrics too, as in Keras
           ("poisson", "poisson"), ("msle", "mean_squared_logarithmic_error"),
           ("logcosh", "log_cosh")]


@pytest.mark.parametrize("alias, name", ALIASES)
def test_get_accepts_aliases_and_loss_names(alias: str, name: str) -> None:
    assert metrics.name_of(metrics.get(alias)) == name


def test_get_errors() -> None:
    with pytest.raises(ValueError, match=r"Unknown metric 'accuracyy'.*binaryAccuracy"):
        metrics.get("accuracyy")
    with pytest.raises(ValueError, match=r"depends on the loss.*metrics.resolve"):
        metrics.get("accuracy")
    with pytest.raises(TypeError, match="Unknown metric"):
        metrics.get(None)


RESOLVE_TABLE = [
    # identifier, loss, output shape -> log name, function
    ("accuracy", "categoricalCrossentropy", [None, 10], "acc", metrics.categorical_accuracy),
    ("acc", "categorical_crossentropy", [None, 10], "acc", metrics.categorical_accuracy),
    ("accuracy", "meanSquaredError", [None, 3], "acc", metrics.categorical_accuracy),
    ("accuracy", "binaryCrossentropy", [None, 3], "acc", metrics.binary_accuracy),
    ("accuracy", losses.binary_crossentropy, [None, 3], "acc", metrics.binary_accuracy),
    ("accuracy", "meanSquaredError", [None, 1], "acc", metrics.binary_accuracy),
    ("acc", "sparseCategoricalCrossentropy", [None, 10], "acc",
     metrics.sparse_categorical_accuracy),
    ("accuracy", "sparse_categorical_crossentropy", [None, 1], "acc", metrics.binary_accuracy),
    ("crossentropy", "categoricalCrossentropy", [None, 10], "ce",
     metrics.categorical_crossentropy),
    ("ce", "binaryCrossentropy", [None, 4], "ce", metrics.binary_crossentropy),
    ("ce", "mse", [None, 1], "ce", metrics.binary_crossentropy),
    ("crossentropy", "sparseCategoricalCrossentropy", [None, 5], "ce",
     metrics.sparse_categorical_crossentropy),
    ("mse", "categoricalCrossentropy", [None, 10], "mse", metrics.mse),
    ("MAE", "categoricalCrossentropy", [None, 10], "MAE", metrics.mae),
    ("binaryAccuracy", "mse", [None, 1], "binaryAccuracy", metrics.binary_accuracy),
    ("precision", "mse", [None, 1], "precision", metrics.precision),
    (metrics.binary_accuracy, "mse", [None, 1], "binary_accuracy", metrics.binary_accuracy),
    (losses.mse, "mse", [None, 1], "mean_squared_error", losses.mse),
]


@pytest.mark.parametrize("identifier, loss, shape, name, fn", RESOLVE_TABLE,
                         ids=[f"{r[0] if isinstance(r[0], str) else r[0].__name__}-{i}"
                              for i, r in enumerate(RESOLVE_TABLE)])
def test_resolve(identifier, loss, shape, name: str, fn: Callable) -> None:
    assert metrics.resolve(identifier, loss, shape) == (name, fn)


def test_resolve_user_function_logs_under_its_name() -> None:
    def my_metric(y_true, y_pred):
        return tf.mean(y_pred, -1)

    assert metrics.resolve(my_metric, "mse", [None, 2]) == ("my_metric", my_metric)


# -- memory ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["binary_accuracy", "categorical_accuracy",
                                  "sparse_categorical_accuracy", "top_k_categorical_accuracy",
                                  "sparse_top_k_categorical_accuracy", "precision", "recall",
                                  "r2_score"])
def test_a_metric_leaves_only_its_result(name: str) -> None:
    rng = np.random.default_rng(1)
    p = tf.tensor(rng.uniform(0, 1, (4, 3)), dtype="float32")
    sparse = name.startswith("sparse")
    t = tf.tensor([0, 2, 1, 1], dtype="int32") if sparse else tf.tensor(
        np.eye(3)[[0, 2, 1, 1]], dtype="float32")
    before = tf.memory().num_tensors
    with tf.tidy():
        metrics.get(name)(t, p)
        assert tf.memory().num_tensors == before + 1
    assert tf.memory().num_tensors == before
    tf.dispose([t, p])


# -- TensorFlow.js parity -------------------------------------------------------------------------
@pytest.mark.parametrize("case", TFJS_CASES,
                         ids=[f"{c['fn']}-{i}" for i, c in enumerate(TFJS_CASES)])
def test_metrics_match_tfjs(case: dict) -> None:
    fn = getattr(metrics, to_snake_case(case["fn"]))
    got = tf.tidy(lambda: fn(tf.tensor(case["y_true"], dtype="float32"),
                             tf.tensor(case["y_pred"], dtype="float32")).numpy())
    np.testing.assert_allclose(np.ravel(got), np.asarray(case["expected"], np.float32),
                               rtol=1e-6, atol=2e-7)
