"""The code that runs inside a worker: its set-up, one task, one training.

Every worker imports this module: a process of the local pool, or a Dask worker. The parent
sends these functions by reference (module and name), never their code.

A task runs as ``run_task(run_id, fn, args, settings)``: it reports that it started, puts the
worker on the parent's backend and thread share, rebuilds the models in ``args``, calls ``fn``,
and answers ``('ok', value)`` or ``('error', details)`` with the value on the wire
(``wire.py``). Exceptions are caught here, with their traceback text, so that nothing the
parent cannot unpickle ever travels back.
"""
from __future__ import annotations

import os
import pickle
import sys
import threading
import traceback
from typing import Any, Callable, Iterable

from . import wire

THREAD_VARIABLES = ("MINITF_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")

# minitf's engine state (scopes, the tape, the name counters) is per process, not per thread:
# a worker that runs tasks on several threads (a Dask worker with nthreads > 1) takes turns.
_task_lock = threading.Lock()
_starts: Any = None  # local pool only: where a task reports (run id, pid) as it begins


def cores() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def limit_threads(n: int) -> None:
    """Use ``n`` threads for the ``cpu`` backend's Numba kernels and for BLAS, in this thread
    (Numba's count is per thread); nothing to do where Numba is not installed."""
    try:
        from ..backends.cpu import threads
    except ImportError:
        return
    threads.set_num_threads(n)


def initialize(threads: int, starts: Any) -> None:
    """Start-up of a local pool's process: take its share of the cores, keep the start queue.

    The variables of ``THREAD_VARIABLES`` were already set when the process was spawned, but
    spawn imports the parent's main module first, and that may have imported minitf already.
    """
    global _starts
    _starts = starts
    limit_threads(threads)


def name() -> str:
    """How messages name this worker: ``'worker process 1234'`` or ``'Dask worker tcp://…'``."""
    if "distributed" in sys.modules:
        try:
            return f"Dask worker {sys.modules['distributed'].get_worker().address}"
        except ValueError:  # not inside a Dask worker
            pass
    return f"worker process {os.getpid()}"


def hello() -> int:
    """A task that does nothing; the pool runs it to start its workers. Returns the pid."""
    return os.getpid()


def run_task(run_id: int, fn: Callable[..., Any], args: tuple, settings: dict[str, Any]
             ) -> tuple[str, Any]:
    """Run ``fn(*args)`` in this worker: ``('ok', value)`` or ``('error', details)``."""
    with _task_lock:
        if _starts is not None:
            _starts.put((run_id, os.getpid()))  # written before fn runs: a crash is attributed
        made: list[Any] = []
        sent: list[Any] = []
        try:
            _prepare(settings)
            value = fn(*wire.from_wire(args, made))
            return "ok", wire.to_wire(value, sent)
        except BaseException as e:  # everything goes back as text; the worker keeps serving
            return "error", describe(e)
        finally:
            _dispose({id(model): model for model in made + sent}.values())


def describe(error: BaseException) -> dict[str, Any]:
    """What the parent needs to raise a WorkerError: type, message, traceback text, where, and
    the exception itself, pickled, when it survives a round trip (``None`` otherwise)."""
    try:
        pickled: bytes | None = pickle.dumps(error)
        pickle.loads(pickled)
    except Exception:
        pickled = None
    return {"type": type(error).__qualname__, "message": str(error),
            "traceback": traceback.format_exc(), "worker": name(), "exception": pickled}


def _prepare(settings: dict[str, Any]) -> None:
    """The parent's backend, and this worker's share of the cores."""
    from ..engine.backend import get_backend, set_backend

    if get_backend() != settings["backend"]:
        set_backend(settings["backend"])
    threads = settings.get("threads")
    shares = settings.get("shares")
    if shares and "distributed" in sys.modules:
        threads = shares.get(sys.modules["distributed"].get_worker().address, threads)
    if threads:
        limit_threads(threads)


def _dispose(models: Iterable[Any]) -> None:
    for model in models:
        model.dispose()


# -- the training task -------------------------------------------------------------------------
def train(model_or_builder: Any, data: Any, fit_kwargs: dict[str, Any] | None,
          seed: int | None) -> tuple[Any, dict[str, list[float]]]:
    """Fit a model here; return it and its history (``{'loss': [...], 'acc': [...]}``).

    The order is the one to repeat in a single process for the same numbers:
    ``tf.set_seed(seed)``, then the builder (or, for a model sent as it is, the seed right
    after it arrives), then ``data()`` when data is a function, then ``fit`` (``fit_dataset``
    for a tf.data Dataset). ``fit_kwargs`` are ``fit``'s keywords (TF.js camelCase keys work);
    ``verbose`` defaults to 0, since progress bars of several workers would interleave.
    """
    from ..data.dataset import Dataset
    from ..models.graph import GraphModel
    from ..ops.random import set_seed
    from ..serialization import to_snake_keys

    sent_model = isinstance(model_or_builder, GraphModel)
    if seed is not None and not sent_model:
        set_seed(seed)
    model = model_or_builder if sent_model else model_or_builder()
    if not isinstance(model, GraphModel):
        raise TypeError(f"the builder {getattr(model_or_builder, '__name__', model_or_builder)!r}"
                        f" returned a {type(model).__name__}, not a model")
    if seed is not None and sent_model:
        set_seed(seed)
    if callable(data) and not isinstance(data, Dataset):
        data = data()
    options = {"verbose": 0, **to_snake_keys(dict(fit_kwargs or {}))}
    if isinstance(data, Dataset):
        history = model.fit_dataset(data, **options)
    else:
        history = model.fit(*split_data(data), **options)
    return model, {key: [float(v) for v in values] for key, values in history.history.items()}


def split_data(data: Any) -> tuple[Any, Any]:
    """``(x, y)`` from a pair or from TF.js's ``{'xs': x, 'ys': y}``."""
    if isinstance(data, dict) and set(data) == {"xs", "ys"}:
        return data["xs"], data["ys"]
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return data[0], data[1]
    raise TypeError("training data must be a pair (x, y), a dict {'xs': x, 'ys': y}, a tf.data "
                    f"Dataset, or a function that returns one of them; got {type(data).__name__}")
