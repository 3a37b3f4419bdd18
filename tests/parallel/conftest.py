"""Fixtures for the parallel tests: this folder on sys.path, so that the workers can import
``parallel_tasks`` (spawned processes and Dask workers get the parent's sys.path), and one
local pool of two workers shared by the tests of a module (starting one costs ~1-2 s)."""
from __future__ import annotations

import os
import sys
from typing import Iterator

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(scope="module")
def pool() -> Iterator[object]:
    import minitf as tf

    with tf.parallel.WorkerPool(2) as workers:
        workers.start()
        yield workers
