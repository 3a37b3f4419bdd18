"""Fused optimizer updates: one kernel per update rule, named after TF's training ops.

Each kernel takes the variable ``x``, its gradient ``g`` and its slots (in the optimizer's
``slot_names`` order), with the hyper-parameters as attributes, and returns a tuple: the new
value of ``x``, then the new slots in the same order. The optimizer assigns them
(minitf/optimizers/base.py ``_apply``). There is no gradient: an update is not differentiated.

These are the reference for the fused ``cpu`` kernels, and they give bit for bit what the rules
written in minitf ops gave. Hence the two habits below:
- a Python number becomes the variable's dtype *before* it meets an array, as minitf ops cast
  it (``f(1 - rho)`` is float32(1 - rho), not 1 - float32(rho));
- the operations keep the order the TF.js formulas give them: ``g * lr / d`` is (g·lr)/d.
``x - step * lr`` equals TF.js's ``x + step * -lr`` exactly (IEEE negation is exact).
"""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel


@register_kernel("ApplyGradientDescent", "numpy")
def apply_gradient_descent(x: np.ndarray, g: np.ndarray, *, lr: float) -> tuple[np.ndarray]:
    f = x.dtype.type  # Python numbers become the variable's dtype first, as in minitf ops
    return (x - g * f(lr),)


@register_kernel("ApplyMomentum", "numpy")
def apply_momentum(x: np.ndarray, g: np.ndarray, momentum: np.ndarray, *, lr: float,
                   mu: float, use_nesterov: bool) -> tuple[np.ndarray, np.ndarray]:
    f = x.dtype.type
    a = momentum * f(mu) + g
    step = g + a * f(mu) if use_nesterov else a
    return x - step * f(lr), a


@register_kernel("ApplyRMSProp", "numpy")
def apply_rmsprop(x: np.ndarray, g: np.ndarray, rms: np.ndarray, momentum: np.ndarray,
                  mg: np.ndarray | None = None, *, lr: float, rho: float, mu: float,
                  epsilon: float, centered: bool) -> tuple[np.ndarray, ...]:
    """Plain: (x, rms, momentum) -> new values. Centered: also the mean gradient ``mg``."""
    f = x.dtype.type
    s = rms * f(rho) + np.square(g) * f(1 - rho)
    if centered:
        mg = mg * f(rho) + g * f(1 - rho)
        denominator = np.sqrt(s - (np.square(mg) + f(epsilon)))  # TF.js subtracts ε here
    else:
        denominator = np.sqrt(s + f(epsilon))
    mom = momentum * f(mu) + g * f(lr) / denominator
    return (x - mom, s, mom, mg) if centered else (x - mom, s, mom)


@register_kernel("ApplyAdam", "numpy")
def apply_adam(x: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, *, lr: float,
               beta1: float, beta2: float, epsilon: float, beta1_power: float,
               beta2_power: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = x.dtype.type
    m = m * f(beta1) + g * f(1 - beta1)
    v = v * f(beta2) + np.square(g) * f(1 - beta2)
    m_hat = m / f(1 - beta1_power)
    v_hat = v / f(1 - beta2_power)
    return x - m_hat / (np.sqrt(v_hat) + f(epsilon)) * f(lr), m, v


@register_kernel("ApplyAdamax", "numpy")
def apply_adamax(x: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, *, lr: float,
                 beta1: float, beta2: float, epsilon: float,
                 beta1_power: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``lr`` is the decayed rate lr_t; slot ``v`` holds the infinity norm u."""
    f = x.dtype.type
    m = m * f(beta1) + g * f(1 - beta1)
    u = np.maximum(v * f(beta2), np.abs(g))
    return x - f(lr) / f(1 - beta1_power) * (m / (u + f(epsilon))), m, u


@register_kernel("ApplyAdagrad", "numpy")
def apply_adagrad(x: np.ndarray, g: np.ndarray, accumulator: np.ndarray, *, lr: float,
                  epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    f = x.dtype.type
    acc = accumulator + np.square(g)
    return x - g / np.sqrt(acc + f(epsilon)) * f(lr), acc


@register_kernel("ApplyAdadelta", "numpy")
def apply_adadelta(x: np.ndarray, g: np.ndarray, accum_grad: np.ndarray, accum_var: np.ndarray,
                   *, lr: float, rho: float,
                   epsilon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = x.dtype.type
    delta = np.sqrt(accum_var + f(epsilon)) / np.sqrt(accum_grad + f(epsilon)) * g
    acc = accum_grad * f(rho) + np.square(g) * f(1 - rho)
    u = accum_var * f(rho) + np.square(delta) * f(1 - rho)
    return x - delta * f(lr), acc, u
