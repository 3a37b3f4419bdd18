"""Metrics: functions f(y_true, y_pred) that ``compile(metrics=[...])`` reports but does not
train on (TF.js ``tf.metrics.*``, ``tfjs-layers/src/metrics.ts``).

Most metrics give one value per sample, reduced over the last axis like the losses; the
training loop averages them over each batch. ``precision``, ``recall`` and ``r2_score`` are
computed over the whole batch and give a scalar, as in TF.js. The loss-like metrics (mse, mae,
mape, cross-entropies, cosine proximity) are the per-sample losses of ``minitf.losses``.

``resolve`` turns a ``compile`` metric into a log name and a function, with TF.js's rule for
``'accuracy'``/``'acc'`` and ``'crossentropy'``/``'ce'``, whose meaning depends on the loss and
the output's shape.
"""
from __future__ import annotations

from typing import Callable, Sequence

from . import losses, ops
from .losses import (binary_crossentropy, categorical_crossentropy, check_pair, cosine_proximity,
                     mean_absolute_error, mean_absolute_percentage_error,
                     sparse_categorical_crossentropy)
from .ops._op import TensorLike, float_arg, op, tensor_arg
from .tensor import Tensor

__all__ = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "precision",
           "recall", "r2_score", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "mean_squared_error", "mean_absolute_error",
           "mean_absolute_percentage_error", "cosine_proximity", "mse", "MSE", "mae", "MAE",
           "mape", "MAPE", "cosine", "get", "resolve", "name_of"]

MetricFn = Callable[[Tensor, Tensor], Tensor]

# Per sample, as TF.js tf.metrics.meanSquaredError (not the reduced tf.losses.meanSquaredError).
mean_squared_error = losses.mean_squared_error_per_sample
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
cosine = cosine_proximity


def _class_indices(y_true: TensorLike, y_pred: Tensor, name: str) -> Tensor:
    """Sparse targets as int32 class indices of shape y_pred.shape[:-1]; a trailing axis of
    size 1 ([batch, 1] for [batch, classes]) is dropped, as TF.js does."""
    t = tensor_arg(y_true, "y_true", name)
    if t.rank == y_pred.rank and t.shape[-1] == 1:
        t = ops.squeeze(t, -1)
    if t.shape != y_pred.shape[:-1]:
        raise ValueError(f"{name}: y_true must hold one class index per sample, got y_true "
                         f"{list(t.shape)} for y_pred {list(y_pred.shape)} (expected "
                         f"{list(y_pred.shape[:-1])} or {list(y_pred.shape[:-1]) + [1]})")
    return t if t.dtype == "int32" else ops.cast(ops.floor(t), "int32")


@op
def binary_accuracy(y_true: TensorLike, y_pred: TensorLike, threshold: float = 0.5) -> Tensor:
    """Fraction of entries where (y_pred > threshold) equals y_true, over the last axis
    (TF.js ``tf.metrics.binaryAccuracy``; TF.js fixes the threshold at 0.5, strictly greater).

    >>> from minitf import metrics
    >>> metrics.binary_accuracy([[1.0, 0.0]], [[0.7, 0.5]]).array_sync()
    [1.0]
    """
    t, p = check_pair(y_true, y_pred, "binary_accuracy")
    predicted = ops.cast(ops.greater(p, threshold), p.dtype)
    return ops.mean(ops.cast(ops.equal(t, predicted), p.dtype), -1)


