"""Recurrent cells: what one time step of SimpleRNN, LSTM and GRU computes.

A cell maps ``(x_t, states) -> (output, new_states)`` for one time step; the RNN layers in
``recurrent.py`` run it over the time axis. Called on its own, a cell takes ``[x, *states]`` and
returns ``[output, *new_states]`` (TF.js ``cell.apply([x, h])``).

Each cell owns three weights: ``kernel`` [features, gates*units] for the input,
``recurrent_kernel`` [units, gates*units] for the previous output, and ``bias`` [gates*units],
the gates side by side in TF.js's order (LSTM i, f, c, o; GRU z, r, h). Inside an RNN layer the
weights are created as that layer's and named after it (``lstm_LSTM1/kernel``), as TF.js does.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Sequence

from .. import activations, constraints, initializers, ops, regularizers
from ..serialization import deserialize, register_class, serialize, to_snake_keys
from ..tensor import Tensor
from .base import Layer, layer_factory

__all__ = ["simple_rnn_cell", "lstm_cell", "gru_cell", "stacked_rnn_cells"]


def state_sizes(cell: Layer) -> list[int]:
    """A cell's ``state_size`` as a list (TF.js allows one int for a single state)."""
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def first_shape(input_shape: Any) -> tuple:
    """The shape of the first input when given the shapes of ``[x, *states]``."""
    if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
        return tuple(input_shape[0])
    return tuple(input_shape)


class _Cell(Layer):
    """Shared by the cells: weight ownership, per-sequence dropout masks, the list-call form."""

    def __init__(self, **base: Any) -> None:
        super().__init__(**base)
        self.owner: tuple[Layer, str] | None = None  # (RNN layer, name prefix) once inside one
        self._masks: dict[str, Tensor] | None = None  # dropout masks of the current sequence

    def add_weight(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Layer.add_weight, but inside an RNN layer the weight is created as that layer's:
        named after it and listed in its weights (and in this cell's)."""
        if self.owner is None:
            return super().add_weight(name, *args, **kwargs)
        layer, prefix = self.owner
        variable = layer.add_weight(prefix + name, *args, **kwargs)
        self._weights.append(layer._weights[-1])
        return variable

    @contextlib.contextmanager
    def sequence(self) -> Iterator[None]:
        """Within one sequence a dropout mask is drawn once and used at every step."""
        self._masks = {}
        try:
            yield
        finally:
            self._masks = None

    def dropped(self, x: Tensor, rate: float, key: str, training: bool | None) -> Tensor:
        """``x`` times a dropout mask (scaled by 1/(1-rate)) when training, else ``x``."""
        if not (training and 0 < rate < 1):
            return x
        mask = None if self._masks is None else self._masks.get(key)
        if mask is None:
            mask = ops.dropout(ops.ones_like(x), rate)
            if self._masks is not None:
                self._masks[key] = mask
        return ops.mul(x, mask)

    def step(self, x: Tensor, states: list[Tensor], training: bool | None = None
             ) -> tuple[Tensor, list[Tensor]]:
        """One time step: the output and the new states."""
        raise NotImplementedError

    def call(self, inputs: Any, training: bool | None = None, states: Any = None,
             **kwargs: Any) -> list[Tensor]:
        """``[x, *states] -> [output, *new_states]``, or ``x`` with ``states=[...]``."""
        if kwargs:
            raise TypeError(f"{self.class_name} {self.name!r}: unknown call argument(s) "
                            f"{sorted(kwargs)}; expected training, states")
        if states is None:
            x, *states = inputs
        else:
            x, states = inputs, list(states)
        expected = len(state_sizes(self))
        if len(states) != expected:
            raise ValueError(f"{self.class_name} {self.name!r} expects {expected} state "
                             f"tensor(s) besides the input, got {len(states)}")
        output, new_states = self.step(x, states, training)
        return [output, *new_states]

    def compute_output_shape(self, input_shape: Any) -> list[tuple]:
        batch = first_shape(input_shape)[0]
        sizes = state_sizes(self)
        return [(batch, sizes[0]), *[(batch, s) for s in sizes]]


class _DenseCell(_Cell):
    """Configuration and weights common to SimpleRNN, GRU and LSTM cells: dense products with
    ``gates`` blocks of ``units`` columns in every weight."""

    gates = 1

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_normal",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, **base: Any) -> None:
        super().__init__(**base)
        if int(units) != units or units < 1:
            raise ValueError(f"{self.class_name} {self.name!r}: units must be a positive int, "
                             f"got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        # TF.js clips the rates to [0, 1]; a rate of 0 or 1 means no dropout at all.
        self.dropout = min(1.0, max(0.0, float(dropout or 0)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout or 0)))
        self.state_size: int | list[int] = self.units
        self.bias: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        shape = first_shape(input_shape)
        if len(shape) != 2 or shape[-1] is None:
            raise ValueError(f"{self.class_name} {self.name!r}: expected step inputs of shape "
                             f"[batch, features] with known features, got {list(shape)}")
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", [shape[-1], width], "float32",
                                      self.kernel_initializer, self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", [self.units, width], "float32", self.recurrent_initializer,
            self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [width], "float32", self.bias_weight_initializer(),
                                        self.bias_regularizer, constraint=self.bias_constraint)

    def bias_weight_initializer(self) -> Any:
        return self.bias_initializer

    def check_step(self, x: Tensor) -> None:
        if x.rank != 2 or x.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"{self.class_name} {self.name!r}: expected a step input of shape "
                             f"[batch, {self.kernel.shape[0]}], got {list(x.shape)}")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                **self._recurrent_activation_config(),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                **self._extra_bias_config(),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout}

    def _recurrent_activation_config(self) -> dict[str, Any]:
        return {}

    def _extra_bias_config(self) -> dict[str, Any]:
        return {}


