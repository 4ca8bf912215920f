"""The CUDA backend on a machine without a GPU.

- ``import fastlr`` (and ``fastlr._gpu``) never imports ``numba.cuda``;
- without a GPU the entry points raise one clear error that says how to use the simulator;
- ``tests/cuda_sim`` (CUDA == CPU for every shape and composition) runs in a subprocess with
  ``NUMBA_ENABLE_CUDASIM=1``, which numba reads once, at import, so it cannot be switched on in
  this process (where numba is already imported normally);
- every kernel compiles to PTX for sm_90 through NVVM (no driver needed), in a subprocess;
  skipped where no CUDA toolkit is installed.

A failing subprocess's whole output is shown in the assertion message.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

import fastlr as fl
from fastlr import _gpu

ROOT = pathlib.Path(__file__).resolve().parents[1]
SIM_DIR = ROOT / "tests" / "cuda_sim"


def _run(args: list[str], timeout: float, **env: str) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ)
    full.pop("NUMBA_ENABLE_CUDASIM", None)
    full.update(env)
    full["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [full.get("PYTHONPATH")])])
    return subprocess.run(args, cwd=ROOT, env=full, capture_output=True, text=True, timeout=timeout, check=False)


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return f"rc={proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


def test_importing_fastlr_and_its_cuda_module_does_not_import_numba_cuda():
    code = (
        "import sys, fastlr, fastlr._gpu, fastlr.cuda; print(sorted(m for m in sys.modules if m.startswith('numba')))"
    )
    proc = _run([sys.executable, "-c", code], timeout=120)
    assert proc.returncode == 0, _output(proc)
    assert "numba.cuda" not in proc.stdout, proc.stdout


def test_without_a_gpu_one_clear_error(monkeypatch: pytest.MonkeyPatch):
    numba_cuda = pytest.importorskip("numba.cuda")
    monkeypatch.setattr(numba_cuda, "is_available", lambda: False)
    monkeypatch.delenv("NUMBA_ENABLE_CUDASIM", raising=False)
    sched = fl.Schedule(fl.Cosine(1.0, 0.0, 10))
    for call in (lambda: fl.cuda.sweep([sched], 5), lambda: fl.cuda.table(sched, 5)):
        with pytest.raises(_gpu.CudaUnavailableError, match=r"numba\.cuda\.is_available\(\) is False") as info:
            call()
        assert isinstance(info.value, RuntimeError)
        assert "no CUDA driver or device was found" in str(info.value)
        assert "NUMBA_ENABLE_CUDASIM=1 before numba is first imported" in str(info.value)
    assert _gpu.is_available() is False


def test_simulator_switched_on_too_late_is_named(monkeypatch: pytest.MonkeyPatch):
    numba_cuda = pytest.importorskip("numba.cuda")
    from numba.core import config

    if config.ENABLE_CUDASIM:
        pytest.skip("this process runs the simulator")
    monkeypatch.setattr(numba_cuda, "is_available", lambda: False)
    monkeypatch.setenv("NUMBA_ENABLE_CUDASIM", "1")
    with pytest.raises(_gpu.CudaUnavailableError, match=r"numba was imported before it was"):
        fl.cuda.sweep([fl.Constant(1.0)], 5)


def test_missing_cuda_target_names_the_extra(monkeypatch: pytest.MonkeyPatch):
    import numba

    monkeypatch.delattr(numba, "cuda", raising=False)
    monkeypatch.setitem(sys.modules, "numba.cuda", None)  # "import numba.cuda" now fails
    with pytest.raises(_gpu.CudaUnavailableError, match=r"pip install 'fastlr-sched\[cuda\]'"):
        fl.cuda.sweep([fl.Constant(1.0)], 5)


def test_arguments_are_checked_before_looking_for_a_gpu(monkeypatch: pytest.MonkeyPatch):
    numba_cuda = pytest.importorskip("numba.cuda")
    monkeypatch.setattr(numba_cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"T must be >= 1, got 0"):
        fl.cuda.sweep([fl.Constant(1.0)], 0)
    with pytest.raises(TypeError, match=r"out must be a numpy array .* got str"):
        fl.cuda.sweep([fl.Constant(1.0)], 5, out="x")


def test_numpy_without_row_stack_gets_the_alias_numba_cuda_needs():
    """numba-cuda 0.30.x registers an overload of ``np.row_stack`` at its first kernel compile and
    NumPy 2.5 removed that alias: on an H200 with NumPy 2.5.2 every compile failed with
    ``AttributeError: module 'numpy' has no attribute 'row_stack'``. Importing
    ``fastlr.kernels.cuda`` (which compiles nothing) restores it; an existing one is left alone."""
    pytest.importorskip("numba.cuda")
    code = (
        "import numpy as np\n"
        "before = np.__dict__.pop('row_stack', None)\n"  # as NumPy 2.5 ships
        "from fastlr.kernels import cuda as k\n"
        "print(np.row_stack is np.vstack, k.restore_numpy_row_stack())\n"
    )
    proc = _run([sys.executable, "-c", code], timeout=120)
    assert proc.returncode == 0, _output(proc)
    assert proc.stdout.split() == ["True", "False"], _output(proc)


# tests/cuda_sim in three subprocess runs (each a test here, so the suite's progress moves at
# least every ~40 s on 2 cores instead of one silent run of ~2 minutes); the last group is the
# complement of the others, so every simulator test runs exactly once
SIM_HEAVY = (
    "test_sweep_matches_cpu",
    "test_giant_steps_match_cpu or test_rows_subset_in_any_order or test_table_matches_cpu",
)
SIM_GROUPS = (*SIM_HEAVY, f"not ({' or '.join(f'({g})' for g in SIM_HEAVY)})")
SIM_LEAST = dict(zip(SIM_GROUPS, (2, 5, 40)))  # tests each group runs today: 2, 5, 44


@pytest.mark.parametrize("group", SIM_GROUPS, ids=["sweep", "giant-rows-table", "rest"])
def test_simulator_suite(group: str):
    """tests/cuda_sim under NUMBA_ENABLE_CUDASIM=1: CUDA == CPU for every shape and composition."""
    from numba.core import config

    if config.ENABLE_CUDASIM:
        pytest.skip("this process already runs the simulator, so tests/cuda_sim is collected directly")
    proc = _run(
        [sys.executable, "-m", "pytest", str(SIM_DIR), "-q", "-n", "0", "-p", "no:cacheprovider", "-k", group],
        timeout=900,
        NUMBA_ENABLE_CUDASIM="1",
    )
    assert proc.returncode == 0, "the CUDA simulator suite failed:\n" + _output(proc)
    summary = re.search(r"(\d+) passed", proc.stdout)
    assert summary and int(summary.group(1)) >= SIM_LEAST[group], "too few simulator tests ran:\n" + _output(proc)
    assert not re.search(r"\d+ (failed|error)", proc.stdout), _output(proc)


def test_kernels_compile_to_ptx():
    """Every kernel and device function compiles for a real GPU (sm_90 PTX) without a GPU."""
    proc = _run([sys.executable, str(SIM_DIR / "check_ptx.py")], timeout=600)
    assert proc.returncode == 0, "check_ptx.py crashed:\n" + _output(proc)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, "check_ptx.py printed no result:\n" + _output(proc)
    result = json.loads(lines[-1])
    if result["status"] == "skip":
        pytest.skip(result["reason"])
    if result["status"] == "xfail":
        pytest.xfail(result["reason"])
    assert result["status"] == "ok", _output(proc)
    kernels = {f"{k}[{dt}]" for k in ("fill_steps", "fill_rows") for dt in ("float32", "float64")}
    assert kernels <= set(result["compiled"]), result
    from fastlr.kernels import formulas

    assert set(formulas.KERNEL_FUNCTIONS) <= set(result["compiled"]), result
    users = {"user.fill_rows[float32]", "user.fill_rows_serial[float32]", "user.FormulaCompileError"}
    users |= {"first_bad[float32]", "first_bad[float64]"}
    assert users <= set(result["compiled"]), result
