"""Keras HDF5: golden files written by real Keras 3 and Keras 2 load in minitf and predict the
same; minitf -> h5 -> minitf round trips; atomic saves; damaged files, wrong shapes and options
minitf cannot honour give a clear ModelLoadError and leave nothing allocated.

The golden files come from ``tests/fixtures/keras/generate.py`` (see its README); TensorFlow is
not needed here.
"""
from __future__ import annotations

import json
import os
import shutil
from typing import Any, Callable

import h5py
import numpy as np
import pytest

import io_zoo
import minitf as tf
from minitf.io.hdf5 import load_h5, normalize_model_config, save_h5
from minitf.tensor import live_variables

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
with open(os.path.join(FIXTURES, "expected.json")) as _f:
    EXPECTED = json.load(_f)
REFUSED = {"gru_reset_after": "reset_after=True", "upsampling_bilinear": "half-pixel"}


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, f"{name}.h5")


def as_tensor(t: dict[str, Any]) -> tf.Tensor:
    dtype = "int32" if t["dtype"].startswith("int") else "float32"
    return tf.tensor(np.array(t["values"], dtype=dtype).reshape(t["shape"]), dtype=dtype)


def predict(model: Any, xs: list[tf.Tensor]) -> list[np.ndarray]:
    ys = model.predict(xs if len(xs) > 1 else xs[0])
    ys = ys if isinstance(ys, list) else [ys]
    out = [y.numpy() for y in ys]
    tf.dispose(ys)
    return out


class AllocationCheck:
    """Counts live tensors and variables before a failing load, to check that none remain."""

    def __enter__(self) -> "AllocationCheck":
        self.tensors = tf.memory().num_tensors
        self.variables = len(live_variables())
        return self

    def __exit__(self, *exc: Any) -> None:
        assert tf.memory().num_tensors == self.tensors
        assert len(live_variables()) == self.variables


def load_fails(path: str, match: str, strict: bool = True) -> ValueError:
    """Load ``path``, expecting a ModelLoadError matching ``match`` and no allocation."""
    with AllocationCheck(), pytest.raises(ValueError, match=match) as info:
        load_h5(path, strict=strict)
    assert type(info.value).__name__ == "ModelLoadError"
    return info.value


# -- golden files from Keras -----------------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in EXPECTED["models"] if n not in REFUSED])
def test_keras_golden_file_predicts_like_keras(name: str) -> None:
    case = EXPECTED["models"][name]
    model = load_h5(fixture(name))
    xs = [as_tensor(t) for t in case["inputs"]]
    for y, want in zip(predict(model, xs), case["outputs"]):
        np.testing.assert_allclose(y, np.array(want["values"], np.float32).reshape(want["shape"]),
                                   atol=1e-5, rtol=0)
    tf.dispose(xs)
    model.dispose()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_keras_options_minitf_cannot_honour_are_refused(name: str) -> None:
    message = str(load_fails(fixture(name), REFUSED[name]))
    assert name.split("_")[0] in message.lower() or "layer" in message


def test_keras_layer_names_and_weight_order_are_kept() -> None:
    model = load_h5(fixture("batchnorm"))
    bn = model.get_layer("batch_normalization")
    assert [w.original_name.split("/")[-1] for w in bn.weights] == \
        ["gamma", "beta", "moving_mean", "moving_variance"]
    with h5py.File(fixture("batchnorm"), "r") as f:
        saved = f[weight_path(f, "batch_normalization", "moving_mean")]
        np.testing.assert_array_equal(bn.weights[2].numpy(), saved[()])
    lstm = load_h5(fixture("recurrent")).get_layer("lstm")
    assert [w.original_name.split("/")[-1] for w in lstm.weights] == \
        ["kernel", "recurrent_kernel", "bias"]


def weight_path(f: h5py.File, layer: str, short: str) -> str:
    """Where Keras stored weight ``short`` ('kernel') of ``layer`` in file ``f``."""
    group = f["model_weights"][layer]
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in group.attrs["weight_names"]]
    name = next(n for n in names if n.split("/")[-1].split(":")[0] == short)
    return f"model_weights/{layer}/{name}"


def copy_fixture(name: str, tmp_path: Any, edit: Callable[[h5py.File], None] | None = None
                 ) -> str:
    path = str(tmp_path / f"{name}.h5")
    shutil.copy(fixture(name), path)
    if edit is not None:
        with h5py.File(path, "r+") as f:
            edit(f)
    return path


