"""The functional API: symbolic tensors, graphs with several inputs/outputs, shared layers,
nested models, and config round trips."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.serialization import deserialize, serialize


def test_symbolic_calls_record_nodes_and_shapes() -> None:
    inp = tf.input(shape=[5])
    layer = tf.layers.dense(units=3)
    out = layer.apply(inp)
    assert out.shape == (None, 3) and out.source_layer is layer
    assert layer.input is inp and layer.output is out
    assert layer.input_shape == (None, 5) and layer.output_shape == (None, 3)
    eager = layer(tf.ones([2, 5]))  # the same layer computes on tensors
    assert eager.shape == (2, 3)


def test_two_inputs_two_outputs_and_a_shared_layer() -> None:
    a, b = tf.input(shape=[4], name="left"), tf.input(shape=[4], name="right")
    shared = tf.layers.dense(units=2, name="shared")
    ha, hb = shared.apply(a), shared.apply(b)
    out1 = tf.layers.dense(units=1, name="head1").apply(ha)
    out2 = tf.layers.dense(units=1, name="head2").apply(hb)
    model = tf.model(inputs=[a, b], outputs=[out1, out2])
    assert model.input_names == ["left", "right"] and model.output_names == ["head1", "head2"]
    assert len(shared.inbound_nodes) == 2
    xa, xb = np.ones((3, 4), np.float32), np.zeros((3, 4), np.float32)
    p1, p2 = model.predict([xa, xb])
    kernel, bias = shared.get_weights()
    w1, b1 = model.get_layer("head1").get_weights()
    np.testing.assert_allclose(p1.numpy(), (xa @ kernel + bias) @ w1 + b1, rtol=1e-5)
    assert p2.shape == (3, 1)
    assert model.count_params() == 4 * 2 + 2 + 2 * 1 + 1 + 2 * 1 + 1
    summary: list[str] = []
    model.summary(print_fn=summary.append)
    assert len(summary[0]) == 115 and "Receives inputs" in summary[1]
    assert any("shared[0][0]" in line for line in summary)
    assert any("shared[1][0]" in line for line in summary)


def test_tfjs_config_dicts_for_input_and_model() -> None:
    inp = tf.input({"shape": [3], "name": "cfg_in"})
    out = tf.layers.dense({"units": 2}).apply(inp)
    model = tf.model({"inputs": inp, "outputs": out, "name": "cfg_model"})
    assert model.name == "cfg_model" and model.inputs[0].shape == (None, 3)


def test_disconnected_graph_is_a_clear_error() -> None:
    a, b = tf.input(shape=[2]), tf.input(shape=[2])
    out = tf.layers.dense(units=1).apply(b)
    with pytest.raises(ValueError, match="graph disconnected"):
        tf.model(inputs=a, outputs=out)


def test_nested_model_as_a_layer() -> None:
    inner = tf.sequential([tf.layers.dense(units=3, input_shape=[4], activation="relu")])
    inp = tf.input(shape=[4])
    out = tf.layers.dense(units=1).apply(inner.apply(inp))
    outer = tf.model(inputs=inp, outputs=out)
    assert outer.count_params() == inner.count_params() + 4
    x = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    expected = outer.layers[-1](inner.predict(x)).numpy()
    np.testing.assert_allclose(outer.predict(x).numpy(), expected, rtol=1e-5)
    inner.trainable = False
    assert len(outer.trainable_weights) == 2


def test_functional_config_round_trip_rebuilds_the_same_graph() -> None:
    a, b = tf.input(shape=[4]), tf.input(shape=[4])
    shared = tf.layers.dense(units=2, activation="tanh")
    out = tf.layers.dense(units=1).apply(
        tf.layers.dense(units=2).apply(shared.apply(a)))
    side = shared.apply(b)
    model = tf.model(inputs=[a, b], outputs=[out, side])
    spec = serialize(model)
    assert spec["class_name"] == "Model"
    clone = deserialize(spec, "layers")
    clone.set_weights(model.get_weights())
    x = [np.ones((2, 4), np.float32), np.full((2, 4), 0.5, np.float32)]
    for got, want in zip(clone.predict(x), model.predict(x)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_sequential_config_round_trip() -> None:
    model = tf.sequential([tf.layers.dense(units=3, input_shape=[2], activation="relu"),
                           tf.layers.dense(units=1)])
    spec = serialize(model)
    assert spec["class_name"] == "Sequential"
    assert spec["config"]["layers"][0]["config"]["batch_input_shape"] == [None, 2]
    clone = deserialize(spec, "layers")
    clone.set_weights(model.get_weights())
    x = np.array([[1.0, -1.0]], np.float32)
    np.testing.assert_allclose(clone.predict(x).numpy(), model.predict(x).numpy())


def test_sequential_add_pop_and_errors() -> None:
    model = tf.sequential()
    first = tf.layers.dense(units=4, input_shape=[3])
    model.add(first)
    model.add(tf.layers.dense(units=2))
    assert model.outputs[0].shape == (None, 2)
    model.pop()
    assert model.outputs[0].shape == (None, 4) and len(model.layers) == 1
    with pytest.raises(ValueError, match="already in the model"):
        model.add(first)
    with pytest.raises(TypeError, match="expected a layer"):
        model.add("dense")


def test_default_names_follow_tfjs() -> None:
    from minitf.layers.base import default_layer_name

    name = tf.layers.dense(units=1).name
    assert name.startswith("dense_Dense")
    n = int(name.removeprefix("dense_Dense"))
    assert tf.layers.dense(units=1).name == f"dense_Dense{n + 1}"
    assert default_layer_name("MaxPooling2D").startswith("max_pooling2d_MaxPooling2D")
    assert default_layer_name("LeakyReLU").startswith("leaky_re_lu_LeakyReLU")
    assert tf.sequential().name.startswith("sequential_")
    assert tf.input(shape=[1]).source_layer.name.startswith("input")
