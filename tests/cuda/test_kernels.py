"""CUDA kernels against the numpy reference kernels on shapes the catalog's tiny ones miss:
more elements than one launch has threads (grid-stride loops), matrices spanning several
16 x 16 tiles, rows longer than a reduction block, overlapping pooling windows with ties, and
the kernels no catalog row reaches (RandomUniform, Fill, OneHot, Pack, Unpack). Kernels are
called as the dispatcher calls them: arrays in, arrays out.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from minitf.engine.backend import get_backend_instance
from minitf.engine.registry import find_kernel

pytestmark = pytest.mark.cuda

RNG = np.random.default_rng(0)
TOL = dict(rtol=1e-4, atol=1e-5)


def randn(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def on_cuda(name: str, *arrays: np.ndarray, **attrs: Any) -> Any:
    """Kernel ``name`` of the cuda backend on device copies of ``arrays``; host results."""
    backend = get_backend_instance("cuda")
    kernel, owner = find_kernel(name, backend)
    assert owner == "cuda", f"{name} has no CUDA kernel"
    out = kernel(*(backend.from_numpy(np.asarray(a)) for a in arrays), **attrs)
    if isinstance(out, tuple):
        return tuple(backend.to_numpy(o) for o in out)
    return backend.to_numpy(out)


def on_numpy(name: str, *arrays: np.ndarray, **attrs: Any) -> Any:
    return find_kernel(name, get_backend_instance("numpy"))[0](*arrays, **attrs)


def check(name: str, *arrays: np.ndarray, tol: dict = TOL, **attrs: Any) -> None:
    got, want = on_cuda(name, *arrays, **attrs), on_numpy(name, *arrays, **attrs)
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        w = np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype, w.dtype)
        np.testing.assert_allclose(g, w, **tol)


@pytest.fixture(autouse=True)
def _cuda(backend):
    yield


# -- elementwise: grid-stride loops, broadcasting, NaN rules ----------------------------------
def test_elementwise_beyond_one_launch() -> None:
    x, row, col = randn(7, 31), randn(31), randn(7, 1)  # 217 elements > 2 blocks x 32 threads
    for name in ("Add", "Sub", "Multiply", "Maximum", "Minimum"):
        check(name, x, row)
        check(name, col, x)
    check("RealDiv", x, np.abs(row) + 1)
    check("Relu", x)
    check("Sigmoid", x * 30)  # large |x|: no overflow
    check("Step", x, alpha=0.25)
    check("ClipByValue", x, clip_value_min=-0.5, clip_value_max=0.7)
    check("Select", x > 0, x, np.float32(0))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_nan_rules_follow_numpy() -> None:
    x = np.array([np.nan, -1.0, 0.0, 2.0, np.inf, -np.inf], np.float32)
    y = np.array([1.0, np.nan, -0.0, 2.0, 1.0, np.nan], np.float32)
    for name in ("Relu", "Relu6", "Sign", "Abs", "Sigmoid", "Exp"):
        check(name, x)
    check("Step", x, alpha=0.5)
    for name in ("Maximum", "Minimum", "ReluGrad", "Equal", "Greater"):
        check(name, x, y)


def test_int_and_bool_elementwise() -> None:
    a = RNG.integers(-5, 5, (3, 4)).astype(np.int32)
    b = RNG.integers(-5, 5, (4,)).astype(np.int32)
    for name in ("Add", "Sub", "Multiply", "Maximum", "Equal", "Less"):
        check(name, a, b)
    check("LogicalAnd", a > 0, b > 0)
    check("LogicalNot", a > 0)
    for dtype in ("int32", "bool", "float32"):
        check("Cast", randn(5, 3) * 3, dtype=dtype)
        check("Cast", a, dtype=dtype)


# -- matmul ------------------------------------------------------------------------------------
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_spans_several_tiles(ta: bool, tb: bool) -> None:
    a = randn(*((33, 20) if ta else (20, 33)))  # m=20, k=33: partial tiles on every side
    b = randn(*((17, 33) if tb else (33, 17)))
    check("BatchMatMul", a, b, transpose_a=ta, transpose_b=tb, tol=dict(rtol=1e-4, atol=1e-4))


def test_batched_matmul_broadcasts_batches() -> None:
    check("BatchMatMul", randn(3, 1, 4, 5), randn(2, 5, 3), transpose_a=False,
          transpose_b=False)
    check("BatchMatMul", randn(2, 4, 5), randn(5, 3), transpose_a=False, transpose_b=False)
    check("BatchMatMul", randn(2, 0, 5), randn(5, 3), transpose_a=False, transpose_b=False)


# -- reductions, softmax -----------------------------------------------------------------------
@pytest.mark.parametrize("axes", [(1,), (0,), (0, 2), (), (0, 1, 2)])
def test_reductions_along_axes(axes: tuple[int, ...]) -> None:
    x = randn(3, 37, 2)  # rows longer than a reduction block (16 threads under the simulator)
    for name in ("Sum", "Mean", "Max", "Min"):
        check(name, x, axes=axes, keep_dims=False)
        check(name, x, axes=axes, keep_dims=True)
    check("Prod", x[:, :4] / 2 + 1, axes=axes, keep_dims=False)


def test_argmax_ties_and_nan() -> None:
    x = np.array([[1, 3, 3, 0], [2, np.nan, 5, np.nan], [-1, -1, -1, -1]], np.float32)
    for name in ("ArgMax", "ArgMin"):
        check(name, x, axis=1)
        check(name, randn(40, 3), axis=0)
    check("Sum", np.zeros((3, 0), np.float32), axes=(1,), keep_dims=False)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_softmax_along_each_axis(axis: int) -> None:
    x = randn(3, 20, 4) * 5
    check("Softmax", x, dim=axis)
    check("LogSoftmax", x, axis=axis)


# -- shape kernels -------------------------------------------------------------------------
def test_shape_kernels() -> None:
    x = randn(3, 4, 5)
    check("Transpose", x, perm=(2, 0, 1))
    check("BroadcastTo", randn(4, 1), shape=(2, 4, 6))
    check("Slice", x, begin=(1, 0, 2), size=(2, 4, 2))
    check("StridedSlice", x, begin=(2, 0, 4), size=(2, 2, 3), strides=(-1, 2, -2),
          shape=(2, 2, 3))
    check("Reverse", x, axes=(0, 2))
    check("Concat", x, randn(3, 2, 5), axis=1, sizes=(4, 2))
    check("Pack", x, x, axis=1)
    check("Unpack", x, axis=2)
    check("SplitV", x, sizes=(1, 3, 1), axis=2)
    check("PadV2", x, paddings=((1, 0), (0, 2), (2, 1)), constant_value=-1.5)
    idx = np.array([[3, 0], [1, 1]], np.int32)
    check("GatherV2", x, idx, axis=1)
    assert on_cuda("Reshape", x, shape=(12, 5)).shape == (12, 5)


def test_gather_out_of_range_gives_zeros() -> None:
    out = on_cuda("GatherV2", randn(4, 2), np.array([1, 7, -1], np.int32), axis=0)
    np.testing.assert_array_equal(out[1:], 0)


def test_creation_kernels() -> None:
    np.testing.assert_array_equal(on_cuda("Fill", shape=(2, 3), value=1.5, dtype="float32"),
                                  np.full((2, 3), 1.5, np.float32))
    assert on_cuda("Fill", shape=(4,), value=True, dtype="bool").all()
    check("OneHot", np.array([[0, 3], [-1, 2]], np.int32), depth=3, on_value=2.0,
          off_value=-1.0, dtype="float32")


def test_random_uniform_statistics_and_seeding() -> None:
    attrs = dict(shape=(4000,), minval=-1.0, maxval=3.0, dtype="float32")
    a = on_cuda("RandomUniform", seed=5, **attrs)
    np.testing.assert_array_equal(a, on_cuda("RandomUniform", seed=5, **attrs))
    assert not np.array_equal(a, on_cuda("RandomUniform", seed=6, **attrs))
    assert a.dtype == np.float32 and a.min() >= -1 and a.max() < 3
    assert abs(a.mean() - 1.0) < 0.1 and abs(a.std() - 4 / np.sqrt(12)) < 0.1
    counts = np.histogram(a, bins=8, range=(-1, 3))[0]
    assert counts.min() > 0.8 * 500, counts  # roughly flat


# -- conv and pooling --------------------------------------------------------------------------
CONV_CASES = [  # x shape, filter shape, strides, pad, dilations
    ((1, 7, 6, 3), (3, 3, 3, 4), (1, 1), ((0, 0), (0, 0), (0, 0), (0, 0)), (1, 1)),
    ((1, 7, 7, 2), (3, 2, 2, 3), (2, 1), ((0, 0), (1, 1), (0, 1), (0, 0)), (1, 1)),
    ((2, 6, 5, 1), (2, 3, 1, 2), (1, 1), ((0, 0), (1, 0), (2, 2), (0, 0)), (2, 2)),
]


@pytest.mark.parametrize("x_shape,f_shape,strides,pad,dilations", CONV_CASES)
def test_conv_forward_and_backward(x_shape, f_shape, strides, pad, dilations) -> None:
    x, f = randn(*x_shape), randn(*f_shape)
    attrs = dict(strides=strides, pad=pad, dilations=dilations)
    y = on_numpy("Conv2D", x, f, **attrs)
    dy = randn(*y.shape)
    tol = dict(rtol=1e-4, atol=1e-4)
    check("Conv2D", x, f, tol=tol, **attrs)
    check("FusedConv2D", x, f, randn(f_shape[3]), activation="relu", tol=tol, **attrs)
    check("Conv2DBackpropInput", dy, f, input_shape=x_shape, tol=tol, **attrs)
    check("Conv2DBackpropFilter", x, dy, filter_shape=f_shape, tol=tol, **attrs)


@pytest.mark.parametrize("size,strides,pad", [
    ((2, 2), (2, 2), ((0, 0), (0, 0), (0, 0), (0, 0))),
    ((3, 3), (1, 1), ((0, 0), (1, 1), (1, 1), (0, 0))),  # overlapping windows, padding
    ((2, 3), (1, 2), ((0, 0), (0, 1), (1, 0), (0, 0))),
])
def test_pooling_forward_and_backward(size, strides, pad) -> None:
    x = np.round(randn(2, 7, 6, 3))  # many ties: the gradient goes to the first maximum
    attrs = dict(filter_size=size, strides=strides, pad=pad)
    y = on_numpy("MaxPool", x, **attrs)
    dy = randn(*y.shape)
    for name in ("MaxPool", "AvgPool"):
        check(name, x, **attrs)
    for name in ("MaxPoolGrad", "AvgPoolGrad"):
        check(name, dy, x, **attrs)
