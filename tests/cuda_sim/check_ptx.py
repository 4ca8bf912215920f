"""Compile every CUDA kernel of fastlr for a real GPU target (PTX for sm_90), without a GPU.

Run as a script by ``tests/test_cuda.py::test_kernels_compile_to_ptx`` (a fresh process, the
simulator off). ``numba.cuda.compile_ptx`` uses NVVM from a CUDA toolkit but no driver; the
device functions that a kernel calls are compiled for the *current* device's compute
capability, so this script stands in a device of compute capability ``CC`` for them.

Prints one JSON object: ``{"status": "ok" | "skip" | "xfail", "reason": str, "compiled": [...]}``.
"""

from __future__ import annotations

import json
import sys
import types
from typing import Any

CC = (9, 0)


def report(status: str, reason: str = "", compiled: list[str] | None = None) -> None:
    print(json.dumps({"status": status, "reason": reason, "compiled": compiled or []}))


def main() -> None:
    try:
        from numba import cuda
        from numba import types as nt
        from numba.core import config
    except Exception as exc:  # no CUDA target at all
        report("skip", f"numba.cuda does not import: {exc!r}")
        return
    if config.ENABLE_CUDASIM:
        report("skip", "NUMBA_ENABLE_CUDASIM is set: compile_ptx needs the real CUDA target")
        return
    implementation = getattr(cuda, "implementation", "Built-in")

    import numba.cuda.dispatcher as dispatcher

    dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=CC)  # type: ignore[attr-defined]

    from fastlr.kernels import cuda as kernels  # compiles nothing; restores numpy.row_stack for numba-cuda

    def probe(x: float) -> float:
        return x + 1.0

    try:
        cuda.compile_ptx(probe, (nt.float64,), device=True, cc=CC)
    except Exception as exc:
        first = " ".join(str(exc).split())[:300]
        report("skip", f"NVVM/NVRTC from a CUDA toolkit is not usable here ({type(exc).__name__}: {first})")
        return

    i2 = nt.Array(nt.int64, 2, "C")
    f2 = nt.Array(nt.float64, 2, "C")
    compiled: list[str] = []
    for dt in (nt.float32, nt.float64):
        sigs: dict[str, tuple[Any, ...]] = {
            "fill_steps": (i2, f2, i2, f2, nt.int64, nt.int64, nt.Array(dt, 1, "C")),
            "fill_rows": (i2, f2, i2, f2, nt.Array(nt.int64, 1, "C"), nt.int64, nt.Array(dt, 2, "C")),
        }
        for name, sig in sigs.items():
            try:
                ptx, _ = cuda.compile_ptx(kernels.KERNELS[name].py_func, sig, cc=CC)
            except Exception as exc:
                msg = " ".join(str(exc).split())
                if implementation == "Built-in" and "Signature mismatch" in msg:
                    report(
                        "xfail",
                        "numba's built-in CUDA target cannot compile this numba's builtin max()/min() "
                        "(an @overload taking *args), which formulas.py uses; install numba-cuda "
                        f"(the 'cuda' extra) or avoid max/min in formulas.py. ({msg[-200:]})",
                    )
                    return
                raise
            if f".target sm_{CC[0]}{CC[1]}" not in ptx:
                raise AssertionError(f"{name}[{dt}]: PTX is not for sm_{CC[0]}{CC[1]}")
            compiled.append(f"{name}[{dt}]")
    compiled += users_functions(cuda, nt)
    missing = [name for name, func in kernels.DEVICE_FUNCTIONS.items() if not func.overloads]
    if missing:
        raise AssertionError(f"device functions never compiled by the kernels: {missing}")
    compiled += sorted(kernels.DEVICE_FUNCTIONS)
    report("ok", f"{implementation} numba.cuda, cc={CC}", compiled)


def users_functions(cuda: Any, nt: Any) -> list[str]:
    """A build of users' functions (``fastlr.Formula``: a parameter by keyword, one left to its
    default, a cumulative one) compiles to PTX; a function ``numba.cuda`` cannot compile is a
    ``FormulaCompileError`` naming it."""
    import math

    import numpy as np

    import fastlr as fl
    from fastlr import _gpu

    def cosine(t, total, floor=0.0):
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * (t if t < total else total) / total))

    def zeros(t):
        return np.zeros(2)[0] + 1.0

    _gpu._compute_capability = lambda cuda: CC  # type: ignore[assignment]  # no driver here
    prog = fl.lower([fl.Formula(cosine, total=10), fl.Formula(lambda t: 0.9, cumulative=True)])
    build = _gpu._user_kernels(cuda, prog)
    i2 = nt.Array(nt.int64, 2, "C")
    f2 = nt.Array(nt.float64, 2, "C")
    out: list[str] = []
    for name in ("fill_rows", "fill_rows_serial"):
        sig = (i2, f2, i2, f2, nt.Array(nt.int64, 1, "C"), nt.int64, nt.Array(nt.float32, 2, "C"))
        cuda.compile_ptx(build[name].py_func, sig, cc=CC)
        out.append(f"user.{name}[float32]")
    from fastlr.kernels import cuda as kernels

    for dt in (nt.float32, nt.float64):  # the check of what users' functions return
        sig = (nt.Array(dt, 2, "C"), nt.int64, nt.int64, nt.int64, nt.Array(nt.int64, 1, "C"))
        cuda.compile_ptx(kernels.first_bad.py_func, sig, cc=CC)
        out.append(f"first_bad[{dt}]")
    try:
        _gpu._user_kernels(cuda, fl.lower([fl.Formula(zeros)]))
    except fl.FormulaCompileError as exc:
        if "function zeros" not in str(exc) or "device='cuda'" not in str(exc):
            raise AssertionError(f"the error does not name the function and the device: {exc}") from None
        out.append("user.FormulaCompileError")
    return out


if __name__ == "__main__":
    main()
    sys.exit(0)
