"""Several models trained at once: the TF.js articles' pool of workers, in Python.

The articles train one model per setting in Node.js workers and wait for all of them with
Promise.all. Here the dense MNIST classifier of mnist_dense.py is trained with several
learning rates, each in a worker of a tf.parallel.WorkerPool (asyncio.gather over
pool.train_async), first with 1 worker and then with N, and the two timings are printed side by
side. Each worker uses its share of the cores, so N workers do not oversubscribe the machine.

    python examples/parallel_training.py                    # 4 rates, 1 worker vs 1 per core
    python examples/parallel_training.py --workers 2 --rates 0.03,0.3 --epochs 5
    python examples/parallel_training.py --dask             # the N workers on a local Dask cluster
    python examples/parallel_training.py --quick            # tiny, for the tests
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import time
from typing import Any

import numpy as np

import minitf as tf
from minitf.datasets import mnist
from minitf.parallel import worker

# Imported, not defined here: a worker process imports it by its module name (the examples
# folder is on the path of this script and of the workers it spawns).
from mnist_dense import create_model


async def train_all(pool: Any, rates: list[float], data: tuple, fit_kwargs: dict,
                    seed: int) -> list[tuple[Any, dict]]:
    """One training per learning rate, all sent at once: the articles' Promise.all."""
    return await asyncio.gather(*(
        pool.train_async(functools.partial(create_model, rate), data, fit_kwargs, seed=seed)
        for rate in rates))


def timed_round(pool: Any, rates: list[float], data: tuple, test: tuple, fit_kwargs: dict,
                seed: int) -> dict[str, Any]:
    """Start the pool's workers, train every rate, evaluate on the test set; with timings."""
    start = time.perf_counter()
    pool.start()
    started = time.perf_counter()
    results = asyncio.run(train_all(pool, rates, data, fit_kwargs, seed))
    trained = time.perf_counter()
    accuracies = []
    for model, _ in results:
        accuracies.append(float(model.evaluate(*test)[1]))
        model.dispose()
    return {"start": started - start, "train": trained - started, "accuracy": accuracies,
            "workers": pool.num_workers, "threads": pool.threads_per_worker}


def describe(run: dict[str, Any], where: str) -> str:
    threads = f"{run['threads']} thread{'s' if run['threads'] != 1 else ''} per worker"
    return (f"{run['workers']} worker{'s' if run['workers'] != 1 else ''} ({where}, {threads}): "
            f"started in {run['start']:.1f} s, trained in {run['train']:.1f} s")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--rates", default="0.01,0.03,0.1,0.3",
                        help="SGD learning rates, one model each (0.01,0.03,0.1,0.3)")
    parser.add_argument("--workers", type=int, default=None,
                        help="workers of the parallel round (default: one per core)")
    parser.add_argument("--train-images", type=int, default=10000,
                        help="images of mnist.training(0, N) each model trains on (10000)")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs (3)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (32)")
    parser.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and shuffles")
    parser.add_argument("--dask", action="store_true",
                        help="run the parallel round on a local Dask cluster (minitf[distributed])")
    parser.add_argument("--quick", action="store_true",
                        help="600 images, 1 epoch, 2 rates, 2 workers: a smoke test")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",")][:2 if args.quick else None]
    workers = 2 if args.quick else (args.workers or worker.cores())
    n_train, n_test = (600, 200) if args.quick else (args.train_images, 10000)
    fit_kwargs = {"epochs": 1 if args.quick else args.epochs, "batchSize": args.batch_size}
    options = {"path": args.data_dir, "verify": args.data_dir is None}
    labels = np.eye(10, dtype=np.float32)
    train_x, train_y = mnist.training(0, n_train, **options)
    test_x, test_y = mnist.testing(0, n_test, **options)
    data, test = (train_x, labels[train_y]), (test_x, labels[test_y])
    print(f"Training {len(rates)} models (SGD learning rates {', '.join(map(str, rates))}) on "
          f"{n_train} images for {fit_kwargs['epochs']} epoch(s) each\n")

    with tf.parallel.WorkerPool(1) as pool:
        single = timed_round(pool, rates, data, test, fit_kwargs, args.seed)
    print(describe(single, "local processes"))
    if args.dask:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster, \
                Client(cluster) as client, tf.parallel.WorkerPool(executor=client) as pool:
            parallel = timed_round(pool, rates, data, test, fit_kwargs, args.seed)
        print(describe(parallel, "local Dask cluster"))
    else:
        with tf.parallel.WorkerPool(workers) as pool:
            parallel = timed_round(pool, rates, data, test, fit_kwargs, args.seed)
        print(describe(parallel, "local processes"))
    speedup = single["train"] / parallel["train"]
    print(f"speed-up of the training: {speedup:.2f}x\n")
    print("learning rate   test accuracy, 1 worker   test accuracy, "
          f"{parallel['workers']} workers")
    for rate, one, many in zip(rates, single["accuracy"], parallel["accuracy"]):
        print(f"{rate:>13}   {one:>23.4f}   {many:>24.4f}")
    return {"single": single, "parallel": parallel, "speedup": speedup}


if __name__ == "__main__":
    main()
