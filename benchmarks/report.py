"""The headline benchmark: fastlr against what users do today, as ratios measured in one run.

    python -m benchmarks.report            # full size (1e4 configs x 1e4 steps), writes RESULTS.md
    python -m benchmarks.report --quick    # 1e3 x 1e4, prints only
    python -m benchmarks.report --laws     # only the loss-laws section (benchmarks/bench_laws.py)
    python -m benchmarks.report --formula  # only the users' functions section (benchmarks/bench_formula.py)

Every timing is the median of interleaved repeats into outputs that are already touched (fresh
pages are slow on VMs; the fresh-allocation cost is reported separately). Baselines too slow to
run in full (a per-step Python lambda, torch schedulers stepping) run on a subset of configs and
are scaled to the full size.

The workload, the median timer and the baselines shared with ``fastlr bench`` (the floor, the
NumPy cosine, the per-step Python lambda) come from ``fastlr._bench``; torch and JAX, which
only this report runs, are here.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import fastlr as fl
from fastlr._bench import COMPARISONS, median_time, workload

HERE = Path(__file__).resolve().parent


def huge_page_share(arr: np.ndarray) -> float | None:
    """Share of ``arr``'s memory mapping backed by transparent huge pages (Linux), else None.

    The kernel grants huge pages to a large output or not, run by run, and the page size can
    change write bandwidth, so the report records which case it measured.
    """
    addr = arr.__array_interface__["data"][0]
    try:
        lines = Path("/proc/self/smaps").read_text().splitlines()
    except OSError:
        return None
    inside = False
    size = 0
    for line in lines:
        head = line.split()[0] if line else ""
        if "-" in head and not head.endswith(":"):
            lo, hi = (int(v, 16) for v in head.split("-"))
            inside = lo <= addr < hi
        elif inside and head == "Size:":
            size = int(line.split()[1])
        elif inside and head == "AnonHugePages:":
            return int(line.split()[1]) / size if size else None
    return None


def shape_programs(n: int, t: int) -> dict[str, fl.Program]:
    base = workload(n, t)
    progs: dict[str, fl.Program] = {}
    for shape in ("cosine", "linear", "constant", "polynomial", "tanh", "inverse_sqrt"):
        cols = dict(base, shape=np.full(n, shape, dtype=object))
        if shape == "polynomial":
            cols["power"] = np.full(n, 0.9)
        if shape == "inverse_sqrt":
            cols["timescale"] = np.full(n, 1000.0)
        progs[shape] = fl.lower(cols)
    progs["step"] = fl.lower(dict(base, shape="step", step_size=t // 4, gamma=0.5))
    progs["exponential"] = fl.lower(dict(base, shape="exponential", step_size=t // 4, gamma=0.5))
    progs["wsd"] = fl.lower(dict(base, shape="sqrt", hold=t // 2, steps=t // 3))
    lr, warm, floor = base["lr"], base["warmup"], base["floor"]
    ms = [
        fl.Schedule(
            fl.MultiStep(float(lr[i]), (t // 2, 3 * t // 4), 0.1),
            warmup=fl.Warmup(int(warm[i])) if warm[i] else None,
            floor=float(floor[i]),
        )
        for i in range(n)
    ]
    progs["multistep"] = fl.lower(ms)
    oc = [fl.Schedule(fl.OneCycle(float(lr[i]), t), floor=float(floor[i])) for i in range(n)]
    progs["onecycle"] = fl.lower(oc)
    return progs


def torch_stepping_time(cols: dict[str, np.ndarray], t: int, sample: int) -> float | None:
    """torch LambdaLR stepping an SGD optimizer (reading the lr each step)."""
    try:
        import torch
    except ImportError:
        return None
    p = torch.nn.Parameter(torch.zeros(1))
    start = time.perf_counter()
    for i in range(sample):
        lr, w = float(cols["lr"][i]), int(cols["warmup"][i])
        opt = torch.optim.SGD([p], lr=lr)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s, w=w: s / w if s < w else 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(s - w, t) / t))
        )
        for _ in range(t):
            opt.step()
            sched.step()
            sched.get_last_lr()
    return time.perf_counter() - start


def numpy_time(cols: dict[str, np.ndarray], t: int, out: np.ndarray, dtype: Any) -> float:
    """Seconds for the NumPy baseline of ``fastlr._bench`` to fill ``out`` (``(n, t)``, ``dtype``).

    For ``benchmarks/bench_kernels.py``; the report times ``COMPARISONS["numpy"]`` itself.
    """
    if out.shape[1] != t or out.dtype != np.dtype(dtype):
        raise ValueError(f"out must be (n, {t}) {np.dtype(dtype).name}, got {out.shape} {out.dtype.name}")
    run = COMPARISONS["numpy"](cols, out)
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def jax_time(cols: dict[str, np.ndarray], t: int, repeats: int) -> float | None:
    """JAX jit(vmap) of a hand-written warmup + cosine (stock optax cannot vmap over warmup)."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None

    def one(lr: Any, w: Any, floor: Any) -> Any:
        s = jnp.arange(t, dtype=jnp.float32)
        end = lr * 0.01
        p = jnp.clip((s - w) / t, 0.0, 1.0)
        main = jnp.maximum(end + (lr - end) * 0.5 * (1 + jnp.cos(jnp.pi * p)), floor)
        return jnp.where(s < w, lr * s / jnp.maximum(w, 1.0), main)

    fn = jax.jit(jax.vmap(one))
    args = [jnp.asarray(cols[k], dtype=jnp.float32) for k in ("lr", "warmup", "floor")]
    fn(*args).block_until_ready()
    return median_time(lambda: fn(*args).block_until_ready(), repeats)


