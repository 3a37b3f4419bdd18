"""The core layer families: Activation, Dropout (and spatial), Flatten, Reshape, Permute,
RepeatVector, Embedding, Masking, the noise layers and the advanced activations.

Per layer: shapes (eager and symbolic), config round trips, gradients against central
differences in float64, training vs inference, masks, clear errors, and TF.js parity against
the golden outputs in tests/fixtures/tfjs/layers/layers.json.
"""
from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from gradcheck import check_gradients
from minitf.layers.base import Layer
from minitf.serialization import deserialize, serialize, to_snake_case

L = tf.layers
RNG = np.random.default_rng(7)


def _floats(shape: tuple, lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    """float64 values away from the kinks used below (0, +-0.5, 2)."""
    x = RNG.uniform(lo, hi, size=shape)
    for kink in (0.0, 0.5, -0.5, 2.0):
        x = np.where(np.abs(x - kink) < 0.05, kink + 0.1, x)
    return x


def _ids(shape: tuple, n: int) -> np.ndarray:
    return RNG.integers(0, n, size=shape).astype(np.int32)


# id: (factory, keyword arguments, input shape, input dtype)
SPECS: dict[str, tuple[str, dict[str, Any], tuple, str]] = {
    "activation": ("activation", {"activation": "tanh"}, (2, 3), "float32"),
    "dropout": ("dropout", {"rate": 0.5, "seed": 3}, (2, 5), "float32"),
    "dropout_noise_shape": ("dropout", {"rate": 0.3, "noise_shape": [None, 1], "seed": 4},
                            (3, 4), "float32"),
    "spatial_dropout1d": ("spatial_dropout1d", {"rate": 0.4, "seed": 5}, (2, 3, 4), "float32"),
    "spatial_dropout2d": ("spatial_dropout2d", {"rate": 0.4, "seed": 6}, (2, 2, 3, 2), "float32"),
    "spatial_dropout2d_cf": ("spatial_dropout2d", {"rate": 0.4, "seed": 6,
                                                   "data_format": "channelsFirst"},
                             (2, 2, 3, 2), "float32"),
    "flatten": ("flatten", {}, (2, 3, 2, 2), "float32"),
    "flatten_cf": ("flatten", {"data_format": "channelsFirst"}, (2, 3, 2, 2), "float32"),
    "reshape": ("reshape", {"target_shape": [3, 4]}, (2, 12), "float32"),
    "reshape_infer": ("reshape", {"target_shape": [-1, 2]}, (2, 3, 4), "float32"),
    "permute": ("permute", {"dims": [3, 1, 2]}, (2, 2, 3, 4), "float32"),
    "repeat_vector": ("repeat_vector", {"n": 3}, (2, 4), "float32"),
    "embedding": ("embedding", {"input_dim": 6, "output_dim": 3}, (2, 4), "int32"),
    "embedding_mask_zero": ("embedding", {"input_dim": 6, "output_dim": 2, "mask_zero": True,
                                          "input_length": 4}, (2, 4), "int32"),
    "masking": ("masking", {"mask_value": 0.25}, (2, 3, 2), "float32"),
    "gaussian_noise": ("gaussian_noise", {"stddev": 0.7, "seed": 8}, (2, 5), "float32"),
    "gaussian_dropout": ("gaussian_dropout", {"rate": 0.4, "seed": 9}, (2, 5), "float32"),
    "alpha_dropout": ("alpha_dropout", {"rate": 0.4, "seed": 10}, (2, 5), "float32"),
    "re_lu": ("re_lu", {"max_value": 1.5}, (3, 4), "float32"),
    "leaky_re_lu": ("leaky_re_lu", {}, (3, 4), "float32"),
    "prelu": ("prelu", {"shared_axes": [1]}, (2, 3, 2), "float32"),
    "elu": ("elu", {"alpha": 0.5}, (3, 4), "float32"),
    "thresholded_re_lu": ("thresholded_re_lu", {"theta": 0.5}, (3, 4), "float32"),
    "softmax": ("softmax", {}, (3, 4), "float32"),
    "softmax_last_rank3": ("softmax", {"axis": -1}, (2, 3, 4), "float32"),
    "softmax_two_axes": ("softmax", {"axis": [1, 2]}, (2, 3, 2), "float32"),
}
RANDOM = {"dropout", "dropout_noise_shape", "spatial_dropout1d", "spatial_dropout2d",
          "spatial_dropout2d_cf", "gaussian_noise", "gaussian_dropout", "alpha_dropout"}


def make(case: str, **extra: Any) -> Layer:
    factory, kwargs, _, _ = SPECS[case]
    return getattr(L, factory)(**kwargs, **extra)


def example(case: str, dtype: str | None = None) -> tf.Tensor:
    _, kwargs, shape, in_dtype = SPECS[case]
    if in_dtype == "int32":
        return tf.tensor(_ids(shape, kwargs["input_dim"]), dtype="int32")
    return tf.tensor(_floats(shape), dtype=dtype or in_dtype)


# -- shapes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(SPECS))
def test_output_shape_eager_and_symbolic(case: str) -> None:
    x = example(case)
    layer = make(case)
    for training in (False, True):
        y = layer(x, training=training)
        assert y.shape == tuple(layer.compute_output_shape(x.shape))
    inp = tf.input(shape=list(x.shape[1:]), dtype=x.dtype)
    sym_layer = make(case)
    out = sym_layer.apply(inp)
    expected = tuple(sym_layer.compute_output_shape((None, *x.shape[1:])))
    assert out.shape == expected
    model = tf.model(inputs=inp, outputs=out)
    predicted = model.predict(x)
    assert predicted.shape == y.shape
    if not sym_layer.weights:  # a weightless layer computes the same in both worlds
        np.testing.assert_allclose(predicted.numpy(), layer(x).numpy(), rtol=1e-6)


def test_reshape_symbolic_shape_keeps_the_unknown_dim_like_tfjs() -> None:
    out = L.reshape(target_shape=[-1, 2]).apply(tf.input(shape=[3, 4]))
    assert out.shape == (None, None, 2)  # TF.js: the unknown batch hides the -1 too
    assert L.reshape(target_shape=[2, 6]).apply(tf.input(shape=[3, 4])).shape == (None, 2, 6)


def test_symbolic_dtypes() -> None:
    ids = tf.input(shape=[4], dtype="int32")
    assert L.embedding(input_dim=5, output_dim=2).apply(ids).dtype == "float32"
    assert L.flatten().apply(tf.input(shape=[2, 2], dtype="int32")).dtype == "int32"
    assert L.reshape(target_shape=[4]).apply(ids).dtype == "int32"


def test_embedding_is_a_sequential_model_start() -> None:
    emb = L.embedding(input_dim=10, output_dim=4, input_length=5)
    assert emb.batch_input_shape == (None, 5)
    assert L.embedding(input_dim=10, output_dim=4).batch_input_shape == (None, None)
    model = tf.sequential(layers=[emb, L.flatten(), L.dense(units=1)])
    assert model.predict(tf.tensor(_ids((3, 5), 10), dtype="int32")).shape == (3, 1)


# -- values ----------------------------------------------------------------------------------------
def test_reshaping_values_against_numpy() -> None:
    x = _floats((2, 3, 2, 2)).astype(np.float32)
    t = tf.tensor(x)
    np.testing.assert_array_equal(L.flatten().apply(t).numpy(), x.reshape(2, -1))
    np.testing.assert_array_equal(L.flatten(data_format="channelsFirst").apply(t).numpy(),
                                  x.transpose(0, 2, 3, 1).reshape(2, -1))
    np.testing.assert_array_equal(L.reshape(target_shape=[4, -1]).apply(t).numpy(),
                                  x.reshape(2, 4, 3))
    np.testing.assert_array_equal(L.permute(dims=[3, 1, 2]).apply(t).numpy(),
                                  x.transpose(0, 3, 1, 2))
    v = x.reshape(2, 12)
    np.testing.assert_array_equal(L.repeat_vector(n=2).apply(tf.tensor(v)).numpy(),
                                  np.stack([v, v], axis=1))


def test_activation_layers_against_numpy() -> None:
    x = _floats((3, 4)).astype(np.float32)
    t = tf.tensor(x)

    def check(layer: Layer, expected: np.ndarray) -> None:
        np.testing.assert_allclose(layer.apply(t).numpy(), expected, rtol=1e-6, atol=1e-7)

    check(L.activation(activation="relu"), np.maximum(x, 0))
    check(L.re_lu(), np.maximum(x, 0))
    check(L.re_lu(max_value=1.5), np.clip(x, 0, 1.5))
    check(L.leaky_re_lu(), np.where(x > 0, x, 0.3 * x))
    check(L.leaky_relu(alpha=0.1), np.where(x > 0, x, 0.1 * x))
    check(L.elu(), np.where(x > 0, x, np.expm1(x)))
    check(L.elu(alpha=0.5), np.where(x > 0, x, 0.5 * np.expm1(x)))
    check(L.thresholded_relu(), np.where(x > 1, x, 0))
    check(L.thresholded_re_lu(theta=0.5), np.where(x > 0.5, x, 0))
    e = np.exp(x - x.max(axis=1, keepdims=True))
    check(L.softmax(), e / e.sum(axis=1, keepdims=True))
    e0 = np.exp(x - x.max(axis=0, keepdims=True))
    check(L.softmax(axis=0), e0 / e0.sum(axis=0, keepdims=True))  # TF.js throws here
    prelu = L.prelu()
    prelu.maybe_build((None, 4))
    alpha = np.linspace(0.1, 0.4, 4).astype(np.float32)
    prelu.set_weights([alpha])
    check(prelu, np.where(x > 0, x, alpha * x))


def test_softmax_over_several_axes_sums_to_one() -> None:
    y = L.softmax(axis=[1, 2]).apply(tf.tensor(_floats((2, 3, 2)))).numpy()
    np.testing.assert_allclose(y.sum(axis=(1, 2)), 1, rtol=1e-6)


def test_embedding_looks_up_rows_and_accepts_float_ids() -> None:
    layer = L.embedding(input_dim=4, output_dim=2)
    table = np.arange(8, dtype=np.float32).reshape(4, 2)
    layer.maybe_build((None, 3))
    layer.set_weights([table])
    ids = np.array([[0, 3, 1], [2, 2, 0]])
    np.testing.assert_array_equal(layer.apply(tf.tensor(ids, dtype="int32")).numpy(), table[ids])
    np.testing.assert_array_equal(layer.apply(tf.tensor(ids + 0.7)).numpy(), table[ids])
    assert layer.compute_mask(tf.tensor(ids, dtype="int32")) is None


def test_masking_values_and_mask() -> None:
    x = np.array([[[1, 2], [0, 0], [3, -1]], [[0, 0], [0.5, 0], [0, 0]]], np.float32)
    layer = L.masking()
    np.testing.assert_array_equal(layer.apply(tf.tensor(x)).numpy(), x)
    np.testing.assert_array_equal(layer.compute_mask(tf.tensor(x)).numpy(),
                                  [[True, False, True], [False, True, False]])
    y = L.masking(mask_value=3).apply(tf.tensor(np.full((1, 2, 2), 3, np.float32)))
    np.testing.assert_array_equal(y.numpy(), np.zeros((1, 2, 2)))


# -- hypothesis: varying shapes -------------------------------------------------------------------
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4), data=st.data())
def test_permute_and_reshape_any_shape(shape: list[int], data: st.DataObject) -> None:
    x = np.arange(math.prod([2, *shape]), dtype=np.float32).reshape(2, *shape)
    dims = data.draw(st.permutations(list(range(1, len(shape) + 1))))
    y = L.permute(dims=dims).apply(tf.tensor(x))
    np.testing.assert_array_equal(y.numpy(), x.transpose(0, *dims))
    target = data.draw(st.permutations(shape))
    hole = data.draw(st.integers(0, len(target) - 1))
    target = [-1 if i == hole else d for i, d in enumerate(target)]
    layer = L.reshape(target_shape=target)
    y = layer.apply(tf.tensor(x))
    assert y.shape == tuple(layer.compute_output_shape(x.shape))
    np.testing.assert_array_equal(y.numpy().ravel(), x.ravel())
    flat = L.flatten().apply(tf.tensor(x)) if len(shape) >= 2 else None
    if flat is not None:
        assert flat.shape == (2, math.prod(shape))


