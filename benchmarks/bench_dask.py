"""Write a large sweep to zarr with fastlr.dask and report its throughput.

    python benchmarks/bench_dask.py --gib 26 --out /tmp/fastlr-sweep.zarr            # > RAM
    python benchmarks/bench_dask.py --gib 4 --compressor none --scheduler distributed

The table is ``(rows, steps)`` float32 with ``steps`` fixed (``--steps``) and ``rows`` chosen to
reach ``--gib`` GiB of logical output: a grid over lr x shape x warmup x warmup_mode x end_ratio,
repeated with distinct lrs until large enough. Nothing of that size is ever held in memory:
each task fills one ``(chunk_rows, chunk_steps)`` block and the zarr store writes it.

Reported: wall time of ``to_zarr`` (graph build and lowering included), GB/s of logical float32
output, configs x steps per second, bytes on disk, peak RSS of this process, and as a baseline
the in-memory ``fastlr.sweep`` throughput on the first two row chunks in the same run.
Then blocks are read back at random and compared bit for bit with ``fastlr.sweep`` of the same
rows and steps, and the store is deleted unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from typing import Any

import numpy as np


def configs(n: int) -> dict[str, np.ndarray]:
    import fastlr as fl

    base = fl.grid(
        shape=["cosine", "linear", "polynomial", "sqrt", "step", "exponential"],
        warmup=[0, 2_000],
        warmup_mode=["prefix", "overlay"],
        end_ratio=[0.0, 0.05],
        steps=[200_000],
        gamma=[0.5],
        step_size=[20_000],
        power=[2.0],
    )
    k = len(base["shape"])
    reps = -(-n // k)
    cols = {name: np.tile(col, reps)[:n] for name, col in base.items()}
    cols["lr"] = np.repeat(np.geomspace(1e-4, 1e-2, reps), k)[:n]
    return cols


def du(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def compressors(name: str) -> dict[str, Any]:
    if name == "default":
        return {}
    if name == "none":
        return {"compressors": None}
    if name == "blosc-lz4":
        from zarr.codecs import BloscCodec

        return {"compressors": BloscCodec(cname="lz4", clevel=1, shuffle="bitshuffle", typesize=4)}
    raise SystemExit(f"--compressor must be one of default, none, blosc-lz4; got {name!r}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gib", type=float, default=4.0, help="logical float32 output in GiB")
    ap.add_argument("--steps", type=int, default=200_000)
    ap.add_argument("--chunk-rows", type=int, default=64)
    ap.add_argument("--chunk-steps", type=int, default=200_000)
    ap.add_argument("--out", default="/tmp/fastlr-bench-sweep.zarr")
    ap.add_argument("--compressor", default="default", help="default (zarr's zstd), none, blosc-lz4")
    ap.add_argument("--scheduler", default="threads", choices=["threads", "distributed"])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--check", type=int, default=8, help="random blocks read back and compared")
    ap.add_argument("--keep", action="store_true", help="keep the zarr store")
    args = ap.parse_args(argv)

    import dask
    import dask.array as da
    import zarr

    import fastlr as fl
    import fastlr.dask as fld

    T = args.steps
    n = int(args.gib * 2**30 // (4 * T))
    need = n * T * 4
    free = shutil.disk_usage(os.path.dirname(os.path.abspath(args.out)) or ".").free
    if args.compressor == "none" and need > 0.7 * free:
        raise SystemExit(f"{need / 2**30:.1f} GiB would not leave 30 % of the {free / 2**30:.1f} GiB free")
    if os.path.exists(args.out):
        raise SystemExit(f"{args.out} exists; remove it or pass another --out")
    cols = configs(n)
    fl.sweep({k: v[:2] for k, v in cols.items()}, 10)  # compile / load kernels outside the timing
    # baseline in the same run: the kernels alone, in memory, on the first 2 row chunks
    head = {k: v[: 2 * args.chunk_rows] for k, v in cols.items()}
    t = time.perf_counter()
    base = fl.sweep(head, T, np.float32)
    base_gbs = base.nbytes / (time.perf_counter() - t) / 1e9
    del base

    client = None
    if args.scheduler == "distributed":
        from distributed import Client, LocalCluster

        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None))
        client.run(lambda: fl.sweep({"lr": [1e-3]}, 10))
        ctx = dask.config.set()
    else:
        ctx = dask.config.set(scheduler="threads", num_workers=args.workers)
    print(f"sweep {n:,} configs x {T:,} steps float32 = {need / 2**30:.2f} GiB -> {args.out}", flush=True)
    with ctx:
        t = time.perf_counter()
        arr = fld.sweep(cols, T, np.float32, chunks=(args.chunk_rows, args.chunk_steps))
        t_graph = time.perf_counter() - t
        arr.to_zarr(args.out, **compressors(args.compressor))
        wall = time.perf_counter() - t
    on_disk = du(args.out)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    rng = np.random.default_rng(0)
    store = da.from_zarr(args.out)
    prog = fl.lower(cols)
    for _ in range(args.check):
        i = int(rng.integers(arr.numblocks[0]))
        j = int(rng.integers(arr.numblocks[1]))
        r0, s0 = i * args.chunk_rows, j * args.chunk_steps
        r1, s1 = min(n, r0 + args.chunk_rows), min(T, s0 + args.chunk_steps)
        ref = fl.sweep(prog.subset(r0, r1), s1 - s0, np.float32, t0=s0)
        np.testing.assert_array_equal(np.asarray(store[r0:r1, s0:s1]), ref)
    if client is not None:
        client.close()
    if not args.keep:
        shutil.rmtree(args.out)

    cpu = platform.processor() or platform.machine()
    try:
        cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = next(ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if ln.startswith("Model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    print(
        f"| {need / 2**30:.2f} GiB | {n:,} x {T:,} | ({args.chunk_rows}, {args.chunk_steps}) | {args.compressor} "
        f"| {args.scheduler} x{args.workers} | {wall:.1f} s | {need / wall / 1e9:.2f} GB/s | "
        f"{n * T / wall / 1e6:,.0f} M | {on_disk / 2**30:.2f} GiB | {rss / 2**30:.2f} GiB | {base_gbs:.2f} GB/s |"
    )
    print(
        f"graph {t_graph:.2f} s, {arr.npartitions} tasks, {fld.task_nbytes(arr):,} bytes per task; "
        f"{args.check} random blocks bit-identical to fastlr.sweep; store {'kept' if args.keep else 'deleted'}"
    )
    print(
        f"machine: {os.cpu_count()} vCPU {cpu}, {mem / 2**30:.1f} GiB RAM; Python {sys.version.split()[0]}, "
        f"numpy {np.__version__}, numba {__import__('numba').__version__}, dask {dask.__version__}, "
        f"zarr {zarr.__version__}, fastlr {fl.__version__}"
    )


if __name__ == "__main__":
    main()