def edit_config(change: Callable[[dict[str, Any]], None]) -> Callable[[h5py.File], None]:
    def edit(f: h5py.File) -> None:
        config = json.loads(f.attrs["model_config"])
        change(config)
        f.attrs["model_config"] = json.dumps(config).encode()
    return edit


def layer_config(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in config["config"]["layers"]
                if s["config"].get("name") == name)["config"]


def test_keras3_hard_sigmoid_is_refused(tmp_path: Any) -> None:
    path = copy_fixture("recurrent", tmp_path, edit_config(
        lambda c: layer_config(c, "lstm").update(recurrent_activation="hard_sigmoid")))
    load_fails(path, r"layer 'lstm'.*relu6\(x \+ 3\) / 6")


@pytest.mark.parametrize("key, value", [("lora_rank", 4), ("quantization_config", {"mode": 1}),
                                        ("time_major", True)])
def test_meaningful_keras_options_are_refused(tmp_path: Any, key: str, value: Any) -> None:
    path = copy_fixture("cnn", tmp_path, edit_config(
        lambda c: layer_config(c, "dense").update({key: value})))
    load_fails(path, f"layer 'dense' \\(Dense\\) has {key}=")


def test_harmless_keras_options_are_dropped() -> None:
    spec = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 3, 2], "dtype": "float32", "sparse": False,
                    "ragged": False, "optional": False, "name": "in"}},
        {"module": "keras.layers", "class_name": "LSTM", "registered_name": None,
         "config": {"name": "l", "units": 2, "seed": 7, "zero_output_for_mask": False,
                    "time_major": False, "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                                   "config": {"name": "float32"},
                                                   "registered_name": None},
                    "kernel_initializer": {"module": "keras.initializers",
                                           "class_name": "GlorotUniform",
                                           "config": {"seed": None}, "registered_name": None}}}]}}
    out = normalize_model_config(spec, "3.1.0")
    first, lstm = out["config"]["layers"]
    assert first == {"class_name": "InputLayer", "config": {
        "name": "in", "batch_input_shape": [None, 3, 2], "dtype": "float32"}}
    assert lstm == {"class_name": "LSTM", "config": {
        "name": "l", "units": 2, "dtype": "float32",
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}}}}


def test_functional_keras3_nodes_become_keras2_refs() -> None:
    tensor = {"class_name": "__keras_tensor__",
              "config": {"shape": [None, 2], "dtype": "float32", "keras_history": ["a", 0, 0]}}
    spec = {"class_name": "Functional", "config": {
        "name": "f", "layers": [
            {"name": "a", "class_name": "InputLayer", "inbound_nodes": [],
             "config": {"batch_shape": [None, 2], "dtype": "float32", "name": "a"}},
            {"name": "d", "class_name": "Dense", "config": {"name": "d", "units": 1},
             "inbound_nodes": [{"args": [tensor], "kwargs": {"mask": None}}]},
            {"name": "c", "class_name": "Concatenate", "config": {"name": "c", "axis": -1},
             "inbound_nodes": [{"args": [[tensor, tensor]], "kwargs": {}}]}],
        "input_layers": ["a", 0, 0], "output_layers": [["d", 0, 0], ["c", 0, 0]]}}
    out = normalize_model_config(spec, "3.4.1")["config"]
    assert out["input_layers"] == [["a", 0, 0]]
    assert out["layers"][1]["inbound_nodes"] == [[["a", 0, 0, {}]]]
    assert out["layers"][2]["inbound_nodes"] == [[["a", 0, 0, {}], ["a", 0, 0, {}]]]


# -- round trips -----------------------------------------------------------------------------------
def seq(*layers: Any) -> Any:
    model = tf.sequential()
    for layer in layers:
        model.add(layer)
    return model


def functional_multi_io() -> Any:
    L = tf.layers
    a, b = tf.input(shape=[5]), tf.input(shape=[4])
    shared = L.dense(units=4, activation="tanh")
    x, y = shared.apply(a), shared.apply(L.dense(units=5).apply(b))
    merged = [L.add().apply([x, y]), L.multiply().apply([x, y]), L.average().apply([x, y]),
              L.maximum().apply([x, y]), L.minimum().apply([x, y]),
              L.dot(axes=1).apply([x, y])]
    out = L.dense(units=3, activation="softmax").apply(L.concatenate().apply(merged))
    return tf.model(inputs=[a, b], outputs=[out, L.dense(units=1).apply(y)])


