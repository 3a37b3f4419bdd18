"""Keras HDF5 (``.h5``): the legacy single-file format of ``keras_model.save('m.h5')``.

Layout (what Keras 2 and Keras 3 write, and what this module writes and reads)::

    /                     attrs: model_config (JSON {class_name, config}), keras_version,
                                 backend[, training_config]
    /model_weights        attrs: layer_names, keras_version, backend
    /model_weights/<layer>        attrs: weight_names ['<layer>/kernel', '<layer>/bias', ...]
    /model_weights/<layer>/<weight name>   one dataset per weight (names may contain '/')

Keras sets weights **by order**: the n-th weight name of a layer group goes to the n-th weight
of that layer (``trainable_weights + non_trainable_weights``), which is also minitf's
``layer.weights`` order (BatchNormalization gamma, beta, moving_mean, moving_variance; LSTM
kernel, recurrent_kernel, bias). minitf matches layer groups by layer name and weights by order,
checking every shape.

Saving writes minitf's own config (TF.js/Keras 2 keys) with the few changes Keras 3 needs to load
it (``_to_keras``, ``_keras_layer``): a Sequential model gets an explicit first ``InputLayer``
(Keras 3 misreads ``batch_input_shape`` on another layer as a shape without the batch axis),
ThresholdedReLU is written as ``ReLU(threshold=...)``, and RNN cells carry Keras's module.
Two things load in Keras but compute differently there: 'hard_sigmoid' under Keras 3
(relu6(x + 3) / 6; minitf, TF.js and Keras 2 compute clip(0.2 x + 0.5, 0, 1)), and bilinear
UpSampling2D (Keras resizes with half-pixel centers). The file is made in memory and written by
``atomic.write_bytes_atomic`` (temporary file, fsync, rename), so a failed save never leaves a
half file.

Loading reads the file with h5py and never executes anything from it (no pickle, no Lambda
layers, no links to other files). It checks everything it can before building, converts Keras 3
configs to minitf's form and refuses options that would change the results (``keras_config.py``),
and disposes every weight it created if anything fails (``tf.memory().num_tensors`` is unchanged).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import numpy as np

from . import ModelLoadError
from .atomic import write_bytes_atomic
from .keras_config import check_layer_specs, normalize_model_config

__all__ = ["save_h5", "load_h5", "read_h5", "normalize_model_config", "keras_model_config"]

# Keras splits attributes larger than this into name0, name1... (HDF5 object header limit).
_HEADER_LIMIT = 64512


# ================================================================================================
# Saving
# ================================================================================================
def save_h5(model: Any, path: str, include_optimizer: bool = False) -> None:
    """Write ``model`` to ``path`` as a Keras HDF5 file that Keras 2, Keras 3 and minitf load.

    ``include_optimizer`` also writes ``training_config`` (loss, metrics, optimizer config) when
    the model is compiled. Optimizer state (slots) is not written.
    """
    import h5py

    from .. import __version__

    if not getattr(model, "built", False) or not getattr(model, "outputs", None):
        raise ValueError(f"save_h5: model {getattr(model, 'name', model)!r} is not built yet; "
                         "call it on data or give its first layer an input_shape first")
    config = keras_model_config(model)
    layers = [(layer.name, _named_weights(layer)) for layer in model.layers]
    training = _training_config(model) if include_optimizer else None

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save_h5: the folder {folder!r} does not exist")
    buffer = BytesIO()  # the whole file is made in memory, then written in one atomic step
    with h5py.File(buffer, "w") as f:
        f.attrs["keras_version"] = f"minitf {__version__}"
        f.attrs["backend"] = "minitf"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        if training is not None:
            f.attrs["training_config"] = json.dumps(training).encode("utf8")
        group = f.create_group("model_weights")
        _write_names(group, "layer_names", [name for name, _ in layers])
        group.attrs["keras_version"] = f"minitf {__version__}"
        group.attrs["backend"] = "minitf"
        for name, weights in sorted(layers):  # Keras sorts, so no group name is a prefix
            layer_group = group.create_group(name)
            _write_names(layer_group, "weight_names", [n for n, _ in weights])
            for weight_name, value in weights:
                layer_group.create_dataset(weight_name, data=value)
    write_bytes_atomic(path, buffer.getvalue())


def keras_model_config(model: Any) -> dict[str, Any]:
    """``{'class_name', 'config'}`` of ``model`` as written in ``model_config``."""
    from ..serialization import serialize

    return _to_keras(serialize(model), model)


def _to_keras(spec: dict[str, Any], model: Any) -> dict[str, Any]:
    """minitf's config of ``model``, changed where Keras 3 reads it differently (nested models
    included)."""
    class_name, config = spec["class_name"], dict(spec["config"])
    by_name = {layer.name: layer for layer in model.layers}

    def convert(layer_spec: dict[str, Any]) -> dict[str, Any]:
        if layer_spec["class_name"] in ("Sequential", "Model"):  # a model used as a layer
            nested = by_name[layer_spec["config"]["name"]]
            return {**layer_spec, "config": _to_keras(layer_spec, nested)["config"]}
        return _keras_layer(layer_spec)

    layers = [convert(s) for s in config["layers"]]
    if class_name == "Sequential" and model.inputs:
        # Keras 3 reads batch_input_shape on a first layer as a shape without the batch axis,
        # so the input becomes an explicit InputLayer, as Keras 2.4+ writes it too.
        source = model.inputs[0]
        layers.insert(0, {"class_name": "InputLayer",
                          "config": {"batch_input_shape": list(source.shape),
                                     "dtype": source.dtype, "sparse": False,
                                     "name": source.source_layer.name}})
    config["layers"] = layers
    return {"class_name": class_name, "config": config}


_RNN_KEYS = {"name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards",
             "stateful", "unroll", "cell"}


def _keras_layer(spec: dict[str, Any]) -> dict[str, Any]:
    """One layer's spec as Keras reads it. minitf writes TF.js's configs; Keras needs:

    - no ``batch_input_shape`` except on InputLayers (the model's inputs carry the shapes, and
      Keras 3 would read it as a shape without the batch axis);
    - no ``noise_shape`` (Keras computes it) nor ``trainable`` on SpatialDropout layers;
    - ``ReLU(threshold=theta)`` for ThresholdedReLU, which Keras 3 no longer has (it differs
      only at x == theta; loading turns it back into a ThresholdedReLU);
    - an RNN's cell tagged with Keras's module (Keras 3 finds StackedRNNCells only so), and
      not the cell's options repeated beside it (TF.js's layout); the same module tag on the
      layer a TimeDistributed or Bidirectional wraps.
    """
    class_name, config = spec["class_name"], dict(spec["config"])
    if class_name != "InputLayer":
        config.pop("batch_input_shape", None)
    if class_name.startswith("SpatialDropout"):  # Keras 3's constructor takes neither
        config.pop("trainable", None)
        if config.get("noise_shape") is None:
            config.pop("noise_shape", None)
    if class_name == "ThresholdedReLU":
        class_name = "ReLU"
        config.update(threshold=config.pop("theta"), negative_slope=0.0, max_value=None)
    if class_name == "RNN":
        config = {k: v for k, v in config.items() if k in _RNN_KEYS}
        config["cell"] = _keras_cell(config["cell"])
    if class_name in ("TimeDistributed", "Bidirectional"):  # the wrapped layer, as Keras 3 reads it
        config["layer"] = {"module": "keras.layers", **_keras_layer(config["layer"]),
                           "registered_name": None}
    return {**spec, "class_name": class_name, "config": config}


def _keras_cell(spec: dict[str, Any]) -> dict[str, Any]:
    """A cell spec in Keras 3's serialized form (with its module), stacked cells included."""
    config = dict(spec["config"])
    if spec["class_name"] == "StackedRNNCells":
        config["cells"] = [_keras_cell(c) for c in config["cells"]]
    return {"module": "keras.layers", "class_name": spec["class_name"], "config": config,
            "registered_name": None}


