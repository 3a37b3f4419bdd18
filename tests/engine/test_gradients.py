"""The autodiff API: grad, grads, value_and_grad(s), variable_grads, custom_grad, and its errors."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf


def test_grad_of_a_square() -> None:
    x = tf.tensor([1.0, -2.0, 3.0])
    g = tf.grad(lambda t: tf.sum(tf.mul(t, t)))(x)
    assert g.array_sync() == [2.0, -4.0, 6.0]


def test_grad_with_explicit_dy_for_a_non_scalar() -> None:
    x = tf.tensor([1.0, 2.0])
    g = tf.grad(lambda t: tf.mul(t, t))(x, tf.tensor([1.0, 10.0]))
    assert g.array_sync() == [2.0, 40.0]


def test_non_scalar_without_dy_is_an_error() -> None:
    with pytest.raises(ValueError, match="non-scalar result needs an explicit dy"):
        tf.grad(lambda t: tf.mul(t, t))(tf.tensor([1.0, 2.0]))


def test_dy_of_the_wrong_shape_or_dtype_is_an_error() -> None:
    x = tf.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"dy must match y: expected shape \[2\]"):
        tf.grad(lambda t: tf.mul(t, t))(x, tf.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="dtype float32"):
        tf.grad(lambda t: tf.mul(t, t))(x, tf.tensor([1.0, 2.0], dtype="float64"))


def test_int_inputs_carry_no_gradient() -> None:
    with pytest.raises(TypeError, match="int32"):
        tf.grad(lambda t: tf.sum(t))(tf.tensor([1, 2], dtype="int32"))


def test_disposed_input_is_an_error() -> None:
    x = tf.tensor([1.0])
    x.dispose()
    with pytest.raises(tf.DisposedTensorError):
        tf.grad(lambda t: tf.sum(t))(x)


def test_unused_inputs_get_zeros_of_their_shape() -> None:
    a, b = tf.tensor([1.0, 2.0]), tf.tensor([[1.0, 2.0, 3.0]])
    da, db = tf.grads(lambda p, q: tf.sum(tf.mul(p, p)))([a, b])
    assert da.array_sync() == [2.0, 4.0]
    assert db.shape == (1, 3) and db.array_sync() == [[0.0, 0.0, 0.0]]


def test_broadcast_gradients_reduce_to_the_input_shape() -> None:
    a = tf.tensor([[1.0], [2.0]])  # [2, 1]
    b = tf.tensor([10.0, 20.0, 30.0])  # [3]
    da, db = tf.grads(lambda p, q: tf.sum(tf.mul(p, q)))([a, b])
    assert da.array_sync() == [[60.0], [60.0]]
    assert db.array_sync() == [3.0, 3.0, 3.0]


def test_value_and_grad_and_value_and_grads() -> None:
    x = tf.tensor([3.0])
    value, g = tf.value_and_grad(lambda t: tf.sum(tf.mul(t, t)))(x)
    assert value.item() == 9.0 and g.array_sync() == [6.0]
    value, (ga, gb) = tf.value_and_grads(lambda p, q: tf.sum(tf.mul(p, q)))([x, tf.tensor([2.0])])
    assert value.item() == 6.0 and ga.item() == 2.0 and gb.item() == 3.0


def test_variable_grads_uses_trainable_variables() -> None:
    w = tf.variable(tf.tensor([1.0, 2.0]), name="vg_w")
    frozen = tf.variable(tf.tensor([5.0]), trainable=False, name="vg_frozen")
    unused = tf.variable(tf.tensor([7.0]), name="vg_unused")
    value, grads = tf.variable_grads(lambda: tf.sum(tf.mul(tf.mul(w, w), frozen)))
    assert value.item() == 25.0
    assert grads["vg_w"].array_sync() == [10.0, 20.0]
    assert "vg_frozen" not in grads and "vg_unused" not in grads
    _, explicit = tf.variable_grads(lambda: tf.sum(w), [w, unused])
    assert set(explicit) == {"vg_w"}  # TF.js leaves out variables f does not use
    tf.dispose([w, frozen, unused])


def test_variable_names_are_unique_and_assign_checks_shape() -> None:
    a = tf.variable(tf.zeros([2]), name="dup")
    b = tf.variable(tf.zeros([2]), name="dup")
    assert (a.name, b.name) == ("dup", "dup_1")
    with pytest.raises(ValueError, match=r"variable 'dup': expected shape \[2\]"):
        a.assign(tf.zeros([3]))
    a.assign([4.0, 5.0])
    assert a.array_sync() == [4.0, 5.0]
    tf.dispose([a, b])


def test_second_order_gradient() -> None:
    x = tf.tensor([1.0, -2.0, 3.0], dtype="float64")
    second = tf.grad(lambda t: tf.sum(tf.grad(lambda u: tf.sum(tf.mul(tf.mul(u, u), u)))(t)))(x)
    np.testing.assert_allclose(second.numpy(), 6 * x.numpy())


def test_custom_grad_replaces_the_gradient() -> None:
    def f(x: tf.Tensor, save) -> dict:
        save([x])
        return {"value": tf.mul(x, x), "grad_func": lambda dy, saved: [tf.mul(dy, 100.0)]}

    square = tf.custom_grad(f)
    x = tf.tensor([1.0, 2.0])
    assert square(x).array_sync() == [1.0, 4.0]
    assert tf.grad(lambda t: tf.sum(square(t)))(x).array_sync() == [100.0, 100.0]


def test_gradient_scope_releases_everything() -> None:
    x = tf.tensor([1.0, 2.0])
    before = tf.memory().num_tensors
    for _ in range(5):
        tf.grad(lambda t: tf.sum(tf.exp(tf.mul(t, t))))(x).dispose()
        v, g = tf.value_and_grad(lambda t: tf.sum(tf.relu(t)))(x)
        tf.dispose([v, g])
    assert tf.memory().num_tensors == before


def test_the_tape_is_readable() -> None:
    from minitf.engine import tape

    t = tape.push()
    try:
        x = tf.tensor([1.0])
        y = tf.exp(x)
    finally:
        tape.pop(t)
    assert repr(t.nodes[0]).startswith("TapeNode(Exp: t")
    t.release()
    tf.dispose([x, y])


def test_nothing_is_recorded_outside_a_gradient_scope() -> None:
    from minitf.engine import tape

    tf.exp(tf.tensor([1.0])).dispose()
    assert not tape.recording()


def test_multi_output_kernels_get_a_list_of_dy_even_with_one_output() -> None:
    x = tf.tensor([[1.0, 2.0], [3.0, 4.0]])
    (only,) = tf.split(x, 1)
    assert only.shape == (2, 2)
    g = tf.grad(lambda t: tf.sum(tf.mul(tf.split(t, 1)[0], t)))(x)
    assert g.array_sync() == [[2.0, 4.0], [6.0, 8.0]]
    g2 = tf.grad(lambda t: tf.sum(tf.unstack(t)[1]))(x)
    assert g2.array_sync() == [[0.0, 0.0], [1.0, 1.0]]
