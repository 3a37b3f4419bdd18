"""Saving and loading models: the TF.js layers-model format over file://, http(s):// and memory,
and Keras HDF5 (filled in by issue 4/7)."""
from __future__ import annotations

from typing import Any


def save_model(model: Any, destination: Any, include_optimizer: bool = False) -> Any:
    """Save ``model`` to ``destination`` (see ``GraphModel.save``)."""
    raise NotImplementedError("saving models arrives with issue 4/7")


def load_layers_model(source: Any, strict: bool = True, **options: Any) -> Any:
    """Load a model saved in the TF.js layers format or as Keras HDF5."""
    raise NotImplementedError("loading models arrives with issue 4/7")


def model_topology(model: Any) -> dict[str, Any]:
    """``{'class_name', 'config', 'keras_version', 'backend'}`` as TF.js writes it."""
    raise NotImplementedError("model topology JSON arrives with issue 4/7")
