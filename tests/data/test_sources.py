"""tf.data.array, generator, func and zip."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
import minitf.data  # noqa: F401  (tf.data until the namespace imports it)


def test_array_copies_containers_and_clones_tensors() -> None:
    t = tf.tensor([1.0, 2.0])
    ds = tf.data.array([{"t": t, "n": [1, 2]}])
    (first,) = ds.to_array()
    assert first["t"] is not t and first["t"].numpy().tolist() == [1.0, 2.0]
    first["n"].append(3)
    tf.dispose(first)
    (second,) = ds.to_array()  # a second epoch still works after the consumer disposed
    assert second["n"] == [1, 2] and not t.is_disposed
    tf.dispose([second, t])
    assert tf.data.array(np.arange(3)).to_array() == [0, 1, 2]
    with pytest.raises(TypeError, match="tf.data.array: expected a list"):
        tf.data.array(x for x in range(3))


def test_generator_calls_the_function_per_iteration() -> None:
    calls = []

    def make():
        calls.append(1)
        yield from ("a", "b")

    ds = tf.data.generator(make)
    assert ds.size is None and calls == []
    assert ds.to_array() == ["a", "b"] and ds.to_array() == ["a", "b"] and len(calls) == 2
    assert tf.data.generator(lambda: [1, 2]).to_array() == [1, 2]  # any iterable
    with pytest.raises(TypeError, match="pass the generator function itself"):
        tf.data.generator(make())
    with pytest.raises(TypeError, match="must return an iterator"):
        tf.data.generator(lambda: 5).to_array()


def test_func_follows_the_tfjs_value_done_protocol() -> None:
    state = {"i": 0}

    def step():
        state["i"] += 1
        return {"value": state["i"], "done": state["i"] > 5}

    ds = tf.data.func(step)
    assert ds.take(2).to_array() == [1, 2]
    assert ds.to_array() == [3, 4, 5]  # continues, as TF.js shares the iterator
    with pytest.raises(TypeError, match="'done'"):
        tf.data.func(lambda: 3).to_array()


def test_zip_lists_tuples_dicts_and_nesting_stop_at_the_shortest() -> None:
    a, b = tf.data.array([1, 2, 3]), tf.data.array(["x", "y"])
    assert tf.data.zip([a, b]).to_array() == [[1, "x"], [2, "y"]]
    assert tf.data.zip((a, b)).to_array() == [(1, "x"), (2, "y")]
    nested = tf.data.zip({"xs": {"a": a}, "ys": [b, a]})
    assert nested.to_array()[1] == {"xs": {"a": 2}, "ys": ["y", 2]}
    assert nested.size == 2 and tf.data.zip([a, a.repeat()]).size == 3
    assert tf.data.zip([a, tf.data.generator(lambda: iter([1]))]).size is None
    with pytest.raises(TypeError, match="leaves of the structure must be Datasets"):
        tf.data.zip([a, 3])
    with pytest.raises(TypeError, match="expected a list, tuple or dict"):
        tf.data.zip(a)


def test_zip_pulls_in_lock_step_and_batches_position_wise() -> None:
    pulled = []

    def numbers():
        for i in range(100):
            pulled.append(i)
            yield float(i)

    zipped = tf.data.zip((tf.data.generator(numbers), tf.data.array([10.0, 20.0, 30.0])))
    (xs, ys), = zipped.batch(3).to_array()
    assert xs.numpy().tolist() == [0.0, 1.0, 2.0] and ys.numpy().tolist() == [10.0, 20.0, 30.0]
    assert pulled == [0, 1, 2, 3]  # the 4th was pulled, then the short side ended
    tf.dispose([xs, ys])
    (rows,) = tf.data.zip([tf.data.array([1.0, 2.0]), tf.data.array([3.0, 4.0])]).batch(2) \
        .to_array()
    assert rows.shape == (2, 2)  # a list of numbers is one row, as TF.js
    tf.dispose(rows)
