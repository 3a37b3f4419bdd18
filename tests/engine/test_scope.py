"""tidy / keep / dispose / memory: ownership of tensors, as TF.js defines it."""
from __future__ import annotations

import pytest

import minitf as tf


def count() -> int:
    return tf.memory().num_tensors


def test_tidy_disposes_intermediates_and_keeps_the_result() -> None:
    before = count()
    x = tf.tensor([1.0, 2.0, 3.0])
    y = tf.tidy(lambda: tf.sum(tf.mul(x, x)))
    assert y.item() == 14.0
    assert count() == before + 2  # x and y; the product is gone
    tf.dispose([x, y])
    assert count() == before


def test_a_loop_of_100_tidy_steps_leaks_nothing() -> None:
    w = tf.variable(tf.tensor([0.5, -0.5]))
    x = tf.tensor([[1.0, 2.0], [3.0, 4.0]])

    def step() -> None:
        loss = tf.sum(tf.mul(tf.mul(x, w), x))
        g = tf.grad(lambda v: tf.sum(tf.mul(tf.mul(x, v), x)))(w)
        w.assign(tf.add(w, tf.mul(g, -0.001)))
        return loss

    tf.tidy(step).dispose()  # first step may create lasting state; none expected here
    before = tf.memory()
    for _ in range(100):
        tf.tidy(step).dispose()
    after = tf.memory()
    assert after.num_tensors == before.num_tensors
    assert after.num_data_buffers == before.num_data_buffers
    assert after.num_bytes == before.num_bytes
    tf.dispose([w, x])


def test_nested_tidy_moves_returned_tensors_to_the_parent() -> None:
    before = count()
    inner_result = []

    def outer() -> tf.Tensor:
        a = tf.tidy(lambda: tf.add(tf.ones([2]), 1))  # inner result survives the inner tidy...
        inner_result.append(a)
        return tf.mul(a, 2)

    b = tf.tidy(outer)
    assert inner_result[0].is_disposed  # ...but not the outer one, which did not return it
    assert b.array_sync() == [4.0, 4.0]
    b.dispose()
    assert count() == before


def test_tidy_returns_containers_of_tensors() -> None:
    before = count()
    out = tf.tidy(lambda: {"a": tf.ones([1]), "pair": (tf.zeros([2]), [tf.ones([3])]), "n": 3})
    assert out["n"] == 3
    assert out["a"].shape == (1,) and out["pair"][1][0].shape == (3,)
    assert count() == before + 3
    tf.dispose(out)
    assert count() == before


def test_keep_survives_every_scope_until_disposed() -> None:
    before = count()
    kept = []
    tf.tidy(lambda: kept.append(tf.keep(tf.ones([2]))) or tf.zeros([1]).dispose())
    assert not kept[0].is_disposed
    kept[0].dispose()
    assert count() == before


def test_variables_survive_tidy() -> None:
    v = tf.tidy(lambda: tf.variable(tf.ones([2]), name="survivor"))
    assert not v.is_disposed and v.array_sync() == [1.0, 1.0]
    v.dispose()


def test_tensors_created_outside_any_scope_are_not_tracked() -> None:
    before = count()
    t = tf.ones([2])
    assert count() == before + 1
    t.dispose()
    t.dispose()  # idempotent
    assert count() == before


def test_using_a_disposed_tensor_is_a_clear_error() -> None:
    t = tf.tensor([1.0])
    t.dispose()
    with pytest.raises(tf.DisposedTensorError, match="Tensor is disposed"):
        t.numpy()
    with pytest.raises(tf.DisposedTensorError, match="Tensor is disposed"):
        tf.add(t, 1)
    with pytest.raises(tf.DisposedTensorError):
        t.array_sync()


def test_result_used_after_its_tidy_disposed_it() -> None:
    leaked = []
    tf.tidy(lambda: leaked.append(tf.ones([1])))
    with pytest.raises(tf.DisposedTensorError, match="tf.keep"):
        tf.exp(leaked[0])


def test_tidy_as_decorator_and_context_manager() -> None:
    before = count()

    @tf.tidy
    def f(x: tf.Tensor) -> tf.Tensor:
        return tf.sum(tf.mul(x, x))

    x = tf.tensor([3.0])
    assert f(x).item() == 9.0
    with tf.tidy("block"):
        tf.mul(x, 2)
        kept = tf.keep(tf.mul(x, 3))
    assert kept.item() == 9.0
    tf.dispose([x, kept])
    assert count() == before + 1  # f(x)'s result was never disposed: it is the caller's


def test_tidy_with_a_name_and_exceptions_clean_up() -> None:
    before = count()
    with pytest.raises(RuntimeError):
        tf.tidy("failing", lambda: (tf.ones([3]), (_ for _ in ()).throw(RuntimeError("boom"))))
    assert count() == before


def test_memory_reports_bytes_and_buffers() -> None:
    before = tf.memory()
    t = tf.zeros([10, 10])
    info = tf.memory()
    assert info.num_bytes - before.num_bytes == 400
    assert info.num_data_buffers - before.num_data_buffers == 1
    assert info["numTensors"] == info.num_tensors
    t.dispose()
