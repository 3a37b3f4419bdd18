"""The ``cpu`` backend's elementwise and reduction kernels against the ``numpy`` reference
kernels, on Hypothesis-drawn shapes (odd sizes, size-1 axes, every broadcast the kernels handle
and some they leave to NumPy) with NaN, infinities and signed zeros among the values.

The size threshold is set to 0 here so that small shapes run the Numba loops; one test per
family runs at the real threshold on mnist-sized arrays. Elementwise results must be
bit-identical to NumPy's; sums may differ by rounding. Skipped where numba is not installed.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

pytest.importorskip("numba")

from minitf.backends.cpu import elementwise as cpu_ew, reduction as cpu_red  # noqa: E402
from minitf.backends.numpy import elementwise as np_ew, reduction as np_red  # noqa: E402

UNARY = ["relu", "step", "sqrt"]
BINARY = ["add", "sub", "multiply", "real_div", "maximum"]
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0], dtype=np.float32)
MIN_SIZES = cpu_ew.MIN_SIZE, cpu_red.MIN_SIZE  # the real thresholds, before the fixture


@pytest.fixture(scope="module", autouse=True)
def numba_at_every_size():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpu_ew, "MIN_SIZE", 0)
        mp.setattr(cpu_red, "MIN_SIZE", 0)
        yield


def _values(shape: tuple[int, ...], seed: int, dtype=np.float32) -> np.ndarray:
    """Normal values with a few special ones (NaN, +-inf, +-0, +-1) sprinkled in."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    flat = x.reshape(-1)
    spots = rng.random(flat.size) < 0.2
    flat[spots] = rng.choice(SPECIAL, int(spots.sum()))
    if dtype == np.bool_:
        return x > 0
    if dtype == np.int32:
        return np.round(3 * np.nan_to_num(x, posinf=3, neginf=-3)).astype(np.int32)
    return x.astype(dtype)


def _same_bits(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype == np.float32:  # bit for bit: signed zeros and NaNs included
        got, want = got.view(np.int32), want.view(np.int32)
    np.testing.assert_array_equal(got, want)


def _run(kernel, *args, **attrs) -> np.ndarray:
    with np.errstate(all="ignore"):  # sqrt(-1), 0 / 0, inf - inf
        return np.asarray(kernel(*args, **attrs))


shapes = st.lists(st.integers(1, 7), min_size=0, max_size=4).map(tuple)


@st.composite
def binary_case(draw: st.DrawFn):
    """Two shapes: equal, a scalar and an array, an array and its trailing axes (either order),
    or a general broadcast that the kernels leave to NumPy."""
    shape = draw(shapes)
    kind = draw(st.sampled_from(["same", "scalar", "trailing", "trailing", "general"]))
    if kind == "same":
        other = shape
    elif kind == "scalar":
        other = (1,) * draw(st.integers(0, len(shape)))
    elif kind == "trailing":
        other = shape[len(shape) - draw(st.integers(0, len(shape))):]
    else:
        other = tuple(draw(st.sampled_from([1, d])) for d in shape)
    a, b = (shape, other) if draw(st.booleans()) else (other, shape)
    return a, b, draw(st.integers(0, 2**16))


@given(shapes, st.integers(0, 2**16), st.floats(-2, 2, width=32))
def test_unary_kernels_match_numpy_bit_for_bit(shape, seed, alpha) -> None:
    x = _values(shape, seed)
    for name in UNARY:
        attrs = {"alpha": alpha} if name == "step" else {}
        _same_bits(_run(getattr(cpu_ew, name), x, **attrs),
                   _run(getattr(np_ew, name), x, **attrs))


@given(shapes, st.integers(0, 2**16))
def test_relu_grad_matches_numpy_bit_for_bit(shape, seed) -> None:
    dy, y = _values(shape, seed), _values(shape, seed + 1)
    _same_bits(_run(cpu_ew.relu_grad, dy, y), _run(np_ew.relu_grad, dy, y))
    _same_bits(_run(np_ew.relu_grad, dy, y), _run(np_ew.multiply, dy, np_ew.step(y, alpha=0.0)))


@given(binary_case())
def test_binary_kernels_match_numpy_bit_for_bit(case) -> None:
    a_shape, b_shape, seed = case
    a, b = _values(a_shape, seed), _values(b_shape, seed + 1)
    for name in BINARY:
        _same_bits(_run(getattr(cpu_ew, name), a, b), _run(getattr(np_ew, name), a, b))


@given(binary_case(), st.sampled_from([np.float64, np.int32, np.bool_]))
def test_other_dtypes_run_the_reference(case, dtype) -> None:
    a_shape, b_shape, seed = case
    a, b = _values(a_shape, seed, dtype), _values(b_shape, seed + 1, dtype)
    for name in ["add", "multiply", "maximum"] + (["sub"] if dtype != np.bool_ else []):
        _same_bits(_run(getattr(cpu_ew, name), a, b), _run(getattr(np_ew, name), a, b))
    if dtype != np.bool_:
        _same_bits(_run(cpu_ew.relu, a), _run(np_ew.relu, a))


def test_strided_and_readonly_inputs() -> None:
    x = _values((6, 5, 4), 0)
    readonly = x.copy()
    readonly.flags.writeable = False
    for a in (x.transpose(2, 0, 1), x[:, ::2], readonly):
        _same_bits(_run(cpu_ew.relu, a), _run(np_ew.relu, a))
        _same_bits(_run(cpu_ew.add, a, a), _run(np_ew.add, a, a))
    scalar = np.float32(0.5).reshape(())  # read-only, yet the scalar loop takes it
    _same_bits(_run(cpu_ew.sub, scalar, x), _run(np_ew.sub, scalar, x))


@st.composite
def reduction_case(draw: st.DrawFn):
    """A shape and axes: leading, trailing, or any other subset (left to NumPy)."""
    shape = draw(st.lists(st.integers(1, 7), min_size=1, max_size=4).map(tuple))
    k = draw(st.integers(0, len(shape)))
    kind = draw(st.sampled_from(["leading", "trailing", "any"]))
    if kind == "leading":
        axes = tuple(range(k))
    elif kind == "trailing":
        axes = tuple(range(len(shape) - k, len(shape)))
    else:
        axes = tuple(sorted(draw(st.sets(st.integers(0, len(shape) - 1)))))
    return shape, axes, draw(st.booleans()), draw(st.integers(0, 2**16))


@given(reduction_case(), st.sampled_from([np.float32, np.float32, np.float64, np.int32, np.bool_]))
def test_sum_and_mean_match_numpy(case, dtype) -> None:
    shape, axes, keep_dims, seed = case
    x = np.nan_to_num(_values(shape, seed), posinf=3, neginf=-3).astype(dtype)
    count = math.prod(shape[a] for a in axes)
    for name in ["sum_", "mean"] if dtype != np.bool_ else ["sum_"]:
        got = _run(getattr(cpu_red, name), x, axes=axes, keep_dims=keep_dims)
        want = _run(getattr(np_red, name), x, axes=axes, keep_dims=keep_dims)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * count)


