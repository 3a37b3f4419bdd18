"""``model.summary()``: the layer table TF.js 4.x prints, character for character.

Sequential-like models (a chain: at most one node per depth, one inbound layer per node, no
shared layer) get four columns, 90 wide: ``Layer (type)``, ``Input Shape``, ``Output shape``,
``Param #``. Other models get a fifth, ``Receives inputs``, and 115 columns. ``line_length`` and
``positions`` (fractions of the width, or column ends) change the layout, e.g. to the older
three-column one of TF.js < 3.14 (``line_length=65, positions=[0.45, 0.85, 1]``).
"""
from __future__ import annotations

import json
from typing import Any, Callable, Sequence

SEQUENTIAL = (90, [0.32, 0.61, 0.89, 1.0],
              ["Layer (type)", "Input Shape", "Output shape", "Param #"])
FUNCTIONAL = (115, [0.24, 0.48, 0.70, 0.80, 1.0],
              ["Layer (type)", "Input Shape", "Output shape", "Param #", "Receives inputs"])


def print_summary(model: Any, line_length: int | None = None,
                  positions: Sequence[float] | None = None,
                  print_fn: Callable[[str], Any] | None = None) -> None:
    """Print ``model``'s summary table through ``print_fn`` (``print`` by default)."""
    emit = print_fn or print
    if not model.built:
        raise ValueError(f"model {model.name!r} has not been built yet; give the first layer an "
                         "input_shape or call the model on data before summary()")
    sequential = _is_sequential_like(model)
    width, fractions, headers = SEQUENTIAL if sequential else FUNCTIONAL
    width = line_length or width
    fractions = list(positions or fractions)
    if len(fractions) == 3 and sequential:  # the pre-3.14 layout has no Input Shape column
        headers = [headers[0], headers[2], headers[3]]
    if fractions[-1] <= 1:
        ends = [int(width * p) for p in fractions]
    else:
        ends = [int(p) for p in fractions]
    emit("_" * width)
    emit(_row(headers, ends))
    emit("=" * width)
    layers = model.layers
    relevant = {id(n) for n in model._nodes} if hasattr(model, "_nodes") else set()
    for i, layer in enumerate(layers):
        for line in _layer_rows(layer, sequential, len(headers), relevant):
            emit(_row(line, ends))
        emit(("=" if i == len(layers) - 1 else "_") * width)
    total = model.count_params()
    trainable = sum(w.size for w in model.trainable_weights)
    emit(f"Total params: {total}")
    emit(f"Trainable params: {trainable}")
    emit(f"Non-trainable params: {total - trainable}")
    emit("_" * width)


def _row(fields: Sequence[str], ends: Sequence[int]) -> str:
    """Each field cut or padded to end at its column; at least one space between columns."""
    line = ""
    for i, text in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "
        if i >= len(ends):  # a field without a position is appended as it is (TF.js)
            line += text
            continue
        line = (line + text)[:ends[i]]
        line += " " * (ends[i] - len(line))
    return line


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":")).replace("NaN", "null")


def _shape_json(shape: Any) -> str:
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return _json([list(s) for s in shape])
    return _json(list(shape))


def _layer_rows(layer: Any, sequential: bool, columns: int, relevant: set[int]) -> list[list[str]]:
    try:
        output = _shape_json(layer.output_shape)
    except AttributeError:
        output = "multiple"
    nodes = [n for n in layer.inbound_nodes if not relevant or id(n) in relevant]
    inputs = ",".join(_json([list(s) for s in n.input_shapes]) for n in nodes)
    name = f"{layer.name} ({layer.class_name})"
    params = str(layer.count_params())
    if columns == 3:
        return [[name, output, params]]
    if sequential:
        return [[name, inputs, output, params]]
    connections = [f"{t.source_layer.name}[{t.node_index}][{t.tensor_index}]"
                   for n in nodes for t in n.input_tensors]
    rows = [[name, inputs, output, params, connections[0] if connections else ""]]
    rows += [["", "", "", "", c] for c in connections[1:]]
    return rows


def _is_sequential_like(model: Any) -> bool:
    from .sequential import Sequential

    if isinstance(model, Sequential):
        return True
    depths: dict[int, int] = {}
    seen_layers: set[int] = set()
    for node in model._nodes:
        depth = model._node_depths[id(node)]
        depths[depth] = depths.get(depth, 0) + 1
        if depths[depth] > 1 or len(node.input_tensors) > 1 or id(node.layer) in seen_layers:
            return False
        seen_layers.add(id(node.layer))
    return True
