"""Environment switches of the cpu backend: thread counts and the OpenBLAS core choice."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from minitf import env
from minitf.engine.backend import default_backend

AVX2 = frozenset({"sse4_2", "avx", "avx2", "fma"})


def test_openblas_core_chosen_only_with_every_avx512_subset() -> None:
    assert env.choose_openblas_core(AVX2 | env.AVX512_FLAGS, {}, numpy_loaded=False) == "SkylakeX"
    assert env.choose_openblas_core(AVX2, {}, numpy_loaded=False) is None
    assert env.choose_openblas_core(AVX2 | {"avx512f"}, {}, numpy_loaded=False) is None


def test_openblas_core_respects_the_user_and_a_loaded_numpy() -> None:
    flags = AVX2 | env.AVX512_FLAGS
    assert env.choose_openblas_core(flags, {"OPENBLAS_CORETYPE": "Haswell"}, False) is None
    assert env.choose_openblas_core(flags, {}, numpy_loaded=True) is None


def test_num_threads_reads_minitf_num_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINITF_NUM_THREADS", "3")
    assert env.num_threads() == 3
    monkeypatch.setenv("MINITF_NUM_THREADS", "")
    assert env.num_threads() is None
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("MINITF_NUM_THREADS", bad)
        with pytest.raises(ValueError, match="MINITF_NUM_THREADS"):
            env.num_threads()


def test_default_backend_is_cpu_where_numba_imports() -> None:
    pytest.importorskip("numba")
    assert default_backend() == "cpu"


def test_minitf_num_threads_sets_numba_and_blas_threads() -> None:
    pytest.importorskip("numba")
    code = ("import minitf as tf\n"
            "from minitf.backends.cpu import threads\n"
            "print(tf.get_backend(), threads.get_num_threads(), threads.blas_threads())\n")
    environ = {**os.environ, "MINITF_NUM_THREADS": "1"}
    environ.pop("MINITF_BACKEND", None)
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0] == "cpu" and out[1] == "1"
    assert out[2] in ("1", "None")  # None: NumPy without a reachable OpenBLAS


def test_set_num_threads_rejects_zero() -> None:
    threads = pytest.importorskip("minitf.backends.cpu.threads")
    with pytest.raises(ValueError, match="at least 1"):
        threads.set_num_threads(0)


def test_simd_lanes_reads_minitf_simd_lanes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINITF_SIMD_LANES", raising=False)
    assert env.simd_lanes() is None
    monkeypatch.setenv("MINITF_SIMD_LANES", "16")
    assert env.simd_lanes() == 16
    monkeypatch.setenv("MINITF_SIMD_LANES", "4")
    with pytest.raises(ValueError, match="MINITF_SIMD_LANES must be 8 or 16"):
        env.simd_lanes()


def test_keep_freed_memory_respects_the_user() -> None:
    assert env.keep_freed_memory({})
    assert not env.keep_freed_memory({"MINITF_KEEP_FREED_MEMORY": "0"})
    assert not env.keep_freed_memory({"MALLOC_TRIM_THRESHOLD_": "0"})
    assert not env.keep_freed_memory({"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=1"})


_FAULTS = ("import resource, numpy as np, minitf as tf\n"
           "tf.get_backend()\n"
           "def step():\n"
           "    a = np.empty(8 << 20, np.uint8); a.fill(1); del a\n"
           "step()\n"
           "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
           "for _ in range(5): step()\n"
           "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_cpu_backend_keeps_freed_memory_for_reuse() -> None:
    """An 8 MB array allocated, touched and freed five times: with the cpu backend's malloc
    setting it reuses the same pages (a few faults), without it every round faults again."""
    pytest.importorskip("numba")
    environ = {k: v for k, v in os.environ.items() if k != "MINITF_BACKEND"}
    kept = subprocess.run([sys.executable, "-c", _FAULTS], env=environ, capture_output=True,
                          text=True, check=True).stdout
    environ["MINITF_KEEP_FREED_MEMORY"] = "0"
    given_back = subprocess.run([sys.executable, "-c", _FAULTS], env=environ,
                                capture_output=True, text=True, check=True).stdout
    assert int(kept) < 100 < int(given_back)
