"""A loaded model can go on training: compile is restored from the training config and, with
include_optimizer, the optimizer state too, so training continues exactly as if never saved."""
from __future__ import annotations

import json
from typing import Any, Callable

import numpy as np
import pytest

import io_zoo
import minitf as tf
from minitf.io import ModelLoadError

OPTIMIZERS: dict[str, Callable[[], Any]] = {
    "sgd": lambda: tf.train.sgd(0.1),
    "momentum": lambda: tf.train.momentum(0.05, 0.9, use_nesterov=True),
    "rmsprop": lambda: tf.train.rmsprop(0.01, momentum=0.5),
    "adam": lambda: tf.train.adam(0.02),
    "adamax": lambda: tf.train.adamax(0.02, decay=0.01),
    "adagrad": lambda: tf.train.adagrad(0.1),
    "adadelta": lambda: tf.train.adadelta(1.0),
}


def _model(optimizer: Any) -> Any:
    model = tf.sequential(layers=[tf.layers.dense(units=5, activation="tanh", input_shape=[4]),
                                  tf.layers.batch_normalization(),
                                  tf.layers.dense(units=3, activation="softmax")])
    io_zoo.set_weights(model)
    model.compile(optimizer=optimizer, loss="categoricalCrossentropy", metrics=["accuracy"])
    return model


def _data() -> tuple[np.ndarray, np.ndarray]:
    x = np.sin(np.arange(48, dtype=np.float32) * 0.7).reshape(12, 4)
    y = np.eye(3, dtype=np.float32)[np.arange(12) % 3]
    return x, y


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_continues_exactly(name: str, tmp_path: Any, no_leaks: None) -> None:
    x, y = _data()
    model = _model(OPTIMIZERS[name]())
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    model.save(f"file://{tmp_path}", include_optimizer=True)
    loaded = tf.load_layers_model(f"file://{tmp_path}")
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 6
    uninterrupted = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    resumed = loaded.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert resumed.history == uninterrupted.history
    for a, b in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(b.numpy(), a.numpy())
    model.dispose()
    loaded.dispose()


def test_training_config_is_tfjs_shaped(tmp_path: Any) -> None:
    model = _model("adam")
    model.save(str(tmp_path), include_optimizer=True)
    doc = json.loads((tmp_path / "model.json").read_text())
    assert list(doc)[-1] == "trainingConfig"
    assert doc["trainingConfig"] == {
        "loss": "categorical_crossentropy", "metrics": ["accuracy"],
        "optimizer_config": {"class_name": "Adam",
                             "config": {"learningRate": 0.001, "beta1": 0.9, "beta2": 0.999,
                                        "epsilon": 1e-07}}}
    specs = doc["weightsManifest"][0]["weights"]
    assert [s["name"] for s in specs if s.get("group") == "optimizer"] == ["iter"]
    assert specs[-1] == {"name": "iter", "shape": [], "dtype": "int32", "group": "optimizer"}
    model.dispose()


def test_without_include_optimizer_nothing_is_compiled(tmp_path: Any) -> None:
    model = _model("sgd")  # as in TF.js: the training config goes with includeOptimizer only
    model.save(str(tmp_path))
    assert "trainingConfig" not in json.loads((tmp_path / "model.json").read_text())
    loaded = tf.load_layers_model(str(tmp_path))
    assert loaded.compiled is None and loaded.optimizer is None
    model.dispose()
    loaded.dispose()


def test_losses_metrics_and_loss_weights_per_output(no_leaks: None) -> None:
    model = io_zoo.zoo_model("multi_io")
    model.compile(optimizer=tf.train.rmsprop(0.01),
                  loss={"class_out": "categoricalCrossentropy", "value_out": tf.losses.mse},
                  metrics={"class_out": ["accuracy"], "value_out": ["mae"]},
                  loss_weights=[1.0, 0.5])
    memory = tf.io.from_memory(None)
    model.save(memory, include_optimizer=True)
    config = memory.artifacts["training_config"]
    assert config["loss"] == {"class_out": "categorical_crossentropy",
                              "value_out": "mean_squared_error"}
    assert config["metrics"] == {"class_out": ["accuracy"], "value_out": ["mae"]}
    assert config["loss_weights"] == [1.0, 0.5]
    loaded = tf.load_layers_model(memory)
    assert loaded.compiled.log_names == model.compiled.log_names
    assert loaded.compiled.loss_weights == [1.0, 0.5]
    xs = io_zoo.inputs_for(model, batch=4)
    ys = [np.eye(2, dtype=np.float32)[[0, 1, 1, 0]], np.ones((4, 1), np.float32)]
    want, got = model.evaluate(xs, ys), loaded.evaluate(xs, ys)
    assert [t.item() for t in got] == [t.item() for t in want]
    tf.dispose(want + got)
    model.dispose()
    loaded.dispose()


def test_unnamed_loss_cannot_be_saved_with_the_optimizer() -> None:
    model = io_zoo.zoo_model("mlp")
    model.compile(optimizer="sgd", loss=lambda y, p: tf.mean(tf.square(y - p), -1))
    with pytest.raises(ValueError, match="Serialization of non-string loss"):
        model.save(tf.io.from_memory(None), include_optimizer=True)
    model.save(tf.io.from_memory(None))  # fine without the training config
    model.dispose()


def test_tfjs_only_refuses_what_it_cannot_restore(no_leaks: None) -> None:
    model = _model("adam")
    memory = tf.io.from_memory(None)
    model.save(memory, include_optimizer=True)
    for key, value, match in [("sample_weight_mode", "temporal", "not supported"),
                              ("optimizer_config", {"class_name": "Nadam", "config": {}},
                               "Nadam"),
                              ("loss", "no_such_loss", "Unknown loss")]:
        artifacts = {**memory.artifacts,
                     "training_config": {**memory.artifacts["training_config"], key: value}}
        with pytest.raises(ModelLoadError, match=match):
            tf.load_layers_model(tf.io.from_memory(artifacts))
    model.dispose()


def test_optimizer_state_of_another_model_is_refused(no_leaks: None) -> None:
    x, y = _data()
    model = _model(tf.train.adam(0.01))
    model.fit(x, y, batch_size=12, epochs=1, verbose=0)
    memory = tf.io.from_memory(None)
    model.save(memory, include_optimizer=True)
    specs = [dict(s) for s in memory.artifacts["weight_specs"]]
    slot = next(s for s in specs if s["name"].endswith("/m"))
    slot["name"] = "somebody_else/kernel/m"
    artifacts = {**memory.artifacts, "weight_specs": specs}
    with pytest.raises(ModelLoadError, match="somebody_else/kernel/m"):
        tf.load_layers_model(tf.io.from_memory(artifacts))
    with pytest.warns(UserWarning, match="optimizer state not restored"):
        loaded = tf.load_layers_model(tf.io.from_memory(artifacts), strict=False)
    assert loaded.optimizer.class_name == "Adam"
    model.dispose()
    loaded.dispose()
