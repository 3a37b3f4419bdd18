"""One training step and one test step: the functions to put a breakpoint in.

``train_step`` runs the forward pass with ``training=True``, the losses of every output
(weighted, plus the regularization penalties), and ``optimizer.minimize``, which records the
tape, backpropagates and updates the weights; then the weight constraints are applied. It
returns the batch's scalar logs (loss, per-output losses, metrics), kept for the caller to read
and dispose. ``test_step`` is the same without the tape, the update and the regularization penalties
(TF.js reports evaluate and val_loss without them).
"""
from __future__ import annotations

from typing import Any, Sequence

from .. import ops
from ..engine import scope
from ..layers.base import take_activity_penalties
from ..tensor import Tensor


def _outputs(model: Any, xs: Sequence[Tensor], training: bool) -> list[Tensor]:
    out = model(list(xs) if len(xs) > 1 else xs[0], training=training)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _losses_and_metrics(model: Any, outputs: list[Tensor], ys: Sequence[Tensor],
                        sample_weights: Sequence[Tensor | None] | None) -> tuple[Tensor, dict]:
    """The total loss to minimize and the scalar logs (losses per output, metrics)."""
    plan = model.compiled
    logs: dict[str, Tensor] = {}
    weighted = []
    for i, (y_pred, y_true) in enumerate(zip(outputs, ys)):
        per_sample = plan.losses[i](y_true, y_pred)
        if sample_weights is not None and sample_weights[i] is not None:
            per_sample = ops.mul(per_sample, sample_weights[i])
        output_loss = ops.mean(per_sample)
        if len(outputs) > 1:
            logs[f"{plan.output_names[i]}_loss"] = output_loss
        weighted.append(output_loss if plan.loss_weights[i] == 1 else
                        ops.mul(output_loss, plan.loss_weights[i]))
        for name, fn in plan.metrics[i]:
            logs[name] = ops.mean(fn(y_true, y_pred))
    return ops.add_n(weighted), logs


def train_step(model: Any, xs: Sequence[Tensor], ys: Sequence[Tensor],
               sample_weights: Sequence[Tensor | None] | None = None) -> dict[str, Tensor]:
    """Forward, loss, backward and update on one batch; returns kept scalar logs."""
    logs: dict[str, Tensor] = {}

    def loss_fn() -> Tensor:
        outputs = _outputs(model, xs, training=True)
        total, batch_logs = _losses_and_metrics(model, outputs, ys, sample_weights)
        penalty = model.regularization_loss()  # in the training loss only, as in TF.js
        activity = take_activity_penalties()  # kept by the layers; freed with this scope
        for extra in ([penalty] if penalty is not None else []) + activity:
            total = ops.add(total, extra)
        scope.dispose(activity)  # the tape needs only their ids; the sum is computed
        logs.update({k: scope.keep(v) for k, v in batch_logs.items()})  # kept: read by the loop
        return total

    cost = model.optimizer.minimize(loss_fn, return_cost=True, var_list=model.trainable_weights)
    model.apply_constraints()  # TF.js never does this during fit (tfjs#3345); Keras does
    return {"loss": scope.keep(cost), **logs}


def test_step(model: Any, xs: Sequence[Tensor], ys: Sequence[Tensor]) -> dict[str, Tensor]:
    """Forward with ``training=False`` and the losses and metrics of one batch, no tape."""
    def run() -> dict[str, Tensor]:
        outputs = _outputs(model, xs, training=False)
        total, logs = _losses_and_metrics(model, outputs, ys, None)
        return {"loss": total, **logs}

    return scope.tidy("test_step", run)