@given(shape=st.lists(st.integers(1, 5), min_size=2, max_size=4), data=st.data())
def test_dropout_mask_follows_noise_shape(shape: list[int], data: st.DataObject) -> None:
    noise = [d if data.draw(st.booleans()) else 1 for d in shape]
    rate = data.draw(st.sampled_from([0.2, 0.5, 0.7]))
    x = np.ones(shape, np.float32)
    y = L.dropout(rate=rate, noise_shape=noise, seed=data.draw(st.integers(0, 99))).apply(
        tf.tensor(x), training=True).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / (1 - rate))}
    for axis, n in enumerate(noise):  # constant along every broadcast axis
        if n == 1:
            assert np.all(y == np.take(y, [0], axis=axis))


# -- config round trips --------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(SPECS))
def test_config_round_trip(case: str) -> None:
    layer = make(case)
    x = example(case)
    y = layer(x)
    spec = json.loads(json.dumps(serialize(layer)))  # survives JSON
    assert spec["class_name"] == layer.class_name
    clone = deserialize(spec, "layers")
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x).numpy(), y.numpy(), rtol=1e-6)
    if case in RANDOM:  # same seed, same mask
        np.testing.assert_allclose(clone(x, training=True).numpy(),
                                   layer(x, training=True).numpy(), rtol=1e-6)


