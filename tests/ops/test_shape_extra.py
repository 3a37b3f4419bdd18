"""What the catalog rows do not cover for reductions, shape ops and matmul: entry errors that
name the op and the shapes, int and bool dtypes, TF.js conventions, gradients at ties and zeros,
multi-output ops with one output, and every form of ``x[index]``.
"""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def values(t: tf.Tensor) -> np.ndarray:
    return t.numpy()


# -- reductions -------------------------------------------------------------------------------
def test_reduction_dtypes_follow_tfjs() -> None:
    flags = tf.tensor([[True, False], [True, True]])
    ints = tf.tensor([[1, 2], [3, 4]], dtype="int32")
    assert tf.sum(flags).dtype == "int32" and tf.sum(flags).item() == 3
    assert tf.prod(flags, 1).dtype == "int32"
    assert tf.mean(ints).dtype == "float32" and tf.mean(ints).item() == 2.5
    assert tf.max(ints).dtype == "int32" and tf.min(ints, 0).array_sync() == [1, 2]
    assert tf.prod(ints).item() == 24
    assert tf.all(flags, 1).array_sync() == [False, True]
    assert tf.any(tf.tensor([0.0, 2.0])).item() is True  # read as bool


def test_argmax_defaults_to_axis_0_and_first_of_ties() -> None:
    x = tf.tensor([[1.0, 5.0, 5.0], [3.0, 2.0, 5.0]])
    assert tf.argmax(x).array_sync() == [1, 0, 0]
    assert tf.argmax(x, -1).array_sync() == [1, 2]
    assert tf.argmin(x, 1).dtype == "int32"
    assert tf.arg_max is tf.argmax and tf.log_sum_exp is tf.logsumexp and tf.mat_mul is tf.matmul


