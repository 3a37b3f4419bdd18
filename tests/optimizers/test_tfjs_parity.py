"""minitf's optimizers replay trajectories recorded from real TensorFlow.js.

tests/fixtures/tfjs/optimizers/generate.js (see its header to regenerate; these tests do not
need Node) ran 5 ``minimize`` steps of each optimizer configuration on
``sum((w - c)^2) + logSumExp(X @ B + w[:, None])`` with @tensorflow/tfjs on its 'cpu' backend,
and recorded the cost and variables after each step, the config and ``getWeights()``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minitf as tf
from minitf import train
from minitf.serialization import to_snake_keys

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "tfjs" / "optimizers"
                      / "trajectories.json").read_text())
CASES = {case["name"]: case for case in FIXTURE["cases"]}
RTOL, ATOL = 1e-6, 1e-7  # float32 arithmetic on both sides; exp/log may differ by an ulp


@pytest.mark.parametrize("name", list(CASES))
def test_trajectory_matches_tfjs(name: str) -> None:
    case: dict[str, Any] = CASES[name]
    w = tf.variable(FIXTURE["w0"], name="opt_parity_w")
    b = tf.variable(FIXTURE["b0"], name="opt_parity_B")
    assert (w.name, b.name) == ("opt_parity_w", "opt_parity_B")
    c, x = tf.tensor(FIXTURE["c"]), tf.tensor(FIXTURE["x"])
    opt = getattr(train, case["factory"])(*case["args"])

    def loss() -> tf.Tensor:
        return tf.sum(tf.square(w - c)) + tf.logsumexp(tf.matmul(x, b) + tf.expand_dims(w, 1))

    for step, expected in enumerate(case["steps"], start=1):
        cost = opt.minimize(loss, True, [w, b])
        where = f"{name}, step {step}"
        np.testing.assert_allclose(cost.item(), expected["cost"], RTOL, ATOL, err_msg=where)
        np.testing.assert_allclose(w.numpy(), expected["w"], RTOL, ATOL, err_msg=where)
        np.testing.assert_allclose(b.numpy().ravel(), expected["B"], RTOL, ATOL, err_msg=where)
        cost.dispose()

    assert opt.class_name == case["class_name"]
    assert opt.get_config() == to_snake_keys(case["config"])
    if "weights" in case:  # TF.js cannot getWeights() for Adamax
        weights = opt.get_weights()
        assert [e["name"] for e in weights] == [e["name"] for e in case["weights"]]
        for got, expected in zip(weights, case["weights"]):
            assert got["tensor"].dtype == expected["dtype"]
            np.testing.assert_allclose(got["tensor"].numpy().ravel(), expected["values"], RTOL,
                                       ATOL, err_msg=f"{name}: {expected['name']}")
        weights[0]["tensor"].dispose()
    opt.dispose()
    tf.dispose([c, x])


@pytest.mark.parametrize("name", list(CASES))
def test_update_rule_matches_tfjs_on_fixed_gradients(name: str) -> None:
    """Gradients exact in float32 isolate the update rule: on the NumPy backend every value
    matches TF.js bit for bit (same operation order, each op rounded to float32 once)."""
    rtol = 0.0 if tf.get_backend() == "numpy" else 3e-7
    case: dict[str, Any] = CASES[name]
    w = tf.variable(FIXTURE["w0"], name="opt_parity_w")
    b = tf.variable(FIXTURE["b0"], name="opt_parity_B")
    opt = getattr(train, case["factory"])(*case["args"])
    for step, (g, expected) in enumerate(zip(FIXTURE["grads"], case["fixed_grad_steps"]), 1):
        grads = {w.name: tf.tensor(g["w"]), b.name: tf.tensor(g["B"], [2, 2])}
        opt.apply_gradients(grads)
        tf.dispose(grads)
        where = f"{name}, step {step}"
        np.testing.assert_allclose(w.numpy(), np.float32(expected["w"]), rtol, 0, err_msg=where)
        np.testing.assert_allclose(b.numpy().ravel(), np.float32(expected["B"]), rtol, 0,
                                   err_msg=where)
    opt.dispose()
