"""Recurrent layers and cells: shapes, outputs and gradients against NumPy recurrences written
here, masking, dropout, configs, errors, and real TF.js golden results."""
from __future__ import annotations

import itertools
import json
import os

import numpy as np
import pytest
from gradcheck import check_gradients

import minitf as tf
from minitf.serialization import deserialize, serialize

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tfjs", "layers",
                        "layers.json")
KINDS = ["simple_rnn", "lstm", "gru"]
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


# -- NumPy references, one step per cell ----------------------------------------------------------
ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "hard_sigmoid": lambda z: np.clip(0.2 * z + 0.5, 0, 1),
    "linear": lambda z: z,
}


def np_simple_rnn_step(x, states, kernel, recurrent, bias, act, ract):
    h = act(x @ kernel + bias + states[0] @ recurrent)
    return h, [h]


def np_lstm_step(x, states, kernel, recurrent, bias, act, ract):
    h, c = states
    zi, zf, zc, zo = np.split(x @ kernel + h @ recurrent + bias, 4, axis=1)
    c = ract(zf) * c + ract(zi) * act(zc)
    h = ract(zo) * act(c)
    return h, [h, c]


def np_gru_step(x, states, kernel, recurrent, bias, act, ract):
    h = states[0]
    u = h.shape[1]
    xz, xr, xh = np.split(x @ kernel + bias, 3, axis=1)
    z = ract(xz + h @ recurrent[:, :u])
    r = ract(xr + h @ recurrent[:, u:2 * u])
    hh = act(xh + (r * h) @ recurrent[:, 2 * u:])
    h = z * h + (1 - z) * hh
    return h, [h]


STEPS = {"simple_rnn": np_simple_rnn_step, "lstm": np_lstm_step, "gru": np_gru_step}


def np_rnn(kind, x, weights, activation="tanh", recurrent_activation="hard_sigmoid",
           initial=None, go_backwards=False, mask=None):
    """Per-step outputs [batch, time, units] in processing order and the final states."""
    kernel, recurrent = (np.asarray(w, np.float64) for w in weights[:2])
    units = recurrent.shape[0]
    bias = np.asarray(weights[2], np.float64) if len(weights) == 3 else 0.0
    act, ract = ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]
    n_states = 2 if kind == "lstm" else 1
    states = initial or [np.zeros((x.shape[0], units))] * n_states
    times = range(x.shape[1])
    outputs = []
    for t in (reversed(times) if go_backwards else times):
        out, new = STEPS[kind](x[:, t], states, kernel, recurrent, bias, act, ract)
        if mask is not None:  # a masked step carries the previous output and states
            keep = mask[:, t, None].astype(bool)
            out = np.where(keep, out, states[0])
            new = [np.where(keep, n, s) for n, s in zip(new, states)]
        outputs.append(out)
        states = new
    return np.stack(outputs, axis=1), states


