"""Catalog rows for the fused optimizer updates (minitf/backends/*/optimizers.py): ApplyAdam...

These kernels have no public op and no gradient; ``minitf/optimizers`` calls them through
``run_kernel``, and so do the rows. A row returns the new variable, then the new slots. The
references are the TF.js formulas of the optimizers' docstrings, in float64.
tests/optimizers/test_fused_updates.py checks the float32 results bit for bit.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from minitf.engine.dispatch import run_kernel
from strategies import arrays, shapes

from . import Row

LR, RHO, MU, EPS = 0.1, 0.9, 0.5, 1e-7
BETA1, BETA2, BETA1_POWER, BETA2_POWER = 0.9, 0.999, 0.729, 0.997

X, G = (-3.0, 3.0), (-3.0, 3.0)  # value ranges of the variable and its gradient
POSITIVE = (0.5, 2.0)  # accumulators of squares
MEAN_G = (-1.0, 1.0)  # centered RMSProp: keeps s - mg^2 - eps positive, away from sqrt's kink


@st.composite
def _state(draw: st.DrawFn, *slot_ranges: tuple[float, float]) -> list[np.ndarray]:
    """[x, g, *slots] of one shape, each slot drawn from its value range."""
    shape = draw(shapes(0, 3))
    return [draw(arrays(shape, lo, hi)) for lo, hi in (X, G, *slot_ranges)]


def _apply(kernel: str, slots: tuple[str, ...], **hyper: Any) -> Callable[..., list]:
    """The row's fn: the fused kernel on tensors (x, g, *slots); the new x, then the slots."""
    def fn(x, g, *values):
        return list(run_kernel(kernel, {"x": x, "g": g, **dict(zip(slots, values))}, **hyper))
    return fn


def _momentum_ref(x, g, a, nesterov=False):
    a = MU * a + g
    return [x - LR * (g + MU * a if nesterov else a), a]


def _rmsprop_ref(x, g, rms, mom, mg=None):
    s = RHO * rms + (1 - RHO) * g**2
    if mg is None:
        mom = MU * mom + LR * g / np.sqrt(s + EPS)
        return [x - mom, s, mom]
    mg = RHO * mg + (1 - RHO) * g
    mom = MU * mom + LR * g / np.sqrt(s - (mg**2 + EPS))
    return [x - mom, s, mom, mg]


def _adam_ref(x, g, m, v):
    m = BETA1 * m + (1 - BETA1) * g
    v = BETA2 * v + (1 - BETA2) * g**2
    return [x - LR * (m / (1 - BETA1_POWER)) / (np.sqrt(v / (1 - BETA2_POWER)) + EPS), m, v]


def _adamax_ref(x, g, m, u):
    m = BETA1 * m + (1 - BETA1) * g
    u = np.maximum(BETA2 * u, np.abs(g))
    return [x - LR / (1 - BETA1_POWER) * m / (u + EPS), m, u]


def _adagrad_ref(x, g, acc):
    acc = acc + g**2
    return [x - LR * g / np.sqrt(acc + EPS), acc]


def _adadelta_ref(x, g, acc, u):
    delta = np.sqrt(u + EPS) / np.sqrt(acc + EPS) * g
    return [x - LR * delta, RHO * acc + (1 - RHO) * g**2, RHO * u + (1 - RHO) * delta**2]


ADAM = dict(lr=LR, beta1=BETA1, beta2=BETA2, epsilon=EPS, beta1_power=BETA1_POWER)
RMSPROP = dict(lr=LR, rho=RHO, mu=MU, epsilon=EPS)

ROWS = [
    Row("ApplyGradientDescent", _apply("ApplyGradientDescent", (), lr=LR),
        lambda x, g: [x - LR * g], _state(), grad=False),
    Row("ApplyMomentum", _apply("ApplyMomentum", ("momentum",), lr=LR, mu=MU, use_nesterov=False),
        _momentum_ref, _state(X), grad=False),
    Row("ApplyMomentum", _apply("ApplyMomentum", ("momentum",), lr=LR, mu=MU, use_nesterov=True),
        lambda x, g, a: _momentum_ref(x, g, a, nesterov=True), _state(X), grad=False,
        id="ApplyMomentum-nesterov"),
    Row("ApplyRMSProp", _apply("ApplyRMSProp", ("rms", "momentum"), **RMSPROP, centered=False),
        _rmsprop_ref, _state(POSITIVE, X), grad=False),
    Row("ApplyRMSProp",
        _apply("ApplyRMSProp", ("rms", "momentum", "mg"), **RMSPROP, centered=True),
        _rmsprop_ref, _state((2.0, 3.0), X, MEAN_G), grad=False, id="ApplyRMSProp-centered"),
    Row("ApplyAdam", _apply("ApplyAdam", ("m", "v"), **ADAM, beta2_power=BETA2_POWER),
        _adam_ref, _state(G, POSITIVE), grad=False),
    Row("ApplyAdamax", _apply("ApplyAdamax", ("m", "v"), **ADAM), _adamax_ref,
        _state(G, (0.0, 3.0)), grad=False),
    Row("ApplyAdagrad", _apply("ApplyAdagrad", ("accumulator",), lr=LR, epsilon=EPS),
        _adagrad_ref, _state(POSITIVE), grad=False),
    Row("ApplyAdadelta", _apply("ApplyAdadelta", ("accum_grad", "accum_var"), lr=LR, rho=RHO,
                                epsilon=EPS),
        _adadelta_ref, _state(POSITIVE, POSITIVE), grad=False),
]
