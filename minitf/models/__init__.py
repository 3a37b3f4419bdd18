"""The Layers engine: the layer graph, functional and sequential models, training, summary."""
from __future__ import annotations

from typing import Any, Sequence

from ..serialization import deserialize, to_snake_keys
from .graph import GraphModel
from .sequential import Sequential
from .symbolic import InputLayer, Node, SymbolicTensor, input

LayersModel = GraphModel  # the TF.js class name


def sequential(config: dict[str, Any] | Sequence[Any] | None = None,
               layers: Sequence[Any] | None = None, name: str | None = None) -> Sequential:
    """A Sequential model (TF.js ``tf.sequential``), optionally with its layers.

    >>> import minitf as tf
    >>> tf.sequential(layers=[tf.layers.dense(units=1, input_shape=[3])]).outputs[0].shape
    (None, 1)
    """
    if isinstance(config, (list, tuple)):  # Keras style: tf.sequential([layer, layer])
        layers = config
    elif config:
        options = to_snake_keys(config)
        layers, name = options.get("layers", layers), options.get("name", name)
    return Sequential(layers, name=name)


def model(config: dict[str, Any] | None = None, inputs: Any = None, outputs: Any = None,
          name: str | None = None) -> GraphModel:
    """A functional model from SymbolicTensors (TF.js ``tf.model({inputs, outputs})``)."""
    if config:
        options = to_snake_keys(config)
        inputs, outputs = options.get("inputs", inputs), options.get("outputs", outputs)
        name = options.get("name", name)
    if inputs is None or outputs is None:
        raise ValueError("tf.model: both inputs and outputs are required")
    return GraphModel(inputs, outputs, name=name)


def model_from_config(spec: dict[str, Any]) -> Any:
    """A model (or layer) from ``{'class_name', 'config'}`` as ``model.to_json`` wrote it."""
    return deserialize(spec, "layers")
