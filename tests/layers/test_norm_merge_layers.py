"""Normalization (BatchNormalization, LayerNormalization) and merge layers (Add, Multiply,
Average, Maximum, Minimum, Concatenate, Dot).

Shapes (eager and in functional models with several inputs), config round trips, values against
NumPy (BatchNormalization's moving statistics included), memory, float64 gradients against
central differences, clear errors, training with model.fit, and TF.js parity against the golden
outputs in tests/fixtures/tfjs/layers/layers.json.
"""
from __future__ import annotations

import functools
import json
import os
from typing import Any

import numpy as np
import pytest

import minitf as tf
from gradcheck import check_gradients
from minitf.layers.base import Layer
from minitf.serialization import deserialize, serialize, to_snake_case

L = tf.layers
RNG = np.random.default_rng(11)


def _floats(*shape: int) -> np.ndarray:
    return RNG.uniform(-2.0, 2.0, size=shape)


def _bn_numpy(x: np.ndarray, axis: int, mean: np.ndarray, var: np.ndarray, gamma: np.ndarray,
              beta: np.ndarray, eps: float) -> np.ndarray:
    shape = [1] * x.ndim
    shape[axis] = -1
    r = [np.reshape(v, shape) for v in (mean, var, gamma, beta)]
    return (x - r[0]) / np.sqrt(r[1] + eps) * r[2] + r[3]


# -- shapes -------------------------------------------------------------------------------------
# id: (factory, keyword arguments, input shapes)
SPECS: dict[str, tuple[str, dict[str, Any], list[tuple]]] = {
    "batch_normalization": ("batch_normalization", {}, [(4, 3)]),
    "batch_normalization_nhwc": ("batch_normalization", {"momentum": 0.8}, [(2, 3, 3, 2)]),
    "batch_normalization_axis1": ("batch_normalization", {"axis": 1}, [(3, 2, 4)]),
    "layer_normalization": ("layer_normalization", {}, [(3, 4)]),
    "layer_normalization_axes": ("layer_normalization", {"axis": [1, 2]}, [(2, 3, 2)]),
    "add": ("add", {}, [(2, 3), (2, 3), (2, 3)]),
    "add_broadcast": ("add", {}, [(2, 1, 3), (2, 4, 1)]),
    "add_ranks": ("add", {}, [(2, 3), (2, 4, 3)]),
    "multiply": ("multiply", {}, [(2, 4), (2, 1)]),
    "average": ("average", {}, [(2, 3), (2, 3)]),
    "maximum": ("maximum", {}, [(2, 2, 3), (2, 2, 3)]),
    "minimum": ("minimum", {}, [(2, 5), (2, 5), (2, 5)]),
    "concatenate": ("concatenate", {}, [(2, 3), (2, 2)]),
    "concatenate_axis1": ("concatenate", {"axis": 1}, [(2, 2, 3), (2, 1, 3)]),
    "concatenate_axis_neg2": ("concatenate", {"axis": -2}, [(2, 2, 3), (2, 3, 3)]),
    "dot": ("dot", {"axes": 1}, [(2, 4), (2, 4)]),
    "dot_pair": ("dot", {"axes": [2, 1]}, [(2, 3, 4), (2, 4, 2)]),
    "dot_neg_normalize": ("dot", {"axes": -1, "normalize": True}, [(2, 3, 4), (2, 2, 4)]),
    "dot_ranks": ("dot", {"axes": [1, 1]}, [(2, 4), (2, 4, 3)]),
}


def make(case: str, **extra: Any) -> Layer:
    factory, kwargs, _ = SPECS[case]
    return getattr(L, factory)(**kwargs, **extra)


def inputs_of(case: str) -> list[np.ndarray]:
    return [_floats(*s) for s in SPECS[case][2]]


def _arg(xs: list) -> Any:
    return xs[0] if len(xs) == 1 else xs


