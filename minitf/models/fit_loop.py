"""The loops around the steps: epochs and batches for ``fit``, batches for ``evaluate`` and
``predict``, and the same over an iterable of batches for ``fit_dataset``.

Every batch runs inside ``tidy``, so a loop leaks no tensors: the scalar logs of a step are
read into Python floats for the callbacks and then disposed. Epoch logs are the means of the
batch logs weighted by batch size, as TF.js's BaseLogger computes them.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .. import callbacks as cbks
from .. import ops
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
    model.stop_training = False
    callback_list.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        callback_list.on_epoch_begin(epoch)
        order = rng.permutation(num_samples) if shuffle else np.arange(num_samples)
        means = _Means()
        for batch, (start, end) in enumerate(ranges):
            batch_logs: dict[str, Any] = {"batch": batch, "size": end - start}
            callback_list.on_batch_begin(batch, batch_logs)

            def step() -> dict[str, Tensor]:
                index = ops.tensor(order[start:end], dtype="int32")
                weights = None if sample_weights is None else \
                    [None if w is None else ops.gather(w, index) for w in sample_weights]
                return train_step(model, _take(xs, index), _take(ys, index), weights)

            values = _read(scope.tidy("batch", step))
            means.add(values, end - start)
            batch_logs.update(values)
            callback_list.on_batch_end(batch, batch_logs)
            if model.stop_training:
                break
        epoch_logs = means.result()
        if validation is not None:
            epoch_logs.update(run_evaluate(model, *validation, batch_size=batch_size,
                                           prefix="val_"))
        callback_list.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    callback_list.on_train_end()
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
    """Train over an iterable of batches (``{'xs', 'ys'}`` or ``(xs, ys)``), TF.js fitDataset."""
    history = cbks.History()
    callback_list = _callbacks(model, callbacks, verbose, history, {
        "epochs": epochs, "initial_epoch": initial_epoch, "samples": None,
        "steps": batches_per_epoch, "batch_size": None, "verbose": verbose,
        "do_validation": validation_data is not None,
        "metrics": _metric_names(model, validation_data)})
    model.stop_training = False
    callback_list.on_train_begin()
    iterator = iter(dataset)
    for epoch in range(initial_epoch, epochs):
        callback_list.on_epoch_begin(epoch)
        if batches_per_epoch is None:
            iterator = iter(dataset)  # each epoch is one full pass
        means = _Means()
        batch = 0
        while batches_per_epoch is None or batch < batches_per_epoch:
            try:
                element = next(iterator)
            except StopIteration:
                if batches_per_epoch is not None:
                    raise ValueError(f"fit_dataset: the dataset ran out after {batch} batches of "
                                     f"epoch {epoch + 1}; batches_per_epoch={batches_per_epoch} "
                                     "needs a longer (e.g. repeated) dataset") from None
                break
            xs, ys = to_batch(element)
            size = xs[0].shape[0]
            batch_logs: dict[str, Any] = {"batch": batch, "size": size}
            callback_list.on_batch_begin(batch, batch_logs)
            values = _read(scope.tidy("batch", lambda: train_step(model, xs, ys)))
            scope.dispose([xs, ys])
            means.add(values, size)
            batch_logs.update(values)
            callback_list.on_batch_end(batch, batch_logs)
            batch += 1
            if model.stop_training:
                break
        epoch_logs = means.result()
        if validation_data is not None:
            epoch_logs.update(run_evaluate_dataset(model, validation_data, None, to_batch, "val_"))
        callback_list.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return history


def run_evaluate_dataset(model: Any, dataset: Any, batches: int | None,
                         to_batch: Callable[[Any], tuple[list[Tensor], list[Tensor]]],
                         prefix: str = "") -> dict[str, float]:
    """Mean loss and metrics over an iterable of batches (or an ``(x, y)`` pair of arrays)."""
    if isinstance(dataset, (tuple, list)) and len(dataset) == 2 and not _is_batch(dataset[0]):
        xs, ys = to_batch({"xs": dataset[0], "ys": dataset[1]})
        try:
            return run_evaluate(model, xs, ys, batch_size=32, prefix=prefix)
        finally:
            scope.dispose([xs, ys])
    means = _Means()
    for count, element in enumerate(dataset):
        if batches is not None and count >= batches:
            break
        xs, ys = to_batch(element)
        means.add(_read(test_step(model, xs, ys)), xs[0].shape[0])
        scope.dispose([xs, ys])
    return means.result(prefix)


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

