"""Loading and saving over HTTP against a real server that requires an Authorization header."""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import io_zoo
import minitf as tf
from minitf.io import HTTPResponse, ModelLoadError, ModelSaveError


def _publish(server: Any, name: str, folder: str = "models/m") -> Any:
    model = io_zoo.zoo_model(name)
    model.save(f"{server.root}/{folder}")
    return model


def _same(a: Any, b: Any) -> None:
    xs = io_zoo.inputs_for(a)
    for want, got in zip(io_zoo.predict(a, xs), io_zoo.predict(b, xs)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["convnet", "multi_io", "nested"])
def test_load_with_auth_header(http_server: Any, auth: dict, name: str, no_leaks: None) -> None:
    model = _publish(http_server, name)
    loaded = tf.load_layers_model(f"{http_server.url}/models/m/model.json", request_init=auth)
    _same(model, loaded)
    gets = [r["path"] for r in http_server.requests]
    assert gets == ["/models/m/model.json", "/models/m/weights.bin"]
    assert all(r["headers"]["Authorization"] == auth["headers"]["Authorization"]
               for r in http_server.requests)
    model.dispose()
    loaded.dispose()


MULTI_INPUT = {n for n, (_, _, shapes) in io_zoo.RECIPES.items() if len(shapes) > 1}
LAYER_CASES = [(n, seq) for n in io_zoo.layer_types() for seq in (True, False)
               if not (seq and n in MULTI_INPUT)]


@pytest.mark.parametrize("name,sequential", LAYER_CASES,
                         ids=[f"{n}-{'seq' if s else 'fn'}" for n, s in LAYER_CASES])
def test_every_layer_type_over_http(http_server: Any, auth: dict, name: str,
                                    sequential: bool, no_leaks: None) -> None:
    model = io_zoo.layer_model(name, sequential)
    model.save(tf.io.http(f"{http_server.url}/upload/{name}", request_init=auth))
    loaded = tf.load_layers_model(f"{http_server.url}/upload/{name}/model.json",
                                  request_init=auth)
    _same(model, loaded)
    model.dispose()
    loaded.dispose()


def test_missing_header_is_a_clear_401(http_server: Any, no_leaks: None) -> None:
    _publish(http_server, "mlp").dispose()
    url = f"{http_server.url}/models/m/model.json"
    with pytest.raises(ModelLoadError, match=r"failed with status code 401.*Authorization"):
        tf.load_layers_model(url)
    with pytest.raises(ModelLoadError, match="status code 401"):
        tf.load_layers_model(url, request_init={"headers": {"Authorization": "Bearer nope"}})


def test_weights_inherit_the_query_string_and_the_prefix(http_server: Any, auth: dict) -> None:
    model = _publish(http_server, "mlp")
    loaded = tf.load_layers_model(f"{http_server.url}/models/m/model.json?v=3&key=abc",
                                  {"requestInit": auth})  # TF.js's option dict works too
    assert http_server.requests[-1]["path"] == "/models/m/weights.bin?v=3&key=abc"
    loaded.dispose()
    model.save(f"{http_server.root}/elsewhere")
    handler = tf.io.http(f"{http_server.url}/models/m/model.json", request_init=auth,
                         weight_path_prefix=f"{http_server.url}/elsewhere/")
    loaded = tf.load_layers_model(handler)
    assert http_server.requests[-1]["path"] == "/elsewhere/weights.bin"
    _same(model, loaded)
    model.dispose()
    loaded.dispose()


def test_sharded_weights_are_fetched_in_manifest_order(http_server: Any, auth: dict) -> None:
    model = io_zoo.zoo_model("conv1d")
    artifacts = tf.io.model_artifacts(model)
    data = artifacts["weight_data"]
    cut = len(data) // 2 + 1
    folder = http_server.root
    for i, part in enumerate((data[:cut], data[cut:])):
        with open(f"{folder}/group1-shard{i + 1}of2.bin", "wb") as f:
            f.write(part)
    doc = tf.io.tfjs_format.model_json(artifacts, ["group1-shard1of2.bin",
                                                   "group1-shard2of2.bin"])
    with open(f"{folder}/model.json", "w") as f:
        json.dump(doc, f)
    loaded = tf.load_layers_model(f"{http_server.url}/model.json", request_init=auth)
    assert [r["path"] for r in http_server.requests[-2:]] == ["/group1-shard1of2.bin",
                                                              "/group1-shard2of2.bin"]
    _same(model, loaded)
    model.dispose()
    loaded.dispose()


