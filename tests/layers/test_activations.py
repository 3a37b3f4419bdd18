"""Activations: values against NumPy formulas (TF.js's), gradients against finite differences,
get/serialize with every spelling."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitf as tf
from gradcheck import check_gradients
from minitf import activations as A

# Away from every kink: 0 (relu, elu, selu), 6 (relu6) and +-2.5 (hard_sigmoid).
X = np.array([[-3.1, -2.3, -0.7, -0.05], [0.4, 1.1, 2.9, 7.2]])
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softplus(x):
    return np.log1p(np.exp(x))


REFERENCES = {
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
    "sigmoid": _sigmoid,
    "softmax": _softmax,
    "log_softmax": lambda x: np.log(_softmax(x)),
    "softplus": _softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "tanh": np.tanh,
    "swish": lambda x: x * _sigmoid(x),
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "gelu_new": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_values_match_numpy(name) -> None:
    act = A.get(name)
    out = tf.tidy(lambda: act(tf.tensor(X, dtype="float64")).numpy())
    np.testing.assert_allclose(out, REFERENCES[name](X), rtol=1e-12, atol=1e-14)
    out32 = tf.tidy(lambda: act(tf.tensor(X, dtype="float32")).numpy())
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, REFERENCES[name](X), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_gradient_matches_finite_differences(name) -> None:
    check_gradients(A.get(name), [X])


def test_softmax_normalizes_the_last_axis() -> None:
    x = np.random.default_rng(0).normal(size=(2, 3, 5))
    out = tf.tidy(lambda: A.softmax(tf.tensor(x)).numpy())
    np.testing.assert_allclose(out.sum(axis=-1), 1, rtol=1e-6)


def test_large_inputs_stay_finite() -> None:
    x = tf.tensor([-1e4, -50.0, 50.0, 1e4])
    for name in ("gelu", "gelu_new", "mish", "swish", "softplus", "sigmoid", "elu", "selu"):
        out = tf.tidy(lambda: A.get(name)(x).numpy())
        assert np.isfinite(out).all(), name
    x.dispose()


def test_linear_returns_its_input() -> None:
    x = tf.tensor([1.0, -2.0])
    assert A.get(None)(x) is x
    x.dispose()


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_leaks_nothing(name, no_leaks) -> None:
    x = tf.tensor(X)
    y = A.get(name)(x)
    if y is not x:
        y.dispose()
    x.dispose()


# -- get / serialize ---------------------------------------------------------------------------
@pytest.mark.parametrize("spelling, name", [
    ("elu", "elu"), ("hardSigmoid", "hard_sigmoid"), ("hard_sigmoid", "hard_sigmoid"),
    ("HardSigmoid", "hard_sigmoid"), ("linear", "linear"), ("relu", "relu"),
    ("relu6", "relu6"), ("selu", "selu"), ("sigmoid", "sigmoid"), ("softmax", "softmax"),
    ("logSoftmax", "log_softmax"), ("log_softmax", "log_softmax"), ("softplus", "softplus"),
    ("softsign", "softsign"), ("tanh", "tanh"), ("swish", "swish"), ("silu", "swish"),
    ("mish", "mish"), ("gelu", "gelu"), ("gelu_new", "gelu_new"), ("geluNew", "gelu_new"),
])
def test_get_accepts_every_spelling(spelling, name) -> None:
    act = A.get(spelling)
    assert isinstance(act, A.Activation) and act.name == name
    assert A.serialize(spelling) == name
    assert A.get(act) is act
    assert A.get({"class_name": spelling, "config": {}}) is act


def test_get_none_is_linear_and_functions_are_wrapped() -> None:
    assert A.get(None).name == "linear" and A.serialize(None) == "linear"

    def cube(x):
        return x * x * x

    act = A.get(cube)
    assert act.name == "cube" and A.serialize(act) == "cube"
    assert tf.tidy(lambda: act(tf.tensor([2.0])).array_sync()) == [8.0]


def test_get_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'rellu'.*hard_sigmoid.*relu6"):
        A.get("rellu")
    with pytest.raises(ValueError, match="class_name"):
        A.get({"config": {}})
    with pytest.raises(TypeError):
        A.get(3)
