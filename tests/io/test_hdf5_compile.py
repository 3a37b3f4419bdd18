"""``load_h5`` compiles a model saved compiled: Keras 3 files written by
``tests/fixtures/keras/generate_compiled.py``, minitf's own files for every optimizer, and
Keras 2 style configs; settings minitf cannot reproduce are refused by name."""
from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

import minitf as tf
from minitf.io import ModelLoadError
from minitf.io.hdf5 import load_h5, save_h5
from minitf.io.keras_training import compile_args
from minitf.tensor import live_variables

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, f"{name}.h5")


def _trains(model: Any, units: int) -> None:
    """One optimizer step and an evaluation run, so the compiled model really works."""
    x = np.linspace(-1, 1, 8 * 4, dtype=np.float32).reshape(8, 4)
    y = np.eye(units, dtype=np.float32)[np.arange(8) % units] if units > 1 else x[:, :1]
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    model.evaluate(x, y, batch_size=8)


def test_keras_rmsprop_with_names() -> None:
    model = load_h5(fixture("compiled_rmsprop"))
    config = model.optimizer.get_config()
    assert model.optimizer.get_class_name() == "RMSProp"
    assert config["learning_rate"] == pytest.approx(0.002) and config["decay"] == 0.8
    assert model.compiled.loss_specs in ("categorical_crossentropy", ["categorical_crossentropy"])
    _trains(model, 3)
    model.dispose()


def test_keras_adam_with_loss_and_metric_objects() -> None:
    model = load_h5(fixture("compiled_adam_objects"))
    assert model.optimizer.get_class_name() == "Adam"
    assert model.optimizer.beta1 == pytest.approx(0.8)
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    _trains(model, 3)
    model.dispose()


def test_keras_sgd_with_nesterov_momentum() -> None:
    model = load_h5(fixture("compiled_momentum"))
    assert model.optimizer.get_class_name() == "Momentum"
    assert model.optimizer.momentum == pytest.approx(0.9) and model.optimizer.use_nesterov
    _trains(model, 1)
    model.dispose()


@pytest.mark.parametrize("name, option", [("compiled_clipnorm", "clipnorm=1.0"),
                                          ("compiled_from_logits", "from_logits=True")])
def test_settings_minitf_cannot_reproduce_are_refused(name: str, option: str) -> None:
    before = len(live_variables())
    with pytest.raises(ModelLoadError, match=f"{option}.*compile=False"):
        load_h5(fixture(name))
    assert len(live_variables()) == before  # nothing half-built
    model = load_h5(fixture(name), compile=False)
    assert getattr(model, "optimizer", None) is None
    model.dispose()
    model = tf.load_layers_model(fixture(name), compile=False)
    model.dispose()


@pytest.mark.parametrize("optimizer", [
    lambda: tf.train.sgd(0.1), lambda: tf.train.momentum(0.1, 0.8, True),
    lambda: tf.train.rmsprop(0.01, 0.8, 0.1, 1e-6), lambda: tf.train.adam(0.01, 0.8, 0.9),
    lambda: tf.train.adagrad(0.1, 0.2), lambda: tf.train.adadelta(0.1, 0.9),
    lambda: tf.train.adamax(0.01, 0.8, 0.9)])
def test_minitf_files_come_back_compiled_alike(optimizer: Any, tmp_path: Any) -> None:
    model = tf.sequential({"layers": [tf.layers.dense({"units": 3, "inputShape": [4],
                                                       "activation": "softmax"})]})
    model.compile(optimizer=optimizer(), loss="categoricalCrossentropy", metrics=["accuracy"])
    path = str(tmp_path / "m.h5")
    save_h5(model, path, include_optimizer=True)
    loaded = load_h5(path)
    assert loaded.optimizer.get_class_name() == model.optimizer.get_class_name()
    assert loaded.optimizer.get_config() == pytest.approx(model.optimizer.get_config())
    _trains(loaded, 3)
    loaded.dispose()
    model.dispose()


def test_keras2_style_configs() -> None:
    config = {"loss": {"out": "mean_squared_error"}, "metrics": [["mae"]], "loss_weights": None,
              "optimizer_config": {"class_name": "Custom>Adam", "config": {
                  "name": "Adam", "lr": 0.01, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.99,
                  "epsilon": 1e-07, "amsgrad": False, "is_legacy_optimizer": False}}}
    args = compile_args(config, "f.h5")
    assert args["optimizer"] == {"class_name": "Adam", "config": {
        "learning_rate": 0.01, "beta1": 0.9, "beta2": 0.99, "epsilon": 1e-07}}
    assert args["loss"] == {"out": "mean_squared_error"} and args["metrics"] == [["mae"]]
    config["optimizer_config"]["config"]["decay"] = 0.1
    with pytest.raises(ModelLoadError, match="decay=0.1"):
        compile_args(config, "f.h5")
    with pytest.raises(ModelLoadError, match="'Nadam' has no minitf counterpart"):
        compile_args({**config, "optimizer_config": {"class_name": "Nadam", "config": {}}}, "f.h5")
    with pytest.raises(ModelLoadError, match="weighted_metrics"):
        compile_args({**config, "weighted_metrics": ["mae"]}, "f.h5")
