"""Benchmark tf.parallel: K small models trained with 1 worker, then with N workers.

Each model is trained by ``WorkerPool.submit_train`` (all K sent at once) on random data of
MNIST's shapes. The workers are started before the clock runs, so the times are training plus
what crosses the wire (the data out, the models back), not interpreter start-up. Three pools:

- 1 worker with every core (``cores`` threads for Numba and BLAS): the baseline, what one
  process does with the machine;
- 1 worker with ``cores // N`` threads: what one of the N workers does alone;
- N workers with ``cores // N`` threads each.

The speed-up is time(1 worker, every core) / time(N workers). K models that take the same time
each should approach N on N idle cores when the threads of one process do not already keep
every core busy. The ratio to the second pool isolates what the processes add. On a machine
busy with other work, multi-threaded kernels wait for threads that are not scheduled: the
first pool slows down far more than the others, and the ratio means little (the script prints
the load average before and after).

    python benchmarks/parallel.py                          # 4 dense models, 1 vs 2 workers
    python benchmarks/parallel.py --model convnet --models 4 --images 2000
    python benchmarks/parallel.py --workers 4 --repeats 3 --json parallel.json

Models: ``dense`` is mnist_dense.py's classifier (flatten, dense 128 relu, dense 10 softmax, SGD
0.1, batch 32), whose steps are short, so much of its time is the engine's Python, which a
single process cannot spread over cores; ``convnet`` (conv 16 3x3 relu, max-pool 2, conv 32
3x3 relu, max-pool 2, dense 10 softmax, rmsprop, batch 64) spends its time in the cpu
backend's Numba kernels, which already use every thread of a single worker.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from typing import Any

import numpy as np

import minitf as tf
from minitf.parallel import worker


def create_dense() -> Any:
    """mnist_dense.py's classifier."""
    model = tf.sequential()
    model.add(tf.layers.flatten({"inputShape": [28, 28, 1]}))
    model.add(tf.layers.dense({"units": 128, "activation": "relu"}))
    model.add(tf.layers.dense({"units": 10, "activation": "softmax"}))
    model.compile({"optimizer": tf.train.sgd(0.1), "loss": "categoricalCrossentropy",
                   "metrics": ["accuracy"]})
    return model


def create_convnet() -> Any:
    """A small convnet: two conv + max-pool blocks, then softmax."""
    model = tf.sequential()
    model.add(tf.layers.conv2d({"inputShape": [28, 28, 1], "filters": 16, "kernelSize": 3,
                                "activation": "relu"}))
    model.add(tf.layers.max_pooling2d({"poolSize": 2}))
    model.add(tf.layers.conv2d({"filters": 32, "kernelSize": 3, "activation": "relu"}))
    model.add(tf.layers.max_pooling2d({"poolSize": 2}))
    model.add(tf.layers.flatten())
    model.add(tf.layers.dense({"units": 10, "activation": "softmax"}))
    model.compile({"optimizer": "rmsprop", "loss": "categoricalCrossentropy",
                   "metrics": ["accuracy"]})
    return model


MODELS = {"dense": (create_dense, 32), "convnet": (create_convnet, 64)}


def random_mnist(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images and one-hot labels of MNIST's shapes and ranges."""
    rng = np.random.default_rng(seed)
    images = rng.random((count, 28, 28, 1), dtype=np.float32)
    return images, np.eye(10, dtype=np.float32)[rng.integers(0, 10, count)]


def time_pool(workers: int, threads: int, builder: Any, data: tuple, fit_kwargs: dict,
              models: int, repeats: int) -> dict[str, Any]:
    """The best of ``repeats`` rounds of ``models`` trainings on a pool of ``workers``."""
    with tf.parallel.WorkerPool(workers, threads_per_worker=threads) as pool:
        start = time.perf_counter()
        pool.start()
        started = time.perf_counter() - start
        rounds = []
        for _ in range(repeats):
            begin = time.perf_counter()
            futures = [pool.submit_train(builder, data, fit_kwargs, seed=k)
                       for k in range(models)]
            for future in futures:
                future.result()[0].dispose()
            rounds.append(time.perf_counter() - begin)
        return {"workers": workers, "threads_per_worker": pool.threads_per_worker,
                "start_s": round(started, 2), "rounds_s": [round(r, 2) for r in rounds],
                "best_s": round(min(rounds), 2)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--model", choices=sorted(MODELS), default="dense",
                        help="which model each task trains (dense)")
    parser.add_argument("--models", type=int, default=4, help="models trained per round (4)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the parallel pool (2)")
    parser.add_argument("--images", type=int, default=8000, help="training images (8000)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per model (2)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="rounds per pool; the fastest counts (1)")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    builder, batch_size = MODELS[args.model]
    data = random_mnist(args.images)
    fit_kwargs = {"epochs": args.epochs, "batchSize": batch_size}
    print(f"{args.models} x {args.model} models, {args.images} images, {args.epochs} epochs, "
          f"batch {batch_size}; {worker.cores()} cores, backend {tf.get_backend()}")
    share = max(1, worker.cores() // args.workers)
    load_before = os.getloadavg()[0]
    runs = [time_pool(n, threads, builder, data, fit_kwargs, args.models, args.repeats)
            for n, threads in ((1, worker.cores()), (1, share), (args.workers, share))]
    load_after = os.getloadavg()[0]
    for run in runs:
        print(f"{run['workers']} worker(s), {run['threads_per_worker']} thread(s) each: "
              f"{run['best_s']:.2f} s (rounds {run['rounds_s']}; workers started in "
              f"{run['start_s']:.2f} s)")
    speedup = runs[0]["best_s"] / runs[2]["best_s"]
    print(f"speed-up, {args.workers} workers over 1 worker with every core: {speedup:.2f}x; "
          f"over 1 worker with {share} thread(s): {runs[1]['best_s'] / runs[2]['best_s']:.2f}x "
          f"(load average {load_before:.2f} before, {load_after:.2f} after)")
    result = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": platform.processor() or platform.machine(), "cores": worker.cores(),
              "args": vars(args), "runs": runs, "speedup": round(speedup, 3),
              "speedup_same_threads": round(runs[1]["best_s"] / runs[2]["best_s"], 3),
              "load": [round(load_before, 2), round(load_after, 2)]}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == "__main__":
    main()
