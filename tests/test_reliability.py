"""Issue 21 in real processes: threads, fork, a corrupt kernel cache, interrupted and full-disk
CLI writes, and the memory guard under a per-process limit.

Each test runs one short Python subprocess that shares this process's Numba cache (the
kernels are compiled here first, so the children load them) and combines its cases.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import numpy as np

import fastlr

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIGS = {"lr": [1e-3, 2e-3] * 8, "steps": 100, "shape": "cosine", "warmup": 10}


def _warm() -> fastlr.Program:
    """Compile (or load) the kernels the children use, into the shared cache."""
    prog = fastlr.lower(CONFIGS)
    fastlr.sweep(prog, 300)
    fastlr.summarize(prog, 300)
    return prog


def _run(code: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]), **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=full, timeout=timeout
    )


def _results(proc: subprocess.CompletedProcess[str]) -> dict:
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no results; rc={proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    return json.loads(lines[-1])


PROLOGUE = f"""
import json, os, sys, numpy as np, fastlr, fastlr.kernels.interp
fastlr.kernels.interp.BUDGET_S = 0.0  # these small calls by the kernels, not the interpreter
prog = fastlr.lower({CONFIGS!r})
"""


def test_eight_threads_under_the_workqueue_layer():
    """Numba's workqueue layer aborts the process on concurrent parallel regions (SIGABRT);
    fastlr's kernels use no Numba threading layer (Python threads over nogil kernels), so 8
    threads calling them at once get the single-thread values, and the layer never starts."""
    _warm()
    code = PROLOGUE + textwrap.dedent(
        """
    import threading, fastlr.evaluate as ev
    from numba.np.ufunc import parallel
    from fastlr.kernels import cpu
    ev.SERIAL_STEPS = ev.SERIAL_STEPS_SLOW = 1000  # table(5000) takes the parallel path too
    cpu.MIN_CHUNK_VALUES = 1  # and every call runs on the worker threads
    ref = fastlr.sweep(prog, 300)
    ref_sum = fastlr.summarize(prog, 300)["sum"]
    ref_tab = fastlr.Cosine(1.0, 0.0, 4000).table(5000)
    bad = []
    def work():
        for _ in range(4):
            bad.extend(["sweep"] * (not np.array_equal(fastlr.sweep(prog, 300), ref)))
            bad.extend(["summarize"] * (not np.array_equal(fastlr.summarize(prog, 300)["sum"], ref_sum)))
            bad.extend(["table"] * (not np.array_equal(fastlr.Cosine(1.0, 0.0, 4000).table(5000), ref_tab)))
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(json.dumps({"layer started": parallel._is_initialized, "bad": bad}))
    """
    )
    proc = _run(code, NUMBA_THREADING_LAYER="workqueue")
    assert proc.returncode == 0, proc.stderr
    assert _results(proc) == {"layer started": False, "bad": []}


def test_forked_child_and_memory_guard_under_ulimit():
    """A child forked after the parent swept computes the same values (on a thread pool of its
    own; GNU OpenMP would have terminated it), and a table too large for ``ulimit -v`` is refused by the
    memory guard (MemoryLimitError) instead of a bare MemoryError."""
    _warm()
    code = PROLOGUE + textwrap.dedent(
        """
    import multiprocessing as mp, resource
    from fastlr._checks import MemoryLimitError
    from fastlr.kernels import cpu
    cpu.MIN_CHUNK_VALUES = 1  # every call on the worker threads
    ref = fastlr.sweep(prog, 300)
    ref_sum = fastlr.summarize(prog, 300)["sum"]
    def child(q):
        same = np.array_equal(fastlr.sweep(prog, 300), ref)
        same_sum = np.array_equal(fastlr.summarize(prog, 300)["sum"], ref_sum)
        q.put([same, same_sum, cpu._POOL is not None])
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=child, args=(q,))
    p.start(); p.join(90)
    out = {"exit": p.exitcode, "child": q.get(timeout=5) if p.exitcode == 0 else None}
    vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize"))
    resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), resource.getrlimit(resource.RLIMIT_AS)[1]))
    try:
        fastlr.Cosine(1.0, 0.0, 10).table(300_000_000)  # 2.4 GB under a 1 GB headroom
        out["guard"] = "no error"
    except MemoryLimitError as exc:
        out["guard"] = "needs 2,400,000,000 bytes" in str(exc)
    print(json.dumps(out))
    """
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert _results(proc) == {"exit": 0, "child": [True, True, True], "guard": True}


def test_corrupt_cache_file_is_recompiled(tmp_path, monkeypatch):
    """Truncated ``.nbi``/``.nbc`` files of a kernel: a KernelCacheWarning, a recompile, the right
    values; the next process loads the rewritten entry silently."""
    from numba import config

    from fastlr.kernels import interp

    monkeypatch.setattr(interp, "BUDGET_S", 0.0)  # at() by the kernel, not the interpreter
    sched = fastlr.Cosine(1.0, 0.0, 100)
    expected = sched.at(37)
    from fastlr.kernels import cpu

    # the variant a fresh process picks (its first program's own features): its scalar driver
    # compiled (or loaded) here, into the cache copied below
    arrays = fastlr.lower(sched).arrays()
    disp = cpu._variant(True, cpu.choose_variant(cpu.feature_mask(*arrays)))["eval_points"]
    out = np.empty(1)
    disp(*arrays, np.zeros(1, np.int64), np.array([37]), out)
    assert out[0] == expected
    source = pathlib.Path(disp._cache._cache_path)
    copy = tmp_path / source.relative_to(config.CACHE_DIR)
    shutil.copytree(source, copy)
    stem = disp.py_func.__qualname__
    damaged = sorted(p for p in copy.iterdir() if f"{stem}-" in p.name and p.suffix in (".nbi", ".nbc"))
    assert damaged, list(copy.iterdir())[:5]
    for p in damaged:
        p.write_bytes(p.read_bytes()[:20])
    code = """
    import json, warnings, fastlr, fastlr.kernels.interp
    fastlr.kernels.interp.BUDGET_S = 0.0  # at() by the kernel, not the interpreter
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        v = fastlr.Cosine(1.0, 0.0, 100).at(37)
    print(json.dumps({"v": v, "warned": sorted({w.category.__name__ for w in seen})}))
    """
    first = _run(code, NUMBA_CACHE_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert _results(first) == {"v": expected, "warned": ["KernelCacheWarning"]}
    again = _run(code, NUMBA_CACHE_DIR=str(tmp_path))
    assert _results(again) == {"v": expected, "warned": []}


@contextlib.contextmanager
def _tmpfs(path: pathlib.Path, size: str):
    """A small tmpfs at ``path`` (root only); yields False where it cannot be mounted."""
    path.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        yield False
        return
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    try:
        yield ok.returncode == 0
    finally:
        if ok.returncode == 0:
            subprocess.run(["umount", str(path)], capture_output=True)


def test_cli_interrupted_and_full_disk_writes_leave_no_output(tmp_path):
    """SIGINT, SIGTERM and SIGKILL during ``fastlr sweep -o x.npy``: never a file named x.npy
    (SIGKILL leaves only a hidden ``.x.partial-*.npy``); a 2 MB tmpfs (or a simulated ENOSPC
    without root) ends with exit status 1, a message and no file."""
    _warm()
    grid = {"lr": {"linspace": [0.1, 0.2, 400]}}
    # 3.2 MB as .npy (refused before computing); 0.96 MB as a lower estimate of the CSV, which
    # then fills the disk while being written
    (tmp_path / "grid.json").write_text(json.dumps({"steps": 2000, "grid": grid}))
    (tmp_path / "mid.json").write_text(json.dumps({"steps": 600, "grid": grid}))
    with _tmpfs(tmp_path / "small", "2m") as mounted:
        code = f"""
        import errno, json, os, signal, sys, time, fastlr, fastlr.evaluate
        from fastlr import cli
        from fastlr.cli import writers
        # a background job's children start with SIGINT ignored (nohup, `cmd &`): as in a terminal
        signal.signal(signal.SIGINT, signal.default_int_handler)
        real = fastlr.evaluate.sweep  # the table's blocks (or the whole table) into an output
        SIG = [None]
        def sweep(prog, T, *args, **kw):
            res = real(prog, T, *args, **kw)
            out = kw.get("out", args[1] if len(args) > 1 else None)
            if out is not None and SIG[0] is not None:
                os.kill(os.getpid(), SIG[0])
                time.sleep(30)
            return res
        fastlr.evaluate.sweep = sweep
        d = {str(tmp_path)!r}
        out = {{}}
        for name, sig in (("int", signal.SIGINT), ("term", signal.SIGTERM)):
            SIG[0] = sig
            out[name] = [cli.main(["sweep", d + "/grid.json", "-o", d + f"/{{name}}/x.npy", "--no-progress"]),
                         sorted(os.listdir(d + f"/{{name}}"))]
        SIG[0] = None
        if not {mounted!r}:  # no tmpfs: the disk fills up when the memmap's blocks are reserved
            def full(*args, **kwargs):
                raise OSError(errno.ENOSPC, "No space left on device")
            writers._preallocate = full
            writers.np.savetxt = full
        for suffix, src in (("npy", "grid"), ("csv", "mid")):
            code = cli.main(["sweep", d + f"/{{src}}.json", "-o", d + f"/small/x.{{suffix}}", "--no-progress"])
            out[suffix] = [code, sorted(os.listdir(d + "/small"))]
        print(json.dumps(out), flush=True)
        SIG[0] = signal.SIGKILL
        cli.main(["sweep", d + "/grid.json", "-o", d + "/kill/x.npy", "--no-progress"])
        """
        proc = _run(code)
        res = _results(proc)
        assert res["int"] == [130, []] and res["term"] == [143, []], proc.stderr
        assert res["npy"] == [1, []] and res["csv"] == [1, []], proc.stderr
        assert "no space left" in proc.stderr or "free; nothing was written" in proc.stderr
        assert proc.returncode == -9
        left = os.listdir(tmp_path / "kill")
        assert len(left) == 1 and left[0].startswith(".x.partial-") and left[0].endswith(".npy")
        assert "fastlr: interrupted" in proc.stderr and "fastlr: terminated" in proc.stderr


def test_cli_completed_write_is_the_full_table(tmp_path, capsys):
    """The renamed file is complete: the same values as the API, and no temporary file left."""
    from fastlr import cli

    prog = _warm()
    sweep_file = tmp_path / "s.json"
    sweep_file.write_text(json.dumps({"steps": 300, "configs": [dict(zip(CONFIGS, v)) for v in _rows()]}))
    assert cli.main(["sweep", str(sweep_file), "-o", str(tmp_path / "o" / "x.npy"), "--no-progress"]) == 0
    capsys.readouterr()
    assert os.listdir(tmp_path / "o") == ["x.npy"]
    np.testing.assert_array_equal(np.load(tmp_path / "o" / "x.npy"), fastlr.sweep(prog, 300))


def _rows() -> list[tuple]:
    n = len(CONFIGS["lr"])
    return [(CONFIGS["lr"][i], CONFIGS["steps"], CONFIGS["shape"], CONFIGS["warmup"]) for i in range(n)]
