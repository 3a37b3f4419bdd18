"""Convolution kernels for the ``cpu`` backend: convolutions as matrix products.

im2col would write every filter window of the (implicitly padded) input into one row of a column
matrix [images * out_h * out_w, kh * kw * c]; the convolution and its filter gradient are then
one matrix product each. Where ``gemm.py``'s product fits (float32, a filter count that is a
multiple of gemm.COLS), that matrix is never written: ``Windows`` describes it by offsets and
the product reads the windows straight from the image. Elsewhere im2col (Numba) writes it into
a scratch matrix and NumPy's BLAS multiplies. For the input gradient, BLAS multiplies dz by the
filters and col2im adds the rows of the resulting columns back onto the image.

3x3 convolutions of stride 1 go through Winograd's algorithm instead (``winograd.py``, 2.25x
fewer multiply-adds) where it fits: the forward pass, and the input gradient of images of
WINOGRAD_INPUT_GRAD_MIN_SIDE pixels or more, as the convolution of the padded dz with the
flipped filters. ``_product`` picks the forward pass's way, ``_input_grad_winograd`` the input
gradient's.

The batch is cut into chunks of a few images, and the chunks are shared out among the worker
threads of ``workers.py``: each worker runs the product of its chunk (gemm.py, or im2col and
single-threaded BLAS in its own reused scratch matrix) and, for the fused kernels, the bias and
activation or the activation's derivative. A chunk's columns (about CHUNK_BYTES) are still in
the cache when the product reads them back.

Same signatures and attributes as ``minitf/backends/numpy/conv.py``: NHWC images, HWIO filters,
``pad`` TF's explicit ``((0, 0), (top, bottom), (left, right), (0, 0))``.

Debugging: ``NUMBA_DISABLE_JIT=1 python -m pytest tests/backends/test_cpu_kernels.py`` runs the
loops below as plain Python, so breakpoints and prints work in them.
"""
from __future__ import annotations

import functools
import math
from typing import Sequence

import numpy as np
from numba import njit

from ...engine.registry import register_kernel
from . import gemm, winograd, workers

Pairs = Sequence[Sequence[int]]

CHUNK_BYTES = 4 << 20  # columns per chunk: well inside the L3 cache, big enough for BLAS


@njit(cache=True, nogil=True)
def im2col(x, cols, kh, kw, sh, sw, dh, dw, top, left, out_h, out_w):  # pragma: no cover
    """cols[(b*out_h + p)*out_w + q, (i*kw + j)*c + k] = padded x[b, p*sh + i*dh, q*sw + j*dw, k]
    (zero in the padding)."""
    n, height, width, c = x.shape
    for bp in range(n * out_h):
        b = bp // out_h
        p = bp % out_h
        for q in range(out_w):
            row = bp * out_w + q
            for i in range(kh):
                r = p * sh + i * dh - top
                for j in range(kw):
                    s = q * sw + j * dw - left
                    base = (i * kw + j) * c
                    if r < 0 or r >= height or s < 0 or s >= width:
                        for k in range(c):
                            cols[row, base + k] = 0
                    else:
                        for k in range(c):
                            cols[row, base + k] = x[b, r, s, k]


@njit(cache=True, nogil=True)
def col2im(cols, dx, kh, kw, sh, sw, dh, dw, top, left, out_h, out_w):  # pragma: no cover
    """The adjoint of im2col: dx = the sum of each column row added back where it came from.

    Each cell of dx gathers every (output pixel, filter tap) that read it, image row by image
    row, so dx needs no zeroing beforehand.
    """
    n, height, width, c = dx.shape
    for br in range(n * height):
        b = br // height
        r = br % height
        for s in range(width):
            for k in range(c):
                dx[b, r, s, k] = 0
        for i in range(kh):
            # output rows p with p*sh + i*dh - top == r
            num = r + top - i * dh
            if num < 0 or num % sh != 0:
                continue
            p = num // sh
            if p >= out_h:
                continue
            for q in range(out_w):
                row = (b * out_h + p) * out_w + q
                for j in range(kw):
                    s = q * sw + j * dw - left
                    if s < 0 or s >= width:
                        continue
                    base = (i * kw + j) * c
                    for k in range(c):
                        dx[b, r, s, k] += cols[row, base + k]


ACTIVATION_CODES = {"linear": 0, "relu": 1, "relu6": 2, "elu": 3, "sigmoid": 4}

