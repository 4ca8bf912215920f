"""CUDA sweep throughput against the device's own copy bandwidth and the CPU kernels.

Run on a machine with an NVIDIA GPU (numba-cuda installed, the ``cuda`` extra)::

    python benchmarks/bench_cuda.py --out /tmp/bench            # 1e4 x 1e5 and 1e5 x 1e5 float32
    python benchmarks/bench_cuda.py --sizes 10000x100000 --cpu  # plus the CPU kernels

``--smoke`` runs tiny sizes once (it also works under ``NUMBA_ENABLE_CUDASIM=1``, where the
timings mean nothing) to check the script itself.

Workload (as in PERF_NOTES): N configs x T steps, each a linear warmup of 0..2000 steps, then a
cosine decay from its own peak to its own minimum at step T (flat configs, ``fastlr.lower``).

What is timed (median of ``--reps`` runs after a warm-up; host clock around a synchronised call):

- ``d2d copy``: a device-to-device copy of an array of the output's size (capped at
  ``--copy-gb``); its *write rate* (bytes written / time) is the reference;
- ``kernel``: the sweep kernel alone into a preallocated device array (program already on the
  device); ``sweep_cuda(out=dev)``: the public call (program transfer included);
- ``sweep_cuda(new)``: the public call allocating its output;
- ``to host``: ``sweep_cuda(out=host)``, streamed to a pre-touched NumPy array (PCIe bound);
- ``cpu``: ``fastlr.sweep(out=host)`` on this machine's cores (``--cpu``).

The kernel's efficiency is ``copy write rate / kernel write rate``'s inverse: the fraction of
the copy's write rate that the kernel reaches (target >= 70 %).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import fastlr as fl
from fastlr import _cuda


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


def median_time(fn: Callable[[], Any], sync: Callable[[], None], reps: int) -> float:
    fn()
    sync()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def versions(cuda: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__}
    for pkg in ("numba", "numba-cuda", "cuda-bindings", "llvmlite", "torch"):
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
    for key, probe in probes.items():
        try:
            info[key] = probe()
        except Exception as exc:  # the simulator, or an API difference between numba versions
            info[key] = f"unavailable ({type(exc).__name__})"
    try:
        smi = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.max.sm", "--format=csv,noheader"],
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


def copy_reference(cuda: Any, out: Any, nbytes: int, free: float, args: argparse.Namespace) -> dict[str, float]:
    """A device-to-device copy of the output's size (capped): its write rate is the reference."""
    dt = np.dtype(out.dtype)
    copy_elems = max(1, int(min(nbytes, args.copy_gb * 1e9, 0.4 * free)) // dt.itemsize)
    src = out.reshape(out.size)[:copy_elems]
    dst = cuda.device_array(copy_elems, dtype=dt)
    seconds = median_time(lambda: dst.copy_to_device(src), cuda.synchronize, args.reps)
    rate = copy_elems * dt.itemsize / seconds
    return {
        "d2d copy GB": copy_elems * dt.itemsize / 1e9,
        "d2d copy s": seconds,
        "d2d write GB/s": rate / 1e9,
        "d2d read+write GB/s": 2 * rate / 1e9,
    }


def bench_size(cuda: Any, n: int, T: int, args: argparse.Namespace) -> dict[str, Any]:
    from fastlr.kernels import cuda as kernels

    dt = np.dtype(np.float32)
    nbytes = n * T * dt.itemsize
    row: dict[str, Any] = {"N": n, "T": T, "dtype": dt.name, "GB": nbytes / 1e9}
    cfg = configs(n, T)
    t = time.perf_counter()
    prog = fl.lower(cfg)
    row["lower s"] = time.perf_counter() - t
    n_check = min(n, 64)
    want = fl.sweep(fl.lower({k: v[:n_check] for k, v in cfg.items()}), T, dt)  # CPU reference rows

    free = float(cuda.current_context().get_memory_info()[0])
    if nbytes > 0.9 * free:
        row["skipped"] = f"output {nbytes / 1e9:.1f} GB > 90% of free GPU memory {free / 1e9:.1f} GB"
        return row

    out = cuda.device_array((n, T), dtype=dt)
    t = time.perf_counter()
    _cuda.sweep_cuda(prog, T, dt, out=out)  # first call: compile (NVVM + driver JIT) and run
    cuda.synchronize()
    row["first call s"] = time.perf_counter() - t

    ci, cf, si, sf = (cuda.to_device(np.ascontiguousarray(a)) for a in prog.arrays())
    rows = cuda.to_device(np.arange(n, dtype=np.int64))
    row["kernel s"] = median_time(
        lambda: kernels.launch_rows(ci, cf, si, sf, rows, 0, out), cuda.synchronize, args.reps
    )
    row["sweep_cuda(out=dev) s"] = median_time(
        lambda: _cuda.sweep_cuda(prog, T, dt, out=out), cuda.synchronize, args.reps
    )
    np.testing.assert_allclose(out[:n_check].copy_to_host(), want, rtol=2.5e-7)  # within 2 float32 ulp
    row["checked rows"] = n_check

    row.update(copy_reference(cuda, out, nbytes, free, args))
    if "d2d write GB/s" in row:
        row["kernel write GB/s"] = nbytes / row["kernel s"] / 1e9
        row["kernel / copy write rate"] = row["kernel write GB/s"] / row["d2d write GB/s"]

    if not args.no_fresh:
        del out

        def fresh() -> None:
            _cuda.sweep_cuda(prog, T, dt)

        row["sweep_cuda(new) s"] = median_time(fresh, cuda.synchronize, max(1, args.reps // 2))

    if nbytes <= args.host_gb * 1e9:
        host = np.empty((n, T), dtype=dt)
        host.fill(1.0)  # touch every page before timing
        row["to host s"] = median_time(lambda: _cuda.sweep_cuda(prog, T, dt, out=host), lambda: None, 1)
        row["to host GB/s"] = nbytes / row["to host s"] / 1e9
        np.testing.assert_allclose(host[:n_check], want, rtol=2.5e-7)
        if args.cpu:
            row["cpu s"] = median_time(lambda: fl.sweep(prog, T, dt, out=host), lambda: None, 1)
            row["cpu / kernel"] = row["cpu s"] / row["kernel s"]
        del host
    return row


def table(rows: list[dict[str, Any]]) -> str:
    cols = [
        ("N x T", lambda r: f"{r['N']:.0e} x {r['T']:.0e}"),
        ("GB", lambda r: f"{r['GB']:.1f}"),
        ("kernel ms", lambda r: f"{1e3 * r['kernel s']:.2f}" if "kernel s" in r else r.get("skipped", "")),
        ("sweep_cuda(out) ms", lambda r: f"{1e3 * r.get('sweep_cuda(out=dev) s', float('nan')):.2f}"),
        ("kernel GB/s", lambda r: f"{r.get('kernel write GB/s', float('nan')):.0f}"),
        ("copy write GB/s", lambda r: f"{r.get('d2d write GB/s', float('nan')):.0f}"),
        ("kernel/copy", lambda r: f"{r.get('kernel / copy write rate', float('nan')):.2f}"),
        ("new out ms", lambda r: f"{1e3 * r.get('sweep_cuda(new) s', float('nan')):.2f}"),
        ("to host GB/s", lambda r: f"{r.get('to host GB/s', float('nan')):.1f}"),
        ("cpu s", lambda r: f"{r.get('cpu s', float('nan')):.3f}"),
        ("first call s", lambda r: f"{r.get('first call s', float('nan')):.1f}"),
    ]
    lines = ["| " + " | ".join(c for c, _ in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(f(r) for _, f in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000x100000,100000x100000", help="comma-separated NxT")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--copy-gb", type=float, default=8.0, help="largest reference copy")
    ap.add_argument("--host-gb", type=float, default=8.0, help="largest output also streamed to host")
    ap.add_argument("--cpu", action="store_true", help="also time the CPU kernels (host output)")
    ap.add_argument("--no-fresh", action="store_true", help="skip the fresh-allocation timing")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, one rep (checks the script)")
    ap.add_argument("--out", type=pathlib.Path, default=None, help="directory for results.json / results.md")
    args = ap.parse_args(argv)
    if args.smoke:
        args.sizes, args.reps, args.cpu = "8x50,3x70", 1, True

    cuda = _cuda._cuda_module()
    info = versions(cuda)
    print(json.dumps(info, indent=1), flush=True)
    results = []
    for size in args.sizes.split(","):
        n, T = (int(float(v)) for v in size.lower().split("x"))
        row = bench_size(cuda, n, T, args)
        print(json.dumps(row), flush=True)
        results.append(row)
    md = table(results)
    print(md)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps({"info": info, "results": results}, indent=1))
        (args.out / "results.md").write_text(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
