"""The four convolutions of the mnist-node convnet, kernel by kernel, on the ``cpu`` backend.

For each layer, at batch 128, float32, relu: the forward kernel (``FusedConv2D``: product, bias
and activation), the backward kernel without the input gradient (``FusedConv2DGrad`` with
``input_grad=False``: the activation's derivative, the bias and filter gradients) and with it;
the input gradient's time is the difference of the two. Each time is the fastest of ``--reps``
calls (after one warm-up call); GFLOP/s count the product alone (2 x the multiply-adds of the
direct convolution, also where Winograd's algorithm does fewer, which then shows as more
GFLOP/s than the machine has).
``--blas`` runs the products through NumPy's BLAS and im2col instead of gemm.py, for
comparison.

    python benchmarks/conv_layers.py [--reps 20] [--blas]
"""
from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import numpy as np

LAYERS = [(28, 1, 32), (26, 32, 32), (12, 32, 64), (10, 64, 64)]  # input side, channels, filters
BATCH = 128
VALID = ((0, 0), (0, 0), (0, 0), (0, 0))


def best_ms(fn: Callable[[], Any], reps: int) -> float:
    """Fastest of ``reps`` calls, in milliseconds, after one warm-up call."""
    fn()
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=20, help="timed calls per kernel (20)")
    parser.add_argument("--blas", action="store_true", help="im2col + BLAS instead of gemm.py")
    args = parser.parse_args()

    import minitf as tf
    from minitf.backends.cpu import conv

    tf.set_backend("cpu")
    conv.OWN_GEMM = not args.blas
    rng = np.random.default_rng(0)
    attrs = dict(strides=(1, 1), pad=VALID, dilations=(1, 1))
    print(f"{'layer':<24}{'GFLOP':>7}{'forward':>18}{'input gradient':>20}"
          f"{'filter gradient':>20}")
    for side, c, out in LAYERS:
        x = rng.random((BATCH, side, side, c), dtype=np.float32)
        w = (rng.standard_normal((3, 3, c, out)) * 0.1).astype(np.float32)
        b = np.zeros(out, dtype=np.float32)
        y = conv.fused_conv2d(x, w, b, activation="relu", **attrs)
        dy = rng.standard_normal(y.shape).astype(np.float32)
        gflop = 2 * BATCH * (side - 2) ** 2 * 9 * c * out / 1e9
        forward = best_ms(lambda: conv.fused_conv2d(x, w, b, activation="relu", **attrs),
                          args.reps)
        filter_only = best_ms(lambda: conv.fused_conv2d_grad(
            x, w, dy, y, activation="relu", input_grad=False, **attrs), args.reps)
        both = best_ms(lambda: conv.fused_conv2d_grad(
            x, w, dy, y, activation="relu", input_grad=True, **attrs), args.reps)
        dx = max(both - filter_only, 1e-9)
        name = f"{side}x{side}x{c} -> {side - 2}x{side - 2}x{out}"
        print(f"{name:<24}{gflop:>7.3f}"
              + "".join(f"{f'{ms:.2f} ms, {gflop / ms * 1000:.0f}':>{width}}"
                        for ms, width in ((forward, 18), (dx, 20), (filter_only, 20))))


if __name__ == "__main__":
    main()
