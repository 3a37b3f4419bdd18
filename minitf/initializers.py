"""Initializers: the first values of a layer's weights (TF.js ``tf.initializers``).

An initializer is called with a shape and a dtype and returns a new tensor that the caller owns;
everything it creates on the way is disposed. Random initializers take a ``seed``: with one, every
call gives the same values (as in TF.js); without one, each call draws a seed from minitf's global
generator, so ``tf.set_seed`` makes a whole run reproducible.

Names follow TF.js (``glorotNormal`` -> :func:`glorot_normal`); :func:`get` also takes Keras
spellings (``'glorot_normal'``, ``'lecun_normal'``) and saved ``{'class_name', 'config'}`` dicts.
As in TF.js, the Glorot, He and LeCun initializers are saved as ``VarianceScaling`` with their
scale, mode and distribution written out, which is also how Python Keras 2 wrote them.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from . import ops, serialization
from .engine.scope import tidy
from .ops._op import shape_arg
from .serialization import register_class
from .tensor import Tensor

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal",
           "HeUniform", "LeCunNormal", "LeCunUniform", "Orthogonal", "Identity", "compute_fans",
           "zeros", "ones", "constant", "random_uniform", "random_normal", "truncated_normal",
           "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
           "le_cun_normal", "le_cun_uniform", "lecun_normal", "lecun_uniform", "orthogonal",
           "identity", "get", "serialize", "deserialize"]

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "uniform", "truncated_normal", "untruncated_normal")
# Standard deviation of a unit normal truncated to [-2, 2]: Keras divides by it for
# 'truncated_normal' so that the samples keep the intended variance. TF.js's 'normal' does not.
_TRUNCATED_STDDEV = 0.87962566103423978


class Initializer:
    """Base class: ``init(shape, dtype)`` returns a new tensor of that shape (TF.js Initializer).

    Subclasses implement :meth:`apply`; :meth:`__call__` checks the arguments and runs ``apply``
    in a tidy scope, so intermediates never leak. ``class_name`` is the name saved in JSON.
    """

    class_name = "Initializer"

    def __call__(self, shape: Sequence[int], dtype: str = "float32") -> Tensor:
        dims = shape_arg(shape, type(self).__name__)
        return tidy(self.class_name, lambda: self.apply(dims, dtype or "float32"))

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement apply(shape, dtype)")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, snake_case keys (saved as the ``config`` in JSON)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Initializer":
        """Rebuild from :meth:`get_config`'s dict (camelCase keys accepted)."""
        return cls(**serialization.to_snake_keys(config))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@register_class(package="initializers")
class Zeros(Initializer):
    """All zeros, the default for biases (TF.js ``tf.initializers.zeros``)."""

    class_name = "Zeros"

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        return ops.zeros(shape, dtype)


@register_class(package="initializers")
class Ones(Initializer):
    """All ones, the default for BatchNormalization's gamma (TF.js ``tf.initializers.ones``)."""

    class_name = "Ones"

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        return ops.ones(shape, dtype)


@register_class(package="initializers")
class Constant(Initializer):
    """Every element equal to ``value`` (TF.js ``tf.initializers.constant({value})``)."""

    class_name = "Constant"

    def __init__(self, value: float = 0) -> None:
        self.value = value

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        return ops.fill(shape, self.value, dtype)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


