"""Four tests per catalog row (tests/op_catalog): forward against NumPy, gradient against
central differences in float64, float32 against float64, and every other backend against the
numpy reference. Plus the completeness check over the kernel and gradient registries.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitf as tf
from gradcheck import check_directional, check_gradients
from minitf.engine import registry
from minitf.engine.backend import backend_names, get_backend_instance
from op_catalog import ROWS, Row

DIFFERENTIABLE = [r for r in ROWS if r.grad]
REFERENCED = [r for r in ROWS if r.ref is not None]
RANDOM = [r for r in ROWS if r.ref is None]
FLOAT_IN = [r for r in REFERENCED if r.float_inputs]


def _testable(name: str) -> bool:
    """Whether backend ``name`` runs here on real hardware: ``cuda`` without a GPU cannot be
    selected, and under Numba's simulator tests/cuda checks it with fewer examples."""
    try:
        backend = get_backend_instance(name)
    except RuntimeError:
        return False
    return not getattr(getattr(backend, "device", None), "SIMULATED", False)


OTHER_BACKENDS = [b for b in backend_names() if b != "numpy" and _testable(b)]


def _ids(rows: list[Row]) -> list[str]:
    return [r.name for r in rows]


def _as_list(out: object) -> list:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _run(row: Row, arrays: list[np.ndarray], float_dtype: str) -> list[np.ndarray]:
    def go() -> list[np.ndarray]:
        ts = [tf.tensor(a, dtype=float_dtype if a.dtype.kind == "f" else None) for a in arrays]
        return [o.numpy() for o in _as_list(row.fn(*ts))]

    return tf.tidy(go)


def _settings(row: Row):
    return settings(max_examples=row.max_examples) if row.max_examples else (lambda f: f)


@pytest.mark.parametrize("row", REFERENCED, ids=_ids(REFERENCED))
def test_forward_matches_numpy(row: Row) -> None:
    @_settings(row)
    @given(row.args)
    def check(arrays: list[np.ndarray]) -> None:
        got = _run(row, arrays, "float64")
        want = _as_list(row.ref(*arrays))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == np.shape(w), f"{row.name}: shape {g.shape}, expected {np.shape(w)}"
            np.testing.assert_allclose(g, w, rtol=row.rtol, atol=row.atol)

    check()


@pytest.mark.parametrize("row", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_gradient_matches_finite_differences(row: Row) -> None:
    @_settings(row)
    @given(row.args, st.integers(0, 1000))
    def check(arrays: list[np.ndarray], seed: int) -> None:
        before = tf.memory().num_tensors
        if row.directional:
            check_directional(row.fn, arrays, seed, rtol=row.grad_rtol, atol=row.grad_atol)
        else:
            check_gradients(row.fn, arrays, seed, rtol=row.grad_rtol, atol=row.grad_atol)
        assert tf.memory().num_tensors == before, "the gradient check leaked tensors"

    check()


@pytest.mark.parametrize("row", FLOAT_IN, ids=_ids(FLOAT_IN))
def test_float32_agrees_with_float64(row: Row) -> None:
    @_settings(row)
    @given(row.args)
    def check(arrays: list[np.ndarray]) -> None:
        low = _run(row, arrays, "float32")
        high = _run(row, arrays, "float64")
        for lo, hi in zip(low, high):
            if np.issubdtype(hi.dtype, np.floating):
                assert lo.dtype == np.float32, f"{row.name}: float32 input gave {lo.dtype}"
            np.testing.assert_allclose(lo.astype(np.float64), hi, rtol=row.f32_rtol,
                                       atol=row.f32_atol)

    check()


@pytest.mark.parametrize("row", RANDOM, ids=_ids(RANDOM))
def test_random_statistics_and_seeding(row: Row) -> None:
    a = _run(row, [], "float64")[0]
    b = _run(row, [], "float64")[0]
    np.testing.assert_array_equal(a, b)  # same seed, same values
    assert abs(a.mean() - row.extra["mean"]) < 0.1
    assert abs(a.std() - row.extra["std"]) < 0.1
    if "bound" in row.extra:
        assert np.abs(a - row.extra["mean"]).max() <= row.extra["bound"] * max(row.extra["std"], 1)


if OTHER_BACKENDS:  # defined only when a backend besides the numpy reference is registered
    @pytest.mark.parametrize("backend", OTHER_BACKENDS)
    @pytest.mark.parametrize("row", REFERENCED, ids=_ids(REFERENCED))
    def test_backend_matches_numpy(row: Row, backend: str) -> None:
        @_settings(row)
        @given(row.args)
        def check(arrays: list[np.ndarray]) -> None:
            tf.set_backend("numpy")
            want = _run(row, arrays, "float32")
            tf.set_backend(backend)
            try:
                got = _run(row, arrays, "float32")
            finally:
                tf.set_backend("numpy")
            for g, w in zip(got, want):
                np.testing.assert_allclose(g, w, rtol=row.f32_rtol, atol=row.f32_atol)

        check()


def test_every_kernel_has_a_catalog_row() -> None:
    covered = {r.kernel for r in ROWS} | {k for r in ROWS for k in r.covers}
    missing = sorted(set(registry.kernel_names("numpy")) - covered)
    assert not missing, f"kernels without a catalog row: {missing}"


def test_every_gradient_is_checked() -> None:
    checked = {r.kernel for r in DIFFERENTIABLE} | {k for r in DIFFERENTIABLE for k in r.covers}
    missing = sorted(set(registry.gradient_names()) - checked)
    assert not missing, f"gradients never checked against finite differences: {missing}"