def test_camel_case_configs_and_factory_aliases() -> None:
    assert L.reshape({"targetShape": [3, 4]}).target_shape == (3, 4)
    emb = L.embedding({"inputDim": 5, "outputDim": 2, "maskZero": True, "inputLength": 3})
    assert emb.mask_zero and emb.input_length == 3 and emb.supports_masking
    assert L.spatial_dropout2d({"rate": 0.1, "dataFormat": "channelsFirst"}).data_format == \
        "channels_first"
    assert L.prelu({"sharedAxes": 1}).shared_axes == [1]
    assert L.relu is L.re_lu and L.leaky_relu is L.leaky_re_lu
    assert L.thresholded_relu is L.thresholded_re_lu
    assert L.leaky_re_lu().alpha == 0.3 and L.softmax().axis == 1 and L.elu().alpha == 1.0
    assert L.masking().mask_value == 0 and L.thresholded_re_lu().theta == 1.0


# -- gradients -------------------------------------------------------------------------------------
GRAD_CASES = sorted(c for c in SPECS if SPECS[c][3] != "int32" and c != "masking")


@pytest.mark.parametrize("case", GRAD_CASES)
def test_input_gradient_matches_central_differences(case: str) -> None:
    layer = make(case, dtype="float64")
    x = example(case, "float64").numpy()
    if case == "prelu":
        layer(tf.tensor(x))
        layer.set_weights([np.array([[0.3, -0.2]])])
    check_gradients(lambda t: layer(t), [x])
    if case in RANDOM:  # with a seed the mask is fixed, so training mode is differentiable
        check_gradients(lambda t: layer(t, training=True), [x])


