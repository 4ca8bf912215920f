"""``fastlr laws``: fit a loss law to CSV curves, rank a sweep, optimise a schedule, plot.

Commands::

    fastlr laws fit CURVE.csv [CURVE.csv ...] [--spec SPEC ...] [--law multi-power|annealing] [-o law.json]
    fastlr laws rank LAW.json SWEEP.{toml,json,yaml} [--steps T] [--top K] [-o ranked.csv]
    fastlr laws optimize LAW.json --steps T --peak LR --warmup W [-o schedule.csv] [--plot fig.png]
    fastlr laws plot LAW.json CURVE.csv [CURVE.csv ...] [--spec SPEC ...] -o fig.png

A curve file is a CSV with a header: ``step,lr,loss`` (the lr between logged steps is linear
interpolation, and before the first logged step linear from 0 at step 0: give ``--spec`` for
the exact table), or ``step,loss`` with one ``--spec SPEC`` per file (in order). A law file is
the JSON ``fit -o`` writes: ``{"law": "multi-power", "L0": ..., ...}`` (``report`` is ignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from fastlr._spec import Schedulable
from fastlr.cli.spec import CLIError, load_spec
from fastlr.cli.sweepfile import load_sweep, lower_job
from fastlr.cli.writers import check_output

__all__ = ["add_parser", "read_curve"]

FIGURES = (".png", ".svg", ".pdf")


def read_curve(path: str, spec: str | None) -> Any:
    """A :class:`fastlr.laws.Curve` from a CSV (``step,lr,loss`` or ``step,loss`` + SPEC)."""
    from fastlr.laws import Curve

    try:
        with open(path, newline="") as fh:
            reader = csv.DictReader(fh)
            fields = [f.strip() for f in (reader.fieldnames or [])]
            rows = [{k.strip(): v for k, v in r.items() if k is not None} for r in reader]
    except OSError as exc:
        raise CLIError(f"curve file {path!r}: {exc.strerror or exc}") from None
    if "step" not in fields or "loss" not in fields:
        raise CLIError(f"curve file {path!r}: needs the columns step,loss (and lr, or a --spec); got {fields}")
    try:
        steps = np.array([int(float(r["step"])) for r in rows], dtype=np.int64)
        loss = np.array([float(r["loss"]) for r in rows])
        lr_col = np.array([float(r["lr"]) for r in rows]) if "lr" in fields else None
    except (TypeError, ValueError) as exc:
        raise CLIError(f"curve file {path!r}: a value is not a number ({exc})") from None
    if steps.size == 0:
        raise CLIError(f"curve file {path!r}: no rows")
    T = int(steps.max()) + 1
    if spec is not None:
        sched = load_spec(spec)
        if not isinstance(sched, Schedulable):
            raise CLIError(f"--spec {spec!r} is not one schedule")
        table = np.asarray(sched.table(T, dtype=np.float64))
    elif lr_col is not None:
        order = np.argsort(steps)
        xs, ys = steps[order], lr_col[order]
        if xs[0] > 0:
            xs, ys = np.concatenate([[0], xs]), np.concatenate([[0.0], ys])
        table = np.interp(np.arange(T), xs, ys)
    else:
        raise CLIError(f"curve file {path!r} has no lr column: give its schedule with --spec")
    try:
        return Curve(steps, loss, table, name=Path(path).stem)
    except ValueError as exc:
        raise CLIError(f"curve file {path!r}: {exc}") from None


def _curves(files: list[str], specs: list[str] | None) -> list[Any]:
    if specs and len(specs) != len(files):
        raise CLIError(f"--spec given {len(specs)} time(s) for {len(files)} curve file(s); give one per file")
    return [read_curve(f, specs[i] if specs else None) for i, f in enumerate(files)]


def _load_law(path: str) -> Any:
    from fastlr.cli.spec import load_data
    from fastlr.laws import from_dict

    data = load_data(path)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "report"}
    try:
        return from_dict(data)
    except (TypeError, ValueError) as exc:
        raise CLIError(f"law file {path!r}: {exc}") from None


def fit(args: argparse.Namespace) -> int:
    """Fit a law to the curve files; print it and its scores; write JSON with ``-o``."""
    from fastlr.laws import fit as fit_law
    from fastlr.laws import score

    out = check_output(args.output, (".json",), "-o")
    curves = _curves(args.curves, args.spec)
    law = fit_law(curves, args.law, lam=args.lam, warmup=args.warmup)
    r = law.report
    print(f"{law.name} law fitted on {len(curves)} curve(s) in {r.seconds:.1f} s ({r.iterations} iterations):")
    for k, v in r.params.items():
        print(f"  {k:6s} = {v:.10g}")
    print(f"  objective {r.objective:.6g} (Huber, delta {r.delta:g}, on log residuals); {r.message}")
    for c in curves:
        s = score(law, c)
        print(f"  {c.name}: R2 {s['r2']:.5f}  MAE {s['mae']:.5f}  max rel {s['max_rel']:.5f}")
    if out is not None:
        doc = {**law.to_dict(), "report": {"objective": r.objective, "converged": r.converged, "message": r.message}}
        out.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"fit: wrote {out}")
    return 0


def rank(args: argparse.Namespace) -> int:
    """Predict every config's final loss; print the best ``--top`` and write all with ``-o``."""
    from fastlr.laws import rank as rank_sweep

    law = _load_law(args.law_file)
    out = check_output(args.output, (".csv",), "-o")
    job = load_sweep(args.config, args.steps)
    prog = lower_job(job, args.config)
    t0 = time.perf_counter()
    final = rank_sweep(law, prog, job.steps)
    took = time.perf_counter() - t0
    order = np.argsort(final, kind="stable")
    print(f"rank: {prog.n_rows:,} configs x {job.steps:,} steps in {took:.2f} s; best {min(args.top, prog.n_rows)}:")
    for place, i in enumerate(order[: args.top], 1):
        cfg = prog.config(int(i))
        if job.axes:  # a grid: the axes say which configs these are
            cfg = {k: cfg[k] for k in job.axes if k in cfg}
        desc = json.dumps(cfg, separators=(",", ":"), default=str)
        print(f"  {place:3d}. row {int(i)}  loss {final[i]:.5f}  {desc}")
    if out is not None:
        with out.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["rank", "row", "loss", "config"])
            for place, i in enumerate(order, 1):
                w.writerow([place, int(i), repr(float(final[i])), json.dumps(prog.config(int(i)), default=str)])
        print(f"rank: wrote {out}")
    return 0