def recurrent() -> Any:
    L = tf.layers
    ids = tf.input(shape=[6], dtype="int32")
    e = L.embedding(input_dim=9, output_dim=4, mask_zero=True).apply(ids)
    h = L.lstm(units=3, return_sequences=True).apply(e)
    h = L.gru(units=3, return_sequences=True, go_backwards=True).apply(h)
    h = L.simple_rnn(units=2, return_sequences=True).apply(h)
    h = L.rnn(cell=[L.lstm_cell(units=2), L.gru_cell(units=2)]).apply(h)
    return tf.model(inputs=ids, outputs=h)


def nested() -> Any:
    inner = seq(tf.layers.dense(units=3, input_shape=[4]), tf.layers.batch_normalization())
    a = tf.input(shape=[4])
    y = inner.apply(a)
    return tf.model(inputs=a, outputs=[tf.layers.dense(units=1).apply(y), y])


def frozen() -> Any:
    model = seq(tf.layers.dense(units=4, input_shape=[3], kernel_regularizer="l2",
                                kernel_constraint="maxNorm"),
                tf.layers.batch_normalization(), tf.layers.dense(units=2))
    model.layers[1].trainable = False
    model.layers[0].trainable = False
    return model


BUILDERS: dict[str, Callable[[], Any]] = {
    "dense": lambda: seq(
        tf.layers.dense(units=6, activation="relu", input_shape=[4]), tf.layers.dropout(rate=0.3),
        tf.layers.dense(units=6, activation="hard_sigmoid"), tf.layers.leaky_re_lu(alpha=0.1),
        tf.layers.prelu(), tf.layers.elu(), tf.layers.thresholded_re_lu(theta=0.1),
        tf.layers.re_lu(max_value=2), tf.layers.gaussian_noise(stddev=0.1),
        tf.layers.gaussian_dropout(rate=0.1), tf.layers.alpha_dropout(rate=0.1),
        tf.layers.layer_normalization(), tf.layers.dense(units=3), tf.layers.softmax()),
    "conv2d": lambda: seq(
        tf.layers.conv2d(filters=3, kernel_size=3, padding="same", input_shape=[8, 8, 2]),
        tf.layers.batch_normalization(), tf.layers.max_pooling2d(pool_size=2),
        tf.layers.zero_padding2d(padding=1), tf.layers.depthwise_conv2d(kernel_size=2),
        tf.layers.separable_conv2d(filters=2, kernel_size=2),
        tf.layers.up_sampling2d(size=2, interpolation="bilinear"),
        tf.layers.conv2d_transpose(filters=2, kernel_size=2, strides=2),
        tf.layers.cropping2d(cropping=1), tf.layers.average_pooling2d(pool_size=2),
        tf.layers.spatial_dropout2d(rate=0.2), tf.layers.flatten(), tf.layers.dense(units=2)),
    "conv1d": lambda: seq(
        tf.layers.conv1d(filters=3, kernel_size=2, input_shape=[10, 2]),
        tf.layers.max_pooling1d(pool_size=2), tf.layers.spatial_dropout1d(rate=0.1),
        tf.layers.average_pooling1d(pool_size=2), tf.layers.global_average_pooling1d()),
    "reshaping": lambda: seq(
        tf.layers.masking(mask_value=0, input_shape=[3, 4]), tf.layers.permute(dims=[2, 1]),
        tf.layers.reshape(target_shape=[12]), tf.layers.repeat_vector(n=2),
        tf.layers.global_max_pooling1d(), tf.layers.activation(activation="gelu")),
    "functional_multi_io": functional_multi_io,
    "recurrent": recurrent,
    "nested": nested,
    "frozen": frozen,
}


def fill_weights(model: Any) -> None:
    for k, w in enumerate(model.weights):
        values = 0.5 * np.sin(0.7 * np.arange(w.size) + 1.3 * k + 0.1)
        if "variance" in w.name:
            values = 0.5 + np.abs(values)
        w.assign(values.reshape(w.shape).astype(np.float32))