@pytest.mark.parametrize("case", sorted(SPECS))
def test_output_shape_eager_and_symbolic(case: str) -> None:
    xs = [tf.tensor(a) for a in inputs_of(case)]
    layer = make(case)
    for training in (False, True):
        y = layer(_arg(xs), training=training)
        assert y.shape == tuple(layer.compute_output_shape(_arg([x.shape for x in xs])))
    syms = [tf.input(shape=list(x.shape[1:])) for x in xs]
    sym_layer = make(case)
    out = sym_layer.apply(_arg(syms))
    assert out.shape == (None, *y.shape[1:])
    model = tf.model(inputs=_arg(syms), outputs=out)
    predicted = model.predict(_arg(xs))
    assert predicted.shape == y.shape
    # Default weights (ones, zeros) are the same in a fresh layer: so are the numbers.
    np.testing.assert_allclose(predicted.numpy(), make(case)(_arg(xs)).numpy(), rtol=1e-6)


def test_functional_model_with_several_inputs() -> None:
    a, b, c = tf.input(shape=[4]), tf.input(shape=[4]), tf.input(shape=[2])
    summed = L.add().apply([a, b])
    joined = L.concatenate().apply([summed, c, L.maximum().apply([a, b])])
    normed = L.batch_normalization().apply(joined)
    out = L.dot(axes=1).apply([normed, L.layer_normalization().apply(normed)])
    model = tf.model(inputs=[a, b, c], outputs=out)
    assert joined.shape == (None, 10) and out.shape == (None, 1)
    xa, xb, xc = _floats(3, 4), _floats(3, 4), _floats(3, 2)
    got = model.predict([tf.tensor(xa), tf.tensor(xb), tf.tensor(xc)]).numpy()
    j = np.concatenate([xa + xb, xc, np.maximum(xa, xb)], axis=1)
    n = j / np.sqrt(1 + 1e-3)  # fresh moving statistics: mean 0, variance 1
    m = (n - n.mean(1, keepdims=True)) / np.sqrt(n.var(1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(got, np.sum(n * m, axis=1, keepdims=True), rtol=1e-4, atol=1e-5)


def test_unknown_sizes_stay_unknown() -> None:
    a, b = tf.input(batch_shape=[None, None, 3]), tf.input(shape=[2, 3])
    assert L.add().apply([a, b]).shape == (None, None, 3)
    assert L.concatenate(axis=1).apply([a, b]).shape == (None, None, 3)
    assert L.concatenate().compute_output_shape([(4, 2), (None, 3)]) == (4, 5)
    assert L.dot(axes=2).compute_output_shape([(None, 5, 3), (None, 4, 3)]) == (None, 5, 4)
    assert L.dot(axes=2).apply([a, b]).shape == (None, None, 2)


# -- configuration --------------------------------------------------------------------------------
CONFIGS = {
    "batch_normalization": {"axis": 1, "momentum": 0.9, "epsilon": 0.01, "center": False,
                            "gamma_initializer": "randomNormal",
                            "moving_variance_initializer": {"className": "Constant",
                                                            "config": {"value": 2}},
                            "gamma_regularizer": "l2", "gamma_constraint": "nonNeg",
                            "beta_constraint": "maxNorm", "name": "bn"},
    "layer_normalization": {"axis": [-2, -1], "epsilon": 0.1, "scale": False,
                            "beta_regularizer": "l1", "beta_initializer": "ones"},
    "add": {}, "multiply": {"name": "m"}, "average": {}, "maximum": {}, "minimum": {},
    "concatenate": {"axis": 1}, "dot": {"axes": [2, 1], "normalize": True},
}


@pytest.mark.parametrize("factory", sorted(CONFIGS))
def test_config_round_trip(factory: str) -> None:
    layer = getattr(L, factory)(CONFIGS[factory])
    spec = serialize(layer)
    assert spec["class_name"] == layer.class_name
    again = deserialize(json.loads(json.dumps(spec)), "layers")
    assert type(again) is type(layer)
    assert again.get_config() == layer.get_config()
    keys, base = list(layer.get_config()), list(Layer.get_config(layer))
    assert keys[len(keys) - len(base):] == base  # the layer's own keys come first


def test_config_defaults_match_tfjs() -> None:
    bn = L.batch_normalization().get_config()
    assert (bn["axis"], bn["momentum"], bn["epsilon"], bn["center"], bn["scale"]) == \
        (-1, 0.99, 1e-3, True, True)
    assert [bn[k]["class_name"] for k in ("beta_initializer", "gamma_initializer",
                                           "moving_mean_initializer",
                                           "moving_variance_initializer")] == \
        ["Zeros", "Ones", "Zeros", "Ones"]
    ln = L.layer_normalization().get_config()
    assert (ln["axis"], ln["epsilon"], ln["center"], ln["scale"]) == (-1, 1e-3, True, True)
    assert L.concatenate().get_config()["axis"] == -1
    assert L.dot({"axes": 1}).get_config()["normalize"] is False
    assert L.batch_normalization().name.startswith("batch_normalization_BatchNormalization")


def test_merge_factories_apply_to_a_list_and_do_not_clash_with_ops() -> None:
    a, b = tf.tensor([[1.0, 2.0]]), tf.tensor([[3.0, 5.0]])
    assert L.add([a, b]).array_sync() == [[4.0, 7.0]]
    assert tf.add(a, b).array_sync() == [[4.0, 7.0]]  # the op is still tf.add
    assert L.add is not tf.add and L.maximum is not tf.maximum
    assert L.concatenate([a, b]).shape == (1, 4)
    assert L.dot([a, b], axes=1).array_sync() == [[13.0]]
    sym = L.multiply([tf.input(shape=[2]), tf.input(shape=[2])])
    assert sym.shape == (None, 2)


# -- values --------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((5, 3), -1), ((2, 3, 3, 2), -1), ((3, 2, 4), 1),
                                        ((4, 3, 2), 0)])
