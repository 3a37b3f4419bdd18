"""Inference through runs of convolution and pooling layers (``minitf/models/chains.py``):
which runs qualify, the same outputs as layer by layer, and layer by layer whenever a gradient
or training needs it."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.layers.conv import Conv2D
from minitf.models import chains


def _convnet(seed: int = 0) -> tf.Sequential:
    """mnist-node's layout, smaller: conv, conv, pool, conv, conv, pool, dense."""
    model = tf.sequential()
    model.add(tf.layers.conv2d(input_shape=[12, 12, 1], filters=16, kernel_size=3,
                               activation="relu", kernel_initializer=tf.initializers.glorot_uniform(
                                   {"seed": seed})))
    model.add(tf.layers.conv2d(filters=16, kernel_size=3, activation="relu"))
    model.add(tf.layers.max_pooling2d(pool_size=2))
    model.add(tf.layers.conv2d(filters=32, kernel_size=2, activation="relu", padding="same"))
    model.add(tf.layers.conv2d(filters=32, kernel_size=3, activation="relu", strides=2))
    model.add(tf.layers.max_pooling2d(pool_size=2, padding="same"))
    model.add(tf.layers.flatten())
    model.add(tf.layers.dense(units=3, activation="softmax"))
    return model


def _layer_names(model) -> list[list[str]]:
    return [[layer.name for layer in c.layers] for c in model._inference_chains().values()]


def _images(n: int = 9, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, 12, 12, 1)).astype(np.float32)


def _unchained(model) -> None:
    model._chains = {}


def test_the_convolutions_and_poolings_of_a_convnet_form_one_chain() -> None:
    model = _convnet()
    assert _layer_names(model) == [[layer.name for layer in model.layers[:6]]]
    model.dispose()


@pytest.mark.parametrize("batch", [1, 4, 9])
def test_predict_and_evaluate_equal_layer_by_layer(batch, no_leaks) -> None:
    model = _convnet()
    model.compile(optimizer="sgd", loss="categoricalCrossentropy", metrics=["accuracy"])
    x = _images()
    y = np.eye(3, dtype=np.float32)[np.arange(9) % 3]
    chained = model.predict(x, batch_size=batch)
    scores = model.evaluate(x, y, batch_size=batch)
    _unchained(model)
    plain = model.predict(x, batch_size=batch)
    plain_scores = model.evaluate(x, y, batch_size=batch)
    np.testing.assert_allclose(chained.numpy(), plain.numpy(), rtol=1e-6, atol=1e-7)
    for a, b in zip(scores, plain_scores):
        assert a.numpy() == pytest.approx(b.numpy(), rel=1e-6)
    tf.dispose([chained, plain, *scores, *plain_scores])
    model.dispose()


def test_inference_runs_the_chain_and_training_does_not(monkeypatch) -> None:
    model = _convnet()
    model.compile(optimizer="sgd", loss="categoricalCrossentropy")
    runs = []
    original = chains.Chain.run
    monkeypatch.setattr(chains.Chain, "run", lambda self, x: runs.append(1) or original(self, x))
    x = _images(4)
    model.predict(x).dispose()
    assert runs == [1]
    model.fit(x, np.eye(3, dtype=np.float32)[[0, 1, 2, 0]], epochs=1, batch_size=4, verbose=0)
    tf.tidy(lambda: model.apply(tf.tensor(x), {"training": True}))
    assert runs == [1]
    model.dispose()


def test_gradients_through_an_inferring_model_see_every_layer() -> None:
    """Under a tape the chain op runs its layers one by one, so gradients flow as usual."""
    model = _convnet()
    x = tf.tensor(_images(3))

    def loss():
        return model.apply(x).square().sum()

    value, chained = tf.variable_grads(loss, model.trainable_weights)
    _unchained(model)
    plain_value, plain = tf.variable_grads(loss, model.trainable_weights)
    assert set(chained) == set(plain) and len(chained) == len(model.trainable_weights)
    for name, g in chained.items():
        np.testing.assert_allclose(g.numpy(), plain[name].numpy(), rtol=1e-5, atol=1e-7)
    assert all(np.abs(g.numpy()).sum() > 0 for g in chained.values())
    tf.dispose([value, plain_value, *chained.values(), *plain.values(), x])
    model.dispose()


