"""A vector register of float32 lanes as one Numba value: what a matrix-product kernel keeps
its running sums in.

LLVM vectorizes simple loops by itself, but not the inner kernel of a matrix product, whose
speed comes from holding a tile of the result (in ``gemm.py``: 6 rows x 2 vectors) in registers
for the whole length of the product while the inputs stream past. Numba has no type for a
vector register, so this module defines one (``FloatVector``, an LLVM ``<LANES x float>``) and
seven operations on it, each one or two LLVM instructions:

- ``load(array, i)``: the LANES floats of ``array``'s data from flat element ``i`` on;
- ``store(array, i, v)``: the reverse;
- ``splat(x)``: the float32 ``x`` in every lane;
- ``fma(a, b, c)``: ``a * b + c`` lane by lane, one rounding (a fused multiply-add);
- ``add(a, b)``, ``sub(a, b)``: ``a + b`` and ``a - b`` lane by lane (``winograd.py``'s
  transforms);
- ``zero()``: a vector of zeros.

LANES is 8 (AVX2's 256-bit registers), or 16 on CPUs with AVX-512, whose registers hold twice
as many floats (``lanes_for``). On other CPUs LLVM splits or emulates the vectors: slower, still
correct. ``MINITF_SIMD_LANES`` overrides the choice (the tests use it to run the AVX-512 build
here); kernels built with an overridden width are then not cached (``CACHE``), because Numba's
on-disk cache is keyed by the CPU but not by module constants, and a kernel cached with one
width and loaded with the other would write past its arrays.

The flat index counts elements of a C-contiguous array from its first one, whatever its number
of dimensions; nothing is bounds-checked, so the callers (``gemm.py``) only ask for lanes that
exist. With ``NUMBA_DISABLE_JIT=1`` the same names run as plain NumPy on LANES-element arrays,
so a kernel built from them can still be stepped through in a debugger.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils, config
from numba.extending import intrinsic, models, register_model

from ... import env


def lanes_for(flags: frozenset[str]) -> int:
    """Floats per vector on a CPU with these /proc/cpuinfo flags: 16 with AVX-512, else 8."""
    return 16 if "avx512f" in flags else 8


NATIVE_LANES = lanes_for(env.cpu_flags())
LANES = env.simd_lanes() or NATIVE_LANES
CACHE = LANES == NATIVE_LANES  # the cache= of every kernel built on these vectors
_VECTOR = ir.VectorType(ir.FloatType(), LANES)


class FloatVector(types.Type):
    """Numba's type for LANES float32 lanes held as one LLVM vector."""

    def __init__(self) -> None:
        super().__init__(name=f"float32x{LANES}")


vector = FloatVector()


@register_model(FloatVector)
class _FloatVectorModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type) -> None:  # noqa: ANN001  (Numba's model signature)
        super().__init__(dmm, fe_type, _VECTOR)


def _element_pointer(context, builder, array_type, array, index):  # noqa: ANN001, ANN202
    """LLVM pointer to element ``index`` (flat) of ``array``'s data, as a vector pointer."""
    data = context.make_array(array_type)(context, builder, array).data
    return builder.bitcast(builder.gep(data, [index]), _VECTOR.as_pointer())


def _is_float32_array(t) -> bool:  # noqa: ANN001
    return isinstance(t, types.Array) and t.dtype == types.float32


@intrinsic
def _load(typingctx, array, index):  # noqa: ANN001, ANN202
    if not (_is_float32_array(array) and isinstance(index, types.Integer)):
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        return builder.load(_element_pointer(context, builder, array, args[0], args[1]), align=4)

    return vector(array, index), codegen


@intrinsic
def _store(typingctx, array, index, value):  # noqa: ANN001, ANN202
    if not (_is_float32_array(array) and isinstance(index, types.Integer) and value == vector):
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        builder.store(args[2], _element_pointer(context, builder, array, args[0], args[1]),
                      align=4)
        return context.get_dummy_value()

    return types.none(array, index, value), codegen


@intrinsic
def _splat(typingctx, x):  # noqa: ANN001, ANN202
    if x != types.float32:
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        one = builder.insert_element(ir.Constant(_VECTOR, ir.Undefined), args[0],
                                     ir.Constant(ir.IntType(32), 0))
        return builder.shuffle_vector(one, ir.Constant(_VECTOR, ir.Undefined),
                                      ir.Constant(ir.VectorType(ir.IntType(32), LANES),
                                                  [0] * LANES))

    return vector(x), codegen


@intrinsic
def _fma(typingctx, a, b, c):  # noqa: ANN001, ANN202
    if not a == b == c == vector:
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(_VECTOR, [_VECTOR] * 3), f"llvm.fma.v{LANES}f32")
        return builder.call(fma, args)

    return vector(a, b, c), codegen


def _lanewise(name: str):  # noqa: ANN202
    """An intrinsic applying LLVM's binary float instruction ``name`` lane by lane."""

    @intrinsic
    def op(typingctx, a, b):  # noqa: ANN001, ANN202
        if not a == b == vector:
            return None

        def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
            return getattr(builder, name)(args[0], args[1])

        return vector(a, b), codegen

    return op


_add, _sub = _lanewise("fadd"), _lanewise("fsub")


@intrinsic
def _zero(typingctx):  # noqa: ANN001, ANN202
    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        return ir.Constant(_VECTOR, [0.0] * LANES)

    return vector(), codegen


def _py_load(array: np.ndarray, index: int) -> np.ndarray:
    return array.reshape(-1)[index:index + LANES].copy()


def _py_store(array: np.ndarray, index: int, value: np.ndarray) -> None:
    array.reshape(-1)[index:index + LANES] = value


def _py_splat(x: float) -> np.ndarray:
    return np.full(LANES, x, dtype=np.float32)


def _py_fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return (a.astype(np.float64) * b + c).astype(np.float32)  # one rounding, as an FMA


def _py_zero() -> np.ndarray:
    return np.zeros(LANES, dtype=np.float32)


def _py_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a + b


def _py_sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a - b


if config.DISABLE_JIT:
    load, store, splat, fma, zero = _py_load, _py_store, _py_splat, _py_fma, _py_zero
    add, sub = _py_add, _py_sub
else:
    load, store, splat, fma, zero = _load, _store, _splat, _fma, _zero
    add, sub = _add, _sub
