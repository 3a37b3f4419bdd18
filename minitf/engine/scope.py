"""Ownership: tidy scopes, keep, dispose and the memory table behind ``tf.memory()``.

Every tensor is registered here at birth (by ``dispatch``) and owned by the innermost open scope.
When a scope ends it disposes what it owns, except tensors that are kept or returned; returned
tensors move up to the parent scope, as in TF.js. Variables are never owned by a scope. Data
buffers are reference counted, because a tape-saved tensor shares its buffer with the original.
"""
from __future__ import annotations

import functools
import inspect
import types
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .backend import Backend


@dataclass
class Scope:
    """One open ``tidy``: the tensors created while it is innermost, by id."""

    name: str
    owned: dict[int, "Tensor"] = field(default_factory=dict)


@dataclass
class _Buffer:
    backend: "Backend"
    refs: int
    nbytes: int


_stack: list[Scope] = []
_buffers: dict[tuple[str, int], _Buffer] = {}
_live = {"tensors": 0, "bytes": 0}


def register(t: "Tensor", owned: bool = True) -> None:
    """Count a new tensor handle and, when ``owned``, hand it to the innermost scope."""
    retain_data(t.backend, t.data_id)
    _live["tensors"] += 1
    if owned and _stack:
        _stack[-1].owned[t.id] = t


def retain_data(backend: "Backend", data_id: int) -> None:
    """Add one reference to a data buffer, counting its bytes the first time."""
    key = (backend.name, data_id)
    buf = _buffers.get(key)
    if buf is None:
        nbytes = backend.nbytes(backend.read(data_id))
        _buffers[key] = _Buffer(backend, 1, nbytes)
        _live["bytes"] += nbytes
    else:
        buf.refs += 1


def release_data(backend: "Backend", data_id: int) -> None:
    """Drop one reference to a data buffer; the last one frees it in the backend."""
    key = (backend.name, data_id)
    buf = _buffers[key]
    buf.refs -= 1
    if buf.refs == 0:
        del _buffers[key]
        _live["bytes"] -= buf.nbytes
        backend.release(data_id)


def dispose_tensor(t: "Tensor") -> None:
    """Dispose one tensor handle; disposing twice does nothing (TF.js semantics)."""
    if t.is_disposed:
        return
    t.is_disposed = True
    _live["tensors"] -= 1
    release_data(t.backend, t.data_id)


def iter_tensors(container: Any) -> Iterator["Tensor"]:
    """Every Tensor inside a tensor, list, tuple or dict, nested (a TF.js TensorContainer)."""
    from ..tensor import Tensor

    if isinstance(container, Tensor):
        yield container
    elif isinstance(container, dict):
        for value in container.values():
            yield from iter_tensors(value)
    elif isinstance(container, (list, tuple)):
        for value in container:
            yield from iter_tensors(value)


def dispose(container: Any) -> None:
    """Dispose every tensor in ``container`` (a tensor, list, tuple or dict, nested)."""
    for t in iter_tensors(container):
        t.dispose()


def keep(t: "Tensor") -> "Tensor":
    """Exempt ``t`` from every scope's clean-up; only an explicit dispose frees it."""
    t.kept = True
    return t


def start_scope(name: str) -> Scope:
    """Open a scope (prefer :func:`tidy`; this is for the fit loop and the tape)."""
    scope = Scope(name)
    _stack.append(scope)
    return scope


def end_scope(scope: Scope, result: Any = None) -> None:
    """Close ``scope``: dispose what it owns except kept tensors and those in ``result``."""
    if not _stack or _stack[-1] is not scope:
        raise RuntimeError(f"tidy scope {scope.name!r} closed out of order")
    _stack.pop()
    returned = {t.id for t in iter_tensors(result)}
    for tid, t in scope.owned.items():
        if tid in returned:
            if _stack:  # kept: returned to the caller, now owned by the parent scope
                _stack[-1].owned[tid] = t
        elif not t.kept:
            dispose_tensor(t)


class _TidyScope:
    """``tidy()`` / ``tidy(name)`` without a function: a decorator and a context manager."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._open: list[Scope] = []

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return _run(self.name, lambda: fn(*args, **kwargs))

        return wrapped

    def __enter__(self) -> "_TidyScope":
        self._open.append(start_scope(self.name))
        return self

    def __exit__(self, *exc: object) -> None:
        end_scope(self._open.pop())


def _run(name: str, fn: Callable[[], Any]) -> Any:
    scope = start_scope(name)
    try:
        result = fn()
    except BaseException:
        end_scope(scope)
        raise
    if inspect.isawaitable(result):
        end_scope(scope)
        raise TypeError("tidy: the function returned an awaitable; tidy needs a synchronous "
                        "function")
    end_scope(scope, result)
    return result


def tidy(name_or_fn: Any = None, fn: Callable | None = None) -> Any:
    """Run a function and dispose every tensor it created except those it returns (TF.js tf.tidy).

    ``tidy(fn)`` and ``tidy(name, fn)`` call ``fn`` at once, as in TF.js. A function that takes
    arguments is wrapped instead, so ``@tidy`` decorates a training step; ``tidy()`` and
    ``tidy(name)`` give a decorator that is also a context manager (``with tf.tidy(): ...``).

    >>> import minitf as tf
    >>> y = tf.tidy(lambda: tf.square(tf.tensor([1.0, 2.0])) + 1)   # the square is disposed
    """
    if fn is None and callable(name_or_fn):
        name, fn = getattr(name_or_fn, "__name__", "tidy"), name_or_fn
    elif fn is None:
        return _TidyScope(name_or_fn or "tidy")
    else:
        name = str(name_or_fn)
    if _takes_arguments(fn):
        return _TidyScope(name)(fn)
    return _run(name, fn)


def _takes_arguments(fn: Callable) -> bool:
    """Whether ``fn`` has a positional parameter without a default. Plain functions and lambdas
    (what the engine passes, ~30 times per training step) are read off their code object;
    ``inspect.signature`` (~25 us a call) is left for other callables."""
    code = getattr(fn, "__code__", None)
    if isinstance(fn, types.FunctionType) and code is not None:
        return code.co_argcount > len(fn.__defaults__ or ())
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               for p in params)


@dataclass(frozen=True)
class MemoryInfo:
    """What ``tf.memory()`` returns; fields also answer to TF.js names (``info['numTensors']``)."""

    num_tensors: int
    num_data_buffers: int
    num_bytes: int
    unreliable: bool = False

    def __getitem__(self, key: str) -> Any:
        snake = {"numTensors": "num_tensors", "numDataBuffers": "num_data_buffers",
                 "numBytes": "num_bytes"}.get(key, key)
        return getattr(self, snake)


def memory() -> MemoryInfo:
    """Live tensors, data buffers and bytes across all backends (TF.js tf.memory)."""
    return MemoryInfo(_live["tensors"], len(_buffers), _live["bytes"])
