"""Each update rule against the same two steps worked out by hand in float64 NumPy.

The problem: loss(w) = sum(K * w**2), so the gradient is g = 2 * K * w, with w0 = [1, -2].
Every expected value below is written from the TF.js formula in the optimizer's docstring,
step by step, without calling minitf; minitf runs in float32, so the comparison allows for
float32 rounding.
"""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf import train
from minitf.optimizers import Optimizer

W0 = np.array([1.0, -2.0])
K = np.array([0.5, 3.0])
EPS = 1e-7


def grad(w: np.ndarray) -> np.ndarray:
    return 2 * K * w


def run(opt: Optimizer, steps: int = 2) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """minitf: ``steps`` minimize calls; the values of w after each, and the slots at the end."""
    w = tf.variable(W0, name="rule_w")
    k = tf.tensor(K)
    trajectory = []
    for _ in range(steps):
        opt.minimize(lambda: tf.sum(k * w * w), var_list=[w])
        trajectory.append(w.numpy())
    weights = opt.get_weights()
    assert weights[0]["name"] == "iter" and weights[0]["tensor"].item() == steps
    slots = {e["name"].split("/")[-1]: e["tensor"].numpy() for e in weights[1:]}
    assert all(e["name"].startswith(f"{w.name}/") for e in weights[1:])
    tf.dispose([k, weights[0]["tensor"]])
    opt.dispose()
    return trajectory, slots


def check(opt: Optimizer, expected: list[np.ndarray], slots: dict[str, np.ndarray]) -> None:
    got, got_slots = run(opt)
    for step, (g, e) in enumerate(zip(got, expected), start=1):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7, err_msg=f"w after step {step}")
    assert list(got_slots) == list(slots)
    for name, value in slots.items():
        np.testing.assert_allclose(got_slots[name], value, rtol=1e-5, atol=1e-7, err_msg=name)


def test_sgd() -> None:
    lr = 0.1
    w1 = W0 - lr * grad(W0)
    w2 = w1 - lr * grad(w1)
    check(train.sgd(lr), [w1, w2], {})


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov: bool) -> None:
    lr, mu = 0.1, 0.9
    g1 = grad(W0)
    a1 = mu * 0 + g1
    w1 = W0 - lr * (g1 + mu * a1 if nesterov else a1)
    g2 = grad(w1)
    a2 = mu * a1 + g2
    w2 = w1 - lr * (g2 + mu * a2 if nesterov else a2)
    check(train.momentum(lr, mu, nesterov), [w1, w2], {"momentum": a2})


@pytest.mark.parametrize("mu", [0.0, 0.5])
def test_rmsprop(mu: float) -> None:
    lr, rho = 0.01, 0.9
    g1 = grad(W0)
    s1 = rho * 0 + (1 - rho) * g1**2
    mom1 = mu * 0 + lr * g1 / np.sqrt(s1 + EPS)
    w1 = W0 - mom1
    g2 = grad(w1)
    s2 = rho * s1 + (1 - rho) * g2**2
    mom2 = mu * mom1 + lr * g2 / np.sqrt(s2 + EPS)
    w2 = w1 - mom2
    check(train.rmsprop(lr, rho, mu), [w1, w2], {"rms": s2, "momentum": mom2})


def test_rmsprop_centered_subtracts_epsilon() -> None:
    lr, rho, mu = 0.01, 0.9, 0.5
    g1 = grad(W0)
    s1 = (1 - rho) * g1**2
    mg1 = (1 - rho) * g1
    mom1 = lr * g1 / np.sqrt(s1 - (mg1**2 + EPS))
    w1 = W0 - mom1
    g2 = grad(w1)
    s2 = rho * s1 + (1 - rho) * g2**2
    mg2 = rho * mg1 + (1 - rho) * g2
    mom2 = mu * mom1 + lr * g2 / np.sqrt(s2 - (mg2**2 + EPS))
    w2 = w1 - mom2
    check(train.rmsprop(lr, rho, mu, None, True), [w1, w2],
          {"rms": s2, "momentum": mom2, "mg": mg2})


def test_adam_adds_epsilon_after_bias_correction() -> None:
    lr, b1, b2 = 0.1, 0.9, 0.999
    g1 = grad(W0)
    m1 = (1 - b1) * g1
    v1 = (1 - b2) * g1**2
    w1 = W0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + EPS)
    g2 = grad(w1)
    m2 = b1 * m1 + (1 - b1) * g2
    v2 = b2 * v1 + (1 - b2) * g2**2
    w2 = w1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + EPS)
    check(train.adam(lr), [w1, w2], {"m": m2, "v": v2})


def test_adam_with_a_large_epsilon() -> None:
    lr, b1, b2, eps = 0.1, 0.8, 0.9, 0.5
    g1 = grad(W0)
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1**2
    w1 = W0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    g2 = grad(w1)
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2**2
    w2 = w1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    check(train.adam(lr, b1, b2, eps), [w1, w2], {"m": m2, "v": v2})


@pytest.mark.parametrize("decay", [0.0, 0.5])
def test_adamax(decay: float) -> None:
    lr, b1, b2 = 0.1, 0.9, 0.999
    g1 = grad(W0)
    m1 = (1 - b1) * g1
    u1 = np.maximum(b2 * 0, np.abs(g1))
    w1 = W0 - lr / (1 + decay * 0) / (1 - b1) * m1 / (u1 + EPS)
    g2 = grad(w1)
    m2 = b1 * m1 + (1 - b1) * g2
    u2 = np.maximum(b2 * u1, np.abs(g2))
    w2 = w1 - lr / (1 + decay * 1) / (1 - b1**2) * m2 / (u2 + EPS)
    check(train.adamax(lr, b1, b2, None, decay), [w1, w2], {"m": m2, "v": u2})


@pytest.mark.parametrize("initial", [0.1, 2.0])
def test_adagrad(initial: float) -> None:
    lr = 0.1
    g1 = grad(W0)
    acc1 = initial + g1**2
    w1 = W0 - lr * g1 / np.sqrt(acc1 + EPS)
    g2 = grad(w1)
    acc2 = acc1 + g2**2
    w2 = w1 - lr * g2 / np.sqrt(acc2 + EPS)
    check(train.adagrad(lr, initial), [w1, w2], {"accumulator": acc2})


def test_adadelta_uses_the_accumulator_from_before_the_step() -> None:
    lr, rho, eps = 1.0, 0.95, 1e-6
    g1 = grad(W0)
    acc0 = u0 = np.zeros(2)
    delta1 = np.sqrt(u0 + eps) / np.sqrt(acc0 + eps) * g1  # acc0, not the updated acc1
    acc1 = rho * acc0 + (1 - rho) * g1**2
    u1 = rho * u0 + (1 - rho) * delta1**2
    w1 = W0 - lr * delta1
    g2 = grad(w1)
    delta2 = np.sqrt(u1 + eps) / np.sqrt(acc1 + eps) * g2
    acc2 = rho * acc1 + (1 - rho) * g2**2
    u2 = rho * u1 + (1 - rho) * delta2**2
    w2 = w1 - lr * delta2
    check(train.adadelta(lr, rho, eps), [w1, w2], {"accum_grad": acc2, "accum_var": u2})
