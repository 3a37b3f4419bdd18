"""Two registries, as in tfjs-core: kernels keyed by (kernel name, backend), gradients by
kernel name.

A kernel maps arrays and attributes to arrays and never sees a Tensor, the tape or a scope.
A gradient maps the upstream gradient ``dy`` and the saved tensors to input gradients and is
written in minitf ops, so it runs on every backend.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .. import env
from .backend import Backend, log

KernelFn = Callable[..., object]


@dataclass(frozen=True)
class Gradient:
    """How to differentiate one kernel.

    ``save`` names what the backward pass needs: input names (``"x"``), or ``"y"``/``"y0"``,
    ``"y1"``... for outputs. ``fn(dy, *saved, **attrs)`` returns one gradient per input (a
    tuple when the kernel has several inputs; ``None`` for an input that takes no gradient).
    A gradient may also be a function of no arguments that computes it: the tape then calls it
    only when that input leads to a variable (TF.js does the same), so that, e.g., a first
    convolution never computes the gradient of its input images.
    """

    kernel: str
    save: tuple[str, ...]
    fn: Callable[..., object]


_kernels: dict[tuple[str, str], KernelFn] = {}
_gradients: dict[str, Gradient] = {}


def register_kernel(name: str, backend: str) -> Callable[[KernelFn], KernelFn]:
    """Decorator: ``fn`` implements kernel ``name`` on ``backend``."""

    def deco(fn: KernelFn) -> KernelFn:
        key = (name, backend)
        if key in _kernels:
            raise ValueError(f"kernel {name!r} is already registered for backend {backend!r}")
        _kernels[key] = fn
        return fn

    return deco


def register_gradient(name: str, save: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Decorator: ``fn(dy, *saved, **attrs)`` is the gradient of kernel ``name``."""

    def deco(fn: Callable) -> Callable:
        if name in _gradients:
            raise ValueError(f"a gradient for kernel {name!r} is already registered")
        _gradients[name] = Gradient(name, tuple(save), fn)
        return fn

    return deco


def find_kernel(name: str, backend: Backend) -> tuple[KernelFn, str]:
    """The kernel to run for ``name`` on ``backend`` and the backend that owns it.

    The fallback rule: a backend that lacks a kernel borrows its ``fallback`` backend's
    (``numpy``), counted in ``backend.fallbacks`` and logged once in debug mode.
    """
    fn = _kernels.get((name, backend.name))
    if fn is not None:
        return fn, backend.name
    if backend.fallback is not None and (name, backend.fallback) in _kernels:
        count = backend.fallbacks.get(name, 0)
        backend.fallbacks[name] = count + 1
        if count == 0 and env.debug():
            log.info("kernel %s: %s has none, falling back to %s", name, backend.name,
                     backend.fallback)
        return _kernels[(name, backend.fallback)], backend.fallback
    raise NotImplementedError(f"kernel {name!r} is not registered for backend {backend.name!r}")


def has_kernel(name: str, backend: str) -> bool:
    """Whether ``backend`` has a kernel ``name`` of its own (not borrowed by the fallback)."""
    return (name, backend) in _kernels


def get_gradient(name: str) -> Gradient | None:
    """The registered gradient of kernel ``name``, or None."""
    return _gradients.get(name)


def kernel_names(backend: str | None = None) -> list[str]:
    """Sorted kernel names, for one backend or all; the tests iterate over these."""
    return sorted({k for k, b in _kernels if backend is None or b == backend})


def gradient_names() -> list[str]:
    """Sorted names of kernels that have a gradient."""
    return sorted(_gradients)
