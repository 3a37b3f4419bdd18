"""Keras model configs (Keras 1-3 spellings) rewritten into minitf's form, for ``hdf5.py``.

Keras 3 writes layer configs that differ from TF.js's and Keras 2's: dtype policies as objects,
nodes as ``__keras_tensor__`` dicts, a wrapped layer's module, options that minitf has no
counterpart for. ``normalize_model_config`` turns such a config into the one minitf would have
written, drops options that are off, and refuses (naming the layer and the option) any setting
that would make the loaded model compute something else. ``check_layer_specs`` then constructs
every layer once, unbuilt, so an unknown class or option is reported before a weight exists.
"""
from __future__ import annotations

from typing import Any

from . import ModelLoadError

__all__ = ["normalize_model_config", "check_layer_specs"]

# Options minitf does not have, with the values that mean "off" (dropped); any other value is
# refused, because the loaded model would compute something else.
_OFF_VALUES: dict[str, tuple[Any, ...]] = {
    "lora_rank": (None, 0), "quantization_config": (None,),
    "time_major": (False,), "zero_output_for_mask": (False,), "synchronized": (False,),
    "renorm": (False,), "virtual_batch_size": (None,), "adjustment": (None,),
    "ragged": (False,), "optional": (False,), "groups": (1,), "rms_scaling": (False,),
    "keepdims": (False,), "threshold": (0, 0.0), "negative_slope": (0, 0.0),
    "output_padding": (None,), "sparse": (False,),
}
# The same, for options that other minitf layers do have.
_OFF_VALUES_BY_CLASS: dict[str, dict[str, tuple[Any, ...]]] = {
    "LayerNormalization": {"beta_constraint": (None,), "gamma_constraint": (None,)},
}
# Options that never change what a loaded model computes: a fused kernel, settings that only
# matter with renorm or lora_rank (refused above unless off), saving metadata.
_IGNORED = {"fused", "renorm_clipping", "renorm_momentum", "lora_alpha", "build_config",
            "compile_config"}
