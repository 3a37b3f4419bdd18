"""Merge layers: combine a list of tensors into one (TF.js ``tf.layers.add``, ``multiply``,
``average``, ``maximum``, ``minimum``, ``concatenate``, ``dot``).

The elementwise merges broadcast as TF.js's ``Merge`` does: shapes without the batch axis are
aligned on the right, a size of 1 stretches, and lower-rank inputs get size-1 axes inserted after
the batch axis. The batch sizes must agree. Calling a factory on a list of tensors, as in
``tf.layers.add([a, b])``, creates the layer and applies it at once.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable, Sequence

from .. import dtypes, ops
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, layer_factory, shape_of

__all__ = ["add", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]

L2_EPSILON = dtypes.EPSILON  # the floor of the squared norm in Dot(normalize)


def _fmt(shapes: Sequence[Sequence[int | None]]) -> str:
    return "[" + ",".join("[" + ",".join("null" if d is None else str(d) for d in s) + "]"
                          for s in shapes) + "]"


def _broadcast(a: tuple, b: tuple, shapes: Sequence[tuple], where: str) -> tuple:
    """Right-aligned broadcast of two shapes without batch axis; None stays unknown."""
    if len(a) < len(b):
        a, b = b, a
    out = list(a[:len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b):], b):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1 or i == j:
            out.append(j if i == 1 else i)
        else:
            raise ValueError(f"{where}: operands could not be broadcast together with shapes "
                             f"{_fmt(shapes)}")
    return tuple(out)


class _Merge(Layer):
    """Shared logic of the merge layers: a list of >= 2 inputs, shape checks, masks."""

    def __init__(self, **base: Any) -> None:
        super().__init__(**base)
        self.supports_masking = True

    def _shapes(self, input_shape: Any) -> list[tuple]:
        if not (isinstance(input_shape, list)
                and all(isinstance(s, (list, tuple)) for s in input_shape)):
            raise ValueError(f"{self.class_name} {self.name!r}: a merge layer should be called on "
                             f"a list of at least 2 inputs, got one input of shape "
                             f"{list(input_shape)}")
        if len(input_shape) < 2:
            raise ValueError(f"{self.class_name} {self.name!r}: a merge layer should be called on "
                             f"a list of at least 2 inputs, got {len(input_shape)} input(s)")
        return [tuple(s) for s in input_shape]

    def _batch(self, shapes: list[tuple]) -> int | None:
        """The common batch size (None when unknown); different sizes are an error."""
        batches = {s[0] for s in shapes if s and s[0] is not None}
        if len(batches) > 1:
            raise ValueError(f"{self.class_name} {self.name!r}: can not merge tensors with "
                             f"different batch sizes; got tensors with shapes {_fmt(shapes)}")
        return batches.pop() if batches else None

    def _check(self, input_shape: Any) -> tuple:
        """The output shape; errors name the layer and show every input shape."""
        shapes = self._shapes(input_shape)
        where = f"{self.class_name} {self.name!r}"
        batch = self._batch(shapes)
        out = functools.reduce(lambda a, b: _broadcast(a, b, shapes, where),
                               [s[1:] for s in shapes])
        return (batch, *out)

    def build(self, input_shape: Any) -> None:
        self._check(input_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._check(input_shape)

    def call(self, inputs: Sequence[Tensor], training: bool | None = None,
             **kwargs: Any) -> Tensor:
        self._check(shape_of(inputs))
        rank = max(x.rank for x in inputs)
        # Lower-rank inputs get size-1 axes right after the batch axis, then broadcast.
        xs = [x if x.rank == rank else
              ops.reshape(x, [x.shape[0], *[1] * (rank - x.rank), *x.shape[1:]]) for x in inputs]
        return self.merge(xs)

    def merge(self, xs: list[Tensor]) -> Tensor:
        """Combine inputs of equal rank; subclasses define it."""
        raise NotImplementedError

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The elementwise AND of the given masks, as in Keras (TF.js's ``computeMask`` leaves
        out the last mask and adds a leading axis)."""
        masks = [m for m in (mask or []) if m is not None]
        return functools.reduce(ops.logical_and, masks) if masks else None


@register_class
class Add(_Merge):
    """The elementwise sum of the inputs, with broadcasting (TF.js ``tf.layers.add``).

    >>> import minitf as tf
    >>> tf.layers.add([tf.ones([2, 3]), tf.ones([2, 3])]).array_sync()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """

    class_name = "Add"

    def merge(self, xs: list[Tensor]) -> Tensor:
        return functools.reduce(ops.add, xs)