def test_batch_normalization_training_and_inference_against_numpy(shape: tuple,
                                                                  axis: int) -> None:
    x = _floats(*shape).astype(np.float32)
    c = shape[axis]
    layer = L.batch_normalization(axis=axis, momentum=0.8, epsilon=0.01)
    layer.maybe_build(shape)
    gamma, beta = RNG.uniform(0.5, 2, c), RNG.uniform(-1, 1, c)
    moving_mean, moving_var = RNG.uniform(-1, 1, c), RNG.uniform(0.5, 2, c)
    layer.set_weights([a.astype(np.float32) for a in (gamma, beta, moving_mean, moving_var)])
    assert [w.original_name.split("/")[-1] for w in layer.weights] == \
        ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.trainable for w in layer.weights] == [True, True, False, False]
    ax = axis % len(shape)
    for training in (None, False):
        np.testing.assert_allclose(
            layer(tf.tensor(x), training=training).numpy(),
            _bn_numpy(x, ax, moving_mean, moving_var, gamma, beta, 0.01), rtol=1e-5, atol=1e-5)
    reduce = tuple(i for i in range(len(shape)) if i != ax)
    mean, var = x.mean(axis=reduce), x.var(axis=reduce)  # the biased batch variance
    y = layer(tf.tensor(x), training=True).numpy()
    np.testing.assert_allclose(y, _bn_numpy(x, ax, mean, var, gamma, beta, 0.01), rtol=1e-5,
                               atol=1e-5)
    new_mean, new_var = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    np.testing.assert_allclose(new_mean, moving_mean * 0.8 + mean * 0.2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_var, moving_var * 0.8 + var * 0.2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.gamma.numpy(), gamma, rtol=1e-6)  # untouched by the call


def test_batch_normalization_without_scale_and_center() -> None:
    x = _floats(6, 2).astype(np.float32)
    layer = L.batch_normalization(scale=False, center=False, momentum=0.5)
    y = layer(tf.tensor(x), training=True).numpy()  # TF.js throws here (reads this.gamma)
    assert [w.original_name.split("/")[-1] for w in layer.weights] == \
        ["moving_mean", "moving_variance"]
    assert layer.trainable_weights == []
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), x.mean(0) / 2, rtol=1e-5, atol=1e-6)