TRIVIAL_KERNEL = (
    "import numba, numpy as np\n"
    "@numba.njit(parallel=True)\n"
    "def f(a):\n"
    "    for i in numba.prange(a.shape[0]):\n"
    "        a[i] = 0.5 * i\n"
    "f(np.empty(1000))\n"
)
WARMUP_COSINE = "fl.Schedule(fl.Cosine(1e-3, 1e-5, 9000), warmup=fl.Warmup(1000))"
# every feature switch of the kernels: a polynomial decay, a blend warmup, integer restarts
EVERY_FEATURE = (
    "fl.Schedule(fl.Polynomial(1e-3, 1e-5, 900, power=0.9), warmup=fl.Warmup(1000, mode='blend'), "
    "restarts=fl.Restarts())"
)
TRIVIAL = "trivial parallel Numba kernel, cold cache (compile)"
SWEEP_100 = (
    "import fastlr as fl; "
    "fl.sweep(fl.grid(lr=[1e-3 * (1 + i / 100) for i in range(100)], warmup=[1000], shape=['cosine'], steps=[9000]), 10000)"
)


def startup_times(readme_job: bool = True) -> dict[str, float]:
    """Fresh processes, each timed from before its imports: ``import fastlr``; the compile of a
    trivial parallel Numba kernel (the yardstick of the cold rows); first tables with an empty
    Numba cache (cold) and a warm one; the README's main job (a CLI sweep of examples/grid.toml)
    in an empty cache."""
    table = "import fastlr as fl, numpy as np; {}.table(10000{})"
    firsts = {
        "first table float64, warmup + cosine": table.format(WARMUP_COSINE, ""),
        "first table float64, every feature": table.format(EVERY_FEATURE, ""),
        "first table float32, warmup + cosine": table.format(WARMUP_COSINE, ", dtype=np.float32"),
        "first table float32, every feature": table.format(EVERY_FEATURE, ", dtype=np.float32"),
        # beyond the interpreter's 32,768 values: the kernel is compiled (or loaded)
        "first sweep float32, 100 warmup + cosine configs x 10,000 steps": SWEEP_100,
    }
    res: dict[str, float] = {}

    def run(code: str, cache: str) -> float:
        timed = f"import time; _t = time.perf_counter()\n{code}\nprint(time.perf_counter() - _t)"
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, FASTLR_COMPILE_NOTICE="0")
        out = subprocess.run([sys.executable, "-c", timed], capture_output=True, text=True, env=env, check=True)
        return float(out.stdout.strip().splitlines()[-1])

    def cold(code: str) -> float:
        with tempfile.TemporaryDirectory() as cache:
            return run(code, cache)

    res["import fastlr"] = statistics.median(cold("import fastlr") for _ in range(5))
    res[TRIVIAL] = cold(TRIVIAL_KERNEL)
    for name, code in firsts.items():
        res[f"{name}, cold cache"] = cold(code)
    with tempfile.TemporaryDirectory() as cache:
        run(SWEEP_100, cache)
        res["first sweep float32, 100 warmup + cosine configs x 10,000 steps, warm cache"] = statistics.median(
            run(SWEEP_100, cache) for _ in range(5)
        )
    if readme_job:
        with tempfile.TemporaryDirectory() as out:
            job = (
                "from fastlr.cli import main\n"
                f"main(['sweep', {str(HERE.parent / 'examples' / 'grid.toml')!r}, '-o', {out + '/sweep.npy'!r}, "
                f"'--summary', {out + '/summary.csv'!r}, '--plot', {out + '/sweep.png'!r}])"
            )
            res["README main job (CLI sweep of examples/grid.toml), cold cache"] = cold(job)
    return res


