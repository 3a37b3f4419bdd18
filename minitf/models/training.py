"""compile / fit / evaluate / predict and friends: argument handling only.

These methods turn what users pass (TF.js config dicts or keywords; tensors, NumPy arrays,
lists or dicts of them) into lists of tensors with checked shapes, then hand over to
``fit_loop`` and ``train_step``. The semantics are TF.js's (validation_split takes the last
fraction before shuffling; evaluate returns scalar tensors; History keys ``acc``/``val_acc``),
except where TF.js is wrong: loss_weights are applied and constraints hold during fit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .. import ops
from ..engine import scope
from ..serialization import merge_config
from ..tensor import Tensor
from . import fit_loop


@dataclass
class CompiledPlan:
    """What ``compile`` resolved: one loss, weight and metric list per output."""

    output_names: list[str]
    losses: list[Callable[[Tensor, Tensor], Tensor]]
    loss_weights: list[float]
    metrics: list[list[tuple[str, Callable]]] = field(default_factory=list)
    loss_specs: Any = None
    metric_specs: Any = None

    @property
    def log_names(self) -> list[str]:
        """Log keys besides 'loss': per-output losses (several outputs), then metrics."""
        names = [f"{n}_loss" for n in self.output_names] if len(self.output_names) > 1 else []
        return names + [name for per_output in self.metrics for name, _ in per_output]


class TrainingMixin:
    """The TF.js LayersModel training API, mixed into GraphModel (and so Sequential)."""

    def __init__(self) -> None:
        self.optimizer: Any = None
        self.compiled: CompiledPlan | None = None
        self.stop_training = False
        self.history: Any = None
        self._fitting = False

    # -- compile --------------------------------------------------------------------------------
    def compile(self, optimizer: Any = None, loss: Any = None, metrics: Any = None,
                loss_weights: Any = None, **kwargs: Any) -> None:
        """Choose the optimizer, the loss(es) and the metrics (TF.js ``model.compile``).

        ``loss`` is a name (both spellings), a function, a list (one per output) or a dict keyed
        by output name; ``loss_weights`` (Keras; TF.js ignores it) scales each output's loss.
        A TF.js config dict works too: ``compile({'optimizer': 'sgd', 'loss': 'mse'})``.
        """
        from .. import losses as loss_lib
        from .. import metrics as metric_lib
        from .. import optimizers

        if isinstance(optimizer, dict) and ("loss" in optimizer or "optimizer" in optimizer):
            args = merge_config(optimizer, {k: v for k, v in
                                            {"loss": loss, "metrics": metrics,
                                             "loss_weights": loss_weights, **kwargs}.items()
                                            if v is not None}, "compile")
            return self.compile(**args)
        if kwargs:
            raise TypeError(f"compile: unknown argument(s) {sorted(kwargs)}")
        if loss is None:
            raise ValueError("compile: a loss is required")
        names = self.output_names
        per_output_losses = [loss_lib.get(spec) for spec in _per_output(loss, names, "loss")]
        weights = [1.0] * len(names) if loss_weights is None else \
            [float(w) for w in _per_output(loss_weights, names, "loss_weights", broadcast=False)]
        metric_lists = _per_output(metrics or [], names, "metrics", nested=True)
        resolved = []
        for i, (name, specs) in enumerate(zip(names, metric_lists)):
            shape = self.outputs[i].shape
            entries = []
            for spec in specs:
                log_name, fn = metric_lib.resolve(spec, per_output_losses[i], shape)
                entries.append((f"{name}_{log_name}" if len(names) > 1 else log_name, fn))
            resolved.append(entries)
        self.optimizer = optimizers.get(optimizer if optimizer is not None else "rmsprop")
        self.compiled = CompiledPlan(list(names), per_output_losses, weights, resolved,
                                     loss_specs=loss, metric_specs=metrics)

    def _build_from_data(self, x: Any) -> None:
        """Models whose input shape is unknown until data arrives build here (Sequential)."""

    def _require_compiled(self, what: str) -> CompiledPlan:
        if self.compiled is None:
            raise RuntimeError(f"{what}: the model must be compiled first (model.compile(...))")
        return self.compiled

    # -- fit ----------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int = 1, callbacks: Any = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: Any = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, yield_every: Any = None, **kwargs: Any) -> Any:
        """Train for ``epochs`` on arrays or tensors (TF.js ``model.fit``); returns a History.

        ``validation_split`` keeps the LAST fraction of the samples for validation, before
        shuffling, as TF.js does. ``yield_every`` is accepted for TF.js compatibility and
        ignored (Python needs no event-loop yields). A TF.js options dict may come third:
        ``model.fit(x, y, {'epochs': 5, 'batchSize': 32})``.
        """
        if isinstance(batch_size, dict):
            return self.fit(x, y, **merge_config(batch_size, kwargs, "fit"))
        if kwargs:
            raise TypeError(f"fit: unknown argument(s) {sorted(kwargs)}")
        self._build_from_data(x)
        self._require_compiled("fit")
        if self._fitting:
            raise RuntimeError("Cannot start training because another fit() call is ongoing.")
        batch_size = 32 if batch_size is None else int(batch_size)
        if batch_size < 1:
            raise ValueError(f"fit: batch_size must be positive, got {batch_size}")
        created: list[Tensor] = []
        try:
            xs = self._standardize(x, "input", created)
            ys = self._standardize(y, "target", created)
            self._check_batch(xs, ys)
            weights = self._sample_weights(ys, class_weight, sample_weight, created)
            validation = None
            if validation_data is not None:
                if not isinstance(validation_data, (list, tuple)) or len(validation_data) != 2:
                    raise ValueError("fit: validation_data must be (x_val, y_val); sample weights "
                                     "for validation are not supported (as in TF.js)")
                val_xs = self._standardize(validation_data[0], "input", created)
                val_ys = self._standardize(validation_data[1], "target", created)
                self._check_batch(val_xs, val_ys)
                validation = (val_xs, val_ys)
            elif validation_split:
                if not 0 < validation_split < 1:
                    raise ValueError(f"fit: validation_split must be in (0, 1), got "
                                     f"{validation_split}")
                split_at = int(math.floor(xs[0].shape[0] * (1 - validation_split)))
                parts = [(ops.slice(t, 0, split_at), ops.slice(t, split_at)) for t in xs + ys]
                created.extend(p for pair in parts for p in pair)
                xs = [p[0] for p in parts[:len(xs)]]
                validation = ([p[1] for p in parts[:len(xs)]], [p[1] for p in parts[len(xs):]])
                ys = [p[0] for p in parts[len(xs):]]
                if weights is not None:
                    weights = [None if w is None else ops.slice(w, 0, split_at) for w in weights]
                    created.extend(w for w in weights if w is not None)
            self._fitting = True
            self.history = fit_loop.run_fit(
                self, xs, ys, batch_size=batch_size, epochs=epochs, verbose=verbose,
                callbacks=callbacks, validation=validation, shuffle=shuffle,
                initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
                sample_weights=weights)
            return self.history
        finally:
            self._fitting = False
            scope.dispose(created)

    def fit_dataset(self, dataset: Any, epochs: int = 1, batches_per_epoch: int | None = None,
                    verbose: int = 1, callbacks: Any = None, validation_data: Any = None,
                    initial_epoch: int = 0, **kwargs: Any) -> Any:
        """Train over batches from a dataset or any iterable (TF.js ``model.fitDataset``).

        Each element is ``{'xs': ..., 'ys': ...}`` or an ``(xs, ys)`` pair, already batched.
        """
        if isinstance(epochs, dict):
            return self.fit_dataset(dataset, **merge_config(epochs, kwargs, "fit_dataset"))
        if kwargs:
            raise TypeError(f"fit_dataset: unknown argument(s) {sorted(kwargs)}")
        self._require_compiled("fit_dataset")
        if self._fitting:
            raise RuntimeError("Cannot start training because another fit() call is ongoing.")
        self._fitting = True
        try:
            self.history = fit_loop.run_fit_dataset(
                self, dataset, epochs=epochs, batches_per_epoch=batches_per_epoch,
                verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                initial_epoch=initial_epoch, to_batch=self._dataset_batch)
            return self.history
        finally:
            self._fitting = False

    def _dataset_batch(self, element: Any) -> tuple[list[Tensor], list[Tensor]]:
        if isinstance(element, dict) and "xs" in element and "ys" in element:
            x, y = element["xs"], element["ys"]
        elif isinstance(element, (tuple, list)) and len(element) == 2:
            x, y = element
        else:
            raise ValueError("fit_dataset: each dataset element must be {'xs': ..., 'ys': ...} or "
                             f"an (xs, ys) pair, got {type(element).__name__}")
        xs = self._standardize(x, "input", [])  # called inside the step's tidy, which frees them
        ys = self._standardize(y, "target", [])
        self._check_batch(xs, ys)
        return xs, ys

    # -- evaluate / predict ---------------------------------------------------------------------
    def evaluate(self, x: Any, y: Any, batch_size: int | None = None, verbose: int = 0,
                 sample_weight: Any = None, steps: int | None = None) -> Any:
        """Loss and metrics on data (TF.js ``model.evaluate``): a scalar Tensor, or a list
        ``[loss, *metrics]`` (multi-output: ``[loss, *output_losses, *metrics]``)."""
        if isinstance(batch_size, dict):
            options = merge_config(batch_size, {}, "evaluate")
            return self.evaluate(x, y, **options)
        self._build_from_data(x)
        self._require_compiled("evaluate")
        created: list[Tensor] = []
        try:
            xs = self._standardize(x, "input", created)
            ys = self._standardize(y, "target", created)
            self._check_batch(xs, ys)
            logs = fit_loop.run_evaluate(self, xs, ys, batch_size=batch_size or 32)
        finally:
            scope.dispose(created)
        return self._as_scalars(logs)

    def evaluate_dataset(self, dataset: Any, batches: int | None = None, verbose: int = 0) -> Any:
        """Loss and metrics over a dataset of batches (TF.js ``model.evaluateDataset``)."""
        if isinstance(batches, dict):
            batches = merge_config(batches, {}, "evaluate_dataset").get("batches")
        self._require_compiled("evaluate_dataset")
        return self._as_scalars(fit_loop.run_evaluate_dataset(self, dataset, batches,
                                                              self._dataset_batch))

    def _as_scalars(self, logs: dict[str, float]) -> Any:
        names = ["loss"] + self.compiled.log_names
        values = [ops.scalar(logs[n]) for n in names]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: int = 0,
                steps: int | None = None) -> Any:
        """Outputs for ``x``, computed in batches (TF.js ``model.predict``)."""
        if isinstance(batch_size, dict):
            return self.predict(x, **merge_config(batch_size, {}, "predict"))
        self._build_from_data(x)
        created: list[Tensor] = []
        try:
            xs = self._standardize(x, "input", created)
            outs = fit_loop.run_predict(self, xs, batch_size or 32)
        finally:
            scope.dispose(created)
        return outs[0] if len(outs) == 1 else outs

    def predict_on_batch(self, x: Any) -> Any:
        """Outputs for one batch, without splitting it (TF.js ``predictOnBatch``)."""
        self._build_from_data(x)
        created: list[Tensor] = []
        try:
            xs = self._standardize(x, "input", created)
            return scope.tidy(lambda: self(xs if len(xs) > 1 else xs[0], training=False))
        finally:
            scope.dispose(created)

    def train_on_batch(self, x: Any, y: Any, sample_weight: Any = None,
                       class_weight: Any = None) -> float | list[float]:
        """One optimizer step on one batch; returns the loss, or ``[loss, *metrics]``."""
        from .train_step import train_step

        self._build_from_data(x)
        self._require_compiled("train_on_batch")
        created: list[Tensor] = []
        try:
            xs = self._standardize(x, "input", created)
            ys = self._standardize(y, "target", created)
            self._check_batch(xs, ys)
            weights = self._sample_weights(ys, class_weight, sample_weight, created)
            logs = fit_loop._read(scope.tidy(lambda: train_step(self, xs, ys, weights)))
        finally:
            scope.dispose(created)
        values = [logs["loss"]] + [logs[n] for n in self.compiled.log_names]
        return values[0] if len(values) == 1 else values

    def test_on_batch(self, x: Any, y: Any) -> Any:
        """Loss and metrics of one batch (Keras ``test_on_batch``)."""
        return self.evaluate(x, y, batch_size=_first_dim(x))

    def dispose_training(self) -> None:
        """Free the optimizer's state (slots)."""
        if self.optimizer is not None and hasattr(self.optimizer, "dispose"):
            self.optimizer.dispose()

    # -- data standardization ------------------------------------------------------------------
    def _standardize(self, data: Any, kind: str, created: list[Tensor]) -> list[Tensor]:
        """Inputs or targets as one float tensor per model input/output, in model order."""
        names = self.input_names if kind == "input" else self.output_names
        if isinstance(data, dict):
            missing = [n for n in names if n not in data]
            if missing:
                raise ValueError(f"{kind} dict is missing {missing}; expected keys {names}")
            items = [data[n] for n in names]
        elif isinstance(data, (list, tuple)) and len(names) > 1:
            items = list(data)
        elif isinstance(data, (list, tuple)) and data and isinstance(data[0], Tensor) \
                and len(data) == 1:
            items = list(data)
        else:
            items = [data]
        if len(items) != len(names):
            raise ValueError(f"the model expects {len(names)} {kind}(s) ({names}), got "
                             f"{len(items)}")
        tensors = []
        for name, item in zip(names, items):
            if item is None:
                raise ValueError(f"no {kind} data given for {name!r}")
            t = item if isinstance(item, Tensor) else ops.tensor(np.asarray(item))
            if t is not item:
                created.append(t)
            if t.rank == 0:
                raise ValueError(f"{kind} {name!r} must have a batch dimension, got a scalar")
            expected = self._expected_shape(kind, len(tensors))
            if t.rank == 1 and expected is not None and len(expected) == 2:
                t = ops.expand_dims(t, 1)  # TF.js treats a 1-D array as one column
                created.append(t)
            tensors.append(t)
        if kind == "target":
            self._check_targets(tensors)
        elif self.built:
            self._check_inputs(tensors)
        return tensors

    def _expected_shape(self, kind: str, index: int) -> tuple | None:
        symbols = self.inputs if kind == "input" else self.outputs
        return tuple(symbols[index].shape) if self.built and index < len(symbols) else None

    def _check_targets(self, ys: list[Tensor]) -> None:
        from .graph import format_shape

        for name, out, y, loss in zip(self.output_names, self.outputs, ys, self.compiled.losses):
            sparse = getattr(loss, "__name__", "").startswith("sparse")
            expected = out.shape
            if sparse or len(expected) != len(y.shape):
                continue
            if any(e is not None and e != a for e, a in zip(expected[1:], y.shape[1:])):
                raise ValueError(f"Error when checking target: expected {name} to have shape "
                                 f"{format_shape(expected)} but got an array of shape "
                                 f"{format_shape(y.shape)}")

    @staticmethod
    def _check_batch(xs: list[Tensor], ys: list[Tensor]) -> None:
        sizes = {t.shape[0] for t in xs + ys}
        if len(sizes) > 1:
            raise ValueError(f"inputs and targets must have the same number of samples; got "
                             f"inputs {[t.shape[0] for t in xs]} and targets "
                             f"{[t.shape[0] for t in ys]}")

    def _sample_weights(self, ys: list[Tensor], class_weight: Any, sample_weight: Any,
                        created: list[Tensor]) -> list[Tensor | None] | None:
        """Per-sample loss weights from ``sample_weight`` or ``class_weight`` (dict per output)."""
        if class_weight is None and sample_weight is None:
            return None
        result: list[Tensor | None] = []
        for i, (name, y) in enumerate(zip(self.output_names, ys)):
            if sample_weight is not None:
                spec = _per_output(sample_weight, self.output_names, "sample_weight",
                                   broadcast=False)[i] if len(ys) > 1 else sample_weight
                w = None if spec is None else ops.tensor(np.asarray(spec, dtype=np.float32))
            else:
                table = class_weight.get(name, class_weight) if isinstance(class_weight, dict) \
                    and name in class_weight else class_weight
                if isinstance(table, (list, tuple)):
                    table = table[i]
                w = _class_weights_for(y, table)
            if w is not None:
                created.append(w)
            result.append(w)
        return result


