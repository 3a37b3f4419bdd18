"""Convolution and pooling beyond the catalog rows: gradients at the MNIST convnet's shapes
(random-direction checks), TF's padding arithmetic, tie and padding semantics of pooling,
rank-3 inputs, and the entry checks' error messages.
"""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from gradcheck import check_directional
from minitf.ops.conv import conv_padding
from minitf.ops.pool import max_pool1d
from op_catalog.conv import conv2d_backprop_input_ref, conv2d_ref, pool_ref

RNG = np.random.default_rng(0)

# The mnist-node convnet: 28x28x1 -> conv 3x3x32 -> conv 3x3x32 -> pool 2 -> conv 3x3x64 -> ...
MNIST_CONVS = [((2, 28, 28, 1), (3, 3, 1, 32)), ((2, 26, 26, 32), (3, 3, 32, 32)),
               ((2, 12, 12, 32), (3, 3, 32, 64)), ((2, 10, 10, 64), (3, 3, 64, 64))]


@pytest.mark.parametrize("x_shape, f_shape", MNIST_CONVS)
def test_conv2d_gradient_at_mnist_shapes(x_shape, f_shape, no_leaks) -> None:
    x, f = RNG.uniform(-1, 1, x_shape), RNG.uniform(-1, 1, f_shape)
    check_directional(lambda x, f: tf.conv2d(x, f, 1, "valid"), [x, f], seed=1)


@pytest.mark.parametrize("pool", [tf.max_pool, tf.avg_pool])
def test_pool_gradient_at_mnist_shape(pool, no_leaks) -> None:
    shape = (2, 26, 26, 32)
    size = int(np.prod(shape))
    # Distinct values 1.4e-4 apart, so no two cells of a window swap order within eps.
    x = (RNG.permutation(size) / size * 6 - 3).reshape(shape)
    check_directional(lambda x: pool(x, 2, 2, "valid"), [x], seed=2, eps=1e-6)