def test_layer_normalization_against_numpy() -> None:
    x = _floats(2, 3, 4).astype(np.float32)
    layer = L.layer_normalization(axis=[1, 2], epsilon=0.01)
    layer.maybe_build(x.shape)
    gamma, beta = RNG.uniform(0.5, 2, (3, 4)), RNG.uniform(-1, 1, (3, 4))
    layer.set_weights([gamma.astype(np.float32), beta.astype(np.float32)])
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 0.01) * gamma + beta
    for training in (False, True):
        np.testing.assert_allclose(layer(tf.tensor(x), training=training).numpy(), expected,
                                   rtol=1e-5, atol=1e-5)
    assert layer.get_config()["axis"] == [1, 2]
    default = L.layer_normalization()
    y = default(tf.tensor(x)).numpy()
    np.testing.assert_allclose(y, (x - x.mean(-1, keepdims=True))
                               / np.sqrt(x.var(-1, keepdims=True) + 1e-3), rtol=1e-5, atol=1e-5)
    assert default.get_config()["axis"] == [2]  # TF.js resolves the axes when building


@pytest.mark.parametrize("case", ["add", "add_broadcast", "add_ranks", "multiply", "average",
                                  "maximum", "minimum"])
def test_elementwise_merges_against_numpy(case: str) -> None:
    arrays = [a.astype(np.float32) for a in inputs_of(case)]
    rank = max(a.ndim for a in arrays)
    # TF.js inserts size-1 axes after the batch axis of lower-rank inputs.
    b = [a.reshape(a.shape[0], *[1] * (rank - a.ndim), *a.shape[1:]) for a in arrays]
    name = case.split("_")[0]
    ufunc = {"add": np.add, "average": np.add, "multiply": np.multiply, "maximum": np.maximum,
             "minimum": np.minimum}[name]
    expected = functools.reduce(ufunc, b) / (len(b) if name == "average" else 1)
    got = make(case)([tf.tensor(a) for a in arrays]).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_concatenate_against_numpy() -> None:
    a, b = _floats(2, 2, 3).astype(np.float32), _floats(2, 3, 3).astype(np.float32)
    for axis in (1, -2):  # TF.js would join along the last axis for -2 (a known bug)
        got = L.concatenate(axis=axis)([tf.tensor(a), tf.tensor(b)]).numpy()
        np.testing.assert_array_equal(got, np.concatenate([a, b], axis=axis))
    c = _floats(2, 2, 1).astype(np.float32)
    got = L.concatenate()([tf.tensor(a), tf.tensor(c)]).numpy()
    np.testing.assert_array_equal(got, np.concatenate([a, c], axis=-1))


@pytest.mark.parametrize("shapes,axes,subscripts", [
    ([(2, 4), (2, 4)], 1, "bk,bk->b"),
    ([(2, 3, 4), (2, 4, 5)], [2, 1], "bmk,bkn->bmn"),
    ([(2, 4, 3), (2, 4, 5)], [1, 1], "bkm,bkn->bmn"),
    ([(2, 3, 4), (2, 5, 4)], -1, "bmk,bnk->bmn"),
    ([(2, 4), (2, 4, 3)], [1, 1], "bk,bkn->bn"),
    ([(2, 3, 4), (2, 4)], [2, -1], "bmk,bk->bm"),
    ([(2, 2, 3, 4), (2, 4, 5)], [3, 1], "bijk,bkn->bijn"),  # TF.js stops at rank 3
])
@pytest.mark.parametrize("normalize", [False, True])
def test_dot_against_numpy(shapes: list[tuple], axes: Any, subscripts: str,
                           normalize: bool) -> None:
    x, y = (_floats(*s).astype(np.float32) for s in shapes)
    pair = axes if isinstance(axes, list) else [axes, axes]
    nx, ny = x, y
    if normalize:  # the layer divides each input by its L2 norm along the contracted axis
        nx = x / np.sqrt(np.maximum((x * x).sum(pair[0], keepdims=True), 1e-7))
        ny = y / np.sqrt(np.maximum((y * y).sum(pair[1], keepdims=True), 1e-7))
    expected = np.einsum(subscripts, nx, ny)
    expected = expected[:, None] if expected.ndim == 1 else expected
    layer = L.dot(axes=axes, normalize=normalize)
    got = layer([tf.tensor(x), tf.tensor(y)]).numpy()
    assert got.shape == tuple(layer.compute_output_shape(shapes))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_dot_normalize_gives_cosine_similarity() -> None:
    x, y = _floats(3, 5).astype(np.float32), _floats(3, 5).astype(np.float32)
    cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    got = L.dot(axes=1, normalize=True)([tf.tensor(x), tf.tensor(y)]).numpy()
    np.testing.assert_allclose(got[:, 0], cos, rtol=1e-5, atol=1e-6)