@register_class
class SimpleRNNCell(_DenseCell):
    """``h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)``; the state is h.

    TF.js ``tf.layers.simpleRNNCell``: default activation tanh, kernel ``glorot_normal``,
    recurrent kernel ``orthogonal``.

    >>> import minitf as tf
    >>> cell = tf.layers.simple_rnn_cell(units=3)
    >>> [t.shape for t in cell.apply([tf.ones([2, 4]), tf.zeros([2, 3])])]
    [(2, 3), (2, 3)]
    """

    class_name = "SimpleRNNCell"

    def __init__(self, units: int, activation: Any = "tanh", **kwargs: Any) -> None:
        # TF.js: a missing or null activation means tanh for this cell.
        super().__init__(units, "tanh" if activation is None else activation, **kwargs)

    def step(self, x: Tensor, states: list[Tensor], training: bool | None = None
             ) -> tuple[Tensor, list[Tensor]]:
        self.check_step(x)
        x = self.dropped(x, self.dropout, "input", training)
        h_prev = self.dropped(states[0], self.recurrent_dropout, "recurrent", training)
        z = ops.matmul(x, self.kernel)
        if self.use_bias:
            z = ops.add(z, self.bias)
        h = self.activation(ops.add(z, ops.matmul(h_prev, self.recurrent_kernel)))
        return h, [h]


class _ForgetBias(initializers.Initializer):
    """LSTM bias with the forget block set to ones: [init(i), 1, init(c), init(o)]."""

    class_name = "CustomInit"

    def __init__(self, base: initializers.Initializer, units: int) -> None:
        self.base, self.units = base, units

    def apply(self, shape: tuple[int, ...], dtype: str) -> Tensor:
        return ops.concat([self.base([self.units], dtype), ops.ones([self.units], dtype),
                           self.base([2 * self.units], dtype)])


