"""The lazy Dataset of ``tf.data``: a recipe for a stream of elements, run on each iteration.

A Dataset holds a function that makes a fresh iterator, plus its ``size`` when known. Methods
such as ``map`` or ``batch`` do not touch any data: they return a new Dataset whose iterator
pulls from the one below it. Nothing is read or computed until someone iterates (``for``,
``to_array``, ``fit_dataset``), and every iteration starts over from the source, as TF.js's
``dataset.iterator()`` does.

Ownership (TF.js tfjs-data rules): tensors in an element belong to whoever pulled it. They are
created in the scope that is innermost when ``next()`` runs, so a consumer inside ``tidy``
gets them cleaned up with its scope. A stage that consumes an element and makes a new one
(``map``, ``batch``) disposes the input's tensors it did not pass on; ``filter`` and ``skip``
dispose the elements they drop; ``shuffle`` and ``prefetch`` dispose what is still buffered
when the iteration is closed early. Every stage is a generator, so closing the outermost one
(``take``, ``zip`` and a ``break`` in CPython all do) closes each stage below it in turn.
"""
from __future__ import annotations

import collections
import math
from contextlib import closing
from itertools import count as _count
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ..engine import scope
from ..ops.random import draw_seed
from ..tensor import Tensor
from .batching import deep_batch

_END = object()


def _lazy(make_iterator: Callable[[], Iterable[Any]]) -> Iterator[Any]:
    # a generator runs nothing before its first next(): this is what makes every dataset lazy
    yield from make_iterator()


