"""The same WorkerPool on a real distributed engine: a Dask LocalCluster of two worker
processes bound to 127.0.0.1 trains two models (skipped when distributed is not installed)."""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Iterator

import numpy as np
import pytest

import minitf as tf
import parallel_tasks as tasks
from minitf.backends.cpu import threads
from minitf.parallel import WorkerError, WorkerLostError

distributed = pytest.importorskip("distributed")

FIT = {"epochs": 2, "batchSize": 16}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    import dask

    # A task whose worker dies is retried on another one this many times before the scheduler
    # gives up with KilledWorker (default 3); 0 keeps the killed-worker test short.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=None) as cluster:
            with distributed.Client(cluster) as dask_client:
                yield dask_client


def test_a_dask_cluster_trains_two_models_like_one_process(client: Any) -> None:
    data = tasks.make_data()
    builders = [functools.partial(tasks.build_classifier, rate) for rate in (0.05, 0.3)]
    with tf.parallel.WorkerPool(executor=client) as pool:
        assert len(pool.workers) == 2 and all(w.startswith("tcp://127.0.0.1:")
                                              for w in pool.workers)

        async def both() -> list[Any]:
            return await asyncio.gather(*(pool.train_async(b, data, FIT, seed=3)
                                          for b in builders))

        results = asyncio.run(both())
        share = pool.threads_per_worker
    before = threads.get_num_threads()
    threads.set_num_threads(share)  # the workers' share: 1 thread each on 2 cores
    try:
        for builder, (model, history) in zip(builders, results):
            tf.set_seed(3)
            expected = builder()
            expected_history = expected.fit(*data, verbose=0, epochs=2, batch_size=16)
            for a, b in zip(model.get_weights(), expected.get_weights(), strict=True):
                np.testing.assert_array_equal(a, b)
            assert history == expected_history.history
            assert model.predict(data[0]).shape == (120, 3)
            model.dispose()
            expected.dispose()
    finally:
        threads.set_num_threads(before)


def test_a_dask_task_error_comes_back_with_its_traceback(client: Any) -> None:
    with tf.parallel.WorkerPool(executor=client) as pool:
        good, bad = pool.submit(tasks.square, 4), pool.submit(tasks.boom, "dask")
        with pytest.raises(WorkerError, match="Dask worker tcp://127.0.0.1") as caught:
            bad.result()
        assert 'raise ValueError(f"no good: {x}")' in caught.value.remote_traceback
        assert good.result() == 16
    with pytest.raises(ValueError, match="cluster decides"):
        tf.parallel.WorkerPool(2, executor=client)


def test_a_task_that_kills_its_dask_worker_is_lost_and_the_pool_keeps_serving(
        client: Any) -> None:
    """The scheduler's KilledWorker (after its allowed retries) becomes WorkerLostError naming
    the task; the nanny restarts the worker and the next tasks run."""
    with tf.parallel.WorkerPool(executor=client) as pool:
        doomed = pool.submit(tasks.die)
        with pytest.raises(WorkerLostError, match=r"\(die\).*a Dask worker.*died while running"):
            doomed.result(timeout=120)
        assert pool.submit(tasks.square, 7).result(timeout=120) == 49
