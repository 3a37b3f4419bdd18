"""Tasks on this machine's cores: spawned processes, each with its share of the cores.

Built on ``concurrent.futures.ProcessPoolExecutor`` with the ``'spawn'`` start method (a
fresh interpreter per worker: forking a process whose Numba and BLAS threads are running is
unsafe). Two things are added to it:

- **Thread shares.** N workers on C cores get ``C // N`` threads each (at least 1) for Numba
  and BLAS, so they do not oversubscribe the machine. The variables of
  ``worker.THREAD_VARIABLES`` are set while the processes are spawned, and the initializer
  sets the count again in case the parent's main module imported minitf first.
- **Surviving a dead worker.** When a process dies, the executor fails every task it still
  holds with ``BrokenProcessPool`` and stops for good. Each task writes ``(run id, pid)`` to
  a queue before it starts, so the pool knows which task was running in the dead process: that
  task fails with a WorkerLostError naming it and the process. The others were innocent: they
  run again on a fresh executor, at most ``MAX_RETRIES`` times.
"""
from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Iterator

from . import worker
from .errors import WorkerLostError

MAX_RETRIES = 2  # runs of a task interrupted by another task's crash
JOIN_SECONDS = 10.0  # how long close() waits for a process before killing it

_environ_lock = threading.Lock()


@contextmanager
def child_environment(threads: int) -> Iterator[None]:
    """Set the thread variables for the processes spawned inside the block (they copy
    ``os.environ`` when they start), and put the parent's values back afterwards."""
    with _environ_lock:
        saved = {name: os.environ.get(name) for name in worker.THREAD_VARIABLES}
        os.environ.update({name: str(threads) for name in worker.THREAD_VARIABLES})
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


class _Generation:
    """One ProcessPoolExecutor and its start queue; replaced as a whole when a worker dies."""

    def __init__(self, num_workers: int, threads: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.starts = context.SimpleQueue()
        self.executor = ProcessPoolExecutor(num_workers, mp_context=context,
                                            initializer=worker.initialize,
                                            initargs=(threads, self.starts))
        self.dead: dict[int, int | None] | None = None  # pid -> exit code, once it broke

    def processes(self) -> dict[int, Any]:
        """pid -> multiprocessing.Process of the workers started so far."""
        # ProcessPoolExecutor keeps them in this private dict (since Python 3.2) and offers
        # no public way to reach them; the pool needs them to see which one died.
        return dict(getattr(self.executor, "_processes", None) or {})


def dead_processes(processes: dict[int, Any]) -> dict[int, int | None]:
    """pid -> exit code of the processes that have ended. A process's sentinel closes a moment
    before its exit code can be read, so each ended one is joined briefly."""
    ended = set(multiprocessing.connection.wait([p.sentinel for p in processes.values()], 0))
    dead = {}
    for pid, process in processes.items():
        if process.sentinel in ended:
            process.join(1.0)
            dead[pid] = process.exitcode
    return dead


class LocalProcesses:
    """The local runner of a WorkerPool: ``launch(task)`` settles ``task.future`` later."""

    def __init__(self, num_workers: int, threads: int) -> None:
        self.num_workers, self.threads = num_workers, threads
        self._lock = threading.RLock()
        self._generation: _Generation | None = None
        self._known: dict[int, Any] = {}  # every process ever started, joined at close
        self._started: dict[int, int] = {}  # run id -> pid, from the start queues
        self._run_ids = itertools.count(1)
        self._closed = False

    # -- running tasks ---------------------------------------------------------------------
    def launch(self, task: Any) -> None:
        """Send ``task`` to a worker; its future is settled from the executor's thread."""
        settings = {"backend": task.backend, "threads": self.threads}
        with self._lock:
            if self._closed:
                task.future.cancel()
                return
            run_id = next(self._run_ids)
            for _ in range(2):  # a second try when the executor broke a moment ago
                generation = self._current()
                try:
                    with child_environment(self.threads):
                        inner = generation.executor.submit(worker.run_task, run_id, task.fn,
                                                           task.args, settings)
                    break
                except BrokenProcessPool:
                    self._retire(generation)
            else:
                task.fail(WorkerLostError(task.label, "a local worker process", None,
                                          "its workers could not be started"))
                return
            self._known.update(generation.processes())
        task.future.on_cancel = inner.cancel
        inner.add_done_callback(lambda done: self._settle(task, generation, run_id, done))

    def _settle(self, task: Any, generation: _Generation, run_id: int, inner: Future) -> None:
        with self._lock:
            self._read_starts(generation)
            pid = self._started.pop(run_id, None)
        if inner.cancelled():
            task.future.cancel()
            return
        error = inner.exception()
        if isinstance(error, BrokenProcessPool):
            self._after_crash(task, generation, pid)
        elif error is not None:
            task.fail(error)  # the message could not be sent (an argument that does not pickle)
        else:
            task.finish(inner.result())

    def _after_crash(self, task: Any, generation: _Generation, pid: int | None) -> None:
        """Fail the task whose process died; run the others again on fresh processes."""
        with self._lock:
            if generation.dead is None:  # the first callback runs before the executor stops
                generation.dead = dead_processes(generation.processes())
            self._retire(generation)
            closed = self._closed
        if closed:
            task.future.cancel()
        elif pid is not None and pid in generation.dead:
            task.fail(WorkerLostError(task.label, f"worker process {pid}", generation.dead[pid],
                                      "the pool goes on with fresh workers"))
        elif task.retries >= MAX_RETRIES:
            task.fail(WorkerLostError(task.label, "a local worker process", None,
                                      f"its workers died {task.retries + 1} times around it "
                                      "(when this repeats, its function or arguments may fail "
                                      "to load in a worker)"))
        else:
            task.retries += 1
            self.launch(task)

    def _current(self) -> _Generation:
        if self._generation is None:
            self._generation = _Generation(self.num_workers, self.threads)
        return self._generation

    def _retire(self, generation: _Generation) -> None:
        """Stop using a broken executor; its own thread terminates and joins its processes."""
        if self._generation is generation:
            self._generation = None

    def _read_starts(self, generation: _Generation) -> None:
        try:
            while not generation.starts.empty():
                run_id, pid = generation.starts.get()
                self._started[run_id] = pid
        except (EOFError, OSError):  # a worker died while writing
            pass

    # -- the processes ---------------------------------------------------------------------
    def workers(self) -> list[int]:
        """The pids of the live worker processes."""
        with self._lock:
            current = self._generation.processes() if self._generation is not None else {}
        return sorted(pid for pid, process in current.items() if process.is_alive())

    def start(self) -> list[int]:
        """Start every worker now (each imports minitf: ~1-2 s) and return their pids."""
        with self._lock:
            if self._closed:
                raise RuntimeError("WorkerPool.start: the pool is closed")
            generation = self._current()
            with child_environment(self.threads):  # all submits before any worker is idle,
                futures = [generation.executor.submit(worker.hello)  # so each one spawns
                           for _ in range(self.num_workers)]
            self._known.update(generation.processes())
        for future in futures:
            future.result()
        return self.workers()

    def close(self, wait: bool = True) -> None:
        """Stop the workers: after their tasks (``wait=True``) or now, cancelling the tasks.
        Every process is joined (killed if it does not stop), so none is left behind."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            generation, self._generation = self._generation, None
        if generation is not None:
            if not wait:
                for process in generation.processes().values():
                    process.terminate()
            generation.executor.shutdown(wait=True, cancel_futures=not wait)
            generation.starts.close()
        for process in self._known.values():
            process.join(JOIN_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
