"""Activation functions for layers: ``tf.layers.dense({units: 8, activation: 'relu'})``.

Each activation is a plain function of one tensor below, wrapped in an :class:`Activation` that
carries the name written in layer configs (``'relu'``, ``'hard_sigmoid'``, ``'gelu_new'``).
:func:`get` turns what a user passes (a TF.js camelCase or a snake_case name, None for linear, a
saved ``{'class_name': 'relu'}`` dict, or any Python function) into an Activation, and
:func:`serialize` gives back the name. Formulas are TF.js's (tfjs-layers ``activations.ts``).
"""
from __future__ import annotations

import math
from typing import Any, Callable

from . import ops
from .ops._op import op
from .tensor import Tensor

__all__ = ["Activation", "elu", "hard_sigmoid", "linear", "relu", "relu6", "selu", "sigmoid",
           "softmax", "log_softmax", "softplus", "softsign", "tanh", "swish", "mish", "gelu",
           "gelu_new", "get", "serialize"]


class Activation:
    """A function of one tensor plus the ``name`` saved for it in layer configs.

    TF.js registers one class per activation under that name (``Relu.className = 'relu'``);
    here one class holds the function instead. Any Python function can be wrapped, and its
    ``__name__`` becomes the name.

    >>> import minitf as tf
    >>> act = Activation(tf.relu)
    >>> act.name, act(tf.tensor([-1.0, 2.0])).array_sync()
    ('relu', [0.0, 2.0])
    """

    def __init__(self, fn: Callable[[Tensor], Tensor], name: str | None = None) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", type(fn).__name__)

    def __call__(self, x: Tensor) -> Tensor:
        return self.fn(x)

    @property
    def class_name(self) -> str:
        """The name, as TF.js uses the activation name as its class name."""
        return self.name

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


# -- the functions ------------------------------------------------------------------------------
def elu(x: Tensor) -> Tensor:
    """x for x > 0, else e^x - 1 (alpha 1) (TF.js ``'elu'``)."""
    return ops.elu(x)


@op
def hard_sigmoid(x: Tensor) -> Tensor:
    """clip(0.2 x + 0.5, 0, 1): a piecewise-linear sigmoid, cheap to compute.

    TF.js's default recurrent activation of GRU and LSTM; Keras 3 uses relu6(x + 3) / 6 instead,
    so the TF.js slope 0.2 matters when porting models (TF.js ``'hardSigmoid'``).

    >>> import minitf as tf
    >>> [round(v, 4) for v in hard_sigmoid(tf.tensor([-3.0, 0.0, 1.0, 3.0])).array_sync()]
    [0.0, 0.5, 0.7, 1.0]
    """
    return ops.clip_by_value(ops.add(ops.mul(x, 0.2), 0.5), 0, 1)


def linear(x: Tensor) -> Tensor:
    """x itself, unchanged: the activation of a layer given none (TF.js ``'linear'``)."""
    return x


def relu(x: Tensor) -> Tensor:
    """max(x, 0) (TF.js ``'relu'``)."""
    return ops.relu(x)


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6) (TF.js ``'relu6'``)."""
    return ops.relu6(x)


def selu(x: Tensor) -> Tensor:
    """Scaled elu with the self-normalising constants of Klambauer et al. (TF.js ``'selu'``)."""
    return ops.selu(x)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x) (TF.js ``'sigmoid'``)."""
    return ops.sigmoid(x)


def softmax(x: Tensor) -> Tensor:
    """exp(x) / sum(exp(x)) over the last axis: one probability vector per row
    (TF.js ``'softmax'``)."""
    return ops.softmax(x, -1)


def log_softmax(x: Tensor) -> Tensor:
    """log(softmax(x)) over the last axis, computed stably (TF.js ``'logSoftmax'``)."""
    return ops.log_softmax(x, -1)


def softplus(x: Tensor) -> Tensor:
    """log(1 + e^x) (TF.js ``'softplus'``)."""
    return ops.softplus(x)


def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|) (TF.js ``'softsign'``)."""
    return ops.softsign(x)


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent (TF.js ``'tanh'``)."""
    return ops.tanh(x)


@op
def swish(x: Tensor) -> Tensor:
    """x * sigmoid(x), also called silu (Ramachandran et al. 2017) (TF.js ``'swish'``)."""
    return ops.mul(ops.sigmoid(x), x)


@op
def mish(x: Tensor) -> Tensor:
    """x * tanh(softplus(x)) (Misra 2019) (TF.js ``'mish'``)."""
    return ops.mul(x, ops.tanh(ops.softplus(x)))


@op
def gelu(x: Tensor) -> Tensor:
    """x * Phi(x), Phi the normal CDF 0.5 (1 + erf(x / sqrt(2))): the exact GELU of
    Hendrycks & Gimpel (2016) (TF.js ``'gelu'``).

    >>> import minitf as tf
    >>> round(gelu(tf.tensor([1.0])).array_sync()[0], 4)
    0.8413
    """
    cdf = ops.mul(ops.add(ops.erf(ops.div(x, math.sqrt(2))), 1), 0.5)
    return ops.mul(x, cdf)


@op
def gelu_new(x: Tensor) -> Tensor:
    """The tanh approximation of GELU used by BERT and GPT-2 (TF.js ``'gelu_new'``):
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    cube = ops.mul(ops.mul(x, x), x)
    inner = ops.mul(ops.add(x, ops.mul(cube, 0.044715)), math.sqrt(2 / math.pi))
    return ops.mul(ops.mul(x, 0.5), ops.add(ops.tanh(inner), 1))


# -- get / serialize ---------------------------------------------------------------------------
_ACTIVATIONS: dict[str, Activation] = {
    fn.__name__: Activation(fn)
    for fn in (elu, hard_sigmoid, linear, relu, relu6, selu, sigmoid, softmax, log_softmax,
               softplus, softsign, tanh, swish, mish, gelu, gelu_new)
}
# Keys: lower case without underscores, so 'hardSigmoid', 'hard_sigmoid' and 'HardSigmoid'
# meet. 'silu' is Keras 3's name for swish.
_BY_KEY = {name.replace("_", ""): act for name, act in _ACTIVATIONS.items()}
_BY_KEY["silu"] = _ACTIVATIONS["swish"]


def get(identifier: Any) -> Activation:
    """An Activation from a name, None (linear), a saved dict, an Activation or a function.

    (TF.js ``getActivation``.)

    >>> get('hardSigmoid').name
    'hard_sigmoid'
    >>> get(None).name
    'linear'
    """
    if identifier is None:
        return _ACTIVATIONS["linear"]
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str):
        found = _BY_KEY.get(identifier.replace("_", "").lower())
        if found is None:
            known = ", ".join(sorted(_ACTIVATIONS))
            raise ValueError(f"unknown activation {identifier!r}; known names: {known} "
                             "(camelCase such as 'hardSigmoid' works too)")
        return found
    if isinstance(identifier, dict):  # a saved {'class_name': 'relu', 'config': {}}
        name = identifier.get("class_name", identifier.get("className"))
        if not isinstance(name, str):
            raise ValueError(f"activations.get: a config dict needs a 'class_name', got "
                             f"{identifier!r}")
        return get(name)
    if callable(identifier):
        return Activation(identifier)
    raise TypeError(f"activations.get: expected a name, None, an Activation or a function, got "
                    f"{type(identifier).__name__}")


def serialize(activation: Any) -> str:
    """The name saved in layer configs: ``serialize('hardSigmoid') == 'hard_sigmoid'``."""
    return get(activation).name
