"""Regularizers: penalties on weights added to the training loss (TF.js ``tf.regularizers``).

A layer given ``kernel_regularizer=tf.regularizers.l2()`` adds ``l2 * sum(w^2)`` to the loss
that the optimizer minimises, which pulls the weights towards zero and so limits overfitting.
As in TF.js, the penalty is added to the batch-mean loss as it is, not divided by the batch
size. All regularizers are one class, :class:`L1L2`, saved as ``'L1L2'`` with both rates.
"""
from __future__ import annotations

from typing import Any

from . import ops, serialization
from .engine.scope import tidy
from .serialization import register_class
from .tensor import Tensor

__all__ = ["Regularizer", "L1L2", "L1", "L2", "l1", "l2", "l1l2", "l1_l2", "get", "serialize",
           "deserialize"]


class Regularizer:
    """Base class: ``reg(w)`` returns a scalar penalty (TF.js Regularizer).

    Subclasses implement :meth:`apply`; :meth:`__call__` runs it in a tidy scope, so only the
    penalty survives. The penalty is built from ops, so it is differentiated with the loss.
    """

    class_name = "Regularizer"

    def __call__(self, x: Tensor) -> Tensor:
        return tidy(self.class_name, lambda: self.apply(x))

    def apply(self, x: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement apply(x)")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, snake_case keys (saved as the ``config`` in JSON)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Regularizer":
        """Rebuild from :meth:`get_config`'s dict."""
        return cls(**serialization.to_snake_keys(config))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@register_class(package="regularizers")
class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x^2)``, a scalar (TF.js ``L1L2``).

    The L1 term drives small weights to exactly zero (sparse weights); the L2 term, weight
    decay, shrinks all weights in proportion to their size. A zero rate skips its term.
    The class defaults are 0, as in Keras; the factories :func:`l1`, :func:`l2` and
    :func:`l1l2` use TF.js's 0.01 (TF.js's own class constructor also defaults to 0.01).

    >>> import minitf as tf
    >>> L1L2(l1=0.5, l2=0.25)(tf.tensor([-2.0, 1.0])).array_sync()
    2.75
    """

    class_name = "L1L2"

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = l1, l2

    def apply(self, x: Tensor) -> Tensor:
        penalty = ops.zeros([], x.dtype)
        if self.l1:
            penalty = ops.add(penalty, ops.sum(ops.mul(self.l1, ops.abs(x))))
        if self.l2:
            penalty = ops.add(penalty, ops.sum(ops.mul(self.l2, ops.square(x))))
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


@register_class(package="regularizers", name="L1")
class L1(L1L2):
    """Keras's ``L1`` class, read from Keras configs ``{'l1': ...}``; saved as ``L1L2``."""

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1, l2=0.0)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> L1L2:
        return L1L2(l1=config.get("l1", 0.01), l2=0.0)


@register_class(package="regularizers", name="L2")
class L2(L1L2):
    """Keras's ``L2`` class, read from Keras configs ``{'l2': ...}``; saved as ``L1L2``."""

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l1=0.0, l2=l2)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> L1L2:
        return L1L2(l1=0.0, l2=config.get("l2", 0.01))


# -- factories: the TF.js names, taking keywords or a TF.js config dict --------------------------
def l1(config: dict[str, Any] | None = None, **kwargs: Any) -> L1L2:
    """An L1 penalty ``l1 * sum(|x|)``, ``l1=0.01`` by default (TF.js ``tf.regularizers.l1``).

    >>> l1()
    L1L2(l1=0.01, l2=0)
    """
    args = serialization.merge_config(config, kwargs, "regularizers.l1")
    return L1L2(l1=args.pop("l1", 0.01), l2=0, **args)


def l2(config: dict[str, Any] | None = None, **kwargs: Any) -> L1L2:
    """An L2 penalty ``l2 * sum(x^2)``, ``l2=0.01`` by default (TF.js ``tf.regularizers.l2``).

    >>> import minitf as tf
    >>> l2({'l2': 0.1})(tf.tensor([[1.0, 2.0]])).array_sync()
    0.5
    """
    args = serialization.merge_config(config, kwargs, "regularizers.l2")
    return L1L2(l1=0, l2=args.pop("l2", 0.01), **args)


def l1l2(config: dict[str, Any] | None = None, **kwargs: Any) -> L1L2:
    """Both penalties, ``l1=0.01, l2=0.01`` by default (TF.js ``tf.regularizers.l1l2``)."""
    args = serialization.merge_config(config, kwargs, "regularizers.l1l2")
    return L1L2(**{"l1": 0.01, "l2": 0.01, **args})


l1_l2 = l1l2  # Keras spelling


# -- get / serialize ---------------------------------------------------------------------------
_BY_KEY = {"l1": l1, "l2": l2, "l1l2": l1l2}  # keys: lower case, no underscores


def get(identifier: Any) -> Regularizer | None:
    """A Regularizer from a name, a saved dict or a Regularizer (TF.js ``getRegularizer``).

    Names: ``'l1'``, ``'l2'``, ``'l1l2'``/``'l1_l2'``/``'L1L2'`` (TF.js defaults of 0.01).
    None gives None.

    >>> get('l2')
    L1L2(l1=0, l2=0.01)
    >>> get({'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.001}})
    L1L2(l1=0.0, l2=0.001)
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        factory = _BY_KEY.get(identifier.replace("_", "").lower())
        if factory is not None:
            return factory()
        try:
            return serialization.get_registered(identifier, "regularizers")()
        except ValueError:
            raise ValueError(f"unknown regularizer {identifier!r}; known names: l1, l2, l1l2 "
                             "(also 'l1_l2' and 'L1L2')") from None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(f"regularizers.get: expected a name, a config dict or a Regularizer, got "
                    f"{type(identifier).__name__}")


def serialize(regularizer: Regularizer | None) -> dict[str, Any] | None:
    """``{'class_name': 'L1L2', 'config': {'l1': ..., 'l2': ...}}`` as TF.js saves it."""
    return serialization.serialize(regularizer)


def deserialize(config: dict[str, Any]) -> Regularizer:
    """The Regularizer a :func:`serialize` dict describes (``className`` keys accepted)."""
    spec = serialization.to_snake_keys(config)
    if "class_name" not in spec:
        raise ValueError(f"regularizers: a config dict needs a 'class_name', got {config!r}")
    return serialization.deserialize(spec, "regularizers")
