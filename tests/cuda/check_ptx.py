"""Compile every kernel of the ``cuda`` backend to PTX for an H100 (compute capability 9.0),
without a GPU, and list the kernels that fail to compile or use float64 instructions.

Run as a script (tests/cuda/test_ptx.py does, in a process without the simulator):
``python tests/cuda/check_ptx.py`` prints one JSON object and exits 0 when every kernel
compiles to float32-only PTX, 1 when some do not, and 3 when the CUDA toolkit's compiler
(``pip install "numba-cuda[cu13]"``) is not installed.

``cuda.compile_ptx`` needs no driver, but device functions called from a kernel ask the driver
for the current device's compute capability; the one patch below answers for them.
"""
from __future__ import annotations

import json
import sys
import types

CC = (9, 0)
# libdevice's sinf/cosf reduce arguments beyond |x| > 1e5 with one float64 multiply, on a
# branch that ordinary inputs never take: accepted.
COLD_FLOAT64 = {"Sin", "Cos"}


def main() -> int:
    import numba.cuda.dispatcher as dispatcher
    from numba import cuda

    dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=CC)
    from minitf.backends.cuda import device, import_kernels

    import_kernels()
    report: dict = {"compiled": 0, "failed": {}, "float64": []}
    for name, fn, signatures in device.KERNELS:
        if not signatures:
            report["failed"][f"{name} {fn.__name__}"] = "device.kernel() lists no signature"
        for sig in signatures:
            label = f"{name} {fn.__name__} {sig}"
            try:
                ptx, _ = cuda.compile_ptx(fn, sig, cc=CC)
            except Exception as err:
                text = f"{type(err).__name__}: {err}"
                if any(lib in text for lib in ("libnvvm", "NVVM", "nvrtc", "NVRTC")):
                    print(json.dumps({"no_toolkit": text[:500]}))
                    return 3
                report["failed"][label] = text[:2000]
                continue
            report["compiled"] += 1
            if ".f64" in ptx and name not in COLD_FLOAT64:
                report["float64"].append(label)
    print(json.dumps(report, indent=1))
    return 1 if report["failed"] or report["float64"] else 0


if __name__ == "__main__":
    sys.exit(main())
