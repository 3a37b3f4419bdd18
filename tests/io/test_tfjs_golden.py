"""Models saved by real TF.js 4.22 (tests/fixtures/tfjs/saved, made by generate.js) load in
minitf and predict what TF.js predicted; saved again, they give TF.js's files back."""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import pytest

import minitf as tf

HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tfjs", "saved")
GOLDEN = json.load(open(os.path.join(HERE, "predictions.json")))["models"]


def _array(rec: dict[str, Any]) -> np.ndarray:
    return np.array(rec["values"], dtype=rec["dtype"]).reshape(rec["shape"])


def _outputs(model: Any, xs: list[np.ndarray]) -> list[np.ndarray]:
    out = model.predict(xs if len(xs) > 1 else xs[0])
    outs = out if isinstance(out, list) else [out]
    arrays = [o.numpy() for o in outs]
    tf.dispose(outs)
    return arrays


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_tfjs_model_predicts_like_tfjs(name: str, no_leaks: None) -> None:
    case = GOLDEN[name]
    model = tf.load_layers_model(f"file://{HERE}/{name}/model.json")
    xs = [_array(rec) for rec in case["inputs"]]
    got = _outputs(model, xs)
    assert len(got) == len(case["outputs"])
    for out, rec in zip(got, case["outputs"]):
        np.testing.assert_allclose(out, _array(rec), rtol=1e-5, atol=1e-5)
    doc = json.load(open(f"{HERE}/{name}/model.json"))
    if case["include_optimizer"]:
        config = doc["trainingConfig"]["optimizer_config"]
        assert model.optimizer.class_name == config["class_name"]
        assert model.optimizer.learning_rate == config["config"]["learningRate"]
    else:
        assert model.optimizer is None
    model.dispose()


def test_adam_state_from_tfjs_continues_like_tfjs(no_leaks: None) -> None:
    case = GOLDEN["mlp_adam_trained"]
    model = tf.load_layers_model(f"{HERE}/mlp_adam_trained")
    assert model.optimizer.iterations == 3
    x, step = _array(case["inputs"][0]), case["next_step"]
    loss, acc = model.train_on_batch(x, _array(step["y"]))
    np.testing.assert_allclose([loss, acc], [step["loss"], step["acc"]], rtol=1e-5)
    np.testing.assert_allclose(_outputs(model, [x])[0], _array(step["outputs"][0]),
                               rtol=1e-5, atol=1e-5)
    model.dispose()


# Where minitf's layer configs differ from TF.js's (reported, harmless on load).
KNOWN_CONFIG_DIFFERENCES = {("Embedding", "mask_zero"), ("Embedding", "dtype")}


def _normalize(doc: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    doc.pop("generatedBy")
    for group in doc["weightsManifest"]:
        group.pop("paths")
    for layer in doc["modelTopology"]["config"]["layers"]:
        for cls, key in KNOWN_CONFIG_DIFFERENCES:
            if layer["class_name"] == cls:
                layer["config"].pop(key, None)
    return doc


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_resaving_gives_tfjs_files_back(name: str, tmp_path: Any) -> None:
    model = tf.load_layers_model(f"{HERE}/{name}")
    model.save(str(tmp_path), include_optimizer=True)
    theirs = json.load(open(f"{HERE}/{name}/model.json"))
    ours = json.load(open(tmp_path / "model.json"))
    assert list(ours) == list(theirs)
    assert _normalize(ours) == _normalize(theirs)
    data = b"".join(open(f"{HERE}/{name}/{p}", "rb").read()
                    for p in theirs["weightsManifest"][0]["paths"])
    assert (tmp_path / "weights.bin").read_bytes() == data
    model.dispose()
