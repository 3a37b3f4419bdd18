"""TimeDistributed and Bidirectional: against the wrapped layers run by hand, their gradients
by central differences (float64), configs, masks, errors and disposal. TF.js's own outputs and
files for both are checked in tests/io/test_tfjs_golden.py (wrappers_* fixtures)."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from gradcheck import check_gradients
from minitf.layers.wrappers import Bidirectional, TimeDistributed

RNG = np.random.default_rng(0)


def sequence(shape: tuple[int, ...]) -> np.ndarray:
    return RNG.standard_normal(shape)


def test_time_distributed_is_the_layer_at_every_step() -> None:
    dense = tf.layers.dense(units=3, activation="tanh")
    layer = tf.layers.time_distributed(layer=dense)
    x = sequence((2, 4, 5)).astype(np.float32)
    y = layer.apply(tf.tensor(x)).numpy()
    assert y.shape == (2, 4, 3)
    for t in range(4):
        np.testing.assert_allclose(y[:, t], dense.apply(tf.tensor(x[:, t])).numpy(), rtol=1e-6)
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    assert layer.compute_output_shape((None, 4, 5)) == (None, 4, 3)


def test_time_distributed_over_images_in_a_model() -> None:
    model = tf.sequential()
    model.add(tf.layers.time_distributed({"layer": tf.layers.conv2d(
        {"filters": 2, "kernelSize": 3}), "inputShape": [3, 6, 6, 1]}))
    assert model.layers[0].output_shape == (None, 3, 4, 4, 2)
    assert model.predict(tf.ones([2, 3, 6, 6, 1])).shape == (2, 3, 4, 4, 2)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_is_forward_plus_reversed_backward(merge_mode) -> None:
    inner = tf.layers.lstm(units=3, return_sequences=True)
    layer = tf.layers.bidirectional(layer=inner, merge_mode=merge_mode)
    x = tf.tensor(sequence((2, 5, 4)).astype(np.float32))
    out = layer.apply(x)
    forward = tf.layers.lstm(units=3, return_sequences=True)
    backward = tf.layers.lstm(units=3, return_sequences=True, go_backwards=True)
    forward.apply(x), backward.apply(x)  # built, then given the wrapper's weights
    forward.set_weights(layer.forward_layer.get_weights())
    backward.set_weights(layer.backward_layer.get_weights())
    f = forward.apply(x).numpy()
    b = backward.apply(x).numpy()[:, ::-1]  # the backward pass returns reversed time
    want = {"concat": np.concatenate([f, b], -1), "sum": f + b, "mul": f * b,
            "ave": (f + b) / 2, None: [f, b]}[merge_mode]
    if merge_mode is None:
        for got, expected in zip(out, want):
            np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-6)


def test_bidirectional_states_shapes_and_names() -> None:
    layer = tf.layers.bidirectional(layer=tf.layers.lstm(units=2, return_state=True))
    outs = layer.apply(tf.ones([3, 4, 5]))
    assert [tuple(o.shape) for o in outs] == [(3, 4)] + [(3, 2)] * 4
    assert layer.compute_output_shape((None, 4, 5)) == [(None, 4)] + [(None, 2)] * 4
    inner = layer.layer.name
    assert [w.name for w in layer.weights][:3] == [
        f"{layer.name}/forward_{inner}/{n}" for n in ("kernel", "recurrent_kernel", "bias")]
    assert layer.count_params() == 2 * (5 * 8 + 2 * 8 + 8)
    mask = tf.ones([3, 4])
    assert layer.compute_mask(None, mask) == [None] * 5


def test_bidirectional_initial_state_is_forward_then_backward() -> None:
    layer = tf.layers.bidirectional(layer=tf.layers.gru(units=2), merge_mode=None)
    x = tf.tensor(sequence((2, 3, 2)).astype(np.float32))
    h_f, h_b = tf.tensor(np.full((2, 2), 0.5, np.float32)), tf.zeros([2, 2])
    with_state = layer.apply(x, initial_state=[h_f, h_b])
    plain = layer.apply(x)
    assert not np.allclose(with_state[0].numpy(), plain[0].numpy())  # the forward state mattered
    np.testing.assert_allclose(with_state[1].numpy(), plain[1].numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="forward layer's states, then the backward"):
        layer.apply(x, initial_state=[h_f])


@pytest.mark.parametrize("make", [
    lambda: tf.layers.time_distributed(layer=tf.layers.dense(units=2, activation="tanh")),
    lambda: tf.layers.bidirectional(layer=tf.layers.simple_rnn(units=2, return_sequences=True)),
    lambda: tf.layers.bidirectional(layer=tf.layers.gru(units=2), merge_mode="mul")])
def test_input_gradients_by_central_differences(make) -> None:
    layer = make()
    layer.apply(tf.zeros([2, 3, 2]))
    weights = layer.get_weights()
    layer.dispose()
    layer = make()
    layer.apply(tf.zeros([2, 3, 2], dtype="float64"))
    layer.set_weights([w.astype(np.float64) for w in weights])
    check_gradients(lambda x: layer.apply(x), [sequence((2, 3, 2))], atol=1e-7)


def test_configs_round_trip_in_both_spellings() -> None:
    layer = tf.layers.bidirectional({"layer": tf.layers.lstm({"units": 3, "returnSequences": True}),
                                     "mergeMode": "sum", "name": "bi"})
    config = layer.get_config()
    assert config["merge_mode"] == "sum" and config["layer"]["class_name"] == "LSTM"
    again = Bidirectional.from_config(config)
    assert again.name == "bi" and again.merge_mode == "sum" and again.return_sequences
    td = tf.layers.time_distributed({"layer": {"className": "Dense", "config": {"units": 4}}})
    assert td.layer.units == 4
    assert TimeDistributed.from_config(td.get_config()).layer.units == 4


def test_bad_arguments_name_the_layer() -> None:
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        tf.layers.bidirectional(layer=tf.layers.lstm(units=2), merge_mode="max")
    with pytest.raises(TypeError, match="must be a recurrent layer, got Dense"):
        tf.layers.bidirectional(layer=tf.layers.dense(units=2))
    with pytest.raises(TypeError, match="'layer' must be a layer"):
        tf.layers.time_distributed(layer="dense")
    with pytest.raises(ValueError, match="TimeDistributed .* rank 3 or more"):
        tf.layers.time_distributed(layer=tf.layers.dense(units=2)).apply(tf.ones([2, 3]))


def test_training_leaks_nothing_and_dispose_frees_everything() -> None:
    before = tf.memory().num_tensors
    model = tf.sequential()
    model.add(tf.layers.time_distributed({"layer": tf.layers.dense({"units": 3}),
                                          "inputShape": [4, 2]}))
    model.add(tf.layers.bidirectional({"layer": tf.layers.gru({"units": 2})}))
    model.add(tf.layers.dense({"units": 1}))
    model.compile(optimizer="adam", loss="mse")
    x, y = tf.ones([8, 4, 2]), tf.ones([8, 1])
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    after_one = tf.memory().num_tensors
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert tf.memory().num_tensors == after_one
    model.dispose()
    tf.dispose([x, y])
    assert tf.memory().num_tensors == before
