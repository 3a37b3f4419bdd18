"""The TF.js layers-model format: model.json + weights.bin, to and from a model.

Saving turns a model into *artifacts*, the handler-neutral dict of TF.js's ``ModelArtifacts``
with Python names: ``model_topology``, ``format``, ``generated_by``, ``converted_by``,
``training_config`` (optional), ``weight_specs`` and ``weight_data`` (bytes). A handler then
writes them as files, an HTTP upload or a Python object (handlers.py).

Loading goes the other way in three checked steps, so that a bad file fails before anything
is built and nothing is left half-built when it fails:

1. ``read_model_json`` parses model.json strictly and checks every field: the topology's
   layer classes, the training config, the weights manifest (names, shapes, dtypes, paths);
2. ``check_artifacts`` checks that the weight data has exactly the bytes the specs need;
3. ``build_model`` deserializes the topology, matches the weights to the model's by name and
   shape *before* assigning any, compiles with the saved training config and restores the
   optimizer state. If any step fails, every tensor and variable it made is disposed.

Every problem is reported as one ``ModelLoadError`` naming the file and the field or weight.
Nothing in a model file is executed: classes are looked up in the registry by name.
"""
from __future__ import annotations

import json
import math
import warnings
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from ..serialization import _registry, to_camel_case, to_snake_case
from .atomic import UnsafePathError, check_relative_path

TFJS_LAYERS_VERSION = "4.22.0"  # the TF.js release whose files minitf reads and writes
KERAS_VERSION = f"tfjs-layers {TFJS_LAYERS_VERSION}"
BACKEND = "tensor_flow.js"  # toSnakeCase('TensorFlow.js'), as TF.js writes it
FORMAT = "layers-model"
OPTIMIZER_GROUP = "optimizer"
# dtype -> (NumPy little-endian type, bytes per value); TF.js also has string and complex64
DTYPES: dict[str, tuple[str, int]] = {"float32": ("<f4", 4), "int32": ("<i4", 4),
                                      "bool": ("|u1", 1)}
MAX_RANK = 32


class ModelLoadError(ValueError):
    """A model could not be loaded; the message names the file and the field or weight."""


def generated_by() -> str:
    """``'minitf v<version>'``; TF.js writes ``'TensorFlow.js tfjs-layers v<version>'``."""
    import minitf

    return f"minitf v{getattr(minitf, '__version__', '0')}"


# -- saving ------------------------------------------------------------------------------------
def model_topology(model: Any) -> dict[str, Any]:
    """``{class_name, config, keras_version, backend}``: model.json's ``modelTopology``
    (TF.js ``model.toJSON(null, false)``)."""
    config = _jsonable(model.get_config(), f"model {model.name!r} config")
    return {"class_name": model.class_name, "config": container_node_indices(config, +1),
            "keras_version": KERAS_VERSION, "backend": BACKEND}


def container_node_indices(config: Any, shift: int) -> Any:
    """A copy of a model config with the node indices of nested models shifted by ``shift``.

    TF.js and Keras count a nested model's call nodes from 1 in ``inbound_nodes`` and
    ``output_layers``: node 0 is the one the model made for itself when it was built.
    ``GraphModel.get_config`` counts calls from 0, so saving adds 1 and loading subtracts it.
    """
    if isinstance(config, list):
        return [container_node_indices(item, shift) for item in config]
    if not isinstance(config, dict):
        return config
    out = {key: container_node_indices(value, shift) for key, value in config.items()}
    layers = config.get("layers")
    if not isinstance(layers, list):
        return out
    containers = {layer.get("name") for layer in layers
                  if isinstance(layer, dict) and _is_container(layer.get("class_name"))}

    def fix(ref: Any) -> Any:
        if isinstance(ref, list) and len(ref) >= 2 and ref[0] in containers \
                and isinstance(ref[1], int) and not isinstance(ref[1], bool):
            if ref[1] + shift < 0:
                raise ValueError(f"node 0 of the nested model {ref[0]!r} is its own input "
                                 "node; a model config cannot use it")
            return [ref[0], ref[1] + shift, *ref[2:]]
        return ref

    for layer in out["layers"]:
        if isinstance(layer, dict) and isinstance(layer.get("inbound_nodes"), list):
            layer["inbound_nodes"] = [[fix(ref) for ref in node] if isinstance(node, list)
                                      else node for node in layer["inbound_nodes"]]
    if isinstance(out.get("output_layers"), list):
        out["output_layers"] = [fix(ref) for ref in out["output_layers"]]
    return out