def _class_weights_for(y: Tensor, table: dict[int, float]) -> Tensor:
    labels = y.numpy()
    if labels.ndim >= 2 and labels.shape[-1] > 1:
        classes = labels.argmax(-1)
    else:
        classes = np.round(labels.reshape(labels.shape[0], -1)[:, 0]).astype(int)
    weights = np.array([float(table.get(int(c), 1.0)) for c in classes], dtype=np.float32)
    return ops.tensor(weights)


def _per_output(spec: Any, names: Sequence[str], what: str, broadcast: bool = True,
                nested: bool = False) -> list[Any]:
    """One entry per output from a single spec, a list (in output order) or a dict by name."""
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(names))
        if unknown:
            raise ValueError(f"compile: {what} names unknown outputs {unknown}; outputs are "
                             f"{list(names)}")
        return [spec.get(n, [] if nested else None) for n in names]
    if nested:
        if isinstance(spec, (list, tuple)) and spec and all(isinstance(s, (list, tuple))
                                                            for s in spec):
            if len(spec) != len(names):
                raise ValueError(f"compile: {what} has {len(spec)} lists for {len(names)} outputs")
            return [list(s) for s in spec]
        items = list(spec) if isinstance(spec, (list, tuple)) else [spec]
        return [items for _ in names]
    if isinstance(spec, (list, tuple)):
        if len(spec) != len(names):
            raise ValueError(f"compile: {what} has {len(spec)} entries for {len(names)} outputs "
                             f"({list(names)})")
        return list(spec)
    if not broadcast and len(names) > 1:
        raise ValueError(f"compile: {what} must be a list or a dict for a model with "
                         f"{len(names)} outputs")
    return [spec for _ in names]


def _first_dim(x: Any) -> int:
    first = x[0] if isinstance(x, (list, tuple)) else next(iter(x.values())) \
        if isinstance(x, dict) else x
    return int(first.shape[0])
