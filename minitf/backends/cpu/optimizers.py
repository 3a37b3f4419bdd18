"""Fused optimizer updates for the ``cpu`` backend: one parallel Numba pass per variable.

Same kernels, signatures and results as ``minitf/backends/numpy/optimizers.py``, bit for bit:
each loop body below is the NumPy kernel's lines for one element, in the same order, in float32
(no fastmath, so no reassociation or fused multiply-add). The hyper-parameters arrive already
cast to float32, ``1 - rho`` and the like computed before the cast, as the NumPy kernel does.

Small variables (under ``MIN_SIZE`` elements) and other dtypes than float32 run the NumPy
kernel: below that size a parallel call costs more to dispatch than it saves.

Debugging: ``NUMBA_DISABLE_JIT=1`` runs the loops below as plain Python.
"""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np
from numba import njit, prange

from ...engine.registry import register_kernel
from ..numpy import optimizers as reference

MIN_SIZE = 32_768  # elements; read at each call, so tests can lower it

f32 = np.float32


def large_float32(numpy_kernel: Callable) -> Callable[[Callable], Callable]:
    """Run the Numba kernel only when every array is float32 and ``x`` is large enough;
    otherwise run ``numpy_kernel``."""

    def deco(kernel: Callable) -> Callable:
        @functools.wraps(kernel)
        def run(*arrays: np.ndarray, **attrs: object) -> tuple[np.ndarray, ...]:
            if arrays[0].size < MIN_SIZE or any(a.dtype != np.float32 for a in arrays):
                return numpy_kernel(*arrays, **attrs)
            return kernel(*arrays, **attrs)

        return run

    return deco


def flat(*arrays: np.ndarray) -> list[np.ndarray]:
    """1-D C-contiguous views (copies only where an input is not contiguous)."""
    return [np.ascontiguousarray(a).reshape(-1) for a in arrays]


