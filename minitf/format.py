"""Tensor printing, character for character as TF.js prints it (``tensor.toString()``).

Why copy TF.js exactly: minitf is read next to TF.js tutorials and docs, so ``print(t)`` should show
what a learner sees there, and the golden files in tests/fixtures/tfjs/print/ can then be compared
byte for byte. The rules (from tfjs-core ``tensor_format.ts``):

- A value is written with at most 7 digits after the point, trailing zeros dropped:
  JavaScript's ``parseFloat(x.toFixed(7)).toString()``. So 1/3 shows as ``0.3333333``, 1e-8 as
  ``0``, 5e-7 as ``5e-7`` (JavaScript switches to exponent notation below 1e-6 and from 1e21 up),
  and NaN/Infinity as ``NaN``, ``Infinity``, ``-Infinity``. bool values show as ``true``/``false``.
- A scalar is the exception: it is written in full (``Number.toString()``, no rounding), so a
  float32 0.1 shows as ``0.10000000149011612``.
- In tensors of rank 2 or more, every column (index along the last axis) is padded on the right to
  its widest value, measured over *all* rows, also the ones hidden by ``...``. Rank 1 is not padded.
- An axis longer than 20 shows its first 3 and last 3 entries with ``...`` between them.
- Rows are nested in brackets; sub-blocks of rank r are separated by r - 1 blank lines.
- ``verbose`` adds the lines ``dtype``, ``rank``, ``shape`` and ``values:`` after ``Tensor``.

TF.js quirks kept on purpose, because they are what TF.js prints: a matrix with a single row
prints as `` [[1, 2],]`` (trailing comma, one more space of indent), which blocks around it carry
along (shape [1, 1, 2] prints `` [ [[1, 2],]]``), and a leading axis of length 0 prints `` []``.
float64 (a minitf extra) is formatted by the same rules as float32.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

MAX_SHOWN = 20  # an axis longer than this is elided ...
EDGE_ITEMS = 3  # ... down to this many entries at each end
DECIMALS = 7  # digits after the point (TF.js calls it FORMAT_NUM_SIG_DIGITS, but it is toFixed)
INDENT = "    "


def tensor_to_string(values: np.ndarray, dtype: str, verbose: bool = False) -> str:
    """The text TF.js's ``Tensor.toString(verbose)`` gives for ``values`` of ``dtype``."""
    values = np.asarray(values)
    lines = ["Tensor"]
    if verbose:
        shape = ",".join(str(n) for n in values.shape)
        lines += [f"  dtype: {dtype}", f"  rank: {values.ndim}", f"  shape: [{shape}]",
                  "  values:"]
    if values.ndim == 0:
        body = [_scalar_to_string(values.item(), dtype)]
    else:
        body = _block_lines(values, dtype, _column_widths(values, dtype), is_last=True)
    # Lines may end in "\n" (the blank lines between sub-blocks); those blank lines stay unindented.
    lines.append("\n".join(INDENT + line for line in body))
    return "\n".join(lines)


# -- one value ----------------------------------------------------------------------------------
def _scalar_to_string(value: float, dtype: str) -> str:
    """A rank-0 tensor: written in full, without the 7-decimal rounding."""
    if dtype == "bool":
        return "true" if value else "false"
    return js_number_to_string(float(value))


def _value_to_string(value: float, dtype: str) -> str:
    """One element of a tensor of rank >= 1: ``parseFloat(value.toFixed(7)).toString()``."""
    if dtype == "bool":
        return "true" if value else "false"
    return js_number_to_string(float(js_to_fixed(float(value), DECIMALS)))