@register_class(package="initializers")
class RandomUniform(Initializer):
    """Uniform in ``[minval, maxval)`` (TF.js ``tf.initializers.randomUniform``).

    The default for Embedding tables. Unlike TF.js, ``minval=0`` means 0: TF.js's
    ``args.minval || -0.05`` silently turns a zero into the default.
    """

    class_name = "RandomUniform"

    def __init__(self, minval: float = -0.05, maxval: float = 0.05,
                 seed: int | None = None) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        return ops.random_uniform(shape, self.minval, self.maxval, dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


@register_class(package="initializers")
class RandomNormal(Initializer):
    """Normal with ``mean`` and ``stddev`` (TF.js ``tf.initializers.randomNormal``)."""

    class_name = "RandomNormal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        return ops.random_normal(shape, self.mean, self.stddev, dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@register_class(package="initializers")
class TruncatedNormal(RandomNormal):
    """Normal samples redrawn when more than two ``stddev`` from ``mean``.

    Large outliers are the values that most often saturate a unit at the start of training,
    so they are cut (TF.js ``tf.initializers.truncatedNormal``).
    """

    class_name = "TruncatedNormal"

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        return ops.truncated_normal(shape, self.mean, self.stddev, dtype, self.seed)


def compute_fans(shape: Sequence[int]) -> tuple[float, float]:
    """``(fan_in, fan_out)`` of a weight shape, as TF.js computes them (channels-last kernels).

    Dense ``[in, out]``: ``(in, out)``. Conv kernels of rank 3 to 5, ``[*window, in, out]``:
    each fan times the receptive field (the product of the window). Any other rank: both are
    the square root of the number of elements.

    >>> compute_fans([3, 3, 8, 16])
    (72, 144)
    """
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        receptive_field = math.prod(shape[:-2])
        return shape[-2] * receptive_field, shape[-1] * receptive_field
    root = math.sqrt(math.prod(shape))
    return root, root


@register_class(package="initializers")
class VarianceScaling(Initializer):
    """Random values with variance ``scale / n``, n a fan of the weight shape.

    Keeping the variance of activations about constant from layer to layer is what lets deep
    networks start training (Glorot & Bengio 2010; He et al. 2015). ``mode`` picks n:
    ``'fan_in'``, ``'fan_out'`` or ``'fan_avg'`` (their mean), each at least 1.
    ``distribution``:

    - ``'normal'``: TF.js's meaning, a normal truncated at 2 standard deviations with
      stddev ``sqrt(scale / n)`` and no correction for the truncation (so the variance is
      about 0.77 of the target);
    - ``'uniform'``: uniform in ``[-limit, limit]``, ``limit = sqrt(3 * scale / n)``;
    - ``'truncated_normal'`` (Keras): truncated, stddev divided by 0.8796 to keep the variance;
    - ``'untruncated_normal'`` (Keras): a plain normal with stddev ``sqrt(scale / n)``.

    camelCase values (``'fanAvg'``, ``'truncatedNormal'``) are accepted too. TF.js itself lists
    ``'truncatedNormal'`` as valid but then draws uniform values for it; minitf follows Keras.
    (TF.js ``tf.initializers.varianceScaling``.)
    """

    class_name = "VarianceScaling"

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal",
                 seed: int | None = None) -> None:
        if scale < 0:
            raise ValueError(f"VarianceScaling: scale must be a positive number, got {scale}")
        self.scale = scale
        self.mode = _choice(mode, MODES, "mode")
        self.distribution = _choice(distribution, DISTRIBUTIONS, "distribution")
        self.seed = seed

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3 * variance)  # the variance of U(-a, a) is a^2 / 3
            return ops.random_uniform(shape, -limit, limit, dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return ops.random_normal(shape, 0, math.sqrt(variance), dtype, self.seed)
        stddev = math.sqrt(variance)
        if self.distribution == "truncated_normal":
            stddev /= _TRUNCATED_STDDEV
        return ops.truncated_normal(shape, 0, stddev, dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _choice(value: str, allowed: Sequence[str], what: str) -> str:
    snake = serialization.to_snake_case(str(value))
    if snake not in allowed:
        raise ValueError(f"VarianceScaling: {what} must be one of {list(allowed)}, got {value!r}")
    return snake


class _VarianceScalingPreset(VarianceScaling):
    """A named VarianceScaling setting that takes only a seed.

    Saved as ``VarianceScaling`` with its full config, as TF.js does (its ``getClassName``
    returns 'VarianceScaling'), so TF.js and Keras both read the JSON back. Keras 3 saves these
    under their own names with ``{'seed': ...}``; that loads through :meth:`from_config`.
    """

    preset: dict[str, Any] = {}

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed=seed, **self.preset)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "VarianceScaling":
        return cls(seed=config.get("seed"))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed!r})"


@register_class(package="initializers", name="GlorotUniform")
class GlorotUniform(_VarianceScalingPreset):
    """Uniform with limit ``sqrt(6 / (fan_in + fan_out))``: Keras's default kernel initializer
    (TF.js ``tf.initializers.glorotUniform``)."""

    preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"}


@register_class(package="initializers", name="GlorotNormal")
class GlorotNormal(_VarianceScalingPreset):
    """Truncated normal, stddev ``sqrt(2 / (fan_in + fan_out))``: TF.js's default kernel
    initializer for Dense, Conv and RNN layers (TF.js ``tf.initializers.glorotNormal``)."""

    preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "normal"}


@register_class(package="initializers", name="HeNormal")
class HeNormal(_VarianceScalingPreset):
    """Truncated normal, stddev ``sqrt(2 / fan_in)``, suited to relu layers
    (TF.js ``tf.initializers.heNormal``)."""

    preset = {"scale": 2.0, "mode": "fan_in", "distribution": "normal"}


@register_class(package="initializers", name="HeUniform")
class HeUniform(_VarianceScalingPreset):
    """Uniform with limit ``sqrt(6 / fan_in)`` (TF.js ``tf.initializers.heUniform``)."""

    preset = {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}


@register_class(package="initializers", name="LecunNormal")  # Keras's spelling
@register_class(package="initializers", name="LeCunNormal")
class LeCunNormal(_VarianceScalingPreset):
    """Truncated normal, stddev ``sqrt(1 / fan_in)``, for selu networks
    (TF.js ``tf.initializers.leCunNormal``)."""

    preset = {"scale": 1.0, "mode": "fan_in", "distribution": "normal"}