@register_class
class LSTMCell(_DenseCell):
    """Long short-term memory: gates i, f, o decide what enters, stays in and leaves a carry c.

    With ``[zi, zf, zc, zo] = x @ kernel + h_prev @ recurrent_kernel + bias``:
    ``c = f * c_prev + i * activation(zc)`` and ``h = o * activation(c)``, where
    ``i, f, o = recurrent_activation(zi, zf, zo)``. States ``[h, c]``.
    TF.js ``tf.layers.lstmCell``: recurrent activation ``hard_sigmoid`` (Keras 3: sigmoid);
    ``unit_forget_bias`` (ones in the forget block of the bias) is off unless set, unlike
    Keras. ``implementation`` is accepted and ignored.

    >>> import minitf as tf
    >>> cell = tf.layers.lstm_cell(units=3)
    >>> [t.shape for t in cell.apply([tf.ones([2, 4]), tf.zeros([2, 3]), tf.zeros([2, 3])])]
    [(2, 3), (2, 3), (2, 3)]
    """

    class_name = "LSTMCell"
    gates = 4

    def __init__(self, units: int, recurrent_activation: Any = "hard_sigmoid",
                 unit_forget_bias: bool | None = None, implementation: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = implementation
        self.state_size = [units, units]

    def bias_weight_initializer(self) -> Any:
        if self.unit_forget_bias:
            return _ForgetBias(self.bias_initializer, self.units)
        return self.bias_initializer

    def step(self, x: Tensor, states: list[Tensor], training: bool | None = None
             ) -> tuple[Tensor, list[Tensor]]:
        self.check_step(x)
        h_prev, c_prev = states
        x = self.dropped(x, self.dropout, "input", training)
        h_in = self.dropped(h_prev, self.recurrent_dropout, "recurrent", training)
        z = ops.add(ops.matmul(x, self.kernel), ops.matmul(h_in, self.recurrent_kernel))
        if self.use_bias:
            z = ops.add(z, self.bias)
        zi, zf, zc, zo = ops.split(z, 4, axis=1)
        i, f, o = (self.recurrent_activation(g) for g in (zi, zf, zo))
        c = ops.add(ops.mul(f, c_prev), ops.mul(i, self.activation(zc)))
        h = ops.mul(o, self.activation(c))
        return h, [h, c]

    def _recurrent_activation_config(self) -> dict[str, Any]:
        return {"recurrent_activation": activations.serialize(self.recurrent_activation)}

    def _extra_bias_config(self) -> dict[str, Any]:
        return {"unit_forget_bias": self.unit_forget_bias}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "implementation": self.implementation}


@register_class
class GRUCell(_DenseCell):
    """Gated recurrent unit: an update gate z blends the old state with a candidate.

    With ``[xz, xr, xh] = x @ kernel + bias`` and the recurrent kernel split as
    ``[Rz, Rr | Rh]``: ``z = ra(xz + h_prev @ Rz)``, ``r = ra(xr + h_prev @ Rr)``,
    ``hh = activation(xh + (r * h_prev) @ Rh)`` and ``h = z * h_prev + (1 - z) * hh``.
    The reset gate acts before the recurrent product: TF.js has no ``reset_after`` (it refuses
    True, and so does minitf). Recurrent dropout scales only the recurrent products, as in
    Keras; TF.js also scales the ``z * h_prev`` term, which is a bug there.

    >>> import minitf as tf
    >>> [t.shape for t in tf.layers.gru_cell(units=3).apply([tf.ones([2, 4]), tf.zeros([2, 3])])]
    [(2, 3), (2, 3)]
    """

    class_name = "GRUCell"
    gates = 3

    def __init__(self, units: int, recurrent_activation: Any = "hard_sigmoid",
                 implementation: int | None = None, reset_after: bool = False,
                 **kwargs: Any) -> None:
        if reset_after:
            raise ValueError("GRUCell does not support reset_after=True (neither does TF.js); "
                             "models saved by Keras 2.3+ GRUs with reset_after cannot be loaded")
        super().__init__(units, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = implementation

    def step(self, x: Tensor, states: list[Tensor], training: bool | None = None
             ) -> tuple[Tensor, list[Tensor]]:
        self.check_step(x)
        h_prev = states[0]
        x = self.dropped(x, self.dropout, "input", training)
        h_in = self.dropped(h_prev, self.recurrent_dropout, "recurrent", training)
        xs = ops.matmul(x, self.kernel)
        if self.use_bias:
            xs = ops.add(xs, self.bias)
        xz, xr, xh = ops.split(xs, 3, axis=1)
        r_zr, r_h = ops.split(self.recurrent_kernel, [2 * self.units, self.units], axis=1)
        hz, hr = ops.split(ops.matmul(h_in, r_zr), 2, axis=1)
        z = self.recurrent_activation(ops.add(xz, hz))
        r = self.recurrent_activation(ops.add(xr, hr))
        hh = self.activation(ops.add(xh, ops.matmul(ops.mul(r, h_in), r_h)))
        h = ops.add(ops.mul(z, h_prev), ops.mul(ops.sub(1, z), hh))
        return h, [h]

    def _recurrent_activation_config(self) -> dict[str, Any]:
        return {"recurrent_activation": activations.serialize(self.recurrent_activation)}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "implementation": self.implementation,
                "reset_after": False}


