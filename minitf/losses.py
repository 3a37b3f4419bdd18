"""Loss functions: the per-sample losses that ``compile()`` uses, and TF.js's reduced
``losses.*``.

Two families live here, as in TF.js (``tfjs-layers/src/losses.ts`` and
``tfjs-core/src/ops/losses/``):

* **Per-sample losses** ``f(y_true, y_pred)`` return one value per sample: the loss is reduced
  over the last axis only, so ``[batch, classes]`` gives ``[batch]``. ``model.compile(loss=...)``
  resolves its argument with ``get`` and the training step takes the mean over the batch.
  Which reduction over the last axis each loss uses (mean or sum) follows TF.js exactly.
  Probabilities are clipped to ``[EPSILON, 1 - EPSILON]`` (``EPSILON = 1e-7``, TF.js's backend
  epsilon) before any log, so predictions of exactly 0 or 1 give finite losses; as with any
  clip, the gradient is zero for predictions outside that range.
* **Reduced losses** ``f(labels, predictions, weights=None, ..., reduction=...)`` (TF.js
  ``tf.losses.absoluteDifference``, ``meanSquaredError``, ``softmaxCrossEntropy``...) weight the
  elementwise losses and reduce them to a scalar as ``reduction`` says (see ``Reduction``).

One name is in both families. ``mean_squared_error(labels, predictions, weights, reduction)``
here is the reduced tfjs-core loss (TF.js ``tf.losses.meanSquaredError``), while the per-sample
one that ``compile('meanSquaredError')`` and ``get('mean_squared_error')`` give is
``mean_squared_error_per_sample`` (also ``mse``; it is TF.js ``tf.metrics.meanSquaredError``).

``get`` accepts TF.js's camelCase strings (``'categoricalCrossentropy'``), snake_case
(``'categorical_crossentropy'``), Keras short names (``'mse'``, ``'MAE'``, ``'kld'``...) and
functions; ``name_of`` gives the snake_case name a function is logged under.
"""
from __future__ import annotations

import enum
import math
from typing import Callable

from . import dtypes, ops
from .ops._op import TensorLike, float_arg, op, tensor_arg
from .ops.broadcast import broadcast_shapes
from .tensor import Tensor

__all__ = ["EPSILON", "Reduction", "get", "name_of", "tfjs_name",
           # per-sample losses (compile)
           "mean_squared_error_per_sample", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "squared_hinge",
           "hinge", "categorical_hinge", "log_cosh", "huber", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "binary_crossentropy",
           "kullback_leibler_divergence", "poisson", "cosine_proximity",
           "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD", "cosine",
           # reduced losses (tfjs-core tf.losses)
           "compute_weighted_loss", "absolute_difference", "mean_squared_error",
           "cosine_distance", "hinge_loss", "huber_loss", "log_loss", "sigmoid_cross_entropy",
           "softmax_cross_entropy"]

EPSILON = dtypes.EPSILON

LossFn = Callable[[Tensor, Tensor], Tensor]


def check_pair(y_true: TensorLike, y_pred: TensorLike, name: str) -> tuple[Tensor, Tensor]:
    """y_true and y_pred as tensors of y_pred's float dtype, checked to have one shape."""
    p = float_arg(y_pred, "y_pred", name)
    t = tensor_arg(y_true, "y_true", name, p.dtype)
    if t.shape != p.shape:
        raise ValueError(f"{name}: y_true and y_pred must have the same shape, got y_true "
                         f"{list(t.shape)} and y_pred {list(p.shape)}")
    if p.rank == 0:
        raise ValueError(f"{name}: expected inputs of shape [batch, ..., features], got scalars")
    return t, p