def js_to_fixed(x: float, digits: int) -> str:
    """JavaScript's ``Number.prototype.toFixed``: round the exact binary value, ties away from 0.

    Python's ``f"{x:.7f}"`` rounds ties to even instead (0.00390625 -> 0.0039062, JS 0.0039063).
    From 1e21 up, and for NaN/Infinity, JavaScript returns the plain ``toString`` text.
    """
    if not math.isfinite(x) or abs(x) >= 1e21:
        return js_number_to_string(x)
    rounded = Decimal(x).quantize(Decimal(f"1e-{digits}"), rounding=ROUND_HALF_UP)
    return f"{rounded:f}"


def js_number_to_string(x: float) -> str:
    """JavaScript's ``Number.prototype.toString()`` for a double.

    The digits are the shortest ones that read back as ``x`` (as Python's ``repr``); only the
    layout differs: JavaScript writes plain decimals for 1e-6 <= |x| < 1e21 and otherwise an
    exponent without leading zeros (``1e-7``, ``1.5e+21``), and -0 as ``0``.
    """
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    digits, exponent = _shortest_digits(abs(x))
    # The value is 0.<digits> * 10**point, i.e. the decimal point sits after `point` digits.
    point = len(digits) + exponent
    if len(digits) <= point <= 21:
        text = digits + "0" * (point - len(digits))
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        mantissa = digits if len(digits) == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if point > 0 else '-'}{abs(point - 1)}"
    return sign + text


def _shortest_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of x > 0 (no trailing zeros) and their power of ten.

    Read off Python's ``repr``: '0.0125' -> ('125', -4), '1.5e+21' -> ('15', 20),
    '300.0' -> ('3', 2).
    """
    mantissa, _, exponent = repr(x).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    power = int(exponent or 0) - len(fraction)
    stripped = digits.rstrip("0")
    return stripped, power + len(digits) - len(stripped)


# -- layout -------------------------------------------------------------------------------------
def _shown_indices(length: int) -> Iterator[int | None]:
    """Indices displayed along an axis; ``None`` marks the ``...`` of an elided axis."""
    if length <= MAX_SHOWN:
        yield from range(length)
    else:
        yield from range(EDGE_ITEMS)
        yield None
        yield from range(length - EDGE_ITEMS, length)


def _column_widths(values: np.ndarray, dtype: str) -> list[int]:
    """Width of each column (last-axis index) over every row; all zero for rank 1 (no padding)."""
    n_columns = values.shape[-1]
    widths = [0] * n_columns
    if values.ndim < 2 or values.size == 0:
        return widths
    columns = values.reshape(-1, n_columns)
    for j in _shown_indices(n_columns):
        if j is not None:
            widths[j] = max(len(_value_to_string(v, dtype)) for v in columns[:, j])
    return widths


def _block_lines(block: np.ndarray, dtype: str, widths: list[int], is_last: bool) -> list[str]:
    """The lines of a sub-tensor of rank >= 1, as TF.js lays them out."""
    if block.ndim == 1:
        cells = ["..." if j is None else _value_to_string(block[j], dtype).ljust(widths[j])
                 for j in _shown_indices(block.shape[0])]
        return ["[" + ", ".join(cells) + "]"]

    lines: list[str] = []
    for i in _shown_indices(block.shape[0]):
        if i is None:
            lines.append("...")
        else:
            lines += _block_lines(block[i], dtype, widths, is_last=i == block.shape[0] - 1)

    # Wrap in brackets: "[" opens the first line, the others are indented by one space and the
    # last one closes. Rows of a matrix end in ","; blocks of rank >= 3 bring their own ",\n...".
    # TF.js applies these edits in this order even when there is only one line, which gives
    # "[[1, 2],]" for shape [1, 2] and " []" for an empty leading axis; we keep that.
    comma = "," if block.ndim == 2 else ""
    lines = ["[" + lines[0] + comma] + lines[1:] if lines else ["["]
    lines[1:-1] = [" " + line + comma for line in lines[1:-1]]
    lines[-1] = " " + lines[-1] + "]"
    if not is_last:
        lines[-1] += "," + "\n" * (block.ndim - 1)  # + the join's "\n": ndim - 1 blank lines
    return lines