@register_class
class StackedRNNCells(_Cell):
    """Several cells acting as one: each step feeds the output of one cell to the next.

    The states are one flat list in reverse cell order (last cell's first), so that state 0 is
    the output, as the RNN layer expects (TF.js ``tf.layers.stackedRNNCells``; what
    ``tf.layers.rnn({cell: [c1, c2]})`` builds). Weights are named ``<layer>/RNNCell_<i>/...``.
    """

    class_name = "StackedRNNCells"

    def __init__(self, cells: Sequence[Any], **base: Any) -> None:
        super().__init__(**base)
        self.cells = [deserialize(to_snake_keys(c), "layers") if isinstance(c, dict) else c
                      for c in cells]
        if not self.cells:
            raise ValueError("StackedRNNCells needs at least one cell")

    @property
    def state_size(self) -> list[int]:
        return [s for cell in reversed(self.cells) for s in state_sizes(cell)]

    def build(self, input_shape: Any) -> None:
        shape = first_shape(input_shape)
        for i, cell in enumerate(self.cells):
            if cell.built:
                raise ValueError(f"StackedRNNCells {self.name!r}: cell {cell.name!r} is already "
                                 "built; stack fresh cells")
            cell.owner = (self, f"RNNCell_{i}/")
            cell.maybe_build(shape)
            shape = (shape[0], state_sizes(cell)[0])

    @contextlib.contextmanager
    def sequence(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for cell in self.cells:
                stack.enter_context(cell.sequence())
            yield

    def step(self, x: Tensor, states: list[Tensor], training: bool | None = None
             ) -> tuple[Tensor, list[Tensor]]:
        per_cell, rest = [], list(states)
        for cell in reversed(self.cells):  # undo the reversed flat order
            n = len(state_sizes(cell))
            per_cell.insert(0, rest[:n])
            rest = rest[n:]
        new_per_cell = []
        for cell, cell_states in zip(self.cells, per_cell):
            x, new_states = cell.step(x, cell_states, training)
            new_per_cell.append(new_states)
        return x, [s for new_states in reversed(new_per_cell) for s in new_states]

    def dispose(self) -> None:
        super().dispose()
        for cell in self.cells:
            cell.dispose()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cells": [serialize(c) for c in self.cells]}


simple_rnn_cell = layer_factory(SimpleRNNCell, "simple_rnn_cell")
lstm_cell = layer_factory(LSTMCell, "lstm_cell")
gru_cell = layer_factory(GRUCell, "gru_cell")
stacked_rnn_cells = layer_factory(StackedRNNCells, "stacked_rnn_cells")