def test_max_gradient_goes_to_every_tied_element() -> None:
    dx = tf.grad(lambda x: tf.max(x, 1).sum())(tf.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]))
    assert dx.array_sync() == [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
    dx = tf.grad(lambda x: tf.min(x))(tf.tensor([2.0, -1.0, -1.0]))
    assert dx.array_sync() == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("x, expected", [
    ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
    ([0.0, 3.0, 4.0], [12.0, 0.0, 0.0]),   # one zero: only it has a non-zero derivative
    ([0.0, 3.0, 0.0], [0.0, 0.0, 0.0]),    # two zeros: every derivative is 0
])
def test_prod_gradient_is_exact_at_zeros(x: list, expected: list) -> None:
    assert tf.grad(lambda t: tf.prod(t))(tf.tensor(x)).array_sync() == expected


def test_logsumexp_is_stable_and_keeps_dims() -> None:
    x = tf.tensor([[1000.0, 1000.0], [-1000.0, -1000.0]], dtype="float64")
    np.testing.assert_allclose(values(tf.logsumexp(x, 1)), [1000 + np.log(2), -1000 + np.log(2)])
    assert tf.logsumexp(x, 1, keep_dims=True).shape == (2, 1)
    np.testing.assert_allclose(values(tf.grad(lambda t: tf.logsumexp(t))(tf.tensor([0.0, 0.0]))),
                               [0.5, 0.5])


def test_moments_shapes() -> None:
    mean, variance = tf.moments(tf.tensor(X), [0, 2], keep_dims=True)
    assert mean.shape == variance.shape == (1, 3, 1)
    np.testing.assert_allclose(values(variance).ravel(), X.var(axis=(0, 2)))
    mean, variance = tf.moments(tf.tensor(X), -1)
    assert mean.shape == variance.shape == (2, 3)


@pytest.mark.parametrize("call, message", [
    (lambda: tf.max(tf.zeros([2, 0]), 1), "max: cannot reduce axis 1 of size 0"),
    (lambda: tf.argmax(tf.scalar(1.0)), "argmax: input must have rank >= 1"),
    (lambda: tf.sum(tf.zeros([2, 3]), 2), "sum: axis 2 is out of range for a tensor of rank 2"),
    (lambda: tf.mean(tf.zeros([2, 3]), [1, -1]), "mean: axis [1, -1] repeats an axis"),
])
def test_reduction_errors_name_the_op(call, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call()


# -- reshaping and joining ----------------------------------------------------------------------
def test_expand_dims_squeeze_and_transpose() -> None:
    x = tf.tensor(X)
    assert tf.expand_dims(x, -1).shape == (2, 3, 4, 1)
    assert tf.squeeze(tf.zeros([1, 2, 1]), [0]).shape == (2, 1)
    assert tf.squeeze(tf.zeros([1, 2, 1]), []).shape == (2,)  # empty means all, as in TF.js
    assert tf.transpose(x).shape == (4, 3, 2)
    np.testing.assert_array_equal(values(tf.transpose(x, [1, 0, 2])), X.transpose(1, 0, 2))
    with pytest.raises(ValueError, match=r"squeeze: axis 1 of shape \[1, 2, 1\] has size 2"):
        tf.squeeze(tf.zeros([1, 2, 1]), 1)
    with pytest.raises(ValueError, match=r"transpose: perm \[0, 0\] is not a permutation"):
        tf.transpose(tf.zeros([2, 2]), [0, 0])


def test_concat_and_stack() -> None:
    a, b = tf.tensor([[1, 2]], dtype="int32"), tf.tensor([[3.5, 4.5]])
    joined = tf.concat([a, b])
    assert joined.dtype == "float32" and joined.array_sync() == [[1, 2], [3.5, 4.5]]
    assert tf.concat([a], 1).array_sync() == [[1, 2]]
    assert tf.stack([tf.scalar(1), tf.scalar(2)]).array_sync() == [1, 2]
    assert tf.stack([a, a], -1).shape == (1, 2, 2)
    with pytest.raises(ValueError, match=r"concat: tensor 1 has shape \[1, 3\].*\[1, 2\]"):
        tf.concat([a, tf.zeros([1, 3])])
    with pytest.raises(ValueError, match="concat: cannot concatenate scalars"):
        tf.concat([tf.scalar(1), tf.scalar(2)])
    with pytest.raises(ValueError, match=r"stack: tensor 1 has shape \[2\]"):
        tf.stack([tf.zeros([1]), tf.zeros([2])])
    with pytest.raises(TypeError, match="concat: expected a non-empty list"):
        tf.concat([])


def test_split_unstack_and_their_one_output_gradients() -> None:
    x = tf.tensor(X)
    parts = tf.split(x, [1, -1, 2], 2)
    assert [p.shape for p in parts] == [(2, 3, 1), (2, 3, 1), (2, 3, 2)]
    assert [p.shape for p in tf.split(x, 3, 1)] == [(2, 1, 4)] * 3
    with pytest.raises(ValueError, match=r"split: axis 1 of shape \[2, 3, 4\] cannot be split"):
        tf.split(x, 2, 1)
    with pytest.raises(ValueError, match="split: sizes"):
        tf.split(x, [-1, -1], 0)
    with pytest.raises(ValueError, match="split: sizes"):
        tf.split(x, [1, 2], 0)
    # A multi-output kernel with a single output hands its gradient a lone dy, not a list.
    assert tf.grad(lambda t: tf.split(t, 1)[0].sum())(tf.ones([2])).array_sync() == [1.0, 1.0]
    assert tf.grad(lambda t: tf.unstack(t)[0].sum())(tf.ones([1, 2])).array_sync() == [[1.0, 1.0]]
    dx = tf.grad(lambda t: tf.unstack(t, 1)[1].sum())(tf.ones([1, 2]))
    assert dx.array_sync() == [[0.0, 1.0]]


# -- slicing ------------------------------------------------------------------------------------
def test_slice_follows_tfjs_argument_forms() -> None:
    x = tf.tensor(X)
    np.testing.assert_array_equal(values(tf.slice(x, 1)), X[1:])           # a number: axis 0
    np.testing.assert_array_equal(values(tf.slice(x, [0, 1], [1])), X[:1, 1:])
    np.testing.assert_array_equal(values(tf.slice(x, [1, 1, 1], [-1, 2, -1])), X[1:, 1:3, 1:])
    with pytest.raises(ValueError, match=r"slice: begin \[0, 2, 0\] with size \[2, 2, 4\]"):
        tf.slice(x, [0, 2, 0], [2, 2, 4])


T = np.array([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]], [[5, 5, 5], [6, 6, 6]]])


