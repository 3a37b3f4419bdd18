"""The public face of the tape: grad, grads, value_and_grad(s), variable_grads, custom_grad.

Each runs the user's function with a tape open inside ``tidy('forward')``, closes the tape,
then runs :func:`tape.backprop` inside ``tidy('backward')`` and releases the saved tensors.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from .. import dtypes
from ..tensor import Tensor, Variable
from . import scope, tape


def _check_xs(xs: Sequence[Tensor], where: str) -> None:
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{where}: argument {i} must be a Tensor, got {type(x).__name__}")
        x.check_alive(f"{where} argument {i}")
        if not dtypes.is_float(x.dtype):
            raise TypeError(f"{where}: cannot differentiate with respect to argument {i} of dtype "
                            f"{x.dtype}; only float32/float64 tensors carry gradients")


def gradients(f: Callable[[], Any], xs: Sequence[Tensor], dy: Any = None,
              where: str = "tf.grads") -> tuple[Tensor, list[Tensor | None]]:
    """Run ``f`` under a tape and return ``(y, [dy/dx for x in xs])``, None where no path."""
    from ..ops import ones_like
    from .dispatch import to_tensor

    t = tape.push()
    try:
        try:
            y = scope.tidy("forward", f)
        finally:
            tape.pop(t)
        if not isinstance(y, Tensor):
            raise TypeError(f"{where}: f must return one Tensor, got {type(y).__name__}")
        if dy is None:
            if y.size != 1 or y.rank != 0:
                raise ValueError(f"{where}: f returned a tensor of shape {list(y.shape)}; a "
                                 "non-scalar result needs an explicit dy of the same shape")
        else:
            dy = to_tensor(dy, where=f"{where} dy")
            if dy.shape != y.shape or dy.dtype != y.dtype:
                raise ValueError(f"{where}: dy must match y: expected shape {list(y.shape)} dtype "
                                 f"{y.dtype}, got shape {list(dy.shape)} dtype {dy.dtype}")
        if not dtypes.is_float(y.dtype):
            raise TypeError(f"{where}: f returned a {y.dtype} tensor; only float results "
                            "can be differentiated")
        seed = dy
        grads = scope.tidy("backward", lambda: tape.backprop(
            t.nodes, [y], list(xs), [seed if seed is not None else ones_like(y)]))
    finally:
        t.release()
    return y, grads


def _zeros_for_missing(grads: list[Tensor | None], xs: Sequence[Tensor]) -> list[Tensor]:
    from ..ops import zeros_like

    return [zeros_like(x) if g is None else g for g, x in zip(grads, xs)]


def grad(f: Callable[[Tensor], Tensor]) -> Callable[..., Tensor]:
    """``grad(f)(x, dy=None)`` is df/dx, of x's shape (TF.js ``tf.grad``).

    >>> import minitf as tf
    >>> tf.grad(lambda x: (x * x).sum())(tf.tensor([1.0, 2.0])).array_sync()
    [2.0, 4.0]
    """
    def g(x: Tensor, dy: Any = None) -> Tensor:
        _check_xs([x], "tf.grad")
        return scope.tidy(lambda: _zeros_for_missing(
            gradients(lambda: f(x), [x], dy, "tf.grad")[1], [x])[0])

    return g


def grads(f: Callable[..., Tensor]) -> Callable[..., list[Tensor]]:
    """``grads(f)([a, b], dy=None)`` is ``[df/da, df/db]`` (TF.js ``tf.grads``)."""
    def g(args: Sequence[Tensor], dy: Any = None) -> list[Tensor]:
        _check_xs(args, "tf.grads")
        return scope.tidy(lambda: _zeros_for_missing(
            gradients(lambda: f(*args), args, dy, "tf.grads")[1], args))

    return g


def value_and_grad(f: Callable[[Tensor], Tensor]) -> Callable[..., tuple[Tensor, Tensor]]:
    """``value_and_grad(f)(x)`` is ``(f(x), df/dx)`` (TF.js ``tf.valueAndGrad``)."""
    def g(x: Tensor, dy: Any = None) -> tuple[Tensor, Tensor]:
        _check_xs([x], "tf.value_and_grad")

        def run() -> tuple[Tensor, Tensor]:
            y, gs = gradients(lambda: f(x), [x], dy, "tf.value_and_grad")
            return y, _zeros_for_missing(gs, [x])[0]

        return scope.tidy(run)

    return g


def value_and_grads(f: Callable[..., Tensor]) -> Callable[..., tuple[Tensor, list[Tensor]]]:
    """``value_and_grads(f)([a, b])`` is ``(f(a, b), [df/da, df/db])`` (TF.js valueAndGrads)."""
    def g(args: Sequence[Tensor], dy: Any = None) -> tuple[Tensor, list[Tensor]]:
        _check_xs(args, "tf.value_and_grads")

        def run() -> tuple[Tensor, list[Tensor]]:
            y, gs = gradients(lambda: f(*args), args, dy, "tf.value_and_grads")
            return y, _zeros_for_missing(gs, args)

        return scope.tidy(run)

    return g


def variable_grads(f: Callable[[], Tensor], var_list: Sequence[Variable] | None = None
                   ) -> tuple[Tensor, dict[str, Tensor]]:
    """``(f(), {name: df/dv})`` for trainable variables (TF.js ``tf.variableGrads``).

    Without ``var_list`` every live trainable variable is considered. As in TF.js, only the
    variables that ``f`` actually uses get an entry, so an optimizer leaves the others alone.
    """
    variables = list(var_list) if var_list is not None else \
        [v for v in live_variables() if v.trainable]
    _check_xs(variables, "tf.variable_grads")

    def run() -> tuple[Tensor, dict[str, Tensor]]:
        y, gs = gradients(f, variables, None, "tf.variable_grads")
        return y, {v.name: g for v, g in zip(variables, gs) if g is not None}

    return scope.tidy(run)


def live_variables() -> list[Variable]:
    """Every variable not yet disposed, in creation order."""
    from ..tensor import live_variables as live

    return live()


def custom_grad(f: Callable[..., Any]) -> Callable[..., Tensor]:
    """Give ``f`` a hand-written gradient (TF.js ``tf.customGrad``).

    ``f(*inputs, save)`` returns ``{'value': y, 'grad_func': fn}`` (or ``(y, fn)``); ``save(list)``
    stores tensors for the backward pass, and ``fn(dy, saved)`` returns one gradient per input.
    """
    def wrapped(*inputs: Any) -> Tensor:
        from .dispatch import to_tensor

        xs = [to_tensor(x, where="custom_grad input") for x in inputs]
        saved: list[Tensor] = []

        def run() -> tuple[Tensor, Callable, list[Tensor]]:
            out = f(*xs, saved.extend)
            value, fn = (out["value"], out.get("grad_func", out.get("gradFunc"))) \
                if isinstance(out, dict) else out
            if not isinstance(value, Tensor) or not callable(fn):
                raise TypeError("custom_grad: f must return {'value': Tensor, 'grad_func': fn}")
            return value, fn, saved  # kept: returned, so the saved tensors outlive this tidy

        paused = tape.pause()  # the inside of f is replaced by grad_func: record none of it
        try:
            value, fn, kept = scope.tidy("custom_grad", run)
        finally:
            tape.resume(paused)

        def grad_fn(dy: Tensor, *saved_handles: Tensor) -> tuple:
            result = fn(dy, list(saved_handles))
            return tuple(result) if isinstance(result, (list, tuple)) else (result,)

        tape.custom_node({f"x{i}": x for i, x in enumerate(xs)}, (value,), grad_fn, tuple(kept))
        scope.dispose([t for t in kept if t is not value and all(t is not x for x in xs)])
        return value

    return wrapped