def startup_ratio(name: str, start: dict[str, float]) -> str:
    """A cold row as a multiple of the trivial kernel's compile (the same run)."""
    if "cold cache" not in name or name == TRIVIAL or TRIVIAL not in start:
        return ""
    return f"{start[name] / start[TRIVIAL]:.2f}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import numba

    versions = f"Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}"
    try:
        import torch

        versions += f", torch {torch.__version__}"
    except ImportError:
        pass
    try:
        import jax

        versions += f", jax {jax.__version__}"
    except ImportError:
        pass
    return f"{os.cpu_count()} x {cpu}{mem}; {versions}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1e3 configs, fewer repeats, do not write RESULTS.md")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--output", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--laws", action="store_true", help="only the loss-laws section (replaced in RESULTS.md)")
    ap.add_argument("--startup", action="store_true", help="only the start-up rows (printed)")
    ap.add_argument("--formula", action="store_true", help="only the users' functions section (replaced)")
    args = ap.parse_args(argv)
    if args.startup:
        print_startup(startup_times())
        return 0
    if args.laws:
        return laws_report(Path(args.output), args.quick)
    if args.formula:
        return formula_report(Path(args.output), args.quick)
    n, t = (1_000, 10_000) if args.quick else (10_000, 10_000)
    reps = 3 if args.quick else args.repeats
    print(f"workload: {n} configs x {t} steps, float32, warmup 0..2000, per-config floors")
    progs = shape_programs(n, t)
    cols = workload(n, t)
    out32 = np.empty((n, t), np.float32)
    out32.fill(1.0)
    rows: list[tuple[str, float, str]] = []

    fill32 = COMPARISONS["floor"](cols, out32)

    # interleave: each repeat times the floor and every shape once
    times: dict[str, list[float]] = {"fill": []}
    for name, prog in progs.items():
        fl.sweep(prog, t, out=out32)  # compile + warm
        times[name] = []
    for _ in range(reps):
        times["fill"].append(median_time(fill32, 1))
        for name, prog in progs.items():
            times[name].append(median_time(lambda p=prog: fl.sweep(p, t, out=out32), 1))
    floor32 = statistics.median(times["fill"])
    thp = huge_page_share(out32)
    rows.append(("np.fill of the output (floor)", floor32, "1.00"))
    targets = {"polynomial": 1.5, "tanh": 3.0, "inverse_sqrt": 1.3}  # issue 17
    for name in progs:
        tm = statistics.median(times[name])
        rows.append((f"fastlr {name} (target <= {targets.get(name, 1.3)}x)", tm, f"{tm / floor32:.2f}"))
    cos = statistics.median(times["cosine"])

    # by dialect: each preset's everyday warmup + decay, built through the preset, same output
    from benchmarks import bench_dialects

    dialects = bench_dialects.measure(n, t, reps, out=out32)

    # float64 output with the fast float64-accurate primitives
    out64 = np.empty((n, t), np.float64)
    out64.fill(1.0)
    fl.sweep(progs["cosine"], t, out=out64, exact=False)  # compile + warm, both builds
    fl.sweep(progs["cosine"], t, out=out64, exact=True)
    f64 = median_time(lambda: out64.fill(0.5), reps)
    c64 = median_time(lambda: fl.sweep(progs["cosine"], t, out=out64, exact=False), reps)
    c64x = median_time(lambda: fl.sweep(progs["cosine"], t, out=out64, exact=True), max(1, reps // 2))
    out64 = None  # release before the next allocation
    rows.append(("np.fill float64 output (floor)", f64, "1.00"))
    rows.append(("fastlr cosine float64, fast primitives (target <= 3x)", c64, f"{c64 / f64:.2f}"))
    rows.append(("fastlr cosine float64, libm primitives", c64x, f"{c64x / f64:.2f}"))

    # fresh allocation (reported separately)
    fresh = median_time(lambda: fl.sweep(progs["cosine"], t), 1)
    rows.append(("fastlr cosine, fresh output allocation", fresh, f"{fresh / floor32:.2f}"))

    # baselines on the cosine workload
    sample = 20 if args.quick else 50
    lam = median_time(COMPARISONS["python"](cols, np.empty((sample, t), np.float32)), 1) * n / sample
    rows.append((f"per-step Python lambda (scaled from {sample} configs)", lam, f"{lam / floor32:.0f}"))
    tch = torch_stepping_time(cols, 2000, 5)
    if tch is not None:
        tch = tch / (5 * 2000) * n * t
        rows.append(("torch LambdaLR stepping SGD (scaled from 5 x 2000 steps)", tch, f"{tch / floor32:.0f}"))
    npy = median_time(COMPARISONS["numpy"](cols, out32), max(1, reps // 2))
    rows.append(("NumPy vectorised float32", npy, f"{npy / floor32:.1f}"))
    jx = jax_time(cols, t, max(1, reps // 2))
    if jx is not None:
        rows.append(("JAX jit(vmap), hand-written", jx, f"{jx / floor32:.1f}"))

    # one long table: 1 config x 1e8 steps (parallel over steps)
    long_t = 10_000_000 if args.quick else 100_000_000
    long_out = np.empty(long_t, np.float32)
    long_out.fill(1.0)
    s = fl.Schedule(fl.Cosine(1e-3, 1e-5, long_t - 10_000), warmup=fl.Warmup(10_000))
    s.table(long_t, dtype=np.float32, out=long_out)
    lf = median_time(lambda: long_out.fill(0.5), reps)
    lt = median_time(lambda: s.table(long_t, dtype=np.float32, out=long_out), reps)
    long_out = None
    rows.append((f"np.fill of one {long_t:.0e}-step table (floor)", lf, "1.00"))
    rows.append((f"fastlr one {long_t:.0e}-step table (target <= 1.5x)", lt, f"{lt / lf:.2f}"))

    # lowering
    big = workload(1_000_000, 1000)
    big["shape"] = np.full(1_000_000, "cosine", dtype=object)
    lower_1e6 = median_time(lambda: fl.lower(big), 3)
    rows.append(("lower 1e6 columnar configs (target < 1 s)", lower_1e6, ""))
    lower_1e4 = median_time(lambda: fl.lower(workload(10_000, 1000)), 5)
    rows.append(("lower 1e4 columnar configs", lower_1e4, ""))
    o = np.empty((1_000_000, 1000), np.float32)
    o.fill(1.0)
    bigp = fl.lower(big)
    fl.sweep(bigp, 1000, out=o)
    fill_big = median_time(lambda: o.fill(0.5), 3)
    sweep_big = median_time(lambda: fl.sweep(bigp, 1000, out=o), 3)
    o = None
    rows.append(("np.fill 1e6 configs x 1e3 steps (floor)", fill_big, "1.00"))
    rows.append(("fastlr sweep 1e6 configs x 1e3 steps (target <= 1.5x)", sweep_big, f"{sweep_big / fill_big:.2f}"))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    start = startup_times()
    width = max(len(r[0]) for r in [*rows, *dialects])
    print(f"\n{'what':<{width}}  {'median s':>10}  {'x floor':>8}")
    for name, tm, ratio in rows:
        print(f"{name:<{width}}  {tm:>10.4f}  {ratio:>8}")
    print("\nby dialect (target <= 1.3x np.fill)")
    for name, tm, ratio in dialects:
        print(f"{name:<{width}}  {tm:>10.4f}  {ratio:>8.2f}")
    print_startup(start, width)
    if load is not None:
        print(f"load average (1 min) at the end of the timings: {load:.2f} on {os.cpu_count()} CPUs")
    if thp is not None:
        print(f"output memory: {100 * thp:.0f} % transparent huge pages")
    print(f"\nfastlr cosine vs Python lambda: {lam / cos:.0f}x faster; vs NumPy: {npy / cos:.1f}x", end="")
    print(f"; vs JAX: {jx / cos:.1f}x" if jx else "")
    if not args.quick:
        write_results(
            Path(args.output), rows, start, n, t, lam / cos, npy / cos, (jx / cos) if jx else None, thp, dialects, load
        )
        formula_report(Path(args.output), False)
        laws_report(Path(args.output), False)
        print(f"wrote {args.output}")
    return 0


def print_startup(start: dict[str, float], width: int = 0) -> None:
    width = max(width, *(len(k) for k in start))
    for k, v in start.items():
        print(f"{k:<{width}}  {v:>10.3f}  {startup_ratio(k, start):>8}")


def laws_report(path: Path, quick: bool) -> int:
    """Measure the loss-laws figures; print them, and (not ``quick``) put the section in ``path``."""
    from benchmarks import bench_laws

    lines = bench_laws.section(bench_laws.measure(1 if quick else 3))
    print("\n".join(lines))
    if not quick:
        text = path.read_text() if path.exists() else "# Benchmark results\n"
        head = text.split("\n## Loss laws", 1)[0].rstrip("\n")
        path.write_text(head + "\n\n" + "\n".join(lines))
    return 0


def formula_report(path: Path, quick: bool) -> int:
    """Measure the users' functions figures; print them, and (not ``quick``) put the section in
    ``path``, before the loss-laws section (which :func:`laws_report` rewrites last)."""
    from benchmarks import bench_formula

    lines = bench_formula.section(bench_formula.measure(1 if quick else 5))
    print("\n".join(lines))
    if not quick:
        text = path.read_text() if path.exists() else "# Benchmark results\n"
        head, laws = text, ""
        if "\n## Loss laws" in text:
            head, laws = text.split("\n## Loss laws", 1)
            laws = "\n## Loss laws" + laws
        head = head.split("\n## Users' functions", 1)[0].rstrip("\n")
        path.write_text(head + "\n\n" + "\n".join(lines) + "\n" + laws)
    return 0


def write_results(
    path: Path,
    rows: list[tuple[str, float, str]],
    start: dict[str, float],
    n: int,
    t: int,
    vs_lambda: float,
    vs_numpy: float,
    vs_jax: float | None,
    thp: float | None = None,
    dialects: list[tuple[str, float, float]] | None = None,
    load: float | None = None,
) -> None:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks.report` (ratios measured in one run; absolute times on a",
        "shared VM are noisy, ratios are what to compare).",
        "",
        f"- Machine: {machine()}",
        f"- Date: {time.strftime('%Y-%m-%d')}",
        f"- Workload: {n} configs x {t} steps, float32 into a pre-touched output, warmup 0..2000,"
        " per-config floors (the ratio column is against `np.fill` of the same output; `np.fill`"
        " writes with one thread, the kernels with all of them, so cheap shapes can come out below 1).",
        "- Output memory: "
        + ("unknown page size" if thp is None else f"{100 * thp:.0f} % transparent huge pages")
        + " (recorded: the page size can change write bandwidth; the OS decides per run).",
        "- Load: "
        + ("not recorded" if load is None else f"1-minute load average {load:.2f} on {os.cpu_count()} CPUs")
        + " at the end of the timings (the machine is shared: a load above the CPU count slows the"
        " two-thread kernels more than the one-thread `np.fill`; compare rows of one run).",
        "",
        "| what | median s | x floor |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {tm:.4f} | {ratio} |" for name, tm, ratio in rows]
    if dialects:
        lines += [
            "",
            "### By dialect",
            "",
            "Each preset's everyday warmup + decay schedule built through the preset as users write it",
            "(`benchmarks/bench_dialects.py`: 64 distinct configs of peak lr, warmup 1..2000 steps and",
            "minimum, tiled to the workload's rows), swept into the same output; target <= 1.3x `np.fill`.",
            "The first fastlr row is the canonical `Schedule(Cosine, warmup=Warmup)` for comparison.",
            "",
            "| preset | median s | x floor |",
            "|---|---:|---:|",
        ]
        lines += [f"| {name} | {tm:.4f} | {ratio:.2f} |" for name, tm, ratio in dialects]
    lines += ["", "| start-up (fresh process, imports included) | s | x trivial compile |", "|---|---:|---:|"]
    lines += [f"| {k} | {v:.3f} | {startup_ratio(k, start)} |" for k, v in start.items()]
    lines += [
        "",
        f"fastlr cosine sweep: {vs_lambda:.0f}x the per-step Python lambda, {vs_numpy:.1f}x NumPy float32"
        + (f", {vs_jax:.1f}x JAX jit(vmap)." if vs_jax else " (JAX not installed in this run)."),
        "",
        "Also: [RESULTS_dask.md](RESULTS_dask.md) (a larger-than-RAM sweep to zarr),",
        "[RESULTS_cuda.md](RESULTS_cuda.md) (GPU figures, when a GPU was available), and",
        "`pytest benchmarks/ --benchmark-only -n 0` (pytest-benchmark suites: kernels, sweeps, torch bridge).",
        "",
    ]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
