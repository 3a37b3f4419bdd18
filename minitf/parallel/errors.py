"""What a pool reports when a task fails: the task raised (WorkerError) or its worker died
(WorkerLostError). Both name the task and the worker, so a log line says which training broke."""
from __future__ import annotations

import signal


class WorkerError(RuntimeError):
    """A task raised an exception in its worker; ``str()`` ends with the worker's traceback.

    ``remote_type`` is the exception's class name (``'ValueError'``), ``remote_traceback`` the
    traceback text as the worker printed it, ``task`` and ``worker`` say which task and where.
    When the exception itself could be sent back, it is also the ``__cause__``.
    """

    def __init__(self, task: str, worker: str, remote_type: str, message: str,
                 remote_traceback: str) -> None:
        super().__init__(f"{task} failed in {worker}: {remote_type}: {message}\n\n"
                         f"Worker traceback:\n{remote_traceback.rstrip()}")
        self.task, self.worker = task, worker
        self.remote_type, self.remote_message = remote_type, message
        self.remote_traceback = remote_traceback


class WorkerLostError(RuntimeError):
    """The worker running a task died (killed, out of memory, a crash in native code).

    ``exitcode`` is the process's exit code (negative: the signal that killed it) or None when
    unknown, as on a cluster. The pool itself keeps serving: it starts fresh workers.
    """

    def __init__(self, task: str, worker: str, exitcode: int | None = None,
                 detail: str = "") -> None:
        how = f" ({describe_exit(exitcode)})" if exitcode is not None else ""
        super().__init__(f"{task} was running in {worker}, which died{how}"
                         + (f"; {detail}" if detail else ""))
        self.task, self.worker, self.exitcode = task, worker, exitcode


def describe_exit(exitcode: int) -> str:
    """``'killed by signal SIGKILL'`` or ``'exit code 3'``.

    >>> describe_exit(-9), describe_exit(3)
    ('killed by signal SIGKILL', 'exit code 3')
    """
    if exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"