def _check_weight_gradients(layer: Layer, x: tf.Tensor) -> None:
    out = layer(x)
    r = tf.tensor(RNG.uniform(0.5, 1.5, size=out.shape) * RNG.choice([-1, 1], size=out.shape),
                  dtype="float64")

    def loss() -> tf.Tensor:
        return tf.sum(tf.mul(layer(x), r))

    weights = layer.trainable_weights
    analytic = [g.numpy() for g in tf.grads(lambda *ws: loss())(weights)]
    for w, g in zip(weights, analytic):
        base = w.numpy()
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            values = []
            for step in (1e-6, -1e-6):
                moved = base.copy()
                moved[idx] += step
                w.assign(moved)
                values.append(tf.tidy(lambda: loss().numpy().item()))
            numeric[idx] = (values[0] - values[1]) / 2e-6
        w.assign(base)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-6, err_msg=w.name)


def test_prelu_weight_gradient() -> None:
    layer = L.prelu(shared_axes=[1], dtype="float64")
    x = tf.tensor(_floats((2, 3, 2)), dtype="float64")
    layer(x)
    layer.set_weights([np.array([[0.3, -0.2]])])
    assert layer.alpha.dtype == "float64"
    _check_weight_gradients(layer, x)


def test_embedding_weight_gradient() -> None:
    layer = L.embedding(input_dim=5, output_dim=2, dtype="float64")
    ids = tf.tensor([[0, 3, 3], [4, 1, 0]], dtype="int32")
    _check_weight_gradients(layer, ids)
    # rows never looked up get no gradient
    g = tf.grads(lambda w: tf.sum(layer(ids)))([layer.embeddings])[0].numpy()
    np.testing.assert_array_equal(g[2], [0, 0])
    np.testing.assert_array_equal(g[3], [2, 2])


