"""The loops around the steps: epochs and batches for ``fit``, batches for ``evaluate`` and
``predict``, and the same over an iterable of batches for ``fit_dataset``.

Every batch runs inside ``tidy``, so a loop leaks no tensors: the scalar logs of a step are
read into Python floats for the callbacks and then disposed. Epoch logs are the means of the
batch logs weighted by batch size, as TF.js's BaseLogger computes them.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from .. import callbacks as cbks
from .. import ops
from ..data import Dataset
from ..engine import scope
from ..ops.random import draw_seed
from ..tensor import Tensor
from .train_step import test_step, train_step


def batch_ranges(num_samples: int, batch_size: int) -> list[tuple[int, int]]:
    """Contiguous [start, end) ranges; the last batch may be smaller (TF.js makeBatches)."""
    return [(start, min(start + batch_size, num_samples))
            for start in range(0, num_samples, batch_size)]


def _take(tensors: Sequence[Tensor], index: Tensor) -> list[Tensor]:
    return [ops.gather(t, index) for t in tensors]


class _Means:
    """Running means of scalar logs, weighted by batch size."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.count = 0

    def add(self, logs: dict[str, float], size: int) -> None:
        for key, value in logs.items():
            self.sums[key] = self.sums.get(key, 0.0) + value * size
        self.count += size

    def result(self, prefix: str = "") -> dict[str, float]:
        return {prefix + k: v / max(self.count, 1) for k, v in self.sums.items()}


def _read(logs: dict[str, Tensor]) -> dict[str, float]:
    """Scalar tensors to floats, disposing them (they were kept by the step)."""
    values = {k: float(v.item()) for k, v in logs.items()}
    scope.dispose(list(logs.values()))
    return values


def _run_epochs(model: Any, callback_list: cbks.CallbackList, initial_epoch: int, epochs: int,
                batches: Callable[[int], Iterator[tuple[int, Callable[[], dict]]]],
                validate: Callable[[], dict[str, float]] | None) -> None:
    """The epoch loop shared by ``fit`` and ``fit_dataset``.

    ``batches(epoch)`` yields ``(batch size, step)``; each step runs in its own ``tidy`` and
    returns kept scalar logs, which become floats for the callbacks and are then disposed.
    """
    model.stop_training = False
    callback_list.on_train_begin()
    try:
        for epoch in range(initial_epoch, epochs):
            callback_list.on_epoch_begin(epoch)
            means = _Means()
            for batch, (size, step) in enumerate(batches(epoch)):
                batch_logs: dict[str, Any] = {"batch": batch, "size": size}
                callback_list.on_batch_begin(batch, batch_logs)
                values = _read(scope.tidy("batch", step))
                means.add(values, size)
                batch_logs.update(values)
                callback_list.on_batch_end(batch, batch_logs)
                if model.stop_training:
                    break
            epoch_logs = means.result()
            if validate is not None:
                epoch_logs.update(validate())
            callback_list.on_epoch_end(epoch, epoch_logs)
            if model.stop_training:
                break
    finally:
        callback_list.on_train_end()  # closes files and progress bars even after an error


def run_fit(model: Any, xs: list[Tensor], ys: list[Tensor], *, batch_size: int, epochs: int,
            verbose: int, callbacks: Any, validation: tuple[list[Tensor], list[Tensor]] | None,
            shuffle: bool, initial_epoch: int, steps_per_epoch: int | None,
            sample_weights: list[Tensor | None] | None) -> cbks.History:
    """Train for ``epochs`` over tensors ``xs``/``ys``; returns the History."""
    num_samples = xs[0].shape[0]
    ranges = batch_ranges(num_samples, batch_size)
    if steps_per_epoch is not None:
        ranges = ranges[:steps_per_epoch]
    history = cbks.History()
    callback_list = _callbacks(model, callbacks, verbose, history, {
        "epochs": epochs, "initial_epoch": initial_epoch, "samples": num_samples,
        "steps": len(ranges), "batch_size": batch_size, "verbose": verbose,
        "do_validation": validation is not None, "metrics": _metric_names(model, validation)})
    rng = np.random.default_rng(draw_seed(None))

    def batches(epoch: int) -> Iterator[tuple[int, Callable[[], dict]]]:
        order = rng.permutation(num_samples) if shuffle else np.arange(num_samples)
        for start, end in ranges:
            def step(start: int = start, end: int = end) -> dict[str, Tensor]:
                index = ops.tensor(order[start:end], dtype="int32")
                weights = None if sample_weights is None else \
                    [None if w is None else ops.gather(w, index) for w in sample_weights]
                return train_step(model, _take(xs, index), _take(ys, index), weights)

            yield end - start, step

    def validate() -> dict[str, float]:
        return run_evaluate(model, *validation, batch_size=batch_size, prefix="val_")

    _run_epochs(model, callback_list, initial_epoch, epochs, batches,
                validate if validation is not None else None)
    return history


def run_evaluate(model: Any, xs: list[Tensor], ys: list[Tensor], *, batch_size: int,
                 prefix: str = "") -> dict[str, float]:
    """Mean loss and metrics over all samples, batch by batch, without the tape."""
    means = _Means()
    for start, end in batch_ranges(xs[0].shape[0], batch_size):
        def step() -> dict[str, Tensor]:
            index = ops.range(start, end, 1, "int32")
            return test_step(model, _take(xs, index), _take(ys, index))

        means.add(_read(scope.tidy("evaluate_batch", step)), end - start)
    return means.result(prefix)


