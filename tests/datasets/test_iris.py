"""iris: the bundled CSV, its known rows, and the TF.js-style stratified split."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from minitf.datasets import iris


def test_csv_is_bundled_with_a_header():
    path = Path(iris.csv_path())
    assert path.is_file()
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == iris.FEATURES + [iris.LABEL]
    assert len(rows) == 151


def test_rows_classes_and_known_values():
    x, y = iris.load_data()
    assert x.shape == (150, 4) and x.dtype == np.float32
    assert y.shape == (150,) and y.dtype == np.int32
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert iris.CLASSES == ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    np.testing.assert_allclose(x[0], [5.1, 3.5, 1.4, 0.2])      # the first UCI row
    np.testing.assert_allclose(x[50], [7.0, 3.2, 4.7, 1.4])     # first versicolor
    np.testing.assert_allclose(x[100], [6.3, 3.3, 6.0, 2.5])    # first virginica
    np.testing.assert_allclose(x[149], [5.9, 3.0, 5.1, 1.8])    # the last row
    np.testing.assert_allclose(x[34], [4.9, 3.1, 1.5, 0.1])     # UCI's row 35 (Fisher: 0.2)
    # the column means of UCI's iris.data (Fisher's own table gives 3.057 and 1.199)
    np.testing.assert_allclose(x.mean(0), [5.843333, 3.054, 3.758667, 1.198667], atol=1e-5)
    assert list(y[:50]) == [0] * 50 and list(y[100:]) == [2] * 50


def test_as_tensors_one_hot():
    x, y = iris.load_data(as_tensors=True)
    assert x.shape == (150, 4) and x.dtype == "float32"
    assert y.shape == (150, 3) and y.dtype == "float32"
    np.testing.assert_array_equal(y.numpy().argmax(1), iris.load_data()[1])


def test_stratified_split_matches_tfjs_counts():
    x, y = iris.load_data()
    (x_tr, y_tr), (x_te, y_te) = iris.train_test_split(x, y)
    assert len(x_tr) == 126 and len(x_te) == 24  # round(50 * 0.15) = 8 per class, as TF.js
    assert np.bincount(y_te).tolist() == [8, 8, 8]
    assert np.bincount(y_tr).tolist() == [42, 42, 42]
    # class by class, as TF.js concatenates the per-class parts
    assert y_te.tolist() == [0] * 8 + [1] * 8 + [2] * 8
    # together the two parts hold every row exactly once
    split = [tuple(r) + (c,) for r, c in zip(np.concatenate([x_tr, x_te]).tolist(),
                                             np.concatenate([y_tr, y_te]).tolist())]
    assert sorted(split) == sorted(tuple(r) + (c,) for r, c in zip(x.tolist(), y.tolist()))


def test_split_is_deterministic_per_seed():
    x, y = iris.load_data()
    a = iris.train_test_split(x, y, seed=3)
    b = iris.train_test_split(x, y, seed=3)
    c = iris.train_test_split(x, y, seed=4)
    np.testing.assert_array_equal(a[1][0], b[1][0])
    assert not np.array_equal(a[1][0], c[1][0])


def test_unstratified_split_and_one_hot_labels():
    x, y = iris.load_data()
    one_hot = np.eye(3, dtype=np.float32)[y]
    (x_tr, y_tr), (x_te, y_te) = iris.train_test_split(x, one_hot, stratified=False)
    assert len(x_te) == 23 and len(x_tr) == 127  # round(150 * 0.15), as iris-fitDataset
    assert y_te.shape == (23, 3)
    (_, _), (_, y_te) = iris.train_test_split(x, one_hot, test_fraction=0.1)
    assert y_te.sum(0).tolist() == [5, 5, 5]


def test_split_argument_errors():
    x, y = iris.load_data()
    with pytest.raises(ValueError, match="150 rows but y has 149"):
        iris.train_test_split(x, y[:-1])
    with pytest.raises(ValueError, match="test_fraction"):
        iris.train_test_split(x, y, test_fraction=1.5)
