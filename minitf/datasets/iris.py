"""Fisher's iris flowers: 150 rows, 4 measurements in cm, 3 species with 50 rows each.

The rows are those of TF.js's iris example (tfjs-examples ``iris/data.js``), which copies UCI's
``iris.data``, including its two known differences from Fisher's paper (rows 35 and 38). They
ship with minitf as ``iris.csv`` (header ``sepal_length,sepal_width,petal_length,petal_width,
species``, species as the class id 0-2), so nothing is downloaded; :func:`csv_path` hands the
file to ``tf.data.csv``. :func:`train_test_split` splits per class as the TF.js example does.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

#: Species names, indexed by class id (TF.js ``IRIS_CLASSES``).
CLASSES = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
#: The feature columns of ``iris.csv``, in order.
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
LABEL = "species"


def csv_path() -> str:
    """The path of the bundled ``iris.csv`` (for ``tf.data.csv`` or any CSV reader).

    >>> Path(csv_path()).name
    'iris.csv'
    """
    return str(Path(__file__).with_name("iris.csv"))


def load_data(as_tensors: bool = False):
    """The 150 rows as ``(x, y)``: float32 features ``[150, 4]`` and int32 class ids ``[150]``.

    Rows are in file order, class by class. With ``as_tensors=True`` both are minitf tensors and
    ``y`` is one-hot float32 ``[150, 3]``, ready for ``categoricalCrossentropy``.

    >>> x, y = load_data()
    >>> x.shape, x.dtype.name, [int((y == c).sum()) for c in range(3)]
    ((150, 4), 'float32', [50, 50, 50])
    """
    with open(csv_path(), newline="") as f:
        reader = csv.DictReader(f)
        rows = [([float(row[k]) for k in FEATURES], int(row[LABEL])) for row in reader]
    x = np.array([features for features, _ in rows], dtype=np.float32)
    y = np.array([label for _, label in rows], dtype=np.int32)
    if not as_tensors:
        return x, y
    from ..ops import tensor  # imported here: minitf's ops import nothing from datasets
    return tensor(x, dtype="float32"), tensor(np.eye(len(CLASSES), dtype=np.float32)[y],
                                              dtype="float32")


def _js_round(value: float) -> int:
    """JavaScript's ``Math.round`` (halves go up), so 50 * 0.15 = 7.5 gives 8 as in TF.js."""
    return math.floor(value + 0.5)


def train_test_split(x, y, test_fraction: float = 0.15, seed: int = 0,
                     stratified: bool = True):
    """Split ``(x, y)`` into ``((x_train, y_train), (x_test, y_test))``, the same way each time.

    With ``stratified=True`` (TF.js iris ``getIrisData``), each class is shuffled on its own and
    its last ``round(n_class * test_fraction)`` rows go to the test set (8 of 50 for iris), and
    the parts are concatenated class by class; ``fit`` shuffles batches anyway. Otherwise all
    rows are shuffled together and the last ``round(N * test_fraction)`` are the test set.
    ``y`` holds class ids ``[N]`` or one-hot rows ``[N, C]``; ``seed`` fixes the shuffles
    (NumPy's ``default_rng``, so the rows differ from TF.js's unseeded ``tf.util.shuffle``).

    >>> (x_tr, y_tr), (x_te, y_te) = train_test_split(*load_data())
    >>> len(x_tr), len(x_te), np.bincount(y_te).tolist()
    (126, 24, [8, 8, 8])
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
    if not 0.0 <= test_fraction <= 1.0:
        raise ValueError(f"test_fraction must be in [0, 1], got {test_fraction}")
    rng = np.random.default_rng(seed)
    ids = y.argmax(axis=1) if y.ndim == 2 else y
    if stratified:
        groups = [np.flatnonzero(ids == c) for c in np.unique(ids)]
    else:
        groups = [np.arange(len(y))]
    train, test = [], []
    for rows in groups:
        rows = rng.permutation(rows)
        num_train = len(rows) - _js_round(len(rows) * test_fraction)
        train.append(rows[:num_train])
        test.append(rows[num_train:])
    train, test = np.concatenate(train), np.concatenate(test)
    return (x[train], y[train]), (x[test], y[test])