def test_masks_are_merged() -> None:
    x = tf.ones([2, 3, 2])
    m1 = tf.tensor([[True, True, False], [True, False, True]])
    m2 = tf.tensor([[True, False, True], [True, True, True]])
    merged = L.add().compute_mask([x, x], [m1, m2])
    np.testing.assert_array_equal(merged.numpy(), [[True, False, False], [True, False, True]])
    assert L.add().compute_mask([x, x], [None, None]) is None
    np.testing.assert_array_equal(L.add().compute_mask([x, x], [None, m2]).numpy(), m2.numpy())
    joined = L.concatenate().compute_mask([x, x], [m1, None])
    np.testing.assert_array_equal(joined.numpy(), m1.numpy())
    along_time = L.concatenate(axis=1).compute_mask([x, x], [m1, None])
    np.testing.assert_array_equal(along_time.numpy(), np.concatenate([m1.numpy(),
                                                                      np.ones((2, 3), bool)], 1))
    assert L.dot(axes=2).compute_mask([x, x], [m1, m2]) is None


def test_masks_flow_through_a_merge_in_a_model() -> None:
    ids = tf.input(shape=[3], dtype="int32")
    emb = L.embedding(input_dim=5, output_dim=2, mask_zero=True).apply(ids)
    merged = L.add().apply([emb, emb])
    model = tf.model(inputs=ids, outputs=merged)
    out = model.predict(tf.tensor([[1, 0, 2]], dtype="int32"))
    assert out.shape == (1, 3, 2)


# -- memory ---------------------------------------------------------------------------------------
def test_training_calls_do_not_leak() -> None:
    x = tf.tensor(_floats(8, 3).astype(np.float32))
    bn = L.batch_normalization()
    bn(x).dispose()  # builds the weights
    before = tf.memory().num_tensors
    for _ in range(3):
        with tf.tidy():
            bn(x, training=True)
    assert tf.memory().num_tensors == before

    def loss() -> tf.Tensor:
        return tf.sum(tf.square(bn(x, training=True)))

    for _ in range(3):
        with tf.tidy():
            tf.variable_grads(loss)
    assert tf.memory().num_tensors == before
    layers = [L.layer_normalization(), L.add(), L.concatenate(), L.dot(axes=1, normalize=True)]
    for layer in layers:
        layer([x, x] if layer.class_name != "LayerNormalization" else x).dispose()
    before = tf.memory().num_tensors
    for layer in layers:
        def f(a: tf.Tensor, layer: Layer = layer) -> tf.Tensor:
            return tf.sum(layer(a if layer.class_name == "LayerNormalization" else [a, x],
                                training=True))

        with tf.tidy():
            f(x)
            tf.grads(f)([x])
    assert tf.memory().num_tensors == before