def _named_weights(layer: Any) -> list[tuple[str, np.ndarray]]:
    """(name, value) of each weight of ``layer`` in Keras's order; names unique in the group."""
    named, seen = [], set()
    for variable in layer.weights:
        name = getattr(variable, "original_name", None) or variable.name
        unique, n = name, 0
        while unique in seen:
            n += 1
            unique = f"{name}_{n}"
        seen.add(unique)
        named.append((unique, variable.numpy()))
    return named


# TF.js optimizer names and options -> Keras's, for ``training_config`` (Keras compiles from it).
_KERAS_OPTIMIZERS = {"Adam": "Adam", "Adamax": "Adamax", "SGD": "SGD", "Momentum": "SGD",
                     "RMSProp": "RMSprop", "Adagrad": "Adagrad", "Adadelta": "Adadelta"}
_KERAS_OPTIMIZER_KEYS = {"beta1": "beta_1", "beta2": "beta_2", "use_nesterov": "nesterov"}


def _training_config(model: Any) -> dict[str, Any] | None:
    """Keras's ``training_config`` (loss, metrics, loss_weights, optimizer_config), or None
    when the model is not compiled. Names are Keras's snake_case ones."""
    from ..serialization import to_snake_case

    plan = getattr(model, "compiled", None)
    optimizer = getattr(model, "optimizer", None)
    if plan is None or optimizer is None:
        return None

    def name_of(spec: Any) -> Any:
        if isinstance(spec, (list, tuple)):
            return [name_of(s) for s in spec]
        if isinstance(spec, dict):
            return {k: name_of(v) for k, v in spec.items()}
        if spec is None:
            return None
        return to_snake_case(spec if isinstance(spec, str) else getattr(spec, "__name__", "?"))

    class_name = optimizer.get_class_name()
    config = dict(optimizer.get_config())
    if class_name == "RMSProp":
        config["rho"] = config.pop("decay")
    if class_name == "Adamax":
        config.pop("decay", None)  # TF.js's learning-rate decay; Keras has no such option
    config = {_KERAS_OPTIMIZER_KEYS.get(k, k): v for k, v in config.items()}
    return {"loss": name_of(plan.loss_specs), "metrics": name_of(plan.metric_specs),
            "weighted_metrics": None, "loss_weights": list(plan.loss_weights),
            "optimizer_config": {"class_name": _KERAS_OPTIMIZERS.get(class_name, class_name),
                                 "config": config}}


