"""CUDA sweeps and tables against the GPU's own measured write bandwidth, with correctness checks.

Run on a machine with an NVIDIA GPU (numba-cuda, and torch with CUDA for the reference and the
zero-copy checks)::

    python benchmarks/bench_cuda.py --out /tmp/bench              # every section, full sizes
    python benchmarks/bench_cuda.py --sections sweep,table         # some sections only

``--smoke`` runs tiny sizes once (it also works under ``NUMBA_ENABLE_CUDASIM=1``, where the
timings mean nothing and the torch parts are skipped) to check the script itself.
``benchmarks/gpu_check.sh`` runs it with the tests on a lent GPU.

Sections (each one independent: an error is recorded and the next section runs):

- ``sweep``: N configs x T steps float32 (``--sizes``, default 1e4 x 1e4, 1e4 x 1e5, 1e5 x 1e5),
  each a linear warmup of 0..2000 steps then a cosine from its own peak to its own minimum at
  step T. Timed: the kernel alone into a preallocated device array; the reference, a torch
  ``fill_`` of **the same buffer** (its write rate is the GPU's measured write bandwidth), and a
  device-to-device copy (capped at ``--copy-gb``); the public ``sweep_cuda(out=dev)``;
  ``fastlr.sweep(..., device="cuda", out=torch_tensor)``; a fresh allocation each call.
  Checked: NaN-poisoned output fully written; sampled rows within 1 float32 ulp of the CPU.
- ``table``: one ``--table-steps`` (1e8) table, float32 and float64: kernel, public call,
  ``to_host``; checked against the CPU on the first and last 1e6 steps and 1e6 sampled steps.
- ``torch``: zero copy: ``sweep(..., device="cuda", out=torch_tensor)``, ``to_torch`` (same
  ``data_ptr``), ``Schedule.table(..., device="cuda", out=torch_tensor)``, values vs the CPU.
- ``stream``: a sweep larger than the GPU memory left to it: torch reserves all but
  ``--stream-free-gb`` of free GPU memory, then ``sweep_cuda(out=pretouched numpy)`` and
  ``to_host=True`` stream it to host memory; checked rows vs the CPU.
- ``formula``: a sweep of ``--formula`` (10,000 x 10,000) float32 of N parameter sets of one
  users' function (``fastlr.Formula``), closed form (``warm_cosine``) and cumulative (``decay``,
  torch's MultiplicativeLR: one thread walks each row). Timed: making and lowering the Formulas,
  the first call (PTX check and compile of the build), ``sweep_cuda(out=dev)``, and with
  ``--cpu`` the CPU's sweep of the same program. Checked: sampled rows within 1 float32 ulp of
  the CPU.
- ``cold``: a fresh process with an empty ``NUMBA_CACHE_DIR`` timed from before ``import fastlr``
  to a synchronised first ``Schedule(...).table(T, device="cuda")`` (warmup + cosine, float32),
  then the same with the populated cache.

Timing: CUDA events around ``--reps`` back-to-back calls (torch's events when torch sees the GPU,
else Numba's), median of three such batches, per call; public calls (which synchronise) with the
host clock, median of ``--reps``. Under the simulator everything uses the host clock.
Every figure is printed as JSON and as markdown tables, and saved to ``--out`` after each section.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

import fastlr as fl
from fastlr import _gpu

# ---- workload and checks ---------------------------------------------------------------------


def configs(n: int, T: int, seed: int = 1) -> dict[str, np.ndarray]:
    """N warmup + cosine configs: warmup 0..2000 steps, own peak, own minimum, decay ends at T."""
    rng = np.random.default_rng(seed)
    warm = rng.integers(0, min(2001, T), n)
    lr = 10.0 ** rng.uniform(-4.0, -2.0, n)
    return {
        "lr": lr,
        "shape": np.array(["cosine"] * n, dtype=object),
        "steps": np.maximum(1, T - warm),
        "end": lr * rng.uniform(0.0, 0.1, n),
        "warmup": warm,
    }


def table_schedule(T: int) -> fl.Schedule:
    """The 1e8-step table's schedule: 2000 warmup steps, then a cosine to step T."""
    warm = min(2000, T // 10)
    return fl.Schedule(fl.Cosine(1e-3, 1e-5, T - warm), warmup=fl.Warmup(warm, start=0.0))


def warm_cosine(t, peak, warm, total, floor):  # type: ignore[no-untyped-def]
    """The ``formula`` section's users' function: a linear warmup to ``peak``, then a cosine to
    ``floor`` at step ``total`` (no max()/min(): Numba's built-in CUDA target refuses them)."""
    if t < warm:
        return peak * (t + 1) / warm
    p = (t - warm) / (total - warm)
    if p > 1.0:
        p = 1.0
    return floor + (peak - floor) * 0.5 * (1.0 + math.cos(math.pi * p))


def decay(t, gamma, every):  # type: ignore[no-untyped-def]
    """The ``formula`` section's cumulative function (torch's MultiplicativeLR factor)."""
    return gamma if t % every == 0 else 1.0


def formulas(n: int, T: int, cumulative: bool, seed: int = 3) -> list[fl.Formula]:
    """N Formulas of one function (its params drawn per row): ``warm_cosine``, or ``decay``."""
    rng = np.random.default_rng(seed)
    if cumulative:
        gammas, every = rng.uniform(0.5, 0.99, n), rng.integers(1, 50, n)
        return [fl.Formula(decay, cumulative=True, gamma=float(g), every=int(e)) for g, e in zip(gammas, every)]
    peak, warm, floor = 10.0 ** rng.uniform(-4.0, -2.0, n), rng.integers(1, max(2, T // 5), n), rng.uniform(0, 1e-5, n)
    return [
        fl.Formula(warm_cosine, peak=float(p), warm=int(w), total=T, floor=float(f))
        for p, w, f in zip(peak, warm, floor)
    ]


def max_ulps32(got: np.ndarray, want32: np.ndarray) -> int:
    """Largest distance in float32 ulp (non-negative values, so the int32 views are ordered)."""
    a = np.ascontiguousarray(got, dtype=np.float32).view(np.int32).astype(np.int64)
    b = np.ascontiguousarray(want32, dtype=np.float32).view(np.int32).astype(np.int64)
    return int(np.abs(a - b).max()) if a.size else 0


def max_rel64(got: np.ndarray, want: np.ndarray) -> float:
    """``max |got - want| / (|want| + 1e-3 * peak)``: tests/tolerance.py's float64 measure."""
    want = np.asarray(want, dtype=np.float64)
    peak = float(np.abs(want).max()) if want.size else 0.0
    err = np.abs(np.asarray(got, dtype=np.float64) - want) / (np.abs(want) + 1e-3 * peak + 1e-300)
    return float(err.max()) if err.size else 0.0


def compare(got: np.ndarray, want64: np.ndarray, dt: np.dtype) -> dict[str, Any]:
    """Float32: ulp from the CPU's float64 value rounded once (<= 1 documented); float64: rel."""
    if np.dtype(dt) == np.float32:
        u = max_ulps32(got, want64.astype(np.float32))
        return {"max ulp vs cpu": u, "ok": u <= 1}
    r = max_rel64(got, want64)
    return {"max rel vs cpu": r, "ok": r <= 1e-12}


# ---- timing ----------------------------------------------------------------------------------


class Clock:
    """GPU timing with events (back-to-back calls) and host timing of synchronised calls."""

    def __init__(self, cuda: Any, torch: Any, sim: bool) -> None:
        self.cuda, self.torch, self.sim = cuda, torch, sim
        self.kind = "host clock (simulator)" if sim else ("torch CUDA events" if torch else "numba CUDA events")

    def sync(self) -> None:
        self.cuda.synchronize()
        if self.torch is not None:
            self.torch.cuda.synchronize()

    def per_call(self, fn: Callable[[], Any], reps: int, batches: int = 3) -> float:
        """Seconds per call: events around ``reps`` back-to-back calls, median of ``batches``."""
        fn()
        self.sync()
        if self.sim:
            return self.host_median(fn, reps)
        per = []
        for _ in range(batches):
            if self.torch is not None:
                e0 = self.torch.cuda.Event(enable_timing=True)
                e1 = self.torch.cuda.Event(enable_timing=True)
                e0.record()
                for _ in range(reps):
                    fn()
                e1.record()
                e1.synchronize()
                ms = e0.elapsed_time(e1)
            else:
                e0, e1 = self.cuda.event(), self.cuda.event()
                e0.record()
                for _ in range(reps):
                    fn()
                e1.record()
                e1.synchronize()
                ms = self.cuda.event_elapsed_time(e0, e1)
            per.append(ms / 1e3 / reps)
        return statistics.median(per)

    def host_median(self, fn: Callable[[], Any], reps: int, warm: bool = True) -> float:
        if warm:
            fn()
            self.sync()
        times = []
        for _ in range(max(1, reps)):
            t = time.perf_counter()
            fn()
            self.sync()
            times.append(time.perf_counter() - t)
        return statistics.median(times)


# ---- environment -----------------------------------------------------------------------------


def torch_cuda(sim: bool) -> Any:
    """torch if it can use the GPU (never under the simulator), else None."""
    if sim:
        return None
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def versions(cuda: Any, torch: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__, "fastlr": fl.__version__}
    for pkg in ("numba", "numba-cuda", "cuda-bindings", "llvmlite", "torch", "cuda-toolkit"):
        try:
            info[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            info[pkg] = None
    info["numba.cuda implementation"] = getattr(cuda, "implementation", "Built-in")

    def dev_name() -> str:
        name = cuda.get_current_device().name
        return name.decode() if isinstance(name, bytes) else str(name)

    probes: dict[str, Callable[[], Any]] = {
        "gpu": dev_name,
        "compute capability": lambda: list(cuda.get_current_device().compute_capability),
        "multiprocessors": lambda: int(cuda.get_current_device().MULTIPROCESSOR_COUNT),
        "driver CUDA version": lambda: list(cuda.cudadrv.driver.driver.get_version()),
        "runtime CUDA version": lambda: list(cuda.runtime.get_version()),
        "gpu memory GiB (free, total)": lambda: [round(v / 2**30, 1) for v in cuda.current_context().get_memory_info()],
    }
    if torch is not None:
        probes["torch CUDA"] = lambda: torch.version.cuda
        probes["torch device"] = lambda: torch.cuda.get_device_name()
    for key, probe in probes.items():
        try:
            info[key] = probe()
        except Exception as exc:  # the simulator, or an API difference between numba versions
            info[key] = f"unavailable ({type(exc).__name__})"
    try:
        smi = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit",
                "--format=csv,noheader",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        info["nvidia-smi"] = smi.stdout.strip() or smi.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        info["nvidia-smi"] = repr(exc)
    info["cpu cores"] = os.cpu_count()
    return info


class Ctx:
    def __init__(self, args: argparse.Namespace) -> None:
        from numba.core import config

        self.args = args
        self.sim = bool(config.ENABLE_CUDASIM)
        self.cuda = _gpu._cuda_module()
        self.torch = torch_cuda(self.sim)
        self.clock = Clock(self.cuda, self.torch, self.sim)

    def free_bytes(self) -> float:
        return _gpu._device_free_bytes(self.cuda)

    def release(self) -> None:
        """Hand freed device memory back (Numba frees lazily; torch caches)."""
        import gc

        gc.collect()
        _gpu._flush_deallocations(self.cuda)
        if self.torch is not None:
            self.torch.cuda.synchronize()
            self.torch.cuda.empty_cache()


def device_rows(dev: Any, idx: np.ndarray) -> np.ndarray:
    return np.stack([dev[int(i)].copy_to_host() for i in idx])


# ---- sections --------------------------------------------------------------------------------


def bench_sweep(ctx: Ctx, n: int, T: int) -> dict[str, Any]:
    from fastlr.kernels import cuda as kernels

    cuda, torch, clock, args = ctx.cuda, ctx.torch, ctx.clock, ctx.args
    dt = np.dtype(np.float32)
    nbytes = n * T * dt.itemsize
    row: dict[str, Any] = {"section": "sweep", "N": n, "T": T, "dtype": dt.name, "GB": nbytes / 1e9}
    cfg = configs(n, T)
    t = time.perf_counter()
    prog = fl.lower(cfg)
    row["lower s"] = time.perf_counter() - t
    idx = np.unique(np.linspace(0, n - 1, min(n, 64)).astype(np.int64))
    want = fl.sweep(fl.lower({k: v[idx] for k, v in cfg.items()}), T, np.float64, exact=True)

    free = ctx.free_bytes()
    row["free GB before"] = free / 1e9
    if nbytes > 0.85 * free:
        row["skipped"] = f"output {nbytes / 1e9:.1f} GB > 85% of free GPU memory {free / 1e9:.1f} GB"
        return row

    out = cuda.device_array((n, T), dtype=dt)
    tt = torch.as_tensor(out, device="cuda") if torch is not None else None
    if tt is not None:
        assert tt.data_ptr() == out.__cuda_array_interface__["data"][0], "torch.as_tensor copied the output"
        tt.fill_(float("nan"))  # poison: every element must be written
    t = time.perf_counter()
    _gpu.sweep_cuda(prog, T, dt, out=out)  # first call: compile (NVVM + driver JIT) and run
    clock.sync()
    row["first call s"] = time.perf_counter() - t
    if tt is not None:
        row["all written"] = not bool(torch.isnan(tt).any())
    chk = compare(device_rows(out, idx), want, dt)
    row["checked rows"] = len(idx)
    row.update(chk)

    ci, cf, si, sf = (cuda.to_device(np.ascontiguousarray(a)) for a in prog.arrays())
    rows_dev = cuda.to_device(np.arange(n, dtype=np.int64))
    row["kernel s"] = clock.per_call(lambda: kernels.launch_rows(ci, cf, si, sf, rows_dev, 0, out), args.reps)
    row["kernel write GB/s"] = nbytes / row["kernel s"] / 1e9
    row["kernel s (host clock, synchronised)"] = clock.host_median(
        lambda: kernels.launch_rows(ci, cf, si, sf, rows_dev, 0, out), args.reps
    )
    row["sweep_cuda(out=dev) s"] = clock.host_median(lambda: _gpu.sweep_cuda(prog, T, dt, out=out), args.reps)

    if tt is not None:
        row["fill_ s"] = clock.per_call(lambda: tt.fill_(0.5), args.reps)
        row["fill_ write GB/s"] = nbytes / row["fill_ s"] / 1e9
        row["kernel / fill_"] = row["fill_ s"] / row["kernel s"]
        copy_elems = max(1, int(min(nbytes, args.copy_gb * 1e9, 0.4 * ctx.free_bytes())) // dt.itemsize)
        src = tt.view(-1)[:copy_elems]
        dst = torch.empty(copy_elems, dtype=tt.dtype, device=tt.device)
        row["d2d copy GB"] = copy_elems * dt.itemsize / 1e9
        row["d2d copy s"] = clock.per_call(lambda: dst.copy_(src), args.reps)
        row["d2d write GB/s"] = copy_elems * dt.itemsize / row["d2d copy s"] / 1e9
        row["kernel / d2d write"] = row["kernel write GB/s"] / row["d2d write GB/s"]
        src = dst = None  # frees the copy's buffer
        # the public API straight into a torch tensor (the same memory), poisoned first
        tt.fill_(float("nan"))
        t = time.perf_counter()
        res = fl.sweep(prog, T, device="cuda", out=tt)
        row["sweep(device=cuda, out=torch) first s"] = time.perf_counter() - t
        row["sweep(out=torch) is out"] = res is tt
        row["sweep(out=torch) all written"] = not bool(torch.isnan(tt).any())
        row["sweep(out=torch) rows ok"] = compare(tt[torch.as_tensor(idx, device="cuda")].cpu().numpy(), want, dt)["ok"]
        row["sweep(device=cuda, out=torch) s"] = clock.host_median(
            lambda: fl.sweep(prog, T, device="cuda", out=tt), args.reps
        )
        res = tt = None
    else:
        row["reference"] = "no torch CUDA: no fill_ reference, no torch output"
    row["ok"] = bool(
        chk["ok"]
        and row.get("all written", True)
        and row.get("sweep(out=torch) is out", True)
        and row.get("sweep(out=torch) all written", True)
        and row.get("sweep(out=torch) rows ok", True)
    )
    out = ci = cf = si = sf = rows_dev = None  # frees the output before the fresh-allocation timing
    ctx.release()

    if not args.no_fresh:

        def fresh() -> None:
            _gpu.sweep_cuda(prog, T, dt)
            _gpu._flush_deallocations(cuda)

        row["sweep_cuda(new) s"] = clock.host_median(fresh, max(1, min(3, args.reps // 3)))
        ctx.release()
    return row


def bench_formula(ctx: Ctx, n: int, T: int, cumulative: bool) -> dict[str, Any]:
    """A sweep of N parameter sets of one users' function (``fastlr.Formula``) on the device:
    compile, time, CUDA == CPU on sampled rows; the CPU's sweep timed too with ``--cpu``."""
    cuda, clock, args = ctx.cuda, ctx.clock, ctx.args
    dt = np.dtype(np.float32)
    name = "decay (cumulative)" if cumulative else "warm_cosine"
    row: dict[str, Any] = {"section": "formula", "fn": name, "N": n, "T": T, "dtype": dt.name}
    t = time.perf_counter()
    rows = formulas(n, T, cumulative)
    row["make Formulas s"] = time.perf_counter() - t
    t = time.perf_counter()
    prog = fl.lower(rows)
    row["lower s"] = time.perf_counter() - t
    idx = np.unique(np.linspace(0, n - 1, min(n, 64)).astype(np.int64))
    want = fl.sweep([rows[int(i)] for i in idx], T, np.float64)
    out = cuda.device_array((n, T), dtype=dt)
    t = time.perf_counter()
    _gpu.sweep_cuda(prog, T, dt, out=out)  # first call: PTX check, NVVM compile of the build, run
    clock.sync()
    row["first call s"] = time.perf_counter() - t
    chk = compare(device_rows(out, idx), want, dt)
    row["checked rows"] = len(idx)
    row.update(chk)
    row["sweep_cuda(out=dev) s"] = clock.host_median(lambda: _gpu.sweep_cuda(prog, T, dt, out=out), args.reps)
    row["write GB/s"] = n * T * dt.itemsize / row["sweep_cuda(out=dev) s"] / 1e9
    if args.cpu:
        host = np.empty((n, T), dtype=dt)
        fl.sweep(prog, T, dt, out=host)  # compiles the CPU build
        row["cpu sweep s"] = clock.host_median(lambda: fl.sweep(prog, T, dt, out=host), max(1, min(3, args.reps)))
        row["cpu / cuda"] = row["cpu sweep s"] / row["sweep_cuda(out=dev) s"]
        host = None
    out = None
    ctx.release()
    return row


def bench_table(ctx: Ctx, T: int) -> list[dict[str, Any]]:
    sched = table_schedule(T)
    prog = sched.program()
    span = min(T, 10**6)
    rng = np.random.default_rng(7)
    sample = np.unique(rng.integers(0, T, span))
    want_sample = sched.at(sample)
    want_head = fl.sweep(prog, span, np.float64, exact=True)[0]
    want_tail = fl.sweep(prog, span, np.float64, exact=True, t0=T - span)[0]
    refs = (span, sample, want_sample, want_head, want_tail)
    return [_bench_table_dtype(ctx, sched, T, np.dtype(dt), refs) for dt in (np.float32, np.float64)]


def _bench_table_dtype(ctx: Ctx, sched: fl.Schedule, T: int, dt: np.dtype, refs: tuple[Any, ...]) -> dict[str, Any]:
    from fastlr.kernels import cuda as kernels

    cuda, clock, args = ctx.cuda, ctx.clock, ctx.args
    span, sample, want_sample, want_head, want_tail = refs
    prog = sched.program()
    row: dict[str, Any] = {"section": "table", "T": T, "dtype": dt.name, "GB": T * dt.itemsize / 1e9}
    t = time.perf_counter()
    dev = _gpu.table_cuda(prog, T, dt)
    row["first call s"] = time.perf_counter() - t
    host = dev.copy_to_host()
    checks = [compare(host[:span], want_head, dt), compare(host[-span:], want_tail, dt)]
    checks.append(compare(host[sample], want_sample, dt))
    for key in ("max ulp vs cpu", "max rel vs cpu"):
        if key in checks[0]:
            row[key] = max(c[key] for c in checks)
    row["ok"] = all(c["ok"] for c in checks)
    row["checked steps"] = int(2 * span + sample.size)
    host = None
    ci, cf, si, sf = (cuda.to_device(np.ascontiguousarray(a)) for a in prog.arrays())
    row["kernel s"] = clock.per_call(lambda: kernels.launch_steps(ci, cf, si, sf, 0, 0, dev), args.reps)
    row["kernel write GB/s"] = T * dt.itemsize / row["kernel s"] / 1e9
    row["table(device=cuda, out=dev) s"] = clock.host_median(
        lambda: sched.table(T, dtype=dt, device="cuda", out=dev), args.reps
    )
    dev = None
    ctx.release()
    row["table(device=cuda) new s"] = clock.host_median(
        lambda: sched.table(T, dtype=dt, device="cuda"), max(1, args.reps // 3)
    )
    ctx.release()
    row["table_cuda(to_host) s"] = clock.host_median(lambda: _gpu.table_cuda(prog, T, dt, to_host=True), 1)
    row["to_host GB/s"] = T * dt.itemsize / row["table_cuda(to_host) s"] / 1e9
    if args.cpu:
        row["cpu table s"] = clock.host_median(lambda: sched.table(T, dtype=dt), 1)
    ctx.release()
    return row


def bench_torch(ctx: Ctx) -> dict[str, Any]:
    torch = ctx.torch
    row: dict[str, Any] = {"section": "torch zero-copy"}
    if torch is None:
        row["skipped"] = "torch cannot use the GPU here (or the simulator is on)"
        return row
    n, T = (8, 300) if ctx.args.smoke else (1000, 10_000)
    cfg = configs(n, T, seed=3)
    prog = fl.lower(cfg)
    want = fl.sweep(prog, T, np.float64, exact=True)
    out = torch.full((n, T), float("nan"), dtype=torch.float64, device="cuda")
    res = fl.sweep(cfg, T, device="cuda", out=out)
    row["sweep(out=torch) is out"] = res is out
    row["sweep(out=torch) float64 max rel"] = max_rel64(out.cpu().numpy(), want)
    out32 = torch.full((n, T), float("nan"), dtype=torch.float32, device="cuda")
    fl.sweep(cfg, T, device="cuda", out=out32)
    row["sweep(out=torch) float32 max ulp"] = max_ulps32(out32.cpu().numpy(), want.astype(np.float32))
    dev = fl.sweep(cfg, T, device="cuda")
    tt = _gpu.to_torch(dev)
    row["to_torch same data_ptr"] = tt.data_ptr() == dev.__cuda_array_interface__["data"][0]
    row["to_torch dtype, shape"] = f"{tt.dtype}, {tuple(tt.shape)}"
    row["to_torch float32 max ulp"] = max_ulps32(tt.cpu().numpy(), want.astype(np.float32))
    tt.mul_(2.0)  # writes through the shared memory
    row["to_torch writes visible in the device array"] = bool(np.array_equal(dev.copy_to_host(), tt.cpu().numpy()))
    sched = table_schedule(T)
    t1 = torch.full((T,), float("nan"), dtype=torch.float64, device="cuda")
    row["table(out=torch) is out"] = sched.table(T, device="cuda", out=t1) is t1
    row["table(out=torch) float64 max rel"] = max_rel64(t1.cpu().numpy(), sched.table(T))
    row["ok"] = bool(
        row["sweep(out=torch) is out"]
        and row["sweep(out=torch) float64 max rel"] <= 1e-12
        and row["sweep(out=torch) float32 max ulp"] <= 1
        and row["to_torch same data_ptr"]
        and row["to_torch float32 max ulp"] <= 1
        and row["to_torch writes visible in the device array"]
        and row["table(out=torch) is out"]
        and row["table(out=torch) float64 max rel"] <= 1e-12
    )
    out = out32 = dev = tt = t1 = None
    ctx.release()
    return row


def bench_stream(ctx: Ctx, n: int, T: int) -> dict[str, Any]:
    torch, clock, args = ctx.torch, ctx.clock, ctx.args
    dt = np.dtype(np.float32)
    nbytes = n * T * dt.itemsize
    row: dict[str, Any] = {"section": "stream", "N": n, "T": T, "dtype": dt.name, "GB": nbytes / 1e9}
    cfg = configs(n, T, seed=5)
    prog = fl.lower(cfg)
    idx = np.unique(np.linspace(0, n - 1, min(n, 64)).astype(np.int64))
    want = fl.sweep(fl.lower({k: v[idx] for k, v in cfg.items()}), T, np.float64, exact=True)
    hogs: list[Any] = []
    if torch is not None:
        keep = int(args.stream_free_gb * 1e9)
        for _ in range(8):  # reserve all but `keep` bytes (a little less if one allocation fails)
            free = torch.cuda.mem_get_info()[0]
            if free <= keep * 1.05:
                break
            try:
                hogs.append(torch.empty(free - keep, dtype=torch.uint8, device="cuda"))
            except torch.cuda.OutOfMemoryError:
                keep = int(keep * 1.05) + (256 << 20)
        row["reserved by torch GB"] = sum(h.numel() for h in hogs) / 1e9
    else:
        row["reservation"] = "none (no torch CUDA): the output is not larger than the free GPU memory"
    try:
        free = ctx.free_bytes()
        row["free GPU GB while streaming"] = free / 1e9
        row["output / free GPU memory"] = nbytes / free
        try:
            _gpu.sweep_cuda(prog, T, dt)
            row["device output refused"] = False
        except fl.MemoryLimitError:
            row["device output refused"] = True
        row["tile MB"] = _gpu._tile_budget(ctx.cuda, dt) * dt.itemsize / 2**20
        host = np.empty((n, T), dtype=dt)
        t = time.perf_counter()
        host.fill(np.nan)  # touch every page before timing, and poison
        row["pretouch s"] = time.perf_counter() - t
        t = time.perf_counter()
        _gpu.sweep_cuda(prog, T, dt, out=host)
        row["out=numpy first s"] = time.perf_counter() - t
        row["all written (every 97th row)"] = not bool(np.isnan(host[::97]).any())
        row["rows ok"] = compare(host[idx], want, dt)["ok"]
        row["out=numpy s"] = clock.host_median(
            lambda: _gpu.sweep_cuda(prog, T, dt, out=host), args.stream_reps, warm=False
        )
        row["out=numpy GB/s"] = nbytes / row["out=numpy s"] / 1e9
        host = None  # frees the host array before the next one
        t = time.perf_counter()
        res = _gpu.sweep_cuda(prog, T, dt, to_host=True)
        row["to_host=True s (fresh host array)"] = time.perf_counter() - t
        row["to_host=True GB/s"] = nbytes / row["to_host=True s (fresh host array)"] / 1e9
        row["to_host rows ok"] = compare(res[idx], want, dt)["ok"]
        res = None
        row["ok"] = bool(
            row["rows ok"]
            and row["to_host rows ok"]
            and row["all written (every 97th row)"]
            and (row["device output refused"] or not hogs)
        )
    finally:
        hogs.clear()
        ctx.release()
    return row


COLD_CODE = r"""
import json, sys, time
T = int(sys.argv[1])
t0 = time.perf_counter()
import numpy as np
import fastlr
t1 = time.perf_counter()
sched = fastlr.Schedule(fastlr.Cosine(1e-3, 1e-5, T - T // 100), warmup=fastlr.Warmup(T // 100, start=0.0))
dev = sched.table(T, dtype=np.float32, device="cuda")
from numba import cuda
cuda.synchronize()
t2 = time.perf_counter()
other = fastlr.Schedule(fastlr.Cosine(2e-3, 0.0, T - T // 10), warmup=fastlr.Warmup(T // 10, start=1e-5))
dev2 = other.table(T, dtype=np.float32, device="cuda")
cuda.synchronize()
t3 = time.perf_counter()
got = dev.copy_to_host().view(np.int32).astype(np.int64)
want = sched.table(T, dtype=np.float32, exact=True).view(np.int32).astype(np.int64)
ok = bool(np.abs(got - want).max() <= 1)  # within 1 float32 ulp of the CPU
print(json.dumps({"import fastlr s": t1 - t0, "first table s (from before import)": t2 - t0,
                  "second table, another schedule s": t3 - t2, "within 1 ulp of the cpu": ok}))
"""


def bench_cold(ctx: Ctx) -> dict[str, Any]:
    row: dict[str, Any] = {"section": "cold/warm first table"}
    cache = tempfile.mkdtemp(prefix="fastlr-cold-nbc-")
    jit_cache = tempfile.mkdtemp(prefix="fastlr-cold-ptxjit-")
    root = pathlib.Path(__file__).resolve().parents[1]
    # empty Numba cache and empty driver PTX-JIT cache (CUDA_CACHE_PATH) for "cold"; both kept for "warm"
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, CUDA_CACHE_PATH=jit_cache)
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    try:
        for label in ("cold", "warm"):
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", COLD_CODE, str(ctx.args.cold_steps)],
                env=env,
                capture_output=True,
                text=True,
                timeout=ctx.args.cold_timeout,
                check=False,
                cwd=str(root),
            )
            wall = time.perf_counter() - t
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
            if proc.returncode != 0 or not lines:
                row[f"{label} error"] = f"rc={proc.returncode}: {proc.stderr[-2000:]}"
                break
            for k, v in json.loads(lines[-1]).items():
                row[f"{label}: {k}"] = v
            row[f"{label}: process wall s"] = wall
            files = [p for p in pathlib.Path(cache).rglob("*") if p.is_file()]
            row[f"{label}: cache files after"] = len(files)
            row[f"{label}: cache files for the CUDA kernels"] = sum(1 for p in files if "cuda" in p.name)
            row[f"{label}: driver JIT cache files after"] = sum(
                1 for p in pathlib.Path(jit_cache).rglob("*") if p.is_file()
            )
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(jit_cache, ignore_errors=True)
    row["ok"] = bool(row.get("cold: within 1 ulp of the cpu") and row.get("warm: within 1 ulp of the cpu"))
    return row


# ---- output ----------------------------------------------------------------------------------


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if v == 0.0 or 1e-3 <= abs(v) < 1e5:
            return f"{v:.4g}"
        return f"{v:.3e}"
    return str(v)


def sweep_table(rows: list[dict[str, Any]]) -> str:
    def ms(key: str) -> Callable[[dict[str, Any]], str]:
        return lambda r: f"{1e3 * r[key]:.3f}" if key in r else "-"

    def num(key: str, f: str) -> Callable[[dict[str, Any]], str]:
        return lambda r: format(r[key], f) if key in r else "-"

    cols: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("N x T (float32)", lambda r: f"{r['N']:.0e} x {r['T']:.0e}"),
        ("GB", num("GB", ".1f")),
        ("kernel ms", lambda r: f"{1e3 * r['kernel s']:.3f}" if "kernel s" in r else r.get("skipped", "-")),
        ("kernel GB/s", num("kernel write GB/s", ".0f")),
        ("fill_ ms", ms("fill_ s")),
        ("fill_ GB/s", num("fill_ write GB/s", ".0f")),
        ("kernel/fill_", num("kernel / fill_", ".1%")),
        ("d2d write GB/s", num("d2d write GB/s", ".0f")),
        ("sweep_cuda(out=dev) ms", ms("sweep_cuda(out=dev) s")),
        ("sweep(out=torch) ms", ms("sweep(device=cuda, out=torch) s")),
        ("new out ms", ms("sweep_cuda(new) s")),
        ("first call s", num("first call s", ".1f")),
        ("max ulp", num("max ulp vs cpu", "d")),
    ]
    lines = ["| " + " | ".join(c for c, _ in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(f(r) for _, f in cols) + " |")
    return "\n".join(lines)


def kv_table(row: dict[str, Any]) -> str:
    lines = ["| " + str(row.get("section", "")) + " | |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in row.items() if k != "section"]
    return "\n".join(lines)


def markdown(results: list[dict[str, Any]]) -> str:
    sweeps = [r for r in results if r.get("section") == "sweep" and "error" not in r]
    parts = [sweep_table(sweeps)] if sweeps else []
    parts += [kv_table(r) for r in results if r.get("section") != "sweep" or "error" in r]
    return "\n\n".join(parts)


def save(args: argparse.Namespace, info: dict[str, Any], results: list[dict[str, Any]]) -> None:
    if args.out is None:
        return
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"info": info, "results": results}, indent=1, default=str))
    (args.out / "results.md").write_text(markdown(results) + "\n")


SECTIONS = ("sweep", "table", "torch", "stream", "cold", "formula")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, from {SECTIONS}")
    ap.add_argument("--sizes", default="10000x10000,10000x100000,100000x100000", help="sweeps, comma-separated NxT")
    ap.add_argument("--reps", type=int, default=10, help="calls per timing batch")
    ap.add_argument("--copy-gb", type=float, default=8.0, help="largest reference device-to-device copy")
    ap.add_argument("--table-steps", type=float, default=1e8)
    ap.add_argument("--stream", default="40000x100000", help="NxT of the sweep streamed to host memory")
    ap.add_argument("--stream-free-gb", type=float, default=4.0, help="GPU memory left free while streaming")
    ap.add_argument("--stream-reps", type=int, default=1)
    ap.add_argument("--cold-steps", type=int, default=100_000, help="T of the cold/warm first table")
    ap.add_argument("--cold-timeout", type=float, default=120.0, help="seconds per cold/warm subprocess")
    ap.add_argument("--formula", default="10000x10000", help="NxT of the Formula sweeps (closed form, cumulative)")
    ap.add_argument("--cpu", action="store_true", help="also time the CPU's table of --table-steps")
    ap.add_argument("--no-fresh", action="store_true", help="skip the fresh-allocation timing")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, one rep (checks the script)")
    ap.add_argument("--out", type=pathlib.Path, default=None, help="directory for results.json / results.md")
    args = ap.parse_args(argv)
    if args.smoke:
        args.sizes, args.reps, args.cpu = "8x50,3x70", 1, True
        args.table_steps, args.stream, args.stream_free_gb, args.cold_steps = 600, "5x300", 0.0, 200
        args.formula = "6x40"
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections {sorted(unknown)}")

    ctx = Ctx(args)
    info = versions(ctx.cuda, ctx.torch)
    info["timing"] = ctx.clock.kind
    print(json.dumps(info, indent=1), flush=True)
    results: list[dict[str, Any]] = []
    failed = False

    def run(name: str, fn: Callable[[], Any]) -> None:
        nonlocal failed
        t = time.perf_counter()
        try:
            out = fn()
        except Exception as exc:
            traceback.print_exc()
            out = {"section": name, "error": f"{type(exc).__name__}: {exc}"[:2000]}
            ctx.release()
        for r in out if isinstance(out, list) else [out]:
            r["section wall s"] = time.perf_counter() - t
            failed |= "error" in r or r.get("ok") is False
            print(json.dumps(r, default=str), flush=True)
            results.append(r)
        save(args, info, results)

    for section in sections:
        if section == "sweep":
            for size in args.sizes.split(","):
                n, T = (int(float(v)) for v in size.lower().split("x"))
                run(f"sweep {size}", lambda n=n, T=T: bench_sweep(ctx, n, T))
        elif section == "table":
            run("table", lambda: bench_table(ctx, int(args.table_steps)))
        elif section == "torch":
            run("torch zero-copy", lambda: bench_torch(ctx))
        elif section == "stream":
            n, T = (int(float(v)) for v in args.stream.lower().split("x"))
            run("stream", lambda n=n, T=T: bench_stream(ctx, n, T))
        elif section == "cold":
            run("cold/warm first table", lambda: bench_cold(ctx))
        elif section == "formula":
            n, T = (int(float(v)) for v in args.formula.lower().split("x"))
            run("formula", lambda n=n, T=T: bench_formula(ctx, n, T, cumulative=False))
            run("formula cumulative", lambda n=n, T=T: bench_formula(ctx, n, T, cumulative=True))
    print(markdown(results), flush=True)
    save(args, info, results)
    print("bench_cuda: " + ("SOME CHECKS FAILED or errored" if failed else "all checks passed"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