def test_moving_statistics_are_not_differentiated() -> None:
    x = tf.tensor(_floats(6, 2).astype(np.float32))
    bn = L.batch_normalization()
    bn(x)
    value, grads = tf.variable_grads(lambda: tf.sum(tf.mul(bn(x, training=True), x)))
    assert set(grads) == {bn.gamma.name, bn.beta.name}
    assert not any(w.name in grads for w in bn.non_trainable_weights)


# -- gradients ------------------------------------------------------------------------------------
@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("shape,axis", [((5, 3), -1), ((3, 2, 4), 1)])
def test_batch_normalization_gradients(shape: tuple, axis: int, training: bool) -> None:
    layer = L.batch_normalization(axis=axis, epsilon=0.01)
    layer.maybe_build(shape)
    c = shape[axis]
    layer.set_weights([RNG.uniform(0.5, 2, c).astype(np.float32) for _ in range(2)]
                      + [RNG.uniform(-1, 1, c).astype(np.float32),
                         RNG.uniform(0.5, 2, c).astype(np.float32)])
    check_gradients(lambda x: layer(x, training=training), [_floats(*shape)], rtol=1e-4,
                    atol=1e-6)


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_layer_normalization_gradients(axis: Any) -> None:
    layer = L.layer_normalization(axis=axis, epsilon=0.01)
    check_gradients(lambda x: layer(x), [_floats(2, 3, 2)], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("case", ["add", "add_broadcast", "add_ranks", "multiply", "average",
                                  "maximum", "minimum", "concatenate_axis1", "dot_pair",
                                  "dot_neg_normalize", "dot_ranks"])
def test_merge_gradients(case: str) -> None:
    layer = make(case)
    check_gradients(lambda *xs: layer(list(xs)), inputs_of(case), rtol=1e-5, atol=1e-6)


# -- errors ----------------------------------------------------------------------------------------
def test_errors_are_clear() -> None:
    x = tf.ones([2, 3])
    for factory in ("add", "multiply", "average", "maximum", "minimum", "concatenate"):
        with pytest.raises(ValueError, match="at least 2 inputs, got one input of shape"):
            getattr(L, factory)()(x)
        with pytest.raises(ValueError, match=r"at least 2 inputs, got 1 input"):
            getattr(L, factory)()([x])
    with pytest.raises(ValueError, match=r"could not be broadcast.*\[\[2,3\],\[2,4\]\]"):
        L.add()([x, tf.ones([2, 4])])
    with pytest.raises(ValueError, match=r"could not be broadcast.*\[null,3\],\[null,4\]"):
        L.multiply().apply([tf.input(shape=[3]), tf.input(shape=[4])])
    with pytest.raises(ValueError, match="different batch sizes"):
        L.average()([x, tf.ones([3, 3])])
    layer = L.maximum()
    layer([x, x])
    with pytest.raises(ValueError, match=r"\[\[2,3\],\[2,5\]\]"):  # checked on every call
        layer([x, tf.ones([2, 5])])
    with pytest.raises(ValueError, match=r"matching shapes except for the concat axis\. Got "
                                         r"input shapes: \[\[2,3,2\],\[2,4,3\]\]"):
        L.concatenate()([tf.ones([2, 3, 2]), tf.ones([2, 4, 3])])
    with pytest.raises(ValueError, match="dimension incompatibility: 3 !== 4"):
        L.dot(axes=1)([x, tf.ones([2, 4])])
    with pytest.raises(ValueError, match="exactly 2 inputs, got 3"):
        L.dot(axes=1)([x, x, x])
    with pytest.raises(ValueError, match="non-batch axes"):
        L.dot(axes=0)([x, x])
    with pytest.raises(TypeError):
        L.dot()
    with pytest.raises(ValueError, match="pair of ints"):
        L.dot(axes=[1, 1, 1])
    bn = L.batch_normalization()
    bn(x)
    with pytest.raises(ValueError, match=r"size 3 on axis 1, got shape \[2, 4\]"):
        bn(tf.ones([2, 4]))
    with pytest.raises(ValueError, match="known size"):
        L.batch_normalization(axis=1).apply(tf.input(batch_shape=[None, None, 2]))
    with pytest.raises(ValueError, match="out of range"):
        L.batch_normalization(axis=2)(x)
    with pytest.raises(ValueError, match="duplicate axes"):
        L.layer_normalization(axis=[1, -1])(x)
    with pytest.raises(ValueError, match="an int or a list of ints"):
        L.layer_normalization(axis=1.5)
    with pytest.raises(ValueError, match="out of range"):
        L.layer_normalization(axis=3)(x)


# -- training -------------------------------------------------------------------------------------
def test_fit_updates_moving_statistics_and_keeps_memory_flat() -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((32, 4)) * 3 + 2).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5], [1.5]], np.float32)
    model = tf.sequential(layers=[L.dense(units=8, input_shape=[4]),
                                  L.batch_normalization(momentum=0.5), L.dense(units=1)])
    model.compile(optimizer="sgd", loss="meanSquaredError")
    bn = model.layers[1]
    assert bn.moving_mean.numpy().tolist() == [0.0] * 8
    counts: list[int] = []
    model.fit(x, y, epochs=4, batch_size=8, verbose=0,
              callbacks={"on_epoch_end": lambda epoch, logs: counts.append(
                  tf.memory().num_tensors)})
    assert not np.allclose(bn.moving_mean.numpy(), 0)
    assert not np.allclose(bn.moving_variance.numpy(), 1)
    assert counts[1:] == [counts[0]] * 3
    tx, ty = tf.tensor(x), tf.tensor(y)
    before = tf.memory().num_tensors
    model.predict(tx).dispose()
    tf.dispose(model.evaluate(tx, ty))
    assert tf.memory().num_tensors == before


