"""Layers that wrap another layer: TimeDistributed and Bidirectional (TF.js ``wrappers.ts``).

- ``TimeDistributed(layer)`` applies ``layer`` to every time step of a [batch, time, ...] input
  with the same weights: the time axis is folded into the batch, the layer runs once, and the
  result is unfolded ([batch * time, ...] -> [batch, time, ...]).
- ``Bidirectional(layer)`` runs a recurrent layer forward and a copy of it backward over the
  sequence and merges the two outputs (``merge_mode``: 'concat', the default, 'sum', 'mul',
  'ave', or None for both as a list). The backward copy is built from the layer's config with
  ``go_backwards`` flipped; its sequence output comes out in reversed time and is turned
  around before merging.

Weights are named as TF.js names them, so model.json files load both ways:
``time_distributed_TimeDistributed1/kernel`` (the wrapped layer's own name does not appear), and
``bidirectional_Bidirectional1/forward_lstm_LSTM1/kernel`` (then ``backward_...``).
"""
from __future__ import annotations

from typing import Any

from .. import ops
from ..serialization import deserialize, register_class, serialize, to_snake_keys
from ..tensor import Tensor
from .base import Layer, layer_factory
from .recurrent_cells import first_shape, state_sizes

__all__ = ["time_distributed", "bidirectional"]

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _layer_arg(layer: Any, wrapper: str) -> Layer:
    """The wrapped layer: a Layer, or its config ``{'class_name', 'config'}``."""
    if isinstance(layer, dict):
        layer = deserialize(to_snake_keys(layer), "layers")
    if not isinstance(layer, Layer):
        raise TypeError(f"{wrapper}: 'layer' must be a layer, got {type(layer).__name__}")
    return layer


class Wrapper(Layer):
    """Holds ``self.layer``; its config is the wrapped layer's plus the wrapper's own keys."""

    def __init__(self, layer: Any, **base: Any) -> None:
        super().__init__(**base)
        self.layer = _layer_arg(layer, self.class_name)

    def _adopt(self, *layers: Layer) -> None:
        """List the wrapped layers' weights (and penalties) as this layer's, in order."""
        for layer in layers:
            self._weights.extend(layer._weights)
            self._regularized.extend(layer._regularized)

    def dispose(self) -> None:
        super().dispose()  # frees the adopted weights
        for layer in self._wrapped():
            layer._weights.clear()
            layer._regularized.clear()
            layer.built = False

    def _wrapped(self) -> list[Layer]:
        return [self.layer]

    def get_config(self) -> dict[str, Any]:
        return {"layer": serialize(self.layer), **super().get_config()}


@register_class
class TimeDistributed(Wrapper):
    """``layer`` applied to every time step (TF.js ``tf.layers.timeDistributed``).

    >>> import minitf as tf
    >>> layer = tf.layers.time_distributed(layer=tf.layers.dense(units=2))
    >>> layer.apply(tf.ones([4, 3, 5])).shape
    (4, 3, 2)
    """

    class_name = "TimeDistributed"

    def __init__(self, layer: Any, **base: Any) -> None:
        super().__init__(layer, **base)
        self.supports_masking = True

    def _child_shape(self, input_shape: Any) -> tuple:
        shape = tuple(first_shape(input_shape))
        if len(shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r}: expected an input of rank 3 or "
                             f"more [batch, time, ...], got shape {list(shape)}")
        return (shape[0], *shape[2:])

    def build(self, input_shape: Any) -> None:
        child = self._child_shape(input_shape)
        if not self.layer.built:
            self.layer.weight_scope = self.name  # TF.js: time_distributed_TimeDistributed1/kernel
            self.layer.maybe_build(child)
        self._adopt(self.layer)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(first_shape(input_shape))
        out = tuple(self.layer.compute_output_shape(self._child_shape(input_shape)))
        return (out[0], shape[1], *out[1:])

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None,
             **kwargs: Any) -> Tensor:
        x = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        batch, time = x.shape[0], x.shape[1]
        folded = ops.reshape(x, [batch * time, *x.shape[2:]])
        y = self.layer.call(folded, training=training, **kwargs)
        if isinstance(y, (list, tuple)):
            y = y[0]
        return ops.reshape(y, [batch, time, *y.shape[1:]])


