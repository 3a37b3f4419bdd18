"""The functional API's graph: SymbolicTensor, Node, InputLayer and ``tf.input``.

A SymbolicTensor has a shape and a dtype but no values: it says "the output number
``tensor_index`` of ``source_layer``'s call number ``node_index``". Calling a layer on
SymbolicTensors builds the layer, records a :class:`Node` (which inputs went in, which outputs
came out, their shapes) and returns new SymbolicTensors. ``tf.model(inputs, outputs)`` later
walks these nodes back from the outputs to find what to run, in which order.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Sequence

from .. import dtypes
from ..layers.base import Layer, unique_name
from ..serialization import register_class

_ids = itertools.count(1)


@dataclass(eq=False)
class SymbolicTensor:
    """A placeholder for a tensor in a layer graph: shape (None = any size), dtype, origin."""

    shape: tuple
    dtype: str
    source_layer: Layer
    node_index: int
    tensor_index: int
    name: str = ""
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def rank(self) -> int:
        """Number of dimensions, the batch included."""
        return len(self.shape)

    def __repr__(self) -> str:
        shape = ",".join("null" if d is None else str(d) for d in self.shape)
        return f"SymbolicTensor({self.name or self.source_layer.name}, [{shape}], {self.dtype})"


@dataclass(eq=False)
class Node:
    """One call of ``layer`` on SymbolicTensors: what went in and what came out."""

    layer: Layer
    input_tensors: list[SymbolicTensor]
    output_tensors: list[SymbolicTensor]
    input_shapes: list[tuple]
    output_shapes: list[tuple]
    call_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def inbound_layers(self) -> list[Layer]:
        """The layers that produced this node's inputs."""
        return [t.source_layer for t in self.input_tensors]


def call_symbolic(layer: Layer, inputs: Any, kwargs: dict[str, Any]) -> Any:
    """Build ``layer`` for the inputs' shapes and record a Node; return SymbolicTensor(s)."""
    many = isinstance(inputs, (list, tuple))
    items = list(inputs) if many else [inputs]
    in_shapes = [tuple(t.shape) for t in items]
    in_shape: Any = in_shapes if many else in_shapes[0]
    layer.maybe_build(in_shape)
    out_shape = layer.compute_output_shape(in_shape)
    multi_out = isinstance(out_shape, list)
    out_shapes = [tuple(s) for s in out_shape] if multi_out else [tuple(out_shape)]
    node_index = len(layer.inbound_nodes)
    dtype = _output_dtype(layer, items)
    outputs = [SymbolicTensor(s, dtype, layer, node_index, i,
                              name=f"{layer.name}/{layer.name}" if len(out_shapes) == 1
                              else f"{layer.name}/{layer.name}:{i}")
               for i, s in enumerate(out_shapes)]
    layer.inbound_nodes.append(Node(layer, items, outputs, in_shapes, out_shapes, dict(kwargs)))
    return outputs if multi_out else outputs[0]


def _output_dtype(layer: Layer, inputs: Sequence[SymbolicTensor]) -> str:
    # Most layers compute in float32 whatever their inputs (an Embedding takes int32 ids).
    if getattr(layer, "keeps_input_dtype", False) and inputs:
        return inputs[0].dtype
    return layer.dtype


@register_class
class InputLayer(Layer):
    """The entry of a functional model: holds the input's shape and dtype (TF.js InputLayer)."""

    class_name = "InputLayer"
    keeps_input_dtype = True

    def __init__(self, input_shape: Sequence[int | None] | None = None,
                 batch_size: int | None = None,
                 batch_input_shape: Sequence[int | None] | None = None,
                 dtype: str | None = None, sparse: bool = False, name: str | None = None,
                 **kwargs: Any) -> None:
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError("InputLayer needs input_shape or batch_input_shape")
            batch_input_shape = (batch_size, *input_shape)
        super().__init__(name=name or unique_name("input"), dtype=dtypes.check(dtype or "float32"),
                         batch_input_shape=batch_input_shape, **kwargs)
        self.sparse = sparse
        self.built = True
        symbolic = SymbolicTensor(self.batch_input_shape, self.dtype, self, 0, 0, name=self.name)
        shape = self.batch_input_shape
        self.inbound_nodes.append(Node(self, [], [symbolic], [shape], [shape]))

    def get_config(self) -> dict[str, Any]:
        return {"batch_input_shape": list(self.batch_input_shape), "dtype": self.dtype,
                "sparse": self.sparse, "name": self.name}


def input(shape: Sequence[int | None] | None = None,  # noqa: A001 (TF.js name)
          batch_shape: Sequence[int | None] | None = None, name: str | None = None,
          dtype: str = "float32", config: dict[str, Any] | None = None) -> SymbolicTensor:
    """A symbolic input for the functional API (TF.js ``tf.input``); ``shape`` excludes the batch.

    >>> import minitf as tf
    >>> tf.input(shape=[28, 28, 1]).shape
    (None, 28, 28, 1)
    """
    if config:  # tf.input({'shape': [4]}) as in TF.js
        from ..serialization import to_snake_keys

        options = to_snake_keys(config)
        shape = options.get("shape", shape)
        batch_shape = options.get("batch_shape", batch_shape)
        name = options.get("name", name)
        dtype = options.get("dtype", dtype)
    if shape is None and batch_shape is None:
        raise ValueError("tf.input: give shape (without the batch dimension) or batch_shape")
    if isinstance(shape, dict):
        return input(config=shape)
    layer = InputLayer(input_shape=shape, batch_input_shape=batch_shape, name=name, dtype=dtype)
    return layer.inbound_nodes[0].output_tensors[0]
