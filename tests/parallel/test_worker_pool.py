"""tf.parallel.WorkerPool on local processes: the same numbers as one process, models that come
back whole, asyncio, and the faults: exceptions, killed workers, closing without orphans."""
from __future__ import annotations

import asyncio
import functools
import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

import minitf as tf
import parallel_tasks as tasks
from minitf.backends.cpu import threads
from minitf.parallel import WorkerError, WorkerLostError

FIT = {"epochs": 3, "batchSize": 16, "validationSplit": 0.25}


@contextmanager
def parent_threads(n: int | None) -> Iterator[None]:
    """Train in the parent with the workers' thread count, so sums split the same way."""
    before = threads.get_num_threads()
    threads.set_num_threads(n or before)
    try:
        yield
    finally:
        threads.set_num_threads(before)


def fit_here(builder: Any, data: Any, seed: int, pool: Any) -> tuple[Any, dict]:
    """What the worker does, in this process: seed, build, fit."""
    with parent_threads(pool.threads_per_worker):
        tf.set_seed(seed)
        model = builder()
        history = model.fit(*data, verbose=0, epochs=3, batch_size=16, validation_split=0.25)
    return model, history.history


def assert_same_weights(a: Any, b: Any) -> None:
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)


def test_builder_trains_to_the_same_weights_as_one_process(pool: Any) -> None:
    data = tasks.make_data()
    builder = functools.partial(tasks.build_classifier, 0.2, "adam")
    model, history = pool.train(builder, data, FIT, seed=5)
    expected, expected_history = fit_here(builder, data, 5, pool)
    assert_same_weights(model, expected)
    assert history == expected_history and set(history) == {"loss", "acc", "val_loss",
                                                           "val_acc"}
    model.dispose()
    expected.dispose()


def test_a_sent_model_trains_like_the_same_model_here(pool: Any) -> None:
    data = tasks.make_data()
    tf.set_seed(1)
    model = tasks.build_classifier(0.1)
    before = [w.copy() for w in model.get_weights()]
    trained, history = pool.train(model, data, FIT, seed=9)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # untouched
    with parent_threads(pool.threads_per_worker):
        tf.set_seed(9)
        expected = model.fit(*data, verbose=0, epochs=3, batch_size=16, validation_split=0.25)
    assert_same_weights(trained, model)
    assert history == expected.history
    # the optimizer state came back too: one more epoch on each side stays equal
    with parent_threads(pool.threads_per_worker):
        for m in (trained, model):
            tf.set_seed(3)
            m.fit(*data, verbose=0, epochs=1, batch_size=16)
    assert_same_weights(trained, model)
    trained.dispose()
    model.dispose()


def test_the_returned_model_predicts_evaluates_and_saves(pool: Any, tmp_path: Path) -> None:
    x, y = tasks.make_data()
    model, _ = pool.train(tasks.build_classifier, {"xs": x, "ys": y}, {"epochs": 2}, seed=0)
    assert model.predict(x).shape == (120, 3)
    loss, accuracy = (float(v) for v in model.evaluate(x, y))
    assert loss > 0 and 0 <= accuracy <= 1
    model.save(f"file://{tmp_path}")
    loaded = tf.load_layers_model(str(tmp_path))
    np.testing.assert_array_equal(loaded.predict(x).numpy(), model.predict(x).numpy())
    model.dispose()
    loaded.dispose()


def test_a_dataset_builder_runs_in_the_worker(pool: Any) -> None:
    model, history = pool.train(tasks.build_classifier, tasks.make_dataset, {"epochs": 2},
                                seed=4)
    with parent_threads(pool.threads_per_worker):
        tf.set_seed(4)
        expected = tasks.build_classifier()
        expected_history = expected.fit_dataset(tasks.make_dataset(), epochs=2, verbose=0)
    assert_same_weights(model, expected)
    assert history == expected_history.history
    with pytest.raises(TypeError, match="Dataset is a recipe"):
        pool.train(tasks.build_classifier, tasks.make_dataset(), {"epochs": 1})
    model.dispose()
    expected.dispose()


def test_asyncio_gather_trains_several_at_once(pool: Any) -> None:
    data = tasks.make_data()

    async def both() -> list[Any]:
        return await asyncio.gather(
            pool.train_async(functools.partial(tasks.build_classifier, 0.05), data, FIT, seed=2),
            pool.train_async(functools.partial(tasks.build_classifier, 0.5), data, FIT, seed=2))

    (slow, slow_history), (fast, fast_history) = asyncio.run(both())
    expected, expected_history = fit_here(functools.partial(tasks.build_classifier, 0.5), data,
                                          2, pool)
    assert_same_weights(fast, expected)
    assert fast_history == expected_history != slow_history
    for model in (slow, fast, expected):
        model.dispose()


def test_models_and_tensors_cross_in_both_directions(pool: Any) -> None:
    tf.set_seed(0)
    model = tasks.build_classifier()
    x, _ = tasks.make_data(8)
    np.testing.assert_array_equal(pool.submit(tasks.predict_with, model, x).result(),
                                  model.predict(x).numpy())
    np.testing.assert_array_equal(pool.submit(tasks.add_one, tf.tensor([1.0, 2.0])).result(),
                                  [2.0, 3.0])
    model.dispose()


