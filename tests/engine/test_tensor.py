"""Tensor creation, facts, conversion to NumPy/Python, dtype rules and Variables."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf


def test_creation_functions_and_facts() -> None:
    t = tf.tensor([1, 2, 3, 4], [2, 2])
    assert (t.shape, t.rank, t.size, t.dtype) == ((2, 2), 2, 4, "int32")
    assert tf.tensor([1.5, 2]).dtype == "float32"
    assert tf.tensor([True, False]).dtype == "bool"
    assert tf.tensor(np.arange(3.0)).dtype == "float32"  # float64 data becomes float32, as in TF.js
    assert tf.tensor(np.arange(3.0), dtype="float64").dtype == "float64"
    assert tf.scalar(3).rank == 0
    assert tf.tensor1d([1, 2]).shape == (2,)
    assert tf.tensor2d([[1, 2]]).shape == (1, 2)
    assert tf.tensor3d([[[1]]]).shape == (1, 1, 1)
    assert tf.tensor4d(np.zeros((1, 2, 3, 4))).shape == (1, 2, 3, 4)
    assert tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]).array_sync() == [[1, 2], [3, 4], [5, 6]]


def test_creation_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="should have 4 values but has 3"):
        tf.tensor([1, 2, 3], [2, 2])
    with pytest.raises(ValueError, match="tensor1d: values must be rank 1"):
        tf.tensor1d([[1, 2]])
    with pytest.raises(ValueError, match="ragged"):
        tf.tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="unsupported dtype"):
        tf.tensor([1], dtype="complex64")


def test_filled_and_sequence_creation() -> None:
    assert tf.zeros([2, 3]).array_sync() == [[0.0] * 3] * 2
    assert tf.ones([2], "int32").array_sync() == [1, 1]
    assert tf.fill([2], 7.5).array_sync() == [7.5, 7.5]
    x = tf.tensor([[1, 2]], dtype="int32")
    assert tf.zeros_like(x).dtype == "int32" and tf.ones_like(x).array_sync() == [[1, 1]]
    assert tf.range(0, 5, 2).array_sync() == [0.0, 2.0, 4.0]
    assert tf.range(3).array_sync() == [0.0, 1.0, 2.0]
    assert tf.linspace(0, 1, 3).array_sync() == [0.0, 0.5, 1.0]
    assert tf.eye(2).array_sync() == [[1.0, 0.0], [0.0, 1.0]]
    assert tf.one_hot(tf.tensor1d([1, 0, 5], "int32"), 3).array_sync() == [[0, 1, 0], [1, 0, 0],
                                                                            [0, 0, 0]]


def test_seeded_random_is_reproducible() -> None:
    a = tf.random_normal([5], seed=7).numpy()
    b = tf.random_normal([5], seed=7).numpy()
    c = tf.random_normal([5], seed=8).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    tf.set_seed(123)
    d = tf.random_uniform([4]).numpy()
    tf.set_seed(123)
    np.testing.assert_array_equal(d, tf.random_uniform([4]).numpy())
    assert np.abs(tf.truncated_normal([1000], 0, 1, seed=1).numpy()).max() <= 2.0
    ints = tf.random_uniform([100], 0, 10, "int32", seed=1)
    assert ints.dtype == "int32" and 0 <= ints.numpy().min() and ints.numpy().max() < 10


def test_reading_values() -> None:
    t = tf.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.data_sync().tolist() == [1.0, 2.0, 3.0, 4.0]
    assert t.array_sync() == [[1.0, 2.0], [3.0, 4.0]]
    assert np.asarray(t).dtype == np.float32
    copy = t.numpy()
    copy[0, 0] = 99  # tensors are immutable: numpy() hands out a copy
    assert t.array_sync()[0][0] == 1.0
    assert float(tf.scalar(2.5)) == 2.5 and int(tf.scalar(3)) == 3


def test_input_arrays_are_copied() -> None:
    data = np.array([1.0, 2.0], dtype=np.float32)
    t = tf.tensor(data)
    data[0] = 50
    assert t.array_sync() == [1.0, 2.0]


def test_operators() -> None:
    a, b = tf.tensor([1.0, 2.0]), tf.tensor([3.0, 4.0])
    assert (a + b).array_sync() == [4.0, 6.0]
    assert (a * 2).array_sync() == [2.0, 4.0]
    assert (2 * a).array_sync() == [2.0, 4.0]
    assert (1 + a).array_sync() == [2.0, 3.0]


def test_python_numbers_take_the_tensor_dtype() -> None:
    i = tf.tensor([1, 2], dtype="int32")
    assert (i * 2).dtype == "int32"
    assert (i * 2.5).dtype == "float32"
    d = tf.tensor([1.0], dtype="float64")
    assert (d * 2.0).dtype == "float64"
    assert tf.add(tf.tensor([1], dtype="int32"), tf.tensor([1.5])).dtype == "float32"


def test_variable_basics() -> None:
    v = tf.variable(tf.tensor([1.0, 2.0]), name="basics")
    assert isinstance(v, tf.Variable) and v.trainable and v.name == "basics"
    v.assign(tf.tensor([3.0, 4.0]))
    assert v.array_sync() == [3.0, 4.0]
    with pytest.raises(ValueError, match="dtype float32"):
        v.assign(tf.tensor([1, 2], dtype="int32"))
    frozen = tf.variable([1.0], trainable=False)
    assert not frozen.trainable
    tf.dispose([v, frozen])


def test_backend_selection() -> None:
    from minitf import env
    from minitf.engine.backend import default_backend

    assert tf.get_backend() == (env.backend_name() or default_backend())
    assert "numpy" in tf.backend_names()
    with pytest.raises(ValueError, match="unknown backend 'nope'"):
        tf.set_backend("nope")
    tf.set_backend("numpy")


def test_backend_from_environment(tmp_path) -> None:
    import subprocess
    import sys

    code = "import minitf as tf; print(tf.get_backend())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"MINITF_BACKEND": "numpy", "PATH": ""}, check=True)
    assert out.stdout.strip() == "numpy"
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"MINITF_BACKEND": "nope", "PATH": ""})
    assert "unknown backend 'nope'" in bad.stderr
