"""The ``cpu`` backend's Numba kernels against the ``numpy`` reference kernels, on
Hypothesis-drawn small shapes (strides, dilations, valid/same/explicit padding) and one
mnist-sized case each. Pooling runs with its size threshold at 0, so that small shapes reach
the Numba loops; its inputs hold ties, NaN and -inf. Skipped where numba is not installed.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, reject, settings, strategies as st

pytest.importorskip("numba")

from minitf.backends.cpu import conv as cpu_conv, pool as cpu_pool  # noqa: E402
from minitf.backends.numpy import conv as np_conv, pool as np_pool  # noqa: E402
from minitf.ops.conv import conv_padding  # noqa: E402

TOL = dict(rtol=1e-4, atol=1e-4)


def _pad(draw: st.DrawFn) -> object:
    kind = draw(st.sampled_from(["valid", "same", "explicit"]))
    if kind != "explicit":
        return kind
    sides = [draw(st.integers(0, 2)) for _ in range(4)]
    return [[0, 0], sides[:2], sides[2:], [0, 0]]


@st.composite
def conv_case(draw: st.DrawFn):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    out = draw(st.sampled_from([1, 2, 3, 4, 16, 32]))  # 16, 32: gemm.py's product
    strides = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilations = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pad = _pad(draw)
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    try:
        pads, out_hw = conv_padding(pad, (h, w), (kh, kw), strides, dilations, "conv2d")
    except ValueError:  # the filter span does not fit the padded input
        reject()
    seed = draw(st.integers(0, 2**16))
    return (n, h, w, c), (kh, kw, c, out), strides, dilations, pads, out_hw, seed


def _conv_attrs(case):
    _, _, strides, dilations, pads, _, _ = case
    return dict(strides=strides, pad=pads, dilations=dilations)


def _check_conv(case, dtype=np.float32) -> None:
    x_shape, f_shape, _, _, _, out_hw, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    f = rng.standard_normal(f_shape).astype(dtype)
    dy = rng.standard_normal((x_shape[0], *out_hw, f_shape[3])).astype(dtype)
    attrs = _conv_attrs(case)
    y = cpu_conv.conv2d(x, f, **attrs)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, np_conv.conv2d(x, f, **attrs), **TOL)
    np.testing.assert_allclose(
        cpu_conv.conv2d_backprop_input(dy, f, input_shape=x_shape, **attrs),
        np_conv.conv2d_backprop_input(dy, f, input_shape=x_shape, **attrs), **TOL)
    np.testing.assert_allclose(
        cpu_conv.conv2d_backprop_filter(x, dy, filter_shape=f_shape, **attrs),
        np_conv.conv2d_backprop_filter(x, dy, filter_shape=f_shape, **attrs), **TOL)
    bias = rng.standard_normal(f_shape[3]).astype(dtype)
    for activation in cpu_conv.ACTIVATION_CODES:
        np.testing.assert_allclose(
            cpu_conv.fused_conv2d(x, f, bias, activation=activation, **attrs),
            np_conv.fused_conv2d(x, f, bias, activation=activation, **attrs), **TOL)
        y = np_conv.fused_conv2d(x, f, bias, activation=activation, **attrs)
        for input_grad in (True, False):
            got = cpu_conv.fused_conv2d_grad(x, f, dy, y, activation=activation,
                                             input_grad=input_grad, **attrs)
            want = np_conv.fused_conv2d_grad(x, f, dy, y, activation=activation,
                                             input_grad=input_grad, **attrs)
            assert len(got) == len(want) == (3 if input_grad else 2)
            for g, w in zip(got, want):
                assert g.dtype == w.dtype
                np.testing.assert_allclose(g, w, **TOL)


@pytest.mark.parametrize("own_gemm", [True, False])
@given(case=conv_case(), dtype=st.sampled_from([np.float32, np.float64]))
def test_conv_kernels_match_numpy(case, dtype, own_gemm) -> None:
    """Both ways through the kernels: gemm.py's product on virtual columns where it fits
    (float32, 16 or 32 filters), or everything through im2col and BLAS."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpu_conv, "OWN_GEMM", own_gemm)
        _check_conv(case, dtype)


@pytest.fixture(scope="module", autouse=True)
def numba_pooling_at_every_size():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpu_pool, "MIN_SIZE", 0)
        yield