@pytest.mark.parametrize("args, kwargs, expected", [
    # TF.js documentation examples
    (([1, 0, 0], [2, 1, 3], [1, 1, 1]), {}, T[1:2, 0:1, 0:3]),
    (([1, 0, 0], [2, 2, 3], [1, 1, 1]), {}, T[1:2, 0:2, 0:3]),
    (([1, -1, 0], [2, -3, 3], [1, -1, 1]), {}, T[1:2, -1:-3:-1, 0:3]),
    # masks: bit i refers to entry i of begin/end/strides
    (([1, 0, 0], [0, 1, 0], [1, 1, 1]), {"begin_mask": 0b001, "end_mask": 0b101}, T[:, 0:1, :]),
    (([1], [2], [1]), {"shrink_axis_mask": 0b1}, T[1]),
    (([1, 0], [2, 0], [1, 1]), {"shrink_axis_mask": 0b01}, T[1, 0:0]),
    (([0, 0], [0, 0], [1, 1]), {"new_axis_mask": 0b01, "begin_mask": 0b10, "end_mask": 0b10},
     T[None, :]),
    (([0, -1], [0, 0], [1, 1]), {"ellipsis_mask": 0b01, "shrink_axis_mask": 0b10}, T[..., -1]),
    (([0, 0, 2], [0, 0, 0], [1, 1, -1]), {"ellipsis_mask": 0b001, "new_axis_mask": 0b010,
                                          "end_mask": 0b100}, T[..., None, 2::-1]),
    (([5], [-5], [-2]), {}, T[5:-5:-2]),                               # clamped bounds
])
def test_strided_slice_matches_python_slicing(args, kwargs, expected) -> None:
    got = tf.strided_slice(tf.tensor(T, dtype="int32"), *args, **kwargs)
    assert got.dtype == "int32"
    np.testing.assert_array_equal(values(got), expected)


def test_strided_slice_errors() -> None:
    with pytest.raises(IndexError, match="strided_slice: index 3 is out of range for axis 0"):
        tf.strided_slice(tf.tensor(T), [3], [4], [1], shrink_axis_mask=1)
    with pytest.raises(ValueError, match=r"strided_slice: strides\[0\] is 0"):
        tf.strided_slice(tf.tensor(T), [0], [1], [0])
    with pytest.raises(ValueError, match="ellipsis_mask may set only one bit"):
        tf.strided_slice(tf.tensor(T), [0, 0], [0, 0], [1, 1], ellipsis_mask=0b11)


# -- getitem ------------------------------------------------------------------------------------
@pytest.mark.parametrize("index", [
    0, -1, (1, 2), (1, 2, 3), slice(None), slice(None, None, -1), (slice(None), slice(1, None, 2)),
    (Ellipsis, 0), (None, 0, None), (0, Ellipsis, None, slice(3, 0, -2)), (),
    [1, 0, 1], (slice(None), [2, -1]), (Ellipsis, [0, 0, 3]), (0, [1], slice(None, 2)),
    (None, slice(None), [[0, 1], [2, 2]]), np.array([1, 1]), [],
])
def test_getitem_matches_numpy(index) -> None:
    x = tf.tensor(X)
    got = x[index]
    np.testing.assert_array_equal(values(got), X[index])
    assert got.dtype == "float32"


