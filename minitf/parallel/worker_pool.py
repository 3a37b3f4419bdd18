"""WorkerPool: run functions, and train models, on several workers at once.

The TF.js articles train several models at the same time with Node.js workers: a pool, a
function that trains one model on one dataset, ``Promise.all`` over the datasets. This is the
Python version. A pool runs on this machine's cores (spawned processes, the default) or on a
Dask cluster (``executor=distributed.Client(...)``), with the same methods:

- ``submit(fn, *args)`` -> a future; ``map(fn, items)`` -> a list, in order;
- ``train(model_or_builder, data, fit_kwargs, seed=...)`` -> ``(trained model, history)``,
  with ``submit_train`` (a future) and ``train_async`` (``await``, ``asyncio.gather``) beside it.

Models and Tensors cross in minitf's own format, never pickled (``wire.py``); what comes back
is a real model. A task that raises comes back as a WorkerError with the worker's traceback; a
task whose worker dies comes back as a WorkerLostError, and the pool goes on serving.
"""
from __future__ import annotations

import functools
import itertools
import pickle
import sys
import threading
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from . import wire, worker
from .cluster import DaskCluster, is_dask_client
from .errors import WorkerError
from .local import LocalProcesses

_UNSET = object()


class TaskFuture(Future):
    """A ``concurrent.futures.Future`` whose models are rebuilt in the thread that asks.

    minitf's engine is not thread-safe, so the value is decoded (models loaded from the wire)
    by the first call of ``result()`` or ``exception()``, in the caller's thread, not in the
    pool's threads. Later calls return the same objects. ``asyncio.wrap_future`` calls them in
    the event loop's thread. A value that fails to decode is reported by both methods.
    """

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self._value: Any = _UNSET
        self._decode_error: BaseException | None = None
        self._decode_lock = threading.Lock()
        self.on_cancel: Callable[[], Any] | None = None  # set by the runner: cancel remotely

    def cancel(self) -> bool:
        """Cancel the task: a task still waiting never runs; one already running in a worker
        finishes there, and its value is dropped."""
        cancelled = super().cancel()
        if cancelled and self.on_cancel is not None:
            self.on_cancel()
        return cancelled

    def result(self, timeout: float | None = None) -> Any:
        super().result(timeout)  # waits; raises the task's own exception
        self._decode()
        if self._decode_error is not None:
            raise self._decode_error
        return self._value

    def exception(self, timeout: float | None = None) -> BaseException | None:
        error = super().exception(timeout)
        if error is not None:
            return error
        self._decode()
        return self._decode_error

    def _decode(self) -> None:
        with self._decode_lock:
            if self._value is _UNSET and self._decode_error is None:
                try:
                    self._value = wire.from_wire(Future.result(self, 0))
                except Exception as e:
                    self._decode_error = e

    def __repr__(self) -> str:
        return f"<TaskFuture {self.label} {self._state.lower()}>"


@dataclass
class Task:
    """One call on its way to a worker: what to run (on the wire) and the future to settle."""

    number: int
    label: str  # 'task 3 (train build_dense)': how errors name it
    fn: Callable[..., Any]
    args: tuple
    backend: str
    future: TaskFuture
    retries: int = 0
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def finish(self, reply: tuple[str, Any]) -> None:
        """Settle the future from ``worker.run_task``'s answer."""
        status, payload = reply
        if status == "ok":
            self._settle(lambda: self.future.set_result(payload))
            return
        error = WorkerError(self.label, payload["worker"], payload["type"], payload["message"],
                            payload["traceback"])
        if payload["exception"] is not None:
            try:
                error.__cause__ = pickle.loads(payload["exception"])
            except Exception:
                pass  # its class does not exist here; the text is in the traceback anyway
        self.fail(error)

    def fail(self, error: BaseException) -> None:
        self._settle(lambda: self.future.set_exception(error))

    def _settle(self, action: Callable[[], None]) -> None:
        if not self.future.done():  # the caller may have cancelled it meanwhile
            try:
                action()
            except Exception:  # InvalidStateError: cancelled between the check and now
                pass