@st.composite
def pool_case(draw: st.DrawFn):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    size = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = draw(st.sampled_from(["valid", "same", "explicit"]))
    if pad == "explicit":  # up to the filter size per side: some windows are padding only
        pad = [[0, 0], [draw(st.integers(0, size[0])) for _ in range(2)],
               [draw(st.integers(0, size[1])) for _ in range(2)], [0, 0]]
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    try:
        pads, out_hw = conv_padding(pad, (h, w), size, strides, (1, 1), "maxPool")
    except ValueError:  # the window does not fit the padded input
        reject()
    ties = draw(st.booleans())  # few distinct values, so windows hold tied maxima
    return (n, h, w, c), size, strides, pads, out_hw, ties, draw(st.integers(0, 2**16))


def _check_pool(case, specials: bool = True) -> None:
    x_shape, size, strides, pads, out_hw, ties, seed = case
    rng = np.random.default_rng(seed)
    x = (rng.integers(0, 3, x_shape) if ties else rng.standard_normal(x_shape)).astype(np.float32)
    if specials:  # NaN must win its windows and pass no gradient; -inf may tie with padding
        x.reshape(-1)[rng.random(x.size) < 0.1] = np.nan
        x.reshape(-1)[rng.random(x.size) < 0.1] = -np.inf
    dy = rng.standard_normal((x_shape[0], *out_hw, x_shape[3])).astype(np.float32)
    attrs = dict(filter_size=size, strides=strides, pad=pads)
    with np.errstate(all="ignore"):  # windows of padding only: 0 / 0 in NumPy's average
        for name in ["max_pool", "max_pool_grad", "avg_pool", "avg_pool_grad"]:
            args = (dy, x) if name.endswith("grad") else (x,)
            got = getattr(cpu_pool, name)(*args, **attrs)
            want = getattr(np_pool, name)(*args, **attrs)
            assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
            if name == "max_pool":
                np.testing.assert_array_equal(got, want)
            else:
                np.testing.assert_allclose(got, want, **TOL)


@given(pool_case())
def test_pool_kernels_match_numpy(case) -> None:
    _check_pool(case)


def test_max_pool_grad_rules_at_padding_and_nan() -> None:
    # -inf everywhere: border windows start on padding, which wins the tie and drops dy; a NaN
    # takes its windows and passes no gradient at all.
    pads, out_hw = conv_padding("same", (4, 5), (3, 3), (1, 1), (1, 1), "maxPool")
    attrs = dict(filter_size=(3, 3), strides=(1, 1), pad=pads)
    x = np.full((1, 4, 5, 2), -np.inf, dtype=np.float32)
    x[0, 2, 3, 1] = np.nan
    dy = np.arange(1, 1 + 4 * 5 * 2, dtype=np.float32).reshape(1, *out_hw, 2)
    want = np_pool.max_pool_grad(dy, x, **attrs)
    assert want[0, :, :, 0].sum() == dy[0, 1:, 1:, 0].sum()  # only windows starting inside
    np.testing.assert_array_equal(cpu_pool.max_pool(x, **attrs), np_pool.max_pool(x, **attrs))
    np.testing.assert_array_equal(cpu_pool.max_pool_grad(dy, x, **attrs), want)


def test_pool_kernels_take_other_dtypes() -> None:
    pads, _ = conv_padding("same", (5, 5), (2, 2), (2, 2), (1, 1), "maxPool")
    attrs = dict(filter_size=(2, 2), strides=(2, 2), pad=pads)
    x = np.arange(50, dtype=np.float64).reshape(1, 5, 5, 2)
    for name in ["max_pool", "avg_pool"]:
        y = getattr(cpu_pool, name)(x, **attrs)
        assert y.dtype == np.float64
        np.testing.assert_array_equal(y, getattr(np_pool, name)(x, **attrs))
        np.testing.assert_array_equal(getattr(cpu_pool, name + "_grad")(y, x, **attrs),
                                      getattr(np_pool, name + "_grad")(y, x, **attrs))


@pytest.mark.parametrize("x_shape, out", [((8, 28, 28, 1), 32), ((8, 26, 26, 32), 32),
                                          ((8, 12, 12, 32), 64), ((8, 10, 10, 64), 64)])
def test_conv_mnist_sizes(x_shape, out) -> None:
    pads, out_hw = conv_padding("valid", x_shape[1:3], (3, 3), (1, 1), (1, 1), "conv2d")
    _check_conv((x_shape, (3, 3, x_shape[3], out), (1, 1), (1, 1), pads, out_hw, 0))


@pytest.mark.parametrize("x_shape", [(8, 24, 24, 32), (8, 8, 8, 64)])
def test_pool_mnist_sizes(x_shape, monkeypatch) -> None:
    monkeypatch.setattr(cpu_pool, "MIN_SIZE", 32_768)
    pads, out_hw = conv_padding("valid", x_shape[1:3], (2, 2), (2, 2), (1, 1), "maxPool")
    _check_pool((x_shape, (2, 2), (2, 2), pads, out_hw, True, 0), specials=False)
    _check_pool((x_shape, (2, 2), (2, 2), pads, out_hw, False, 1))


