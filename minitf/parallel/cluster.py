"""Tasks on a Dask cluster, through a ``distributed.Client`` the user made.

The cluster does the scheduling, the worker restarts and the retries; this runner only sends
``worker.run_task`` with the same message a local process would get, and turns Dask's futures
into the pool's. Each worker process takes ``cores // worker processes on its host`` threads for
Numba and BLAS (worked out once, from the scheduler's list of workers), and runs minitf tasks
one at a time even when it has several threads, since minitf's engine state is per process.

The client belongs to the caller: closing the pool waits for (or cancels) its own tasks and
leaves the client and the cluster running.
"""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from . import worker
from .errors import WorkerLostError


def is_dask_client(executor: Any) -> bool:
    """Whether ``executor`` is a ``distributed.Client`` (without importing Dask)."""
    return any(cls.__module__.startswith("distributed.") and cls.__name__ == "Client"
               for cls in type(executor).__mro__)


class DaskCluster:
    """The Dask runner of a WorkerPool: ``launch(task)`` settles ``task.future`` later."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._shares = thread_shares(client)
        self._running: dict[int, Any] = {}  # task number -> Dask future, kept so Dask keeps it
        self._lock = threading.Lock()
        self._closed = False

    @property
    def num_workers(self) -> int:
        return len(self.workers())

    @property
    def threads(self) -> int | None:
        return min(self._shares.values()) if self._shares else None

    def launch(self, task: Any) -> None:
        """Submit ``task`` to the cluster (``pure=False``: every call runs)."""
        settings = {"backend": task.backend, "threads": None, "shares": self._shares}
        with self._lock:
            if self._closed:
                task.future.cancel()
                return
            future = self.client.submit(worker.run_task, task.number, task.fn, task.args,
                                        settings, pure=False, key=f"minitf-{task.key}")
            self._running[task.number] = future
        task.future.on_cancel = future.cancel
        future.add_done_callback(lambda done: self._settle(task, done))

    def _settle(self, task: Any, future: Any) -> None:
        with self._lock:
            self._running.pop(task.number, None)
        if future.status == "cancelled":
            task.future.cancel()
            return
        if future.status == "lost":
            task.fail(WorkerLostError(task.label, "a Dask worker", None, "its result was lost"))
            return
        error = future.exception() if future.status == "error" else None
        if error is None:
            task.finish(future.result())
        elif type(error).__name__ == "KilledWorker":  # the scheduler gave up after retries
            task.fail(WorkerLostError(task.label, "a Dask worker", None, str(error)))
        else:
            task.fail(error)

    def workers(self) -> list[str]:
        """The addresses of the cluster's workers."""
        return sorted(self.client.scheduler_info(n_workers=-1)["workers"])

    def start(self) -> list[str]:
        """Wait for at least one worker; return the addresses."""
        self.client.wait_for_workers(1)
        return self.workers()

    def close(self, wait: bool = True) -> None:
        """Wait for this pool's tasks (``wait=True``) or cancel them; the client stays open."""
        with self._lock:
            self._closed = True
            running = list(self._running.values())
        if not running:
            return
        if wait:
            from distributed import wait as wait_for

            wait_for(running)
        else:
            self.client.cancel(running)


def thread_shares(client: Any) -> dict[str, int]:
    """Worker address -> threads for Numba and BLAS: its host's cores over the number of
    worker processes on that host (at least 1)."""
    info = client.scheduler_info(n_workers=-1)["workers"]
    if not info:
        return {}
    per_host = Counter(entry["host"] for entry in info.values())
    cores = client.run(worker.cores)
    return {address: max(1, cores.get(address, 1) // per_host[entry["host"]])
            for address, entry in info.items()}
