"""Class registry and config conversion: how layers, initializers, regularizers, constraints and
optimizers become JSON-able configs and come back.

Python code uses snake_case keywords; TF.js configs use camelCase in JavaScript and snake_case
in saved JSON. ``to_snake_keys`` accepts either, so ``tf.layers.conv2d({'kernelSize': 3})`` and
``tf.layers.conv2d(kernel_size=3)`` are the same call. Classes register themselves with
``@register_class`` where they are defined (no central list), and ``deserialize`` builds an
object from ``{'class_name': ..., 'config': {...}}`` without ever running code from the config.
"""
from __future__ import annotations

import re
from typing import Any, Callable, TypeVar

T = TypeVar("T", bound=type)

_registry: dict[str, dict[str, type]] = {}


def to_snake_case(name: str) -> str:
    """``kernelSize`` -> ``kernel_size``, ``Conv2D`` -> ``conv2d`` (TF.js's toSnakeCase rule)."""
    step = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", step).lower()


def to_camel_case(name: str) -> str:
    """``kernel_size`` -> ``kernelSize``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_snake_keys(config: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` with camelCase keys turned into snake_case (values untouched)."""
    return {to_snake_case(k) if isinstance(k, str) else k: v for k, v in config.items()}


def merge_config(config: Any, kwargs: dict[str, Any], where: str) -> dict[str, Any]:
    """Keyword arguments plus an optional TF.js-style config dict given positionally.

    ``f({'units': 3})``, ``f(units=3)`` and ``f({'units': 3}, name='d')`` all give
    ``{'units': 3, ...}``; a key given both ways is an error.
    """
    if config is None:
        return dict(kwargs)
    if not isinstance(config, dict):
        raise TypeError(f"{where}: expected a config dict or keyword arguments, got "
                        f"{type(config).__name__}")
    merged = to_snake_keys(config)
    clash = sorted(set(merged) & set(kwargs))
    if clash:
        raise TypeError(f"{where}: {clash} given both in the config dict and as keywords")
    merged.update(kwargs)
    return merged


def register_class(cls: T | None = None, *, package: str = "layers",
                   name: str | None = None) -> Any:
    """Register ``cls`` for deserialization under ``name`` (its class name by default).

    Used as ``@register_class`` or ``@register_class(package="initializers")``. User classes
    registered here save and load like built-in ones (TF.js ``tf.serialization.registerClass``).
    """
    def deco(klass: T) -> T:
        key = name or getattr(klass, "class_name", None) or klass.__name__
        _registry.setdefault(package, {})[key] = klass
        return klass

    return deco(cls) if cls is not None else deco


def get_registered(class_name: str, package: str = "layers") -> type:
    """The class registered as ``class_name`` in ``package``; a clear error if unknown."""
    try:
        return _registry[package][class_name]
    except KeyError:
        known = ", ".join(sorted(_registry.get(package, {})))
        raise ValueError(f"unknown {package} class {class_name!r}; registered: {known}. "
                         "Register custom classes with tf.serialization.register_class.") from None


def serialize(obj: Any) -> dict[str, Any] | None:
    """``{'class_name': ..., 'config': obj.get_config()}``, or None for None."""
    if obj is None:
        return None
    return {"class_name": getattr(obj, "class_name", type(obj).__name__),
            "config": obj.get_config()}


def deserialize(spec: Any, package: str, by_name: Callable[[str], Any] | None = None) -> Any:
    """Build an object from ``{'class_name', 'config'}``; strings go through ``by_name``."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if by_name is None:
            raise ValueError(f"{package}: a name ({spec!r}) is not accepted here")
        return by_name(spec)
    if not isinstance(spec, dict) or "class_name" not in spec:
        return spec  # already an object
    cls = get_registered(spec["class_name"], package)
    return cls.from_config(to_snake_keys(spec.get("config") or {}))