def test_a_layer_output_used_elsewhere_ends_the_chain() -> None:
    inp = tf.input(shape=[10, 10, 2])
    a = tf.layers.conv2d(filters=4, kernel_size=3, activation="relu", name="a").apply(inp)
    b = tf.layers.conv2d(filters=4, kernel_size=3, activation="relu", name="b").apply(a)
    c = tf.layers.max_pooling2d(pool_size=2, name="c").apply(b)
    side = tf.layers.global_average_pooling2d(name="side").apply(a)  # a's second use
    d = tf.layers.conv2d(filters=4, kernel_size=1, name="d").apply(c)
    e = tf.layers.max_pooling2d(pool_size=2, name="e").apply(d)
    model = tf.model(inputs=inp, outputs=[e, side, c])  # c is an output too
    assert _layer_names(model) == [["b", "c"], ["d", "e"]]
    x = np.random.default_rng(0).standard_normal((3, 10, 10, 2)).astype(np.float32)
    outs = model.predict(x)
    _unchained(model)
    for got, want in zip(outs, model.predict(x)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)
    model.dispose()


class _MyConv(Conv2D):
    pass


@pytest.mark.parametrize("odd_one", [
    lambda: tf.layers.conv2d(filters=4, kernel_size=3, activation="tanh"),  # not fused
    lambda: tf.layers.conv2d(filters=4, kernel_size=3, activation="relu",
                             data_format="channels_first"),
    lambda: tf.layers.average_pooling2d(pool_size=2),
    lambda: _MyConv(filters=4, kernel_size=3, activation="relu"),
])
def test_only_plain_channels_last_convolutions_and_max_pooling_link(odd_one) -> None:
    model = tf.sequential()
    model.add(tf.layers.conv2d(input_shape=[9, 9, 4], filters=4, kernel_size=1,
                               activation="relu", name="first"))
    model.add(odd_one())
    model.add(tf.layers.conv2d(filters=4, kernel_size=1, name="last"))
    assert _layer_names(model) == []
    model.dispose()


def test_a_chain_needs_a_convolution_and_two_layers() -> None:
    model = tf.sequential()
    model.add(tf.layers.max_pooling2d(input_shape=[8, 8, 1], pool_size=2, name="p1"))
    model.add(tf.layers.max_pooling2d(pool_size=2, name="p2"))
    model.add(tf.layers.flatten())
    model.add(tf.layers.dense(units=2))
    model.add(tf.layers.reshape(target_shape=[1, 1, 2]))
    model.add(tf.layers.conv2d(filters=2, kernel_size=1, activation="relu", name="alone"))
    assert _layer_names(model) == []
    model.dispose()


def test_conv2d_chain_names_the_bad_stage(no_leaks) -> None:
    x = tf.ones([1, 6, 6, 2])
    f = tf.ones([3, 3, 2, 4])
    with pytest.raises(ValueError, match="stages is empty"):
        tf.fused.conv2d_chain(x, [])
    with pytest.raises(ValueError, match="stage 1 must be a dict with 'op'"):
        tf.fused.conv2d_chain(x, [{"op": "conv2d", "filter": f}, {"op": "avg_pool"}])
    with pytest.raises(TypeError, match=r"stage 0 \(conv2d\).*kernel"):
        tf.fused.conv2d_chain(x, [{"op": "conv2d", "filter": f, "kernel": 3}])
    with pytest.raises(ValueError, match="stage 1"):  # 4 channels arrive, the filter wants 2
        tf.fused.conv2d_chain(x, [{"op": "conv2d", "filter": f},
                                  {"op": "conv2d", "filter": f}])
    with pytest.raises(ValueError, match="stage 0.*activation"):
        tf.fused.conv2d_chain(x, [{"op": "conv2d", "filter": f, "activation": "tanh"}])
    tf.dispose([x, f])
