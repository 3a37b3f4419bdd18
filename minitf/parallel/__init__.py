"""Training several models in parallel (``tf.parallel``): a pool of workers on this machine's
cores or on a Dask cluster, with the same API.

>>> import minitf as tf
>>> tf.parallel.WorkerPool   # doctest: +ELLIPSIS
<class '...WorkerPool'>

Typical use (the TF.js articles' program; ``build`` is a top-level function)::

    with tf.parallel.WorkerPool(2) as pool:
        (model_a, history_a), (model_b, history_b) = await asyncio.gather(
            pool.train_async(build, (x_a, y_a), {'epochs': 5}, seed=0),
            pool.train_async(build, (x_b, y_b), {'epochs': 5}, seed=0))

``worker_pool.py`` holds the pool, ``local.py`` the spawned processes, ``cluster.py`` the Dask
runner, ``worker.py`` what runs inside a worker and ``wire.py`` what crosses between them.
docs/parallel.md tells when to use which.
"""
from .errors import WorkerError, WorkerLostError
from .wire import WireModel, from_wire, model_from_wire, model_to_wire, to_wire
from .worker_pool import TaskFuture, WorkerPool

__all__ = ["WorkerPool", "TaskFuture", "WorkerError", "WorkerLostError", "WireModel",
           "model_to_wire", "model_from_wire", "to_wire", "from_wire"]
