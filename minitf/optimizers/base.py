"""Optimizer: what every optimizer shares (TF.js ``tf.Optimizer``).

``minimize(f)`` is ``compute_gradients`` (``tf.variable_grads``) followed by
``apply_gradients``. ``apply_gradients`` finds each variable by name, makes sure its slots exist
(``<var>/m``, ``<var>/rms``...: non-trainable Variables with TF.js's names) and runs the
subclass's ``_update`` inside ``tidy``. A subclass is one small file: its ``slot_names``, its
config and its update rule. The rule is written twice: in the docstring as TF.js states it, and
in a fused kernel named after TF's training op (``ApplyAdam``...) that ``_update`` calls through
``_apply``: one pass over each weight instead of a dozen ops and temporaries
(minitf/backends/numpy/optimizers.py is the readable reference).

State is the ``iterations`` counter plus the slots, so ``get_weights`` / ``set_weights`` are
written once here, in TF.js's order: ``iter`` first, then every variable's first slot, then
every variable's second slot, and so on.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar, Iterable, Mapping, Sequence

from .. import dtypes
from ..engine.dispatch import run_kernel
from ..engine.gradients import variable_grads
from ..engine.scope import dispose, tidy
from ..ops import scalar, variable, zeros_like
from ..serialization import to_snake_keys
from ..tensor import Tensor, Variable, live_variables

Gradients = Mapping[str, Tensor | None] | Sequence[Any]
NamedTensor = dict[str, Any]

EPSILON = dtypes.EPSILON  # the default for every optimizer's epsilon


class Optimizer:
    """Base class; subclasses set ``class_name`` and ``slot_names`` and write ``_update``."""

    class_name: ClassVar[str] = "Optimizer"
    slot_names: tuple[str, ...] = ()  # per-variable state, in TF.js's get_weights order

    def __init__(self) -> None:
        self.iterations = 0  # applyGradients calls so far (TF.js iterations_, saved as 'iter')
        self._slots: dict[str, dict[str, Variable]] = {}  # var name -> {slot name: Variable}

    # -- the subclass's part --------------------------------------------------------------------
    def _update(self, x: Variable, g: Tensor, slots: dict[str, Variable]) -> None:
        """Assign new values to ``x`` and its ``slots`` from the gradient ``g`` (runs in tidy)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    def _apply(self, kernel: str, x: Variable, g: Tensor, slots: dict[str, Variable],
               **hyper: Any) -> None:
        """Run the fused update ``kernel`` on ``x``, ``g`` and the slots (in ``slot_names``
        order) and assign its results: the new ``x``, then the new slots in the same order.

        The kernel has no gradient; inside a gradient scope its tape node is harmless, since
        its outputs only reach variables through ``assign``, which the tape does not follow.
        """
        targets = [x] + [slots[name] for name in self.slot_names]
        inputs = {"x": x, "g": g, **{name: slots[name] for name in self.slot_names}}
        for target, value in zip(targets, run_kernel(kernel, inputs, **hyper), strict=True):
            target.assign(value)

    def _initial_slot(self, x: Variable, slot: str) -> Tensor:
        """A slot's starting value: zeros like the variable (Adagrad overrides this)."""
        return zeros_like(x)

    def _end_step(self) -> None:
        """Called once after every variable is updated (Adam advances its beta powers here)."""

    def _restore_step_state(self) -> None:
        """Recompute what depends on ``iterations`` after ``set_weights``."""

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, snake_case (TF.js getConfig, camelCase in JavaScript)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_config")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Optimizer":
        """A new optimizer from ``get_config()`` output; camelCase keys are accepted too."""
        return cls(**to_snake_keys(config))

    def get_class_name(self) -> str:
        """The TF.js class name ('Adam', 'RMSProp'...), used in saved model files."""
        return self.class_name

    # -- minimize = compute_gradients + apply_gradients -----------------------------------------
    def minimize(self, f: Callable[[], Tensor], return_cost: bool = False,
                 var_list: Sequence[Variable] | None = None) -> Tensor | None:
        """Run ``f``, differentiate its scalar result and take one step (TF.js ``minimize``).

        Without ``var_list`` every trainable variable that ``f`` uses is updated. Returns the
        cost tensor when ``return_cost`` (the caller disposes it), else None.

        >>> import minitf as tf
        >>> from minitf.train import sgd
        >>> w = tf.variable([1.0, -2.0])
        >>> sgd(0.25).minimize(lambda: tf.sum(tf.square(w)), var_list=[w])
        >>> w.array_sync()
        [0.5, -1.0]
        >>> w.dispose()
        """
        value, grads = self.compute_gradients(f, var_list)
        if var_list is not None:  # TF.js: apply in var_list's order
            self.apply_gradients([(v, grads.get(v.name)) for v in var_list])
        else:
            self.apply_gradients(grads)
        dispose(grads)
        if return_cost:
            return value
        value.dispose()
        return None

    def compute_gradients(self, f: Callable[[], Tensor],
                          var_list: Sequence[Variable] | None = None
                          ) -> tuple[Tensor, dict[str, Tensor | None]]:
        """``(f(), {variable name: gradient})`` (TF.js ``computeGradients``).

        As in TF.js, non-trainable variables in ``var_list`` get no gradient (None).
        """
        if var_list is None:
            return variable_grads(f)
        trainable = [v for v in var_list if v.trainable]
        if not trainable:
            raise ValueError(f"{self.class_name}.compute_gradients: none of the {len(var_list)} "
                             "variables in var_list is trainable")
        value, grads = variable_grads(f, trainable)
        return value, {v.name: grads.get(v.name) for v in var_list}

    def apply_gradients(self, grads: Gradients) -> None:
        """Update each variable from its gradient (TF.js ``applyGradients``).

        ``grads`` is ``{variable name: gradient}`` (a TF.js NamedTensorMap), a list of
        ``{'name': ..., 'tensor': ...}`` dicts, or a list of ``(variable, gradient)`` pairs.
        A gradient of None skips its variable (its slots are still created, as in TF.js).
        """
        for x, g in self._pairs(grads):
            slots = self._slots_of(x)
            if g is not None:
                tidy(f"{self.class_name}.apply_gradients", lambda: self._update(x, g, slots))
        self._end_step()
        self.iterations += 1

    def _pairs(self, grads: Gradients) -> list[tuple[Variable, Tensor | None]]:
        if isinstance(grads, Mapping):
            items: Iterable[Any] = grads.items()
        elif isinstance(grads, (list, tuple)):
            items = [(g["name"], g["tensor"]) if isinstance(g, Mapping) else g for g in grads]
        else:
            raise TypeError(f"{self.class_name}.apply_gradients: expected a dict "
                            f"{{name: gradient}} or a list, got {type(grads).__name__}")
        by_name = {v.name: v for v in live_variables()}
        pairs = []
        for key, g in items:
            x = key if isinstance(key, Variable) else by_name.get(key)
            if x is None:
                raise ValueError(f"{self.class_name}.apply_gradients: no live variable named "
                                 f"{key!r}")
            if g is not None and (not isinstance(g, Tensor) or g.shape != x.shape):
                got = list(g.shape) if isinstance(g, Tensor) else type(g).__name__
                raise ValueError(f"{self.class_name}.apply_gradients: the gradient of "
                                 f"{x.name!r} must be a Tensor of shape {list(x.shape)}, got {got}")
            pairs.append((x, g))
        return pairs

    def _slots_of(self, x: Variable) -> dict[str, Variable]:
        """The slots of ``x``, created on first use."""
        slots = self._slots.setdefault(x.name, {})
        for name in self.slot_names:
            if name not in slots:
                init = self._initial_slot
                slots[name] = tidy(lambda: variable(init(x, name), trainable=False,
                                                    name=f"{x.name}/{name}"))
            elif slots[name].shape != x.shape:
                raise ValueError(f"{self.class_name}: slot '{x.name}/{name}' has shape "
                                 f"{list(slots[name].shape)} but the variable has shape "
                                 f"{list(x.shape)}")
        return slots

    # -- state ---------------------------------------------------------------------------------
    def get_weights(self) -> list[NamedTensor]:
        """``[{'name': 'iter', 'tensor': int32 scalar}, {'name': '<var>/<slot>', ...}, ...]``.

        The order is TF.js's: 'iter', then each slot name in turn for every variable. Slot
        entries hold the slot Variables themselves, as in TF.js; the 'iter' scalar is new.
        """
        weights: list[NamedTensor] = [{"name": "iter",
                                       "tensor": scalar(self.iterations, "int32")}]
        for slot in self.slot_names:
            weights += [{"name": f"{var_name}/{slot}", "tensor": slots[slot]}
                        for var_name, slots in self._slots.items() if slot in slots]
        return weights

    def set_weights(self, weights: Sequence[NamedTensor]) -> None:
        """Restore ``get_weights()`` output: the counter, then the slots (copied).

        Each slot goes to the variable named in its entry (``'<var>/<slot>'``); the previous
        slots are disposed.
        """
        if not weights or weights[0].get("name") != "iter":
            raise ValueError(f"{self.class_name}.set_weights: the first weight must be 'iter'")
        rest = list(weights[1:])
        per_slot, extra = divmod(len(rest), max(len(self.slot_names), 1))
        if extra or (rest and not self.slot_names):
            raise ValueError(f"{self.class_name}.set_weights: expected 'iter' then "
                             f"{len(self.slot_names)} slot(s) per variable "
                             f"{list(self.slot_names)}, got {len(rest)} more weights")
        targets = []  # (variable name, slot name, entry): all checked before anything is made
        for i, entry in enumerate(rest):
            slot = self.slot_names[i // per_slot]
            var_name, _, suffix = entry["name"].rpartition("/")
            if suffix != slot:
                raise ValueError(f"{self.class_name}.set_weights: weight {i + 1} is "
                                 f"{entry['name']!r}; expected a '<variable>/{slot}' slot here")
            targets.append((var_name, slot, entry))
        restored: dict[str, dict[str, Variable]] = {}
        for var_name, slot, entry in targets:  # copies first: entries may be the current slots
            restored.setdefault(var_name, {})[slot] = variable(
                entry["tensor"], trainable=False, name=entry["name"])
        self.dispose()
        self._slots = restored
        self.iterations = int(weights[0]["tensor"].item())
        self._restore_step_state()

    def dispose(self) -> None:
        """Dispose every slot variable (TF.js ``dispose``); the optimizer can still be used."""
        for slots in self._slots.values():
            dispose(list(slots.values()))
        self._slots = {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