def test_masking_gradient_is_the_mask() -> None:
    # No fully masked step: a single feature equal to mask_value leaves the step unmasked.
    x = _floats((2, 3, 2))
    x[0, 1, 0] = 0.25
    check_gradients(lambda t: L.masking(mask_value=0.25, dtype="float64")(t), [x])
    x[1, 2] = 0.25  # a padded step: its gradient is zero
    g = tf.grads(lambda t: tf.sum(L.masking(mask_value=0.25)(t)))([tf.tensor(x)])[0].numpy()
    expected = np.ones_like(x)
    expected[1, 2] = 0
    np.testing.assert_array_equal(g, expected)


# -- training vs inference -------------------------------------------------------------------------
def test_dropout_only_in_training() -> None:
    x = tf.ones([50, 40])
    layer = L.dropout(rate=0.25)
    for training in (None, False):
        assert layer(x, training=training) is x
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.05
    assert not np.array_equal(y, layer(x, training=True).numpy())  # no seed: a new mask
    seeded = L.dropout(rate=0.25, seed=1)
    np.testing.assert_array_equal(seeded(x, training=True).numpy(),
                                  seeded(x, training=True).numpy())
    assert L.dropout(rate=1)(x, training=True) is x  # TF.js: rate 1 is the identity
    assert L.dropout(rate=0)(x, training=True) is x


def test_spatial_dropout_drops_whole_channels() -> None:
    y = L.spatial_dropout1d(rate=0.5, seed=2)(tf.ones([4, 5, 6]), training=True).numpy()
    assert np.all(y == y[:, :1, :]) and 0 < (y == 0).mean() < 1
    y = L.spatial_dropout2d(rate=0.5, seed=2)(tf.ones([4, 3, 3, 6]), training=True).numpy()
    assert np.all(y == y[:, :1, :1, :]) and 0 < (y == 0).mean() < 1
    y = L.spatial_dropout2d(rate=0.5, seed=2, data_format="channelsFirst")(
        tf.ones([4, 6, 3, 3]), training=True).numpy()
    assert np.all(y == y[:, :, :1, :1]) and 0 < (y == 0).mean() < 1


def test_noise_layers_statistics() -> None:
    x = tf.tensor(RNG.standard_normal((200, 100)).astype(np.float32))
    xs = x.numpy()
    for layer in (L.gaussian_noise(stddev=0.5), L.gaussian_dropout(rate=0.3),
                  L.alpha_dropout(rate=0.3)):
        assert layer(x) is x and layer(x, training=False) is x
    noise = L.gaussian_noise(stddev=0.5)(x, training=True).numpy() - xs
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 0.5) < 0.02
    factor = L.gaussian_dropout(rate=0.3)(tf.ones([200, 100]), training=True).numpy()
    assert abs(factor.mean() - 1) < 0.02 and abs(factor.std() - math.sqrt(0.3 / 0.7)) < 0.02
    # AlphaDropout keeps a standard normal input's mean 0 and variance 1.
    y = L.alpha_dropout(rate=0.3, seed=4)(x, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.var() - 1) < 0.05
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.3) * (1 + 0.3 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p - a * alpha_p * 0.3, atol=1e-6)
    assert abs(dropped.mean() - 0.3) < 0.02


