"""The ``cuda`` backend's tests: run them on their own, under Numba's CUDA simulator,

    NUMBA_ENABLE_CUDASIM=1 python -m pytest -q -m cuda tests/cuda

or on a machine with an NVIDIA GPU (without the variable). Everywhere else (the normal test run)
this folder's test files are not even collected, so they cost nothing. The simulator runs each
CUDA thread as a Python thread; a shorter thread switch interval makes its barriers
(``syncthreads``) several times faster. Every test module here is marked ``cuda``.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys

import pytest

collect_ignore = ["check_ptx.py"]  # a script (run by test_ptx.py), not a test module


def _why_not() -> str | None:
    """Why the CUDA tests cannot run in this process, or None when they can."""
    if importlib.util.find_spec("numba_cuda") is None:
        return 'numba-cuda is not installed (pip install "minitf[cuda13]")'
    if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0"):
        return None
    if not (shutil.which("nvidia-smi") or os.path.exists("/dev/nvidiactl")):
        return "no NVIDIA GPU and NUMBA_ENABLE_CUDASIM is not set"
    from numba import cuda

    return None if cuda.is_available() else "numba.cuda finds no usable GPU"


REASON = _why_not()
if REASON is not None:
    collect_ignore_glob = ["test_*.py"]
elif os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0"):
    sys.setswitchinterval(5e-4)


@pytest.fixture
def backend():
    """The ``cuda`` backend object, made active for the test; the suite's backend after."""
    import minitf as tf
    from minitf.engine.backend import get_backend_instance

    previous = tf.get_backend()
    tf.set_backend("cuda")
    yield get_backend_instance("cuda")
    tf.set_backend(previous)