def _write_names(group: Any, attr: str, names: list[str]) -> None:
    """Store a list of names as Keras does: utf-8 bytes, split when over the header limit."""
    data = np.asarray([n.encode("utf8") for n in names])
    chunks = 1
    while chunks < max(1, len(names)) and data.nbytes / chunks > _HEADER_LIMIT:
        chunks += 1
    if chunks == 1:
        group.attrs[attr] = data
        return
    for i, part in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{attr}{i}"] = part


# ================================================================================================
# Loading: read and check the file
# ================================================================================================
@dataclass
class H5Contents:
    """What a Keras HDF5 file holds, read into memory: config and weights by layer name."""

    model_config: dict[str, Any]
    keras_version: str
    layer_names: list[str]
    weights: dict[str, list[tuple[str, np.ndarray]]] = field(default_factory=dict)
    top_level: list[tuple[str, np.ndarray]] = field(default_factory=list)
    training_config: dict[str, Any] | None = None


def load_h5(path: str, strict: bool = True, compile: bool = True) -> Any:
    """Load a model saved as Keras HDF5 (by Keras 2, Keras 3 or minitf).

    The whole file is read and checked first, and the Keras config converted to minitf's form;
    then the model is built and its weights set. ``strict`` (the default) requires every
    layer's weights in the file and no weights the model does not use; ``strict=False`` keeps
    the initial values of missing layers and ignores extra ones. Weight counts and shapes must
    always match. With ``compile`` (the default, as in Keras's ``load_model``) a model saved
    compiled comes back compiled with the same optimizer settings, loss and metrics
    (``keras_training.py``; the optimizer's slots start afresh).
    Raises ``ModelLoadError`` (a ValueError) naming the problem; nothing is left allocated then.
    """
    from .keras_training import compile_args

    contents = read_h5(path)
    spec = normalize_model_config(contents.model_config, contents.keras_version, path)
    check_layer_specs(spec, path)
    training = (compile_args(contents.training_config, path)
                if compile and contents.training_config else None)
    model = _build_with_weights(spec, contents, strict, path)
    if training is not None:
        try:
            model.compile(**training)
        except Exception as e:
            model.dispose()
            raise ModelLoadError(f"{path}: training_config: cannot compile: "
                                 f"{type(e).__name__}: {e}") from e
    return model