def _is_container(class_name: Any) -> bool:
    from ..models.graph import GraphModel

    cls = _registry.get("layers", {}).get(class_name) if isinstance(class_name, str) else None
    return isinstance(cls, type) and issubclass(cls, GraphModel)


def model_artifacts(model: Any, include_optimizer: bool = False) -> dict[str, Any]:
    """The artifacts of ``model`` (TF.js ``LayersModel.save`` before the handler runs).

    Weights come in ``model.weights`` order (trainable first) under their original names;
    with ``include_optimizer`` and a compiled model, the training config is added and the
    optimizer's weights are appended in group ``'optimizer'``, as TF.js does.
    """
    weights = [(_original_name(w), w.numpy()) for w in model.weights]
    seen: set[str] = set()
    for name, _ in weights:
        if name in seen:
            raise ValueError(f"model {model.name!r}: two weights are named {name!r}, so a saved "
                             "file could not tell them apart; give the layers distinct names")
        seen.add(name)
    artifacts: dict[str, Any] = {
        "model_topology": model_topology(model), "format": FORMAT,
        "generated_by": generated_by(), "converted_by": None}
    specs = [_spec(name, value) for name, value in weights]
    if include_optimizer and getattr(model, "optimizer", None) is not None \
            and getattr(model, "compiled", None) is not None:
        artifacts["training_config"] = training_config(model)
        for name, value in _optimizer_weights(model):
            weights.append((name, value))
            specs.append({**_spec(name, value), "group": OPTIMIZER_GROUP})
    artifacts["weight_specs"] = specs
    artifacts["weight_data"] = b"".join(
        np.ascontiguousarray(value, DTYPES[spec["dtype"]][0]).tobytes()
        for (_, value), spec in zip(weights, specs))
    return artifacts


def model_json(artifacts: dict[str, Any], weight_paths: list[str]) -> dict[str, Any]:
    """model.json for ``artifacts`` whose weights are stored at ``weight_paths``, with the
    keys in the order tfjs-node's file handler writes them."""
    out: dict[str, Any] = {"modelTopology": artifacts["model_topology"],
                           "weightsManifest": [{"paths": list(weight_paths),
                                                "weights": artifacts["weight_specs"]}],
                           "format": artifacts.get("format", FORMAT),
                           "generatedBy": artifacts.get("generated_by"),
                           "convertedBy": artifacts.get("converted_by")}
    for key, name in (("training_config", "trainingConfig"), ("signature", "signature"),
                      ("user_defined_metadata", "userDefinedMetadata")):
        if artifacts.get(key) is not None:
            out[name] = artifacts[key]
    return out


