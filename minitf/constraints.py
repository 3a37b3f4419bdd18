"""Constraints: projections that keep weights in a set, such as bounded norms (TF.js
``tf.constraints``).

A constraint maps a weight tensor to the nearest allowed one. The norm constraints measure the
L2 norm of slices of the weight along ``axis`` (kept as a size-1 axis): for a Dense kernel
``[in, units]``, ``axis=0`` gives one norm per unit, over its incoming weights; for a Conv2D
kernel ``[kh, kw, in, out]``, use ``axis=[0, 1, 2]`` for one norm per filter.

Where TF.js applies them: only when a LayerVariable is written (set_weights, loading), not after
optimizer steps, so in TF.js ``fit()`` never applies them (tensorflow/tfjs#3345). The layer code
decides when minitf calls them.
"""
from __future__ import annotations

from typing import Any, Sequence

from . import dtypes, ops, serialization
from .engine.scope import tidy
from .serialization import register_class
from .tensor import Tensor

__all__ = ["Constraint", "MaxNorm", "UnitNorm", "NonNeg", "MinMaxNorm", "max_norm", "unit_norm",
           "non_neg", "min_max_norm", "get", "serialize", "deserialize", "EPSILON"]

EPSILON = dtypes.EPSILON  # added to norms before dividing by them
Axis = int | Sequence[int]


def _l2_norms(w: Tensor, axis: Axis) -> Tensor:
    """sqrt(sum(w^2)) over ``axis``, keeping it as size 1 so that it broadcasts against w."""
    return ops.sqrt(ops.sum(ops.mul(w, w), axis, keep_dims=True))