# -- TF.js parity ----------------------------------------------------------------------------------
FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tfjs", "layers",
                       "layers.json")
MINE = {"BatchNormalization", "LayerNormalization", "Add", "Multiply", "Average", "Maximum",
        "Minimum", "Concatenate", "Dot"}


def _golden() -> dict[str, Any]:
    if not os.path.exists(FIXTURE):
        return {"cases": [], "error_cases": []}
    with open(FIXTURE) as f:
        return json.load(f)


GOLDEN = _golden()
CASES = [c for c in GOLDEN["cases"] if c["class_name"] in MINE]
ERROR_CASES = [c for c in GOLDEN["error_cases"]
               if to_snake_case(c["factory"]) in {to_snake_case(n) for n in MINE}]
# Where TF.js's tensor disagrees with its own computeOutputShape, minitf follows the shape.
TFJS_BUGS = {
    "concatenate_axis_neg2": "TF.js concatenates along the last axis for any negative axis; "
                             "minitf uses the axis (checked against NumPy)",
    "batch_normalization_axis1": "TF.js's cpu FusedBatchNorm indexes mean/variance/gamma/beta by "
                                 "flat index modulo their size, so with axis 1 it normalizes with "
                                 "other channels' statistics; minitf's values are checked "
                                 "against NumPy, and its moving statistics against TF.js",
}


def _array(rec: dict[str, Any]) -> np.ndarray:
    dtype = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}[rec["dtype"]]
    return np.array(rec["values"], dtype).reshape(rec["shape"])


def _build(case: dict[str, Any]) -> Layer:
    layer = getattr(L, to_snake_case(case["factory"]))({**case["config"], "name": case["name"]})
    assert layer.class_name == case["class_name"]
    return layer