def read_h5(path: str) -> H5Contents:
    """Read the config and every weight of a Keras HDF5 file, checking its structure."""
    import h5py

    if not os.path.isfile(path):
        raise ModelLoadError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ModelLoadError(f"{path}: not a readable HDF5 file (truncated or corrupt?): "
                             f"{e}") from None
    try:
        with f:
            return _read_open_file(f, path)
    except (OSError, KeyError, RuntimeError) as e:  # h5py reports damaged objects this way
        raise ModelLoadError(f"{path}: the HDF5 file is damaged: {e}") from None


def _read_open_file(f: Any, path: str) -> H5Contents:
    """The checks and reads of ``read_h5`` on an open h5py File."""
    raw = f.attrs.get("model_config")
    if raw is None:
        raise ModelLoadError(f"{path}: no 'model_config' attribute; this is not a Keras model file "
                             "(a weights-only file from save_weights has no model to build)")
    config = _json_attr(raw, "model_config", path)
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ModelLoadError(f"{path}: model_config must be a JSON object with 'class_name' and "
                             f"'config', got {str(config)[:200]}")
    training = f.attrs.get("training_config")
    version = _text(f.attrs.get("keras_version", ""))
    if "model_weights" not in f:
        raise ModelLoadError(f"{path}: no 'model_weights' group, so the file holds no weights")
    group = _child(f, "model_weights", path, want_group=True)
    version = version or _text(group.attrs.get("keras_version", ""))
    layer_names = _read_names(group, "layer_names")
    contents = H5Contents(config, version, layer_names,
                          training_config=None if training is None
                          else _json_attr(training, "training_config", path))
    for name in layer_names:
        if name not in group:
            raise ModelLoadError(f"{path}: layer_names lists {name!r} but the file has no group of "
                                 "that name")
        contents.weights[name] = _read_weights(_child(group, name, path, True), path, name)
    if "top_level_model_weights" in group:
        contents.top_level = _read_weights(
            _child(group, "top_level_model_weights", path, True), path, "top_level_model_weights")
    return contents


def _read_weights(group: Any, path: str, layer: str) -> list[tuple[str, np.ndarray]]:
    """(name, array) of each weight of a layer group, in the order of its ``weight_names``."""
    out = []
    for name in _read_names(group, "weight_names"):
        node: Any = group
        for part in name.split("/"):
            if not part:
                raise ModelLoadError(f"{path}: layer {layer!r} has an invalid weight name {name!r}")
            node = _child(node, part, path, want_group=False, what=f"weight {name!r} of "
                          f"layer {layer!r}")
        if not hasattr(node, "dtype") or not hasattr(node, "shape"):
            raise ModelLoadError(f"{path}: weight {name!r} of layer {layer!r} is a group, not a "
                                 "dataset")
        if node.dtype.kind not in "fiub":
            raise ModelLoadError(f"{path}: weight {name!r} of layer {layer!r} has dtype "
                                 f"{node.dtype}, not numbers")
        out.append((name, np.asarray(node[()])))
    return out


def _child(parent: Any, name: str, path: str, want_group: bool | None = None,
           what: str | None = None) -> Any:
    """``parent[name]``, refusing links to other files and soft links (as Keras does), and
    checking that the object exists and has the expected kind."""
    import h5py

    what = what or repr(name)
    if name not in parent:
        raise ModelLoadError(f"{path}: {what} is missing from the file")
    link = parent.get(name, getlink=True)
    if isinstance(link, (h5py.ExternalLink, h5py.SoftLink)):
        raise ModelLoadError(f"{path}: {what} is a {type(link).__name__}; links are not allowed")
    node = parent[name]
    if want_group and not isinstance(node, h5py.Group):
        raise ModelLoadError(f"{path}: {what} should be a group")
    return node


