"""Loss laws at scale: rank vs sweep, the paper's fitting protocol, the optimised schedule.

    pytest benchmarks/bench_laws.py --benchmark-only -n 0
    python -m benchmarks.report --laws        # the "Loss laws" section of RESULTS.md

The data are the 25M curves of Luo et al. (2025) in tests/data/loss-curves.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np
import pytest

import fastlr as fl
from fastlr.laws import MultiPowerLaw, fit, optimize, rank, score
from tests.laws_data import FIT_ON, NAMES, PUBLISHED, curve, table

N, T = 2000, 24_000


def sweep_configs() -> dict[str, np.ndarray]:
    """2,000 warmup + hold + cosine configs over 24,000 steps (lr x end x warmup x hold)."""
    g = fl.grid(
        lr=np.linspace(1e-4, 1e-3, 40),
        end_ratio=[0.0, 0.1],
        warmup=[0, 500, 1000, 2000, 3000],
        hold=[0, 5000, 10_000, 15_000, 20_000],
    )
    g["steps"] = T - g["warmup"] - g["hold"]
    return g


def _median(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(repeats: int = 3) -> dict[str, Any]:
    """Every figure of the section: rank and sweep times, fits, the optimised schedule."""
    law = MultiPowerLaw(*PUBLISHED)
    prog = fl.lower(sweep_configs())
    out32 = np.empty((N, T), np.float32)
    out64 = np.empty((N, T), np.float64)
    rank(law, prog, T)  # compile + warm
    fl.sweep(prog, T, out=out32)
    fl.sweep(prog, T, out=out64)
    res: dict[str, Any] = {}
    res["rank"] = _median(lambda: rank(law, prog, T), repeats)
    res["sweep32"] = _median(lambda: fl.sweep(prog, T, out=out32), repeats)
    res["sweep64"] = _median(lambda: fl.sweep(prog, T, out=out64), repeats)
    out32 = out64 = np.empty(0)  # release the tables before the fits
    curves = {n: curve(n) for n in NAMES}
    held = [n for n in NAMES if n not in FIT_ON]
    fits = (
        ("mpl", "multi-power", {}),
        ("mpl_lbfgs", "multi-power", {"method": "lbfgs"}),
        ("ann", "annealing", {"warmup": 2160}),
    )
    for name, kind, kw in fits:
        t0 = time.perf_counter()
        fitted = fit([curves[n] for n in FIT_ON], kind, **kw)
        res[f"fit_{name}"] = time.perf_counter() - t0
        scores = [score(fitted, curves[n]) for n in held]
        res[f"fit_{name}_scores"] = {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}
        res[f"fit_{name}_law"] = fitted
    pub = [score(law, curves[n]) for n in held]
    res["published_scores"] = {k: float(np.mean([s[k] for s in pub])) for k in pub[0]}
    opt = optimize(law, T, 3e-4, 2160)
    res["optimize"] = opt
    res["wsd"] = law.final_loss(table("wsd_20000_24000"))
    res["cosine"] = law.final_loss(table("cosine_24000"))
    return res


def section(res: dict[str, Any]) -> list[str]:
    """The "Loss laws" section of RESULTS.md from :func:`measure`'s figures."""
    opt = res["optimize"]
    lines = [
        "## Loss laws (`fastlr.laws`)",
        "",
        "Written by `python -m benchmarks.report --laws` (`benchmarks/bench_laws.py`). Data: the 25M",
        "curves of Luo et al. (2025), tests/data/loss-curves.",
        "",
        "| what | value |",
        "|---|---|",
        f"| `rank` (multi-power law, final loss) of {N:,} configs x {T:,} steps | {res['rank']:.3f} s |",
        f"| `fastlr.sweep` of the same configs, float32 | {res['sweep32']:.3f} s |",
        f"| `fastlr.sweep` of the same configs, float64 | {res['sweep64']:.3f} s |",
        f"| rank / sweep float32 (target <= 3) | {res['rank'] / res['sweep32']:.2f} |",
        f"| rank / sweep float64 | {res['rank'] / res['sweep64']:.2f} |",
    ]
    titles = (
        ("mpl", 'multi-power, `method="paper"` (the reference code\'s procedure)'),
        ("mpl_lbfgs", 'multi-power, `method="lbfgs"` (to convergence)'),
        ("ann", "annealing (lam 0.999, warmup 2160)"),
    )
    for name, title in titles:
        s = res[f"fit_{name}_scores"]
        fitted = res[f"fit_{name}_law"]
        lines.append(
            f"| fit {title} on cosine_24000, constant_24000, wsdcon_9 | {res[f'fit_{name}']:.1f} s, "
            f"objective {fitted.report.objective:.3g}; six held-out curves: R2 {s['r2']:.4f}, "
            f"MAE {s['mae']:.5f}, max rel {s['max_rel']:.5f} |"
        )
    p_fit = res["fit_mpl_law"].vector()
    lines.append(
        '| `method="paper"` parameters (L0, A, alpha, B, C, beta, gamma) against the published ones | '
        + ", ".join(f"{x:.6g}" for x in p_fit)
        + f"; largest relative difference {float(np.max(np.abs(p_fit / np.array(PUBLISHED) - 1))):.1e} |"
    )
    p = res["published_scores"]
    lines += [
        f"| the paper's published fit on the same six (its table: R2 0.9988, MAE 0.00376) | R2 {p['r2']:.4f}, "
        f"MAE {p['mae']:.5f} |",
        f"| `optimize`, published fit, peak 3e-4, 2160-step warmup, 24,000 steps (paper: 3.25795) | "
        f"{opt.final_loss:.5f} in {opt.seconds:.1f} s ({opt.iterations} iterations) |",
        f"| predicted final loss of WSD / cosine (paper: 3.26626 / 3.31519) | {res['wsd']:.5f} / {res['cosine']:.5f} |",
        "",
    ]
    return lines


# ---- pytest-benchmark ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prog() -> fl.Program:
    return fl.lower(sweep_configs())


def test_rank_2000x24000(benchmark, prog):
    law = MultiPowerLaw(*PUBLISHED)
    rank(law, prog, T)
    benchmark.pedantic(rank, args=(law, prog, T), rounds=3)


def test_sweep_2000x24000_float32(benchmark, prog):
    out = np.empty((N, T), np.float32)
    fl.sweep(prog, T, out=out)
    benchmark.pedantic(fl.sweep, args=(prog, T), kwargs={"out": out}, rounds=3)


def test_fit_protocol(benchmark):
    curves = [curve(n) for n in FIT_ON]
    law = benchmark.pedantic(fit, args=(curves,), rounds=1)
    held = [score(law, curve(n)) for n in NAMES if n not in FIT_ON]
    benchmark.extra_info.update({k: float(np.mean([s[k] for s in held])) for k in held[0]})


def test_optimize_24000(benchmark):
    res = benchmark.pedantic(optimize, args=(MultiPowerLaw(*PUBLISHED), T, 3e-4, 2160), rounds=1)
    benchmark.extra_info["final_loss"] = res.final_loss
    assert res.final_loss <= 3.25795
