"""Every CUDA kernel compiles to PTX for an H100 (compute capability 9.0) with float32
arithmetic only: ``cuda.compile_ptx`` type-checks a kernel as the GPU compiler will (the
simulator checks no types), and a ``.f64`` instruction means a float64 literal or promotion
slipped in. Needs the CUDA toolkit's compiler (``pip install "numba-cuda[cu13]"``), but no GPU;
skipped where that is not installed. It runs tests/cuda/check_ptx.py in a fresh process, since
the simulator, once on, replaces numba.cuda for the whole process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.cuda

SCRIPT = Path(__file__).with_name("check_ptx.py")
ROOT = Path(__file__).parents[2]


def test_every_kernel_compiles_to_float32_ptx() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    run = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env,
                         timeout=600)
    if run.returncode == 3:
        pytest.skip("the CUDA toolkit's compiler is not installed: " + run.stdout[:200])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    report = json.loads(run.stdout)
    assert report["compiled"] >= 90 and not report["failed"] and not report["float64"]
