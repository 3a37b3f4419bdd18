"""print(t) matches TF.js's Tensor.toString() byte for byte.

The golden texts come from TF.js itself: tests/fixtures/tfjs/print/generate.js (see its header to
regenerate) wrote print_cases.json. These tests only read the JSON, so they need no Node.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import minitf as tf
from minitf.format import js_number_to_string, js_to_fixed

GOLDEN = Path(__file__).parent / "fixtures" / "tfjs" / "print" / "print_cases.json"
CASES = json.loads(GOLDEN.read_text())["cases"]


def _tensor(case: dict, dtype: str | None = None) -> tf.Tensor:
    """The case's tensor in minitf; JSON carries NaN and +-Infinity as strings."""
    values = [float(v) if isinstance(v, str) else v for v in case["values"]]
    array = np.array(values, dtype=np.float64 if case["dtype"] != "bool" else np.bool_)
    return tf.tensor(array.reshape(case["shape"]), dtype=dtype or case["dtype"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_tfjs(case: dict) -> None:
    t = _tensor(case)
    assert str(t) == case["toString"]
    assert repr(t) == case["toString"]
    assert t.to_string(True) == case["verbose"]


@pytest.mark.parametrize("case", [c for c in CASES if c["dtype"] == "float32"],
                         ids=[c["name"] for c in CASES if c["dtype"] == "float32"])
def test_float64_prints_like_float32(case: dict) -> None:
    # The golden values are float32-exact, so in float64 only the dtype header line differs.
    t = _tensor(case, dtype="float64")
    assert str(t) == case["toString"]
    assert t.to_string(True) == case["verbose"].replace("dtype: float32", "dtype: float64")


def test_print_writes_to_string(capsys: pytest.CaptureFixture[str]) -> None:
    t = tf.tensor([[1.5, -2], [3, 4]])
    t.print(True)
    assert capsys.readouterr().out == t.to_string(True) + "\n"


@pytest.mark.parametrize("x, text", [
    (0.1, "0.1"), (-0.0, "0"), (1e21, "1e+21"), (1.5e21, "1.5e+21"),
    (1e20, "100000000000000000000"),
    (1e-6, "0.000001"), (1e-7, "1e-7"), (-1.25e-9, "-1.25e-9"), (123.456, "123.456"),
    (float("nan"), "NaN"), (float("-inf"), "-Infinity"),
])
def test_js_number_to_string(x: float, text: str) -> None:
    assert js_number_to_string(x) == text


@pytest.mark.parametrize("x, text", [
    (0.00390625, "0.0039063"), (-0.00390625, "-0.0039063"),  # exact ties round away from zero
    (1 / 3, "0.3333333"), (-1e-8, "-0.0000000"), (2.0, "2.0000000"), (1e21, "1e+21"),
])
def test_js_to_fixed(x: float, text: str) -> None:
    assert js_to_fixed(x, 7) == text