@register_class
class Bidirectional(Wrapper):
    """A recurrent layer run forward and backward, outputs merged (TF.js
    ``tf.layers.bidirectional``).

    >>> import minitf as tf
    >>> layer = tf.layers.bidirectional(layer=tf.layers.lstm(units=3, return_sequences=True))
    >>> layer.apply(tf.ones([2, 5, 4])).shape
    (2, 5, 6)
    """

    class_name = "Bidirectional"

    def __init__(self, layer: Any, merge_mode: str | None = "concat", **base: Any) -> None:
        super().__init__(layer, **base)
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional {self.name!r}: merge_mode must be one of "
                             f"{list(MERGE_MODES)}, got {merge_mode!r}")
        if not hasattr(self.layer, "go_backwards"):
            raise TypeError(f"Bidirectional {self.name!r}: the wrapped layer must be a "
                            f"recurrent layer, got {self.layer.class_name}")
        self.merge_mode = merge_mode
        self.forward_layer = self._copy(go_backwards=self.layer.go_backwards, prefix="forward_")
        self.backward_layer = self._copy(go_backwards=not self.layer.go_backwards,
                                         prefix="backward_")
        self.return_sequences = self.layer.return_sequences
        self.return_state = self.layer.return_state
        self.supports_masking = True

    def _copy(self, go_backwards: bool, prefix: str) -> Layer:
        """A fresh layer from the wrapped one's config (TF.js deserializes it twice)."""
        config = {**self.layer.get_config(), "go_backwards": go_backwards}
        config["name"] = prefix + self.layer.name
        return type(self.layer).from_config(config)

    def _wrapped(self) -> list[Layer]:
        return [self.forward_layer, self.backward_layer]

    def build(self, input_shape: Any) -> None:
        for layer in self._wrapped():
            layer.weight_scope = f"{self.name}/{layer.name}"
            layer.maybe_build(input_shape)
        self._adopt(*self._wrapped())

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = self.forward_layer.compute_output_shape(input_shape)
        if self.return_state:
            output, states = tuple(shapes[0]), [tuple(s) for s in shapes[1:]]
        else:
            output, states = tuple(shapes), []
        if self.merge_mode == "concat":
            outputs = [(*output[:-1], output[-1] * 2)]
        elif self.merge_mode is None:
            outputs = [output, output]
        else:
            outputs = [output]
        if self.return_state:
            return outputs + states + states
        return outputs[0] if len(outputs) == 1 else outputs

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            masks += [None] * (2 * len(state_sizes(self.forward_layer.cell)))
        return masks if len(masks) > 1 else masks[0]

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None,
             initial_state: Any = None, **kwargs: Any) -> Any:
        if isinstance(inputs, (list, tuple)):
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        options = {"training": training, "mask": mask, **kwargs}
        if initial_state:
            if len(initial_state) % 2:
                raise ValueError(f"Bidirectional {self.name!r}: the initial state must hold the "
                                 "forward layer's states, then the backward layer's")
            half = len(initial_state) // 2
            y = self.forward_layer.call([inputs, *initial_state[:half]], **options)
            y_rev = self.backward_layer.call([inputs, *initial_state[half:]], **options)
        else:
            y = self.forward_layer.call(inputs, **options)
            y_rev = self.backward_layer.call(inputs, **options)
        states: list[Tensor] = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.reverse(y_rev, 1)
        if self.merge_mode == "concat":
            output: Any = ops.concat([y, y_rev], -1)
        elif self.merge_mode == "sum":
            output = ops.add(y, y_rev)
        elif self.merge_mode == "ave":
            output = ops.mul(0.5, ops.add(y, y_rev))
        elif self.merge_mode == "mul":
            output = ops.mul(y, y_rev)
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def get_config(self) -> dict[str, Any]:
        return {"merge_mode": self.merge_mode, **super().get_config()}


time_distributed = layer_factory(TimeDistributed, "time_distributed")
bidirectional = layer_factory(Bidirectional, "bidirectional")
