"""Sequential: a stack of layers, each feeding the next (TF.js ``tf.sequential``).

It is a GraphModel whose graph is rebuilt as layers are added: the first layer's
``input_shape`` creates a hidden InputLayer named ``<first layer>_input`` (as in TF.js), and
each ``add`` calls the new layer on the previous output. Without an input shape, the graph is
built on the first call, from the data's shape (as Keras allows).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..layers.base import Layer, unique_name
from ..serialization import deserialize, register_class, serialize
from .graph import GraphModel
from .symbolic import InputLayer, SymbolicTensor
from .training import TrainingMixin


@register_class
class Sequential(GraphModel):
    """A linear stack of layers (TF.js ``tf.sequential``, Keras ``Sequential``)."""

    class_name = "Sequential"

    def __init__(self, layers: Sequence[Layer] | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        if isinstance(layers, dict):  # tf.sequential({'layers': [...], 'name': ...})
            options = dict(layers)
            layers, name = options.pop("layers", None), options.pop("name", name)
        Layer.__init__(self, name=name or unique_name("sequential_"), **kwargs)
        TrainingMixin.__init__(self)
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list[SymbolicTensor] = []
        self._stack: list[Layer] = []
        self._outputs_by_layer: list[SymbolicTensor] = []
        self._input: SymbolicTensor | None = None
        self._pending_compile: dict[str, Any] | None = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        """The added layers, without the hidden input layer."""
        return list(self._stack)

    def add(self, layer: Layer) -> None:
        """Append a layer; the first one should know its input shape (``input_shape=``)."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a layer, got {type(layer).__name__}")
        if isinstance(layer, InputLayer):
            if self._stack or self._input is not None:
                raise ValueError("Sequential.add: an InputLayer can only come first")
            self._input = layer.inbound_nodes[0].output_tensors[0]
            return
        if any(existing is layer for existing in self._stack):
            raise ValueError(f"Sequential.add: layer {layer.name!r} is already in the model")
        input_shape = layer.batch_input_shape
        if input_shape is None and isinstance(layer, GraphModel) and len(layer.inputs) == 1:
            input_shape = layer.inputs[0].shape  # a model added as the first layer
        if not self._stack and self._input is None and input_shape is not None:
            self._input = InputLayer(batch_input_shape=input_shape, dtype=layer.dtype,
                                     name=f"{layer.name}_input").inbound_nodes[0].output_tensors[0]
        self._stack.append(layer)
        if self._input is not None:
            self._connect(layer)

    def _connect(self, layer: Layer) -> None:
        previous = self._outputs_by_layer[-1] if self._outputs_by_layer else self._input
        out = layer(previous)
        if not isinstance(out, SymbolicTensor):
            raise ValueError(f"Sequential: layer {layer.name!r} has several outputs; every layer "
                             "of a Sequential model must have exactly one")
        self._outputs_by_layer.append(out)
        self._init_graph(self._input, out)

    def pop(self) -> None:
        """Remove the last layer (TF.js ``model.pop``)."""
        if not self._stack:
            raise ValueError("Sequential.pop: there are no layers in the model")
        self._stack.pop()
        if self._outputs_by_layer:
            self._outputs_by_layer.pop()
            if self._outputs_by_layer:
                self._init_graph(self._input, self._outputs_by_layer[-1])
            else:
                self.built = False

    def build(self, input_shape: Any = None) -> None:
        """Build the graph for ``input_shape`` (batch first) if the first layer gave none."""
        if self._outputs_by_layer or not self._stack:
            self.built = bool(self._outputs_by_layer)
            return
        if self._input is None:
            shape = tuple(input_shape)
            self._input = InputLayer(batch_input_shape=(None, *shape[1:]),
                                     name=f"{self._stack[0].name}_input"
                                     ).inbound_nodes[0].output_tensors[0]
        for layer in self._stack:
            self._connect(layer)
        if self._pending_compile is not None:
            pending, self._pending_compile = self._pending_compile, None
            self.compile(**pending)

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(f"{what}: the model is not built yet; give the first layer an "
                             "input_shape or call the model on data first")

    @property
    def output_names(self) -> list[str]:  # type: ignore[override]
        if self.built:
            return [t.source_layer.name for t in self.outputs]
        return [self._stack[-1].name] if self._stack else []

    def compile(self, optimizer: Any = None, loss: Any = None, metrics: Any = None,
                loss_weights: Any = None, **kwargs: Any) -> None:
        if not self.built and self._stack and not isinstance(optimizer, dict):
            self._pending_compile = dict(optimizer=optimizer, loss=loss, metrics=metrics,
                                         loss_weights=loss_weights, **kwargs)
            from .. import optimizers

            self.optimizer = optimizers.get(optimizer if optimizer is not None else "rmsprop")
            self._pending_compile["optimizer"] = self.optimizer
            return
        super().compile(optimizer, loss, metrics, loss_weights, **kwargs)

    def _build_from_data(self, x: Any) -> None:
        if self.built or x is None:
            return
        first = x[0] if isinstance(x, (list, tuple)) and x and hasattr(x[0], "shape") else x
        self.build(tuple(first.shape) if hasattr(first, "shape") else np.shape(first))

    def get_config(self) -> dict[str, Any]:
        """TF.js's Sequential config: the name and the layers, the first with its input shape."""
        layers = [serialize(layer) for layer in self._stack]
        if layers and self._input is not None and "batch_input_shape" not in layers[0]["config"]:
            layers[0]["config"]["batch_input_shape"] = list(self._input.shape)
            layers[0]["config"]["dtype"] = self._input.dtype  # TF.js writes the two together
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config: Any) -> "Sequential":
        specs = config if isinstance(config, list) else config["layers"]
        model = cls(name=None if isinstance(config, list) else config.get("name"))
        for spec in specs:
            model.add(deserialize(spec, "layers"))
        return model