# -- per-sample losses (tfjs-layers losses.ts) ---------------------------------------------------
@op
def mean_squared_error_per_sample(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean((y_pred - y_true)^2) over the last axis (TF.js ``'meanSquaredError'``, ``mse``).

    The per-sample loss of ``compile('meanSquaredError')``; the reduced
    ``tf.losses.meanSquaredError`` is ``mean_squared_error`` in this module.

    >>> from minitf import losses
    >>> losses.mse([[0.0, 0.0]], [[1.0, 3.0]]).array_sync()
    [5.0]
    """
    t, p = check_pair(y_true, y_pred, "mean_squared_error")
    return ops.mean(ops.square(p - t), -1)


@op
def mean_absolute_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(|y_pred - y_true|) over the last axis (TF.js ``'meanAbsoluteError'``, ``mae``).

    >>> from minitf import losses
    >>> losses.mean_absolute_error([[0.0, 0.0]], [[1.0, -3.0]]).array_sync()
    [2.0]
    """
    t, p = check_pair(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(p - t), -1)


@op
def mean_absolute_percentage_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """100 * mean(|y_true - y_pred| / max(|y_true|, EPSILON)) over the last axis (TF.js
    ``'meanAbsolutePercentageError'``, ``mape``). A target of 0 divides by EPSILON, as in TF.js.

    >>> from minitf import losses
    >>> losses.mape([[2.0, 4.0]], [[1.0, 5.0]]).array_sync()
    [37.5]
    """
    t, p = check_pair(y_true, y_pred, "mean_absolute_percentage_error")
    return 100 * ops.mean(ops.abs((t - p) / ops.maximum(ops.abs(t), EPSILON)), -1)


@op
def mean_squared_logarithmic_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean((log(1 + y_pred) - log(1 + y_true))^2) over the last axis, both clipped below at
    EPSILON (TF.js ``'meanSquaredLogarithmicError'``, ``msle``): squared error of log-scale values.

    >>> from minitf import losses
    >>> round(losses.msle([[0.0]], [[1.0]]).item(), 4)
    0.4805
    """
    t, p = check_pair(y_true, y_pred, "mean_squared_logarithmic_error")
    log_p = ops.log1p(ops.maximum(p, EPSILON))
    log_t = ops.log1p(ops.maximum(t, EPSILON))
    return ops.mean(ops.square(log_p - log_t), -1)


@op
def squared_hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(max(0, 1 - y_true * y_pred)^2) over the last axis; targets are -1 or 1
    (TF.js ``'squaredHinge'``; like TF.js, 0/1 targets are not converted).

    >>> from minitf import losses
    >>> losses.squared_hinge([[1.0, -1.0]], [[0.5, 1.0]]).array_sync()
    [2.125]
    """
    t, p = check_pair(y_true, y_pred, "squared_hinge")
    return ops.mean(ops.square(ops.relu(1 - t * p)), -1)


@op
def hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(max(0, 1 - y_true * y_pred)) over the last axis; targets are -1 or 1
    (TF.js ``'hinge'``; like TF.js, 0/1 targets are not converted).

    >>> from minitf import losses
    >>> losses.hinge([[1.0, -1.0]], [[0.5, 1.0]]).array_sync()
    [1.25]
    """
    t, p = check_pair(y_true, y_pred, "hinge")
    return ops.mean(ops.relu(1 - t * p), -1)


@op
def categorical_hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred)) over the last axis, for
    one-hot targets: the best wrong score should trail the true one by 1 (TF.js
    ``'categoricalHinge'``).

    >>> from minitf import losses
    >>> losses.categorical_hinge([[0.0, 1.0]], [[0.5, 1.0]]).array_sync()
    [0.5]
    """
    t, p = check_pair(y_true, y_pred, "categorical_hinge")
    positive = ops.sum(t * p, -1)
    negative = ops.max((1 - t) * p, -1)
    return ops.relu(1 + negative - positive)


@op
def log_cosh(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(log(cosh(y_pred - y_true))) over the last axis (TF.js ``'logcosh'``): about x^2 / 2
    for small errors and |x| - log 2 for large ones, so outliers weigh less than in mse.

    >>> from minitf import losses
    >>> losses.log_cosh([[0.0]], [[0.0]]).array_sync()
    [0.0]
    """
    t, p = check_pair(y_true, y_pred, "log_cosh")
    x = p - t
    # log(cosh x) = x + log(1 + exp(-2x)) - log 2, and softplus(-2x) never overflows.
    return ops.mean(x + ops.softplus(-2 * x) - math.log(2.0), -1)


def _huber_elementwise(error: Tensor, delta: float) -> Tensor:
    """0.5 e^2 where |e| <= delta, else delta (|e| - delta / 2): quadratic, then linear."""
    abs_error = ops.abs(error)
    quadratic = ops.minimum(abs_error, delta)
    return 0.5 * ops.square(quadratic) + delta * (abs_error - quadratic)


@op
def huber(y_true: TensorLike, y_pred: TensorLike, delta: float = 1.0) -> Tensor:
    """Mean over the last axis of the Huber loss of y_pred - y_true (Keras ``huber``).

    TF.js layers has no Huber string for ``compile``; minitf accepts ``'huber'`` with Keras's
    semantics (``delta`` 1). The reduced TF.js ``tf.losses.huberLoss`` is ``huber_loss``.

    >>> from minitf import losses
    >>> losses.huber([[0.0, 0.0]], [[0.5, 3.0]]).array_sync()
    [1.3125]
    """
    t, p = check_pair(y_true, y_pred, "huber")
    return ops.mean(_huber_elementwise(p - t, float(delta)), -1)


@op
def categorical_crossentropy(y_true: TensorLike, y_pred: TensorLike,
                             from_logits: bool = False) -> Tensor:
    """-sum(y_true * log(y_pred)) over the last axis, for one-hot (or soft) targets and class
    probabilities (TF.js ``'categoricalCrossentropy'``).

    As in TF.js, each row of y_pred is first divided by its sum and clipped to
    [EPSILON, 1 - EPSILON]. With ``from_logits=True`` y_pred holds logits and the stable
    log-softmax form is used instead (no clipping).

    >>> from minitf import losses
    >>> round(losses.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]]).item(), 4)
    0.6931
    """
    t, p = check_pair(y_true, y_pred, "categorical_crossentropy")
    if from_logits:
        return ops.softmax_cross_entropy_with_logits(t, p)
    p = p / ops.sum(p, -1, keep_dims=True)
    p = ops.clip_by_value(p, EPSILON, 1 - EPSILON)
    return -ops.sum(t * ops.log(p), -1)


@op
def sparse_categorical_crossentropy(y_true: TensorLike, y_pred: TensorLike,
                                    from_logits: bool = False) -> Tensor:
    """Categorical cross-entropy with integer class targets (TF.js
    ``'sparseCategoricalCrossentropy'``).

    y_pred is [..., classes]; y_true holds one class index per sample in any shape with that
    many elements ([batch] or [batch, 1]), floored as TF.js does. Like TF.js, y_pred is clipped
    to [EPSILON, 1 - EPSILON] before the categorical loss (unless ``from_logits``).

    >>> from minitf import losses
    >>> round(losses.sparse_categorical_crossentropy([1], [[0.5, 0.5]]).item(), 4)
    0.6931
    """
    name = "sparse_categorical_crossentropy"
    p = float_arg(y_pred, "y_pred", name)
    t = tensor_arg(y_true, "y_true", name)
    if p.rank == 0 or t.size * p.shape[-1] != p.size:
        raise ValueError(f"{name}: y_true must hold one class index per sample of y_pred, got "
                         f"y_true {list(t.shape)} for y_pred {list(p.shape)} (expected "
                         f"{list(p.shape[:-1])} or {list(p.shape[:-1]) + [1]})")
    indices = ops.reshape(t, [-1])
    if indices.dtype != "int32":
        indices = ops.cast(ops.floor(indices), "int32")
    one_hot = ops.reshape(ops.one_hot(indices, p.shape[-1], dtype=p.dtype), p.shape)
    if not from_logits:
        p = ops.clip_by_value(p, EPSILON, 1 - EPSILON)
    return categorical_crossentropy(one_hot, p, from_logits)


@op
def binary_crossentropy(y_true: TensorLike, y_pred: TensorLike,
                        from_logits: bool = False) -> Tensor:
    """mean(-y log(p) - (1 - y) log(1 - p)) over the last axis (TF.js ``'binaryCrossentropy'``).

    As in TF.js, p is clipped to [EPSILON, 1 - EPSILON], turned back into logits
    log(p / (1 - p)) and fed to the stable sigmoid cross-entropy. With ``from_logits=True``
    y_pred holds logits already (Keras's option).

    >>> from minitf import losses
    >>> round(losses.binary_crossentropy([[1.0, 0.0]], [[0.5, 0.5]]).item(), 4)
    0.6931
    """
    t, p = check_pair(y_true, y_pred, "binary_crossentropy")
    if not from_logits:
        p = ops.clip_by_value(p, EPSILON, 1 - EPSILON)
        p = ops.log(p / (1 - p))
    return ops.mean(ops.sigmoid_cross_entropy_with_logits(t, p), -1)


@op
def kullback_leibler_divergence(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [EPSILON, 1]
    (TF.js ``'kullbackLeiblerDivergence'``, ``kld``): how far y_pred is from the distribution
    y_true.

    >>> from minitf import losses
    >>> losses.kld([[0.5, 0.5]], [[0.5, 0.5]]).array_sync()
    [0.0]
    """
    t, p = check_pair(y_true, y_pred, "kullback_leibler_divergence")
    ratio = ops.clip_by_value(t, EPSILON, 1) / ops.clip_by_value(p, EPSILON, 1)
    return ops.sum(t * ops.log(ratio), -1)


@op
def poisson(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(y_pred - y_true * log(y_pred + EPSILON)) over the last axis (TF.js ``'poisson'``):
    the negative log-likelihood of counts y_true under Poisson rates y_pred, up to a constant.

    >>> from minitf import losses
    >>> losses.poisson([[0.0]], [[2.0]]).array_sync()
    [2.0]
    """
    t, p = check_pair(y_true, y_pred, "poisson")
    return ops.mean(p - t * ops.log(p + EPSILON), -1)


def _l2_normalize(x: Tensor) -> Tensor:
    """x / ||x|| over the last axis; the squared norm is kept >= EPSILON (as TF.js)."""
    return x / ops.sqrt(ops.maximum(ops.sum(ops.square(x), -1, keep_dims=True), EPSILON))


@op
def cosine_proximity(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """-cos(angle between y_true and y_pred) over the last axis (TF.js ``'cosineProximity'``,
    ``cosine``): -1 for parallel vectors, so minimizing it aligns them.

    >>> from minitf import losses
    >>> losses.cosine_proximity([[1.0, 0.0]], [[2.0, 0.0]]).array_sync()
    [-1.0]
    """
    t, p = check_pair(y_true, y_pred, "cosine_proximity")
    return -ops.sum(_l2_normalize(t) * _l2_normalize(p), -1)


# The short names of TF.js losses.ts and Keras.
mse = MSE = mean_squared_error_per_sample
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity


# -- names ---------------------------------------------------------------------------------------
# canonical (snake_case) name: (function, TF.js compile string or None, other accepted names)
_LOSSES: dict[str, tuple[LossFn, str | None, tuple[str, ...]]] = {
    "mean_squared_error": (mean_squared_error_per_sample, "meanSquaredError", ("mse", "MSE")),
    "mean_absolute_error": (mean_absolute_error, "meanAbsoluteError", ("mae", "MAE")),
    "mean_absolute_percentage_error": (mean_absolute_percentage_error,
                                       "meanAbsolutePercentageError", ("mape", "MAPE")),
    "mean_squared_logarithmic_error": (mean_squared_logarithmic_error,
                                       "meanSquaredLogarithmicError", ("msle", "MSLE")),
    "squared_hinge": (squared_hinge, "squaredHinge", ()),
    "hinge": (hinge, "hinge", ()),
    "categorical_hinge": (categorical_hinge, "categoricalHinge", ()),
    "log_cosh": (log_cosh, "logcosh", ("logCosh",)),
    "huber": (huber, None, ()),
    "categorical_crossentropy": (categorical_crossentropy, "categoricalCrossentropy", ()),
    "sparse_categorical_crossentropy": (sparse_categorical_crossentropy,
                                        "sparseCategoricalCrossentropy", ()),
    "binary_crossentropy": (binary_crossentropy, "binaryCrossentropy", ()),
    "kullback_leibler_divergence": (kullback_leibler_divergence, "kullbackLeiblerDivergence",
                                    ("kld", "KLD")),
    "poisson": (poisson, "poisson", ()),
    "cosine_proximity": (cosine_proximity, "cosineProximity", ("cosine",)),
}
# every accepted spelling -> function
_BY_NAME: dict[str, LossFn] = {
    spelling: fn for name, (fn, tfjs, aliases) in _LOSSES.items()
    for spelling in (name, tfjs, *aliases) if spelling}

# Reduced losses are not compile strings; these names point to the per-sample equivalent.
_NOT_COMPILE_STRINGS = {"softmaxcrossentropy": "categoricalCrossentropy",
                        "sigmoidcrossentropy": "binaryCrossentropy",
                        "logloss": "binaryCrossentropy", "huberloss": "huber",
                        "hingeloss": "hinge"}


def get(identifier: str | Callable) -> Callable:
    """The per-sample loss for a name, or a function given as it is (TF.js layers ``losses.get``).

    Names may be TF.js's (``'categoricalCrossentropy'``, ``'logcosh'``), snake_case
    (``'categorical_crossentropy'``, ``'log_cosh'``) or short (``'mse'``, ``'MAE'``, ``'kld'``).

    >>> from minitf import losses
    >>> losses.get('meanSquaredError') is losses.get('mse')
    True
    """
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        raise TypeError(f"Unknown loss {identifier!r}: expected a loss name or a function")
    if identifier in _BY_NAME:
        return _BY_NAME[identifier]
    key = identifier.replace("_", "").lower()
    hint = ""
    if key in _NOT_COMPILE_STRINGS:
        hint = (f" {identifier!r} is a reduced tf.losses function, not a compile string; use "
                f"{_NOT_COMPILE_STRINGS[key]!r} (or pass the function itself).")
    known = "; ".join(" / ".join(dict.fromkeys(s for s in (name, tfjs, *aliases) if s))
                      for name, (_, tfjs, aliases) in _LOSSES.items())
    raise ValueError(f"Unknown loss {identifier!r}.{hint} Known losses: {known}")


def name_of(fn: str | Callable) -> str:
    """The name a loss is logged under: a string as given; a known loss by its snake_case
    name (``mse`` -> ``'mean_squared_error'``); any other function by its ``__name__``
    (TF.js ``getLossOrMetricName``, with Python names).

    >>> from minitf import losses
    >>> losses.name_of(losses.mse)
    'mean_squared_error'
    """
    if isinstance(fn, str):
        return fn
    for name, (known, _, _) in _LOSSES.items():
        if known is fn:
            return name
    return getattr(fn, "__name__", type(fn).__name__)


def tfjs_name(identifier: str | Callable) -> str | None:
    """The TF.js compile string of a known loss (``'meanSquaredError'``), for saving a
    training config; None for losses TF.js has no string for (``huber``, user functions).

    >>> from minitf import losses
    >>> losses.tfjs_name('mse')
    'meanSquaredError'
    """
    fn = _BY_NAME.get(identifier) if isinstance(identifier, str) else identifier
    for known, tfjs, _ in _LOSSES.values():
        if known is fn:
            return tfjs
    return None


# -- reduced losses (tfjs-core tf.losses) --------------------------------------------------------
class Reduction(enum.IntEnum):
    """How the reduced losses turn weighted elementwise losses into a result (TF.js
    ``tf.Reduction``): NONE keeps them all; SUM adds them; MEAN divides the sum by the sum of
    the weights; SUM_BY_NONZERO_WEIGHTS (the default) divides it by the number of nonzero
    weights, which is the number of elements when there are no weights.
    """
    NONE = 0
    MEAN = 1
    SUM = 2
    SUM_BY_NONZERO_WEIGHTS = 3


def _reduction_arg(reduction: Reduction | int | str, name: str) -> Reduction:
    try:
        if isinstance(reduction, str):
            return Reduction[reduction.upper()]
        return Reduction(reduction)
    except (KeyError, ValueError):
        raise ValueError(f"{name}: unknown reduction {reduction!r}; expected one of "
                         f"{[r.name for r in Reduction]}") from None


def _labels_predictions(labels: TensorLike, predictions: TensorLike, name: str,
                        label_name: str = "labels",
                        prediction_name: str = "predictions") -> tuple[Tensor, Tensor]:
    p = float_arg(predictions, prediction_name, name)
    t = tensor_arg(labels, label_name, name, p.dtype)
    if t.shape != p.shape:
        raise ValueError(f"{name}: {label_name} and {prediction_name} must have the same shape, "
                         f"got {list(t.shape)} and {list(p.shape)}")
    return t, p


@op
def compute_weighted_loss(losses: TensorLike, weights: TensorLike | None = None,
                          reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """losses * weights, reduced as ``reduction`` says (TF.js ``tf.losses.computeWeightedLoss``).

    ``weights`` (None, a number or a tensor) must broadcast to losses' shape. With MEAN and
    weights of fewer elements than losses, the result is also divided by the ratio of their
    sizes, as TF.js does. All-zero weights give NaN for MEAN and SUM_BY_NONZERO_WEIGHTS.

    >>> from minitf import losses
    >>> losses.compute_weighted_loss([1.0, 2.0, 3.0], [1.0, 0.0, 1.0]).item()
    2.0
    """
    name = "compute_weighted_loss"
    x = float_arg(losses, "losses", name)
    w = None if weights is None else tensor_arg(weights, "weights", name, x.dtype)
    if w is not None:
        broadcast_shapes(w.shape, x.shape, name)
    weighted = x if w is None else x * w
    reduction = _reduction_arg(reduction, name)
    if reduction is Reduction.NONE:
        return weighted
    if reduction is Reduction.SUM:
        return ops.sum(weighted)
    if reduction is Reduction.MEAN:
        if w is None:
            return ops.mean(weighted)
        result = ops.sum(weighted) / ops.sum(w)
        factor = x.size / w.size
        return result / factor if factor > 1 else result
    if w is None:
        return ops.sum(weighted) / x.size
    nonzero = ops.sum(ops.cast(ops.not_equal(ops.broadcast_to(w, weighted.shape), 0), x.dtype))
    return ops.sum(weighted) / nonzero


@op
def absolute_difference(labels: TensorLike, predictions: TensorLike,
                        weights: TensorLike | None = None,
                        reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """|labels - predictions|, weighted and reduced (TF.js ``tf.losses.absoluteDifference``).

    >>> from minitf import losses
    >>> losses.absolute_difference([1.0, 2.0], [2.0, 4.0]).item()
    1.5
    """
    t, p = _labels_predictions(labels, predictions, "absolute_difference")
    return compute_weighted_loss(ops.abs(t - p), weights, reduction)


@op
def mean_squared_error(labels: TensorLike, predictions: TensorLike,
                       weights: TensorLike | None = None,
                       reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """(labels - predictions)^2, weighted and reduced to a scalar by default (TF.js
    ``tf.losses.meanSquaredError``). The per-sample loss of ``compile('meanSquaredError')`` is
    ``mean_squared_error_per_sample``.

    >>> from minitf import losses
    >>> losses.mean_squared_error([1.0, 2.0], [2.0, 4.0]).item()
    2.5
    """
    t, p = _labels_predictions(labels, predictions, "mean_squared_error")
    return compute_weighted_loss(ops.squared_difference(t, p), weights, reduction)


@op
def cosine_distance(labels: TensorLike, predictions: TensorLike, axis: int = -1,
                    weights: TensorLike | None = None,
                    reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """1 - sum(labels * predictions) along ``axis`` (kept with size 1), weighted and reduced
    (TF.js ``tf.losses.cosineDistance``; inputs are expected to be unit vectors already).

    >>> from minitf import losses
    >>> losses.cosine_distance([[1.0, 0.0]], [[0.0, 1.0]], 1).item()
    1.0
    """
    t, p = _labels_predictions(labels, predictions, "cosine_distance")
    return compute_weighted_loss(1 - ops.sum(t * p, axis, keep_dims=True), weights, reduction)


@op
def hinge_loss(labels: TensorLike, predictions: TensorLike, weights: TensorLike | None = None,
               reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """max(0, 1 - (2 labels - 1) * predictions), weighted and reduced; labels are 0 or 1 and
    mapped to -1 or 1 first (TF.js ``tf.losses.hingeLoss``).

    >>> from minitf import losses
    >>> losses.hinge_loss([1.0, 0.0], [0.5, 0.5]).item()
    1.0
    """
    t, p = _labels_predictions(labels, predictions, "hinge_loss")
    return compute_weighted_loss(ops.relu(1 - (2 * t - 1) * p), weights, reduction)


@op
def huber_loss(labels: TensorLike, predictions: TensorLike, weights: TensorLike | None = None,
               delta: float = 1.0,
               reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """The Huber loss of predictions - labels (quadratic up to ``delta``, then linear),
    weighted and reduced (TF.js ``tf.losses.huberLoss``).

    >>> from minitf import losses
    >>> losses.huber_loss([0.0, 0.0], [0.5, 3.0]).item()
    1.3125
    """
    t, p = _labels_predictions(labels, predictions, "huber_loss")
    return compute_weighted_loss(_huber_elementwise(p - t, float(delta)), weights, reduction)


@op
def log_loss(labels: TensorLike, predictions: TensorLike, weights: TensorLike | None = None,
             epsilon: float = EPSILON,
             reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """-labels log(p + epsilon) - (1 - labels) log(1 - p + epsilon), weighted and reduced
    (TF.js ``tf.losses.logLoss``): binary cross-entropy of probabilities p.

    >>> from minitf import losses
    >>> round(losses.log_loss([1.0, 0.0], [0.5, 0.5]).item(), 4)
    0.6931
    """
    t, p = _labels_predictions(labels, predictions, "log_loss")
    losses = -t * ops.log(p + epsilon) - (1 - t) * ops.log(1 - p + epsilon)
    return compute_weighted_loss(losses, weights, reduction)


@op
def sigmoid_cross_entropy(multi_class_labels: TensorLike, logits: TensorLike,
                          weights: TensorLike | None = None, label_smoothing: float = 0,
                          reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Elementwise sigmoid cross-entropy from logits, weighted and reduced (TF.js
    ``tf.losses.sigmoidCrossEntropy``). ``label_smoothing`` s moves labels toward 1/2:
    labels * (1 - s) + s / 2.

    >>> from minitf import losses
    >>> round(losses.sigmoid_cross_entropy([1.0, 0.0], [0.0, 0.0]).item(), 4)
    0.6931
    """
    t, x = _labels_predictions(multi_class_labels, logits, "sigmoid_cross_entropy",
                               "multi_class_labels", "logits")
    if label_smoothing > 0:
        t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    return compute_weighted_loss(ops.sigmoid_cross_entropy_with_logits(t, x), weights, reduction)


@op
def softmax_cross_entropy(onehot_labels: TensorLike, logits: TensorLike,
                          weights: TensorLike | None = None, label_smoothing: float = 0,
                          reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Softmax cross-entropy over the last axis (one loss per row), weighted and reduced (TF.js
    ``tf.losses.softmaxCrossEntropy``). ``label_smoothing`` s moves labels toward uniform:
    labels * (1 - s) + s / classes. Weights are per row: shape [batch] or broadcastable to it.

    >>> from minitf import losses
    >>> round(losses.softmax_cross_entropy([[1.0, 0.0]], [[0.0, 0.0]]).item(), 4)
    0.6931
    """
    t, x = _labels_predictions(onehot_labels, logits, "softmax_cross_entropy",
                               "onehot_labels", "logits")
    if x.rank == 0:
        raise ValueError("softmax_cross_entropy: logits must have rank >= 1, got a scalar")
    if label_smoothing > 0:
        t = t * (1 - label_smoothing) + label_smoothing / x.shape[-1]
    losses = ops.softmax_cross_entropy_with_logits(t, x)
    return compute_weighted_loss(losses, weights, reduction)
