"""GraphModel: a model made of layers connected by the functional API (TF.js ``tf.model``).

The constructor walks the graph back from the outputs to the inputs (``map_graph``), gives
each node a depth (outputs 0, inputs deepest) and orders the layers by depth, as Keras and
TF.js do. Running the model visits the nodes from the deepest to depth 0, feeding each layer
the tensors its node recorded as inputs; when it does not train, runs of convolution and
pooling layers go through one kernel instead (``chains.py``). A GraphModel is itself a Layer,
so a model can be used inside another model.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..layers.base import Layer, unique_name
from ..serialization import deserialize, register_class, serialize
from ..tensor import Tensor, Variable
from .chains import Chain, find_chains
from .symbolic import InputLayer, Node, SymbolicTensor
from .training import TrainingMixin


def map_graph(inputs: Sequence[SymbolicTensor], outputs: Sequence[SymbolicTensor]
              ) -> tuple[list[Node], list[Layer], dict[int, int]]:
    """The nodes between ``inputs`` and ``outputs`` in execution order, the layers in model
    order (by depth, deepest first; ties in order of discovery), and each node's depth."""
    input_ids = {t.id for t in inputs}
    finished: list[Node] = []
    done: set[int] = set()
    layer_index: dict[int, int] = {}
    layers: dict[int, Layer] = {}

    def visit(tensor: SymbolicTensor, path: set[int]) -> None:
        layer = tensor.source_layer
        node = layer.inbound_nodes[tensor.node_index]
        if id(node) in path:
            raise ValueError(f"the layer graph has a cycle through layer {layer.name!r}")
        if id(node) in done:
            return
        layer_index.setdefault(id(layer), len(layer_index))
        layers[id(layer)] = layer
        if tensor.id not in input_ids:
            if isinstance(layer, InputLayer):
                raise ValueError(f"graph disconnected: cannot reach input {layer.name!r} from the "
                                 f"model inputs {[t.source_layer.name for t in inputs]}")
            for parent in node.input_tensors:
                visit(parent, path | {id(node)})
        done.add(id(node))
        finished.append(node)

    for out in outputs:
        visit(out, set())
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for node in reversed(finished):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = layer_depth[id(node.layer)] = depth
        if any(t.id in input_ids for t in node.output_tensors):
            continue
        for parent in node.input_tensors:
            parent_node = parent.source_layer.inbound_nodes[parent.node_index]
            node_depth[id(parent_node)] = max(depth + 1, node_depth.get(id(parent_node), 0))
    order = sorted(finished, key=lambda n: -node_depth[id(n)])
    ordered_layers = sorted(layers.values(),
                            key=lambda lay: (-layer_depth[id(lay)], layer_index[id(lay)]))
    return order, ordered_layers, {id(n): node_depth[id(n)] for n in finished}