def _read_names(group: Any, attr: str) -> list[str]:
    """A list-of-names attribute, joined from Keras's chunks ``attr0, attr1...`` if split."""
    if attr in group.attrs:
        values = list(np.atleast_1d(group.attrs[attr]))
    else:
        values, i = [], 0
        while f"{attr}{i}" in group.attrs:
            values.extend(np.atleast_1d(group.attrs[f"{attr}{i}"]))
            i += 1
    return [_text(v) for v in values]


def _text(value: Any) -> str:
    return value.decode("utf8") if isinstance(value, (bytes, np.bytes_)) else str(value)


def _json_attr(raw: Any, what: str, path: str) -> Any:
    try:
        return json.loads(_text(raw))
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelLoadError(f"{path}: the {what} attribute is not valid JSON: {e}") from None


# ================================================================================================
# Loading: build the model and set its weights
# ================================================================================================
def _build_with_weights(spec: dict[str, Any], contents: H5Contents, strict: bool,
                        path: str) -> Any:
    """Build the model from ``spec`` and set the weights; on any failure dispose every weight
    created here, so nothing is left half-built."""
    from ..engine import scope
    from ..serialization import deserialize
    from ..tensor import live_variables

    before = {v.id for v in live_variables()}
    try:
        with scope.tidy("load_h5"):
            try:
                model = deserialize(spec, "layers")
            except Exception as e:  # the file's fault: the layers do not fit together
                raise ModelLoadError(f"{path}: the model cannot be built from its config: "
                                     f"{e}") from e
            assignments = _match_weights(model, contents, strict, path)
            for variable, value in assignments:
                variable.assign(value)
        return model
    except BaseException:
        for variable in live_variables():
            if variable.id not in before:
                variable.dispose()
        raise


def _match_weights(model: Any, contents: H5Contents, strict: bool, path: str
                   ) -> list[tuple[Any, np.ndarray]]:
    """Pair each weight of the model with its array from the file, checking names and shapes."""
    pairs: list[tuple[Any, np.ndarray]] = []
    used: set[str] = set()
    for layer in _unique_layers(model):
        variables = layer.weights
        if not variables:
            continue
        saved = contents.weights.get(layer.name)
        if saved is None or (not saved and variables):
            if strict:
                raise ModelLoadError(f"{path}: layer {layer.name!r} has {len(variables)} weight(s) "
                                     f"({[_short(v) for v in variables]}) but the file has none "
                                     "for it (strict=False keeps their initial values)")
            continue
        used.add(layer.name)
        if len(saved) != len(variables):
            raise ModelLoadError(f"{path}: layer {layer.name!r} expects {len(variables)} weight(s) "
                                 f"{[_short(v) for v in variables]}, the file has {len(saved)}: "
                                 f"{[n for n, _ in saved]}")
        for variable, (name, value) in zip(variables, saved):
            if tuple(value.shape) != tuple(variable.shape):
                raise ModelLoadError(f"{path}: weight {name!r} of layer {layer.name!r} has shape "
                                     f"{list(value.shape)} in the file, but the layer's "
                                     f"{_short(variable)!r} has shape {list(variable.shape)}")
            pairs.append((variable, value.astype(np.dtype(variable.dtype), copy=False)))
    if strict:
        extra = [n for n, w in contents.weights.items() if w and n not in used]
        if extra:
            raise ModelLoadError(f"{path}: the file has weights for layer(s) {extra} that the "
                                 "model does not have (strict=False ignores them)")
        if contents.top_level:
            names = [n for n, _ in contents.top_level]
            raise ModelLoadError(f"{path}: the file has top-level model weights {names}, which "
                                 "minitf models do not have (strict=False ignores them)")
    return pairs


def _unique_layers(model: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    for layer in model.layers:
        seen.setdefault(id(layer), layer)
    return list(seen.values())


def _short(variable: Any) -> str:
    name = getattr(variable, "original_name", None) or variable.name
    return name.split("/", 1)[-1]
