"""Runs of convolution and max-pooling layers that a model infers as one kernel.

In ``predict`` and ``evaluate``, a Conv2D layer whose output only feeds a MaxPooling2D layer or
another Conv2D layer does not need that output as a tensor of its own: the whole run can go
through ``tf.fused.conv2d_chain``, which takes a few images at a time through every layer of
the run and keeps the intermediate images in the cache (the mnist-node convnet infers about
12% faster; docs/performance.md, log 21). ``find_chains`` finds such runs once per graph; the
model uses them only when it does not train, and the op itself runs the layers one by one under
a recording tape, so gradients still see every layer.

A run qualifies when:

- its layers are plain Conv2D layers (channels-last, an activation ``tf.fused.conv2d`` takes,
  see ``Conv2D._fused_activation``) and MaxPooling2D layers (channels-last), subclasses
  excluded, since they may change ``call``;
- each layer's output goes to the next layer only: not to a second layer, and not out of the
  model;
- it holds two layers at least, one of them a convolution.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from ..layers.base import Layer
from ..layers.conv import Conv2D
from ..layers.pooling import MaxPooling2D
from ..ops import fused
from ..tensor import Tensor
from .symbolic import Node, SymbolicTensor


@dataclass
class Chain:
    """A run of layers: their nodes' positions in the model's node order, and its output."""

    positions: list[int]
    layers: list[Layer]
    output: SymbolicTensor

    def ready(self) -> bool:
        """Whether every layer has its weights (a layer is built on its first call)."""
        return all(layer.built for layer in self.layers)

    def run(self, x: Tensor) -> Tensor:
        """The run's output for ``x``, through one ``fused.conv2d_chain``."""
        return fused.conv2d_chain(x, [_stage(layer) for layer in self.layers])


def _stage(layer: Layer) -> dict[str, Any]:
    if isinstance(layer, MaxPooling2D):
        return {"op": "max_pool", "filter_size": layer.pool_size, "strides": layer.strides,
                "pad": layer.padding}
    return {"op": "conv2d", "filter": layer.kernel, "bias": layer.bias,
            "strides": layer.strides, "pad": layer.padding,
            "dilations": layer.dilation_rate, "activation": layer._fused_activation()}


def _link(node: Node) -> bool:
    """Whether this node's layer can be a link of a chain."""
    layer = node.layer
    if len(node.input_tensors) != 1 or len(node.output_tensors) != 1 or node.call_kwargs:
        return False
    if getattr(layer, "data_format", None) != "channels_last":
        return False
    if type(layer) is Conv2D:
        return layer._fused_activation() is not None
    return type(layer) is MaxPooling2D


def find_chains(nodes: Sequence[Node], outputs: Sequence[SymbolicTensor]) -> dict[int, Chain]:
    """The chains among ``nodes`` (in the order the model runs them), by the position of their
    first node."""
    uses = Counter(t.id for node in nodes for t in node.input_tensors)
    uses.update(t.id for t in outputs)
    open_by_output: dict[int, Chain] = {}  # chains that may still grow, by their output's id
    chains: list[Chain] = []
    for position, node in enumerate(nodes):
        if not _link(node):
            continue
        source = node.input_tensors[0]
        chain = open_by_output.pop(source.id, None)
        if chain is None or uses[source.id] != 1:
            chain = Chain([], [], source)
            chains.append(chain)
        chain.positions.append(position)
        chain.layers.append(node.layer)
        chain.output = node.output_tensors[0]
        open_by_output[chain.output.id] = chain
    return {chain.positions[0]: chain for chain in chains
            if len(chain.layers) >= 2 and any(type(la) is Conv2D for la in chain.layers)}