def run_predict(model: Any, xs: list[Tensor], batch_size: int) -> list[Tensor]:
    """Outputs for all samples, computed batch by batch and concatenated."""
    pieces: list[list[Tensor]] = []
    for start, end in batch_ranges(xs[0].shape[0], batch_size):
        def step() -> list[Tensor]:
            index = ops.range(start, end, 1, "int32")
            batch = _take(xs, index)
            out = model(batch if len(batch) > 1 else batch[0], training=False)
            return list(out) if isinstance(out, (list, tuple)) else [out]

        pieces.append(scope.tidy("predict_batch", step))

    def join() -> list[Tensor]:
        return [ops.concat([p[i] for p in pieces], 0) if len(pieces) > 1 else pieces[0][i]
                for i in range(len(pieces[0]))]

    result = scope.tidy("predict", join)
    if len(pieces) > 1:
        scope.dispose(pieces)
    return result


def run_fit_dataset(model: Any, dataset: Iterable[Any], *, epochs: int,
                    batches_per_epoch: int | None, verbose: int, callbacks: Any,
                    validation_data: Any, initial_epoch: int,
                    to_batch: Callable[[Any], tuple[list[Tensor], list[Tensor]]]) -> cbks.History:
    """Train over an iterable of batches (``{'xs', 'ys'}`` or ``(xs, ys)``), TF.js fitDataset.

    Without ``batches_per_epoch`` an epoch is one pass over ``dataset``; with it, batches are
    drawn from one iterator that continues across epochs (so the dataset should repeat).
    """
    history = cbks.History()
    callback_list = _callbacks(model, callbacks, verbose, history, {
        "epochs": epochs, "initial_epoch": initial_epoch, "samples": None,
        "steps": batches_per_epoch, "batch_size": None, "verbose": verbose,
        "do_validation": validation_data is not None,
        "metrics": _metric_names(model, validation_data)})
    shared = iter(dataset)

    def batches(epoch: int) -> Iterator[tuple[int, Callable[[], dict]]]:
        iterator = iter(dataset) if batches_per_epoch is None else shared
        count = 0
        while batches_per_epoch is None or count < batches_per_epoch:
            element = next(iterator, _END)
            if element is _END:
                if batches_per_epoch is not None:
                    raise ValueError(f"fit_dataset: the dataset ran out after {count} batches "
                                     f"of epoch {epoch + 1}; batches_per_epoch="
                                     f"{batches_per_epoch} needs a longer (repeated) dataset")
                return
            # converting inside the step's tidy frees the batch's tensors with the step
            yield _batch_size(element), lambda e=element: _on_element(
                e, isinstance(dataset, Dataset), lambda: train_step(model, *to_batch(e)))
            count += 1

    def validate() -> dict[str, float]:
        return run_evaluate_dataset(model, validation_data, None, to_batch, "val_")

    _run_epochs(model, callback_list, initial_epoch, epochs, batches,
                validate if validation_data is not None else None)
    return history


_END = object()


def _batch_size(element: Any) -> int:
    xs = element["xs"] if isinstance(element, dict) else element[0]
    while isinstance(xs, (list, tuple, dict)):
        xs = next(iter(xs.values())) if isinstance(xs, dict) else xs[0]
    return int(np.shape(xs)[0]) if not isinstance(xs, Tensor) else xs.shape[0]


def run_evaluate_dataset(model: Any, dataset: Any, batches: int | None,
                         to_batch: Callable[[Any], tuple[list[Tensor], list[Tensor]]],
                         prefix: str = "") -> dict[str, float]:
    """Mean loss and metrics over an iterable of batches (or an ``(x, y)`` pair of arrays)."""
    if isinstance(dataset, (tuple, list)) and len(dataset) == 2 and not _is_batch(dataset[0]):
        pair = {"xs": dataset[0], "ys": dataset[1]}  # validation arrays, not a dataset
        return scope.tidy(lambda: run_evaluate(model, *to_batch(pair), batch_size=32,
                                               prefix=prefix))
    means = _Means()
    for element in itertools.islice(dataset, batches):  # pulls no element beyond `batches`
        logs = scope.tidy("evaluate_batch", lambda e=element: _on_element(
            e, isinstance(dataset, Dataset), lambda: test_step(model, *to_batch(e))))
        means.add(_read(logs), _batch_size(element))
    return means.result(prefix)


def _on_element(element: Any, owned: bool, step: Callable[[], Any]) -> Any:
    """Run ``step``; then dispose the element's tensors when a tf.data Dataset handed them over
    (its elements belong to the consumer, as in TF.js fitDataset). Plain iterables keep theirs."""
    try:
        return step()
    finally:
        if owned:
            scope.dispose(element)


def _is_batch(value: Any) -> bool:
    return isinstance(value, dict) and ("xs" in value or "ys" in value)


def _callbacks(model: Any, callbacks: Any, verbose: int, history: cbks.History,
               params: dict[str, Any]) -> cbks.CallbackList:
    user = [] if callbacks is None else (list(callbacks) if isinstance(callbacks, list)
                                         else [callbacks])
    chain = ([cbks.ProgbarLogger()] if verbose >= 1 else []) + user + [history]
    return cbks.CallbackList(chain, model, params)


def _metric_names(model: Any, validation: Any) -> list[str]:
    names = ["loss"] + model.compiled.log_names
    return names + ([f"val_{n}" for n in names] if validation is not None else [])