def test_cpu_backend_registered_and_falls_back() -> None:
    from minitf.engine.backend import backend_names, get_backend_instance
    from minitf.engine.registry import find_kernel

    assert "cpu" in backend_names()
    backend = get_backend_instance("cpu")
    assert find_kernel("Conv2D", backend)[1] == "cpu"
    assert find_kernel("MaxPool", backend)[1] == "cpu"
    assert find_kernel("Cast", backend)[1] == "numpy"


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 30), st.integers(1, 30), st.booleans(), st.booleans(),
       st.integers(0, 2**16))
def test_split_matmul_matches_numpy(m, k, n, transpose_a, transpose_b, seed) -> None:
    from minitf.backends.cpu import linalg as cpu_linalg
    from minitf.backends.numpy import linalg as np_linalg

    rng = np.random.default_rng(seed)
    a = rng.standard_normal((k, m) if transpose_a else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if transpose_b else (k, n)).astype(np.float32)
    attrs = {"transpose_a": transpose_a, "transpose_b": transpose_b}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpu_linalg, "MIN_FLOPS", 0)  # split even the smallest product
        got = cpu_linalg.batch_mat_mul(a, b, **attrs)
    np.testing.assert_allclose(got, np_linalg.batch_mat_mul(a, b, **attrs), rtol=1e-5, atol=1e-5)


def test_worker_pool_follows_the_thread_count() -> None:
    from minitf.backends.cpu import threads, workers

    before = threads.get_num_threads()
    try:
        threads.set_num_threads(1)
        assert workers.size() == 1
        assert workers.run(lambda v: v * 2, [1, 2, 3]) == [2, 4, 6]
    finally:
        threads.set_num_threads(before)
    expected = before if threads.has_local_blas_threads() else 1
    assert workers.size() == expected
    assert workers.run(lambda v: v * 2, range(5)) == [0, 2, 4, 6, 8]


def test_worker_errors_propagate() -> None:
    from minitf.backends.cpu import workers

    def fail(v: int) -> int:
        raise ValueError(f"piece {v}")

    with pytest.raises(ValueError, match="piece"):
        workers.run(fail, [1, 2, 3])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 1000), st.integers(1, 600), st.integers(1, 4))
def test_conv_chunks_cover_the_batch_evenly(n, rows_per_image, k, threads_) -> None:
    """Chunks tile the batch in order, differ by one image at most, stay near CHUNK_BYTES, and
    come in a count the workers share evenly (unless every image is a chunk of its own)."""
    from minitf.backends.cpu import workers

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workers, "size", lambda: threads_)
        chunks = cpu_conv._chunks(n, rows_per_image * k * 4)
    assert chunks[0][0] == 0 and chunks[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
    sizes = [b1 - b0 for b0, b1 in chunks]
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1
    per_image = rows_per_image * k * 4
    assert max(sizes) == 1 or (max(sizes) - 1) * per_image <= cpu_conv.CHUNK_BYTES
    assert len(chunks) == n or (len(chunks) % threads_ == 0 and len(chunks) >= 2 * threads_)


@st.composite
def chain_case(draw: st.DrawFn):
    """A conv_case convolution, then a max pooling and a second convolution (both 'same', so
    that any size fits), in a random order after the first."""
    conv = draw(conv_case())
    out_c = conv[1][3]
    pool_stage = {"op": "max_pool", "filter_size": (draw(st.integers(1, 3)),) * 2,
                  "strides": (draw(st.integers(1, 2)), draw(st.integers(1, 2)))}
    second = {"op": "conv2d", "kh": draw(st.integers(1, 3)),
              "out": draw(st.sampled_from([3, 16, 32])), "activation": draw(
                  st.sampled_from(list(cpu_conv.ACTIVATION_CODES)))}
    order = draw(st.sampled_from([(pool_stage, second), (second, pool_stage), (second,)]))
    return conv, out_c, order, draw(st.integers(1, 5))


@pytest.mark.parametrize("own_gemm", [True, False])
@given(case=chain_case())
def test_conv_chain_matches_numpy(case, own_gemm) -> None:
    """The cpu chain (chunks of images through every stage) against the numpy one (each
    stage over the whole batch), float32, for gemm.py's product and for BLAS's."""
    from minitf.backends.cpu import chain as cpu_chain
    from minitf.backends.numpy import chain as np_chain

    (x_shape, f_shape, strides, dilations, pads, out_hw, seed), channels, order, n = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *x_shape[1:])).astype(np.float32)
    weights = [rng.standard_normal(f_shape).astype(np.float32),
               rng.standard_normal(f_shape[3]).astype(np.float32)]
    stages = [{"op": "conv2d", "strides": strides, "pad": pads, "dilations": dilations,
               "activation": "relu"}]
    height, width = out_hw
    for stage in order:
        if stage["op"] == "max_pool":
            attrs = {"filter_size": stage["filter_size"], "strides": stage["strides"]}
            attrs["pad"], (height, width) = conv_padding("same", (height, width),
                                                         stage["filter_size"], stage["strides"],
                                                         (1, 1), "maxPool")
            stages.append({"op": "max_pool", **attrs})
            continue
        k = stage["kh"]
        pad, (height, width) = conv_padding("same", (height, width), (k, k), (1, 1), (1, 1),
                                            "conv2d")
        weights += [rng.standard_normal((k, k, channels, stage["out"])).astype(np.float32),
                    rng.standard_normal(stage["out"]).astype(np.float32)]
        stages.append({"op": "conv2d", "strides": (1, 1), "pad": pad, "dilations": (1, 1),
                       "activation": stage["activation"]})
        channels = stage["out"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpu_conv, "OWN_GEMM", own_gemm)
        got = cpu_chain.fused_conv2d_chain(x, *weights, stages=tuple(stages))
    want = np_chain.fused_conv2d_chain(x, *weights, stages=tuple(stages))
    assert got.dtype == np.float32 and got.shape == want.shape == (n, height, width, channels)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)