class WorkerPool:
    """Workers that run functions and train models in parallel (the TF.js articles' pool).

    ``num_workers`` local processes (default: one per core this process may use), each using
    ``threads_per_worker`` threads for Numba and BLAS (default: ``cores // num_workers``, at
    least 1); or, with ``executor=`` a ``distributed.Client``, the workers of that Dask cluster.
    Use it as a context manager, or call ``close()``.

    Functions must be importable by the workers: top-level functions of a module (or of the
    script, which each local worker imports again as ``__mp_main__``), or
    ``functools.partial`` of one. Lambdas and nested functions only work on Dask.
    """

    def __init__(self, num_workers: int | None = None, executor: Any = None, *,
                 threads_per_worker: int | None = None) -> None:
        if executor is None:
            count = worker.cores() if num_workers is None else int(num_workers)
            threads = max(1, worker.cores() // max(count, 1)) if threads_per_worker is None \
                else int(threads_per_worker)
            if count < 1 or threads < 1:
                raise ValueError("WorkerPool: num_workers and threads_per_worker must be at "
                                 f"least 1, got {num_workers} and {threads_per_worker}")
            self._runner: Any = LocalProcesses(count, threads)
        elif is_dask_client(executor):
            if num_workers is not None or threads_per_worker is not None:
                raise ValueError("WorkerPool: with a Dask client the cluster decides the number "
                                 "of workers and their threads; leave num_workers and "
                                 "threads_per_worker out")
            self._runner = DaskCluster(executor)
        else:
            raise TypeError("WorkerPool: executor must be None (local processes) or a "
                            f"distributed.Client, got {type(executor).__name__}")
        self._numbers = itertools.count(1)
        self._closed = False

    @property
    def num_workers(self) -> int:
        """How many tasks run at once."""
        return self._runner.num_workers

    @property
    def threads_per_worker(self) -> int | None:
        """Numba and BLAS threads each worker uses (None when unknown)."""
        return self._runner.threads

    @property
    def workers(self) -> list[Any]:
        """The live workers: pids of local processes, or Dask worker addresses."""
        return self._runner.workers()

    def start(self) -> list[Any]:
        """Start the workers now rather than on the first task; returns ``workers``."""
        return self._runner.start()

    # -- running functions -----------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], *args: Any) -> TaskFuture:
        """Run ``fn(*args)`` on a worker; returns a future of its value.

        Models and Tensors in ``args`` (and in the value) cross as described in ``wire.py``.
        A task that raises gives a WorkerError; one whose worker dies, a WorkerLostError.
        """
        return self._submit(fn, args, _name(fn))

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any],
            return_exceptions: bool = False) -> list[Any]:
        """``[fn(item) for item in items]``, the calls spread over the workers.

        With ``return_exceptions=True`` a failed call puts its exception in the list (as
        ``asyncio.gather`` does) and the other results are kept; otherwise the first failure
        is raised and the other calls are cancelled.
        """
        futures = [self.submit(fn, item) for item in items]
        results = []
        try:
            for future in futures:
                error = future.exception()
                if error is not None and not return_exceptions:
                    raise error
                results.append(error if error is not None else future.result())
        finally:
            for future in futures:
                future.cancel()  # a no-op after success
        return results

    # -- training --------------------------------------------------------------------------
    def submit_train(self, model_or_builder: Any, data: Any,
                     fit_kwargs: dict[str, Any] | None = None, *,
                     seed: int | None = None) -> TaskFuture:
        """Train on a worker; returns a future of ``(trained model, history dict)``.

        ``model_or_builder``: a compiled model (it crosses as TF.js artifacts with its training
        config), or a top-level function returning one, called in the worker (the way for
        models with a custom loss). ``data``: ``(x, y)`` arrays, ``{'xs': x, 'ys': y}``, or a
        top-level function returning those or a tf.data Dataset. ``fit_kwargs``: ``fit``'s
        keywords. ``seed``: ``tf.set_seed(seed)`` in the worker before the builder runs, so
        the result equals ``tf.set_seed(seed); model = builder(); model.fit(x, y, **kwargs)``
        (see ``worker.train`` for the order).
        """
        return self._submit(worker.train, (model_or_builder, data, fit_kwargs, seed),
                            f"train {_name(model_or_builder)}")

    def train(self, model_or_builder: Any, data: Any, fit_kwargs: dict[str, Any] | None = None,
              *, seed: int | None = None) -> tuple[Any, dict[str, list[float]]]:
        """Train on a worker and wait: ``(trained model, history dict)``.

        The model is a new one, built from what the worker sent back (a model given here is
        left as it was). It predicts, evaluates, saves and trains further.
        """
        return self.submit_train(model_or_builder, data, fit_kwargs, seed=seed).result()

    async def train_async(self, model_or_builder: Any, data: Any,
                          fit_kwargs: dict[str, Any] | None = None, *,
                          seed: int | None = None) -> tuple[Any, dict[str, list[float]]]:
        """``await pool.train_async(...)``: ``train`` for asyncio code; several run at once
        under ``asyncio.gather`` (the articles' ``Promise.all``)."""
        import asyncio  # here, not at the top: it adds ~20 ms to ``import minitf``

        future = self.submit_train(model_or_builder, data, fit_kwargs, seed=seed)
        return await asyncio.wrap_future(future)

    # -- the end ---------------------------------------------------------------------------
    def close(self, wait: bool = True) -> None:
        """Stop the pool: ``wait=True`` lets the tasks already sent finish; ``wait=False``
        cancels them and stops the workers now. Local processes are all joined: none is left
        behind. A Dask client stays open (it is the caller's)."""
        self._closed = True
        self._runner.close(wait)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        self.close(wait=error is None)  # after an exception, do not wait for long trainings

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self.num_workers} workers"
        return f"<WorkerPool {type(self._runner).__name__}, {state}>"

    def _submit(self, fn: Callable[..., Any], args: tuple, name: str) -> TaskFuture:
        from ..engine.backend import get_backend

        if self._closed:
            raise RuntimeError("WorkerPool: the pool is closed")
        if not callable(fn):
            raise TypeError(f"WorkerPool.submit: {fn!r} is not callable")
        if isinstance(self._runner, LocalProcesses):
            _check_importable(fn)
        number = next(self._numbers)
        label = f"task {number} ({name})"
        task = Task(number, label, fn, wire.to_wire(args), get_backend(), TaskFuture(label))
        self._runner.launch(task)
        return task.future


def _name(fn: Any) -> str:
    """A name for messages: a function's, a partial's function's, or a model's."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__qualname__", None) or getattr(fn, "name", None) or type(fn).__name__


def _check_importable(fn: Callable[..., Any]) -> None:
    """Refuse, with a message saying why, a function that a spawned worker cannot import."""
    target = fn
    while isinstance(target, functools.partial):
        target = target.func
    main = sys.modules.get("__main__")
    if getattr(target, "__module__", None) == "__main__" and not getattr(main, "__file__", None):
        raise TypeError(f"WorkerPool: {_name(fn)!r} was defined interactively (a notebook or the "
                        "REPL), where a spawned worker cannot import it; put it in a module")
    try:
        pickle.dumps(fn)
    except Exception as e:
        raise TypeError(f"WorkerPool: {fn!r} cannot be sent to a worker process ({e}). Workers "
                        "import functions by name: use a top-level function of a module or "
                        "script (functools.partial of one works too), not a lambda or a "
                        "nested function") from None
