"""Selecting the ``cuda`` backend where it cannot run (the usual case: no GPU) fails with an
error that says what is missing, and ``import minitf`` never loads numba.cuda. The backend's
kernels are tested apart, in tests/cuda (under NUMBA_ENABLE_CUDASIM=1 or on a GPU).
"""
from __future__ import annotations

import subprocess
import sys

import pytest

import minitf as tf
from minitf.backends.cuda import CudaUnavailable
from minitf.engine.backend import get_backend_instance


def test_cuda_is_registered_without_loading_numba_cuda() -> None:
    code = ("import sys, minitf as tf; assert 'cuda' in tf.backend_names(); "
            "print('numba.cuda' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_selecting_cuda_without_a_gpu_says_what_is_missing() -> None:
    try:
        get_backend_instance("cuda")
    except CudaUnavailable as err:
        message = str(err)
    else:
        pytest.skip("CUDA can run here (a GPU, or the simulator)")
    assert "numba-cuda" in message or "GPU" in message, message
    before = tf.get_backend()
    with pytest.raises(CudaUnavailable):
        tf.set_backend("cuda")
    assert tf.get_backend() == before