@pytest.mark.skipif(not CASES, reason="TF.js golden file not generated")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_tfjs_parity(case: dict[str, Any]) -> None:
    layer = _build(case)
    xs = [tf.tensor(_array(rec)) for rec in case["inputs"]]
    arg = _arg(xs)
    weights = [_array(w) for w in case["weights"]]
    layer.maybe_build(_arg([x.shape for x in xs]))
    layer.set_weights(weights)
    assert [w.original_name for w in layer.weights] == [w["name"] for w in case["weights"]]
    assert [w.trainable for w in layer.weights] == [w["trainable"] for w in case["weights"]]
    ours = layer.get_config()
    for key, value in case["serialized"]["config"].items():
        assert ours[key] == value, f"{key}: minitf {ours[key]!r}, TF.js {value!r}"
    shapes = _arg([tuple(x.shape) for x in xs])
    assert list(layer.compute_output_shape(shapes)) == case["compute_output_shape"]
    loaded = deserialize({"class_name": case["class_name"],
                          "config": case["serialized"]["config"]}, "layers")
    syms = [tf.input(shape=list(x.shape[1:])) for x in xs]
    assert list(loaded.apply(_arg(syms)).shape) == case["output_shape"]
    if case["id"] == "concatenate_axis_neg2":
        np.testing.assert_array_equal(layer(arg).numpy(), np.concatenate(
            [x.numpy() for x in xs], axis=case["config"]["axis"]))
        pytest.skip(TFJS_BUGS[case["id"]])
    if case["id"] not in TFJS_BUGS:
        np.testing.assert_allclose(layer(arg, training=False).numpy(),
                                   _array(case["outputs"]["inference"][0]), rtol=1e-5, atol=1e-5)
    if "training" in case["outputs"]:
        got = layer(arg, training=True).numpy()
        if case["id"] not in TFJS_BUGS:
            np.testing.assert_allclose(got, _array(case["outputs"]["training"][0]), rtol=1e-5,
                                       atol=1e-5)
        for var, rec in zip(layer.weights, case["weights_after_training_apply"]):
            np.testing.assert_allclose(var.numpy(), _array(rec), rtol=1e-5, atol=1e-6)
    if case["id"] in TFJS_BUGS:
        pytest.skip(TFJS_BUGS[case["id"]])
    r = [tf.tensor(_array(rec)) for rec in case["grad_output_weights"]]
    # generate.js resets the weights from getWeights() results, which in TF.js are the live
    # variables: the moving statistics stay as the training apply left them.
    reset = [_array(w) for w in case.get("weights_after_training_apply", case["weights"])]
    for entry in case["grads"]:
        if "error" in entry:  # TF.js could not differentiate; minitf can (tested above)
            continue
        layer.set_weights(reset)
        trainable = layer.trainable_weights

        def loss(*args: tf.Tensor, training: bool = entry["training"]) -> tf.Tensor:
            out = layer(_arg(list(args[:len(xs)])), training=training)
            return tf.sum(tf.mul(out, r[0]))

        value, grads = tf.value_and_grads(loss)([*xs, *trainable])
        np.testing.assert_allclose(value.numpy(), entry["value"], rtol=1e-5, atol=1e-5)
        want = entry["inputs"] + [g for g in entry["weights"] if g is not None]
        assert len(want) == len(grads)
        for got, rec in zip(grads, want):
            np.testing.assert_allclose(got.numpy(), _array(rec), rtol=1e-5, atol=1e-5)


def test_tfjs_skipped_cases_are_the_known_tfjs_failures() -> None:
    """Every TF.js failure on these layers is recorded; minitf computes in all of them."""
    failures = {c["id"]: [g["error"] for g in c["grads"] if "error" in g]
                + ([c["outputs"]["training_error"]] if "training_error" in c["outputs"] else [])
                for c in CASES}
    failed = {k for k, v in failures.items() if v}
    assert failed <= {"batch_normalization_axis1", "batch_normalization_no_scale_center"}


@pytest.mark.skipif(not ERROR_CASES, reason="TF.js golden file not generated")
@pytest.mark.parametrize("case", ERROR_CASES, ids=[c["id"] for c in ERROR_CASES])
def test_tfjs_error_cases(case: dict[str, Any]) -> None:
    layer = getattr(L, to_snake_case(case["factory"]))(case["config"])
    with pytest.raises(ValueError) as err:
        layer([tf.ones(s) for s in case["input_shapes"]])
    assert case["error"].split(": ", 1)[1] in str(err.value)  # TF.js's message, after the name