@register_class
class GraphModel(TrainingMixin, Layer):
    """A model of layers wired by the functional API (TF.js ``tf.model`` / ``LayersModel``)."""

    class_name = "Model"

    def __init__(self, inputs: Any = None, outputs: Any = None, name: str | None = None,
                 **kwargs: Any) -> None:
        Layer.__init__(self, name=name or unique_name("model"), **kwargs)
        TrainingMixin.__init__(self)
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list[SymbolicTensor] = []
        if inputs is not None:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        self._single_input = not isinstance(inputs, (list, tuple))
        self._single_output = not isinstance(outputs, (list, tuple))
        self.inputs = [inputs] if self._single_input else list(inputs)
        self.outputs = [outputs] if self._single_output else list(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"model {self.name!r}: inputs and outputs must be SymbolicTensors "
                                f"(from tf.input and layer calls), got {type(t).__name__}")
        for t in self.inputs:
            if not isinstance(t.source_layer, InputLayer):
                raise ValueError(f"model {self.name!r}: input {t} does not come from tf.input")
        self._nodes, self._layers, self._node_depths = map_graph(self.inputs, self.outputs)
        self._chains: dict[int, Chain] | None = None  # found on the first inference
        self.input_layers = [t.source_layer for t in self.inputs]
        self.output_layers = [t.source_layer for t in self.outputs]
        self.built = True

    @property
    def input_names(self) -> list[str]:
        """Names of the input layers, in input order."""
        return [t.source_layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        """Names of the layers that produce the outputs, in output order."""
        return [t.source_layer.name for t in self.outputs]

    # -- layers and weights ---------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's layers in graph order (input layers included for functional models)."""
        return list(self._layers)

    def get_layer(self, name: str | int | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in ``layers`` (TF.js ``getLayer``)."""
        if isinstance(name, int):
            name, index = None, name
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"model {self.name!r}: no layer at index {index}; the model has "
                                 f"{len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"model {self.name!r}: no layer named {name!r}; layers: "
                         f"{[layer.name for layer in self.layers]}")

    def _unique_layers(self) -> list[Layer]:
        seen: dict[int, Layer] = {}
        for layer in self.layers:
            seen.setdefault(id(layer), layer)
        return list(seen.values())

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._unique_layers():
            layer.trainable = value

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self._trainable:
            return []
        return _dedupe([w for layer in self._unique_layers() for w in layer.trainable_weights])

    @property
    def non_trainable_weights(self) -> list[Variable]:
        layers = self._unique_layers()
        weights = [w for layer in layers for w in layer.non_trainable_weights]
        if not self._trainable:
            weights = [w for layer in layers for w in layer.weights]
        return _dedupe(weights)

    def regularization_loss(self) -> Tensor | None:
        from .. import ops

        penalties = [p for p in (layer.regularization_loss() for layer in self._unique_layers())
                     if p is not None]
        return ops.add_n(penalties) if penalties else None

    def apply_constraints(self) -> None:
        for layer in self._unique_layers():
            layer.apply_constraints()

    def dispose(self) -> None:
        """Free every tensor the model owns: the weights of all layers and the optimizer state."""
        for layer in self._unique_layers():
            layer.dispose()
        TrainingMixin.dispose_training(self)

    # -- running ------------------------------------------------------------------------------
    def call(self, inputs: Any, training: bool | None = None, mask: Any = None,
             **kwargs: Any) -> Any:
        """Run the graph on tensors: each node's layer in depth order."""
        tensors = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        self._check_inputs(tensors)
        values: dict[int, Any] = {sym.id: t for sym, t in zip(self.inputs, tensors)}
        masks: dict[int, Any] = {}
        chains = self._inference_chains() if not training else {}
        done: set[int] = set()  # the later nodes of the chains already run
        for position, node in enumerate(self._nodes):
            if isinstance(node.layer, InputLayer) or position in done:
                continue
            chain = chains.get(position)
            if chain is not None and chain.ready() and masks.get(node.input_tensors[0].id) is None:
                values[chain.output.id] = chain.run(values[node.input_tensors[0].id])
                done.update(chain.positions)
                continue
            args = [values[t.id] for t in node.input_tensors]
            in_masks = [masks.get(t.id) for t in node.input_tensors]
            arg = args[0] if len(args) == 1 else args
            in_mask = in_masks[0] if len(in_masks) == 1 else in_masks
            options = dict(node.call_kwargs)
            if node.layer.supports_masking and any(m is not None for m in in_masks):
                options["mask"] = in_mask
            out = node.layer(arg, training=training, **options)
            outs = out if isinstance(out, (list, tuple)) else [out]
            out_mask = node.layer.compute_mask(arg, in_mask)
            out_masks = out_mask if isinstance(out_mask, (list, tuple)) else [out_mask] * len(outs)
            for sym, value, m in zip(node.output_tensors, outs, out_masks):
                values[sym.id] = value
                masks[sym.id] = m
        results = [values[t.id] for t in self.outputs]
        return results[0] if self._single_output else results

    def _inference_chains(self) -> dict[int, Chain]:
        """Runs of layers that inference passes through one kernel (``chains.py``)."""
        if self._chains is None:
            self._chains = find_chains(self._nodes, self.outputs)
        return self._chains

    def _check_inputs(self, tensors: Sequence[Tensor]) -> None:
        if len(tensors) != len(self.inputs):
            raise ValueError(f"model {self.name!r} expects {len(self.inputs)} input(s) "
                             f"({self.input_names}), got {len(tensors)}")
        for sym, t in zip(self.inputs, tensors):
            if not shape_compatible(sym.shape, t.shape):
                raise ValueError(f"model {self.name!r}: expected input {sym.source_layer.name!r} "
                                 f"to have shape {format_shape(sym.shape)} but got a tensor of "
                                 f"shape {format_shape(t.shape)}")

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes_in = input_shape if isinstance(input_shape, list) else [input_shape]
        shapes: dict[int, tuple] = {s.id: tuple(sh) for s, sh in zip(self.inputs, shapes_in)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            ins = [shapes[t.id] for t in node.input_tensors]
            out = node.layer.compute_output_shape(ins[0] if len(ins) == 1 else ins)
            outs = out if isinstance(out, list) else [out]
            for sym, shape in zip(node.output_tensors, outs):
                shapes[sym.id] = tuple(shape)
        results = [shapes[t.id] for t in self.outputs]
        return results[0] if self._single_output else results

    def build(self, input_shape: Any) -> None:
        self.built = True

    def summary(self, line_length: int | None = None, positions: Sequence[float] | None = None,
                print_fn: Any = None) -> None:
        """Print the layer table exactly as TF.js 4.x does (see models/summary.py)."""
        from .summary import print_summary

        print_summary(self, line_length, positions, print_fn)

    # -- saving --------------------------------------------------------------------------------
    def save(self, destination: Any, include_optimizer: bool = False) -> Any:
        """Save topology and weights (TF.js ``model.save``): ``'file:///path/dir'`` writes
        model.json + weights.bin, ``http(s)://`` posts them, a path ending in ``.h5`` writes
        Keras HDF5, and an IO handler (``tf.io.with_save_handler``) receives the artifacts."""
        from ..io import save_model

        return save_model(self, destination, include_optimizer=include_optimizer)

    def to_json(self) -> str:
        """The model topology as TF.js writes it in model.json (``model.toJSON()``)."""
        import json

        from ..io import model_topology

        return json.dumps(model_topology(self))

    # -- configuration ---------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Keras's functional config: layers with their inbound nodes, input and output layers."""
        node_keys = self._node_keys()
        layer_configs = []
        for layer in self.layers:
            inbound = []
            for node in layer.inbound_nodes:
                if id(node) not in node_keys or isinstance(layer, InputLayer):
                    continue
                inbound.append([[t.source_layer.name, node_keys[id(_node_of(t))], t.tensor_index,
                                 node.call_kwargs] for t in node.input_tensors])
            spec = serialize(layer)
            layer_configs.append({"name": layer.name, "class_name": spec["class_name"],
                                  "config": spec["config"], "inbound_nodes": inbound})
        return {"name": self.name, "layers": layer_configs,
                "input_layers": [[t.source_layer.name, node_keys[id(_node_of(t))], t.tensor_index]
                                 for t in self.inputs],
                "output_layers": [[t.source_layer.name, node_keys[id(_node_of(t))], t.tensor_index]
                                  for t in self.outputs]}

    def _node_keys(self) -> dict[int, int]:
        """Per layer, the index among the nodes that belong to this model (Keras numbering)."""
        mine = {id(n) for n in self._nodes}
        keys: dict[int, int] = {}
        for layer in self.layers:
            count = 0
            for node in layer.inbound_nodes:
                if id(node) in mine:
                    keys[id(node)] = count
                    count += 1
        return keys

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "GraphModel":
        """Rebuild the layers and replay their calls, in the order their inputs become ready."""
        created: dict[str, Layer] = {}
        outputs_of: dict[str, list[list[SymbolicTensor]]] = {}
        pending = []
        for spec in config["layers"]:
            layer = deserialize({"class_name": spec["class_name"], "config": spec["config"]},
                                "layers")
            created[spec["name"]] = layer
            outputs_of[spec["name"]] = [] if not isinstance(layer, InputLayer) else \
                [layer.inbound_nodes[0].output_tensors]
            pending.extend((spec["name"], node) for node in spec.get("inbound_nodes", []))
        while pending:
            progress = []
            for name, node in pending:
                refs = [(ref[0], ref[1], ref[2], ref[3] if len(ref) > 3 else {}) for ref in node]
                if all(len(outputs_of[src]) > idx for src, idx, _, _ in refs):
                    args = [outputs_of[src][idx][t] for src, idx, t, _ in refs]
                    kwargs = refs[0][3] if refs else {}
                    out = created[name](args[0] if len(args) == 1 else args, **(kwargs or {}))
                    outputs_of[name].append(out if isinstance(out, list) else [out])
                    progress.append((name, node))
            if not progress:
                raise ValueError("model config: layer inputs refer to layers or nodes that never "
                                 f"appear: {[name for name, _ in pending]}")
            pending = [p for p in pending if p not in progress]

        def pick(refs: list) -> list[SymbolicTensor]:
            return [outputs_of[r[0]][r[1]][r[2]] for r in refs]

        ins, outs = pick(config["input_layers"]), pick(config["output_layers"])
        return cls(ins[0] if len(ins) == 1 else ins, outs[0] if len(outs) == 1 else outs,
                   name=config.get("name"))


def _node_of(t: SymbolicTensor) -> Node:
    return t.source_layer.inbound_nodes[t.node_index]


def _dedupe(weights: list[Variable]) -> list[Variable]:
    seen: dict[int, Variable] = {}
    for w in weights:
        seen.setdefault(id(w), w)
    return list(seen.values())


def shape_compatible(expected: Sequence[int | None], actual: Sequence[int]) -> bool:
    """True when ranks agree and every known size of ``expected`` equals ``actual``'s."""
    return len(expected) == len(actual) and all(
        e is None or e == a for e, a in zip(expected, actual))


def format_shape(shape: Sequence[int | None]) -> str:
    """A shape as TF.js writes it: ``[null,28,28,1]``."""
    return "[" + ",".join("null" if d is None else str(int(d)) for d in shape) + "]"

