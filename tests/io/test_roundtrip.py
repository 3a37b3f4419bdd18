"""Save then load gives the same model: every layer type, Sequential and functional, nested and
multi-output models, through file://, plain paths and memory; the files are tfjs-node's."""
from __future__ import annotations

import json
import os
import pathlib
from typing import Any

import numpy as np
import pytest

import io_zoo
import minitf as tf
from minitf.io.tfjs_format import BACKEND, KERAS_VERSION

MULTI_INPUT = {name for name, (_, _, shapes) in io_zoo.RECIPES.items() if len(shapes) > 1}
LAYER_CASES = [(name, seq) for name in io_zoo.layer_types() for seq in (True, False)
               if not (seq and name in MULTI_INPUT)]


def _same_model(a: Any, b: Any) -> None:
    assert b.class_name == a.class_name and b.name == a.name
    assert [w.original_name for w in b.weights] == [w.original_name for w in a.weights]
    assert [layer.name for layer in b.layers] == [layer.name for layer in a.layers]
    xs = io_zoo.inputs_for(a)
    for want, got in zip(io_zoo.predict(a, xs), io_zoo.predict(b, xs)):
        np.testing.assert_array_equal(got, want)


def _dispose(*models: Any) -> None:
    for model in models:
        model.dispose()


def test_every_layer_type_has_a_recipe() -> None:
    registered = set(io_zoo.layer_types())
    assert registered == set(io_zoo.RECIPES) | set(io_zoo.CELL_RECIPES)


@pytest.mark.parametrize("name,sequential", LAYER_CASES,
                         ids=[f"{n}-{'seq' if s else 'fn'}" for n, s in LAYER_CASES])
def test_layer_round_trip_through_files(name: str, sequential: bool, tmp_path: Any,
                                        no_leaks: None) -> None:
    model = io_zoo.layer_model(name, sequential)
    model.save(f"file://{tmp_path}")
    loaded = tf.load_layers_model(f"file://{tmp_path}/model.json")
    _same_model(model, loaded)
    loaded.save(tmp_path / "again")  # a loaded model saves the same file again
    again = json.loads((tmp_path / "again" / "model.json").read_text())
    assert again["modelTopology"] == json.loads(loaded.to_json())
    assert (tmp_path / "again" / "weights.bin").read_bytes() == \
        (tmp_path / "weights.bin").read_bytes()
    _dispose(model, loaded)


@pytest.mark.parametrize("name", sorted(io_zoo.ZOO))
def test_composite_models_round_trip(name: str, tmp_path: Any, no_leaks: None) -> None:
    model = io_zoo.zoo_model(name)
    model.save(str(tmp_path / "m"))  # a plain path works like file://
    for source in (str(tmp_path / "m"), tmp_path / "m" / "model.json",
                   f"file://{tmp_path}/m"):  # the folder: a minitf convenience over TF.js
        loaded = tf.load_layers_model(source)
        _same_model(model, loaded)
        loaded.dispose()
    memory = tf.io.from_memory(None)
    model.save(memory)
    loaded = tf.load_layers_model(memory)
    _same_model(model, loaded)
    _dispose(model, loaded)


def test_files_are_what_tfjs_node_writes(tmp_path: Any) -> None:
    model = io_zoo.zoo_model("mlp")
    result = model.save(f"file://{tmp_path}")
    assert sorted(os.listdir(tmp_path)) == ["model.json", "weights.bin"]
    raw = (tmp_path / "model.json").read_text()
    doc = json.loads(raw)
    assert list(doc) == ["modelTopology", "weightsManifest", "format", "generatedBy",
                         "convertedBy"]
    assert raw == json.dumps(doc, separators=(",", ":"))  # JSON.stringify's compact form
    topology = doc["modelTopology"]
    assert list(topology) == ["class_name", "config", "keras_version", "backend"]
    assert (topology["keras_version"], topology["backend"]) == (KERAS_VERSION, BACKEND)
    assert doc["format"] == "layers-model" and doc["convertedBy"] is None
    assert doc["generatedBy"] == f"minitf v{tf.__version__}"
    [group] = doc["weightsManifest"]
    assert group["paths"] == ["weights.bin"]
    # trainable weights first, then BatchNormalization's moving statistics
    names = [w["name"] for w in group["weights"]]
    assert names == [w.original_name for w in model.weights]
    assert names[-2:] == [f"{model.layers[1].name}/moving_mean",
                          f"{model.layers[1].name}/moving_variance"]
    data = (tmp_path / "weights.bin").read_bytes()
    expected = b"".join(w.numpy().astype("<f4").tobytes() for w in model.weights)
    assert data == expected
    info = result.model_artifacts_info
    assert info.model_topology_type == "JSON" and result["modelArtifactsInfo"] is info
    assert info.weight_data_bytes == len(data)
    assert info.model_topology_bytes == len(json.dumps(topology, separators=(",", ":")))
    assert info.weight_specs_bytes == len(json.dumps(group["weights"], separators=(",", ":")))
    model.dispose()


