"""Eight float32 lanes as one Numba value: the vector registers a matrix-product kernel keeps
its running sums in.

LLVM vectorizes simple loops by itself, but not the inner kernel of a matrix product, whose
speed comes from holding a tile of the result (here 6 rows x 16 columns: 12 vectors of 8) in
registers for the whole length of the product while the inputs stream past. Numba has no type
for a register of 8 floats, so this module defines one (``Float32x8``, an LLVM ``<8 x float>``)
and five operations on it, each one or two LLVM instructions:

- ``load8(array, i)``: the 8 floats of ``array``'s data from flat element ``i`` on;
- ``store8(array, i, v)``: the reverse;
- ``splat8(x)``: the float32 ``x`` in all 8 lanes;
- ``fma8(a, b, c)``: ``a * b + c`` lane by lane, one rounding (a fused multiply-add);
- ``zero8()``: eight zeros.

The flat index counts elements of a C-contiguous array from its first one, whatever its number
of dimensions; nothing is bounds-checked, so the callers (``gemm.py``) only ask for lanes that
exist. With ``NUMBA_DISABLE_JIT=1`` the same names run as plain NumPy on 8-element arrays, so
a kernel built from them can still be stepped through in a debugger.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils, config
from numba.extending import intrinsic, models, register_model

LANES = 8
_VECTOR = ir.VectorType(ir.FloatType(), LANES)


class Float32x8(types.Type):
    """Numba's type for 8 float32 lanes held as one LLVM vector."""

    def __init__(self) -> None:
        super().__init__(name="float32x8")


float32x8 = Float32x8()


@register_model(Float32x8)
class _Float32x8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type) -> None:  # noqa: ANN001  (Numba's model signature)
        super().__init__(dmm, fe_type, _VECTOR)


def _element_pointer(context, builder, array_type, array, index):  # noqa: ANN001, ANN202
    """LLVM pointer to element ``index`` (flat) of ``array``'s data, as a vector pointer."""
    data = context.make_array(array_type)(context, builder, array).data
    return builder.bitcast(builder.gep(data, [index]), _VECTOR.as_pointer())


def _is_float32_array(t) -> bool:  # noqa: ANN001
    return isinstance(t, types.Array) and t.dtype == types.float32


@intrinsic
def _load8(typingctx, array, index):  # noqa: ANN001, ANN202
    if not (_is_float32_array(array) and isinstance(index, types.Integer)):
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        return builder.load(_element_pointer(context, builder, array, args[0], args[1]), align=4)

    return float32x8(array, index), codegen


@intrinsic
def _store8(typingctx, array, index, value):  # noqa: ANN001, ANN202
    if not (_is_float32_array(array) and isinstance(index, types.Integer)
            and value == float32x8):
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        builder.store(args[2], _element_pointer(context, builder, array, args[0], args[1]),
                      align=4)
        return context.get_dummy_value()

    return types.none(array, index, value), codegen


@intrinsic
def _splat8(typingctx, x):  # noqa: ANN001, ANN202
    if x != types.float32:
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        one = builder.insert_element(ir.Constant(_VECTOR, ir.Undefined), args[0],
                                     ir.Constant(ir.IntType(32), 0))
        return builder.shuffle_vector(one, ir.Constant(_VECTOR, ir.Undefined),
                                      ir.Constant(ir.VectorType(ir.IntType(32), LANES),
                                                  [0] * LANES))

    return float32x8(x), codegen


@intrinsic
def _fma8(typingctx, a, b, c):  # noqa: ANN001, ANN202
    if not a == b == c == float32x8:
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(_VECTOR, [_VECTOR] * 3), "llvm.fma.v8f32")
        return builder.call(fma, args)

    return float32x8(a, b, c), codegen


@intrinsic
def _zero8(typingctx):  # noqa: ANN001, ANN202
    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        return ir.Constant(_VECTOR, [0.0] * LANES)

    return float32x8(), codegen


def _py_load8(array: np.ndarray, index: int) -> np.ndarray:
    return array.reshape(-1)[index:index + LANES].copy()


def _py_store8(array: np.ndarray, index: int, value: np.ndarray) -> None:
    array.reshape(-1)[index:index + LANES] = value


def _py_splat8(x: float) -> np.ndarray:
    return np.full(LANES, x, dtype=np.float32)


def _py_fma8(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return (a.astype(np.float64) * b + c).astype(np.float32)  # one rounding, as an FMA


def _py_zero8() -> np.ndarray:
    return np.zeros(LANES, dtype=np.float32)


if config.DISABLE_JIT:
    load8, store8, splat8, fma8, zero8 = _py_load8, _py_store8, _py_splat8, _py_fma8, _py_zero8
else:
    load8, store8, splat8, fma8, zero8 = _load8, _store8, _splat8, _fma8, _zero8