def test_save_posts_multipart_like_tfjs(http_server: Any, auth: dict, no_leaks: None) -> None:
    model = io_zoo.zoo_model("multi_io")
    model.compile(optimizer="adam", loss=["categoricalCrossentropy", "mse"])
    result = model.save(tf.io.http(f"{http_server.url}/upload/m", request_init=auth),
                        include_optimizer=True)
    post = http_server.requests[-1]
    assert post["method"] == "POST"
    assert post["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert post["fields"] == [("model.json", "model.json", "application/json"),
                              ("model.weights.bin", "model.weights.bin",
                               "application/octet-stream")]
    assert result.responses[0].status == 200
    doc = json.loads(open(f"{http_server.root}/upload/m/model.json").read())
    assert doc["weightsManifest"][0]["paths"] == ["./model.weights.bin"]
    assert doc["trainingConfig"]["loss"] == ["categorical_crossentropy", "mse"]
    # what was uploaded loads back over HTTP, './' path and all
    loaded = tf.load_layers_model(f"{http_server.url}/upload/m/model.json", request_init=auth)
    _same(model, loaded)
    assert loaded.optimizer.class_name == "Adam"
    model.dispose()
    loaded.dispose()


def test_save_refused_by_the_server(http_server: Any) -> None:
    model = io_zoo.zoo_model("mlp")
    with pytest.raises(ModelSaveError, match="failed due to HTTP response status 401"):
        model.save(f"{http_server.url}/upload/m")  # a URL string routes to tf.io.http
    with pytest.raises(ValueError, match="no pre-existing body"):
        tf.io.http(f"{http_server.url}/upload/m", request_init={"body": b"x"})
    model.dispose()


def test_content_length_lies_and_size_bounds(http_server: Any, auth: dict) -> None:
    model = _publish(http_server, "mlp")
    url = f"{http_server.url}/models/m/model.json"
    text = open(f"{http_server.root}/models/m/model.json", "rb").read()
    weights = open(f"{http_server.root}/models/m/weights.bin", "rb").read()
    http_server.lies["/models/m/model.json"] = (len(text) + 10, text)  # the body is cut short
    with pytest.raises(ModelLoadError, match="Content-Length says"):
        tf.load_layers_model(url, request_init=auth)
    http_server.lies.clear()
    http_server.lies["/models/m/weights.bin"] = (len(weights) + 10, weights)
    with pytest.raises(ModelLoadError, match="more than the 460 allowed"):  # what the manifest
        tf.load_layers_model(url, request_init=auth)                       # announces
    http_server.lies["/models/m/weights.bin"] = (len(weights) - 8, weights)
    with pytest.raises(ModelLoadError, match="truncated"):
        tf.load_layers_model(url, request_init=auth)
    http_server.lies.clear()
    with pytest.raises(ModelLoadError, match="max_bytes"):
        tf.load_layers_model(url, request_init=auth, max_bytes=100)
    with pytest.raises(ModelLoadError, match="more than max_bytes"):
        tf.load_layers_model(url, request_init=auth, max_bytes=len(text) + len(weights) - 1)
    model.dispose()


def test_redirect_to_another_origin_is_refused(http_server: Any, auth: dict) -> None:
    http_server.redirects["/moved/model.json"] = "http://127.0.0.2:9/model.json"
    with pytest.raises(ModelLoadError, match="another origin"):
        tf.load_layers_model(f"{http_server.url}/moved/model.json", request_init=auth)


def test_unreachable_server() -> None:
    with pytest.raises(ModelLoadError, match="Request to http://127.0.0.1:9/model.json failed"):
        tf.load_layers_model("http://127.0.0.1:9/model.json", timeout=2)


def test_fetch_func_replaces_urllib(no_leaks: None) -> None:
    model = io_zoo.zoo_model("mlp")
    artifacts = tf.io.model_artifacts(model)
    files = {"https://example.test/m/model.json":
             json.dumps(tf.io.tfjs_format.model_json(artifacts, ["weights.bin"])).encode(),
             "https://example.test/m/weights.bin": artifacts["weight_data"]}
    calls = []

    def fetch(url: str, init: dict) -> HTTPResponse:
        calls.append((url, init["method"], init["headers"]))
        return HTTPResponse(200, {"content-length": str(len(files[url]))}, files[url])

    loaded = tf.load_layers_model("https://example.test/m/model.json", fetch_func=fetch,
                                  request_init={"headers": {"X-Key": "k"}})
    _same(model, loaded)
    assert calls == [("https://example.test/m/model.json", "GET", {"X-Key": "k"}),
                     ("https://example.test/m/weights.bin", "GET", {"X-Key": "k"})]
    bad = [HTTPResponse(200, {"Content-Length": "5"}, b"{}"), "not a response",
           (404, {}, b"")]
    for reply in bad:
        with pytest.raises(ModelLoadError):
            tf.load_layers_model("https://example.test/m/model.json",
                                 fetch_func=lambda url, init, r=reply: r)
    model.dispose()
    loaded.dispose()


def test_options_for_files_are_refused(tmp_path: Any) -> None:
    with pytest.raises(TypeError, match="apply to http"):
        tf.load_layers_model(str(tmp_path), request_init={})
