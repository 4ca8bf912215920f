"""Command line: ``fastlr table SPEC --steps T [-o out.npy|.csv]``.

SPEC is a JSON file or inline JSON holding a schedule's ``to_dict()`` description.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import fastlr


def _load_spec(text: str) -> fastlr.Spec:
    path = Path(text)
    raw = path.read_text() if path.exists() else text
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"SPEC is neither a file nor valid JSON: {exc}") from None
    return fastlr.from_dict(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fastlr", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    tab = sub.add_parser("table", help="one schedule's table")
    tab.add_argument("spec", help="JSON file or inline JSON (a schedule's to_dict())")
    tab.add_argument("--steps", type=int, required=True, help="number of steps T")
    tab.add_argument("-o", "--output", help="write .npy or .csv")
    args = parser.parse_args(argv)
    try:
        spec = _load_spec(args.spec)
        t0 = time.perf_counter()
        values = spec.table(args.steps)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - t0
    except (ValueError, TypeError) as exc:
        print(f"fastlr: error: {exc}", file=sys.stderr)
        return 2
    if args.output:
        out = Path(args.output)
        if out.suffix == ".csv":
            np.savetxt(
                out,
                np.column_stack([np.arange(len(values)), values]),
                delimiter=",",
                header="step,value",
                comments="",
                fmt=["%d", "%.17g"],
            )
        else:
            np.save(out, values)
        print(f"wrote {len(values)} steps to {out}")
    shown = min(len(values), 5)
    for i in range(shown):
        print(f"{i}\t{float(values[i])!r}")
    if len(values) > shown:
        print(f"...\n{len(values) - 1}\t{float(values[-1])!r}")
    print(f"{len(values)} steps in {elapsed * 1e3:.1f} ms (including compilation on first use)")
    return 0