def test_to_json_is_the_saved_topology(tmp_path: Any) -> None:
    model = io_zoo.zoo_model("nested")
    model.save(str(tmp_path))
    saved = json.loads((tmp_path / "model.json").read_text())["modelTopology"]
    assert json.loads(model.to_json()) == saved
    assert tf.io.model_topology(model) == saved
    model.dispose()


def test_saving_writes_original_names_not_live_ones(tmp_path: Any, no_leaks: None) -> None:
    model = io_zoo.zoo_model("mlp")
    twin = tf.load_layers_model(tf.io.from_memory(tf.io.model_artifacts(model)))
    # the twin lives beside the original, so its variables got _1 suffixes
    assert twin.weights[0].name == model.weights[0].name + "_1"
    twin.save(str(tmp_path))
    doc = json.loads((tmp_path / "model.json").read_text())
    assert [w["name"] for w in doc["weightsManifest"][0]["weights"]] == \
        [w.original_name for w in model.weights]
    _dispose(model, twin)


def test_save_over_an_existing_model_and_to_a_new_nested_folder(tmp_path: Any) -> None:
    first, second = io_zoo.zoo_model("mlp"), io_zoo.zoo_model("conv1d")
    target = tmp_path / "a" / "b"
    first.save(target)
    second.save(target)
    assert sorted(os.listdir(target)) == ["model.json", "weights.bin"]
    loaded = tf.load_layers_model(target)
    _same_model(second, loaded)
    _dispose(first, second, loaded)


def test_save_to_a_file_or_to_model_json_is_refused(tmp_path: Any) -> None:
    model = io_zoo.zoo_model("mlp")
    (tmp_path / "taken").write_text("x")
    with pytest.raises(FileExistsError, match="exists as a file"):
        model.save(str(tmp_path / "taken"))
    with pytest.raises(ValueError, match="save to a folder"):
        model.save(str(tmp_path / "model.json"))
    with pytest.raises(ValueError, match="Cannot find any save handlers"):
        model.save("localstorage://my-model")
    model.dispose()


def test_with_save_handler_receives_the_artifacts(no_leaks: None) -> None:
    model = io_zoo.zoo_model("multi_io")
    seen: dict[str, Any] = {}
    out = model.save(tf.io.with_save_handler(lambda artifacts: seen.update(artifacts) or "ok"))
    assert out == "ok"
    assert set(seen) == {"model_topology", "format", "generated_by", "converted_by",
                         "weight_specs", "weight_data"}
    assert isinstance(seen["weight_data"], bytes)
    assert seen["weight_specs"][0] == {"name": "shared/kernel", "shape": [4, 5],
                                       "dtype": "float32"}
    # the artifacts load back through from_memory, in both the dict and the TF.js split form
    for handler in (tf.io.from_memory(seen),
                    tf.io.from_memory(seen["model_topology"], seen["weight_specs"],
                                      seen["weight_data"])):
        loaded = tf.load_layers_model(handler)
        _same_model(model, loaded)
        loaded.dispose()
    result = model.save(tf.io.with_save_handler(lambda artifacts: None))
    assert result.model_artifacts_info.weight_data_bytes == len(seen["weight_data"])
    model.dispose()


def test_tfjs_option_dicts() -> None:
    model = io_zoo.zoo_model("mlp")
    model.compile(optimizer="sgd", loss="categoricalCrossentropy")
    memory = tf.io.from_memory(None)
    model.save(memory, {"includeOptimizer": True})
    assert memory.artifacts["training_config"]["optimizer_config"]["class_name"] == "SGD"
    loaded = tf.load_layers_model(memory, {"strict": False})
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    _dispose(model, loaded)


def test_pathlib_and_file_url_of_a_folder(tmp_path: Any) -> None:
    model = io_zoo.zoo_model("rnn")
    model.save(pathlib.Path(tmp_path))
    loaded = tf.load_layers_model(pathlib.Path(tmp_path) / "model.json")
    _same_model(model, loaded)
    _dispose(model, loaded)