_ONE = np.float32(1)  # float32 constants: an int or Python float would promote to float64
_ZERO = np.float32(0)
_SIX = np.float32(6)


@njit(cache=True, nogil=True)
def _activate(v, act):  # pragma: no cover
    """activation(v) for an ACTIVATION_CODES value; NaN passes through every branch unchanged,
    as in the numpy kernels."""
    if act == 1:
        v = v if not v < 0 else _ZERO
    elif act == 2:
        v = v if not v < 0 else _ZERO
        v = v if not v > _SIX else _SIX
    elif act == 3:
        if not v > 0:
            v = math.expm1(v)
    elif act == 4:
        z = math.exp(-abs(v))
        v = _ONE / (_ONE + z) if v >= 0 else z / (_ONE + z)
    return v


@njit(cache=True, nogil=True)
def _derivative(g, v, act):  # pragma: no cover
    """g * activation'(x), written with the activation's output v = activation(x)."""
    if act == 1:
        g = g * (_ONE if v > 0 else _ZERO)
    elif act == 2:
        g = g * (_ONE if v > 0 and v < 6 else _ZERO)
    elif act == 3:
        if not v > 0:
            g = g * (v + _ONE)
    elif act == 4:
        g = g * (v * (_ONE - v))
    return g


@njit(cache=True, nogil=True)
def bias_activation(y, bias, act):  # pragma: no cover
    """y[r, k] = activation(y[r, k] + bias[k]) in place; ``act`` is an ACTIVATION_CODES value."""
    rows, out = y.shape
    for r in range(rows):
        for k in range(out):
            y[r, k] = _activate(y[r, k] + bias[k], act)


@njit(cache=True, nogil=True)
def activation_grad(dy, y, act, dz, dbias):  # pragma: no cover
    """dz = dy * activation'(y) on [rows, out] (``act`` an ACTIVATION_CODES value), and
    dbias[k] += the column sums of dz (dbias in float64, so long columns lose nothing)."""
    rows, out = dy.shape
    for r in range(rows):
        for k in range(out):
            g = _derivative(dy[r, k], y[r, k], act)
            dz[r, k] = g
            dbias[k] += g