class Dataset:
    """A lazy, re-iterable stream of elements (TF.js ``tf.data.Dataset``).

    Build one with ``tf.data.array``, ``generator``, ``zip`` or ``csv``, chain methods, then
    iterate. ``size`` is the number of elements when known, ``math.inf`` for an endless
    dataset and ``None`` when unknown (TF.js ``dataset.size``).

    >>> import minitf as tf
    >>> ds = tf.data.array([1, 2, 3, 4, 5]).map(lambda x: x * 10).filter(lambda x: x > 10)
    >>> [x for x in ds]
    [20, 30, 40, 50]
    >>> tf.data.array([1, 2, 3]).repeat(2).size
    6
    """

    def __init__(self, make_iterator: Callable[[], Iterable[Any]],
                 size: int | float | None = None) -> None:
        self._make_iterator = make_iterator
        self.size = size

    def iterator(self) -> Iterator[Any]:
        """A fresh iterator over the elements; nothing runs before its first ``next()``
        (TF.js ``dataset.iterator()``)."""
        return _lazy(self._make_iterator)

    def __iter__(self) -> Iterator[Any]:
        return self.iterator()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"

    # -- element-wise ----------------------------------------------------------------------
    def map(self, transform: Callable[[Any], Any]) -> "Dataset":
        """Apply ``transform`` to each element (TF.js ``dataset.map``).

        ``transform`` runs inside ``tidy``: its intermediate tensors are freed, the tensors it
        returns are kept, and the input element's tensors it did not return are disposed.

        >>> import minitf as tf
        >>> tf.data.array([{"a": 1}, {"a": 2}]).map(lambda e: e["a"] + 1).to_array()
        [2, 3]
        """
        def run() -> Iterator[Any]:
            with closing(self.iterator()) as upstream:
                for element in upstream:
                    yield _replace(element, lambda e=element: transform(e), "map")

        return Dataset(run, self.size)

    def filter(self, predicate: Callable[[Any], Any]) -> "Dataset":
        """Keep the elements for which ``predicate`` is true (TF.js ``dataset.filter``).

        ``predicate`` may return a bool or a scalar tensor; it runs inside ``tidy``, and the
        elements it rejects are disposed.

        >>> import minitf as tf
        >>> tf.data.array(range(6)).filter(lambda x: x % 2 == 0).to_array()
        [0, 2, 4]
        """
        def run() -> Iterator[Any]:
            with closing(self.iterator()) as upstream:
                for element in upstream:
                    if scope.tidy("filter", lambda e=element: _truth(predicate(e))):
                        yield element
                    else:
                        scope.dispose(element)

        return Dataset(run, math.inf if self.size == math.inf else None)

    def batch(self, batch_size: int, small_last_batch: bool = True) -> "Dataset":
        """Group ``batch_size`` consecutive elements into one (TF.js ``dataset.batch``).

        Elements may be numbers, NumPy arrays, tensors, or dicts, tuples and lists of those,
        nested. The batch has the same structure, with each leaf stacked along a new first
        axis: numbers become a 1-D tensor, arrays and tensors of shape ``s`` a tensor of shape
        ``[n, *s]``. A list of numbers is one leaf (a row), as in TF.js; a tuple, or a list
        holding anything else, is a structure batched position by position. Strings stay a
        list of strings (minitf has no string dtype). With ``small_last_batch=False`` a final
        batch smaller than ``batch_size`` is dropped.

        >>> import minitf as tf
        >>> ds = tf.data.array([{"x": [1.0, 2.0], "y": 0}, {"x": [3.0, 4.0], "y": 1}]).batch(2)
        >>> b = next(iter(ds))
        >>> b["x"].shape, b["y"].shape
        ((2, 2), (2,))
        """
        _check_count(batch_size, "batch", "batch_size", minimum=1)
        if self.size is None or self.size == math.inf:
            size = self.size
        else:
            rounding = math.ceil if small_last_batch else math.floor
            size = int(rounding(self.size / batch_size))

        def run() -> Iterator[Any]:
            with closing(self.iterator()) as upstream:
                while True:
                    rows = list(islice(upstream, batch_size))
                    if not rows or (len(rows) < batch_size and not small_last_batch):
                        scope.dispose(rows)
                        return
                    yield _replace(rows, lambda r=rows: deep_batch(r), "batch")

        return Dataset(run, size)

    # -- order -----------------------------------------------------------------------------
    def shuffle(self, buffer_size: int, seed: int | None = None,
                reshuffle_each_iteration: bool = True) -> "Dataset":
        """Randomly shuffle with a reservoir of ``buffer_size`` elements (TF.js
        ``dataset.shuffle``).

        The buffer is filled from upstream; each output is drawn uniformly from the buffer and
        its place refilled with the next upstream element. A buffer at least as large as the
        dataset gives a uniform shuffle; a smaller one only mixes nearby elements. With a
        ``seed`` the order is reproducible. With ``reshuffle_each_iteration`` (the default)
        iteration ``k`` uses the seed ``(seed, k)``, so epochs differ but a rerun repeats
        them; without it every iteration has the same order. Without a seed, one is drawn
        from minitf's global generator (``MINITF_SEED``).

        >>> import minitf as tf
        >>> ds = tf.data.array(range(5)).shuffle(5, seed=1)
        >>> sorted(ds.to_array())
        [0, 1, 2, 3, 4]
        """
        _check_count(buffer_size, "shuffle", "buffer_size", minimum=1)
        base_seed = draw_seed(seed)
        iterations = _count()

        def run() -> Iterator[Any]:
            epoch = next(iterations) if reshuffle_each_iteration else 0
            rng = np.random.default_rng([base_seed, epoch])
            buffer: list[Any] = []
            upstream = self.iterator()
            try:
                while True:
                    _fill(buffer, upstream, buffer_size)
                    if not buffer:
                        return
                    chosen = int(rng.integers(len(buffer)))
                    buffer[chosen], buffer[-1] = buffer[-1], buffer[chosen]
                    yield buffer.pop()
            finally:
                upstream.close()
                scope.dispose(buffer)  # elements never handed out

        return Dataset(run, self.size)

    def prefetch(self, buffer_size: int) -> "Dataset":
        """Read up to ``buffer_size`` elements ahead of the consumer (TF.js
        ``dataset.prefetch``).

        minitf has no background thread here (the scope stack that owns tensors is global,
        so a second thread would hand its tensors to the wrong scope): the lookahead keeps
        TF.js's order of reads, and the elements are the same as without it.

        >>> import minitf as tf
        >>> tf.data.array([1, 2, 3]).prefetch(2).to_array()
        [1, 2, 3]
        """
        _check_count(buffer_size, "prefetch", "buffer_size", minimum=1)

        def run() -> Iterator[Any]:
            buffer: collections.deque[Any] = collections.deque()
            upstream = self.iterator()
            try:
                while True:
                    _fill(buffer, upstream, buffer_size)
                    if not buffer:
                        return
                    yield buffer.popleft()
            finally:
                upstream.close()
                scope.dispose(list(buffer))

        return Dataset(run, self.size)

    # -- length ----------------------------------------------------------------------------
    def take(self, count: int | None) -> "Dataset":
        """The first ``count`` elements; nothing after them is read (TF.js ``dataset.take``).

        A ``count`` of None or below 0 takes everything.

        >>> import minitf as tf
        >>> tf.data.array(range(10)).take(3).to_array()
        [0, 1, 2]
        """
        if count is None or count < 0:
            return self
        count = int(count)

        def run() -> Iterator[Any]:
            if count == 0:
                return
            with closing(self.iterator()) as upstream:
                for index, element in enumerate(upstream, start=1):
                    yield element
                    if index >= count:
                        return

        size = None if self.size is None else min(self.size, count)
        return Dataset(run, size)

    def skip(self, count: int | None) -> "Dataset":
        """All but the first ``count`` elements, which are read and disposed (TF.js
        ``dataset.skip``). A ``count`` of None or below 0 skips nothing.

        >>> import minitf as tf
        >>> tf.data.array(range(5)).skip(3).to_array()
        [3, 4]
        """
        if count is None or count < 0:
            return self
        count = int(count)

        def run() -> Iterator[Any]:
            with closing(self.iterator()) as upstream:
                for skipped in islice(upstream, count):
                    scope.dispose(skipped)
                yield from upstream

        size = None if self.size is None else max(self.size - count, 0)
        return Dataset(run, size)

    def repeat(self, count: int | None = None) -> "Dataset":
        """Iterate the dataset ``count`` times, or forever when ``count`` is None or below 0
        (TF.js ``dataset.repeat``). Each pass is a fresh iteration, so a shuffle upstream
        reshuffles and a CSV is read again.

        >>> import minitf as tf
        >>> tf.data.array([1, 2]).repeat(3).to_array()
        [1, 2, 1, 2, 1, 2]
        """
        endless = count is None or count < 0

        def run() -> Iterator[Any]:
            passes = 0
            while endless or passes < count:
                produced = False
                with closing(self.iterator()) as upstream:
                    for element in upstream:
                        produced = True
                        yield element
                if not produced:
                    return  # an empty dataset repeated forever would never yield
                passes += 1

        if count == 0:
            size: int | float | None = 0
        elif self.size is None:
            size = None
        elif endless:
            size = 0 if self.size == 0 else math.inf
        else:
            size = self.size * count
        return Dataset(run, size)

    def concatenate(self, other: "Dataset") -> "Dataset":
        """The elements of this dataset, then those of ``other`` (TF.js
        ``dataset.concatenate``).

        >>> import minitf as tf
        >>> tf.data.array([1, 2]).concatenate(tf.data.array([3])).to_array()
        [1, 2, 3]
        """
        if not isinstance(other, Dataset):
            raise TypeError(f"concatenate: expected a Dataset, got {type(other).__name__}")

        def run() -> Iterator[Any]:
            for dataset in (self, other):
                with closing(dataset.iterator()) as upstream:
                    yield from upstream

        if self.size is None or other.size is None:
            size = None
        else:
            size = self.size + other.size
        return Dataset(run, size)

    # -- consuming -------------------------------------------------------------------------
    def to_array(self) -> list[Any]:
        """All elements in a list (TF.js ``dataset.toArray``); the caller owns their tensors.

        >>> import minitf as tf
        >>> tf.data.array([3, 1, 2]).to_array()
        [3, 1, 2]
        """
        if self.size == math.inf:
            raise ValueError("to_array: can not convert an infinite data stream to an array; "
                             "use take(n) first")
        return list(self)

    def for_each(self, fn: Callable[[Any], Any]) -> None:
        """Call ``fn`` on every element (TF.js ``dataset.forEachAsync``).

        ``fn`` runs inside ``tidy``, and the element's tensors are disposed after it returns,
        as in TF.js; ``tf.clone`` a tensor to keep it.

        >>> import minitf as tf
        >>> seen = []
        >>> tf.data.array([1, 2]).for_each(seen.append)
        >>> seen
        [1, 2]
        """
        def call(element: Any) -> None:
            fn(element)

        for element in self:
            scope.tidy("for_each", lambda e=element: call(e))
            scope.dispose(element)


def _replace(element: Any, make: Callable[[], Any], name: str) -> Any:
    """Run ``make`` in a tidy and dispose the tensors of ``element`` it did not pass on."""
    made = scope.tidy(name, make)
    passed_on = {t.id for t in scope.iter_tensors(made)}
    for t in scope.iter_tensors(element):
        if t.id not in passed_on:
            t.dispose()
    return made


def _truth(value: Any) -> bool:
    if isinstance(value, Tensor):
        return bool(value.numpy())
    return bool(value)


def _check_count(value: Any, where: str, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, got {value!r}")


def _fill(buffer: Any, upstream: Iterator[Any], size: int) -> None:
    """Pull from ``upstream`` until ``buffer`` holds ``size`` elements or ``upstream`` ends."""
    while len(buffer) < size:
        element = next(upstream, _END)
        if element is _END:
            return
        buffer.append(element)