def test_an_exception_comes_back_with_the_worker_traceback(pool: Any) -> None:
    assert pool.map(tasks.square, [1, 2, 3]) == [1, 4, 9]
    futures = [pool.submit(tasks.square, 2), pool.submit(tasks.boom, "x"),
               pool.submit(tasks.square, 3)]
    with pytest.raises(WorkerError) as caught:
        futures[1].result()
    error = caught.value
    assert error.remote_type == "ValueError" and "no good: x" in str(error)
    assert 'raise ValueError(f"no good: {x}")' in error.remote_traceback
    assert "task" in str(error) and "(boom)" in str(error) and "worker process" in str(error)
    assert isinstance(error.__cause__, ValueError)
    assert [futures[0].result(), futures[2].result()] == [4, 9]  # the others are kept
    mixed = pool.map(functools.partial(tasks.slow_square, seconds=0.0), [1, 2], True)
    assert mixed == [1, 4]
    failed = pool.map(tasks.boom, [1], return_exceptions=True)
    assert isinstance(failed[0], WorkerError)
    with pytest.raises(WorkerError, match="no good: 7"):
        pool.map(tasks.boom, [7])


def test_a_training_error_names_the_task(pool: Any) -> None:
    with pytest.raises(WorkerError, match=r"train build_classifier.*\n(.|\n)*TypeError"):
        pool.train(tasks.build_classifier, "not data", {"epochs": 1})


def test_a_killed_worker_is_reported_and_the_pool_keeps_serving(pool: Any,
                                                                tmp_path: Path) -> None:
    flag = tmp_path / "pid"
    doomed = pool.submit(tasks.report_pid_and_wait, str(flag), 60.0)
    bystander = pool.submit(tasks.slow_square, 5, 1.0)
    deadline = time.monotonic() + 30
    while not flag.exists():
        assert time.monotonic() < deadline, "the task never started"
        time.sleep(0.02)
    pid = int(flag.read_text())
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerLostError) as caught:
        doomed.result(timeout=30)
    message = str(caught.value)
    assert f"worker process {pid}" in message and "SIGKILL" in message
    assert "(report_pid_and_wait)" in message and caught.value.exitcode == -signal.SIGKILL
    assert bystander.result(timeout=60) == 25  # run again on the fresh workers if it was hit
    assert pool.submit(tasks.square, 6).result(timeout=60) == 36
    assert pid not in pool.workers


def test_close_leaves_no_process_behind() -> None:
    pool = tf.parallel.WorkerPool(2)
    pids = pool.start()
    assert len(pids) == 2
    running = pool.submit(tasks.slow_square, 2, 0.5)
    pool.close()  # waits for the task
    assert running.result() == 4
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(tasks.square, 1)


def test_close_without_waiting_cancels_and_stops_the_workers() -> None:
    with pytest.raises(KeyError):
        with tf.parallel.WorkerPool(1) as pool:
            pids = pool.start()
            long = pool.submit(tasks.slow_square, 2, 60.0)
            waiting = pool.submit(tasks.square, 3)
            time.sleep(0.3)
            raise KeyError("leave now")  # __exit__ closes without waiting
    assert long.cancelled() and waiting.cancelled()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_workers_take_their_share_of_the_cores(pool: Any) -> None:
    share = max(1, threads.available_cores() // 2)
    assert pool.threads_per_worker == share
    here = {name: os.environ.get(name) for name in tf.parallel.worker.THREAD_VARIABLES}
    seen = pool.submit(tasks.thread_settings).result()
    assert seen["env"] == {name: str(share) for name in seen["env"]}
    assert seen["numba"] == share
    assert here == {name: os.environ.get(name) for name in here}  # the parent's are untouched
    tf.set_backend("numpy")  # the worker follows the parent's backend
    assert pool.submit(tasks.thread_settings).result()["backend"] == "numpy"


def test_what_cannot_cross_is_refused_here(pool: Any) -> None:
    with pytest.raises(TypeError, match="top-level function"):
        pool.submit(lambda: 1)
    model = tasks.build_classifier()
    model.compile(optimizer="sgd", loss=lambda y, p: tf.mean(tf.square(y - p)))
    with pytest.raises(TypeError, match="builds and compiles it"):
        pool.train(model, tasks.make_data(), {"epochs": 1})
    with pytest.raises(TypeError, match="put it in a model"):
        pool.submit(tasks.square, tf.layers.dense({"units": 1}))  # never built: holds nothing
    model.dispose()


def test_the_thread_share_can_be_chosen() -> None:
    with tf.parallel.WorkerPool(1, threads_per_worker=1) as pool:  # lazy: nothing started
        assert pool.threads_per_worker == 1 and pool.num_workers == 1 and pool.workers == []
    for bad in ({"num_workers": 0}, {"threads_per_worker": 0}):
        with pytest.raises(ValueError, match="at least 1"):
            tf.parallel.WorkerPool(**bad)
    with pytest.raises(TypeError, match="distributed.Client"):
        tf.parallel.WorkerPool(executor=object())
