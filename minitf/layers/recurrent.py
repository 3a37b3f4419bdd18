"""Recurrent layers: a cell run over the time axis (TF.js ``tf.layers.rnn``, ``simpleRNN``,
``lstm``, ``gru``).

Inputs are ``[batch, time, features]``. At each step the cell (``recurrent_cells.py``) maps
``(x_t, states) -> (output, new_states)``; the states start at zeros or at ``initial_state``.
The loop is plain Python over ``ops.unstack(x, 1)``, so backpropagation through time is just the
tape walking back over the steps. A mask ``[batch, time]`` (from ``embedding(mask_zero)`` or
``masking``) makes a masked step keep the previous output and states. ``go_backwards`` walks
the steps last to first, and the returned sequence stays in that processing order (TF.js).
``return_state`` returns ``[output, *final_states]``.
"""
from __future__ import annotations

from typing import Any

from .. import ops
from ..serialization import deserialize, register_class, serialize, to_snake_keys
from ..tensor import Tensor
from .base import Layer, layer_factory
from .recurrent_cells import (GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells, first_shape,
                              gru_cell, lstm_cell, simple_rnn_cell, stacked_rnn_cells,
                              state_sizes)

__all__ = ["rnn", "simple_rnn", "lstm", "gru", "simple_rnn_cell", "lstm_cell", "gru_cell",
           "stacked_rnn_cells"]

_RNN_KEYS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")
_BASE_KEYS = ("name", "trainable", "input_shape", "batch_input_shape", "batch_size", "dtype",
              "input_dim", "input_dtype", "weights")


class _RNN(Layer):
    """The time loop shared by RNN, SimpleRNN, LSTM and GRU; ``cell`` computes one step."""

    def __init__(self, cell: Layer, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 **base: Any) -> None:
        super().__init__(**base)
        if stateful:
            raise NotImplementedError(f"{self.class_name} {self.name!r}: stateful=True is not "
                                      "supported by minitf yet")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = False
        self.unroll = bool(unroll)  # accepted and ignored, as in TF.js: the loop is always Python
        self.supports_masking = True

    def __call__(self, inputs: Any, training: bool | None = None, initial_state: Any = None,
                 **kwargs: Any) -> Any:
        """As Layer.__call__; ``initial_state`` joins the inputs, ``[x, *initial_state]``, so
        that symbolic initial states become graph inputs (as in TF.js)."""
        if initial_state is not None:
            if isinstance(inputs, (list, tuple)):
                raise ValueError(f"{self.class_name} {self.name!r}: give the initial state "
                                 "either in the inputs list or as initial_state, not both")
            states = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
            inputs = [inputs, *states]
        return super().__call__(inputs, training=training, **kwargs)

    def _check_rank(self, shape: tuple) -> tuple:
        if len(shape) != 3:
            raise ValueError(f"{self.class_name} {self.name!r}: expected input of rank 3 "
                             f"[batch, time, features], got shape {list(shape)}")
        return shape

    def build(self, input_shape: Any) -> None:
        shape = self._check_rank(first_shape(input_shape))
        if self.cell.built:  # a cell used before: its weights become this layer's too
            self._weights.extend(self.cell._weights)
            self._regularized.extend(self.cell._regularized)
        else:  # TF.js names the cell's weights after this layer: lstm_LSTM1/kernel
            self.cell.owner = (self, "")
            self.cell.maybe_build((shape[0], shape[2]))

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None,
             **kwargs: Any) -> Tensor | list[Tensor]:
        if kwargs:
            raise TypeError(f"{self.class_name} {self.name!r}: unknown call argument(s) "
                            f"{sorted(kwargs)}; expected training, mask, initial_state")
        if isinstance(inputs, (list, tuple)):
            x, states = inputs[0], list(inputs[1:])
        else:
            x, states = inputs, []
        self._check_rank(x.shape)
        states = self._initial_states(x, states)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None and tuple(mask.shape) != tuple(x.shape[:2]):
            raise ValueError(f"{self.class_name} {self.name!r}: expected a mask of shape "
                             f"{list(x.shape[:2])} [batch, time], got {list(mask.shape)}")
        with self.cell.sequence():
            outputs, states = self._loop(x, states, mask, training)
        output = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return [output, *states] if self.return_state else output

    def _initial_states(self, x: Tensor, given: list[Tensor]) -> list[Tensor]:
        sizes = state_sizes(self.cell)
        if not given:
            return [ops.zeros([x.shape[0], size], x.dtype) for size in sizes]
        if len(given) != len(sizes):
            raise ValueError(f"{self.class_name} {self.name!r} has {len(sizes)} state(s) but "
                             f"was given {len(given)} initial state(s)")
        for i, (state, size) in enumerate(zip(given, sizes)):
            if tuple(state.shape) != (x.shape[0], size):
                raise ValueError(f"{self.class_name} {self.name!r}: initial state {i} must have "
                                 f"shape {[x.shape[0], size]}, got {list(state.shape)}")
        return given

    def _loop(self, x: Tensor, states: list[Tensor], mask: Tensor | None,
              training: bool | None) -> tuple[list[Tensor], list[Tensor]]:
        """Run the cell over the time steps; the per-step outputs and the last states."""
        steps = ops.unstack(x, axis=1)
        if mask is None:
            keeps: list[Tensor | None] = [None] * len(steps)
        else:  # [batch, 1] per step, broadcast over the units
            keeps = ops.unstack(ops.expand_dims(ops.cast(mask, "bool"), -1), axis=1)
        order = range(len(steps) - 1, -1, -1) if self.go_backwards else range(len(steps))
        outputs = []
        for t in order:
            output, new_states = self.cell.step(steps[t], states, training)
            if keeps[t] is not None:  # a masked step carries the previous output and states
                output = ops.where(keeps[t], output, states[0])
                new_states = [ops.where(keeps[t], new, old)
                              for new, old in zip(new_states, states)]
            outputs.append(output)
            states = new_states
        return outputs, states

    def compute_output_shape(self, input_shape: Any) -> tuple | list[tuple]:
        batch, time = first_shape(input_shape)[:2]
        sizes = state_sizes(self.cell)
        output = (batch, time, sizes[0]) if self.return_sequences else (batch, sizes[0])
        if self.return_state:
            return [output, *[(batch, size) for size in sizes]]
        return output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input mask goes on with the sequence output; final states have none."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(state_sizes(self.cell))
        return output_mask

    def dispose(self) -> None:
        super().dispose()
        self.cell.dispose()

    def get_config(self) -> dict[str, Any]:
        """TF.js's layout: the cell's keys, then this layer's name and the RNN options."""
        return {**self.cell.get_config(), **super().get_config(),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll}


