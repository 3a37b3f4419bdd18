"""Where every Tensor is born: creation from host data, and ``run_kernel`` for ops.

``run_kernel`` is the single path from an op to a kernel: check the inputs are alive, find the
kernel for the active backend (or its fallback), run it on arrays, wrap the outputs as Tensors
owned by the innermost scope, and record a node on the tape when a gradient scope is open.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .. import dtypes
from ..tensor import Tensor, Variable
from . import backend as backends
from . import registry, tape


def make_tensor(array: np.ndarray, dtype: str | None = None) -> Tensor:
    """A new tensor on the active backend holding a copy of the host array ``array``."""
    dtype = dtype or dtypes.from_numpy(array.dtype)
    host = np.array(array, dtype=dtypes.NUMPY[dtype], copy=True, order="C")
    backend = backends.active()
    return Tensor(backend, backend.write(backend.from_numpy(host)), host.shape, dtype)


def make_variable(initial: Any, trainable: bool, name: str | None, dtype: str | None) -> Variable:
    """A new Variable holding a copy of ``initial`` (a tensor, array or nested list)."""
    init = to_tensor(initial, dtype, where="tf.variable")
    data_id, backend = data_on(init, backends.active())
    variable = Variable(backend, data_id, init.shape, init.dtype, trainable, name)
    if init is not initial:
        init.dispose()
    return variable


def to_tensor(value: Any, dtype: str | None = None, where: str = "op") -> Tensor:
    """``value`` as a Tensor: tensors pass through when the dtype fits, anything else is copied.

    Python and NumPy numbers follow TF.js: floats become float32 unless ``dtype`` says otherwise.
    """
    if isinstance(value, Tensor):
        value.check_alive(where)
        if dtype is None or value.dtype == dtype:
            return value
        from ..ops import cast

        return cast(value, dtype)
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise TypeError(f"{where}: cannot convert {type(value).__name__} to a tensor: "
                        f"{err}") from None
    if array.dtype == object:
        raise TypeError(f"{where}: cannot convert a ragged or non-numeric value to a tensor")
    if dtype is None:
        kind = dtypes.from_numpy(array.dtype, strict=False)
        if kind is None:
            raise TypeError(f"{where}: unsupported value dtype {array.dtype}")
        dtype = dtypes.float32 if kind == dtypes.float64 else kind
    return make_tensor(array, dtypes.check(dtype, where))


def data_on(t: Tensor, backend: backends.Backend) -> tuple[int, backends.Backend]:
    """The data id of ``t`` on ``backend``, copying it there (counted) if it lives elsewhere."""
    if t.backend is backend:
        return t.data_id, backend
    host = t.backend.to_numpy(t.backend.read(t.data_id))
    return backend.write(backend.from_numpy(np.array(host, order="C"))), backend


def run_kernel(name: str, inputs: Mapping[str, Tensor], **attrs: Any) -> Any:
    """Run kernel ``name`` on ``inputs`` (named tensors) with ``attrs``; return its output(s).

    A kernel that returns a tuple gives a tuple of tensors; otherwise one tensor.
    """
    for arg, t in inputs.items():
        t.check_alive(f"{name} input {arg!r}")
    backend = backends.active()
    kernel, owner_name = registry.find_kernel(name, backend)
    owner = backends.get_backend_instance(owner_name)
    if owner.host and backend.host:  # same array format: a fallback kernel runs on our arrays
        owner = backend
    arrays = [_array_on(t, owner) for t in inputs.values()]
    result = kernel(*arrays, **attrs)
    multi = isinstance(result, tuple)
    outputs = tuple(_wrap(name, owner, out) for out in (result if multi else (result,)))
    if tape.recording():
        tape.record(name, inputs, outputs, attrs, multi_output=multi)
    return outputs if multi else outputs[0]


def _array_on(t: Tensor, backend: backends.Backend) -> Any:
    """The array of ``t`` in ``backend``'s format; a tensor from another backend is converted."""
    if t.backend is backend or (t.backend.host and backend.host):
        return t.backend.read(t.data_id)  # kernels never write into their inputs: no copy
    return backend.from_numpy(np.array(t.backend.to_numpy(t.backend.read(t.data_id)), order="C"))


def _wrap(kernel: str, backend: backends.Backend, array: Any) -> Tensor:
    """Own a kernel's output array as a Tensor; a wrong dtype is a kernel bug, said loudly."""
    if isinstance(array, (np.generic, float, int, bool)):
        array = np.asarray(array)
    dtype = dtypes.from_numpy(array.dtype)
    if array.dtype != dtypes.NUMPY[dtype]:
        raise TypeError(f"kernel {kernel!r} on {backend.name} returned {array.dtype}; "
                        f"kernels must return float32/float64/int32/bool arrays")
    return Tensor(backend, backend.write(array), array.shape, dtype)


def share(t: Tensor) -> Tensor:
    """A second handle to ``t``'s data that no scope owns (the tape saves tensors this way)."""
    return Tensor(t.backend, t.data_id, t.shape, t.dtype, owned=False)
