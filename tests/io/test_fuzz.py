"""Fuzzing the loader: mutated model.json files and weight data either load or raise
ModelLoadError, never anything else, and a failed load leaves no tensor or variable behind."""
from __future__ import annotations

import functools
import json
import os
import tempfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import io_zoo
import minitf as tf
from minitf.io import ModelLoadError
from minitf.tensor import live_variables

BOGUS_PATHS = ["../weights.bin", "/etc/passwd", "..\\weights.bin", "C:/weights.bin",
               "file:///etc/passwd", "", "sub/../../x", "missing.bin", "weights.bin\x00"]


@functools.lru_cache(maxsize=None)
def _saved(name: str) -> tuple[str, bytes]:
    """model.json text and weights.bin bytes of a small trained model with optimizer state."""
    model = io_zoo.zoo_model(name)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    xs = io_zoo.inputs_for(model)
    ys = [o * 0.5 for o in io_zoo.predict(model, xs)]
    model.train_on_batch(xs if len(xs) > 1 else xs[0], ys if len(ys) > 1 else ys[0])
    with tempfile.TemporaryDirectory() as folder:
        model.save(folder, include_optimizer=True)
        text = open(os.path.join(folder, "model.json")).read()
        data = open(os.path.join(folder, "weights.bin"), "rb").read()
    model.dispose()
    return text, data


def _nodes(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a JSON document (dict keys and list indices)."""
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _nodes(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _nodes(item, path + (i,))
    return out


def _small_json() -> st.SearchStrategy:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 64),
                        st.floats(-1e3, 1e3, allow_nan=False), st.text(max_size=8),
                        st.sampled_from(["Dense", "Sequential", "float16", "relu", "nope"]))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
        max_leaves=6)


@st.composite
def mutation(draw: Any, doc: dict) -> tuple:
    nodes = _nodes(doc)[1:]
    topology = [n for n in nodes if n[0] in ("modelTopology", "trainingConfig")]
    kind = draw(st.sampled_from(["delete", "replace", "replace", "replace", "shape", "path",
                                 "dtype"]))
    if kind in ("delete", "replace"):  # mostly in the topology, where building is at stake
        place = draw(st.sampled_from(topology) if draw(st.integers(0, 3)) else
                     st.sampled_from(nodes))
        return kind, place, draw(_small_json())
    n_specs = len(doc["weightsManifest"][0]["weights"])
    index = draw(st.integers(0, n_specs - 1))
    if kind == "shape":
        dims = st.one_of(st.integers(-2, 12), st.integers(2 ** 31, 2 ** 70))
        return kind, index, draw(st.lists(dims, max_size=4))
    if kind == "path":
        return kind, index, draw(st.sampled_from(BOGUS_PATHS) | st.text(max_size=12))
    return kind, index, draw(st.sampled_from(["int32", "bool", "float64", "string", 3]))


def _apply(doc: dict, change: tuple) -> None:
    kind, where, value = change
    group = doc.get("weightsManifest", [{}])
    specs = group[0].get("weights", []) if group and isinstance(group[0], dict) else []
    if kind in ("delete", "replace"):
        parent = doc
        try:
            for key in where[:-1]:
                parent = parent[key]
            if kind == "delete":
                del parent[where[-1]]
            else:
                parent[where[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed this place
    elif kind == "path" and group and isinstance(group[0], dict):
        group[0]["paths"] = [value]
    elif isinstance(specs, list) and where < len(specs) and isinstance(specs[where], dict):
        specs[where]["shape" if kind == "shape" else "dtype"] = value


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_model_json_never_escapes(data: Any) -> None:
    name = data.draw(st.sampled_from(["mlp", "multi_io"]))
    text, weights = _saved(name)
    doc = json.loads(text)
    for change in data.draw(st.lists(mutation(doc), min_size=1, max_size=3)):
        _apply(doc, change)
    raw = json.dumps(doc).encode()
    if data.draw(st.integers(0, 4)) == 0:  # now and then, damage the bytes too
        for _ in range(data.draw(st.integers(1, 3))):
            at = data.draw(st.integers(0, len(raw) - 1))
            raw = raw[:at] + bytes([data.draw(st.integers(0, 255))]) + raw[at + 1:]
    if data.draw(st.integers(0, 4)) == 0:  # and the weights
        cut = data.draw(st.sampled_from([0, 1, 4, len(weights) // 2, -4, -1, len(weights)]))
        weights = weights[:cut] + data.draw(st.sampled_from([b"", b"\0", b"\0" * 4]))
    _load_and_check(raw, weights)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["mlp", "multi_io"]), st.integers(0, 10 ** 6), st.binary(max_size=8))
def test_truncated_or_extended_weights(name: str, cut: int, tail: bytes) -> None:
    text, weights = _saved(name)
    _load_and_check(text.encode(), weights[:cut % (len(weights) + 1)] + tail)


def _load_and_check(model_json: bytes, weights: bytes) -> None:
    tensors, variables = tf.memory().num_tensors, len(live_variables())
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "model.json"), "wb") as f:
            f.write(model_json)
        with open(os.path.join(folder, "weights.bin"), "wb") as f:
            f.write(weights)
        try:
            model = tf.load_layers_model(folder)
        except ModelLoadError as e:
            assert str(e).startswith(os.path.join(folder, "model.json")), str(e)
        else:
            model.dispose()
    assert tf.memory().num_tensors == tensors, "a load left tensors behind"
    assert len(live_variables()) == variables, "a load left variables behind"


@pytest.mark.parametrize("name", ["mlp", "multi_io"])
def test_unmutated_files_load(name: str) -> None:
    text, weights = _saved(name)
    tensors = tf.memory().num_tensors
    with tempfile.TemporaryDirectory() as folder:
        open(os.path.join(folder, "model.json"), "w").write(text)
        open(os.path.join(folder, "weights.bin"), "wb").write(weights)
        model = tf.load_layers_model(folder)
        assert model.optimizer.iterations == 1
        model.dispose()
    assert tf.memory().num_tensors == tensors
