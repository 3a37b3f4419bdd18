"""What crosses to a worker (minitf/parallel/wire.py), checked in one process: TF.js files for
models, arrays for tensors, and nothing of the engine in the pickled message."""
from __future__ import annotations

import json
import pickle
import pickletools

import numpy as np
import pytest

import minitf as tf
import parallel_tasks as tasks
from minitf.parallel import wire


def _pickled_globals(value: object) -> set[str]:
    """The classes and functions a pickle would import to rebuild ``value``."""
    found, strings = set(), []
    for opcode, arg, _ in pickletools.genops(pickle.dumps(value)):
        if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif opcode.name == "STACK_GLOBAL":
            found.add(".".join(strings[-2:]))
        elif opcode.name == "GLOBAL":
            found.add(arg.replace(" ", "."))
    return found


def test_a_model_crosses_as_its_tfjs_files_with_its_training_config() -> None:
    tf.set_seed(0)
    model = tasks.build_classifier(0.01, "adam")
    x, y = tasks.make_data(32)
    model.fit(x, y, epochs=1, verbose=0)  # so that Adam has state to carry
    message = wire.model_to_wire(model)
    manifest = json.loads(message.model_json)
    assert manifest["format"] == "layers-model"
    assert manifest["weightsManifest"][0]["paths"] == ["weights.bin"]
    config = manifest["trainingConfig"]
    assert config["optimizer_config"]["class_name"] == "Adam"
    assert config["loss"] == "categorical_crossentropy" and config["metrics"] == ["accuracy"]
    groups = {spec.get("group") for spec in manifest["weightsManifest"][0]["weights"]}
    assert groups == {None, "optimizer"}
    copy = wire.model_from_wire(message)
    for a, b in zip(copy.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    tf.set_seed(1)
    copy.fit(x, y, epochs=1, verbose=0)
    tf.set_seed(1)
    model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(copy.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    model.dispose()
    copy.dispose()


def test_what_is_pickled_holds_nothing_of_the_engine() -> None:
    model = tasks.build_classifier()
    args = (model, {"xs": tf.tensor([[1.0]]), "ys": np.zeros(1)}, [tf.scalar(2.0)])
    imported = _pickled_globals(wire.to_wire(args))
    assert {name for name in imported if name.startswith("minitf")} == \
        {"minitf.parallel.wire.WireModel"}
    back = wire.from_wire(wire.to_wire(args))
    assert isinstance(back[0], tf.LayersModel) and isinstance(back[1]["xs"], np.ndarray)
    assert back[2][0].tolist() == 2.0
    back[0].dispose()
    model.dispose()


def _message() -> wire.WireModel:
    model = tasks.build_classifier()
    message = wire.model_to_wire(model)
    model.dispose()
    return message


def test_receiving_a_model_leaves_the_global_generator_alone() -> None:
    message = _message()
    tf.set_seed(7)
    expected = tf.random_normal([3]).numpy()
    tf.set_seed(7)
    wire.model_from_wire(message).dispose()
    np.testing.assert_array_equal(tf.random_normal([3]).numpy(), expected)


def test_a_message_from_another_version_is_refused() -> None:
    message = _message()
    old = wire.WireModel(message.model_json, message.weights, format="minitf-wire/0")
    with pytest.raises(ValueError, match="minitf-wire/0"):
        wire.model_from_wire(old)
    assert "WireModel('sequential" in repr(message)
