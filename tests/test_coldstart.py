"""Start-up: the compile notice on stderr, and kernels compiled in a second process."""

from __future__ import annotations

import os
import subprocess
import sys
import types

import numpy as np
import pytest
from numba.core import event

from fastlr.kernels import cpu


def _fake_compile(name: str) -> None:
    """A ``numba:compile`` event as Numba sends one around each function it compiles."""
    disp = types.SimpleNamespace(py_func=types.SimpleNamespace(__qualname__=name))
    with event.trigger_event("numba:compile", data={"dispatcher": disp}):
        pass


def test_a_slow_compile_is_named_on_stderr(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("FASTLR_COMPILE_NOTICE", "1")
    with cpu.compile_notice(object(), "fill_rows", False, np.float32):
        _fake_compile(f"{cpu._TAG}.fast.m1.piece")
    assert capsys.readouterr().err == ""  # under NOTICE_AFTER_S: nothing said
    monkeypatch.setattr(cpu, "NOTICE_AFTER_S", 0.0)
    with cpu.compile_notice(object(), "fill_rows", False, np.float32):
        _fake_compile(f"{cpu._TAG}.fast.m1.piece")
        _fake_compile("numpy_internal_overload")  # not a fastlr function: not counted
        _fake_compile(f"{cpu._TAG}.fast.m1.fill_span")
    err = capsys.readouterr().err
    assert "fastlr: compiling the fill_rows kernel (fast build, float32 values)" in err
    assert "fastlr: compiled the fill_rows kernel (fast build, float32 values) in" in err
    assert "(2 functions, cached on disk for later processes)" in err
    monkeypatch.setenv("FASTLR_COMPILE_NOTICE", "0")
    with cpu.compile_notice(object(), "fill_rows", False, np.float32):
        _fake_compile(f"{cpu._TAG}.fast.m1.piece")
    assert capsys.readouterr().err == ""


def test_summary_kernel_compiled_in_a_child_is_loaded_from_the_cache(tmp_path):
    # a fresh process and an empty cache (one compile of the smallest variant's summary kernel,
    # in the child): it compiles summarize_rows for exactly the types the parent calls it with,
    # so the parent's call finds it in the on-disk cache
    code = (
        "import fastlr as fl\n"
        "from fastlr import evaluate\n"
        "from fastlr.kernels import cpu\n"
        "prog = fl.lower(fl.grid(lr=[1e-3, 2e-3], warmup=[10], shape=['cosine'], steps=[90]))\n"
        "assert evaluate.compile_summaries_elsewhere(prog, 100) is None  # the interpreter's size\n"
        "child = evaluate.compile_summaries_elsewhere(prog, 20000)\n"
        "assert child is not None and child.wait() == 0\n"
        "s = fl.summarize(prog, 20000, threshold=1e-4)\n"
        "disp = cpu.kernels(False, prog.arrays())['summarize_rows']\n"
        "assert len(disp.signatures) == 1 and not disp.stats.cache_misses, disp.stats\n"
        "assert s['peak_step'].tolist() == [10, 10]\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), NUMBA_CACHE_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=600)


def test_no_notice_machinery_once_a_kernel_ran(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("FASTLR_COMPILE_NOTICE", "1")
    monkeypatch.setattr(cpu, "NOTICE_AFTER_S", 0.0)
    kernel = object()
    with cpu.compile_notice(kernel, "fill_rows", False, np.dtype(np.float32)):
        pass
    with cpu.compile_notice(kernel, "fill_rows", False, np.dtype(np.float32)):
        _fake_compile(f"{cpu._TAG}.fast.m1.piece")  # not listened to: the kernel ran before
    assert capsys.readouterr().err == ""
    with cpu.compile_notice(kernel, "fill_rows", False, np.dtype(np.float64)):  # a new dtype compiles
        _fake_compile(f"{cpu._TAG}.fast.m1.piece")
    assert "fastlr: compiled the fill_rows kernel (fast build, float64 values)" in capsys.readouterr().err


def test_no_child_when_the_summary_kernel_is_there():
    import fastlr as fl
    from fastlr import evaluate

    prog = fl.lower(fl.grid(lr=[1e-3, 2e-3], warmup=[10], shape=["cosine"], steps=[90]))
    fl.summarize(prog, 20000)  # compiled (or loaded) in this process (beyond the interpreter's size)
    assert evaluate.compile_summaries_elsewhere(prog, 20000) is None


def test_a_small_cli_job_compiles_nothing(tmp_path):
    # 8 configs x 1,000 steps: the table and the summaries by the interpreter, no compiling
    # child, Numba not imported; the table equals the library's
    job = tmp_path / "small.toml"
    job.write_text(
        'steps = 1000\ndtype = "float32"\n[grid]\nlr = [1e-3, 2e-3]\nwarmup = [0, 100]\nshape = ["cosine", "tanh"]\n'
    )
    code = (
        "import sys\n"
        "from fastlr.cli import main\n"
        f"main(['sweep', {str(job)!r}, '-o', {str(tmp_path / 's.npy')!r}, '--summary', {str(tmp_path / 's.csv')!r}])\n"
        "assert 'numba' not in sys.modules\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
    assert not (tmp_path / "cache").exists()
    import fastlr as fl

    grid = fl.grid(lr=[1e-3, 2e-3], warmup=[0, 100], shape=["cosine", "tanh"], total_steps=[1000])
    np.testing.assert_array_equal(np.load(tmp_path / "s.npy"), fl.sweep(grid, 1000))
