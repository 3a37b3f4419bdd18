"""Where datasets start: ``tf.data.array``, ``generator``, ``func`` and ``zip``.

Each returns a :class:`Dataset` whose iterator is built again on every iteration, so a dataset
made here can be iterated once per epoch. ``csv`` lives in ``csv.py``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from .. import ops
from ..engine import scope
from ..tensor import Tensor
from .dataset import _END, Dataset


def array(items: Sequence[Any]) -> Dataset:
    """A dataset of the items of a list (TF.js ``tf.data.array``).

    Items may be numbers, strings, arrays, tensors or dicts/lists/tuples of those. Each
    iteration hands out copies of the containers and clones of the tensors, so a consumer may
    dispose what it gets and the next epoch still finds the originals.

    >>> import minitf as tf
    >>> ds = tf.data.array([{"x": 1, "y": 2}, {"x": 3, "y": 4}])
    >>> ds.size, ds.to_array()[1]
    (2, {'x': 3, 'y': 4})
    """
    if not isinstance(items, (list, tuple, range, np.ndarray)):
        raise TypeError(f"tf.data.array: expected a list of items, got {type(items).__name__}")
    items = list(items)

    def run() -> Iterator[Any]:
        for item in items:
            yield _copy(item)

    return Dataset(run, len(items))


def _copy(item: Any) -> Any:
    if isinstance(item, Tensor):
        return ops.clone(item)  # kept: the consumer owns the clone
    if isinstance(item, dict):
        return {key: _copy(value) for key, value in item.items()}
    if isinstance(item, (list, tuple)):
        return type(item)(_copy(value) for value in item)
    return item


def generator(fn: Callable[[], Iterable[Any]]) -> Dataset:
    """A dataset of what ``fn()`` yields; ``fn`` is called again on each iteration (TF.js
    ``tf.data.generator``).

    Pass the generator function itself, not a generator object: an object can be iterated
    only once, so a second epoch would be empty.

    >>> import minitf as tf
    >>> def count():
    ...     yield from range(3)
    >>> tf.data.generator(count).repeat(2).to_array()
    [0, 1, 2, 0, 1, 2]
    """
    if not callable(fn):
        raise TypeError("tf.data.generator: expected a function that returns an iterator (it is "
                        f"called again on each iteration), got {type(fn).__name__}; pass the "
                        "generator function itself")

    def run() -> Iterator[Any]:
        produced = fn()
        try:
            iterator = iter(produced)
        except TypeError:
            raise TypeError("tf.data.generator: the function must return an iterator or "
                            f"iterable, got {type(produced).__name__}") from None
        yield from iterator

    return Dataset(run)


def func(fn: Callable[[], dict[str, Any]]) -> Dataset:
    """A dataset from a function returning ``{'value': v, 'done': False}`` per call and
    ``{'done': True}`` at the end (TF.js ``tf.data.func``).

    As in TF.js, ``fn`` keeps its own state: a second iteration continues where the first
    stopped.

    >>> import minitf as tf
    >>> state = {"i": 0}
    >>> def step():
    ...     state["i"] += 1
    ...     return {"value": state["i"], "done": state["i"] > 3}
    >>> tf.data.func(step).to_array()
    [1, 2, 3]
    """
    if not callable(fn):
        raise TypeError(f"tf.data.func: expected a function, got {type(fn).__name__}")

    def run() -> Iterator[Any]:
        while True:
            result = fn()
            if not isinstance(result, dict) or "done" not in result:
                raise TypeError("tf.data.func: the function must return {'value': ..., "
                                f"'done': bool}}, got {result!r}"[:200])
            if result["done"]:
                return
            yield result.get("value")

    return Dataset(run)


def zip(datasets: Any) -> Dataset:  # noqa: A001 (TF.js name)
    """Elements drawn side by side from several datasets (TF.js ``tf.data.zip``).

    ``datasets`` is a list, tuple or dict of datasets (nested structures too); each element
    has the same structure with the datasets replaced by their elements. It stops at the end
    of the shortest dataset.

    >>> import minitf as tf
    >>> xs, ys = tf.data.array([1, 2, 3]), tf.data.array([10, 20])
    >>> tf.data.zip({"x": xs, "y": ys}).to_array()
    [{'x': 1, 'y': 10}, {'x': 2, 'y': 20}]
    """
    if not isinstance(datasets, (list, tuple, dict)):
        raise TypeError("tf.data.zip: expected a list, tuple or dict of datasets, got "
                        f"{type(datasets).__name__}")
    leaves = list(_leaves(datasets))
    sizes = [d.size for d in leaves]
    size = None if any(s is None for s in sizes) else min(sizes, default=0)

    def run() -> Iterator[Any]:
        iterators = [d.iterator() for d in leaves]
        try:
            while True:
                values: list[Any] = []
                for iterator in iterators:
                    value = next(iterator, _END)
                    if value is _END:
                        scope.dispose(values)  # the partial row of the longer datasets
                        return
                    values.append(value)
                yield _rebuild(datasets, iter(values))
        finally:
            for iterator in iterators:
                iterator.close()

    return Dataset(run, size)


def _leaves(structure: Any) -> Iterator[Dataset]:
    if isinstance(structure, Dataset):
        yield structure
    elif isinstance(structure, dict):
        for value in structure.values():
            yield from _leaves(value)
    elif isinstance(structure, (list, tuple)):
        for value in structure:
            yield from _leaves(value)
    else:
        raise TypeError("tf.data.zip: the leaves of the structure must be Datasets, got "
                        f"{type(structure).__name__}")


def _rebuild(structure: Any, values: Iterator[Any]) -> Any:
    if isinstance(structure, Dataset):
        return next(values)
    if isinstance(structure, dict):
        return {key: _rebuild(value, values) for key, value in structure.items()}
    return type(structure)(_rebuild(value, values) for value in structure)