def empty_like(x: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """``n`` new float32 arrays shaped like ``x``, allocated by NumPy (huge pages), not Numba."""
    return tuple(np.empty(x.shape, np.float32) for _ in range(n))


# -- the loops: one element per iteration ------------------------------------------------------
@njit(parallel=True, cache=True)
def _gradient_descent(x, g, lr, new_x):  # pragma: no cover
    for i in prange(x.size):
        new_x[i] = x[i] - g[i] * lr


@njit(parallel=True, cache=True)
def _momentum(x, g, a, lr, mu, nesterov, new_x, new_a):  # pragma: no cover
    for i in prange(x.size):
        ai = a[i] * mu + g[i]
        step = g[i] + ai * mu if nesterov else ai
        new_x[i] = x[i] - step * lr
        new_a[i] = ai


@njit(parallel=True, cache=True)
def _rmsprop(x, g, rms, mom, lr, rho, one_minus_rho, mu, eps,
             new_x, new_rms, new_mom):  # pragma: no cover
    for i in prange(x.size):
        s = rms[i] * rho + g[i] * g[i] * one_minus_rho
        m = mom[i] * mu + g[i] * lr / np.sqrt(s + eps)
        new_x[i] = x[i] - m
        new_rms[i] = s
        new_mom[i] = m


@njit(parallel=True, cache=True)
def _centered_rmsprop(x, g, rms, mom, mg, lr, rho, one_minus_rho, mu, eps,
                      new_x, new_rms, new_mom, new_mg):  # pragma: no cover
    for i in prange(x.size):
        s = rms[i] * rho + g[i] * g[i] * one_minus_rho
        mgi = mg[i] * rho + g[i] * one_minus_rho
        m = mom[i] * mu + g[i] * lr / np.sqrt(s - (mgi * mgi + eps))
        new_x[i] = x[i] - m
        new_rms[i] = s
        new_mom[i] = m
        new_mg[i] = mgi


@njit(parallel=True, cache=True)
def _adam(x, g, m, v, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, bias1, bias2,
          new_x, new_m, new_v):  # pragma: no cover
    for i in prange(x.size):
        mi = m[i] * beta1 + g[i] * one_minus_beta1
        vi = v[i] * beta2 + g[i] * g[i] * one_minus_beta2
        new_x[i] = x[i] - mi / bias1 / (np.sqrt(vi / bias2) + eps) * lr
        new_m[i] = mi
        new_v[i] = vi


@njit(parallel=True, cache=True)
def _adamax(x, g, m, v, step, beta1, one_minus_beta1, beta2, eps,
            new_x, new_m, new_v):  # pragma: no cover
    for i in prange(x.size):
        mi = m[i] * beta1 + g[i] * one_minus_beta1
        decayed, norm = v[i] * beta2, abs(g[i])
        ui = decayed if decayed >= norm or decayed != decayed else norm  # np.maximum: NaN wins
        new_x[i] = x[i] - step * (mi / (ui + eps))
        new_m[i] = mi
        new_v[i] = ui


@njit(parallel=True, cache=True)
def _adagrad(x, g, accumulator, lr, eps, new_x, new_acc):  # pragma: no cover
    for i in prange(x.size):
        acc = accumulator[i] + g[i] * g[i]
        new_x[i] = x[i] - g[i] / np.sqrt(acc + eps) * lr
        new_acc[i] = acc


@njit(parallel=True, cache=True)
def _adadelta(x, g, accum_grad, accum_var, lr, rho, one_minus_rho, eps,
              new_x, new_acc, new_u):  # pragma: no cover
    for i in prange(x.size):
        delta = np.sqrt(accum_var[i] + eps) / np.sqrt(accum_grad[i] + eps) * g[i]
        new_acc[i] = accum_grad[i] * rho + g[i] * g[i] * one_minus_rho
        new_u[i] = accum_var[i] * rho + delta * delta * one_minus_rho
        new_x[i] = x[i] - delta * lr


# -- the kernels: numpy's signatures ------------------------------------------------------------
@register_kernel("ApplyGradientDescent", "cpu")
@large_float32(reference.apply_gradient_descent)
def apply_gradient_descent(x, g, *, lr):
    out = empty_like(x, 1)
    _gradient_descent(*flat(x, g), f32(lr), *flat(*out))
    return out


@register_kernel("ApplyMomentum", "cpu")
@large_float32(reference.apply_momentum)
def apply_momentum(x, g, momentum, *, lr, mu, use_nesterov):
    out = empty_like(x, 2)
    _momentum(*flat(x, g, momentum), f32(lr), f32(mu), bool(use_nesterov), *flat(*out))
    return out


@register_kernel("ApplyRMSProp", "cpu")
@large_float32(reference.apply_rmsprop)
def apply_rmsprop(x, g, rms, momentum, mg=None, *, lr, rho, mu, epsilon, centered):
    hyper = f32(lr), f32(rho), f32(1 - rho), f32(mu), f32(epsilon)
    if centered:
        out = empty_like(x, 4)
        _centered_rmsprop(*flat(x, g, rms, momentum, mg), *hyper, *flat(*out))
    else:
        out = empty_like(x, 3)
        _rmsprop(*flat(x, g, rms, momentum), *hyper, *flat(*out))
    return out


@register_kernel("ApplyAdam", "cpu")
@large_float32(reference.apply_adam)
def apply_adam(x, g, m, v, *, lr, beta1, beta2, epsilon, beta1_power, beta2_power):
    out = empty_like(x, 3)
    _adam(*flat(x, g, m, v), f32(lr), f32(beta1), f32(1 - beta1), f32(beta2), f32(1 - beta2),
          f32(epsilon), f32(1 - beta1_power), f32(1 - beta2_power), *flat(*out))
    return out


@register_kernel("ApplyAdamax", "cpu")
@large_float32(reference.apply_adamax)
def apply_adamax(x, g, m, v, *, lr, beta1, beta2, epsilon, beta1_power):
    out = empty_like(x, 3)
    step = f32(lr) / f32(1 - beta1_power)  # a float32 division, as in the NumPy kernel
    _adamax(*flat(x, g, m, v), step, f32(beta1), f32(1 - beta1), f32(beta2), f32(epsilon),
            *flat(*out))
    return out


@register_kernel("ApplyAdagrad", "cpu")
@large_float32(reference.apply_adagrad)
def apply_adagrad(x, g, accumulator, *, lr, epsilon):
    out = empty_like(x, 2)
    _adagrad(*flat(x, g, accumulator), f32(lr), f32(epsilon), *flat(*out))
    return out


@register_kernel("ApplyAdadelta", "cpu")
@large_float32(reference.apply_adadelta)
def apply_adadelta(x, g, accum_grad, accum_var, *, lr, rho, epsilon):
    out = empty_like(x, 3)
    _adadelta(*flat(x, g, accum_grad, accum_var), f32(lr), f32(rho), f32(1 - rho), f32(epsilon),
              *flat(*out))
    return out
