"""Data types: the names TF.js uses, the NumPy type behind each, and the result-type rule.

TF.js has float32, int32 and bool (plus string/complex64, which minitf leaves out). minitf adds
float64 so that gradient tests can use central differences at double precision; models use float32.
"""
from __future__ import annotations

import numpy as np

DType = str  # one of "float32", "float64", "int32", "bool"

float32: DType = "float32"
float64: DType = "float64"
int32: DType = "int32"
bool_: DType = "bool"

#: TF.js's backend epsilon for float32 backends: the clip of probabilities in the losses, the
#: default epsilon of every optimizer, the floor added to norms by constraints.
EPSILON = 1e-7

NUMPY = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "bool": np.bool_}
# Upcast order, as in TF.js's upcastType: bool < int32 < float32 (< float64, minitf only).
_RANK = {"bool": 0, "int32": 1, "float32": 2, "float64": 3}


def check(dtype: object, where: str = "dtype") -> DType:
    """Return ``dtype`` as a minitf dtype name, accepting NumPy dtypes too; raise a clear error."""
    if isinstance(dtype, str) and dtype in NUMPY:
        return dtype
    try:
        np_dtype = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        np_dtype = None
    if np_dtype is not None:
        name = from_numpy(np_dtype, strict=False)
        if name is not None:
            return name
    raise TypeError(f"{where}: unsupported dtype {dtype!r}; expected one of {sorted(NUMPY)}")


def from_numpy(np_dtype: np.dtype, strict: bool = True) -> DType | None:
    """The minitf dtype for a NumPy dtype: floats keep their width, integers become int32."""
    kind = np.dtype(np_dtype)
    if kind == np.float64:
        return float64
    if kind.kind == "f":
        return float32
    if kind.kind in "iu":
        return int32
    if kind.kind == "b":
        return bool_
    if strict:
        raise TypeError(f"unsupported array dtype {kind}; minitf holds float32/float64/int32/bool")
    return None


def upcast(*dtypes: DType) -> DType:
    """The common dtype of several operands (TF.js upcastType, extended with float64)."""
    return max(dtypes, key=_RANK.__getitem__)


def is_float(dtype: DType) -> bool:
    """Float tensors are the only ones that carry gradients."""
    return dtype in (float32, float64)


def itemsize(dtype: DType) -> int:
    """Bytes per element, for ``tf.memory().num_bytes``."""
    return np.dtype(NUMPY[dtype]).itemsize