def sample_inputs(model: Any) -> list[tf.Tensor]:
    xs = []
    for j, t in enumerate(model.inputs):
        shape = (3, *t.shape[1:])
        i = np.arange(int(np.prod(shape)))
        if t.dtype == "int32":
            xs.append(tf.tensor(((i * 5 + j) % 9).reshape(shape), dtype="int32"))
        else:
            xs.append(tf.tensor(np.sin(0.37 * i + j).reshape(shape).astype(np.float32)))
    return xs


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_round_trip_keeps_predictions_weights_and_config(name: str, tmp_path: Any) -> None:
    model = BUILDERS[name]()
    fill_weights(model)
    path = str(tmp_path / "model.h5")
    save_h5(model, path)
    loaded = load_h5(path)
    xs = sample_inputs(model)
    for want, got in zip(predict(model, xs), predict(loaded, xs)):
        np.testing.assert_array_equal(got, want)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert [w.original_name for w in loaded.weights] == [w.original_name for w in model.weights]
    assert [w.trainable for w in loaded.weights] == [w.trainable for w in model.weights]
    for w_loaded, w in zip(loaded.weights, model.weights):
        np.testing.assert_array_equal(w_loaded.numpy(), w.numpy())
    assert type(loaded) is type(model)
    assert json.dumps(strip_first_dtype(loaded.get_config()), sort_keys=True) == \
        json.dumps(strip_first_dtype(model.get_config()), sort_keys=True)
    tf.dispose(xs)
    model.dispose()
    loaded.dispose()


def strip_first_dtype(config: dict[str, Any]) -> dict[str, Any]:
    """A Sequential's first layer writes its dtype only when built with input_shape."""
    if "input_layers" not in config and config["layers"]:
        config["layers"][0]["config"].pop("dtype", None)
    for spec in config["layers"]:
        if spec["class_name"] in ("Sequential", "Model"):
            strip_first_dtype(spec["config"])
    return config


def test_saved_file_has_the_keras_layout(tmp_path: Any) -> None:
    model = BUILDERS["conv1d"]()
    path = str(tmp_path / "m.h5")
    save_h5(model, path)
    with h5py.File(path, "r") as f:
        assert f.attrs["keras_version"].startswith("minitf ")
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Sequential"
        first, second = config["config"]["layers"][:2]
        assert first["class_name"] == "InputLayer"
        assert first["config"]["batch_input_shape"] == [None, 10, 2]
        assert "batch_input_shape" not in second["config"]
        group = f["model_weights"]
        names = [n.decode() for n in group.attrs["layer_names"]]
        assert names == [layer.name for layer in model.layers]
        conv = model.layers[0].name
        assert [n.decode() for n in group[conv].attrs["weight_names"]] == \
            [f"{conv}/kernel", f"{conv}/bias"]
        assert group[f"{conv}/{conv}/kernel"].shape == (2, 2, 3)
        assert "training_config" not in f.attrs
    model.dispose()


