"""The benchmark script's bookkeeping (the benchmarks themselves run outside the test suite)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _convnet():
    path = ROOT / "benchmarks" / "convnet.py"
    spec = importlib.util.spec_from_file_location("convnet_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_best_of_rounds_keeps_the_fastest_training_and_inference() -> None:
    bench = _convnet()
    rounds = [{"engine": "e", "train_samples_per_s": 900.0, "infer_samples_per_s": 4000.0,
               "ms_per_step": 142.2},
              {"engine": "e", "error": "exit code 1"},
              {"engine": "e", "train_samples_per_s": 1000.0, "infer_samples_per_s": 3000.0,
               "ms_per_step": 128.0}]
    best = bench.best_of_rounds(rounds)
    assert best["train_samples_per_s"] == 1000.0 and best["ms_per_step"] == 128.0
    assert best["infer_samples_per_s"] == 4000.0
    assert [r["train_samples_per_s"] for r in best["rounds"]] == [900.0, 1000.0]
    failed = [{"engine": "e", "skipped": "torch is not installed"}] * 2
    assert bench.best_of_rounds(failed) == failed[0]


def test_rounds_flag_parses() -> None:
    args = _convnet().parse_args(["--rounds", "3", "--steps", "5"])
    assert args.rounds == 3
