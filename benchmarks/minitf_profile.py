"""Where a minitf training step spends its time: per layer, and per kernel.

Per layer: each layer of the model runs alone on a random input of its shape, forward, then
forward under the tape plus the backward pass (``tf.grads`` with a random upstream gradient
``dy``, differentiating the layer's input and weights as a training step does). Backward is
the difference of the two.

Per kernel: every kernel call goes through ``minitf.engine.dispatch.run_kernel``, which asks
``minitf.engine.registry.find_kernel`` for the kernel of the active backend. Replacing that
function, in this process only, with one that returns a timing wrapper around the kernel gives
the milliseconds each kernel takes in a real ``model.fit`` step, and which backend ran it (a
``numpy`` owner on the ``cpu`` backend is a fallback). What the kernels do not cover is the
engine's Python: dispatch, scopes, the tape, the fit loop.

    python benchmarks/convnet.py --only minitf-cpu --steps 5    # prints both tables
"""
from __future__ import annotations

import time
from collections import defaultdict
from typing import Any, Callable


def best_ms(fn: Callable[[], Any], reps: int) -> float:
    """Fastest wall-clock milliseconds of ``fn`` over ``reps`` calls, after one warm-up call
    (the minimum, as ``timeit`` advises: other work on the machine only ever adds time)."""
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return min(times)


def layer_times(tf: Any, model: Any, batch: int, reps: int) -> list[dict[str, Any]]:
    """Forward and backward milliseconds of each layer of ``model`` on a batch of ``batch``."""
    rows = []
    for i, layer in enumerate(model.layers):
        x = tf.random_uniform([batch, *layer.input_shape[1:]], seed=i)
        dy = tf.random_uniform([batch, *layer.output_shape[1:]], seed=100 + i)
        # the first layer's input is data: a training step needs no gradient for it
        wrt = ([x] if i > 0 else []) + list(layer.trainable_weights)

        def forward() -> None:
            with tf.tidy():  # disposes the output and every intermediate
                layer.apply(x, training=True)

        def forward_backward() -> None:
            with tf.tidy():  # the weights are read by the layer; listed so they get gradients
                tf.grads(lambda *inputs: layer.apply(x, training=True))(wrt, dy)

        forward_ms = best_ms(forward, reps)
        both_ms = best_ms(forward_backward, reps)
        rows.append({"layer": layer.name, "kind": type(layer).__name__,
                     "output": list(layer.output_shape[1:]), "forward_ms": forward_ms,
                     "backward_ms": max(0.0, both_ms - forward_ms)})
        tf.dispose([x, dy])
    return rows


def print_layers(engine: str, rows: list[dict[str, Any]], step_ms: float) -> None:
    """The layer table, with each layer's share of the measured training step."""
    print(f"\n[{engine}] per layer, batch of 128 (share of a {step_ms:.1f} ms training step)")
    print(f"{'layer':<30}{'output':>14}{'forward ms':>12}{'backward ms':>13}{'share':>8}")
    total = 0.0
    for row in rows:
        ms = row["forward_ms"] + row["backward_ms"]
        total += ms
        shape = "x".join(map(str, row["output"]))
        print(f"{row['layer']:<30}{shape:>14}{row['forward_ms']:>12.2f}"
              f"{row['backward_ms']:>13.2f}{ms / step_ms:>8.1%}")
    rest = step_ms - total
    print(f"{'layers in all':<44}{total:>25.2f}{total / step_ms:>8.1%}")
    print(f"{'rest: loss, metric, rmsprop, fit loop':<44}{rest:>25.2f}{rest / step_ms:>8.1%}")


class KernelTimer:
    """Times every kernel call while installed, keyed by (kernel name, owning backend)."""

    def __init__(self) -> None:
        self.ms: dict[tuple[str, str], float] = defaultdict(float)
        self.calls: dict[tuple[str, str], int] = defaultdict(int)
        self._original: Callable | None = None

    def __enter__(self) -> "KernelTimer":
        from minitf.engine import registry

        self._original = original = registry.find_kernel

        def find_kernel(name: str, backend: Any) -> tuple[Callable, str]:
            kernel, owner = original(name, backend)

            def timed(*arrays: Any, **attrs: Any) -> Any:
                start = time.perf_counter()
                result = kernel(*arrays, **attrs)
                self.ms[name, owner] += 1000 * (time.perf_counter() - start)
                self.calls[name, owner] += 1
                return result

            return timed, owner

        registry.find_kernel = find_kernel  # dispatch looks it up on the module at each call
        return self

    def __exit__(self, *exc: Any) -> None:
        from minitf.engine import registry

        registry.find_kernel = self._original


def kernel_times(model: Any, x: Any, y: Any, batch: int, steps: int) -> dict[str, Any]:
    """Kernel milliseconds and calls per training step, over ``steps`` steps of ``model.fit``."""
    n = steps * batch
    with KernelTimer() as timer:
        start = time.perf_counter()
        model.fit(x[:n], y[:n], batch_size=batch, epochs=1, verbose=0)
        step_ms = 1000 * (time.perf_counter() - start) / steps
    kernels = [{"kernel": name, "backend": owner, "ms": ms / steps,
                "calls": timer.calls[name, owner] / steps}
               for (name, owner), ms in timer.ms.items()]
    kernels.sort(key=lambda row: -row["ms"])
    return {"step_ms": step_ms, "kernels": kernels}


def print_kernels(engine: str, profile: dict[str, Any], top: int) -> None:
    """The ``top`` kernels by time per step, and what the kernels leave to Python."""
    step_ms, kernels = profile["step_ms"], profile["kernels"]
    print(f"\n[{engine}] per kernel, one training step of 128 ({step_ms:.1f} ms with timers)")
    print(f"{'kernel':<26}{'ran on':>8}{'calls':>7}{'ms':>10}{'share':>8}")
    for row in kernels[:top]:
        print(f"{row['kernel']:<26}{row['backend']:>8}{row['calls']:>7.0f}{row['ms']:>10.2f}"
              f"{row['ms'] / step_ms:>8.1%}")
    rest = kernels[top:]
    if rest:
        ms = sum(row["ms"] for row in rest)
        print(f"{f'{len(rest)} other kernels':<34}{sum(r['calls'] for r in rest):>7.0f}"
              f"{ms:>10.2f}{ms / step_ms:>8.1%}")
    in_kernels = sum(row["ms"] for row in kernels)
    calls = sum(row["calls"] for row in kernels)
    outside = step_ms - in_kernels
    print(f"{'all kernels':<34}{calls:>7.0f}{in_kernels:>10.2f}{in_kernels / step_ms:>8.1%}")
    print(f"{'outside kernels (Python)':<41}{outside:>10.2f}{outside / step_ms:>8.1%}")
