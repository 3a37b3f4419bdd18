"""Training runs replayed against real TF.js 4.22 (tests/fixtures/tfjs/training).

Each case rebuilds the model from TF.js's own topology JSON, sets the recorded initial weights,
compiles and fits with the same arguments (shuffle off), and compares every batch loss and
metric, the epoch logs, the final weights, the predictions and evaluate. Where TF.js is wrong
(it ignores loss_weights; multi-output evaluation is off by one), minitf follows Keras and the
test checks minitf's numbers against the correctly relabelled TF.js values.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minitf as tf
from minitf.serialization import deserialize

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "tfjs" / "training" /
                      "training.json").read_text())
CASES = {c["id"]: c for c in FIXTURE["cases"]}
RTOL, ATOL = 2e-5, 2e-6
# Centered RMSProp takes sqrt(-epsilon) on an exactly-zero gradient and turns NaN, in TF.js and
# therefore here: the NaN values are part of what is compared.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")


def _array(t: dict[str, Any]) -> np.ndarray:
    return np.array(t["values"], dtype=t["dtype"]).reshape(t["shape"])


def _optimizer(spec: dict[str, Any]) -> Any:
    if spec["kind"] == "string":
        return spec["string"]
    call = spec["call"].replace("true", "True").replace("false", "False")
    name, args = re.fullmatch(r"tf\.train\.(\w+)\((.*)\)", call).groups()
    values = eval(f"[{args}]", {"__builtins__": {}}, {"True": True, "False": False})
    return getattr(tf.train, name)(*values)


def _run(case: dict[str, Any]) -> tuple[Any, Any, dict[str, list], list[dict]]:
    model = deserialize(case["topology"], "layers")
    by_name = {w["original_name"]: _array(w) for w in case["initial_weights"]}
    assert [w.original_name for w in model.weights] == list(by_name)
    model.set_weights(list(by_name.values()))
    compile_args = {k: v for k, v in case["compile"].items() if k != "optimizer"}
    model.compile({"optimizer": _optimizer(case["compile"]["optimizer"]), **compile_args})
    data = FIXTURE["datasets"][case["data"]]
    x = _array(data["x"])
    y = [_array(t) for t in data["y"]] if isinstance(data["y"], list) else _array(data["y"])
    fit_args = dict(case["fit"])
    if "validationData" in fit_args:
        fit_args["validationData"] = (x[:4], y[:4])
    batches: list[dict] = []
    history = model.fit(x, y, {**fit_args, "callbacks": {
        "onBatchEnd": lambda batch, logs: batches.append(dict(logs))}})
    return model, (x, y), history.history, batches


def _close(got: Any, want: Any, what: str) -> None:
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                               rtol=RTOL, atol=ATOL, err_msg=what)


SIMPLE = [c for c in CASES if not c.startswith("two_head")]


@pytest.mark.parametrize("case_id", SIMPLE)
def test_training_matches_tfjs(case_id: str) -> None:
    case = CASES[case_id]
    model, (x, y), history, batches = _run(case)
    assert len(batches) == len(case["batch_logs"])
    for got, want in zip(batches, case["batch_logs"]):
        assert set(got) == set(want["logs"]), f"batch log keys {sorted(got)}"
        for key, value in want["logs"].items():
            _close(got[key], value, f"batch {want['epoch']}/{want['batch']} {key}")
    assert set(history) == set(case["history"]["history"])
    for key, values in case["history"]["history"].items():
        _close(history[key], values, f"history {key}")
    for variable, want in zip(model.weights, case["final_weights"]):
        _close(variable.numpy(), _array(want), f"final {want['name']}")
    _close(model.predict(x, batch_size=case["fit"]["batchSize"]).numpy(),
           _array(case["predictions"][0]), "predictions")
    result = model.evaluate(x, y, batch_size=case["evaluate"]["batch_size"])
    values = [float(v) for v in (result if isinstance(result, list) else [result])]
    _close(values, case["evaluate"]["values"], "evaluate")
    model.dispose()


def test_two_head_model_matches_tfjs_per_output() -> None:
    case = CASES["two_head_adam_loss_array"]
    model, (x, y), history, batches = _run(case)
    for got, want in zip(batches, case["batch_logs"]):
        for key, value in want["logs"].items():
            _close(got[key], value, f"batch {key}")
    for variable, want in zip(model.weights, case["final_weights"]):
        _close(variable.numpy(), _array(want), f"final {want['name']}")
    # TF.js returns [loss_0, loss_0 + loss_1, loss_0, loss_1, acc_0, acc_1] for 5 names;
    # minitf returns the 5 values the names promise: [total, loss_0, loss_1, acc_0, acc_1].
    tfjs = case["evaluate"]["values"]
    got = [float(v) for v in model.evaluate(x, y, batch_size=case["evaluate"]["batch_size"])]
    _close(got, [tfjs[1], tfjs[2], tfjs[3], tfjs[4], tfjs[5]], "evaluate, relabelled")
    model.dispose()


def test_two_head_validation_logs_are_labelled_correctly() -> None:
    case = CASES["two_head_adam_validation_split"]
    model, _, history, _ = _run(case)
    out0, out1 = case["output_names"]
    tfjs = case["history"]["history"]
    for key in ("loss", f"{out0}_loss", f"{out1}_loss", f"{out0}_acc", f"{out1}_acc"):
        _close(history[key], tfjs[key], key)
    # TF.js zips [loss_0, total, loss_0, loss_1, acc_0, ...] with the val_ names; undo that
    _close(history["val_loss"], tfjs[f"val_{out0}_loss"], "val_loss is the total")
    _close(history[f"val_{out0}_loss"], tfjs["val_loss"], "val loss of output 0")
    _close(history[f"val_{out1}_loss"], tfjs[f"val_{out0}_acc"], "val loss of output 1")
    _close(history[f"val_{out0}_acc"], tfjs[f"val_{out1}_acc"], "val acc of output 0")
    model.dispose()


def test_loss_weights_are_applied_where_tfjs_ignores_them() -> None:
    plain, weighted = CASES["two_head_adam_loss_array"], CASES["two_head_adam_loss_weights_ignored"]
    assert plain["history"]["history"]["loss"] == weighted["history"]["history"]["loss"]
    model, _, history, batches = _run(weighted)
    out0, out1 = weighted["output_names"]
    w0, w1 = weighted["compile"]["lossWeights"]
    first = batches[0]
    _close(first["loss"], w0 * first[f"{out0}_loss"] + w1 * first[f"{out1}_loss"], "weighted")
    plain_out0 = plain["output_names"][0]
    _close(first[f"{out0}_loss"], plain["batch_logs"][0]["logs"][f"{plain_out0}_loss"], "batch 0")
    assert not np.allclose(history["loss"], plain["history"]["history"]["loss"])
    model.dispose()
