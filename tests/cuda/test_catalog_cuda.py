"""Every op catalog row (tests/op_catalog) whose kernel has a CUDA kernel, run on ``cuda`` and
on the numpy reference backend with the same float32 inputs: the outputs must agree.

A few Hypothesis examples per row keep the simulator run short (each CUDA thread is a Python
thread there). Rows whose kernels all lack a CUDA kernel are left out: they would only test the
fallback. After each row, the backend must not have run its float32 case on the host.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import minitf as tf
from minitf.backends.cuda import import_kernels
from minitf.engine import registry
from op_catalog import ROWS, Row

pytestmark = pytest.mark.cuda

import_kernels()
CUDA_KERNELS = set(registry.kernel_names("cuda"))
RANDOM_ROWS = ("Dropout",)  # their reference reproduces numpy's generator, not the device's
ROWS_ON_CUDA = [r for r in ROWS if r.ref is not None and not r.name.startswith(RANDOM_ROWS)
                and ({r.kernel, *r.covers} & CUDA_KERNELS)]
FEW = settings(max_examples=3, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _run(row: Row, arrays: list[np.ndarray]) -> list[np.ndarray]:
    def go() -> list[np.ndarray]:
        ts = [tf.tensor(a, dtype="float32" if a.dtype.kind == "f" else None) for a in arrays]
        out = row.fn(*ts)
        return [o.numpy() for o in (out if isinstance(out, (list, tuple)) else [out])]

    return tf.tidy(go)


@pytest.mark.parametrize("row", ROWS_ON_CUDA, ids=[r.name for r in ROWS_ON_CUDA])
def test_cuda_matches_numpy(row: Row, backend) -> None:
    @FEW
    @given(row.args)
    def check(arrays: list[np.ndarray]) -> None:
        tf.set_backend("numpy")
        want = _run(row, arrays)
        tf.set_backend("cuda")
        got = _run(row, arrays)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=max(row.f32_rtol, 1e-4),
                                       atol=max(row.f32_atol, 1e-5))

    check()
    host_runs = [k for k in backend.fallbacks if k.endswith(":float32")
                 and k.split(":")[0] in {row.kernel, *row.covers}]
    assert not host_runs, f"float32 cases ran on the host: {host_runs}"


def test_rows_cover_the_cuda_kernels() -> None:
    """Every CUDA kernel is exercised by some catalog row (or a test of its own here)."""
    covered = {k for r in ROWS_ON_CUDA for k in (r.kernel, *r.covers)}
    own_tests = {"RandomUniform", "Fill", "OneHot", "Identity", "Pack", "Unpack"}
    missing = sorted(CUDA_KERNELS - covered - own_tests)
    assert not missing, f"CUDA kernels no catalog row exercises: {missing}"
