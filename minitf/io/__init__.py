"""Saving and loading models (TF.js ``tf.io``, ``model.save``, ``tf.loadLayersModel``).

Two formats: TF.js's layers-model format (model.json + weights.bin; tfjs_format.py), moved by
handlers (file://, http(s)://, memory; handlers.py) and written crash-safely (atomic.py), and
Keras HDF5 (hdf5.py), chosen for paths ending in ``.h5`` or ``.hdf5``. Loading never runs code
from a file, and every loading problem is a ``ModelLoadError`` that names the file and field.

>>> import minitf as tf
>>> model = tf.sequential(layers=[tf.layers.dense(units=1, input_shape=[2], name='d')])
>>> memory = tf.io.from_memory(None)
>>> result = model.save(memory)
>>> result.model_artifacts_info.weight_data_bytes      # kernel [2, 1] + bias [1], float32
12
>>> tf.load_layers_model(memory).get_layer('d').get_weights()[0].shape
(2, 1)
"""
from __future__ import annotations

import datetime
import os
import re
from typing import Any

from ..serialization import to_snake_keys
from .handlers import (DEFAULT_MAX_BYTES, FileSystemHandler, HTTPHandler, HTTPResponse,
                       IOHandler, MemoryHandler, ModelArtifactsInfo, ModelSaveError, SaveHandler,
                       SaveResult, browser_http_request, from_memory, http,
                       register_load_router, register_save_router, route, with_save_handler)
from .tfjs_format import ModelLoadError, build_model, model_artifacts, model_topology

__all__ = ["save_model", "load_layers_model", "model_topology", "model_artifacts", "http",
           "browser_http_request", "from_memory", "with_save_handler", "register_save_router",
           "register_load_router", "ModelLoadError", "ModelSaveError", "SaveResult",
           "ModelArtifactsInfo", "HTTPResponse", "IOHandler", "FileSystemHandler",
           "HTTPHandler", "MemoryHandler", "SaveHandler", "DEFAULT_MAX_BYTES"]

_H5_SUFFIXES = (".h5", ".hdf5")


def save_model(model: Any, destination: Any, include_optimizer: bool = False) -> Any:
    """Save ``model`` (TF.js ``model.save(handlerOrURL, {includeOptimizer})``).

    ``destination`` is an IO handler, a ``file://`` URL or plain path of a folder (model.json +
    weights.bin), an ``http(s)://`` URL (multipart POST) or a path ending in ``.h5``/``.hdf5``
    (Keras HDF5). Returns the handler's result, normally a SaveResult.
    """
    if isinstance(include_optimizer, dict):  # TF.js: model.save(url, {includeOptimizer: true})
        include_optimizer = bool(to_snake_keys(include_optimizer).get("include_optimizer"))
    h5 = _h5_path(destination)
    if h5 is not None:
        from . import hdf5

        hdf5.save_h5(model, h5, include_optimizer=include_optimizer)
        return SaveResult(ModelArtifactsInfo(datetime.datetime.now(), "HDF5", 0, 0,
                                             os.path.getsize(h5)))
    handler = destination if _is_handler(destination, "save") else \
        route(destination, "save")
    return handler.save(model_artifacts(model, include_optimizer=include_optimizer))


def load_layers_model(source: Any, strict: bool = True, **options: Any) -> Any:
    """Load a model saved in the TF.js layers format or as Keras HDF5 (TF.js
    ``tf.loadLayersModel``).

    ``source`` is an IO handler (``tf.io.http(...)``, ``tf.io.from_memory(...)``), a
    ``file://`` URL or path of model.json or of its folder, an ``http(s)://`` URL of
    model.json, or a ``.h5``/``.hdf5`` path. ``strict=False`` tolerates weights missing from
    the file or unknown to the model. An HDF5 file saved compiled is compiled from its
    training config unless ``compile=False``. ``options`` go to the HTTP handler: ``request_init``,
    ``weight_path_prefix``, ``fetch_func``, ``timeout``, ``max_bytes``,
    ``weight_url_converter``; a TF.js options dict works too:
    ``tf.load_layers_model(url, {'requestInit': {'headers': {...}}, 'strict': False})``.
    Any failure raises ModelLoadError and leaves no tensor or variable behind.
    """
    if isinstance(strict, dict):
        options = {**to_snake_keys(strict), **options}
        strict = options.pop("strict", True)
    options = to_snake_keys(options)
    if _is_handler(source, "load"):
        if options:
            raise TypeError(f"load_layers_model: options {sorted(options)} only apply to URLs; "
                            "give them to the handler instead")
        return _load_with(source, strict)
    h5 = _h5_path(source)
    if h5 is not None:
        compile_ = bool(options.pop("compile", True))
        if options:
            raise TypeError(f"load_layers_model: options {sorted(options)} do not apply to "
                            f"HDF5 files (only 'compile')")
        return _load_h5(h5, strict, compile_)
    try:
        handler = route(source, "load", options)
    except ValueError as e:
        raise ModelLoadError(str(e)) from None
    return _load_with(handler, strict)


def _load_with(handler: Any, strict: bool) -> Any:
    try:
        artifacts = handler.load()
    except ModelLoadError:
        raise
    except Exception as e:
        raise ModelLoadError(f"{_where(handler)}: {type(e).__name__}: {e}") from e
    where = _where(handler)
    if not isinstance(artifacts, dict):
        raise ModelLoadError(f"{where}: load() must return an artifacts dict, got "
                             f"{type(artifacts).__name__}")
    return build_model(to_snake_keys(artifacts), strict, where)


def _where(handler: Any) -> str:
    """What to call the source in messages (a file handler names model.json once it knows)."""
    return str(getattr(handler, "where", None) or type(handler).__name__)


def _load_h5(path: str, strict: bool, compile_: bool = True) -> Any:
    from . import hdf5
    from .tfjs_format import undo_on_error

    with undo_on_error(path):
        return hdf5.load_h5(path, strict=strict, compile=compile_)


def _is_handler(obj: Any, method: str) -> bool:
    return not isinstance(obj, (str, bytes, os.PathLike)) and callable(getattr(obj, method, None))


def _h5_path(target: Any) -> str | None:
    """The file path when ``target`` names a Keras HDF5 file (a path or file:// URL)."""
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    if not isinstance(target, str):
        return None
    path = target[len("file://"):] if target.startswith("file://") else target
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        return None
    return path if path.lower().endswith(_H5_SUFFIXES) else None
