"""What crosses between the parent and a worker: models as TF.js files, data as NumPy arrays.

A pool sends a task as the function (by reference: module and name) and its arguments, and
gets back the function's value. The executor pickles that message (multiprocessing or Dask do),
so everything in it must be plain: Python numbers, strings, lists, dicts, tuples, NumPy arrays
and :class:`WireModel`. Engine objects are never pickled. :func:`to_wire` converts them on the
way out and :func:`from_wire` rebuilds them on the way in:

================  ==============================================================================
minitf object     on the wire
================  ==============================================================================
a model           ``WireModel(model_json, weights)``: the bytes of the ``model.json`` and the
                  ``weights.bin`` that ``model.save('file://dir', include_optimizer=True)``
                  writes (TF.js's layers-model format). ``model.json`` holds the topology, the
                  weight manifest and, for a compiled model, ``trainingConfig``: the optimizer's
                  class and config, the loss and metric names. The optimizer's state follows
                  the weights in ``weights.bin``, so a model continues training where it stopped
a Tensor          ``tensor.numpy()``: a NumPy array (it comes back as an array, not a Tensor)
a layer alone     refused: put it in a model
a tf.data         refused: a Dataset is a recipe of Python functions; send a top-level function
Dataset           that builds it, and the worker calls it
================  ==============================================================================

The conversion looks into lists, tuples and dict values, so ``(model, history)`` or
``{'xs': tensor, 'ys': tensor}`` cross too.

>>> import minitf as tf
>>> model = tf.sequential(layers=[tf.layers.dense(units=1, input_shape=[2], name='w')])
>>> message = to_wire((model, tf.tensor([1.0, 2.0])))
>>> type(message[0]).__name__, len(message[0].weights), message[1].tolist()
('WireModel', 12, [1.0, 2.0])
>>> from_wire(message)[0].get_layer('w').get_weights()[0].shape
(2, 1)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .. import io
from ..io import tfjs_format
from ..ops import random as random_ops
from ..tensor import Tensor

FORMAT = "minitf-wire/1"  # bumped whenever what crosses changes
WEIGHTS_PATH = "weights.bin"


@dataclass(frozen=True)
class WireModel:
    """A model on the wire: the two files of a TF.js layers-model folder, as bytes."""

    model_json: bytes
    weights: bytes
    format: str = FORMAT

    def __repr__(self) -> str:
        name = json.loads(self.model_json)["modelTopology"]["config"].get("name", "?")
        return f"WireModel({name!r}, {len(self.model_json)} + {len(self.weights)} bytes)"


def model_to_wire(model: Any) -> WireModel:
    """``model`` as TF.js artifacts, through ``model.save(tf.io.with_save_handler(...))``.

    A compiled model takes its training config and optimizer state along. Its loss and metrics
    must then have names (a loss given as a Python function has none): a loader finds them by
    name. Send a builder function instead when they have not.
    """
    saved: dict[str, Any] = {}
    try:
        model.save(io.with_save_handler(saved.update), include_optimizer=True)
    except ValueError as e:
        raise TypeError(f"tf.parallel: model {model.name!r} cannot cross to a worker: {e}. "
                        "Send a top-level function that builds and compiles it instead") from e
    model_json = tfjs_format.dumps(tfjs_format.model_json(saved, [WEIGHTS_PATH]))
    return WireModel(model_json, bytes(saved["weight_data"]))


def model_from_wire(message: WireModel) -> Any:
    """The model in ``message``, through ``tf.load_layers_model(tf.io.from_memory(...))``.

    Building a model draws its initial weights from the global generator before the sent
    weights replace them; the generator is put back afterwards, so receiving a model does
    not change which random numbers the code around it sees.
    """
    if message.format != FORMAT:
        raise ValueError(f"tf.parallel: a {message.format!r} message cannot be read by this "
                         f"minitf, which speaks {FORMAT!r}; use the same minitf everywhere")
    artifacts, _ = tfjs_format.read_model_json(message.model_json, "tf.parallel message")
    artifacts["weight_data"] = message.weights
    rng = random_ops._global["rng"]
    state = rng.bit_generator.state
    try:
        return io.load_layers_model(io.from_memory(artifacts))
    finally:
        random_ops._global["rng"] = rng
        rng.bit_generator.state = state


def to_wire(value: Any, sent: list[Any] | None = None) -> Any:
    """``value`` with every model, Tensor and Dataset replaced by what crosses (see the table);
    the models are appended to ``sent`` when given (a worker frees them afterwards)."""
    from ..data.dataset import Dataset
    from ..layers.base import Layer
    from ..models.graph import GraphModel

    if isinstance(value, GraphModel):
        if sent is not None:
            sent.append(value)
        return model_to_wire(value)
    if isinstance(value, Tensor):
        return value.numpy()
    if isinstance(value, Layer):
        raise TypeError(f"tf.parallel: the layer {value.name!r} cannot cross to a worker on "
                        "its own; put it in a model (tf.sequential or tf.model)")
    if isinstance(value, Dataset):
        raise TypeError("tf.parallel: a tf.data Dataset is a recipe of Python functions and "
                        "cannot cross to a worker; send a top-level function that builds it "
                        "(the worker calls it), or the arrays themselves")
    if isinstance(value, (list, tuple)):
        items = [to_wire(item, sent) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {key: to_wire(item, sent) for key, item in value.items()}
    return value


def from_wire(value: Any, made: list[Any] | None = None) -> Any:
    """``value`` with every :class:`WireModel` loaded back into a model (appended to
    ``made`` when given, so that a worker can free them after the task)."""
    if isinstance(value, WireModel):
        model = model_from_wire(value)
        if made is not None:
            made.append(model)
        return model
    if isinstance(value, (list, tuple)):
        items = [from_wire(item, made) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {key: from_wire(item, made) for key, item in value.items()}
    return value