def random_weights(kind, features, units, use_bias=True, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    width = GATES[kind] * units
    shapes = [(features, width), (units, width)] + ([(width,)] if use_bias else [])
    return [(scale * rng.standard_normal(s)).astype(np.float32) for s in shapes]


def make_layer(kind, units=3, features=2, seed=0, **config):
    layer = getattr(tf.layers, kind)(units=units, **config)
    layer.maybe_build((None, 4, features))
    layer.set_weights(random_weights(kind, features, units, config.get("use_bias", True), seed))
    return layer


def sequence(shape=(2, 4, 2), seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


def as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


# -- shapes -----------------------------------------------------------------------------------
COMBOS = list(itertools.product(KINDS, [False, True], [False, True], [False, True]))


def expected_shapes(kind, return_sequences, return_state, batch=2, time=4, units=3):
    out = (batch, time, units) if return_sequences else (batch, units)
    states = [(batch, units)] * (2 if kind == "lstm" else 1)
    return [out, *states] if return_state else [out]


@pytest.mark.parametrize("kind,return_sequences,return_state,go_backwards", COMBOS)
def test_shapes_eager_and_symbolic(kind, return_sequences, return_state, go_backwards):
    options = dict(return_sequences=return_sequences, return_state=return_state,
                   go_backwards=go_backwards)
    layer = getattr(tf.layers, kind)(units=3, **options)
    out = layer.apply(tf.ones([2, 4, 2]))
    want = expected_shapes(kind, return_sequences, return_state)
    assert isinstance(out, list) == return_state
    assert [t.shape for t in as_list(out)] == want
    symbolic = [(None, *s[1:]) for s in want]
    computed = layer.compute_output_shape((None, 4, 2))
    assert (computed if return_state else [computed]) == symbolic

    inp = tf.input(shape=[4, 2])
    sym = getattr(tf.layers, kind)(units=3, **options).apply(inp)
    assert [s.shape for s in as_list(sym)] == symbolic
    model = tf.model(inputs=inp, outputs=sym)
    assert [t.shape for t in as_list(model.predict(tf.ones([2, 4, 2])))] == want


def test_unknown_time_dimension_in_a_model():
    inp = tf.input(shape=[None, 2])
    out = tf.layers.lstm(units=3, return_sequences=True).apply(inp)
    assert out.shape == (None, None, 3)
    model = tf.model(inputs=inp, outputs=out)
    assert model.predict(tf.ones([2, 7, 2])).shape == (2, 7, 3)
    assert model.predict(tf.ones([1, 2, 2])).shape == (1, 2, 3)


# -- outputs against NumPy --------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_outputs_match_numpy(kind, go_backwards):
    layer = make_layer(kind, return_sequences=True, return_state=True, go_backwards=go_backwards)
    x = sequence()
    out, *states = layer.apply(tf.tensor(x.astype(np.float32)))
    want, want_states = np_rnn(kind, x.astype(np.float32), layer.get_weights(),
                               go_backwards=go_backwards)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-6)
    for got, exp in zip(states, want_states):
        np.testing.assert_allclose(got.numpy(), exp, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(states[0].numpy(), want[:, -1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_activations_and_no_bias_match_numpy(kind):
    config = {"activation": "relu", "use_bias": False}
    if kind != "simple_rnn":
        config["recurrent_activation"] = "sigmoid"
    layer = make_layer(kind, **config)
    assert len(layer.weights) == 2
    x = sequence()
    want, _ = np_rnn(kind, x, layer.get_weights(), "relu", config.get("recurrent_activation",
                                                                      "hard_sigmoid"))
    np.testing.assert_allclose(layer.apply(tf.tensor(x)).numpy(), want[:, -1], rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_initial_state_as_keyword_and_in_the_inputs_list(kind):
    layer = make_layer(kind, return_state=True)
    x = sequence()
    initial = [np.random.default_rng(5 + i).standard_normal((2, 3)) for i in
               range(2 if kind == "lstm" else 1)]
    states = [tf.tensor(s) for s in initial]
    out, *_ = layer.apply(tf.tensor(x), initial_state=states)
    out_list, *_ = layer.apply([tf.tensor(x), *states])
    want, _ = np_rnn(kind, x, layer.get_weights(), initial=initial)
    np.testing.assert_allclose(out.numpy(), want[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out_list.numpy(), out.numpy())


def test_symbolic_initial_state_becomes_a_model_input():
    x_in, h_in = tf.input(shape=[4, 2]), tf.input(shape=[3])
    layer = tf.layers.gru(units=3)
    model = tf.model(inputs=[x_in, h_in], outputs=layer.apply(x_in, initial_state=h_in))
    x, h0 = sequence(), np.random.default_rng(3).standard_normal((2, 3))
    want, _ = np_rnn("gru", x, layer.get_weights(), initial=[h0])
    got = model.predict([tf.tensor(x.astype(np.float32)), tf.tensor(h0.astype(np.float32))])
    np.testing.assert_allclose(got.numpy(), want[:, -1], rtol=1e-5, atol=1e-6)


def test_unit_forget_bias_puts_ones_in_the_forget_block():
    bias = tf.layers.lstm(units=2, unit_forget_bias=True)
    bias.maybe_build((None, 3, 4))
    np.testing.assert_array_equal(bias.get_weights()[2], [0, 0, 1, 1, 0, 0, 0, 0])
    plain = tf.layers.lstm(units=2)  # TF.js: off unless set (Keras: on by default)
    plain.maybe_build((None, 3, 4))
    np.testing.assert_array_equal(plain.get_weights()[2], np.zeros(8))


@pytest.mark.parametrize("kind", KINDS)
def test_cell_one_step_matches_numpy(kind):
    cell = getattr(tf.layers, f"{kind}_cell")(units=3)
    n_states = 2 if kind == "lstm" else 1
    rng = np.random.default_rng(2)
    x, states = rng.standard_normal((2, 2)), [rng.standard_normal((2, 3)) for _ in
                                              range(n_states)]
    cell.maybe_build((None, 2))
    cell.set_weights(random_weights(kind, 2, 3))
    outs = cell.apply([tf.tensor(x), *[tf.tensor(s) for s in states]])
    assert len(outs) == 1 + n_states
    weights = [w.astype(np.float64) for w in cell.get_weights()]
    want, want_states = STEPS[kind](x, states, *weights, np.tanh, ACTIVATIONS["hard_sigmoid"])
    for got, exp in zip(outs, [want, *want_states]):
        np.testing.assert_allclose(got.numpy(), exp, rtol=1e-5, atol=1e-6)
    assert cell.compute_output_shape([(None, 2)] + [(None, 3)] * n_states) == \
        [(None, 3)] * (1 + n_states)


def test_rnn_over_a_cell_and_over_stacked_cells():
    x = sequence()
    layer = tf.layers.rnn(cell=tf.layers.gru_cell(units=3), return_sequences=True)
    layer.maybe_build((None, 4, 2))
    layer.set_weights(random_weights("gru", 2, 3))
    want, _ = np_rnn("gru", x, layer.get_weights())
    np.testing.assert_allclose(layer.apply(tf.tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)

    stacked = tf.layers.rnn(cell=[tf.layers.lstm_cell(units=3), tf.layers.simple_rnn_cell(
        units=2)], return_state=True)
    stacked.maybe_build((None, 4, 2))
    lstm_w, simple_w = random_weights("lstm", 2, 3, seed=3), random_weights("simple_rnn", 3, 2)
    stacked.set_weights(lstm_w + simple_w)
    assert [w.name.split("/", 1)[1] for w in stacked.weights][::3] == \
        ["RNNCell_0/kernel", "RNNCell_1/kernel"]
    hidden, (h1, c1) = np_rnn("lstm", x, lstm_w)
    want, (h2,) = np_rnn("simple_rnn", hidden, simple_w)
    out, *states = stacked.apply(tf.tensor(x))
    np.testing.assert_allclose(out.numpy(), want[:, -1], rtol=1e-5, atol=1e-6)
    # States are flat, last cell first: [h2, h1, c1].
    for got, exp in zip(states, [h2, h1, c1]):
        np.testing.assert_allclose(got.numpy(), exp, rtol=1e-5, atol=1e-6)


# -- masking ----------------------------------------------------------------------------------
MASK = np.array([[1, 0, 1, 1], [0, 1, 1, 0]], dtype=bool)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_masked_steps_carry_the_state(kind, go_backwards):
    layer = make_layer(kind, return_sequences=True, return_state=True, go_backwards=go_backwards)
    x = sequence()
    out, *states = layer.apply(tf.tensor(x), mask=tf.tensor(MASK))
    want, want_states = np_rnn(kind, x, layer.get_weights(), go_backwards=go_backwards,
                               mask=MASK)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-6)
    for got, exp in zip(states, want_states):
        np.testing.assert_allclose(got.numpy(), exp, rtol=1e-5, atol=1e-6)
    assert layer.compute_mask(None, tf.tensor(MASK))[0] is not None


def test_mask_from_embedding_reaches_the_rnn_in_a_model():
    if not hasattr(tf.layers, "embedding"):
        pytest.skip("embedding layer not available")
    ids = np.array([[3, 1, 0, 0], [2, 4, 5, 0]], dtype=np.int32)
    inp = tf.input(shape=[4], dtype="int32")
    emb = tf.layers.embedding(input_dim=6, output_dim=2, mask_zero=True)
    rnn = tf.layers.lstm(units=3, return_sequences=True)
    model = tf.model(inputs=inp, outputs=rnn.apply(emb.apply(inp)))
    rnn.set_weights(random_weights("lstm", 2, 3))
    got = model.predict(tf.tensor(ids, dtype="int32")).numpy()
    vectors = emb.get_weights()[0][ids].astype(np.float64)
    want, _ = np_rnn("lstm", vectors, rnn.get_weights(), mask=ids != 0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got[0, 2], got[0, 1])  # padding repeats the last output


def test_compute_mask_passes_on_only_with_sequences():
    mask = tf.tensor(MASK)
    assert tf.layers.gru(units=2).compute_mask(None, mask) is None
    assert tf.layers.gru(units=2, return_sequences=True).compute_mask(None, mask) is mask
    assert tf.layers.lstm(units=2, return_state=True).compute_mask(None, mask) == \
        [None, None, None]


# -- gradients through time -------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("options", [{}, {"go_backwards": True, "return_sequences": True},
                                     {"return_state": True}])
def test_input_gradients_by_central_differences(kind, options):
    layer = make_layer(kind, units=2, **options)
    check_gradients(lambda x: layer.apply(x), [sequence((2, 3, 2))], atol=1e-7)


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_through_masks_and_initial_state(kind):
    layer = make_layer(kind, units=2, return_sequences=True)
    mask = tf.tensor(np.array([[1, 0, 1], [1, 1, 0]], dtype=bool))
    n_states = 2 if kind == "lstm" else 1
    states = [np.random.default_rng(4 + i).standard_normal((2, 2)) for i in range(n_states)]
    check_gradients(lambda x, *s: layer.apply(x, mask=mask, initial_state=list(s)),
                    [sequence((2, 3, 2)), *states], atol=1e-7)


def np_loss(kind, x, weights, r, **options):
    out, _ = np_rnn(kind, x, weights, **options)
    return float(np.sum(out * r))


@pytest.mark.parametrize("kind", KINDS)
def test_weight_gradients_against_numpy_differences(kind):
    """minitf's backprop through time for every weight element against central differences
    of the NumPy recurrence (float64 inputs; float32 weights are exact in float64)."""
    layer = make_layer(kind, units=2, return_sequences=True, go_backwards=True)
    x = sequence((2, 3, 2))
    r = np.random.default_rng(9).standard_normal((2, 3, 2))
    mask = np.array([[1, 1, 0], [0, 1, 1]], dtype=bool)

    def loss(xt):
        return tf.sum(tf.mul(layer.apply(xt, mask=tf.tensor(mask)), tf.tensor(r)))

    grads = tf.grads(lambda xt, *ws: loss(xt))([tf.tensor(x), *layer.weights])
    weights = [w.astype(np.float64) for w in layer.get_weights()]
    for j, (g, name) in enumerate(zip(grads[1:], ["kernel", "recurrent_kernel", "bias"])):
        numeric = np.zeros_like(weights[j])
        for idx in np.ndindex(weights[j].shape):
            plus = [v.copy() for v in weights]
            minus = [v.copy() for v in weights]
            plus[j][idx] += 1e-6
            minus[j][idx] -= 1e-6
            numeric[idx] = (np_loss(kind, x, plus, r, go_backwards=True, mask=mask)
                            - np_loss(kind, x, minus, r, go_backwards=True, mask=mask)) / 2e-6
        np.testing.assert_allclose(g.numpy(), numeric, rtol=1e-5, atol=1e-6, err_msg=name)


# -- dropout ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_dropout_only_when_training(kind):
    tf.set_seed(7)  # the masks are random: a fixed seed keeps the test deterministic
    layer = make_layer(kind, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)
    x = tf.tensor(sequence().astype(np.float32))
    want, _ = np_rnn(kind, sequence().astype(np.float32), layer.get_weights())
    for training in (None, False):
        np.testing.assert_allclose(layer.apply(x, training=training).numpy(), want, rtol=1e-5,
                                   atol=1e-6)
    assert not np.allclose(layer.apply(x, training=True).numpy(), want, atol=1e-3)


def test_dropout_mask_is_the_same_at_every_step():
    # Linear cell with an identity kernel and no recurrence: h_t = x_t * mask = mask for x = 1.
    tf.set_seed(8)
    layer = tf.layers.simple_rnn(units=50, activation="linear", use_bias=False, dropout=0.5,
                                 return_sequences=True, kernel_initializer="identity",
                                 recurrent_initializer="zeros")
    out = layer.apply(tf.ones([3, 4, 50]), training=True).numpy()
    assert set(np.unique(out)) == {0.0, 2.0}
    for t in range(1, 4):
        np.testing.assert_array_equal(out[:, t], out[:, 0])
    assert not np.array_equal(layer.apply(tf.ones([3, 4, 50]), training=True).numpy(), out)


def test_rates_are_clipped_and_rate_one_is_no_dropout():
    layer = tf.layers.gru(units=2, dropout=1.5, recurrent_dropout=-1)
    assert (layer.cell.dropout, layer.cell.recurrent_dropout) == (1.0, 0.0)
    layer = make_layer("gru", dropout=1)
    x = tf.tensor(sequence().astype(np.float32))
    np.testing.assert_allclose(layer.apply(x, training=True).numpy(), layer.apply(x).numpy())


# -- weights, training, memory ------------------------------------------------------------------
def test_weights_are_named_after_the_layer_and_follow_trainable():
    layer = tf.layers.lstm(units=2, name="my_lstm", kernel_regularizer="l2")
    layer.maybe_build((None, 3, 4))
    assert [w.name for w in layer.weights] == ["my_lstm/kernel", "my_lstm/recurrent_kernel",
                                               "my_lstm/bias"]
    assert [w.shape for w in layer.weights] == [(4, 8), (2, 8), (8,)]
    assert layer.units == 2 and layer.count_params() == 56
    assert layer.regularization_loss() is not None
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 3
    layer.dispose()
    assert layer.weights == [] and layer.cell.weights == []


def test_training_with_dropout_and_mask_leaks_nothing(no_leaks):
    layer = make_layer("lstm", dropout=0.3, recurrent_dropout=0.3, return_state=True)
    x, mask = tf.tensor(sequence()), tf.tensor(MASK)
    tf.dispose(layer.apply(x, mask=mask, training=True))
    tf.dispose(tf.grads(lambda xt: tf.sum(layer.apply(xt, mask=mask, training=True)[0]))([x]))
    tf.dispose([x, mask])
    layer.dispose()


def test_an_lstm_model_learns_and_does_not_leak():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 5, 2)).astype(np.float32)
    y = x[:, :, :1].sum(axis=1)
    model = tf.sequential()
    model.add(tf.layers.lstm(units=4, input_shape=[5, 2]))
    model.add(tf.layers.dense(units=1))
    model.compile(optimizer=tf.train.adam(0.05), loss="meanSquaredError")
    history = model.fit(tf.tensor(x), tf.tensor(y), epochs=8, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0]
    xt = tf.tensor(x)
    before = tf.memory().num_tensors
    model.predict(xt).dispose()
    assert tf.memory().num_tensors == before


# -- configs ----------------------------------------------------------------------------------
def strip(config, keys=("name", "dtype")):
    """The config without the keys that depend on the process (names) or on minitf (dtype)."""
    if isinstance(config, dict):
        return {k: strip(v, keys) for k, v in config.items() if k not in keys}
    if isinstance(config, list):
        return [strip(v, keys) for v in config]
    return config


@pytest.mark.parametrize("make", [
    lambda: tf.layers.simple_rnn(units=3, activation="relu", dropout=0.2, go_backwards=True),
    lambda: tf.layers.lstm({"units": 2, "unitForgetBias": True, "returnState": True,
                            "recurrentActivation": "sigmoid", "kernelRegularizer": "l1"}),
    lambda: tf.layers.gru(units=2, return_sequences=True, use_bias=False, input_shape=[3, 4]),
    lambda: tf.layers.rnn(cell=tf.layers.lstm_cell(units=2), unroll=True),
    lambda: tf.layers.rnn(cell=[tf.layers.gru_cell(units=2), tf.layers.simple_rnn_cell(units=3)]),
    lambda: tf.layers.lstm_cell(units=2, recurrent_dropout=0.1),
], ids=["simple_rnn", "lstm", "gru", "rnn", "rnn_stacked", "lstm_cell"])
def test_config_round_trip(make):
    layer = make()
    spec = serialize(layer)
    again = deserialize(json.loads(json.dumps(spec)), "layers")
    assert type(again) is type(layer)
    assert serialize(again) == spec
    if spec["class_name"].endswith("Cell"):
        x = [tf.ones([2, 4]), tf.ones([2, 2]), tf.ones([2, 2])]
    else:
        x = tf.tensor(sequence((2, 3, 4)).astype(np.float32))
    first = as_list(layer.apply(x))
    again.maybe_build([t.shape for t in x] if isinstance(x, list) else x.shape)
    again.set_weights(layer.get_weights())
    for a, b in zip(first, as_list(again.apply(x))):
        np.testing.assert_allclose(a.numpy(), b.numpy())


def test_rnn_config_carries_the_cell_keys_as_tfjs_does():
    config = tf.layers.lstm(units=2).get_config()
    assert list(config)[:2] == ["name", "trainable"]  # no dtype without an input shape
    assert list(config)[-5:] == ["return_sequences", "return_state", "go_backwards",
                                 "stateful", "unroll"]
    assert config["unit_forget_bias"] is None and config["implementation"] is None
    assert config["recurrent_activation"] == "hard_sigmoid"
    assert config["kernel_initializer"]["class_name"] == "VarianceScaling"
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"
    rnn_config = tf.layers.rnn(cell=tf.layers.gru_cell(units=2)).get_config()
    assert rnn_config["cell"]["class_name"] == "GRUCell" and rnn_config["units"] == 2


def test_model_with_rnn_round_trips_through_its_config():
    inp = tf.input(shape=[4, 2])
    out, h, c = tf.layers.lstm(units=3, return_sequences=True, return_state=True).apply(inp)
    model = tf.model(inputs=inp, outputs=[out, c])
    again = deserialize(json.loads(json.dumps(serialize(model))), "layers")
    again.set_weights(model.get_weights())
    x = tf.tensor(sequence().astype(np.float32))
    for a, b in zip(model.predict(x), again.predict(x)):
        np.testing.assert_allclose(a.numpy(), b.numpy())


# -- errors ---------------------------------------------------------------------------------------
def test_errors_are_named_clearly():
    with pytest.raises(ValueError, match=r"rank 3 \[batch, time, features\], got shape \[2, 3\]"):
        tf.layers.lstm(units=2).apply(tf.ones([2, 3]))
    with pytest.raises(ValueError, match="rank 3"):
        tf.layers.gru(units=2).apply(tf.input(shape=[3, 4, 5]))
    with pytest.raises(ValueError, match="reset_after"):
        tf.layers.gru({"units": 2, "resetAfter": True})
    with pytest.raises(ValueError, match="reset_after"):
        tf.layers.gru_cell(units=2, reset_after=True)
    with pytest.raises(NotImplementedError, match="stateful"):
        tf.layers.simple_rnn(units=2, stateful=True)
    with pytest.raises(ValueError, match="units must be a positive int"):
        tf.layers.lstm(units=0)
    with pytest.raises(TypeError, match="unknown argument"):
        tf.layers.gru(units=2, bogus=1)
    layer = make_layer("lstm")
    x = tf.ones([2, 4, 2])
    with pytest.raises(ValueError, match=r"2 state\(s\) but was given 1"):
        layer.apply(x, initial_state=[tf.zeros([2, 3])])
    with pytest.raises(ValueError, match=r"initial state 1 must have shape \[2, 3\]"):
        layer.apply(x, initial_state=[tf.zeros([2, 3]), tf.zeros([2, 4])])
    with pytest.raises(ValueError, match="not both"):
        layer.apply([x, tf.zeros([2, 3]), tf.zeros([2, 3])], initial_state=[tf.zeros([2, 3])])
    with pytest.raises(ValueError, match=r"mask of shape \[2, 4\]"):
        layer.apply(x, mask=tf.ones([2, 3], dtype="bool"))
    with pytest.raises(ValueError, match=r"step input of shape \[batch, 2\]"):
        layer.apply(tf.ones([2, 4, 5]))
    with pytest.raises(ValueError, match="expects 1 state"):
        make_layer("gru").cell.apply([tf.ones([2, 2])])
    with pytest.raises(TypeError, match=r"unknown call argument\(s\) \['bogus'\]"):
        layer.apply(x, bogus=1)
    with pytest.raises(ValueError, match="state_size"):
        tf.layers.rnn(cell=tf.layers.dense(units=2))


# -- TF.js golden results ---------------------------------------------------------------------
FACTORIES = {"simpleRNN": "simple_rnn", "lstm": "lstm", "gru": "gru", "rnn": "rnn",
             "simpleRNNCell": "simple_rnn_cell", "lstmCell": "lstm_cell", "gruCell": "gru_cell"}


def _fixture() -> dict:
    if not os.path.exists(FIXTURES):
        return {"cases": [], "error_cases": []}
    with open(FIXTURES) as f:
        return json.load(f)


GOLDEN = [c for c in _fixture()["cases"] if c["factory"] in FACTORIES]
GOLDEN_ERRORS = [c for c in _fixture()["error_cases"] if c["factory"] in FACTORIES]


def array(record):
    dtype = "bool" if record["dtype"] == "bool" else record["dtype"]
    return np.array(record["values"], dtype=dtype).reshape(record["shape"])


def tfjs_layer(case):
    config = dict(case["config"])
    if "cell" in case:
        specs = case["cell"] if isinstance(case["cell"], list) else [case["cell"]]
        cells = [getattr(tf.layers, FACTORIES[s["factory"]])(s["config"]) for s in specs]
        config["cell"] = cells if isinstance(case["cell"], list) else cells[0]
    return getattr(tf.layers, FACTORIES[case["factory"]])(config)


@pytest.mark.skipif(not GOLDEN, reason="TF.js layer fixtures not generated")
@pytest.mark.parametrize("case", GOLDEN, ids=[c["id"] for c in GOLDEN])
def test_tfjs_golden(case):
    layer = tfjs_layer(case)
    is_cell = case["factory"].endswith("Cell")
    xs = [tf.tensor(array(r)) for r in case["inputs"]]
    states = [tf.tensor(array(r)) for r in case.get("initial_state", [])]
    kwargs = {}
    if states:
        kwargs["initial_state"] = states
    if "mask_input" in case:
        kwargs["mask"] = tf.tensor(array(case["mask_input"]))
    x = xs if is_cell else xs[0]
    shapes = [tuple(t.shape) for t in xs]
    layer.maybe_build(shapes if is_cell else shapes[0])
    layer.set_weights([array(w) for w in case["weights"]])
    assert [w.shape for w in layer.weights] == [tuple(w["shape"]) for w in case["weights"]]
    if not is_cell:
        assert [w.name.split("/", 1)[1] for w in layer.weights] == \
            [w["name"].split("/", 1)[1] for w in case["weights"]]
        got_shape = layer.compute_output_shape(shapes[0])
        assert json.loads(json.dumps(got_shape)) == case["compute_output_shape"]
        assert strip(layer.get_config()) == strip(case["serialized"]["config"])
    else:
        assert strip(layer.get_config()) == strip(case["serialized"]["config"])
        assert layer.state_size == case["cell_state_size"]

    # The layer TF.js saved (snake_case JSON) loads to the same configuration.
    saved = case["serialized"]
    loaded = deserialize({"class_name": case["class_name"], "config": saved["config"]}, "layers")
    assert strip(serialize(loaded)["config"]) == strip(saved["config"])

    outs = as_list(layer.apply(x, **kwargs))
    expected = case["outputs"]["inference"]
    assert len(outs) == len(expected)
    for got, want in zip(outs, expected):
        assert list(got.shape) == want["shape"]
        np.testing.assert_allclose(got.numpy(), array(want), rtol=1e-5, atol=1e-6)

    # Gradients of sum_k sum(out_k * R_k) with respect to the inputs, initial states, weights.
    record = case["grads"][0]
    r = [tf.tensor(array(w)) for w in case["grad_output_weights"]]
    n_in = len(xs) + len(states)

    def loss(*args):
        ins, init = list(args[:len(xs)]), list(args[len(xs):n_in])
        kw = dict(kwargs, initial_state=init) if init else kwargs
        outs = as_list(layer.apply(ins if is_cell else ins[0], **kw))
        return tf.add_n([tf.sum(tf.mul(o, w)) for o, w in zip(outs, r)])

    grads = tf.grads(loss)([*xs, *states, *layer.weights])
    wanted = record["inputs"] + record["weights"]
    assert len(grads) == len(wanted)
    for got, want in zip(grads, wanted):
        np.testing.assert_allclose(got.numpy(), array(want), rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not GOLDEN_ERRORS, reason="TF.js layer fixtures not generated")
@pytest.mark.parametrize("case", GOLDEN_ERRORS, ids=[c["id"] for c in GOLDEN_ERRORS])
def test_tfjs_errors(case):
    with pytest.raises(ValueError, match="reset_after"):
        getattr(tf.layers, FACTORIES[case["factory"]])(case["config"])