@register_class(package="initializers", name="LecunUniform")
@register_class(package="initializers", name="LeCunUniform")
class LeCunUniform(_VarianceScalingPreset):
    """Uniform with limit ``sqrt(3 / fan_in)`` (TF.js ``tf.initializers.leCunUniform``)."""

    preset = {"scale": 1.0, "mode": "fan_in", "distribution": "uniform"}


@register_class(package="initializers")
class Orthogonal(Initializer):
    """A random orthogonal matrix times ``gain``: the default for recurrent kernels.

    Repeated multiplication by an orthogonal matrix neither blows up nor shrinks a vector,
    which is what an RNN does to its state (Saxe et al. 2014). The shape is read as a matrix
    ``[prod(shape[:-1]), shape[-1]]``; its rows or columns, whichever are fewer, are orthonormal.
    The Q of a QR factorisation of a normal matrix, with column signs taken from R's diagonal,
    is uniformly distributed (TF.js ``tf.initializers.orthogonal``).
    """

    class_name = "Orthogonal"

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain, self.seed = gain, seed

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have at least 2 dimensions, got "
                             f"{list(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        normal = ops.random_normal([max(rows, cols), min(rows, cols)], 0, 1, "float64",
                                   self.seed)
        # minitf has no QR op yet: the factorisation runs in NumPy (nothing to differentiate).
        q, r = np.linalg.qr(normal.numpy())
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return ops.tensor(self.gain * q.reshape(shape), dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


@register_class(package="initializers")
class Identity(Initializer):
    """``gain`` times the identity matrix, for 2-D shapes (TF.js ``tf.initializers.identity``).

    TF.js accepts only square shapes; like Keras, minitf also fills a non-square matrix with
    ones on its main diagonal.
    """

    class_name = "Identity"

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        if len(shape) != 2:
            raise ValueError(f"Identity: only 2-D matrices can be initialized, got shape "
                             f"{list(shape)}")
        return ops.mul(ops.eye(shape[0], shape[1], dtype=dtype), self.gain)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


# -- factories: the TF.js names, taking keywords or a TF.js config dict --------------------------
def _make(cls: type[Initializer], config: dict[str, Any] | None, kwargs: dict[str, Any],
          where: str) -> Any:
    return cls(**serialization.merge_config(config, kwargs, f"initializers.{where}"))


def zeros() -> Zeros:
    """An initializer of zeros (TF.js ``tf.initializers.zeros()``).

    >>> import minitf as tf
    >>> zeros()([2]).array_sync()
    [0.0, 0.0]
    """
    return Zeros()


def ones() -> Ones:
    """An initializer of ones (TF.js ``tf.initializers.ones()``)."""
    return Ones()


def constant(config: dict[str, Any] | None = None, **kwargs: Any) -> Constant:
    """Every element equal to ``value`` (TF.js ``tf.initializers.constant({value})``).

    >>> constant(value=0.5)([2]).array_sync()
    [0.5, 0.5]
    """
    return _make(Constant, config, kwargs, "constant")


def random_uniform(config: dict[str, Any] | None = None, **kwargs: Any) -> RandomUniform:
    """Uniform values; keys ``minval=-0.05, maxval=0.05, seed`` (TF.js ``randomUniform``).

    >>> init = random_uniform({'minval': 0, 'maxval': 1, 'seed': 7})
    >>> bool((init([100]).numpy() >= 0).all())
    True
    """
    return _make(RandomUniform, config, kwargs, "random_uniform")


def random_normal(config: dict[str, Any] | None = None, **kwargs: Any) -> RandomNormal:
    """Normal values; keys ``mean=0, stddev=0.05, seed`` (TF.js ``randomNormal``)."""
    return _make(RandomNormal, config, kwargs, "random_normal")


def truncated_normal(config: dict[str, Any] | None = None, **kwargs: Any) -> TruncatedNormal:
    """Normal values within 2 stddev; keys ``mean=0, stddev=0.05, seed`` (TF.js
    ``truncatedNormal``)."""
    return _make(TruncatedNormal, config, kwargs, "truncated_normal")


def variance_scaling(config: dict[str, Any] | None = None, **kwargs: Any) -> VarianceScaling:
    """Keys ``scale=1, mode='fan_in', distribution='normal', seed`` (TF.js ``varianceScaling``).

    >>> variance_scaling({'scale': 2, 'mode': 'fanAvg'}).mode
    'fan_avg'
    """
    return _make(VarianceScaling, config, kwargs, "variance_scaling")


def glorot_uniform(config: dict[str, Any] | None = None, **kwargs: Any) -> GlorotUniform:
    """Glorot (Xavier) uniform; key ``seed`` (TF.js ``glorotUniform``)."""
    return _make(GlorotUniform, config, kwargs, "glorot_uniform")


def glorot_normal(config: dict[str, Any] | None = None, **kwargs: Any) -> GlorotNormal:
    """Glorot (Xavier) truncated normal, TF.js's default kernel initializer; key ``seed``.

    >>> import minitf as tf
    >>> glorot_normal(seed=1)([784, 32]).shape
    (784, 32)
    """
    return _make(GlorotNormal, config, kwargs, "glorot_normal")


def he_normal(config: dict[str, Any] | None = None, **kwargs: Any) -> HeNormal:
    """He truncated normal, for relu layers; key ``seed`` (TF.js ``heNormal``)."""
    return _make(HeNormal, config, kwargs, "he_normal")


def he_uniform(config: dict[str, Any] | None = None, **kwargs: Any) -> HeUniform:
    """He uniform; key ``seed`` (TF.js ``heUniform``)."""
    return _make(HeUniform, config, kwargs, "he_uniform")


def le_cun_normal(config: dict[str, Any] | None = None, **kwargs: Any) -> LeCunNormal:
    """LeCun truncated normal, for selu layers; key ``seed`` (TF.js ``leCunNormal``)."""
    return _make(LeCunNormal, config, kwargs, "le_cun_normal")


def le_cun_uniform(config: dict[str, Any] | None = None, **kwargs: Any) -> LeCunUniform:
    """LeCun uniform; key ``seed`` (TF.js ``leCunUniform``)."""
    return _make(LeCunUniform, config, kwargs, "le_cun_uniform")


lecun_normal = le_cun_normal  # Keras spellings
lecun_uniform = le_cun_uniform


def orthogonal(config: dict[str, Any] | None = None, **kwargs: Any) -> Orthogonal:
    """A random orthogonal matrix; keys ``gain=1, seed`` (TF.js ``orthogonal``).

    >>> q = orthogonal(seed=3)([4, 4]).numpy()
    >>> bool(abs(q.T @ q - np.eye(4)).max() < 1e-5)
    True
    """
    return _make(Orthogonal, config, kwargs, "orthogonal")


def identity(config: dict[str, Any] | None = None, **kwargs: Any) -> Identity:
    """``gain`` times the identity matrix; key ``gain=1`` (TF.js ``identity``)."""
    return _make(Identity, config, kwargs, "identity")


# -- get / serialize ---------------------------------------------------------------------------
_BY_NAME: dict[str, type[Initializer]] = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_uniform": RandomUniform,
    "random_normal": RandomNormal, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LeCunNormal, "lecun_uniform": LeCunUniform, "orthogonal": Orthogonal,
    "identity": Identity,
}