def test_sums_keep_nan_and_inf() -> None:
    x = np.ones((5, 4, 3), dtype=np.float32)
    x[1, 2, 0], x[3, 0, 1], x[0, 1, 2] = np.nan, np.inf, -np.inf
    for axes in [(0,), (0, 1), (2,), (1, 2)]:
        np.testing.assert_array_equal(cpu_red.sum_(x, axes=axes, keep_dims=False),
                                      np_red.sum_(x, axes=axes, keep_dims=False))


@pytest.mark.parametrize("shape", [(32, 26, 26, 32), (64, 8, 8, 64)])
def test_mnist_sizes_at_the_real_threshold(shape, monkeypatch) -> None:
    monkeypatch.setattr(cpu_ew, "MIN_SIZE", MIN_SIZES[0])
    monkeypatch.setattr(cpu_red, "MIN_SIZE", MIN_SIZES[1])
    x, y, bias = _values(shape, 0), _values(shape, 1), _values(shape[-1:], 2)
    _same_bits(_run(cpu_ew.relu, x), _run(np_ew.relu, x))
    _same_bits(_run(cpu_ew.step, x, alpha=0.0), _run(np_ew.step, x, alpha=0.0))
    _same_bits(_run(cpu_ew.multiply, x, y), _run(np_ew.multiply, x, y))
    _same_bits(_run(cpu_ew.add, x, bias), _run(np_ew.add, x, bias))
    _same_bits(_run(cpu_ew.real_div, bias, x), _run(np_ew.real_div, bias, x))
    _same_bits(_run(cpu_ew.sqrt, x), _run(np_ew.sqrt, x))
    finite = np.nan_to_num(x, posinf=3, neginf=-3)
    for axes in [(0, 1, 2), (3,)]:
        np.testing.assert_allclose(cpu_red.sum_(finite, axes=axes, keep_dims=True),
                                   np_red.sum_(finite, axes=axes, keep_dims=True),
                                   rtol=1e-5, atol=1e-3)


def test_small_inputs_skip_numba(monkeypatch) -> None:
    monkeypatch.setattr(cpu_ew, "MIN_SIZE", MIN_SIZES[0])
    monkeypatch.setattr(cpu_red, "MIN_SIZE", MIN_SIZES[1])

    def fail(*args):
        raise AssertionError("a small input reached a Numba kernel")

    for module, loop in [(cpu_ew, "_unary"), (cpu_ew, "_binary_rows"), (cpu_red, "_sum_rows"),
                         (cpu_red, "_sum_cols")]:
        monkeypatch.setattr(module, loop, fail)
    x = np.ones((4, 6, 6, 8), dtype=np.float32)
    cpu_ew.relu(x), cpu_ew.add(x, x[0, 0, 0]), cpu_ew.multiply(x, x)
    cpu_red.sum_(x, axes=(0, 1, 2), keep_dims=False), cpu_red.sum_(x, axes=(3,), keep_dims=False)


def test_kernels_are_registered_on_cpu() -> None:
    from minitf.engine.backend import get_backend_instance
    from minitf.engine.registry import find_kernel

    backend = get_backend_instance("cpu")
    for name in ["Relu", "Step", "Sqrt", "Add", "Sub", "Multiply", "RealDiv", "Maximum", "Sum",
                 "Mean", "MaxPool", "MaxPoolGrad", "AvgPool", "AvgPoolGrad"]:
        assert find_kernel(name, backend)[1] == "cpu", name