@op
def categorical_accuracy(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """1 where argmax(y_pred) equals argmax(y_true) over the last axis, else 0, for one-hot
    targets (TF.js ``tf.metrics.categoricalAccuracy``; the first maximum wins ties).

    >>> from minitf import metrics
    >>> metrics.categorical_accuracy([[0.0, 1.0], [1.0, 0.0]], [[0.2, 0.8], [0.4, 0.6]]).numpy()
    array([1., 0.], dtype=float32)
    """
    t, p = check_pair(y_true, y_pred, "categorical_accuracy")
    return ops.cast(ops.equal(ops.argmax(t, -1), ops.argmax(p, -1)), p.dtype)


@op
def sparse_categorical_accuracy(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """1 where argmax(y_pred) equals the integer class in y_true, else 0 (TF.js
    ``tf.metrics.sparseCategoricalAccuracy``). y_true is [batch] or [batch, 1]; float labels
    are floored, as in ``sparse_categorical_crossentropy``.

    >>> from minitf import metrics
    >>> metrics.sparse_categorical_accuracy([1, 1], [[0.2, 0.8], [0.4, 0.3]]).numpy()
    array([1., 0.], dtype=float32)
    """
    name = "sparse_categorical_accuracy"
    p = float_arg(y_pred, "y_pred", name)
    classes = _class_indices(y_true, p, name)
    return ops.cast(ops.equal(classes, ops.argmax(p, -1)), p.dtype)


def _in_top_k(true_scores: Tensor, y_pred: Tensor, k: int) -> Tensor:
    """1 where fewer than k classes score strictly higher than the true class, else 0.

    This is TensorFlow's ``in_top_k`` rule without sorting: classes tied with the true class
    at the k-th place all count as in the top k.
    """
    higher = ops.sum(ops.cast(ops.greater(y_pred, true_scores), "int32"), -1)
    return ops.cast(ops.less(higher, k), y_pred.dtype)


def _check_k(k: int, name: str) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"{name}: k must be a positive int, got {k!r}")
    return k


@op
def top_k_categorical_accuracy(y_true: TensorLike, y_pred: TensorLike, k: int = 5) -> Tensor:
    """1 where the true class (argmax of one-hot y_true) is among the k highest scores of
    y_pred, else 0 (Keras ``top_k_categorical_accuracy``; TF.js declares
    ``topKCategoricalAccuracy`` but throws NotImplemented).

    >>> from minitf import metrics
    >>> metrics.top_k_categorical_accuracy([[0.0, 1.0, 0.0]], [[0.5, 0.3, 0.2]], k=2).numpy()
    array([1.], dtype=float32)
    """
    name = "top_k_categorical_accuracy"
    t, p = check_pair(y_true, y_pred, name)
    true_class = ops.one_hot(ops.argmax(t, -1), p.shape[-1], dtype=p.dtype)
    true_scores = ops.sum(true_class * p, -1, keep_dims=True)
    return _in_top_k(true_scores, p, _check_k(k, name))


@op
def sparse_top_k_categorical_accuracy(y_true: TensorLike, y_pred: TensorLike,
                                      k: int = 5) -> Tensor:
    """1 where the integer class in y_true is among the k highest scores of y_pred, else 0
    (Keras ``sparse_top_k_categorical_accuracy``; TF.js throws NotImplemented).
    y_true is [batch] or [batch, 1].

    >>> from minitf import metrics
    >>> metrics.sparse_top_k_categorical_accuracy([2], [[0.5, 0.3, 0.2]], k=2).numpy()
    array([0.], dtype=float32)
    """
    name = "sparse_top_k_categorical_accuracy"
    p = float_arg(y_pred, "y_pred", name)
    if p.rank == 0:
        raise ValueError(f"{name}: y_pred must have shape [batch, ..., classes], got a scalar")
    true_class = ops.one_hot(_class_indices(y_true, p, name), p.shape[-1], dtype=p.dtype)
    true_scores = ops.sum(true_class * p, -1, keep_dims=True)
    return _in_top_k(true_scores, p, _check_k(k, name))


def _count(y_true: Tensor, true_value: int, y_pred: Tensor, pred_value: int) -> Tensor:
    """How many entries have y_true == true_value and y_pred == pred_value, as a float."""
    both = ops.logical_and(ops.equal(y_true, true_value), ops.equal(y_pred, pred_value))
    return ops.cast(ops.sum(both), y_pred.dtype)


@op
def precision(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """tp / (tp + fp) over the whole batch, 0 when nothing is predicted positive (TF.js
    ``tf.metrics.precision``). As in TF.js, entries count only where y_true and y_pred are
    exactly 0 or 1: threshold probabilities first (``y_pred > 0.5``).

    >>> from minitf import metrics
    >>> metrics.precision([[1, 0, 1, 0]], [[1, 1, 1, 0]]).item()
    0.6666666865348816
    """
    t, p = check_pair(y_true, y_pred, "precision")
    tp, fp = _count(t, 1, p, 1), _count(t, 0, p, 1)
    # Counts are whole numbers, so max(tp + fp, 1) only changes the 0 / 0 case, to 0.
    return tp / ops.maximum(tp + fp, 1)


@op
def recall(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """tp / (tp + fn) over the whole batch, 0 when there are no positives (TF.js
    ``tf.metrics.recall``). Like ``precision``, it counts exact 0/1 entries only.

    >>> from minitf import metrics
    >>> metrics.recall([[1, 0, 1, 1]], [[1, 1, 0, 0]]).item()
    0.3333333432674408
    """
    t, p = check_pair(y_true, y_pred, "recall")
    tp, fn = _count(t, 1, p, 1), _count(t, 1, p, 0)
    return tp / ops.maximum(tp + fn, 1)


@op
def r2_score(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """1 - sum((y_true - y_pred)^2) / sum((y_true - mean(y_true))^2) over all entries: the
    fraction of the targets' variance that y_pred explains (TF.js ``tf.metrics.r2Score``).

    >>> from minitf import metrics
    >>> metrics.r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0]).item()
    0.5
    """
    p = float_arg(y_pred, "y_pred", "r2_score")
    t = tensor_arg(y_true, "y_true", "r2_score", p.dtype)
    if t.shape != p.shape:
        raise ValueError(f"r2_score: y_true and y_pred must have the same shape, got y_true "
                         f"{list(t.shape)} and y_pred {list(p.shape)}")
    residuals = ops.sum(ops.square(t - p))
    total = ops.sum(ops.square(t - ops.mean(t)))
    return 1 - residuals / total


# -- names ---------------------------------------------------------------------------------------
# canonical (snake_case) name: (function, TF.js name or None, other accepted names)
_METRICS: dict[str, tuple[MetricFn, str | None, tuple[str, ...]]] = {
    "binary_accuracy": (binary_accuracy, "binaryAccuracy", ()),
    "categorical_accuracy": (categorical_accuracy, "categoricalAccuracy", ()),
    "sparse_categorical_accuracy": (sparse_categorical_accuracy, "sparseCategoricalAccuracy",
                                    ()),
    "top_k_categorical_accuracy": (top_k_categorical_accuracy, "topKCategoricalAccuracy", ()),
    "sparse_top_k_categorical_accuracy": (sparse_top_k_categorical_accuracy,
                                          "sparseTopKCategoricalAccuracy", ()),
    "precision": (precision, "precision", ()),
    "recall": (recall, "recall", ()),
    "r2_score": (r2_score, "r2Score", ()),
    "binary_crossentropy": (binary_crossentropy, "binaryCrossentropy", ()),
    "categorical_crossentropy": (categorical_crossentropy, "categoricalCrossentropy", ()),
    "sparse_categorical_crossentropy": (sparse_categorical_crossentropy,
                                        "sparseCategoricalCrossentropy", ()),
    "mean_squared_error": (mean_squared_error, "meanSquaredError", ("mse", "MSE")),
    "mean_absolute_error": (mean_absolute_error, "meanAbsoluteError", ("mae", "MAE")),
    "mean_absolute_percentage_error": (mean_absolute_percentage_error,
                                       "meanAbsolutePercentageError", ("mape", "MAPE")),
    "cosine_proximity": (cosine_proximity, "cosineProximity", ("cosine",)),
}
# every accepted spelling -> function
_BY_NAME: dict[str, MetricFn] = {
    spelling: fn for name, (fn, tfjs, aliases) in _METRICS.items()
    for spelling in (name, tfjs, *aliases) if spelling}

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")


def get(identifier: str | Callable) -> Callable:
    """The metric for a name, or a function given as it is (TF.js ``metrics.get``).

    Names are TF.js's (``'binaryAccuracy'``, ``'MSE'``), snake_case (``'binary_accuracy'``)
    or short (``'mse'``, ``'mae'``, ``'mape'``, ``'cosine'``). Any per-sample loss name
    (``'poisson'``, ``'msle'``...) is accepted too, as in Keras. ``'accuracy'`` and
    ``'crossentropy'`` depend on the loss: use ``resolve``.

    >>> from minitf import metrics
    >>> metrics.get('MSE') is metrics.get('mean_squared_error')
    True
    """
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        raise TypeError(f"Unknown metric {identifier!r}: expected a metric name or a function")
    if identifier in _BY_NAME:
        return _BY_NAME[identifier]
    if identifier in _ACCURACY + _CROSSENTROPY:
        raise ValueError(f"Metric {identifier!r} depends on the loss and the output shape; "
                         f"use metrics.resolve({identifier!r}, loss, output_shape)")
    try:
        return losses.get(identifier)
    except ValueError:
        pass
    known = "; ".join(" / ".join(dict.fromkeys(s for s in (name, tfjs, *aliases) if s))
                      for name, (_, tfjs, aliases) in _METRICS.items())
    raise ValueError(f"Unknown metric {identifier!r}. Known metrics: {known}; 'accuracy' / "
                     f"'acc' and 'crossentropy' / 'ce' (through resolve); and every loss name "
                     f"of minitf.losses.get")


def name_of(fn: str | Callable) -> str:
    """The name a metric is logged under: a string as given; a known metric or loss by its
    snake_case name; any other function by its ``__name__`` (TF.js ``getLossOrMetricName``).

    >>> from minitf import metrics
    >>> metrics.name_of(metrics.mse)
    'mean_squared_error'
    """
    if isinstance(fn, str):
        return fn
    for name, (known, _, _) in _METRICS.items():
        if known is fn:
            return name
    return losses.name_of(fn)


def resolve(identifier: str | Callable, loss: str | Callable | None,
            output_shape: Sequence[int | None]) -> tuple[str, Callable]:
    """The log name and function for one ``compile`` metric of an output (TF.js
    ``LayersModel.compile``'s metric handling).

    ``'accuracy'``/``'acc'`` and ``'crossentropy'``/``'ce'`` pick their binary form when the
    output's last dimension is 1 or the loss is binary cross-entropy, their sparse form when
    the loss is sparse categorical cross-entropy, and the categorical form otherwise; they are
    logged as ``'acc'`` and ``'ce'``. Other strings are logged as given; functions under
    ``name_of`` (their ``__name__`` unless they are a known metric or loss).

    >>> from minitf import metrics
    >>> name, fn = metrics.resolve('accuracy', 'sparseCategoricalCrossentropy', [None, 10])
    >>> name, fn.__name__
    ('acc', 'sparse_categorical_accuracy')
    """
    if isinstance(identifier, str) and identifier in _ACCURACY + _CROSSENTROPY:
        loss_fn = None if loss is None else losses.get(loss)
        is_accuracy = identifier in _ACCURACY
        if (output_shape and output_shape[-1] == 1) or loss_fn is binary_crossentropy:
            fn = binary_accuracy if is_accuracy else binary_crossentropy
        elif loss_fn is sparse_categorical_crossentropy:
            fn = sparse_categorical_accuracy if is_accuracy else sparse_categorical_crossentropy
        else:
            fn = categorical_accuracy if is_accuracy else categorical_crossentropy
        return ("acc" if is_accuracy else "ce"), fn
    fn = get(identifier)
    return (identifier if isinstance(identifier, str) else name_of(fn)), fn