def test_training_flag_flows_through_a_model() -> None:
    inp = tf.input(shape=[30])
    model = tf.model(inputs=inp, outputs=L.dropout(rate=0.5).apply(inp))
    x = tf.ones([20, 30])
    np.testing.assert_array_equal(model.predict(x).numpy(), x.numpy())
    assert (model.apply(x, training=True).numpy() == 0).any()


def test_weightless_layers_do_not_leak(no_leaks: None) -> None:
    x = tf.ones([2, 3, 4])
    for layer in (L.dropout(rate=0.5), L.spatial_dropout1d(rate=0.5), L.alpha_dropout(rate=0.5),
                  L.gaussian_noise(stddev=1), L.gaussian_dropout(rate=0.5), L.masking(),
                  L.softmax(axis=[1, 2]), L.thresholded_re_lu(), L.elu(alpha=2)):
        layer(x, training=True).dispose()
    x.dispose()


# -- masks -----------------------------------------------------------------------------------------
class MaskProbe(Layer):
    """Records the mask it receives; the output is the input."""

    class_name = "MaskProbe"

    def __init__(self, **base: Any) -> None:
        super().__init__(**base)
        self.supports_masking = True
        self.seen: list[Any] = []

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None,
             **kwargs: Any) -> Any:
        self.seen.append(None if mask is None else mask.numpy())
        return inputs


def test_masking_mask_flows_through_pass_through_layers() -> None:
    inp = tf.input(shape=[3, 2])
    probe = MaskProbe()
    h = L.masking().apply(inp)
    for layer in (L.dropout(rate=0.5), L.activation(activation="tanh"), L.re_lu(),
                  L.gaussian_noise(stddev=0.1), L.prelu()):
        h = layer.apply(h)
    model = tf.model(inputs=inp, outputs=probe.apply(h))
    x = np.array([[[1, 2], [0, 0], [3, 4]]], np.float32)
    model.predict(x)
    np.testing.assert_array_equal(probe.seen[-1], [[True, False, True]])


def test_embedding_mask_zero_flows_to_the_next_layer() -> None:
    inp = tf.input(shape=[4], dtype="int32")
    probe = MaskProbe()
    h = L.embedding(input_dim=6, output_dim=2, mask_zero=True).apply(inp)
    model = tf.model(inputs=inp, outputs=probe.apply(L.dropout(rate=0.1).apply(h)))
    model.predict(tf.tensor([[0, 3, 5, 0]], dtype="int32"))
    np.testing.assert_array_equal(probe.seen[-1], [[False, True, True, False]])
    probe2 = MaskProbe()
    inp2 = tf.input(shape=[4], dtype="int32")
    h2 = L.embedding(input_dim=6, output_dim=2).apply(inp2)  # no mask_zero: no mask
    tf.model(inputs=inp2, outputs=probe2.apply(h2)).predict(tf.tensor([[0, 1, 2, 3]],
                                                                      dtype="int32"))
    assert probe2.seen[-1] is None


def test_softmax_uses_the_mask() -> None:
    inp = tf.input(shape=[3, 2])
    out = L.softmax(axis=1).apply(L.masking().apply(inp))
    x = np.array([[[1, 2], [0, 0], [3, 1]]], np.float32)
    y = tf.model(inputs=inp, outputs=out).predict(x).numpy()
    assert np.all(y[0, 1] < 1e-6)  # the padded step gets no probability
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)