class Constraint:
    """Base class: ``c(w)`` returns the projected weight (TF.js Constraint).

    Subclasses implement :meth:`apply`; :meth:`__call__` runs it in a tidy scope, so only the
    result survives.
    """

    class_name = "Constraint"

    def __call__(self, w: Tensor) -> Tensor:
        return tidy(self.class_name, lambda: self.apply(w))

    def apply(self, w: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement apply(w)")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, snake_case keys (saved as the ``config`` in JSON)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Constraint":
        """Rebuild from :meth:`get_config`'s dict (camelCase keys accepted)."""
        return cls(**serialization.to_snake_keys(config))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@register_class(package="constraints")
class MaxNorm(Constraint):
    """Rescale slices whose L2 norm exceeds ``max_value`` down to it (TF.js ``MaxNorm``).

    ``w * clip(norm, 0, max_value) / (eps + norm)``: slices within the bound are unchanged
    (up to eps). Used with dropout by Srivastava et al. (2014).

    >>> import minitf as tf
    >>> w = MaxNorm(max_value=1)(tf.tensor([[3.0], [4.0]]))   # norm 5 -> 1
    >>> [round(v, 4) for v in w.reshape([2]).array_sync()]
    [0.6, 0.8]
    """

    class_name = "MaxNorm"

    def __init__(self, max_value: float = 2, axis: Axis = 0) -> None:
        self.max_value, self.axis = max_value, axis

    def apply(self, w: Tensor) -> Tensor:
        norms = _l2_norms(w, self.axis)
        desired = ops.clip_by_value(norms, 0, self.max_value)
        return ops.mul(w, ops.div(desired, ops.add(norms, EPSILON)))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


@register_class(package="constraints")
class UnitNorm(Constraint):
    """Scale every slice to L2 norm 1: ``w / (eps + norm)`` (TF.js ``UnitNorm``)."""

    class_name = "UnitNorm"

    def __init__(self, axis: Axis = 0) -> None:
        self.axis = axis

    def apply(self, w: Tensor) -> Tensor:
        return ops.div(w, ops.add(_l2_norms(w, self.axis), EPSILON))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


@register_class(package="constraints")
class NonNeg(Constraint):
    """Set negative weights to zero: ``relu(w)`` (TF.js ``NonNeg``)."""

    class_name = "NonNeg"

    def apply(self, w: Tensor) -> Tensor:
        return ops.relu(w)


@register_class(package="constraints")
class MinMaxNorm(Constraint):
    """Move slice norms into ``[min_value, max_value]`` at speed ``rate`` (TF.js ``MinMaxNorm``).

    The target norm is ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``, and
    ``w * target / (eps + norm)``. ``rate=1`` projects at once; a smaller rate moves part way.
    """

    class_name = "MinMaxNorm"

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Axis = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def apply(self, w: Tensor) -> Tensor:
        norms = _l2_norms(w, self.axis)
        clipped = ops.clip_by_value(norms, self.min_value, self.max_value)
        desired = ops.add(ops.mul(clipped, self.rate), ops.mul(norms, 1.0 - self.rate))
        return ops.mul(w, ops.div(desired, ops.add(norms, EPSILON)))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# -- factories: the TF.js names, taking keywords or a TF.js config dict --------------------------
def max_norm(config: dict[str, Any] | None = None, **kwargs: Any) -> MaxNorm:
    """Keys ``max_value=2, axis=0`` (TF.js ``tf.constraints.maxNorm``).

    >>> max_norm({'maxValue': 3, 'axis': 1})
    MaxNorm(max_value=3, axis=1)
    """
    return MaxNorm(**serialization.merge_config(config, kwargs, "constraints.max_norm"))


def unit_norm(config: dict[str, Any] | None = None, **kwargs: Any) -> UnitNorm:
    """Key ``axis=0`` (TF.js ``tf.constraints.unitNorm``)."""
    return UnitNorm(**serialization.merge_config(config, kwargs, "constraints.unit_norm"))


def non_neg() -> NonNeg:
    """Non-negative weights (TF.js ``tf.constraints.nonNeg``)."""
    return NonNeg()


def min_max_norm(config: dict[str, Any] | None = None, **kwargs: Any) -> MinMaxNorm:
    """Keys ``min_value=0, max_value=1, rate=1, axis=0`` (TF.js ``tf.constraints.minMaxNorm``)."""
    return MinMaxNorm(**serialization.merge_config(config, kwargs, "constraints.min_max_norm"))


# -- get / serialize ---------------------------------------------------------------------------
_BY_NAME: dict[str, type[Constraint]] = {
    "max_norm": MaxNorm, "unit_norm": UnitNorm, "non_neg": NonNeg, "min_max_norm": MinMaxNorm,
}
_BY_KEY = {name.replace("_", ""): cls for name, cls in _BY_NAME.items()}


def get(identifier: Any) -> Constraint | None:
    """A Constraint from a name, a saved dict or a Constraint (TF.js ``getConstraint``).

    Names may be camelCase (``'maxNorm'``), snake_case (``'max_norm'``) or class names
    (``'MaxNorm'``); they give the defaults. None gives None.

    >>> get('nonNeg')
    NonNeg()
    >>> get({'class_name': 'MaxNorm', 'config': {'max_value': 3, 'axis': 0}})
    MaxNorm(max_value=3, axis=0)
    """
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_KEY.get(identifier.replace("_", "").lower())
        if cls is not None:
            return cls()
        try:
            return serialization.get_registered(identifier, "constraints")()
        except ValueError:
            known = ", ".join(sorted(_BY_NAME))
            raise ValueError(f"unknown constraint {identifier!r}; known names: {known} "
                             "(camelCase such as 'maxNorm' works too)") from None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(f"constraints.get: expected a name, a config dict or a Constraint, got "
                    f"{type(identifier).__name__}")


def serialize(constraint: Constraint | None) -> dict[str, Any] | None:
    """``{'class_name', 'config'}`` as TF.js saves it; None for None."""
    return serialization.serialize(constraint)


def deserialize(config: dict[str, Any]) -> Constraint:
    """The Constraint a :func:`serialize` dict describes (``className`` keys accepted)."""
    spec = serialization.to_snake_keys(config)
    if "class_name" not in spec:
        raise ValueError(f"constraints: a config dict needs a 'class_name', got {config!r}")
    return serialization.deserialize(spec, "constraints")