def test_conv2d_float32_stays_float32_at_mnist_shape() -> None:
    x = tf.tensor(RNG.uniform(-1, 1, (2, 26, 26, 32)), dtype="float32")
    f = tf.tensor(RNG.uniform(-1, 1, (3, 3, 32, 32)), dtype="float32")
    dx, df = tf.grads(lambda x, f: tf.sum(tf.max_pool(tf.conv2d(x, f), 2, 2)))([x, f])
    assert (dx.dtype, df.dtype) == ("float32", "float32")
    want = conv2d_ref(x.numpy().astype(np.float64), f.numpy().astype(np.float64), (1, 1),
                      "valid", (1, 1))
    np.testing.assert_allclose(tf.conv2d(x, f).numpy(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("conv", [tf.conv2d, tf.depthwise_conv2d])
def test_gradients_of_gradients(conv, no_leaks) -> None:
    """The backprop ops are differentiable: the square norm of dL/dfilter, differentiated in x."""
    def grad_norm(x: tf.Tensor, f: tf.Tensor) -> tf.Tensor:
        def loss(f: tf.Tensor) -> tf.Tensor:
            y = conv(x, f, 2, "same")
            return tf.sum(tf.mul(y, y))

        df = tf.grad(loss)(f)
        return tf.sum(tf.mul(df, df))

    x, f = RNG.uniform(-1, 1, (2, 5, 6, 2)), RNG.uniform(-1, 1, (3, 2, 2, 2))
    check_directional(grad_norm, [x, f], seed=3)


# in, k, stride, dilation, pad -> (before, after), out; values as TensorFlow computes them.
PADDING_CASES = [
    (5, 3, 2, 1, "same", (1, 1), 3), (6, 3, 2, 1, "same", (0, 1), 3),
    (28, 3, 1, 1, "same", (1, 1), 28), (7, 4, 3, 1, "same", (1, 2), 3),
    (4, 2, 1, 1, "same", (0, 1), 4), (5, 3, 1, 2, "same", (2, 2), 5),
    (1, 1, 3, 1, "same", (0, 0), 1), (28, 3, 1, 1, "valid", (0, 0), 26),
    (7, 3, 2, 1, "valid", (0, 0), 3), (8, 3, 2, 1, "valid", (0, 0), 3),
    (7, 3, 1, 3, "valid", (0, 0), 1), (5, 3, 2, 1, 1, (1, 1), 3),
]


@pytest.mark.parametrize("size, k, stride, dilation, pad, sides, out", PADDING_CASES)
def test_padding_matches_tensorflow(size, k, stride, dilation, pad, sides, out) -> None:
    pads, out_hw = conv_padding(pad, (size, 1), (k, 1), (stride, 1), (dilation, 1), "test")
    assert pads[1] == sides and out_hw[0] == out


def test_max_pool_gradient_goes_to_the_first_maximum() -> None:
    x = tf.tensor([[[[1.0], [3.0], [3.0]], [[3.0], [0.0], [3.0]]]])
    dx = tf.grad(lambda x: tf.sum(tf.max_pool(x, 2, 1)))(x)
    np.testing.assert_array_equal(dx.numpy()[0, :, :, 0], [[0, 2, 0], [0, 0, 0]])


def test_same_padding_is_never_counted_by_pooling() -> None:
    x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # all negative: a zero pad would win a max
    got = tf.max_pool(x, 2, 2, "same").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(got, [[-1, -3], [-7, -9]])
    avg = tf.avg_pool(x, 2, 2, "same").numpy()[0, :, :, 0]
    np.testing.assert_allclose(avg, [[-3, -4.5], [-7.5, -9]])  # means over 4, 2, 2 and 1 cells
    np.testing.assert_allclose(avg, pool_ref(x, (2, 2), (2, 2), "same", np.mean)[0, :, :, 0])


def test_explicit_padding_and_dilation_on_both_axes() -> None:
    x, f = RNG.uniform(-1, 1, (2, 7, 6, 3)), RNG.uniform(-1, 1, (3, 2, 3, 4))
    for strides, pad, dilations in [((1, 1), 2, (2, 3)), ((2, 1), 1, (1, 1)),
                                    ((1, 2), [[0, 0], [2, 0], [1, 3], [0, 0]], (1, 1))]:
        got = tf.conv2d(tf.tensor(x, dtype="float64"), tf.tensor(f, dtype="float64"), strides,
                        pad, dilations=dilations).numpy()
        if isinstance(pad, list):  # the reference pads symmetrically: pad x by hand
            ref = conv2d_ref(np.pad(x, pad), f, strides, "valid", dilations)
        else:
            ref = conv2d_ref(x, f, strides, pad, dilations)
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


def test_rank3_inputs_drop_the_batch_again() -> None:
    x = RNG.uniform(-1, 1, (5, 5, 2))
    assert tf.conv2d(x, np.ones((3, 3, 2, 4)), 1, "same").shape == (5, 5, 4)
    assert tf.depthwise_conv2d(x, np.ones((3, 3, 2, 2)), 2, "same").shape == (3, 3, 4)
    assert tf.max_pool(x, 2, 2).shape == (2, 2, 2)
    assert tf.avg_pool(x, 3, 1, "same").shape == (5, 5, 2)
    assert tf.conv1d(x[0], np.ones((2, 2, 3)), 1, "valid").shape == (4, 3)
    assert max_pool1d(x[0], 2, 2).shape == (2, 2)
    y = tf.conv2d_transpose(np.ones((3, 3, 4)), np.ones((3, 3, 2, 4)), [5, 5, 2], 2, "same")
    assert y.shape == (5, 5, 2)


def test_conv2d_transpose_is_the_input_gradient_of_conv2d() -> None:
    x, f = RNG.uniform(-1, 1, (2, 3, 4, 3)), RNG.uniform(-1, 1, (3, 3, 2, 3))
    got = tf.conv2d_transpose(tf.tensor(x, dtype="float64"), tf.tensor(f, dtype="float64"),
                              [2, 6, 7, 2], 2, "same").numpy()
    want = conv2d_backprop_input_ref((2, 6, 7, 2), x, f, (2, 2), "same", (1, 1))
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


ERRORS = [
    (lambda: tf.conv2d(np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 4))),
     r"conv2d: x has 3 channels \(shape \[1, 5, 5, 3\]\) but the filter expects 2"),
    (lambda: tf.conv2d(np.ones((5, 5)), np.ones((3, 3, 1, 4))),
     r"conv2d: input 'x' must be rank 3 or 4"),
    (lambda: tf.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1))),
     r"input 'filter' must be rank 4"),
    (lambda: tf.conv2d(np.ones((1, 9, 9, 1)), np.ones((3, 3, 1, 1)), 2, "same", dilations=2),
     r"strides \[2, 2\] and dilations \[2, 2\] cannot both be greater than 1"),
    (lambda: tf.conv2d(np.ones((1, 2, 5, 1)), np.ones((3, 3, 1, 1))),
     r"conv2d: the filter spans 3 rows .* input height is 2"),
    (lambda: tf.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), dilations=(1, 3)),
     r"spans 7 columns \(size 3, dilation 3\)"),
    (lambda: tf.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), pad="full"), r"pad must be"),
    (lambda: tf.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), 0), r"strides must be"),
    (lambda: tf.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), data_format="NCHW"),
     r"data_format must be 'NHWC'"),
    (lambda: tf.max_pool(np.ones((1, 4, 4, 1)), 2, 1, 2), r"max_pool: padding .* smaller than"),
    (lambda: tf.avg_pool(np.ones((1, 1, 4, 1)), 2, 1), r"avg_pool: the filter spans 2 rows"),
    (lambda: tf.conv2d_transpose(np.ones((1, 3, 3, 4)), np.ones((3, 3, 2, 4)), [1, 9, 9, 2], 2,
                                 "same"),
     r"conv2d_transpose: x must have shape \[1, 5, 5, 4\]"),
    (lambda: tf.depthwise_conv2d(np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 1))),
     r"depthwise_conv2d: x has 3 channels"),
    (lambda: tf.separable_conv2d(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 2)),
                                 np.ones((1, 1, 2, 3))),
     r"pointwise_filter must have shape \[1, 1, 4, out\]"),
    (lambda: tf.conv1d(np.ones((1, 5, 2)), np.ones((3, 1, 1))), r"conv1d: x has 2 channels"),
]


@pytest.mark.parametrize("call, message", ERRORS)
def test_entry_checks_name_the_op_and_the_shapes(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()