def test_getitem_with_tensor_indices_bool_and_int_tensors() -> None:
    x = tf.tensor(X.astype(np.int32), dtype="int32")
    np.testing.assert_array_equal(values(x[:, tf.tensor([2, 0])]), X[:, [2, 0]])
    assert x[tf.scalar(1, "int32")].shape == (3, 4)
    flags = tf.tensor([[True, False], [False, True]])
    assert flags[1, ::-1].array_sync() == [True, False]


def test_getitem_errors_and_iteration() -> None:
    x = tf.tensor(X)
    with pytest.raises(IndexError, match=r"getitem: too many indices for a tensor of shape \[2, 3"):
        x[0, 0, 0, 0]
    with pytest.raises(IndexError, match="out of range for axis 0 of size 2"):
        x[2]
    with pytest.raises(TypeError, match="unsupported index"):
        x[tf.tensor([True, False])]
    with pytest.raises(TypeError, match="only one list"):
        x[[0], [0]]
    with pytest.raises(ValueError, match="step cannot be zero"):
        x[::0]
    rows = [row.shape for row in x]  # iteration stops at the IndexError, as for NumPy arrays
    assert rows == [(3, 4), (3, 4)]


def test_getitem_gradient_adds_up_repeated_picks() -> None:
    dx = tf.grad(lambda t: (t[[0, 2, 0]] * tf.tensor([1.0, 2.0, 3.0])).sum())(tf.zeros([3]))
    assert dx.array_sync() == [4.0, 0.0, 2.0]
    dx = tf.grad(lambda t: t[::-2].sum())(tf.zeros([5]))
    assert dx.array_sync() == [1.0, 0.0, 1.0, 0.0, 1.0]


def test_getitem_leaves_no_tensors_behind() -> None:
    x = tf.tensor(X)
    before = tf.memory().num_tensors
    y = x[0, [1, 2], None]
    assert tf.memory().num_tensors == before + 1
    y.dispose()


# -- gather, segment sums, pad, tile, reverse ---------------------------------------------------
def test_gather() -> None:
    x = tf.tensor(X)
    np.testing.assert_array_equal(values(tf.gather(x, [[1, 1], [0, 1]], 2)),
                                  np.take(X, [[1, 1], [0, 1]], axis=2))
    np.testing.assert_array_equal(values(tf.gather(x, [[2, 0], [1, 1]], 1, batch_dims=1)),
                                  np.stack([X[0, [2, 0]], X[1, [1, 1]]]))
    assert tf.gather(tf.tensor([True, False]), [1, 1]).array_sync() == [False, False]
    with pytest.raises(ValueError, match=r"GatherV2: index 3 is not in \[0, 2\]"):
        tf.gather(x, [3], 1)
    with pytest.raises(TypeError, match="gather: input 'indices' must be int32, got float32"):
        tf.gather(x, tf.tensor([0.0]))
    with pytest.raises(ValueError, match=r"gather: indices must lie in \[0, 2\] for axis 1"):
        tf.gather(x, [[0], [3]], 1, batch_dims=1)
    with pytest.raises(ValueError, match="gather: batch_dims 2 must be <= axis 1"):
        tf.gather(x, [[0]], 1, batch_dims=2)


def test_unsorted_segment_sum() -> None:
    x = tf.tensor([[1, 2], [3, 4], [5, 6]], dtype="int32")
    assert tf.unsorted_segment_sum(x, [1, 0, 1], 3).array_sync() == [[3, 4], [6, 8], [0, 0]]
    with pytest.raises(ValueError, match=r"UnsortedSegmentSum: index 3 is not in \[0, 2\]"):
        tf.unsorted_segment_sum(x, [0, 3, 1], 3)
    with pytest.raises(ValueError, match=r"segment_ids of shape \[2\] must match"):
        tf.unsorted_segment_sum(x, [0, 1], 3)


