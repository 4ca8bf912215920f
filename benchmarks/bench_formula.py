"""Users' functions (``fastlr.Formula``) against the per-step Python call, beside built-in shapes.

    python -m benchmarks.bench_formula           # print the figures
    python -m benchmarks.report --formula        # the "Users' functions" section of RESULTS.md

Warm timings (each function compiled before timing), medians of interleaved repeats:

- one table of ``T = 1e6`` steps: ``Formula(fn, ...).table(T)`` (float64) against
  ``[fn(t, ...) for t in range(T)]`` (the per-step call ``LambdaLR`` makes), and the built-in
  ``Cosine`` of the same curve;
- a sweep of ``N = 10,000`` parameter sets of one function over ``1,000`` steps (one batch, one
  compile: the parameters are columns), float32 and float64, against the per-step lambda (run
  on a subset of configs and scaled) and the built-in ``Cosine`` sweep.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import fastlr as fl
from fastlr._bench import median_time

T_TABLE = 1_000_000
N_SWEEP, T_SWEEP = 10_000, 1_000
SUBSET = 100


def cosine(t, total, floor):
    """A cosine decay with a floor, as a LambdaLR lambda."""
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * min(t, total) / total))


def measure(repeats: int = 5) -> dict[str, Any]:
    """The figures (seconds, medians of ``repeats``)."""
    res: dict[str, Any] = {}
    f = fl.Formula(cosine, total=T_TABLE, floor=0.01)
    builtin = fl.Cosine(1.0, 0.01, T_TABLE)
    out = np.empty(T_TABLE)
    f.table(T_TABLE, out=out)
    builtin.table(T_TABLE, out=out)
    res["table_formula"] = median_time(lambda: f.table(T_TABLE, out=out), repeats)
    res["table_builtin"] = median_time(lambda: builtin.table(T_TABLE, out=out), repeats)
    res["table_python"] = median_time(lambda: [cosine(t, T_TABLE, 0.01) for t in range(T_TABLE)], max(1, repeats // 2))

    rng = np.random.default_rng(0)
    totals = rng.integers(200, T_SWEEP, N_SWEEP)
    floors = rng.uniform(0.0, 0.1, N_SWEEP)
    formulas = [fl.Formula(cosine, total=int(n), floor=float(m)) for n, m in zip(totals, floors)]
    shapes = [fl.Cosine(1.0, float(m), int(n)) for n, m in zip(totals, floors)]
    pf, pb = fl.lower(formulas), fl.lower(shapes)
    for dt in (np.float32, np.float64):
        o = np.empty((N_SWEEP, T_SWEEP), dt)
        fl.sweep(pf, T_SWEEP, out=o)
        fl.sweep(pb, T_SWEEP, out=o)
        name = np.dtype(dt).name
        res[f"sweep_formula_{name}"] = median_time(lambda o=o: fl.sweep(pf, T_SWEEP, out=o), repeats)
        res[f"sweep_builtin_{name}"] = median_time(lambda o=o: fl.sweep(pb, T_SWEEP, out=o), repeats)

    def per_step() -> None:
        for n, m in zip(totals[:SUBSET], floors[:SUBSET]):
            [cosine(t, int(n), float(m)) for t in range(T_SWEEP)]

    res["sweep_python"] = median_time(per_step, max(1, repeats // 2)) * (N_SWEEP / SUBSET)
    res["lower_formulas"] = median_time(lambda: fl.lower(formulas), max(1, repeats // 2))
    return res


def section(res: dict[str, Any]) -> list[str]:
    """The "Users' functions" section of RESULTS.md."""
    py_t, py_s = res["table_python"], res["sweep_python"]
    rows = [
        (f"per-step Python `[fn(t) for t in range({T_TABLE:,})]`", py_t, py_t),
        (f"`Formula(fn).table({T_TABLE:,})` float64", res["table_formula"], py_t),
        (f"built-in `Cosine(...).table({T_TABLE:,})` float64", res["table_builtin"], py_t),
        (f"per-step Python lambda, {N_SWEEP:,} configs x {T_SWEEP:,} (scaled from {SUBSET})", py_s, py_s),
        (f"`fastlr.sweep` of {N_SWEEP:,} Formulas of one fn, float32", res["sweep_formula_float32"], py_s),
        (f"`fastlr.sweep` of {N_SWEEP:,} Formulas of one fn, float64", res["sweep_formula_float64"], py_s),
        (f"`fastlr.sweep` of {N_SWEEP:,} built-in Cosines, float32", res["sweep_builtin_float32"], py_s),
        (f"`fastlr.sweep` of {N_SWEEP:,} built-in Cosines, float64", res["sweep_builtin_float64"], py_s),
    ]
    lines = [
        "## Users' functions (`fastlr.Formula`)",
        "",
        "Written by `python -m benchmarks.report --formula` (`benchmarks/bench_formula.py`): a cosine with",
        "a floor written as a Python function of `(t, total, floor)`, warm (compiled before timing).",
        "Target: >= 30x the per-step Python call for the table and for the sweep.",
        "",
        "| what | median s | x faster than per-step Python |",
        "|---|---:|---:|",
    ]
    for name, tm, base in rows:
        lines.append(f"| {name} | {tm:.4f} | {base / tm:.1f} |")
    lines.append(f"| lowering {N_SWEEP:,} Formula objects (`fastlr.lower`) | {res['lower_formulas']:.4f} | |")
    return lines


def main() -> int:
    print("\n".join(section(measure())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