# -- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("build, match", [
    (lambda: L.dropout(rate=1.5), "rate must be a number in \\[0, 1\\]"),
    (lambda: L.dropout(rate=-0.1), "rate"),
    (lambda: L.gaussian_dropout(rate="a"), "rate"),
    (lambda: L.alpha_dropout(rate=2), "rate"),
    (lambda: L.gaussian_noise(stddev=-1), "stddev"),
    (lambda: L.spatial_dropout1d(rate=0.1, noise_shape=[1, 1, 1]), "noise"),
    (lambda: L.spatial_dropout2d(rate=0.1, data_format="nhwc"), "data_format"),
    (lambda: L.flatten(data_format="NCHW"), "data_format"),
    (lambda: L.reshape(target_shape=[-1, -1]), "only one unknown"),
    (lambda: L.permute(dims=[1, 3]), "dims must list the axes"),
    (lambda: L.permute(dims=[0, 1]), "dims must list the axes"),
    (lambda: L.repeat_vector(n=0), "n must be a positive int"),
    (lambda: L.embedding(input_dim=0, output_dim=2), "input_dim must be a positive int"),
    (lambda: L.embedding(input_dim=3, output_dim=2.5), "output_dim must be a positive int"),
    (lambda: L.masking(mask_value="x"), "mask_value"),
    (lambda: L.re_lu(max_value=-1), "max_value"),
    (lambda: L.leaky_re_lu(alpha=None), "alpha"),
    (lambda: L.prelu(shared_axes=[0]), "shared_axes"),
    (lambda: L.softmax(axis="last"), "axis"),
    (lambda: L.thresholded_re_lu(theta="1"), "theta"),
])
def test_bad_config_values_are_named(build: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        build()


def test_unknown_argument_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="unknown argument"):
        L.dropout(rate=0.1, rte=0.2)


@pytest.mark.parametrize("layer, shape, match", [
    (lambda: L.flatten(), (2, 3), "rank at least 3"),
    (lambda: L.repeat_vector(n=2), (2, 3, 4), "rank 2"),
    (lambda: L.permute(dims=[2, 1]), (2, 3), "rank 3"),
    (lambda: L.spatial_dropout1d(rate=0.5), (2, 3), "rank 3"),
    (lambda: L.spatial_dropout2d(rate=0.5), (2, 3, 4), "rank 4"),
    (lambda: L.reshape(target_shape=[5]), (2, 3, 4), "total size of new array must be unchanged"),
    (lambda: L.reshape(target_shape=[5, -1]), (2, 3, 4), "total size"),
    (lambda: L.prelu(shared_axes=[3]), (2, 3, 4), "shared axis 3 does not exist"),
    (lambda: L.dropout(rate=0.5, noise_shape=[2, 1]), (2, 3, 4), "noise_shape"),
])
def test_bad_inputs_are_named(layer: Any, shape: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        layer()(tf.ones(list(shape)), training=True)
    if match.startswith("rank"):  # checked in inference too
        with pytest.raises(ValueError, match=match):
            layer()(tf.ones(list(shape)))


def test_bad_symbolic_inputs() -> None:
    with pytest.raises(ValueError, match="fully known"):
        L.flatten().apply(tf.input(shape=[None, 3]))
    with pytest.raises(ValueError, match="input_length is 4"):
        L.embedding(input_dim=5, output_dim=2, input_length=4).apply(
            tf.input(shape=[3], dtype="int32"))
    with pytest.raises(ValueError, match="rank 2"):
        L.repeat_vector(n=2).apply(tf.input(shape=[3, 4]))


# -- TF.js parity ----------------------------------------------------------------------------------
FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tfjs", "layers",
                       "layers.json")
MINE = {"Activation", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise",
        "GaussianDropout", "AlphaDropout", "Flatten", "Reshape", "Permute", "RepeatVector",
        "Embedding", "Masking", "ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax"}


def _golden() -> dict[str, Any]:
    if not os.path.exists(FIXTURE):
        return {"cases": [], "error_cases": []}
    with open(FIXTURE) as f:
        return json.load(f)


GOLDEN = _golden()
CASES = [c for c in GOLDEN["cases"] if c["class_name"] in MINE]
ERROR_CASES = {c["id"]: c for c in GOLDEN["error_cases"]
               if to_snake_case(c["factory"]) in {to_snake_case(n) for n in MINE}
               or c["factory"] in ("reLU", "leakyReLU", "thresholdedReLU")}


def _array(rec: dict[str, Any]) -> np.ndarray:
    dtype = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}[rec["dtype"]]
    return np.array(rec["values"], dtype).reshape(rec["shape"])


def _factory(name: str) -> Any:
    return getattr(L, to_snake_case(name))