def _references(T: int, peak: float, head: np.ndarray) -> dict[str, np.ndarray]:
    """WSD (constant, then a geometric decay to peak/10 over the last sixth) and cosine to peak/10."""
    W = head.size
    n = T - W
    t = np.arange(n)
    cos = peak / 10 + (peak - peak / 10) * (1 + np.cos(np.pi * t / n)) / 2
    wsd = np.full(n, peak)
    d = T // 6
    u = np.arange(T - d, T)
    wsd[T - d - W :] = peak ** ((T - u) / d) * (peak / 10) ** ((u - (T - d)) / d)
    return {"WSD": np.concatenate([head, wsd]), "cosine": np.concatenate([head, cos])}


def optimize(args: argparse.Namespace) -> int:
    """Optimise a schedule for the law; print its predicted loss beside WSD and cosine."""
    from fastlr.laws import optimize as optimize_schedule

    law = _load_law(args.law_file)
    out = check_output(args.output, (".csv", ".npy"), "-o")
    fig = check_output(args.plot, FIGURES, "--plot")
    if args.warmup >= args.steps:
        raise CLIError(f"--warmup {args.warmup} leaves no steps of --steps {args.steps} to optimise")
    res = optimize_schedule(law, args.steps, args.peak, args.warmup, maxiter=args.maxiter)
    refs = _references(args.steps, args.peak, res.lr[: args.warmup])
    print(f"optimize: predicted final loss {res.final_loss:.5f} in {res.seconds:.1f} s ({res.iterations} iterations)")
    for name, table in refs.items():
        print(f"  {name:7s} {law.final_loss(table):.5f}")
    if out is not None:
        if out.suffix.lower() == ".npy":
            np.save(out, res.lr)
        else:
            np.savetxt(
                out,
                np.column_stack([np.arange(res.lr.size), res.lr]),
                delimiter=",",
                header="step,lr",
                comments="",
                fmt=["%d", "%.17g"],
            )
        print(f"optimize: wrote {out}")
    if fig is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        f, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
        for name, table in {"optimised": res.lr, **refs}.items():
            a1.plot(table, label=name, lw=1.2)
            a2.plot(np.arange(1, table.size), law.predict(table), label=f"{name}: {law.final_loss(table):.4f}", lw=1)
        a1.set(xlabel="step", ylabel="lr", title="schedules")
        a2.set(xlabel="step", ylabel="predicted loss", title=f"{law.name} law", ylim=(None, None))
        lo = min(law.final_loss(t) for t in (res.lr, *refs.values()))
        a2.set_ylim(lo - 0.02, lo + 0.5)
        a1.legend()
        a2.legend()
        f.tight_layout()
        f.savefig(fig, dpi=args.dpi)
        plt.close(f)
        print(f"optimize: wrote {fig}")
    return 0