def lookup_key(name: str) -> str:
    """Spellings of one name differ only in case and underscores: ``leCunNormal``,
    ``lecun_normal`` and ``LecunNormal`` all give ``lecunnormal``."""
    return name.replace("_", "").lower()


_BY_KEY = {lookup_key(name): cls for name, cls in _BY_NAME.items()}


def get(identifier: Any) -> Initializer | None:
    """An Initializer from a name, a saved dict or an Initializer (TF.js ``getInitializer``).

    Names may be TF.js camelCase (``'glorotNormal'``), snake_case (``'glorot_normal'``) or a
    class name (``'GlorotNormal'``); dicts are ``{'class_name': ..., 'config': {...}}`` as saved
    by TF.js or Keras. None gives None.

    >>> get('heNormal')
    HeNormal(seed=None)
    >>> get({'class_name': 'VarianceScaling', 'config': {'scale': 2, 'mode': 'fan_in'}}).scale
    2
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_KEY.get(lookup_key(identifier))
        if cls is None:
            cls = _registered(identifier)
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(f"initializers.get: expected a name, a config dict or an Initializer, got "
                    f"{type(identifier).__name__}")


def _registered(name: str) -> type[Initializer]:
    try:
        return serialization.get_registered(name, "initializers")
    except ValueError:
        known = ", ".join(sorted(_BY_NAME))
        raise ValueError(f"unknown initializer {name!r}; known names: {known} (camelCase "
                         "such as 'glorotNormal' works too)") from None


def serialize(initializer: Initializer | None) -> dict[str, Any] | None:
    """``{'class_name', 'config'}`` as TF.js saves it; None for None.

    >>> serialize(glorot_normal())['class_name']
    'VarianceScaling'
    """
    return serialization.serialize(initializer)


def deserialize(config: dict[str, Any]) -> Initializer:
    """The Initializer a :func:`serialize` dict describes (``className`` keys accepted)."""
    spec = serialization.to_snake_keys(config)
    if "class_name" not in spec:
        raise ValueError(f"initializers: a config dict needs a 'class_name', got {config!r}")
    return serialization.deserialize(spec, "initializers")
