"""Dataset methods: order, laziness, sizes, batching and tensor ownership (TF.js tfjs-data)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitf as tf
import minitf.data  # noqa: F401  (tf.data until the namespace imports it)


class Recorder:
    """A generator function that records which elements were pulled."""

    def __init__(self, n: int | None = None) -> None:
        self.n = n
        self.pulled: list[int] = []
        self.calls = 0

    def __call__(self):
        self.calls += 1
        i = 0
        while self.n is None or i < self.n:
            self.pulled.append(i)
            yield i
            i += 1


def test_nothing_runs_before_iteration_and_each_iteration_starts_over() -> None:
    source = Recorder(10)
    ds = (tf.data.generator(source).map(lambda x: x + 1).filter(lambda x: x % 2 == 0)
          .shuffle(4, seed=0).batch(2).prefetch(2).take(1).repeat(2))
    iterator = iter(ds)
    assert source.calls == 0 and source.pulled == []
    first = next(iterator)
    assert source.calls == 1 and source.pulled
    tf.dispose(first)
    tf.dispose(list(iterator))
    assert source.calls == 2
    assert [x for x in tf.data.generator(Recorder(3))] == [0, 1, 2]


def test_take_reads_only_what_it_returns() -> None:
    source = Recorder()  # endless
    assert tf.data.generator(source).take(3).to_array() == [0, 1, 2]
    assert source.pulled == [0, 1, 2]
    source.pulled.clear()
    assert tf.data.generator(source).take(0).to_array() == []
    assert source.pulled == []
    source.pulled.clear()
    assert tf.data.generator(source).batch(4).take(2).map(list).to_array() == \
        [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert source.pulled == list(range(8))


def test_map_filter_skip_take_concatenate_order_and_sizes() -> None:
    ds = tf.data.array(list(range(10)))
    assert ds.size == 10
    assert ds.map(lambda x: x * 2).take(3).to_array() == [0, 2, 4]
    assert ds.skip(7).to_array() == [7, 8, 9] and ds.skip(7).size == 3
    assert ds.skip(20).size == 0 and ds.skip(20).to_array() == []
    assert ds.take(20).size == 10 and ds.take(None).to_array() == list(range(10))
    assert ds.skip(-1).size == 10
    evens = ds.filter(lambda x: x % 2 == 0)
    assert evens.to_array() == [0, 2, 4, 6, 8] and evens.size is None
    both = ds.take(2).concatenate(tf.data.array([7, 8]))
    assert both.to_array() == [0, 1, 7, 8] and both.size == 4
    assert ds.concatenate(tf.data.generator(lambda: iter([1]))).size is None
    assert ds.filter(lambda x: tf.greater(tf.scalar(x), 5)).to_array() == [6, 7, 8, 9]
    with pytest.raises(TypeError, match="concatenate: expected a Dataset"):
        ds.concatenate([1, 2])


def test_repeat_sizes_and_fresh_passes() -> None:
    source = Recorder(2)
    ds = tf.data.generator(source)
    assert ds.repeat(3).to_array() == [0, 1] * 3 and source.calls == 3
    assert ds.repeat(0).to_array() == [] and ds.repeat(0).size == 0
    arr = tf.data.array([1, 2])
    assert arr.repeat().size == math.inf and arr.repeat(3).size == 6
    assert arr.repeat().take(5).to_array() == [1, 2, 1, 2, 1]
    assert tf.data.array([]).repeat().to_array() == []  # an empty pass ends it, no hang
    with pytest.raises(ValueError, match="infinite"):
        arr.repeat().to_array()


def test_shuffle_is_a_seeded_reservoir_that_reshuffles_per_iteration() -> None:
    ds = tf.data.array(list(range(20))).shuffle(20, seed=7)
    first, second = ds.to_array(), ds.to_array()
    assert sorted(first) == list(range(20)) and sorted(second) == list(range(20))
    assert first != second  # a new order each epoch
    again = tf.data.array(list(range(20))).shuffle(20, seed=7)
    assert [again.to_array(), again.to_array()] == [first, second]  # runs repeat
    fixed = tf.data.array(list(range(20))).shuffle(20, seed=7, reshuffle_each_iteration=False)
    assert fixed.to_array() == fixed.to_array()
    assert tf.data.array(list(range(20))).shuffle(20, seed=8).to_array() != first


def test_shuffle_buffer_only_mixes_nearby_elements() -> None:
    source = Recorder(100)
    ds = tf.data.generator(source).shuffle(5, seed=1)
    iterator = iter(ds)
    next(iterator)
    assert source.pulled == list(range(5))  # the buffer is filled, no more
    out = [0] + list(iterator)
    order = tf.data.generator(Recorder(100)).shuffle(5, seed=1).to_array()
    assert sorted(order) == list(range(100))
    # the element at position i was pulled at most when the buffer reached i + 5
    assert all(x < i + 5 for i, x in enumerate(order))
    assert len(out) == 100
    with pytest.raises(ValueError, match="buffer_size must be an integer >= 1"):
        ds.shuffle(0)


def test_prefetch_keeps_order_and_reads_ahead() -> None:
    source = Recorder(10)
    iterator = iter(tf.data.generator(source).prefetch(3))
    assert next(iterator) == 0 and source.pulled == [0, 1, 2]
    assert list(iterator) == list(range(1, 10))
    with pytest.raises(ValueError, match="prefetch: buffer_size"):
        tf.data.array([1]).prefetch(None)


def test_batch_of_numbers_arrays_and_small_last_batch() -> None:
    ds = tf.data.array([1.0, 2.0, 3.0, 4.0, 5.0])
    batches = ds.batch(2).to_array()
    assert [b.shape for b in batches] == [(2,), (2,), (1,)]
    assert batches[0].dtype == "float32" and batches[2].numpy().tolist() == [5.0]
    assert ds.batch(2).size == 3 and ds.batch(2, small_last_batch=False).size == 2
    dropped = ds.batch(2, small_last_batch=False).to_array()
    assert [b.numpy().tolist() for b in dropped] == [[1.0, 2.0], [3.0, 4.0]]
    images = tf.data.array([np.full((2, 3), i, np.float64) for i in range(3)]).batch(3)
    (stacked,) = images.to_array()
    assert stacked.shape == (3, 2, 3) and stacked.dtype == "float32"
    assert tf.data.array([1, 2]).batch(2).to_array()[0].dtype == "int32"
    assert tf.data.array([True, False]).batch(2).to_array()[0].dtype == "bool"
    tf.dispose([batches, dropped, stacked])
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        ds.batch(0)


def test_batch_of_nested_dicts_lists_and_tuples() -> None:
    rows = [{"xs": {"a": float(i), "v": [i, i + 1.0]}, "ys": (i % 2, [np.ones(2) * i]),
             "name": f"r{i}"} for i in range(3)]
    (b,) = tf.data.array(rows).batch(3).to_array()
    assert b["xs"]["a"].shape == (3,) and b["xs"]["v"].shape == (3, 2)  # a number list: a row
    assert isinstance(b["ys"], tuple) and b["ys"][0].numpy().tolist() == [0, 1, 0]
    assert isinstance(b["ys"][1], list) and b["ys"][1][0].shape == (3, 2)  # arrays: position-wise
    assert b["name"] == ["r0", "r1", "r2"]  # strings stay a list
    np.testing.assert_array_equal(b["xs"]["v"].numpy(), [[0, 1], [1, 2], [2, 3]])
    tf.dispose(b)


def test_batch_errors_name_the_place() -> None:
    with pytest.raises(ValueError, match=r"different shapes at 'x': \[2\] \(element 0\) vs \[3\]"):
        tf.data.array([{"x": [1, 2]}, {"x": [1, 2, 3]}]).batch(2).to_array()
    with pytest.raises(ValueError, match=r"element 1 has keys \['b'\] at the top level"):
        tf.data.array([{"a": 1}, {"b": 2}]).batch(2).to_array()
    with pytest.raises(ValueError, match="element 1 has no value at 'xs.a'"):
        tf.data.array([{"xs": {"a": 1.0}}, {"xs": {"a": None}}]).batch(2).to_array()
    with pytest.raises(ValueError, match="not numeric"):
        tf.data.array(["a", 1]).batch(2).to_array()


def test_batching_tensors_frees_the_rows_and_hands_the_batch_to_the_consumer() -> None:
    rows = [tf.tensor([float(i), float(i)]) for i in range(5)]
    start = tf.memory().num_tensors
    ds = tf.data.array(rows).map(lambda t: {"x": t * 2, "y": t.sum()}).batch(2)
    for _ in range(2):
        batches = ds.to_array()
        assert [b["x"].shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
        assert tf.memory().num_tensors == start + 6  # only the batches are alive
        tf.dispose(batches)
    assert tf.memory().num_tensors == start
    np.testing.assert_array_equal(rows[4].numpy(), [4.0, 4.0])  # the originals are untouched
    tf.dispose(rows)


def test_stages_dispose_what_they_drop(no_leaks) -> None:
    def tensors():
        return (tf.fill([2], float(i)) for i in range(10))

    ds = tf.data.generator(tensors)
    kept = ds.filter(lambda t: t.numpy()[0] % 3 == 0).skip(1).to_array()
    assert [float(t.numpy()[0]) for t in kept] == [3.0, 6.0, 9.0]
    tf.dispose(kept)
    tf.dispose(ds.shuffle(6, seed=0).take(2).to_array())  # closes with 4+ still buffered
    tf.dispose(ds.prefetch(4).take(1).to_array())
    tf.dispose(ds.batch(3, small_last_batch=False).to_array())
    for element in ds.shuffle(3, seed=1):
        tf.dispose(element)  # ours; the two still buffered are freed when the chain closes
        break
    tf.dispose(tf.data.zip([ds, ds.take(3)]).to_array())
    seen = []
    ds.for_each(lambda t: seen.append(float(t.numpy()[0]) + float((t * 2).numpy()[0])))
    assert seen == [3.0 * i for i in range(10)]
    with tf.tidy():  # elements pulled inside a tidy belong to it
        list(ds.map(lambda t: t + 1))


def test_repr_and_iterator_alias() -> None:
    ds = tf.data.array([1, 2])
    assert repr(ds) == "Dataset(size=2)"
    assert list(ds.iterator()) == [1, 2]