def test_include_optimizer_writes_a_keras_training_config(tmp_path: Any) -> None:
    model = BUILDERS["dense"]()
    model.compile(optimizer=tf.train.adam(0.01), loss="categoricalCrossentropy",
                  metrics=["accuracy"])
    path = str(tmp_path / "m.h5")
    save_h5(model, path, include_optimizer=True)
    with h5py.File(path, "r") as f:
        training = json.loads(f.attrs["training_config"])
    assert training["loss"] == "categorical_crossentropy"
    assert training["optimizer_config"] == {"class_name": "Adam", "config": {
        "learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}}
    load_h5(path).dispose()
    model.dispose()


def test_saving_an_unbuilt_model_is_an_error(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="not built"):
        save_h5(seq(tf.layers.dense(units=2)), str(tmp_path / "m.h5"))
    assert not os.listdir(tmp_path)


# -- atomic saves ----------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["building", "writing"])
@pytest.mark.parametrize("interruption", [OSError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_save_leaves_the_previous_file_intact(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch, interruption: BaseException,
        where: str) -> None:
    path = str(tmp_path / "m.h5")
    first = BUILDERS["dense"]()
    save_h5(first, path)
    with open(path, "rb") as f:
        before = f.read()
    calls = {"n": 0}
    if where == "building":  # fails while the file is made, after some weights
        target, name = h5py.Group, "create_dataset"
    else:  # fails while the new file is on disk under its temporary name
        target, name = os, "fsync"
    original = getattr(target, name)

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3 or where == "writing":
            raise interruption
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)
    with pytest.raises(type(interruption)):
        save_h5(BUILDERS["conv2d"](), path)
    monkeypatch.undo()
    assert calls["n"] > 0
    with open(path, "rb") as f:
        assert f.read() == before
    assert os.listdir(tmp_path) == ["m.h5"]  # no temporary file left behind
    load_h5(path).dispose()
    first.dispose()


def test_saving_into_a_missing_folder_is_a_clear_error(tmp_path: Any) -> None:
    model = BUILDERS["conv1d"]()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_h5(model, str(tmp_path / "no" / "m.h5"))
    model.dispose()


# -- damaged files and mismatches ------------------------------------------------------------------
def test_truncated_file(tmp_path: Any) -> None:
    path = str(tmp_path / "t.h5")
    with open(fixture("cnn"), "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])
    load_fails(path, "truncated or corrupt|damaged")


@pytest.mark.parametrize("content", [b"", b"not an hdf5 file at all" * 10, b"\x89HDF\r\n\x1a\n"])
def test_corrupt_file(tmp_path: Any, content: bytes) -> None:
    path = str(tmp_path / "c.h5")
    with open(path, "wb") as f:
        f.write(content)
    load_fails(path, "not a readable HDF5 file")


def test_missing_file(tmp_path: Any) -> None:
    load_fails(str(tmp_path / "nope.h5"), "no such file")


def test_missing_and_invalid_model_config(tmp_path: Any) -> None:
    def drop(f: h5py.File) -> None:
        del f.attrs["model_config"]

    load_fails(copy_fixture("cnn", tmp_path, drop), "no 'model_config'")

    def garble(f: h5py.File) -> None:
        f.attrs["model_config"] = b'{"class_name": "Sequential", "config": '

    load_fails(copy_fixture("cnn", tmp_path, garble), "not valid JSON")


def test_unknown_layer_class_is_named(tmp_path: Any) -> None:
    def rename(c: dict[str, Any]) -> None:
        c["config"]["layers"][1]["class_name"] = "MultiHeadAttention"

    load_fails(copy_fixture("cnn", tmp_path, edit_config(rename)),
               "layer 'conv2d' has class 'MultiHeadAttention', which minitf does not implement")


def test_lambda_layers_are_never_run(tmp_path: Any) -> None:
    def make_lambda(c: dict[str, Any]) -> None:
        c["config"]["layers"][2] = {"class_name": "Lambda", "config": {
            "name": "evil", "function": ["4wEAAAAAAAAA", None, None], "function_type": "lambda"}}

    load_fails(copy_fixture("cnn", tmp_path, edit_config(make_lambda)),
               "'evil' has class 'Lambda'")


def test_wrong_weight_shape_is_named(tmp_path: Any) -> None:
    def reshape(f: h5py.File) -> None:
        path = weight_path(f, "dense", "kernel")
        del f[path]
        f.create_dataset(path, data=np.zeros((5, 3), np.float32))

    load_fails(copy_fixture("cnn", tmp_path, reshape),
               r"weight 'cnn/dense/kernel' of layer 'dense' has shape \[5, 3\] in the file, "
               r"but the layer's 'kernel' has shape \[27, 3\]")


def test_missing_weight_dataset(tmp_path: Any) -> None:
    def drop(f: h5py.File) -> None:
        del f[weight_path(f, "dense", "bias")]

    load_fails(copy_fixture("cnn", tmp_path, drop), "'cnn/dense/bias' of layer 'dense'.* missing")


def test_weight_count_mismatch(tmp_path: Any) -> None:
    def drop_name(f: h5py.File) -> None:
        f["model_weights/dense"].attrs["weight_names"] = np.asarray([b"cnn/dense/kernel"])

    load_fails(copy_fixture("cnn", tmp_path, drop_name),
               r"layer 'dense' expects 2 weight\(s\) \['kernel', 'bias'\], the file has 1")


def test_non_numeric_weights_and_links_are_refused(tmp_path: Any) -> None:
    def text(f: h5py.File) -> None:
        path = weight_path(f, "dense", "bias")
        del f[path]
        f.create_dataset(path, data=np.array([b"a", b"b", b"c"]))

    load_fails(copy_fixture("cnn", tmp_path, text), "has dtype .* not numbers")
    other = str(tmp_path / "other.h5")
    with h5py.File(other, "w") as f:
        f.create_dataset("bias", data=np.zeros(3, np.float32))

    def link(f: h5py.File) -> None:
        path = weight_path(f, "dense", "bias")
        del f[path]
        f[path] = h5py.ExternalLink(other, "bias")

    load_fails(copy_fixture("cnn", tmp_path, link), "ExternalLink; links are not allowed")


def test_strict_and_non_strict(tmp_path: Any) -> None:
    def extra(f: h5py.File) -> None:
        group = f["model_weights"].create_group("ghost")
        group.attrs["weight_names"] = np.asarray([b"ghost/kernel"])
        group.create_dataset("ghost/kernel", data=np.ones((2, 2), np.float32))
        names = [str(n) for n in f["model_weights"].attrs["layer_names"]] + ["ghost"]
        f["model_weights"].attrs["layer_names"] = np.asarray([n.encode() for n in names])

    path = copy_fixture("cnn", tmp_path, extra)
    load_fails(path, r"weights for layer\(s\) \['ghost'\] that the model does not have")
    model = load_h5(path, strict=False)
    reference = load_h5(fixture("cnn"))
    for w, ref in zip(model.weights, reference.weights):
        np.testing.assert_array_equal(w.numpy(), ref.numpy())
    model.dispose()

    def missing(f: h5py.File) -> None:
        f["model_weights/dense"].attrs["weight_names"] = np.asarray([], dtype="S1")

    path = copy_fixture("cnn", tmp_path, missing)
    load_fails(path, "layer 'dense' has 2 weight.* but the file has none for it")
    model = load_h5(path, strict=False)  # dense keeps its initial values, the others load
    np.testing.assert_array_equal(model.layers[0].weights[0].numpy(),
                                  reference.layers[0].weights[0].numpy())
    assert not np.array_equal(model.get_layer("dense").weights[0].numpy(),
                              reference.get_layer("dense").weights[0].numpy())
    model.dispose()
    reference.dispose()

    def top_level(f: h5py.File) -> None:
        group = f["model_weights/top_level_model_weights"]
        group.attrs["weight_names"] = np.asarray([b"seed"])
        group.create_dataset("seed", data=np.zeros(2, np.float32))

    path = copy_fixture("cnn", tmp_path, top_level)
    load_fails(path, "top-level model weights")
    load_h5(path, strict=False).dispose()


def test_a_failed_build_disposes_the_weights_already_created(tmp_path: Any) -> None:
    # The config is valid layer by layer, but the second Dense cannot take the first's output
    # (a Dense cannot follow a Flatten of a rank-1 input): the first layers' weights are built.
    def break_graph(c: dict[str, Any]) -> None:
        c["config"]["layers"][-1]["class_name"] = "Conv1D"
        c["config"]["layers"][-1]["config"] = {"name": "dense", "filters": 2, "kernel_size": 3}

    load_fails(copy_fixture("cnn", tmp_path, edit_config(break_graph)),
               "cannot be built from its config")


H5_LAYER_CASES = [(name, seq) for name in io_zoo.layer_types() for seq in (True, False)
                  if not (seq and len(io_zoo.RECIPES.get(name, (None, None, [0]))[2]) > 1)]


@pytest.mark.parametrize("name,sequential", H5_LAYER_CASES,
                         ids=[f"{n}-{'seq' if s else 'fn'}" for n, s in H5_LAYER_CASES])
def test_every_layer_type_round_trips_through_hdf5(name: str, sequential: bool,
                                                   tmp_path: Any) -> None:
    model = io_zoo.layer_model(name, sequential)
    model.save(str(tmp_path / "m.h5"))
    loaded = tf.load_layers_model(str(tmp_path / "m.h5"))
    assert [w.original_name for w in loaded.weights] == [w.original_name for w in model.weights]
    xs = io_zoo.inputs_for(model)
    for want, got in zip(io_zoo.predict(model, xs), io_zoo.predict(loaded, xs)):
        np.testing.assert_array_equal(got, want)
    model.dispose()
    loaded.dispose()


def test_keras3_wrappers_load_as_one_layer_each_and_predict_like_keras() -> None:
    """Keras 3 writes a Bidirectional as its two halves ('forward_lstm', 'backward_lstm');
    minitf keeps the one LSTM, as TF.js does, and gets Keras's numbers."""
    with open(os.path.join(FIXTURES, "keras3_wrappers.json")) as f:
        expected = json.load(f)
    model = load_h5(fixture("keras3_wrappers"))
    assert [type(layer).__name__ for layer in model.layers] == [
        "TimeDistributed", "Bidirectional", "Bidirectional"]
    assert model.layers[1].layer.name == "lstm" and model.layers[2].merge_mode == "sum"
    out = model.predict(tf.tensor(np.array(expected["input"], np.float32))).numpy()
    np.testing.assert_allclose(out, expected["output"], rtol=1e-5, atol=1e-6)
    model.dispose()
