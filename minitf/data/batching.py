"""How ``dataset.batch`` turns a list of elements into one batched element (TF.js
``deepBatchConcat`` in tfjs-data's dataset.ts and util/deep_map.ts).

The elements are walked together, key by key: dicts by key, tuples and lists by position. A
leaf (a number, a list of numbers, a NumPy array or a tensor) from every element is stacked
into one tensor with a new first axis. Strings stay a list, since minitf has no string dtype.
"""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from .. import ops
from ..tensor import Tensor


def deep_batch(rows: list[Any], path: str = "") -> Any:
    """Stack a list of same-structured elements into one batched element.

    Dicts, tuples and non-numeric lists are walked key by key; every leaf (a number, a list
    of numbers, a NumPy array or a tensor) becomes one tensor with a new first axis.

    >>> from minitf.data.batching import deep_batch
    >>> b = deep_batch([{"x": 1.0, "v": [1.0, 2.0]}, {"x": 2.0, "v": [3.0, 4.0]}])
    >>> b["x"].shape, b["v"].shape
    ((2,), (2, 2))
    """
    first = rows[0]
    if isinstance(first, dict):
        for index, row in enumerate(rows):
            if not isinstance(row, dict) or row.keys() != first.keys():
                raise ValueError(f"batch: element {index} has keys {_keys(row)} at "
                                 f"{_where(path)} but element 0 has {_keys(first)}")
        return {key: deep_batch([row[key] for row in rows], f"{path}.{key}") for key in first}
    if isinstance(first, tuple) or (isinstance(first, list) and not _is_numeric_list(first)):
        for index, row in enumerate(rows):
            if type(row) is not type(first) or len(row) != len(first):
                raise ValueError(f"batch: element {index} at {_where(path)} is "
                                 f"{_describe(row)} but element 0 is {_describe(first)}")
        parts = [deep_batch([row[i] for row in rows], f"{path}[{i}]") for i in range(len(first))]
        return tuple(parts) if isinstance(first, tuple) else parts
    return _stack(rows, path)


def _stack(leaves: list[Any], path: str) -> Any:
    for index, leaf in enumerate(leaves):
        if leaf is None:
            raise ValueError(f"batch: element {index} has no value at {_where(path)} (an empty "
                             "CSV field?); give the column a default or filter such rows")
    if all(isinstance(leaf, str) for leaf in leaves):
        return list(leaves)
    if any(isinstance(leaf, Tensor) for leaf in leaves):
        tensors = [leaf if isinstance(leaf, Tensor) else ops.tensor(leaf) for leaf in leaves]
        _check_shapes([t.shape for t in tensors], path)
        return ops.stack(tensors)
    arrays = [np.asarray(leaf) for leaf in leaves]
    _check_shapes([a.shape for a in arrays], path)
    stacked = np.stack(arrays)
    if stacked.dtype.kind in "OUS":
        raise ValueError(f"batch: values at {_where(path)} are not numeric "
                         f"({_describe(leaves[0])}); map them to numbers first")
    return ops.tensor(stacked)


def _check_shapes(shapes: list[tuple[int, ...]], path: str) -> None:
    for index, shape in enumerate(shapes):
        if tuple(shape) != tuple(shapes[0]):
            raise ValueError(f"batch: elements have different shapes at {_where(path)}: "
                             f"{list(shapes[0])} (element 0) vs {list(shape)} (element {index})")


def _is_numeric_list(value: Any) -> bool:
    return all(isinstance(v, (Number, np.number, np.bool_))
               or isinstance(v, list) and _is_numeric_list(v) for v in value)


def _where(path: str) -> str:
    return repr(path.lstrip(".")) if path else "the top level"


def _keys(value: Any) -> Any:
    return sorted(value) if isinstance(value, dict) else type(value).__name__


def _describe(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"{type(value).__name__} {value!r}"[:60]