@register_class
class Multiply(_Merge):
    """The elementwise product of the inputs, with broadcasting (TF.js ``tf.layers.multiply``)."""

    class_name = "Multiply"

    def merge(self, xs: list[Tensor]) -> Tensor:
        return functools.reduce(ops.mul, xs)


@register_class
class Average(_Merge):
    """The elementwise mean of the inputs: their sum times 1/n (TF.js ``tf.layers.average``)."""

    class_name = "Average"

    def merge(self, xs: list[Tensor]) -> Tensor:
        return ops.mul(functools.reduce(ops.add, xs), 1 / len(xs))


@register_class
class Maximum(_Merge):
    """The elementwise maximum of the inputs (TF.js ``tf.layers.maximum``)."""

    class_name = "Maximum"

    def merge(self, xs: list[Tensor]) -> Tensor:
        return functools.reduce(ops.maximum, xs)


@register_class
class Minimum(_Merge):
    """The elementwise minimum of the inputs (TF.js ``tf.layers.minimum``)."""

    class_name = "Minimum"

    def merge(self, xs: list[Tensor]) -> Tensor:
        return functools.reduce(ops.minimum, xs)


@register_class
class Concatenate(_Merge):
    """Join the inputs along ``axis``; all other sizes must match (TF.js ``tf.layers.concatenate``).

    TF.js computes the shape along ``axis`` but concatenates along the last axis for any
    negative ``axis`` (``axis=-2`` gives the wrong tensor); minitf uses ``axis`` for both.

    >>> import minitf as tf
    >>> tf.layers.concatenate([tf.ones([2, 3]), tf.ones([2, 1])]).shape
    (2, 4)
    """

    class_name = "Concatenate"

    def __init__(self, axis: int = -1, **base: Any) -> None:
        super().__init__(**base)
        self.axis = int(axis)

    def _check(self, input_shape: Any) -> tuple:
        shapes = self._shapes(input_shape)
        rank = len(shapes[0])
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 0 <= axis < rank:
            raise ValueError(f"Concatenate {self.name!r}: axis {self.axis} is out of range for "
                             f"inputs of rank {rank}")

        def fits(s: tuple) -> bool:  # same size as input 0 outside the axis; None fits any
            return len(s) == rank and all(a is None or b is None or a == b
                                          for i, (a, b) in enumerate(zip(s, shapes[0]))
                                          if i != axis)

        if not all(fits(s) for s in shapes):
            raise ValueError(f"Concatenate {self.name!r}: A `Concatenate` layer requires inputs "
                             f"with matching shapes except for the concat axis. Got input "
                             f"shapes: {_fmt(shapes)}")
        sizes = [s[axis] for s in shapes]
        return (*shapes[0][:axis], None if None in sizes else sum(sizes), *shapes[0][axis + 1:])

    def call(self, inputs: Sequence[Tensor], training: bool | None = None,
             **kwargs: Any) -> Tensor:
        self._check(shape_of(inputs))
        return ops.concat(list(inputs), self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Masks joined along ``axis`` (all-True for unmasked inputs), then ANDed over the last."""
        if mask is None or all(m is None for m in mask):
            return None
        full = [ops.ones_like(ops.cast(x, "bool")) if m is None else
                (ops.broadcast_to(ops.expand_dims(m, -1), x.shape) if m.rank < x.rank else m)
                for x, m in zip(inputs, mask)]
        return ops.all(ops.concat(full, self.axis), -1)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis, **super().get_config()}


@register_class
class Dot(_Merge):
    """Batched dot products of two inputs over ``axes`` (TF.js ``tf.layers.dot``).

    ``axes`` is an int for both inputs or a pair ``[a1, a2]``; negative axes count from the end;
    axis 0 (the batch) cannot be contracted. For x [B, m, k] and y [B, k, n] with axes [2, 1]
    the result is x @ y, [B, m, n]; for [B, k] and [B, k] with axes 1 it is [B, 1]. The output
    keeps x's remaining axes, then y's. ``normalize=True`` first divides both inputs by their L2
    norm along the axes, giving cosine similarities. Inputs of any rank work (TF.js: rank <= 3).

    >>> import minitf as tf
    >>> tf.layers.dot(axes=1).apply([tf.ones([2, 3]), tf.ones([2, 3])]).array_sync()
    [[3.0], [3.0]]
    """

    class_name = "Dot"

    def __init__(self, axes: int | Sequence[int], normalize: bool = False, **base: Any) -> None:
        super().__init__(**base)
        pair = list(axes) if isinstance(axes, (list, tuple)) else None
        if pair is not None and len(pair) != 2:
            raise ValueError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
        self.axes = pair if pair is not None else int(axes)
        self.normalize = normalize

    def _axes(self, shapes: list[tuple]) -> list[int]:
        pair = self.axes if isinstance(self.axes, list) else [self.axes, self.axes]
        axes = [a + len(s) if a < 0 else a for a, s in zip(pair, shapes)]
        for a, s in zip(axes, shapes):
            if not 1 <= a < len(s):
                raise ValueError(f"Dot {self.name!r}: axes {self.axes} must name non-batch axes "
                                 f"of the inputs; got input shapes {_fmt(shapes)}")
        return axes

    def _check(self, input_shape: Any) -> tuple:
        shapes = self._shapes(input_shape)
        if len(shapes) != 2:
            raise ValueError(f"Dot {self.name!r}: a Dot layer should be called on exactly 2 "
                             f"inputs, got {len(shapes)}")
        self._batch(shapes)
        (s1, s2), (a1, a2) = shapes, self._axes(shapes)
        if None not in (s1[a1], s2[a2]) and s1[a1] != s2[a2]:
            raise ValueError(f"Dot {self.name!r}: dimension incompatibility: {s1[a1]} !== "
                             f"{s2[a2]} (axes {[a1, a2]} of input shapes {_fmt(shapes)})")
        out = (*s1[:a1], *s1[a1 + 1:], *[d for i, d in enumerate(s2) if i not in (0, a2)])
        return out if len(out) > 1 else (*out, 1)

    def call(self, inputs: Sequence[Tensor], training: bool | None = None,
             **kwargs: Any) -> Tensor:
        out_shape = self._check(shape_of(inputs))
        (x, y), (ax, ay) = inputs, self._axes([tuple(t.shape) for t in inputs])
        if self.normalize:
            x, y = _l2_normalize(x, ax), _l2_normalize(y, ay)
        # x -> [B, rest of x, k] and y -> [B, k, rest of y]: one batched matmul does the rest.
        x_rest = [i for i in range(1, x.rank) if i != ax]
        y_rest = [i for i in range(1, y.rank) if i != ay]
        xm = ops.reshape(_transposed(x, [0, *x_rest, ax]),
                         [x.shape[0], math.prod(x.shape[i] for i in x_rest), x.shape[ax]])
        ym = ops.reshape(_transposed(y, [0, ay, *y_rest]),
                         [y.shape[0], y.shape[ay], math.prod(y.shape[i] for i in y_rest)])
        return ops.reshape(ops.matmul(xm, ym), list(out_shape))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def get_config(self) -> dict[str, Any]:
        return {"axes": self.axes, "normalize": self.normalize, **super().get_config()}


def _transposed(x: Tensor, perm: list[int]) -> Tensor:
    return x if perm == list(range(x.rank)) else ops.transpose(x, perm)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    """x / sqrt(max(sum(x^2), 1e-7)) along ``axis`` (TF.js's l2Normalize)."""
    square_sum = ops.sum(ops.square(x), axis, keep_dims=True)
    return ops.div(x, ops.sqrt(ops.maximum(square_sum, L2_EPSILON)))


def _merge_factory(cls: type, name: str) -> Callable[..., Any]:
    """``layer_factory``, plus TF.js's shortcut: given a list of tensors, the factory creates
    the layer and applies it to them."""
    make = layer_factory(cls, name)

    def factory(config: Any = None, **kwargs: Any) -> Any:
        if isinstance(config, (list, tuple)):
            return make(**kwargs).apply(list(config))
        return make(config, **kwargs)

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = make.__doc__
    return factory


add = _merge_factory(Add, "add")
multiply = _merge_factory(Multiply, "multiply")
average = _merge_factory(Average, "average")
maximum = _merge_factory(Maximum, "maximum")
minimum = _merge_factory(Minimum, "minimum")
concatenate = _merge_factory(Concatenate, "concatenate")
dot = _merge_factory(Dot, "dot")
