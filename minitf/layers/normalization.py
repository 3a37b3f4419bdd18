"""Normalization layers: BatchNormalization and LayerNormalization (TF.js
``tf.layers.batchNormalization``, ``tf.layers.layerNormalization``).

Both compute ``(x - mean) / sqrt(variance + epsilon) * gamma + beta`` with ``ops.batch_norm``;
they differ in where the moments come from. BatchNormalization uses the batch's moments over
every axis but ``axis`` while training, and moving averages of them at inference; LayerNormalization
uses each sample's own moments over ``axis``, in both modes.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from .. import constraints, initializers, ops, regularizers
from ..engine import tape
from ..serialization import register_class
from ..tensor import Tensor, Variable
from .base import Layer, layer_factory

__all__ = ["batch_normalization", "layer_normalization"]


@contextmanager
def _not_recorded() -> Iterator[None]:
    """Run ops without any gradient tape seeing them (state updates are not differentiated)."""
    paused = tape.pause()
    try:
        yield
    finally:
        tape.resume(paused)


def _as_broadcast(v: Tensor | None, shape: Sequence[int]) -> Tensor | None:
    """A parameter of shape [C] reshaped to broadcast against x (``shape`` has 1s elsewhere)."""
    if v is None or tuple(v.shape) == tuple(shape):
        return v
    return ops.reshape(v, list(shape))


@register_class
class BatchNormalization(Layer):
    """Normalize each feature along ``axis`` with batch statistics, learning a scale and a shift.

    ``training=True``: ``y = (x - m) / sqrt(v + epsilon) * gamma + beta`` with the batch mean
    ``m`` and the biased (divide by n) batch variance ``v`` over every axis except ``axis``;
    then ``moving -= (moving - batch value) * (1 - momentum)`` for ``moving_mean`` and
    ``moving_variance``, as TF.js does. ``training`` False or None: the moving statistics replace
    ``m`` and ``v``. Weights: ``gamma`` [C] and ``beta`` [C] (trainable, when ``scale`` and
    ``center``), then ``moving_mean`` and ``moving_variance`` [C] (non-trainable). Any input rank;
    the output has the input's shape. TF.js defaults: axis -1, momentum 0.99, epsilon 1e-3.

    >>> import minitf as tf
    >>> tf.layers.batch_normalization().apply(tf.ones([2, 3])).shape
    (2, 3)
    """

    class_name = "BatchNormalization"

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **base: Any) -> None:
        super().__init__(**base)
        self.supports_masking = True
        self.axis = int(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma: Variable | None = None
        self.beta: Variable | None = None
        self.moving_mean: Variable | None = None
        self.moving_variance: Variable | None = None
        self._built_shape: tuple | None = None

    def _resolve_axis(self, rank: int) -> int:
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 0 <= axis < rank:
            raise ValueError(f"BatchNormalization {self.name!r}: axis {self.axis} is out of range "
                             f"for inputs of rank {rank}")
        return axis

    def build(self, input_shape: Any) -> None:
        axis = self._resolve_axis(len(input_shape))
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(f"BatchNormalization {self.name!r}: axis {axis} of the input must "
                             f"have a known size, got shape {list(input_shape)}")
        self._built_shape = (len(input_shape), axis, dim)
        if self.scale:
            self.gamma = self.add_weight("gamma", [dim], "float32", self.gamma_initializer,
                                         self.gamma_regularizer, True, self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", [dim], "float32", self.beta_initializer,
                                        self.beta_regularizer, True, self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", [dim], "float32",
                                           self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", [dim], "float32",
                                               self.moving_variance_initializer, trainable=False)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        rank, axis, dim = self._built_shape
        if inputs.rank != rank or inputs.shape[axis] != dim:
            raise ValueError(f"BatchNormalization {self.name!r}: expected inputs of rank {rank} "
                             f"with size {dim} on axis {axis}, got shape {list(inputs.shape)}")
        shape = [dim if i == axis else 1 for i in range(rank)]  # [C] broadcast against x
        gamma, beta = _as_broadcast(self.gamma, shape), _as_broadcast(self.beta, shape)
        if not training:
            return ops.batch_norm(inputs, _as_broadcast(self.moving_mean, shape),
                                  _as_broadcast(self.moving_variance, shape), beta, gamma,
                                  self.epsilon)
        mean, variance = ops.moments(inputs, [i for i in range(rank) if i != axis])
        out = ops.batch_norm(inputs, _as_broadcast(mean, shape), _as_broadcast(variance, shape),
                             beta, gamma, self.epsilon)
        with _not_recorded():  # the moving averages are state, not part of the gradient
            for moving, batch_value in ((self.moving_mean, mean),
                                        (self.moving_variance, variance)):
                batch_value = ops.cast(batch_value, moving.dtype)
                delta = ops.mul(ops.sub(moving, batch_value), 1 - self.momentum)
                moving.assign(ops.sub(moving, delta))
        return out

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
                **super().get_config()}


@register_class
class LayerNormalization(Layer):
    """Normalize each sample over ``axis`` (an int or list), then scale by gamma and shift by beta.

    ``y = (x - m) / sqrt(v + epsilon) * gamma + beta`` where ``m`` and ``v`` are the mean and
    biased variance of each sample over ``axis``; training and inference compute the same.
    ``gamma`` and ``beta`` have the sizes of the normalized axes. TF.js defaults: axis -1,
    epsilon 1e-3. After ``build``, ``axis`` reads as a list of non-negative axes, as in TF.js.

    >>> import minitf as tf
    >>> tf.layers.layer_normalization().apply(tf.tensor([[1.0, 3.0]])).array_sync()
    [[-0.9995003938674927, 0.9995003938674927]]
    """

    class_name = "LayerNormalization"

    def __init__(self, axis: int | Sequence[int] = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, **base: Any) -> None:
        super().__init__(**base)
        self.supports_masking = True
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise ValueError(f"LayerNormalization: axis must be an int or a list of ints, "
                             f"got {axis!r}")
        self.axis: int | list[int] = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma: Variable | None = None
        self.beta: Variable | None = None

    def build(self, input_shape: Any) -> None:
        rank = len(input_shape)
        given = self.axis if isinstance(self.axis, list) else [self.axis]
        axes = [a + rank if a < 0 else a for a in given]
        if any(not 0 <= a < rank for a in axes):
            raise ValueError(f"LayerNormalization {self.name!r}: axis {self.axis} is out of range "
                             f"for inputs of shape {list(input_shape)}")
        if len(set(axes)) != len(axes):
            raise ValueError(f"LayerNormalization {self.name!r}: duplicate axes in {self.axis}")
        param_shape = [input_shape[a] for a in axes]
        if None in param_shape:
            raise ValueError(f"LayerNormalization {self.name!r}: the normalized axes {axes} must "
                             f"have known sizes, got shape {list(input_shape)}")
        self.axis = axes
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape, "float32", self.gamma_initializer,
                                         self.gamma_regularizer, True)
        if self.center:
            self.beta = self.add_weight("beta", param_shape, "float32", self.beta_initializer,
                                        self.beta_regularizer, True)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        rank = inputs.rank
        if max(self.axis) >= rank:
            raise ValueError(f"LayerNormalization {self.name!r}: built for axes {self.axis}, "
                             f"got inputs of shape {list(inputs.shape)}")
        mean, variance = ops.moments(inputs, self.axis, keep_dims=True)
        # gamma/beta hold the normalized axes' sizes; they broadcast with 1s elsewhere (TF.js
        # reshapes them in the same way, axis order included).
        shape = [inputs.shape[i] if i in self.axis else 1 for i in range(rank)]
        return ops.batch_norm(inputs, mean, variance, _as_broadcast(self.beta, shape),
                              _as_broadcast(self.gamma, shape), self.epsilon)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                **super().get_config()}


batch_normalization = layer_factory(BatchNormalization, "batch_normalization")
layer_normalization = layer_factory(LayerNormalization, "layer_normalization")