# Layers whose minitf class has no ``seed`` (the seed only fixes the dropout masks' stream).
_NO_SEED = {"SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "RNN"}
_KERAS3_ACTIVATIONS = {"silu": "swish"}  # Keras 3 saves swish under its other name
_MODEL_CLASSES = {"Model": "Model", "Functional": "Model", "Sequential": "Sequential"}


def normalize_model_config(spec: dict[str, Any], keras_version: str = "",
                           path: str = "model_config") -> dict[str, Any]:
    """A Keras ``{class_name, config}`` model spec (Keras 1-3 spellings) in minitf's form."""
    normalizer = _Normalizer(keras_version.strip(), path)
    return normalizer.model(_plain(spec))


class _Normalizer:
    """Rewrites one model's config. The file's ``keras_version`` decides how to read a few
    things: Keras 3 gives some names another meaning, Keras 2 numbers nested models' nodes
    differently, and Keras (unlike minitf and TF.js) resizes with half-pixel centers."""

    def __init__(self, keras_version: str, path: str) -> None:
        self.keras3 = keras_version.startswith("3")
        self.keras2 = keras_version.startswith("2")
        self.foreign = not keras_version.startswith(("minitf", "tfjs"))
        self.path = path

    def fail(self, message: str) -> ValueError:
        return ModelLoadError(f"{self.path}: {message}")

    def model(self, spec: dict[str, Any]) -> dict[str, Any]:
        class_name = _MODEL_CLASSES.get(spec.get("class_name"))
        if class_name is None:
            raise self.fail(f"model_config has class {spec.get('class_name')!r}; expected a "
                            "Sequential or functional (Model/Functional) model")
        config = spec["config"]
        if class_name == "Sequential":
            layers = config if isinstance(config, list) else config.get("layers")
            if not isinstance(layers, list):
                raise self.fail("the Sequential config has no 'layers' list")
            name = None if isinstance(config, list) else config.get("name")
            return {"class_name": "Sequential",
                    "config": {"name": name, "layers": [self.layer(s) for s in layers]}}
        for key in ("layers", "input_layers", "output_layers"):
            if key not in config:
                raise self.fail(f"the functional model config has no {key!r}")
        layers = []
        for s in config["layers"]:
            if not isinstance(s, dict) or "name" not in s:
                raise self.fail(f"a layer entry of the model config has no name: {str(s)[:200]}")
            layer = self.layer(s)
            layers.append({"name": s["name"], **layer,
                           "inbound_nodes": [self.node(n, s["name"])
                                             for n in s.get("inbound_nodes", [])]})
        inputs = self.refs(config["input_layers"], "input_layers")
        outputs = self.refs(config["output_layers"], "output_layers")
        if self.keras2:
            # Keras 2 counts a nested model's own construction as its node 0, so its first
            # call is node 1; minitf and Keras 3 number the calls from 0.
            nested = {s["name"] for s in config["layers"] if s["class_name"] in _MODEL_CLASSES}
            for ref in [r for s in layers for n in s["inbound_nodes"] for r in n] + outputs:
                if ref[0] in nested and ref[1] > 0:
                    ref[1] -= 1
        return {"class_name": "Model",
                "config": {"name": config.get("name"), "layers": layers,
                           "input_layers": inputs, "output_layers": outputs}}

    def refs(self, value: Any, what: str) -> list[list[Any]]:
        """``[[layer, node, tensor], ...]``; Keras 3 writes a single one unnested."""
        if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
            value = [value]
        if not isinstance(value, list) or not all(
                isinstance(r, list) and len(r) >= 3 and isinstance(r[0], str) for r in value):
            raise self.fail(f"{what} must be a list of [layer name, node, tensor] (dict inputs "
                            f"and outputs are not supported), got {str(value)[:200]}")
        return [list(r[:3]) for r in value]

    def node(self, node: Any, layer: str) -> list[list[Any]]:
        """One inbound node as ``[[layer, node, tensor, kwargs], ...]`` (Keras 2's form)."""
        if isinstance(node, list):  # Keras 1/2
            return [list(ref) if len(ref) > 3 else [*ref, {}] for ref in node]
        if not isinstance(node, dict) or "args" not in node:
            raise self.fail(f"layer {layer!r} has an inbound node in an unknown form: "
                            f"{str(node)[:200]}")
        args = node["args"]
        kwargs = {k: v for k, v in (node.get("kwargs") or {}).items()
                  if not (k in ("mask", "training") and v is None)}
        if len(args) != 1:
            raise self.fail(f"layer {layer!r} is called with {len(args)} positional "
                            "arguments; minitf supports calls on one tensor or one list")
        first = args[0]
        tensors = first if isinstance(first, list) else [first]
        states = kwargs.pop("initial_state", None)
        if states is not None:  # minitf's RNNs take the initial states after the inputs
            tensors = tensors + (states if isinstance(states, list) else [states])
        for key, value in kwargs.items():
            if _is_keras_tensor(value) or (isinstance(value, list)
                                           and any(_is_keras_tensor(v) for v in value)):
                raise self.fail(f"layer {layer!r} is called with a tensor as {key!r}; minitf "
                                "does not support that")
        refs = []
        for t in tensors:
            if not _is_keras_tensor(t):
                raise self.fail(f"layer {layer!r} is called on {str(t)[:100]}, which is not a "
                                "layer output")
            history = t["config"]["keras_history"]
            refs.append([history[0], history[1], history[2], kwargs])
        return refs

    def layer(self, spec: Any) -> dict[str, Any]:
        """One layer spec ``{class_name, config}`` in minitf's form."""
        if not isinstance(spec, dict) or "class_name" not in spec:
            raise self.fail(f"a layer spec has no class_name: {str(spec)[:200]}")
        class_name = spec["class_name"]
        if class_name in _MODEL_CLASSES:  # a model used as a layer
            return self.model(spec)
        config = dict(spec.get("config") or {})
        name = config.get("name", spec.get("name", "?"))
        where = f"layer {name!r} ({class_name})"
        if class_name == "InputLayer":
            return {"class_name": class_name, "config": self.input_layer(config, where)}
        if class_name == "ReLU" and config.get("threshold") and not config.get("negative_slope") \
                and config.get("max_value") is None:  # how minitf saves a ThresholdedReLU
            class_name = "ThresholdedReLU"
            config["theta"] = config.pop("threshold")
            config.pop("negative_slope", None)
            config.pop("max_value", None)
        if class_name in ("TimeDistributed", "Bidirectional"):
            config = self.wrapper(class_name, config, where)
        off_values = {**_OFF_VALUES, **_OFF_VALUES_BY_CLASS.get(class_name, {})}
        for key in list(config):
            value = config[key]
            if key in _IGNORED or (key == "seed" and class_name in _NO_SEED):
                del config[key]
            elif key == "dtype":
                config[key] = self.dtype(value, where)
            elif key == "reset_after" and value:
                raise self.fail(f"{where} uses reset_after=True (the default of Keras 2.3+ and "
                                "3); minitf, like TF.js, implements only the original GRU "
                                "(reset_after=False). Rebuild the GRU in Keras with "
                                "reset_after=False.")
            elif key == "negative_slope" and class_name == "LeakyReLU":
                config["alpha"] = config.pop(key)
            elif key == "axis" and class_name == "BatchNormalization" and \
                    isinstance(value, list):  # Keras 2 writes [axis]
                if len(value) != 1:
                    raise self.fail(f"{where} normalizes over several axes {value}; minitf's "
                                    "BatchNormalization takes one axis")
                config[key] = int(value[0])
            elif key == "interpolation" and value != "nearest" and self.foreign:
                raise self.fail(f"{where} uses {value!r} interpolation, which Keras computes "
                                "with half-pixel centers; minitf (like TF.js) does not, so the "
                                "results would differ")
            elif key in off_values:
                if value not in off_values[key]:
                    raise self.fail(f"{where} has {key}={value!r}; minitf does not implement "
                                    f"this option (only {off_values[key][0]!r} loads)")
                del config[key]
            else:
                config[key] = self.value(value, f"{where}, option {key!r}")
        return {"class_name": class_name, "config": config}

    def wrapper(self, class_name: str, config: dict[str, Any], where: str) -> dict[str, Any]:
        """A wrapper's config with its wrapped layer normalized. Keras 3 writes a Bidirectional
        as its two built halves ('layer' named forward_x, 'backward_layer' named backward_x);
        minitf, as TF.js, keeps the one layer x and makes both halves from it."""
        if not isinstance(config.get("layer"), dict):
            raise self.fail(f"{where} has no 'layer' config")
        layers = [config["layer"], config.get("backward_layer")]
        for spec in filter(None, layers):
            # Keras 3 sets this on a Bidirectional's halves: masked steps output zeros there,
            # the last output in minitf and TF.js (docs/saving.md); no difference without masks
            (spec.get("config") or {}).pop("zero_output_for_mask", None)
        inner = self.layer(config["layer"])
        backward = config.pop("backward_layer", None)
        if backward is not None:
            name = inner["config"].get("name", "")
            mirrored = self.layer(backward)["config"]
            expected = {**inner["config"], "name": "backward_" + name.removeprefix("forward_"),
                        "go_backwards": not inner["config"].get("go_backwards", False)}
            if not name.startswith("forward_") or mirrored != expected:
                raise self.fail(f"{where} has a backward layer that is not the forward one run "
                                "backwards; minitf (like TF.js) builds both from one layer")
            inner["config"]["name"] = name.removeprefix("forward_")
        return {**config, "layer": inner}

    def input_layer(self, config: dict[str, Any], where: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": config.get("name")}
        shape = config.get("batch_input_shape", config.get("batch_shape"))
        if shape is None:
            raise self.fail(f"{where} has no batch_shape or batch_input_shape")
        out["batch_input_shape"] = list(shape)
        out["dtype"] = self.dtype(config.get("dtype") or "float32", where, input_layer=True)
        for key in ("sparse", "ragged", "optional"):
            if config.get(key):
                raise self.fail(f"{where} has {key}=True; minitf inputs are dense tensors")
        return out

    def dtype(self, value: Any, where: str, input_layer: bool = False) -> str:
        """A dtype policy (Keras 3 DTypePolicy, Keras 2 Policy) or name, as a minitf dtype."""
        if isinstance(value, dict):
            value = (value.get("config") or {}).get("name", value.get("class_name"))
        name = str(value)
        if name in ("float32", "mixed_float16", "mixed_bfloat16"):
            return "float32"  # mixed policies keep float32 variables; minitf computes in float32
        if input_layer and name in ("int32", "int64", "int16", "int8", "uint8"):
            return "int32"
        if input_layer and name == "bool":
            return "bool"
        raise self.fail(f"{where} has dtype {name!r}; minitf layers compute in float32")

    def value(self, value: Any, where: str) -> Any:
        """A config value: Keras 3 serialized objects become ``{class_name, config}``; Keras 3's
        ambiguous activation names are checked."""
        if isinstance(value, list):
            return [self.value(v, where) for v in value]
        if isinstance(value, str):
            if value == "hard_sigmoid" and self.keras3:
                raise self.fail(f"{where} is 'hard_sigmoid', which Keras 3 computes as "
                                "relu6(x + 3) / 6; minitf (like Keras 2 and TF.js) computes "
                                "clip(0.2 x + 0.5, 0, 1), so the results would differ")
            return _KERAS3_ACTIVATIONS.get(value, value)
        if not isinstance(value, dict):
            return value
        if value.get("class_name") == "function" and isinstance(value.get("config"), str):
            return self.value(value["config"], where)  # Keras 3's serialized built-in function
        if "class_name" in value and "config" in value:
            config = value["config"]
            config = {k: self.value(v, where) for k, v in config.items()} \
                if isinstance(config, dict) else config
            return {"class_name": value["class_name"], "config": config}
        return {k: self.value(v, where) for k, v in value.items()}


def _is_keras_tensor(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _plain(value: Any) -> Any:
    """Undo Keras's JSON encodings of Python objects (tuples, TensorShapes) into lists."""
    if isinstance(value, dict):
        if value.get("class_name") in ("__tuple__", "TensorShape") and "items" in value:
            return [_plain(v) for v in value["items"]]
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def check_layer_specs(spec: dict[str, Any], path: str) -> None:
    """Construct every layer once without building it (no weights are created), so an unknown
    class or option is reported with the layer's name before anything is allocated."""
    from ..serialization import deserialize, get_registered

    for layer_spec in spec["config"]["layers"]:
        class_name = layer_spec["class_name"]
        name = layer_spec.get("name") or layer_spec["config"].get("name", "?")
        if class_name in ("Sequential", "Model"):
            check_layer_specs(layer_spec, path)
            continue
        try:
            get_registered(class_name, "layers")
        except ValueError:
            raise ModelLoadError(f"{path}: layer {name!r} has class {class_name!r}, which minitf "
                                 "does not implement (custom or Lambda layers cannot be loaded "
                                 "from HDF5; register custom classes with "
                                 "tf.serialization.register_class)") from None
        try:
            layer = deserialize({"class_name": class_name, "config": layer_spec["config"]},
                                "layers")
        except Exception as e:  # the file's fault: report it with the layer's name
            raise ModelLoadError(f"{path}: layer {name!r} ({class_name}) cannot be created from "
                                 f"its config: {e}") from e
        if getattr(layer, "weights", None):  # defensive: a layer built at creation
            layer.dispose()
