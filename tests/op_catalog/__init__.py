"""The op catalog: one row per op, from which tests/ops/test_catalog.py generates four tests.

A row names the TF.js kernel it covers, the minitf call, an independent NumPy reference, a
Hypothesis strategy for the arguments (a list of arrays: float64 for float inputs, int32/bool
otherwise) and tolerances. The rows live in one module per op family, next to this file;
``ROWS`` gathers them. The completeness test fails when a registered kernel or gradient has no
row, so a new kernel cannot land untested.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import strategies as st


@dataclass
class Row:
    """One op under test.

    kernel      TF.js kernel name the row covers (also the test id unless ``id`` is given)
    fn          minitf call on tensors, e.g. ``lambda x: tf.relu(x)``; may return a list
    ref         NumPy reference on the same arrays (float64), or None for random ops
    args        Hypothesis strategy drawing the argument list
    grad        whether to check gradients against finite differences
    covers      other kernels this row exercises (gradient kernels such as MaxPoolGrad)
    directional use the random-direction gradient check (large inputs)
    float_inputs  whether the op takes float tensors (creation ops do not)
    """

    kernel: str
    fn: Callable[..., Any]
    ref: Callable[..., Any] | None
    args: st.SearchStrategy
    grad: bool = True
    covers: tuple[str, ...] = ()
    directional: bool = False
    float_inputs: bool = True  # False: the float32-vs-float64 test does not apply
    id: str | None = None
    rtol: float = 1e-6
    atol: float = 1e-6
    grad_rtol: float = 1e-5
    grad_atol: float = 1e-6
    f32_rtol: float = 1e-4
    f32_atol: float = 1e-5
    max_examples: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.id or self.kernel


def _collect() -> list[Row]:
    rows: list[Row] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        rows.extend(getattr(module, "ROWS", []))
    return rows


ROWS: list[Row] = _collect()
