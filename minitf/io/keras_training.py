"""Keras's ``training_config`` (in an HDF5 model file) as the arguments of minitf's ``compile``.

Keras 2 and Keras 3 both store, beside the model, how it was compiled: the loss (a name, or a
serialized loss object ``{'class_name', 'config'}``), the metrics (the same forms), the loss
weights, and the optimizer as ``{'class_name': 'RMSprop', 'config': {...}}`` with Keras's option
names. ``load_h5`` compiles the model from it, as Keras's ``load_model`` does (TF.js does the
same with a model.json's ``trainingConfig``).

Keras has options minitf's optimizers and losses do not (gradient clipping, weight decay, EMA,
AMSGrad, ``from_logits``, label smoothing...). When one is set to anything but its neutral
value the file is refused with an error naming it, rather than compiled into something that
trains differently; ``load_h5(path, compile=False)`` then loads the model uncompiled. The
optimizer's saved state (its slots) is not restored: training resumes with fresh slots.
"""
from __future__ import annotations

from typing import Any

from ..serialization import to_snake_case
from . import ModelLoadError

# Keras optimizer class -> minitf's (TF.js's), and option names that differ.
_OPTIMIZERS = {"RMSprop": "RMSProp", "Adam": "Adam", "SGD": "SGD", "Adagrad": "Adagrad",
               "Adadelta": "Adadelta", "Adamax": "Adamax"}
_RENAMED = {"beta_1": "beta1", "beta_2": "beta2", "nesterov": "use_nesterov"}
_KEPT = {"RMSProp": {"learning_rate", "rho", "momentum", "epsilon", "centered"},
         "Adam": {"learning_rate", "beta_1", "beta_2", "epsilon"},
         "SGD": {"learning_rate", "momentum", "nesterov"},
         "Adagrad": {"learning_rate", "initial_accumulator_value"},
         "Adadelta": {"learning_rate", "rho", "epsilon"},
         "Adamax": {"learning_rate", "beta_1", "beta_2", "epsilon"}}
# Keras options with no minitf counterpart, and the values that mean "not used".
_NEUTRAL: dict[str, tuple[Any, ...]] = {
    "weight_decay": (None, 0, 0.0), "clipnorm": (None,), "clipvalue": (None,),
    "global_clipnorm": (None,), "use_ema": (False,), "loss_scale_factor": (None,),
    "gradient_accumulation_steps": (None, 1), "amsgrad": (False,), "decay": (0, 0.0),
    "ema_momentum": None, "ema_overwrite_frequency": None, "name": None, "jit_compile": None,
    "is_legacy_optimizer": None}  # None: ignored whatever its value
# Options of serialized loss and metric objects, and their neutral values.
_NEUTRAL_LOSS: dict[str, tuple[Any, ...] | None] = {
    "from_logits": (False,), "label_smoothing": (0, 0.0), "axis": (-1,), "ignore_class": (None,),
    "reduction": ("auto", "sum_over_batch_size"), "name": None, "dtype": None}


def compile_args(config: dict[str, Any], path: str) -> dict[str, Any]:
    """``compile`` keyword arguments from a Keras ``training_config``; raises ModelLoadError
    naming any setting minitf cannot reproduce."""
    where = f"{path}: training_config"
    if config.get("weighted_metrics"):
        raise ModelLoadError(f"{where}: weighted_metrics are not supported; load with "
                             "compile=False and compile the model yourself")
    if "optimizer_config" not in config or "loss" not in config:
        raise ModelLoadError(f"{where}: needs 'optimizer_config' and 'loss', has "
                             f"{sorted(config)}")
    metrics = config.get("metrics")
    return {"optimizer": _optimizer(config["optimizer_config"], where),
            "loss": _names(config["loss"], f"{where}: loss"),
            "metrics": _names(metrics, f"{where}: metrics") if metrics else None,
            "loss_weights": config.get("loss_weights")}


def _optimizer(spec: Any, where: str) -> dict[str, Any]:
    """A minitf optimizer config ``{'class_name', 'config'}`` from Keras's."""
    if not isinstance(spec, dict) or "class_name" not in spec:
        raise ModelLoadError(f"{where}: optimizer_config must be {{'class_name', 'config'}}, "
                             f"got {str(spec)[:200]}")
    keras_name = str(spec["class_name"]).removeprefix("Custom>")  # tf.keras 2.11-2.15
    name = _OPTIMIZERS.get(keras_name)
    if name is None:
        raise ModelLoadError(f"{where}: optimizer {keras_name!r} has no minitf counterpart "
                             f"(known: {', '.join(_OPTIMIZERS)}); load with compile=False")
    config = dict(spec.get("config") or {})
    if "lr" in config and "learning_rate" not in config:  # Keras 2's old spelling
        config["learning_rate"] = config.pop("lr")
    options: dict[str, Any] = {}
    for key, value in config.items():
        if key in _KEPT[name]:
            options[_RENAMED.get(key, key)] = value
        elif key in _NEUTRAL:
            neutral = _NEUTRAL[key]
            if neutral is not None and value not in neutral:
                raise ModelLoadError(f"{where}: {keras_name} option {key}={value!r} has no "
                                     "minitf counterpart; load with compile=False and compile "
                                     "the model yourself")
        else:
            raise ModelLoadError(f"{where}: unknown {keras_name} option {key!r}")
    if name == "RMSProp" and "rho" in options:
        options["decay"] = options.pop("rho")  # TF.js calls RMSProp's rho "decay"
    if name == "SGD":
        if options.get("momentum"):
            name = "Momentum"
        else:  # plain SGD: Nesterov without momentum is plain SGD too
            options.pop("momentum", None)
            options.pop("use_nesterov", None)
    return {"class_name": name, "config": options}


def _names(spec: Any, where: str) -> Any:
    """Loss or metric names in the same nesting (lists, dicts) as Keras stored them; a
    serialized object becomes its snake_case class name, when its options are neutral."""
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return [_names(s, where) for s in spec]
    if isinstance(spec, dict) and "class_name" in spec:
        for key, value in (spec.get("config") or {}).items():
            neutral = _NEUTRAL_LOSS.get(key, ())
            if neutral is not None and value not in neutral:
                raise ModelLoadError(f"{where}: {spec['class_name']} option {key}={value!r} is "
                                     "not supported; load with compile=False")
        return to_snake_case(str(spec["class_name"]))
    if isinstance(spec, dict):
        return {k: _names(v, f"{where}[{k!r}]") for k, v in spec.items()}
    raise ModelLoadError(f"{where}: expected a name or a serialized object, got {spec!r}")