def _same_config(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert set(ours) - set(theirs) <= {"dtype"}, set(ours) - set(theirs)
    for key, value in theirs.items():
        mine = ours[key]
        if key == "mask_zero" and value is None:  # TF.js saves an unset maskZero as null
            value = False
        assert mine == value, f"{key}: minitf {mine!r}, TF.js {value!r}"


@pytest.mark.skipif(not CASES, reason="TF.js golden file not generated")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_tfjs_parity(case: dict[str, Any]) -> None:
    layer = _factory(case["factory"])({**case["config"], "name": case["name"]})
    assert layer.class_name == case["class_name"]
    xs = [tf.tensor(_array(rec), dtype=rec["dtype"]) for rec in case["inputs"]]
    x = xs[0]
    layer(x)
    layer.set_weights([_array(w) for w in case["weights"]])
    assert [w.original_name for w in layer.weights] == [w["name"] for w in case["weights"]]
    _same_config(layer.get_config(), case["serialized"]["config"])
    assert list(layer.compute_output_shape(x.shape)) == case["compute_output_shape"]
    y = layer(x, training=False)
    expected = _array(case["outputs"]["inference"][0])
    assert y.dtype == case["outputs"]["inference"][0]["dtype"]
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-6)
    if "mask" in case:
        np.testing.assert_array_equal(layer.compute_mask(x).numpy(), _array(case["mask"]))
    # The symbolic shape, and a layer loaded from TF.js's saved (snake_case) config.
    loaded = deserialize({"class_name": case["class_name"],
                          "config": case["serialized"]["config"]}, "layers")
    inp = tf.input(batch_shape=[None, *x.shape[1:]], dtype=x.dtype)
    assert list(loaded.apply(inp).shape) == case["output_shape"]
    loaded.set_weights([_array(w) for w in case["weights"]])
    np.testing.assert_allclose(loaded(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    _check_tfjs_grads(layer, xs, case)


def _check_tfjs_grads(layer: Layer, xs: list[tf.Tensor], case: dict[str, Any]) -> None:
    r = [tf.tensor(_array(rec)) for rec in case["grad_output_weights"]]
    for entry in case["grads"]:
        if "error" in entry:  # TF.js could not differentiate; minitf can (tested above)
            continue
        floats = [t for t in xs if t.dtype == "float32"]
        weights = layer.trainable_weights
        training = entry["training"]

        def loss(*args: tf.Tensor) -> tf.Tensor:
            ins = list(args[:len(floats)]) if floats else xs
            return tf.sum(tf.mul(layer(ins[0], training=training), r[0]))

        value, grads = tf.value_and_grads(loss)([*floats, *weights])
        np.testing.assert_allclose(value.numpy(), entry["value"], rtol=1e-5, atol=1e-5)
        want = [g for g in entry["inputs"] if g is not None] + entry["weights"]
        assert len(want) == len(grads)
        for got, rec in zip(grads, want):
            np.testing.assert_allclose(got.numpy(), _array(rec), rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not ERROR_CASES, reason="TF.js golden file not generated")
def test_tfjs_error_cases() -> None:
    x = tf.ones([2, 3, 4])
    assert ERROR_CASES["dropout_rate_1"]["error"] is None  # TF.js accepts rate 1 ...
    assert L.dropout({"rate": 1})(x, training=True) is x  # ... and then does nothing
    assert "Total size of new array must be unchanged" in ERROR_CASES["reshape_bad_size"]["error"]
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        L.reshape(ERROR_CASES["reshape_bad_size"]["config"])(x)
    # Where TF.js gives up, minitf computes (as Keras does): elu with alpha != 1, softmax axis 0.
    assert "NotImplementedError" in ERROR_CASES["elu_alpha"]["error"]
    y = L.elu(ERROR_CASES["elu_alpha"]["config"])(tf.tensor([[-1.0, 1.0]])).numpy()
    np.testing.assert_allclose(y, [[0.5 * math.expm1(-1), 1]], rtol=1e-6)
    assert "non-last dimension" in ERROR_CASES["softmax_axis0"]["error"]
    y = L.softmax(ERROR_CASES["softmax_axis0"]["config"])(tf.ones([2, 3])).numpy()
    np.testing.assert_allclose(y, np.full((2, 3), 0.5), rtol=1e-6)