def dumps(value: Any) -> bytes:
    """Compact JSON as ``JSON.stringify`` writes it (no spaces), UTF-8 encoded."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")


def training_config(model: Any) -> dict[str, Any]:
    """``{loss, metrics, optimizer_config}`` (TF.js ``getTrainingConfig``); losses and metrics
    by snake_case name, the optimizer config with TF.js's camelCase keys. Non-default
    ``loss_weights`` are added (a minitf extension TF.js refuses to load)."""
    plan, optimizer = model.compiled, model.optimizer
    config = {"loss": _map_names(plan.loss_specs, _loss_id),
              "metrics": {} if plan.metric_specs is None
              else _map_names(plan.metric_specs, _metric_id),
              "optimizer_config": {"class_name": optimizer.get_class_name(),
                                   "config": {to_camel_case(k): v for k, v
                                              in optimizer.get_config().items()}}}
    if any(w != 1.0 for w in plan.loss_weights):
        config["loss_weights"] = list(plan.loss_weights)
    return _jsonable(config, "training config")


def _optimizer_weights(model: Any) -> list[tuple[str, np.ndarray]]:
    """The optimizer state, slots renamed from live variable names to original names."""
    from ..tensor import Variable

    original = {w.name: _original_name(w) for w in model.weights}
    entries = model.optimizer.get_weights()
    out = []
    for entry in entries:
        var, _, slot = entry["name"].rpartition("/")
        name = f"{original.get(var, var)}/{slot}" if var else entry["name"]
        out.append((name, entry["tensor"].numpy()))
    for entry in entries:
        if not isinstance(entry["tensor"], Variable):  # 'iter' is made for us; slots are not
            entry["tensor"].dispose()
    return out


def _spec(name: str, value: np.ndarray) -> dict[str, Any]:
    dtype = {"f": "float32", "i": "int32", "u": "int32", "b": "bool"}[value.dtype.kind]
    return {"name": name, "shape": [int(d) for d in value.shape], "dtype": dtype}


def _original_name(variable: Any) -> str:
    return getattr(variable, "original_name", None) or variable.name


def _loss_id(spec: Any) -> str:
    from .. import losses

    if isinstance(spec, str):
        losses.get(spec)
        return to_snake_case(spec)
    name = losses.tfjs_name(spec) or losses.name_of(spec)
    try:
        known = losses.get(name) is spec
    except ValueError:
        known = False
    if not known:
        raise ValueError(f"cannot save the training config: the loss {spec!r} has no TF.js "
                         "name (TF.js: 'Serialization of non-string loss is not supported.'); "
                         "save with include_optimizer=False or compile with a named loss")
    return to_snake_case(name)


def _metric_id(spec: Any) -> str:
    from .. import metrics

    name = spec if isinstance(spec, str) else metrics.name_of(spec)
    if not isinstance(spec, str):
        try:
            metrics.get(name)
        except ValueError:
            raise ValueError(f"cannot save the training config: the metric {spec!r} has no "
                             "name that a loader could resolve; save with "
                             "include_optimizer=False or compile with a named metric") from None
    return to_snake_case(name)


def _map_names(spec: Any, one: Any) -> Any:
    if isinstance(spec, dict):
        return {key: _map_names(value, one) for key, value in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_map_names(value, one) for value in spec]
    return one(spec)


def _jsonable(value: Any, where: str) -> Any:
    """``value`` as plain JSON types (tuples become lists); a clear error for anything else."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value} cannot be written as JSON")
        return value
    if isinstance(value, np.generic):
        return _jsonable(value.item(), where)
    if isinstance(value, dict):
        return {str(k): _jsonable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise ValueError(f"{where}: a {type(value).__name__} cannot be saved in a model file; use "
                     "a named activation/initializer/... or register the class")


# -- reading model.json ------------------------------------------------------------------------
def read_model_json(data: bytes, where: str) -> tuple[dict[str, Any], list[str]]:
    """Parse and check model.json; return its artifacts (without ``weight_data``) and the
    weight file paths in manifest order (still to be checked by the handler)."""
    obj = parse_json(data, where)
    if not isinstance(obj, dict):
        raise ModelLoadError(f"{where}: model.json must hold a JSON object, got "
                             f"{_kind(obj)}")
    if obj.get("modelTopology") is None:
        raise ModelLoadError(f"{where}: modelTopology is missing; a layers model needs it "
                             "(weights-only manifests are not models)")
    artifacts = {"model_topology": obj["modelTopology"], "format": obj.get("format"),
                 "generated_by": obj.get("generatedBy"), "converted_by": obj.get("convertedBy"),
                 "training_config": obj.get("trainingConfig")}
    paths: list[str] = []
    manifest = obj.get("weightsManifest")
    if manifest is not None:
        if not isinstance(manifest, list):
            raise ModelLoadError(f"{where}: weightsManifest must be a list of groups, got "
                                 f"{_kind(manifest)}")
        specs: list[Any] = []
        for i, group in enumerate(manifest):
            field = f"weightsManifest[{i}]"
            if not isinstance(group, dict):
                raise ModelLoadError(f"{where}: {field} must be an object, got {_kind(group)}")
            group_paths, group_specs = group.get("paths"), group.get("weights")
            if not isinstance(group_paths, list) or not isinstance(group_specs, list):
                raise ModelLoadError(f"{where}: {field} needs 'paths' and 'weights' lists")
            for j, path in enumerate(group_paths):
                try:
                    paths.append(check_relative_path(path))
                except UnsafePathError as e:
                    raise ModelLoadError(f"{where}: {field}.paths[{j}]: {e}") from None
            specs.extend(group_specs)
        artifacts["weight_specs"] = specs
    check_artifacts(artifacts, where, with_data=False)
    return artifacts, paths


def parse_json(data: bytes | str, where: str) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no duplicate keys."""
    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f"the key {key!r} appears twice in one object")
            out[key] = value
        return out

    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
        return json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ModelLoadError(f"{where}: not valid JSON: {e}") from None


def check_artifacts(artifacts: dict[str, Any], where: str, with_data: bool = True) -> None:
    """Check the artifacts of any handler before anything is built: topology classes,
    training config, weight specs and (``with_data``) the exact size of the weight data."""
    fmt = artifacts.get("format")
    if fmt is not None and fmt != FORMAT:
        raise ModelLoadError(f"{where}: format is {fmt!r}; minitf loads {FORMAT!r} files "
                             "(graph models are not supported)")
    for key in ("generated_by", "converted_by"):
        if artifacts.get(key) is not None and not isinstance(artifacts[key], str):
            raise ModelLoadError(f"{where}: {to_camel_case(key)} must be a string or null")
    topology = _unwrap(artifacts.get("model_topology"), where)
    _check_classes(topology, where, "modelTopology")
    if artifacts.get("training_config") is not None:
        _check_training_config(artifacts["training_config"], where)
    specs = artifacts.get("weight_specs")
    if specs is None:
        if with_data and artifacts.get("weight_data") is not None:
            raise ModelLoadError(f"{where}: there is weight data but no weight specs, so the "
                                 "weights cannot be read")
        return
    if not isinstance(specs, list):
        raise ModelLoadError(f"{where}: the weight specs must be a list, got {_kind(specs)}")
    names: set[str] = set()
    for i, spec in enumerate(specs):
        _check_spec(spec, f"{where}: weight {i}", names)
    if with_data:
        data = artifacts.get("weight_data")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ModelLoadError(f"{where}: weight data must be bytes, got {_kind(data)}")
        check_data_size(specs, len(data), where)


def weight_bytes(specs: list[dict[str, Any]]) -> int:
    """Bytes the checked ``specs`` need: sum of prod(shape) * size of the dtype."""
    return sum(math.prod(s["shape"]) * DTYPES[s["dtype"]][1] for s in specs)


def check_data_size(specs: list[dict[str, Any]], size: int, where: str) -> None:
    """Raise unless the weight data has exactly the bytes the manifest describes."""
    need = weight_bytes(specs)
    if size != need:
        state = "truncated" if size < need else "longer than the manifest says"
        raise ModelLoadError(f"{where}: the weight data is {size} bytes but the manifest's "
                             f"{len(specs)} weights need {need} bytes ({state})")


def _unwrap(topology: Any, where: str) -> dict[str, Any]:
    if isinstance(topology, dict) and isinstance(topology.get("model_config"), dict):
        topology = topology["model_config"]  # Keras-converter files wrap it, as TF.js allows
    if not isinstance(topology, dict) or not isinstance(topology.get("class_name"), str) \
            or not isinstance(topology.get("config"), (dict, list)):
        raise ModelLoadError(f"{where}: modelTopology must be an object with 'class_name' (a "
                             "string) and 'config'")
    return topology


def _check_classes(spec: dict[str, Any], where: str, field: str) -> None:
    """Every layer class named in the topology is registered (nested models included)."""
    name = spec["class_name"]
    if name not in _registry.get("layers", {}):
        raise ModelLoadError(f"{where}: {field}: unknown layer class {name!r}; register custom "
                             "classes with tf.serialization.register_class")
    config = spec["config"]
    layers = config if isinstance(config, list) else config.get("layers")
    if layers is None and name in ("Sequential", "Model"):
        raise ModelLoadError(f"{where}: {field}.config needs a 'layers' list")
    if layers is None:
        return
    if not isinstance(layers, list):
        raise ModelLoadError(f"{where}: {field}.config.layers must be a list")
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or not isinstance(layer.get("class_name"), str) \
                or not isinstance(layer.get("config"), (dict, list)):
            raise ModelLoadError(f"{where}: {field}.config.layers[{i}] must be an object with "
                                 "'class_name' and 'config'")
        _check_classes(layer, where, f"{field}.config.layers[{i}]")


def _check_training_config(config: Any, where: str) -> None:
    from .. import losses, optimizers

    field = f"{where}: trainingConfig"
    if not isinstance(config, dict):
        raise ModelLoadError(f"{field} must be an object, got {_kind(config)}")
    for key in ("weighted_metrics", "sample_weight_mode"):
        if config.get(key) is not None:
            raise ModelLoadError(f"{field}.{key} is not supported (as in TF.js)")
    optimizer = config.get("optimizer_config")
    try:
        if not isinstance(optimizer, dict) or not isinstance(optimizer.get("config", {}), dict):
            raise ValueError(f"expected {{class_name, config}}, got {_kind(optimizer)}")
        optimizers.get({"class_name": optimizer.get("class_name"),
                        "config": optimizer.get("config") or {}})
    except Exception as e:  # a constructor given odd values may raise anything
        raise ModelLoadError(f"{field}.optimizer_config: {type(e).__name__}: {e}") from None
    loss = config.get("loss")
    names = list(loss.values()) if isinstance(loss, dict) else \
        loss if isinstance(loss, list) else [loss]
    for name in names:
        try:
            if not isinstance(name, str):
                raise TypeError(f"expected a loss name, got {_kind(name)}")
            losses.get(to_camel_case(name))
        except (TypeError, ValueError) as e:
            raise ModelLoadError(f"{field}.loss: {e}") from None
    metrics = config.get("metrics")
    if metrics is not None and not isinstance(metrics, (list, dict)):
        raise ModelLoadError(f"{field}.metrics must be a list or an object")
    weights = config.get("loss_weights")
    if weights is not None and not (isinstance(weights, (list, dict)) and all(
            _is_number(w) for w in (weights.values() if isinstance(weights, dict) else weights))):
        raise ModelLoadError(f"{field}.loss_weights must be a list or an object of numbers")


def _check_spec(spec: Any, field: str, names: set[str]) -> None:
    if not isinstance(spec, dict):
        raise ModelLoadError(f"{field} must be an object {{name, shape, dtype}}, got "
                             f"{_kind(spec)}")
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise ModelLoadError(f"{field}: 'name' must be a non-empty string")
    field = f"{field} ({name!r})"
    if name in names:
        raise ModelLoadError(f"{field} appears twice in the weights manifest")
    names.add(name)
    shape = spec.get("shape")
    if not isinstance(shape, list) or len(shape) > MAX_RANK or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise ModelLoadError(f"{field}: shape must be a list of non-negative integers, got "
                             f"{shape!r}"[:300])
    if not isinstance(spec.get("dtype"), str) or spec["dtype"] not in DTYPES:
        raise ModelLoadError(f"{field}: unsupported dtype {spec.get('dtype')!r}; minitf reads "
                             f"{sorted(DTYPES)}")
    if "quantization" in spec:
        raise ModelLoadError(f"{field}: quantized weights are not supported")
    if spec.get("group") is not None and not isinstance(spec["group"], str):
        raise ModelLoadError(f"{field}: 'group' must be a string")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null",
            bool: "a boolean"}.get(type(value), type(value).__name__)


# -- building ----------------------------------------------------------------------------------
def build_model(artifacts: dict[str, Any], strict: bool, where: str) -> Any:
    """A model from checked artifacts (TF.js ``loadLayersModelFromIOHandler``): topology, then
    weights by name, then the training config and the optimizer state. On any failure every
    tensor and variable made here is disposed and a ModelLoadError is raised."""
    from ..models.graph import GraphModel
    from ..serialization import deserialize

    check_artifacts(artifacts, where)
    topology = _unwrap(artifacts["model_topology"], where)
    specs = artifacts.get("weight_specs")
    with undo_on_error(where):
        values = _decode(specs, artifacts["weight_data"]) if specs is not None else []
        try:
            config = container_node_indices(topology["config"], -1)
            model = deserialize({"class_name": topology["class_name"], "config": config},
                                "layers")
        except ModelLoadError:
            raise
        except Exception as e:
            raise ModelLoadError(f"{where}: modelTopology: cannot build the model: "
                                 f"{type(e).__name__}: {e}") from e
        if not isinstance(model, GraphModel):
            raise ModelLoadError(f"{where}: modelTopology describes a {topology['class_name']} "
                                 "layer, not a model")
        model_values = [(s, v) for s, v in zip(specs or [], values)
                        if s.get("group") != OPTIMIZER_GROUP]
        optimizer_values = [(s, v) for s, v in zip(specs or [], values)
                            if s.get("group") == OPTIMIZER_GROUP]
        _set_model_weights(model, model_values, strict, where, specs is None)
        if artifacts.get("training_config") is not None:
            _compile(model, artifacts["training_config"], where)
            if optimizer_values:
                _set_optimizer_weights(model, optimizer_values, strict, where)
    return model


def _decode(specs: list[dict[str, Any]], data: Any) -> list[np.ndarray]:
    """Slice the concatenated weight data by the specs, in order."""
    buffer = memoryview(data).cast("B")
    values, offset = [], 0
    for spec in specs:
        np_type, size = DTYPES[spec["dtype"]]
        count = math.prod(spec["shape"])
        array = np.frombuffer(buffer, np_type, count, offset).reshape(spec["shape"])
        values.append(array.astype(bool) if spec["dtype"] == "bool" else array.copy())
        offset += count * size
    return values


@contextmanager
def undo_on_error(where: str) -> Iterator[None]:
    """Dispose every tensor and variable created inside the block if it raises.

    New variables are found by comparing the live variables before and after, so this assumes
    no other thread creates variables meanwhile (minitf's engine state is process-wide).
    """
    from ..engine import scope
    from ..tensor import live_variables

    existing = live_variables()  # held, so that no id below can be reused by a new variable
    before = {id(v) for v in existing}
    opened = scope.start_scope("load_layers_model")
    try:
        yield
    except BaseException as e:
        scope.end_scope(opened)
        for variable in live_variables():
            if id(variable) not in before:
                variable.dispose()
        if isinstance(e, Exception) and not isinstance(e, ModelLoadError):
            raise ModelLoadError(f"{where}: {type(e).__name__}: {e}") from e
        raise
    else:
        scope.end_scope(opened, list(opened.owned.values()))  # kept: handed to the caller


def _set_model_weights(model: Any, entries: list[tuple[dict, np.ndarray]], strict: bool,
                       where: str, no_manifest: bool) -> None:
    """Match weights by original name (TF.js ``Container.loadWeights``), check every shape and
    dtype, and only then assign."""
    targets: dict[str, Any] = {}
    for variable in model.weights:
        name = _original_name(variable)
        if name in targets:
            raise ModelLoadError(f"{where}: Duplicate weight name: {name}")
        targets[name] = variable
    total = len(targets)
    if no_manifest:
        if strict and total:
            raise ModelLoadError(f"{where}: weightsManifest is missing, so {total} of {total} "
                                 "weights are not set (pass strict=False to keep the initial "
                                 "weights)")
        return
    pairs = []
    for spec, value in entries:
        name = spec["name"]
        if name not in targets:  # TF 2.2 writes layer/cell/weight; TF.js drops the cell name
            tokens = name.split("/")
            short = "/".join(tokens[:-2] + tokens[-1:])
            name = short if short in targets else name
        variable = targets.pop(name, None)
        if variable is None:
            if strict:
                raise ModelLoadError(f"{where}: Provided weight data has no target variable: "
                                     f"{spec['name']}")
            continue
        if tuple(spec["shape"]) != tuple(variable.shape) or spec["dtype"] != variable.dtype:
            raise ModelLoadError(f"{where}: weight {spec['name']!r} has shape {spec['shape']} "
                                 f"{spec['dtype']} in the file but the model expects "
                                 f"{list(variable.shape)} {variable.dtype}")
        pairs.append((variable, value))
    if strict and targets:
        raise ModelLoadError(f"{where}: {len(targets)} of {total} weights are not set: "
                             f"{','.join(targets)}")
    for variable, value in pairs:
        variable.assign(value)


def _compile(model: Any, config: dict[str, Any], where: str) -> None:
    """Compile with the saved optimizer, losses and metrics (TF.js ``loadTrainingConfig``)."""
    from .. import optimizers

    optimizer = optimizers.get({"class_name": config["optimizer_config"]["class_name"],
                                "config": config["optimizer_config"].get("config") or {}})
    metrics = config.get("metrics")
    try:
        model.compile(optimizer=optimizer, loss=_map_names(config["loss"], to_camel_case),
                      metrics=None if not metrics else _map_names(metrics, to_camel_case),
                      loss_weights=config.get("loss_weights"))
    except Exception as e:
        raise ModelLoadError(f"{where}: trainingConfig: cannot compile: {type(e).__name__}: "
                             f"{e}") from e


def _set_optimizer_weights(model: Any, entries: list[tuple[dict, np.ndarray]], strict: bool,
                           where: str) -> None:
    """Restore the optimizer state, slots renamed from original to live variable names."""
    from .. import ops

    live = {_original_name(w): w for w in model.weights}
    named = []
    for spec, value in entries:
        var, _, slot = spec["name"].rpartition("/")
        if spec["name"] == "iter":
            if value.size != 1:
                raise ModelLoadError(f"{where}: optimizer weight 'iter' must be a scalar")
            named.append(("iter", value.reshape(()).astype(np.int32)))
            continue
        target = live.get(var)
        problem = None if target is not None else f"names no weight of the model ({var!r})"
        if target is not None and tuple(value.shape) != tuple(target.shape):
            problem = f"has shape {list(value.shape)} but {var!r} has {list(target.shape)}"
        if problem:
            if not strict:
                warnings.warn(f"{where}: optimizer state not restored: {spec['name']!r} "
                              f"{problem}", stacklevel=3)
                return
            raise ModelLoadError(f"{where}: optimizer weight {spec['name']!r} {problem}")
        named.append((f"{target.name}/{slot}", value.astype(np.float32)))
    tensors = [{"name": name, "tensor": ops.tensor(value)} for name, value in named]
    try:
        model.optimizer.set_weights(tensors)
    except (TypeError, ValueError) as e:
        raise ModelLoadError(f"{where}: optimizer weights: {e}") from e
    finally:
        for entry in tensors:
            entry["tensor"].dispose()