def plot(args: argparse.Namespace) -> int:
    """Predicted against logged loss for each curve file."""
    out = check_output(args.output, FIGURES, "-o")
    assert out is not None
    law = _load_law(args.law_file)
    curves = _curves(args.curves, args.spec)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f, ax = plt.subplots(figsize=(7, 4.5))
    for c in curves:
        (line,) = ax.plot(c.steps, c.loss, ".", ms=3, label=f"{c.name} (logged)")
        ax.plot(c.steps, law.predict(c.lr, c.steps), "-", color=line.get_color(), lw=1)
    ax.set(xlabel="step", ylabel="loss", title=f"{law.name} law: lines predicted, dots logged")
    ax.legend(fontsize=7)
    f.tight_layout()
    f.savefig(out, dpi=args.dpi)
    plt.close(f)
    print(f"plot: wrote {out} ({len(curves)} curve(s))")
    return 0


def add_parser(sub: Any, positive_int: Any) -> None:
    """Register ``fastlr laws`` and its subcommands on the main parser's subparsers."""
    p = sub.add_parser(
        "laws",
        help="loss laws: fit curves, rank a sweep, optimise a schedule, plot",
        description="Loss laws (multi-power, annealing): fit, rank, optimize, plot. Guide: docs/laws.md.",
    )
    lsub = p.add_subparsers(dest="laws_command", required=True, metavar="SUBCOMMAND")
    spec_help = "the schedule of each curve file, in order (for step,loss files, or an exact lr table)"

    q = lsub.add_parser("fit", help="fit a law to CSV curves", description="Fit a law to CSV loss curves.")
    q.add_argument("curves", metavar="CURVE", nargs="+", help="CSV with step,lr,loss or step,loss")
    q.add_argument("--spec", action="append", help=spec_help)
    q.add_argument("--law", choices=("multi-power", "annealing"), default="multi-power")
    q.add_argument("--lam", type=float, default=0.999, help="annealing law's momentum factor (default 0.999)")
    q.add_argument("--warmup", type=int, default=0, help="annealing law: warmup steps left out of S2")
    q.add_argument("-o", "--output", help="write the fitted law (.json)")
    q.set_defaults(func=fit)

    q = lsub.add_parser("rank", help="rank a sweep file's configs", description="Rank configs by predicted loss.")
    q.add_argument("law_file", metavar="LAW", help="law JSON (from fit -o)")
    q.add_argument("config", metavar="CONFIG", help="sweep config file (.toml, .json, .yaml; docs/cli.md)")
    q.add_argument("--steps", "-T", type=positive_int, help="run length T (overrides the file's 'steps')")
    q.add_argument("--top", type=positive_int, default=10, help="configs printed (default 10)")
    q.add_argument("-o", "--output", help="all configs ranked (.csv)")
    q.set_defaults(func=rank)

    q = lsub.add_parser("optimize", help="optimise a schedule", description="Minimise the predicted final loss.")
    q.add_argument("law_file", metavar="LAW", help="law JSON (from fit -o)")
    q.add_argument("--steps", "-T", type=positive_int, required=True, help="run length T")
    q.add_argument("--peak", type=float, required=True, help="peak lr (after the warmup)")
    q.add_argument("--warmup", type=int, default=0, help="linear warmup steps, linspace(0, peak, W)")
    q.add_argument("--maxiter", type=positive_int, default=3000, help="L-BFGS iterations (default 3000)")
    q.add_argument("-o", "--output", help="the schedule (.csv step,lr or .npy)")
    q.add_argument("--plot", help="figure: the schedule beside WSD and cosine, and their predicted losses")
    q.add_argument("--dpi", type=positive_int, default=150)
    q.set_defaults(func=optimize)

    q = lsub.add_parser("plot", help="predicted vs logged loss", description="Plot predicted against logged loss.")
    q.add_argument("law_file", metavar="LAW", help="law JSON (from fit -o)")
    q.add_argument("curves", metavar="CURVE", nargs="+", help="CSV with step,lr,loss or step,loss")
    q.add_argument("--spec", action="append", help=spec_help)
    q.add_argument("-o", "--output", required=True, help="figure file (.png, .svg, .pdf)")
    q.add_argument("--dpi", type=positive_int, default=150)
    q.set_defaults(func=plot)