@st.composite
def winograd_case(draw: st.DrawFn):
    """Convolutions that winograd.py takes: 3x3, stride 1, channels a multiple of the vector
    width in and of gemm.COLS out, even output sizes, any padding."""
    from minitf.backends.cpu import gemm, simd

    n, c = draw(st.integers(1, 3)), simd.LANES * draw(st.integers(1, 3))
    out = gemm.COLS * draw(st.integers(1, 2))
    out_h, out_w = 2 * draw(st.integers(1, 4)), 2 * draw(st.integers(1, 4))
    pad = _pad(draw)
    if pad == "valid":
        h, w = out_h + 2, out_w + 2
    elif pad == "same":
        h, w = out_h, out_w
    else:  # explicit: the input that these sides pad to out + 2
        h, w = out_h + 2 - sum(pad[1]), out_w + 2 - sum(pad[2])
        if min(h, w) < 1:
            pad, h, w = "valid", out_h + 2, out_w + 2
    pads, out_hw = conv_padding(pad, (h, w), (3, 3), (1, 1), (1, 1), "conv2d")
    assert tuple(out_hw) == (out_h, out_w)
    return (n, h, w, c), (3, 3, c, out), (1, 1), (1, 1), pads, out_hw, draw(st.integers(0, 2**16))


@given(case=winograd_case())
def test_winograd_convolutions_match_numpy(case) -> None:
    """Forward passes and input gradients through winograd.py (small images included, which
    the kernels otherwise leave to BLAS), against the numpy reference."""
    from minitf.backends.cpu import winograd

    x_shape, f_shape = case[0], case[1]
    assert winograd.fits(x_shape[3], f_shape[3], (3, 3), (1, 1), (1, 1), case[5], np.float32)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpu_conv, "WINOGRAD_INPUT_GRAD_MIN_SIDE", 0)
        _check_conv(case)


def test_winograd_tiles_match_the_direct_product() -> None:
    """winograd.conv on its own: the outputs of a few images equal gemm.py's direct
    convolution within float32 rounding, and the filters' transform is G g G^T."""
    from minitf.backends.cpu import winograd

    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 12, 8, 16)).astype(np.float32)
    f = rng.standard_normal((3, 3, 16, 32)).astype(np.float32)
    y = np.full((2, 10, 6, 32), np.nan, dtype=np.float32)
    winograd.conv(x, winograd.transform_filters(f), y)
    want = np_conv.conv2d(x.astype(np.float64), f.astype(np.float64), strides=(1, 1),
                          pad=((0, 0),) * 4, dilations=(1, 1))
    np.testing.assert_allclose(y, want, rtol=0, atol=2e-5 * np.abs(want).max())
    g = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
    u = winograd.transform_filters(f).reshape(4, 4, 16, 32)
    np.testing.assert_allclose(u[:, :, 3, 5], g @ f[:, :, 3, 5] @ g.T, rtol=1e-6)
    np.testing.assert_array_equal(winograd.flipped(f)[0, 2, 5, 3], f[2, 0, 3, 5])