def _out_hw(in_hw: Sequence[int], filter_hw: Sequence[int], strides: Sequence[int], pad: Pairs,
            dilations: Sequence[int]) -> tuple[int, int]:
    return tuple(  # type: ignore[return-value]
        (in_hw[a] + pad[a + 1][0] + pad[a + 1][1] - ((filter_hw[a] - 1) * dilations[a] + 1))
        // strides[a] + 1 for a in (0, 1))


def _chunks(n: int, image_bytes: int, budget: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    """(first, end) images of each chunk, for a piece of work of ``image_bytes`` per image:
    chunks of at most about ``budget`` bytes, at least two per worker, a chunk count that the
    workers share evenly, and sizes that differ by one image at most, so that the workers finish
    together (5 chunks of 28, 28, 28, 28 and 16 images kept one worker busy with 72 images while
    the other had 56)."""
    workers_ = workers.size()
    by_size = max(1, budget // max(1, image_bytes))
    count = max(-(-n // by_size), 2 * workers_)
    count = min(n, -(-count // workers_) * workers_)
    bounds = [b * n // count for b in range(count + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def _geometry(filter_hw: Sequence[int], strides: Sequence[int], pad: Pairs,
              dilations: Sequence[int], out_hw: Sequence[int]) -> tuple[int, ...]:
    """The scalar arguments of im2col/col2im, in their order."""
    return (filter_hw[0], filter_hw[1], strides[0], strides[1], dilations[0], dilations[1],
            pad[1][0], pad[2][0], out_hw[0], out_hw[1])


OWN_GEMM = True  # False: every product through NumPy's BLAS (the tests check both ways)
WINOGRAD = True  # False: no winograd.py (the tests check both ways)
# The input gradient of smaller images stays with BLAS + col2im: their padded dz is mostly
# padding (12x12 around an 8x8 dz), and Winograd measured no faster there (log 22).
WINOGRAD_INPUT_GRAD_MIN_SIDE = 16


class Windows:
    """The im2col matrix of a convolution, left virtual for ``gemm.matmul``: entry [m, p] is
    ``x[rows[m] + taps[p]]`` for the flattened (and, if the convolution pads, zero-padded)
    images x of one chunk. ``rows`` holds the offset of each output pixel's window (for up to
    ``images`` images), ``taps`` the offset of each filter tap (row, column, channel) inside
    a window, in the order of the filter's rows when reshaped to [kh * kw * c, out]."""

    def __init__(self, x: np.ndarray, filter_hw: Sequence[int], strides: Sequence[int],
                 pad: Pairs, dilations: Sequence[int], out_hw: Sequence[int],
                 images: int) -> None:
        if any(side for pair in pad for side in pair):
            x = np.pad(x, pad)  # once per call: far less than the columns im2col would write
        self.x = x
        self.per_image = out_hw[0] * out_hw[1]
        self.rows, self.taps = _offsets(x.shape[1:], tuple(filter_hw), tuple(strides),
                                        tuple(dilations), tuple(out_hw), images)

    def chunk(self, b0: int, b1: int) -> tuple[np.ndarray, np.ndarray]:
        """(images b0..b1 flattened, the rows of their windows)."""
        return self.x[b0:b1].reshape(-1), self.rows[:(b1 - b0) * self.per_image]


@functools.lru_cache(maxsize=64)
def _offsets(image_shape: tuple[int, int, int], filter_hw: tuple[int, int],
             strides: tuple[int, int], dilations: tuple[int, int], out_hw: tuple[int, int],
             images: int) -> tuple[np.ndarray, np.ndarray]:
    """``Windows``' rows and taps, kept for the next call of the same geometry (building them
    took ~90 us, a few per cent of a small convolution)."""
    height, width, c = image_shape
    oy, ox = np.arange(out_hw[0]) * strides[0], np.arange(out_hw[1]) * strides[1]
    pixels = ((oy[:, None] * width + ox) * c).ravel()
    rows = (np.arange(images)[:, None] * (height * width * c) + pixels).ravel().astype(gemm.INDEX)
    i = np.arange(filter_hw[0]) * dilations[0]
    j = np.arange(filter_hw[1]) * dilations[1]
    taps = (((i[:, None] * width + j) * c)[:, :, None] + np.arange(c)).ravel().astype(gemm.INDEX)
    rows.flags.writeable = taps.flags.writeable = False  # shared by every call that hits the cache
    return rows, taps


class Winograd:
    """A forward product through ``winograd.py``: the (zero-padded) images and the filters'
    transform, computed once per call."""

    def __init__(self, x: np.ndarray, u: np.ndarray, pad: Pairs) -> None:
        self.x = np.pad(x, pad) if any(side for pair in pad for side in pair) else x
        self.u = u  # winograd.transform_filters(filter)
        self.out_hw = (self.x.shape[1] - 2, self.x.shape[2] - 2)

    def run(self, b0: int, b1: int, y: np.ndarray) -> None:
        """y [rows, out] = the convolution of images b0..b1."""
        winograd.conv(self.x[b0:b1], self.u, y.reshape(b1 - b0, *self.out_hw, y.shape[1]))


def _product(x: np.ndarray, filter: np.ndarray, strides: Sequence[int], pad: Pairs,
             dilations: Sequence[int], out_hw: Sequence[int],
             chunks: list[tuple[int, int]]) -> Winograd | Windows | None:
    """How the forward pass multiplies: by Winograd's algorithm where it fits, else by
    gemm.py on the virtual columns where that fits, else (None) im2col + BLAS."""
    kh, kw, c, out = filter.shape
    if _winograd_fits(filter, strides, dilations, out_hw, x.dtype):
        return Winograd(x, winograd.transform_filters(filter), pad)
    return _windows(x, (kh, kw), strides, pad, dilations, out_hw, out, chunks)


def _winograd_fits(filter: np.ndarray, strides: Sequence[int], dilations: Sequence[int],
                   out_hw: Sequence[int], dtype: np.dtype) -> bool:
    kh, kw, c, out = filter.shape
    return OWN_GEMM and WINOGRAD and winograd.fits(c, out, (kh, kw), strides, dilations,
                                                   out_hw, dtype)


def _input_grad_winograd(filter: np.ndarray, input_hw: Sequence[int], out_hw: Sequence[int],
                         strides: Sequence[int], pad: Pairs, dilations: Sequence[int],
                         dtype: np.dtype) -> tuple[np.ndarray, Pairs] | None:
    """(the flipped filters' transform, the padding of dz) when the input gradient can run as
    the Winograd convolution of the padded dz with the flipped filters, else None. dz padded
    by kh - 1 - top above (and so on) gives, convolved 'valid', an image of the input's size."""
    kh, kw, c, out = filter.shape
    if not (OWN_GEMM and WINOGRAD and min(input_hw) >= WINOGRAD_INPUT_GRAD_MIN_SIDE
            and winograd.fits(out, c, (kh, kw), strides, dilations, input_hw, dtype)):
        return None
    top, left = kh - 1 - pad[1][0], kw - 1 - pad[2][0]
    bottom = input_hw[0] + kh - 1 - out_hw[0] - top
    right = input_hw[1] + kw - 1 - out_hw[1] - left
    if min(top, left, bottom, right) < 0:  # padding wider than the filter: some rows unused
        return None
    u = winograd.transform_filters(winograd.flipped(filter))
    return u, ((0, 0), (top, bottom), (left, right), (0, 0))


def _windows(x: np.ndarray, filter_hw: Sequence[int], strides: Sequence[int], pad: Pairs,
             dilations: Sequence[int], out_hw: Sequence[int], out: int,
             chunks: list[tuple[int, int]]) -> Windows | None:
    """The virtual im2col of x when ``gemm.py`` can take it (float32, ``out`` a multiple of
    gemm.COLS, OWN_GEMM on), else None (im2col into a scratch matrix, then a product)."""
    if not (OWN_GEMM and x.dtype == np.float32 and out % gemm.COLS == 0):
        return None
    return Windows(x, filter_hw, strides, pad, dilations, out_hw,
                   max(b1 - b0 for b0, b1 in chunks))


# Which product where, as measured on the mnist-node convnet (docs/performance.md, log 13):
# - the filter gradient reads the virtual columns only for narrow filters: per chunk (one
#   core) 0.92 against 1.16 ms (im2col + BLAS) with 32 output channels, but 0.84 against 0.82
#   and 1.13 against 1.03 ms with 64, where im2col costs half as much per multiply-add and
#   BLAS's packed product beats gemm.py's on this transposed operand;
# - the input gradient's product dz @ W^T ([rows, 32] x [32, 288]) stays with BLAS: through
#   gemm.py a training step took 5% longer (94.7 against 89.3 ms), most likely because
#   gemm.py writes the 4 MB result in bands of 16 columns, 18 passes over it.
VIRTUAL_FILTER_GRAD_MAX_OUT = 32


def _filter_grad_windows(x: np.ndarray, filter_hw: Sequence[int], strides: Sequence[int],
                         pad: Pairs, dilations: Sequence[int], out_hw: Sequence[int], out: int,
                         chunks: list[tuple[int, int]]) -> Windows | None:
    """``_windows`` for the filter gradient: only up to VIRTUAL_FILTER_GRAD_MAX_OUT filters
    (wider ones go through im2col + BLAS, so their windows would be built for nothing)."""
    if out > VIRTUAL_FILTER_GRAD_MAX_OUT:
        return None
    return _windows(x, filter_hw, strides, pad, dilations, out_hw, out, chunks)


def _filter_share(x: np.ndarray, windows: Windows | None, geometry: tuple[int, ...],
                  b0: int, b1: int, dz: np.ndarray) -> np.ndarray:
    """Images b0..b1's share of the filter gradient, columns^T @ dz [k, out]: from the
    virtual columns when there are some, else from im2col into this worker's scratch."""
    k = geometry[0] * geometry[1] * x.shape[3]
    if windows is not None:
        flat, rows = windows.chunk(b0, b1)
        dfilter = np.empty((k, dz.shape[1]), dtype=dz.dtype)
        gemm.matmul(flat, windows.taps, rows, dz, dfilter)  # A = columns^T: rows, taps swap
        return dfilter
    cols = workers.scratch(dz.shape[0], k, x.dtype)
    im2col(x[b0:b1], cols, *geometry)
    return cols.T @ dz


def _common(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays C-contiguous in their common dtype (no copy when they already are)."""
    dtype = np.result_type(*arrays)
    return tuple(np.ascontiguousarray(a, dtype=dtype) for a in arrays)


def _forward(x: np.ndarray, filter: np.ndarray, strides: Sequence[int], pad: Pairs,
             dilations: Sequence[int], bias: np.ndarray | None, act: int) -> np.ndarray:
    """conv2d of x with filter; with a bias, also activation code ``act`` on each chunk."""
    x, filter = _common(x, filter)
    kh, kw, c, out = filter.shape
    n = x.shape[0]
    out_h, out_w = _out_hw(x.shape[1:3], (kh, kw), strides, pad, dilations)
    geometry = _geometry((kh, kw), strides, pad, dilations, (out_h, out_w))
    k, per_image = kh * kw * c, out_h * out_w
    w2 = filter.reshape(k, out)
    y = np.empty((n * per_image, out), dtype=x.dtype)
    chunks = _chunks(n, per_image * k * x.itemsize)
    product = _product(x, filter, strides, pad, dilations, (out_h, out_w), chunks)

    def piece(images: tuple[int, int]) -> None:
        b0, b1 = images
        conv_images(x, product, geometry, b0, b1, w2, bias, act,
                    y[b0 * per_image:b1 * per_image])

    workers.run(piece, chunks)
    return y.reshape(n, out_h, out_w, out)


def conv_images(x: np.ndarray, product: Winograd | Windows | None, geometry: tuple[int, ...],
                b0: int, b1: int, w2: np.ndarray, bias: np.ndarray | None, act: int,
                y: np.ndarray) -> None:
    """y [rows, out] = the convolution of images b0..b1 of x with the filters w2 [k, out]
    (by ``product``, see ``_product``), then, with a bias, bias and activation code ``act``;
    one worker's piece of ``_forward`` (and of a stage of ``chain.py``)."""
    if isinstance(product, Winograd):
        product.run(b0, b1, y)
    elif product is not None:  # the columns stay virtual
        gemm.matmul(*product.chunk(b0, b1), product.taps, w2, y)
    else:
        cols = workers.scratch(y.shape[0], w2.shape[0], x.dtype)
        im2col(x[b0:b1], cols, *geometry)
        np.matmul(cols, w2, out=y)
    if bias is not None:
        bias_activation(y, bias, act)


@register_kernel("Conv2D", "cpu")
def conv2d(x: np.ndarray, filter: np.ndarray, *, strides: Sequence[int], pad: Pairs,
           dilations: Sequence[int]) -> np.ndarray:
    return _forward(x, filter, strides, pad, dilations, None, 0)


@register_kernel("FusedConv2D", "cpu")
def fused_conv2d(x: np.ndarray, filter: np.ndarray, bias: np.ndarray, *,
                 strides: Sequence[int], pad: Pairs, dilations: Sequence[int],
                 activation: str) -> np.ndarray:
    """The convolution, then bias and activation on each chunk while it is in the cache."""
    dtype = np.result_type(x, filter)
    return _forward(x, filter, strides, pad, dilations,
                    np.ascontiguousarray(bias, dtype=dtype), ACTIVATION_CODES[activation])


@register_kernel("Conv2DBackpropInput", "cpu")
def conv2d_backprop_input(dy: np.ndarray, filter: np.ndarray, *, input_shape: Sequence[int],
                          strides: Sequence[int], pad: Pairs,
                          dilations: Sequence[int]) -> np.ndarray:
    dy, filter = _common(dy, filter)
    kh, kw, c, out = filter.shape
    n, out_h, out_w, _ = dy.shape
    geometry = _geometry((kh, kw), strides, pad, dilations, (out_h, out_w))
    k, per_image = kh * kw * c, out_h * out_w
    w2t = np.ascontiguousarray(filter.reshape(k, out).T)
    dy2 = dy.reshape(n * per_image, out)
    dx = np.empty(tuple(input_shape), dtype=dy.dtype)
    flipped = _input_grad_winograd(filter, dx.shape[1:3], (out_h, out_w), strides, pad,
                                   dilations, dy.dtype)

    def piece(images: tuple[int, int]) -> None:
        b0, b1 = images
        _input_grad(dy2[b0 * per_image:b1 * per_image], w2t, flipped, geometry, dx[b0:b1])

    workers.run(piece, _chunks(n, per_image * k * dy.itemsize))
    return dx


def _input_grad(dz: np.ndarray, w2t: np.ndarray, flipped: tuple[np.ndarray, Pairs] | None,
                geometry: tuple[int, ...], dx: np.ndarray) -> None:
    """dx [images, h, w, c] of a chunk from its dz [rows, out]: Winograd's convolution of the
    padded dz with the flipped filters where ``flipped`` (``_input_grad_winograd``) has them,
    else the columns dz @ W^T (BLAS, see above) added back onto the image by col2im."""
    if flipped is not None:
        u, full = flipped
        out_h, out_w = geometry[8], geometry[9]
        images = np.pad(dz.reshape(dx.shape[0], out_h, out_w, dz.shape[1]), full)
        winograd.conv(images, u, dx)
        return
    cols = workers.scratch(dz.shape[0], w2t.shape[1], dz.dtype)
    np.matmul(dz, w2t, out=cols)
    col2im(cols, dx, *geometry)


@register_kernel("FusedConv2DGrad", "cpu")
def fused_conv2d_grad(x: np.ndarray, filter: np.ndarray, dy: np.ndarray, y: np.ndarray, *,
                      strides: Sequence[int], pad: Pairs, dilations: Sequence[int],
                      activation: str, input_grad: bool) -> tuple[np.ndarray, ...]:
    """FusedConv2D's gradients chunk by chunk: each worker turns its dy chunk into dz (the
    gradient before the activation) in a scratch matrix, adds dz's column sums to its bias
    gradient, and uses dz for its share of the filter gradient and, if asked, of dx, while dz
    is still in the cache."""
    x, filter, dy, y = _common(x, filter, dy, y)
    dtype = x.dtype
    kh, kw, c, out = filter.shape
    n, out_h, out_w, _ = dy.shape
    geometry = _geometry((kh, kw), strides, pad, dilations, (out_h, out_w))
    k, per_image = kh * kw * c, out_h * out_w
    act = ACTIVATION_CODES[activation]
    w2t = np.ascontiguousarray(filter.reshape(k, out).T)
    dy2, y2 = dy.reshape(n * per_image, out), y.reshape(n * per_image, out)
    dx = np.empty(x.shape, dtype=dtype) if input_grad else None
    chunks = _chunks(n, per_image * k * dtype.itemsize)
    windows = _filter_grad_windows(x, (kh, kw), strides, pad, dilations, (out_h, out_w),
                                   out, chunks)
    flipped = None if dx is None else _input_grad_winograd(
        filter, x.shape[1:3], (out_h, out_w), strides, pad, dilations, dtype)

    def piece(images: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        b0, b1 = images
        rows = slice(b0 * per_image, b1 * per_image)
        dz = workers.scratch((b1 - b0) * per_image, out, dtype, "dz")
        dbias = np.zeros(out, dtype=np.float64)
        activation_grad(dy2[rows], y2[rows], act, dz, dbias)
        dfilter = _filter_share(x, windows, geometry, b0, b1, dz)
        if dx is not None:
            _input_grad(dz, w2t, flipped, geometry, dx[b0:b1])
        return dfilter, dbias

    parts = workers.run(piece, chunks)
    dfilter = np.sum([p[0] for p in parts], axis=0, dtype=dtype).reshape(kh, kw, c, out)
    dbias = np.sum([p[1] for p in parts], axis=0).astype(dtype)
    return (dfilter, dbias) if dx is None else (dx, dfilter, dbias)


@register_kernel("Conv2DBackpropFilter", "cpu")
def conv2d_backprop_filter(x: np.ndarray, dy: np.ndarray, *, filter_shape: Sequence[int],
                           strides: Sequence[int], pad: Pairs,
                           dilations: Sequence[int]) -> np.ndarray:
    x, dy = _common(x, dy)
    kh, kw, c, out = filter_shape
    n, out_h, out_w, _ = dy.shape
    geometry = _geometry((kh, kw), strides, pad, dilations, (out_h, out_w))
    k, per_image = kh * kw * c, out_h * out_w
    dy2 = dy.reshape(n * per_image, out)
    chunks = _chunks(n, per_image * k * x.itemsize)
    windows = _filter_grad_windows(x, (kh, kw), strides, pad, dilations, (out_h, out_w),
                                   out, chunks)

    def piece(images: tuple[int, int]) -> np.ndarray:
        b0, b1 = images
        return _filter_share(x, windows, geometry, b0, b1, dy2[b0 * per_image:b1 * per_image])

    parts = workers.run(piece, chunks)
    return np.sum(parts, axis=0, dtype=x.dtype).reshape(kh, kw, c, out)