def test_pad_tile_reverse_keep_dtypes() -> None:
    ints = tf.tensor([[1, 2]], dtype="int32")
    padded = tf.pad(ints, [[1, 0], [0, 1]], 7)
    assert padded.dtype == "int32" and padded.array_sync() == [[7, 7, 7], [1, 2, 7]]
    assert tf.pad(tf.tensor([True]), [[1, 1]]).array_sync() == [False, True, False]
    assert tf.tile(ints, [2, 2]).array_sync() == [[1, 2, 1, 2], [1, 2, 1, 2]]
    assert tf.reverse(ints).array_sync() == [[2, 1]]
    with pytest.raises(ValueError, match=r"pad: expected 2 pairs \[before, after\] >= 0"):
        tf.pad(ints, [[1, 1]])
    with pytest.raises(ValueError, match=r"pad: expected 2 pairs"):
        tf.pad(ints, [[0, 0], [-1, 0]])
    with pytest.raises(ValueError, match=r"tile: reps \[2\] need one entry per axis"):
        tf.tile(ints, [2])


# -- matmul and dot -----------------------------------------------------------------------------
def test_matmul_broadcasts_batches_and_sums_gradients_back() -> None:
    a, b = np.ones((2, 1, 3, 4)), np.ones((5, 4, 2))
    out = tf.matmul(tf.tensor(a), tf.tensor(b))
    assert out.shape == (2, 5, 3, 2)
    da, db = tf.grads(lambda x, y: tf.matmul(x, y).sum())([tf.tensor(a), tf.tensor(b)])
    np.testing.assert_allclose(values(da), np.full(a.shape, 2 * 5))   # n * broadcast copies
    np.testing.assert_allclose(values(db), np.full(b.shape, 2 * 3))
    ints = tf.tensor([[1, 2], [3, 4]], dtype="int32")
    assert (ints @ ints).dtype == "int32" and (ints @ ints).array_sync() == [[7, 10], [15, 22]]


@pytest.mark.parametrize("call, message", [
    (lambda: tf.matmul(tf.zeros([2, 3]), tf.zeros([2, 3])),
     r"matmul: inner dimensions do not match: a \[2, 3\] gives 3, b \[2, 3\] gives 2"),
    (lambda: tf.matmul(tf.zeros([2, 3]), tf.zeros([2, 3]), transpose_a=True, transpose_b=True),
     r"a \[2, 3\] \(transposed\) gives 2, b \[2, 3\] \(transposed\) gives 3"),
    (lambda: tf.matmul(tf.zeros([3]), tf.zeros([3, 1])), "matmul: input 'a' must have rank >= 2"),
    (lambda: tf.matmul(tf.zeros([2, 1, 1]), tf.zeros([3, 1, 1])),
     r"matmul: batch dimensions of a \[2, 1, 1\] and b \[3, 1, 1\] do not broadcast"),
    (lambda: tf.dot(tf.zeros([2, 3]), tf.zeros([2])),
     r"dot: inner dimensions do not match: a \[2, 3\] ends in 3, b \[2\] starts with 2"),
    (lambda: tf.dot(tf.zeros([1, 1, 1]), tf.zeros([1])), "dot: input 'a' must be rank 1 or 2"),
])
def test_matmul_and_dot_errors_show_both_shapes(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_matmul_rejects_bools() -> None:
    with pytest.raises(TypeError, match="matmul: bool tensors"):
        tf.matmul(tf.tensor([[True]]), tf.tensor([[True]]))


def test_dot_shapes() -> None:
    v, m = tf.tensor([1.0, 2.0]), tf.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert tf.dot(v, v).shape == ()
    assert tf.dot(m, v).array_sync() == [1.0, 2.0, 3.0]
    assert tf.dot(tf.tensor([1.0, 1.0, 1.0]), m).array_sync() == [2.0, 2.0]
    assert tf.dot(m, tf.transpose(m)).shape == (3, 3)
