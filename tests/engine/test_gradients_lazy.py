"""Deferred input gradients: the tape computes an input's gradient only when it leads to a
variable, so a first convolution or dense layer never differentiates its input data."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.engine import registry


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the calls of the backprop kernels on every backend."""
    counts: dict[str, int] = {}
    for (name, backend), fn in list(registry._kernels.items()):
        if name in ("Conv2DBackpropInput", "Conv2DBackpropFilter", "BatchMatMul"):
            def counted(*args, _fn=fn, _name=name, **kwargs):
                counts[_name] = counts.get(_name, 0) + 1
                return _fn(*args, **kwargs)
            monkeypatch.setitem(registry._kernels, (name, backend), counted)
    return counts


def test_conv_on_data_skips_the_image_gradient(calls: dict[str, int]) -> None:
    x = tf.tensor(np.random.default_rng(0).random((2, 5, 5, 1)), dtype="float32")
    w = tf.variable(np.ones((3, 3, 1, 2), np.float32))
    _, grads = tf.variable_grads(lambda: tf.sum(tf.conv2d(x, w, 1, "valid")))
    assert calls == {"Conv2DBackpropFilter": 1}
    # d sum(conv) / d w[i, j] = the sum of the image cells that tap (i, j) sees
    image = x.numpy()[..., 0]
    want = np.array([[image[:, i:i + 3, j:j + 3].sum() for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(grads[w.name].numpy()[:, :, 0, 0], want, rtol=1e-5)
    tf.dispose([x, w, grads])


def test_both_gradients_when_both_are_needed(calls: dict[str, int]) -> None:
    x = tf.variable(np.ones((1, 4, 4, 1), np.float32))
    w = tf.variable(np.ones((3, 3, 1, 1), np.float32))
    _, grads = tf.variable_grads(lambda: tf.sum(tf.conv2d(x, w, 1, "valid")))
    assert calls == {"Conv2DBackpropFilter": 1, "Conv2DBackpropInput": 1}
    tf.dispose([x, w, grads])


def test_dense_on_data_skips_the_input_gradient(calls: dict[str, int]) -> None:
    x = tf.ones([4, 3])
    w = tf.variable(np.ones((3, 2), np.float32))
    _, grads = tf.variable_grads(lambda: tf.sum(tf.matmul(x, w)))
    assert calls == {"BatchMatMul": 2}  # the forward product and a^T @ dy only
    np.testing.assert_array_equal(grads[w.name].numpy(), np.full((3, 2), 4, np.float32))
    tf.dispose([x, w, grads])


def test_fused_conv_on_data_asks_for_no_image_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    for (name, backend), fn in list(registry._kernels.items()):
        if name == "FusedConv2DGrad":
            def spy(*args, _fn=fn, **attrs):
                seen.append(attrs["input_grad"])
                return _fn(*args, **attrs)
            monkeypatch.setitem(registry._kernels, (name, backend), spy)
    x = tf.tensor(np.random.default_rng(1).random((2, 5, 5, 1)), dtype="float32")
    w = tf.variable(np.full((3, 3, 1, 2), 0.1, np.float32))
    b = tf.variable(np.zeros(2, np.float32))
    layer_input = tf.variable(x)  # the same images as a variable: now x needs a gradient too
    for images, want in ((x, [False]), (layer_input, [True])):
        seen.clear()
        _, grads = tf.variable_grads(lambda: tf.sum(tf.fused.conv2d(images, w, bias=b,
                                                                    activation="relu")))
        assert seen == want
        tf.dispose(grads)
    tf.dispose([x, w, b, layer_input])


def test_second_order_through_a_fused_conv() -> None:
    # Under an outer tape the fused gradient is written in ops, so it can be differentiated.
    x = tf.tensor(np.random.default_rng(2).random((1, 4, 4, 1)), dtype="float32")
    w = tf.tensor(np.full((2, 2, 1, 1), 0.3, np.float32))

    def inner(w_):
        return tf.grad(lambda v: tf.sum(tf.square(tf.fused.conv2d(x, v, activation="sigmoid"))))(w_)

    second = tf.grad(lambda v: tf.sum(inner(v)))(w)
    eps = 1e-2
    plus = tf.sum(inner(w + eps)).numpy()
    minus = tf.sum(inner(w - eps)).numpy()
    np.testing.assert_allclose(second.numpy().sum(), (plus - minus) / (2 * eps), rtol=2e-2)
