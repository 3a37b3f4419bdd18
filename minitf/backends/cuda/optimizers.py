"""Fused optimizer updates for the ``cuda`` backend: one kernel per update rule and variable.

Same kernels, signatures and formulas as ``minitf/backends/numpy/optimizers.py``: each loop
body below is that kernel's lines for one element, in the same order, in float32. The
hyper-parameters become float32 on the host first, ``1 - rho`` and the like computed before the
cast, as the numpy kernel does. The GPU may fuse a multiply and an add into one instruction
(FMA), so results can differ from the numpy kernel in the last bit. Other dtypes than float32
run the numpy kernel on host copies.

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs the loops below as plain Python.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...engine.registry import register_kernel
from . import device, lift
from .device import cuda

f32 = np.float32


def _sig(arrays: int, scalars: int, extra: str = "") -> str:
    return "void(" + ", ".join(["float32[::1]"] * arrays + ["float32"] * scalars) + extra + ")"


def _update(kernel: Any, arrays: tuple, outputs: int, *scalars: Any) -> tuple:
    """Launch ``kernel(*arrays, *scalars, *new_arrays)`` over the variable; returns the
    ``outputs`` new arrays (the variable's new value, then its slots')."""
    new = tuple(device.empty(arrays[0].shape, np.float32) for _ in range(outputs))
    device.launch(kernel, int(arrays[0].size), *(device.flat(a) for a in arrays), *scalars,
                  *(device.flat(o) for o in new))
    return new


def _float32(*arrays: Any) -> bool:
    return lift.dtypes_in(arrays, ("float32",))


@device.kernel("ApplyGradientDescent", _sig(2, 1, ", float32[::1]"))
def _gradient_descent(x, g, lr, new_x):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        new_x[i] = x[i] - g[i] * lr


@register_kernel("ApplyGradientDescent", "cuda")
def apply_gradient_descent(x: Any, g: Any, *, lr: float) -> tuple:
    if not _float32(x, g):
        return lift.on_host("ApplyGradientDescent", x, g, lr=lr)
    return _update(_gradient_descent, (x, g), 1, f32(lr))


@device.kernel("ApplyMomentum", _sig(3, 2, ", boolean, float32[::1], float32[::1]"))
def _momentum(x, g, a, lr, mu, nesterov, new_x, new_a):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        ai = a[i] * mu + g[i]
        step = g[i] + ai * mu if nesterov else ai
        new_x[i] = x[i] - step * lr
        new_a[i] = ai


@register_kernel("ApplyMomentum", "cuda")
def apply_momentum(x: Any, g: Any, momentum: Any, *, lr: float, mu: float,
                   use_nesterov: bool) -> tuple:
    if not _float32(x, g, momentum):
        return lift.on_host("ApplyMomentum", x, g, momentum, lr=lr, mu=mu,
                            use_nesterov=use_nesterov)
    return _update(_momentum, (x, g, momentum), 2, f32(lr), f32(mu),
                   bool(use_nesterov))


@device.kernel("ApplyRMSProp", _sig(5, 5, ", boolean" + ", float32[::1]" * 4))
def _rmsprop(x, g, rms, mom, mg, lr, rho, one_minus_rho, mu, eps, centered,
             new_x, new_rms, new_mom, new_mg):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        s = rms[i] * rho + g[i] * g[i] * one_minus_rho
        if centered:
            mgi = mg[i] * rho + g[i] * one_minus_rho
            denominator = device.sqrt(s - (mgi * mgi + eps))  # TF.js subtracts eps here
            new_mg[i] = mgi
        else:
            denominator = device.sqrt(s + eps)
        m = mom[i] * mu + g[i] * lr / denominator
        new_x[i] = x[i] - m
        new_rms[i] = s
        new_mom[i] = m


@register_kernel("ApplyRMSProp", "cuda")
def apply_rmsprop(x: Any, g: Any, rms: Any, momentum: Any, mg: Any = None, *, lr: float,
                  rho: float, mu: float, epsilon: float, centered: bool) -> tuple:
    """Plain: (x, rms, momentum) -> new values. Centered: also the mean gradient ``mg``."""
    if not _float32(x, g, rms, momentum, mg):
        return lift.on_host("ApplyRMSProp", x, g, rms, momentum, mg, lr=lr, rho=rho, mu=mu,
                            epsilon=epsilon, centered=centered)
    new = [device.empty(x.shape, np.float32) for _ in range(4 if centered else 3)]
    unused = device.empty((0,), np.float32)  # stands for mg when not centered
    mean, new_mean = (mg, new[3]) if centered else (unused, unused)
    device.launch(_rmsprop, int(x.size), *(device.flat(a) for a in (x, g, rms, momentum, mean)),
                  f32(lr), f32(rho), f32(1 - rho), f32(mu), f32(epsilon), bool(centered),
                  *(device.flat(a) for a in (*new[:3], new_mean)))
    return tuple(new)


@device.kernel("ApplyAdam", _sig(4, 8, ", float32[::1]" * 3))
def _adam(x, g, m, v, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, bias1, bias2, eps,
          new_x, new_m, new_v):  # pragma: no cover  (device code)
    """bias1 = 1 - beta1^t and bias2 = 1 - beta2^t correct m and v for their zero start."""
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        mi = m[i] * beta1 + g[i] * one_minus_beta1
        vi = v[i] * beta2 + g[i] * g[i] * one_minus_beta2
        new_x[i] = x[i] - (mi / bias1) / (device.sqrt(vi / bias2) + eps) * lr
        new_m[i] = mi
        new_v[i] = vi


@register_kernel("ApplyAdam", "cuda")
def apply_adam(x: Any, g: Any, m: Any, v: Any, *, lr: float, beta1: float, beta2: float,
               epsilon: float, beta1_power: float, beta2_power: float) -> tuple:
    if not _float32(x, g, m, v):
        return lift.on_host("ApplyAdam", x, g, m, v, lr=lr, beta1=beta1, beta2=beta2,
                            epsilon=epsilon, beta1_power=beta1_power, beta2_power=beta2_power)
    return _update(_adam, (x, g, m, v), 3, f32(lr), f32(beta1), f32(1 - beta1), f32(beta2),
                   f32(1 - beta2), f32(1 - beta1_power), f32(1 - beta2_power), f32(epsilon))


@device.kernel("ApplyAdamax", _sig(4, 5, ", float32[::1]" * 3))
def _adamax(x, g, m, v, lr_t, beta1, one_minus_beta1, beta2, eps,
            new_x, new_m, new_u):  # pragma: no cover  (device code)
    """lr_t = lr / (1 - beta1^t); slot v holds the infinity norm u."""
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        mi = m[i] * beta1 + g[i] * one_minus_beta1
        decayed, size = v[i] * beta2, abs(g[i])
        ui = decayed if decayed > size or decayed != decayed else size  # np.maximum
        new_x[i] = x[i] - lr_t * (mi / (ui + eps))
        new_m[i] = mi
        new_u[i] = ui


@register_kernel("ApplyAdamax", "cuda")
def apply_adamax(x: Any, g: Any, m: Any, v: Any, *, lr: float, beta1: float, beta2: float,
                 epsilon: float, beta1_power: float) -> tuple:
    if not _float32(x, g, m, v):
        return lift.on_host("ApplyAdamax", x, g, m, v, lr=lr, beta1=beta1, beta2=beta2,
                            epsilon=epsilon, beta1_power=beta1_power)
    lr_t = f32(lr) / f32(1 - beta1_power)  # in float32, as the numpy kernel divides
    return _update(_adamax, (x, g, m, v), 3, f32(lr_t), f32(beta1), f32(1 - beta1), f32(beta2),
                   f32(epsilon))


@device.kernel("ApplyAdagrad", _sig(3, 2, ", float32[::1]" * 2))
def _adagrad(x, g, accumulator, lr, eps, new_x, new_acc):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        acc = accumulator[i] + g[i] * g[i]
        new_x[i] = x[i] - g[i] / device.sqrt(acc + eps) * lr
        new_acc[i] = acc


@register_kernel("ApplyAdagrad", "cuda")
def apply_adagrad(x: Any, g: Any, accumulator: Any, *, lr: float, epsilon: float) -> tuple:
    if not _float32(x, g, accumulator):
        return lift.on_host("ApplyAdagrad", x, g, accumulator, lr=lr, epsilon=epsilon)
    return _update(_adagrad, (x, g, accumulator), 2, f32(lr), f32(epsilon))


@device.kernel("ApplyAdadelta", _sig(4, 4, ", float32[::1]" * 3))
def _adadelta(x, g, accum_grad, accum_var, lr, rho, one_minus_rho, eps,
              new_x, new_acc, new_u):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        delta = device.sqrt(accum_var[i] + eps) / device.sqrt(accum_grad[i] + eps) * g[i]
        new_acc[i] = accum_grad[i] * rho + g[i] * g[i] * one_minus_rho
        new_u[i] = accum_var[i] * rho + delta * delta * one_minus_rho
        new_x[i] = x[i] - delta * lr


@register_kernel("ApplyAdadelta", "cuda")
def apply_adadelta(x: Any, g: Any, accum_grad: Any, accum_var: Any, *, lr: float, rho: float,
                   epsilon: float) -> tuple:
    if not _float32(x, g, accum_grad, accum_var):
        return lift.on_host("ApplyAdadelta", x, g, accum_grad, accum_var, lr=lr, rho=rho,
                            epsilon=epsilon)
    return _update(_adadelta, (x, g, accum_grad, accum_var), 3, f32(lr), f32(rho),
                   f32(1 - rho), f32(epsilon))