@register_class
class RNN(_RNN):
    """Any cell, or a list of cells (stacked), run over the time axis (TF.js ``tf.layers.rnn``).

    >>> import minitf as tf
    >>> layer = tf.layers.rnn(cell=tf.layers.simple_rnn_cell(units=3), return_sequences=True)
    >>> layer.apply(tf.ones([2, 5, 4])).shape
    (2, 5, 3)
    """

    class_name = "RNN"

    def __init__(self, cell: Any, **kwargs: Any) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cells=list(cell))
        elif isinstance(cell, dict):
            cell = deserialize(to_snake_keys(cell), "layers")
        if getattr(cell, "state_size", None) is None:
            raise ValueError(f"RNN: the cell must be a cell layer with a state_size, got {cell!r}")
        super().__init__(cell, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cell": serialize(self.cell)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "RNN":
        # The config repeats the cell's keys (TF.js layout); only 'cell' rebuilds the cell.
        own = {k: v for k, v in config.items() if k in _RNN_KEYS or k in _BASE_KEYS}
        return cls(cell=config["cell"], **own)


class _CellRNN(_RNN):
    """A layer that makes its own cell of ``cell_class`` from its keyword arguments."""

    cell_class: type

    def __init__(self, units: int, **kwargs: Any) -> None:
        own = {k: kwargs.pop(k) for k in (*_RNN_KEYS, *_BASE_KEYS) if k in kwargs}
        # TF.js hands the layer's arguments, name included, to the cell as well.
        shared = {k: own[k] for k in ("name", "trainable", "dtype") if k in own}
        super().__init__(self.cell_class(units, **kwargs, **shared), **own)

    @property
    def units(self) -> int:
        """The cell's number of units (the size of the output)."""
        return self.cell.units


@register_class
class SimpleRNN(_CellRNN):
    """A fully connected RNN: ``h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent)``.

    Arguments are SimpleRNNCell's (``units``, ``activation``, initializers, regularizers,
    constraints, ``dropout``, ``recurrent_dropout``) and RNN's (``return_sequences``,
    ``return_state``, ``go_backwards``, ``stateful`` (False only), ``unroll`` (ignored)).
    TF.js ``tf.layers.simpleRNN``.

    >>> import minitf as tf
    >>> layer = tf.layers.simple_rnn(units=3, return_state=True)
    >>> [t.shape for t in layer.apply(tf.ones([2, 5, 4]))]
    [(2, 3), (2, 3)]
    """

    class_name = "SimpleRNN"
    cell_class = SimpleRNNCell


@register_class
class LSTM(_CellRNN):
    """Long short-term memory over a sequence; states ``[h, c]`` (see LSTMCell for the gates).

    Arguments as SimpleRNN plus ``recurrent_activation`` (TF.js default ``hard_sigmoid``),
    ``unit_forget_bias`` (off unless set, unlike Keras) and ``implementation`` (ignored).
    TF.js ``tf.layers.lstm``.

    >>> import minitf as tf
    >>> tf.layers.lstm(units=3, return_sequences=True).apply(tf.ones([2, 5, 4])).shape
    (2, 5, 3)
    """

    class_name = "LSTM"
    cell_class = LSTMCell


@register_class
class GRU(_CellRNN):
    """Gated recurrent unit over a sequence (see GRUCell); ``reset_after=True`` is refused.

    Arguments as SimpleRNN plus ``recurrent_activation`` (TF.js default ``hard_sigmoid``) and
    ``implementation`` (ignored). TF.js ``tf.layers.gru``.

    >>> import minitf as tf
    >>> tf.layers.gru(units=3).apply(tf.ones([2, 5, 4])).shape
    (2, 3)
    """

    class_name = "GRU"
    cell_class = GRUCell


rnn = layer_factory(RNN, "rnn")
simple_rnn = layer_factory(SimpleRNN, "simple_rnn")
lstm = layer_factory(LSTM, "lstm")
gru = layer_factory(GRU, "gru")
