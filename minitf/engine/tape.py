"""The tape: what ops ran inside a gradient scope, and ``backprop`` that walks it in reverse.

A tape exists only while ``grads``/``variable_grads`` run a function (as in TF.js): ``dispatch``
appends a :class:`TapeNode` per kernel call, holding the tensors its gradient needs ("saved").
Saved tensors are extra handles to the same data, owned by the tape, so the forward's ``tidy``
cannot free them; :meth:`Tape.release` drops them once the backward pass is done.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .. import dtypes
from ..tensor import Tensor
from . import registry, scope


@dataclass(eq=False)
class TapeNode:
    """One recorded kernel call: inputs and outputs by handle, attributes, saved tensors."""

    kernel: str
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]
    attrs: dict[str, Any]
    gradient: registry.Gradient | None
    saved: tuple[Tensor, ...] = ()
    multi_output: bool = False  # the kernel returned a tuple: its gradient gets a list of dy
    refs: int = 1  # how many tapes hold this node; the last one to release frees `saved`

    def __repr__(self) -> str:
        ins = ", ".join(f"t{t.id}{list(t.shape)}" for t in self.inputs)
        outs = ", ".join(f"t{t.id}{list(t.shape)}" for t in self.outputs)
        return f"TapeNode({self.kernel}: {ins} -> {outs})"


@dataclass
class Tape:
    """The nodes recorded while this gradient scope was open, in execution order."""

    nodes: list[TapeNode] = field(default_factory=list)

    def release(self) -> None:
        """Give back the saved tensors of every node this tape holds."""
        for node in self.nodes:
            node.refs -= 1
            if node.refs == 0:
                scope.dispose(node.saved)
        self.nodes.clear()


_tapes: list[Tape] = []
_IDENTITY = registry.Gradient("Identity", (), lambda dy: dy)


def push() -> Tape:
    """Start recording on a new tape (nested tapes make higher-order gradients possible)."""
    tape = Tape()
    _tapes.append(tape)
    return tape


def pop(tape: Tape) -> None:
    """Stop recording on ``tape``; it must be the innermost one."""
    if not _tapes or _tapes[-1] is not tape:
        raise RuntimeError("gradient tapes closed out of order")
    _tapes.pop()


def pause() -> list[Tape]:
    """Stop recording on all tapes (for ``custom_grad``); give the result to :func:`resume`."""
    paused = _tapes[:]
    _tapes.clear()
    return paused


def resume(paused: list[Tape]) -> None:
    """Undo :func:`pause`."""
    _tapes[:] = paused


def recording() -> bool:
    """True while some gradient scope is open."""
    return bool(_tapes)


def record(kernel: str, inputs: Mapping[str, Tensor], outputs: tuple[Tensor, ...],
           attrs: dict[str, Any], gradient: registry.Gradient | None = None,
           saved: tuple[Tensor, ...] | None = None, multi_output: bool = False) -> None:
    """Append a node for one kernel call to every open tape (called by ``dispatch``)."""
    if not any(dtypes.is_float(t.dtype) for t in inputs.values()):
        return  # no gradient can flow through a node without float inputs
    from .dispatch import share

    gradient = gradient or registry.get_gradient(kernel)
    if saved is None:
        saved = tuple(_pick(name, inputs, outputs) for name in gradient.save) if gradient else ()
    shares = tuple(share(t) for t in saved)
    node = TapeNode(kernel, tuple(inputs.values()), outputs, attrs, gradient, shares,
                    multi_output, len(_tapes))
    for tape in _tapes:
        tape.nodes.append(node)
    if len(_tapes) > 1:  # outer tapes must see that a saved handle carries its original's value
        for original, handle in zip(saved, shares):
            link = TapeNode("Identity", (original,), (handle,), {}, _IDENTITY, (), False,
                            len(_tapes) - 1)
            for tape in _tapes[:-1]:
                tape.nodes.append(link)


def _pick(name: str, inputs: Mapping[str, Tensor], outputs: tuple[Tensor, ...]) -> Tensor:
    if name in inputs:
        return inputs[name]
    if name == "y":
        return outputs[0]
    if name.startswith("y") and name[1:].isdigit():
        return outputs[int(name[1:])]
    raise KeyError(f"gradient save name {name!r} is neither an input nor an output")


def backprop(nodes: list[TapeNode], ys: list[Tensor], xs: list[Tensor],
             dys: list[Tensor]) -> list[Tensor | None]:
    """Gradients of ``ys`` (seeded with ``dys``) with respect to ``xs``; None where no path.

    Walks the nodes between ``xs`` and ``ys`` in reverse, calls each kernel's gradient, sums
    broadcast gradients back to their input's shape and accumulates with ``add``.
    """
    from ..ops import add
    from ..ops.broadcast import unbroadcast
    from ..ops.creation import zeros

    path, on_path = _filter(nodes, xs, ys)
    grads: dict[int, Tensor] = {y.id: dy for y, dy in zip(ys, dys)}
    for node in reversed(path):
        dy_list = [grads.get(t.id) for t in node.outputs]
        if all(g is None for g in dy_list):
            continue
        if node.gradient is None:
            raise NotImplementedError(f"no gradient is registered for kernel {node.kernel!r}, "
                                      "which lies between x and y")
        dy_list = [zeros(t.shape, t.dtype) if g is None else g
                   for g, t in zip(dy_list, node.outputs)]
        dy = dy_list if node.multi_output else dy_list[0]
        dxs = node.gradient.fn(dy, *node.saved, **node.attrs)
        dxs = tuple(dxs) if isinstance(dxs, (tuple, list)) else (dxs,)
        if len(dxs) != len(node.inputs):
            raise RuntimeError(f"gradient of {node.kernel} returned {len(dxs)} values for "
                               f"{len(node.inputs)} inputs")
        for x, dx in zip(node.inputs, dxs):
            if dx is None or x.id not in on_path:
                continue
            if callable(dx):  # computed only now that we know this input needs it
                dx = dx()
            dx = unbroadcast(dx, x.shape)
            if dx.shape != x.shape:
                raise RuntimeError(f"gradient of {node.kernel}: expected shape {list(x.shape)} "
                                   f"for an input, got {list(dx.shape)}")
            grads[x.id] = add(grads[x.id], dx) if x.id in grads else dx
    return [grads.get(x.id) for x in xs]


def _filter(nodes: list[TapeNode], xs: list[Tensor],
            ys: list[Tensor]) -> tuple[list[TapeNode], set[int]]:
    """The nodes on some path from an x to a y, and the ids of float tensors on such paths."""
    reached = {x.id for x in xs}
    forward = []
    for node in nodes:
        if any(t.id in reached for t in node.inputs):
            forward.append(node)
            reached.update(t.id for t in node.outputs if dtypes.is_float(t.dtype))
    needed = {y.id for y in ys}
    path = []
    for node in reversed(forward):
        if any(t.id in needed for t in node.outputs):
            path.append(node)
            needed.update(t.id for t in node.inputs if t.id in reached)
    path.reverse()
    return path, needed & reached


def custom_node(inputs: Mapping[str, Tensor], outputs: tuple[Tensor, ...],
                fn: Callable[..., Any], saved: tuple[Tensor, ...]) -> None:
    """Record a user-defined gradient (``tf.custom_grad``) as one node."""
    if recording():
        record("CustomGradient", inputs, outputs, {}, registry.Gradient("CustomGradient", (), fn),
               saved)
