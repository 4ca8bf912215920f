"""The ``fastlr`` command line (also ``python -m fastlr``). Reference: ``docs/cli.md``.

Commands::

    fastlr table SPEC --steps T [-o out.npy|.csv|.pt|.parquet]
    fastlr sweep CONFIG.{toml,json,yaml} [-o table.npy] [--summary summary.csv] [--plot sweep.png]
                 [--reducer NAME=MODULE:FUNCTION ...] [--color-by COL] [--group-by COL]
    fastlr plot SPEC [SPEC ...] -o lr.png [--steps T] [--log]
    fastlr presets [DIALECT]
    fastlr bench [--configs N] [--steps T]
    fastlr laws {fit,rank,optimize,plot} ...   (loss laws: docs/laws.md)

A SPEC is one schedule, given as

- a file (``.json``, ``.toml``, ``.yaml``/``.yml``) or inline JSON (``'{...}'``) holding a
  schedule's ``to_dict()`` (it has a ``"type"`` key) or a flat config (``fastlr.sweeps.COLUMNS``);
- a dialect call ``module:function,arg,key=value,...`` such as
  ``optax:warmup_cosine_decay_schedule,init_value=0.0,peak_value=1e-3,warmup_steps=100,decay_steps=1000``
  (a module of ``fastlr.presets``; values are Python literals, or bare words taken as strings;
  when ``function`` is not one of the module's names and the module has ``get_scheduler``, it is
  that function's first argument: ``transformers:cosine,num_warmup_steps=100,...``).

Modules: :mod:`~fastlr.cli.spec` (SPECs, data files, ``CLIError``), :mod:`~fastlr.cli.sweepfile`
(sweep config files), :mod:`~fastlr.cli.writers` (output files), :mod:`~fastlr.cli.figures`
(figure layout), :mod:`~fastlr.cli.commands` (one function per command); this module holds the
argument parser and maps exceptions to exit statuses.

Quirks
------
- A flat config without ``steps`` (the decay length) decays over the rest of the table:
  ``steps = T - warmup - hold`` (``T - hold`` for overlay or blend warmups), at least 1. The
  Python API's default is ``steps=1``; the command line knows T, so it fills the table.
- Exit status: 0 on success, 2 for bad arguments, SPECs or config files (the message names the
  field), 1 for a missing optional dependency, memory or file-system errors (a full disk, a
  read-only directory), 130 on Ctrl-C and 143 on SIGTERM. Output files are written atomically
  (see :mod:`~fastlr.cli.writers`): an interrupted or failed run leaves no file under the
  requested name.
- YAML needs PyYAML (not a dependency of fastlr); TOML needs Python >= 3.11 or ``tomli``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import fastlr
from fastlr import _checks as ck
from fastlr._checks import MemoryLimitError
from fastlr.cli import commands, laws
from fastlr.cli.spec import CLIError, MissingDependency, load_data, load_spec
from fastlr.cli.sweepfile import SweepJob, load_sweep

__all__ = ["CLIError", "MissingDependency", "SweepJob", "build_parser", "load_data", "load_spec", "load_sweep", "main"]


def _positive_int(text: str) -> int:
    """An argparse type: an integer >= 1, underscores allowed (``10_000``)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    try:
        return ck.integer("value", value, lo=1)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``fastlr --help``)."""
    parser = argparse.ArgumentParser(
        prog="fastlr",
        description="JIT-compiled learning-rate schedules: tables, sweeps, plots. Reference: docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"fastlr {fastlr.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    spec_help = "a schedule: file (.json/.toml/.yaml), inline JSON, or dialect:function,key=value,..."
    p = sub.add_parser("table", help="one schedule's table", description="Compute one schedule's table.")
    p.add_argument("spec", metavar="SPEC", help=spec_help)
    p.add_argument("--steps", "-T", type=_positive_int, required=True, help="number of steps T")
    p.add_argument("-o", "--output", help="write .npy, .csv (step,lr), .pt (torch) or .parquet (pyarrow)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="default float64")
    p.set_defaults(func=commands.table)

    p = sub.add_parser(
        "sweep",
        help="a grid or list of configs from a file: table, summaries, plot",
        description="Sweep the configs of a TOML/JSON/YAML file (format: docs/cli.md).",
    )
    p.add_argument("config", metavar="CONFIG", help="sweep config file (.toml, .json, .yaml)")
    p.add_argument("-o", "--output", help="table (N, T): .npy (memory-mapped, any size), .csv, .pt, .parquet")
    p.add_argument("--summary", help="per-config summaries with their config columns (.csv)")
    p.add_argument("--plot", help="figure of the sweep (.png, .svg, .pdf; needs matplotlib)")
    p.add_argument("--steps", "-T", type=_positive_int, help="table length T (overrides the file's 'steps')")
    p.add_argument("--dtype", choices=("float32", "float64"), help="table dtype (default: the file's, else float32)")
    p.add_argument(
        "--reducer",
        action="append",
        metavar="NAME=MODULE:FUNCTION",
        help="a custom summary column NAME: FUNCTION(lr) of a module or a .py file (Numba-compilable; repeatable)",
    )
    p.add_argument("--color-by", help="config column colouring the plot's curves (default lr; 'none': band only)")
    p.add_argument(
        "--group-by",
        help="config column grouping the bands panel: a median and 25-75 %% band per value, with a legend",
    )
    p.add_argument("--curves", type=_positive_int, default=200, help="curves drawn when colouring (default 200)")
    scale = p.add_mutually_exclusive_group()
    scale.add_argument(
        "--log",
        dest="log",
        action="store_const",
        const=True,
        default="auto",
        help="logarithmic value axis (default: when the configs' peaks span a decade or more)",
    )
    scale.add_argument("--linear", dest="log", action="store_const", const=False, help="linear value axis")
    p.add_argument("--dpi", type=_positive_int, default=150, help="plot resolution (default 150)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    g.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")
    p.set_defaults(func=commands.sweep)

    p = sub.add_parser("plot", help="plot schedules on one figure", description="Plot one or several schedules.")
    p.add_argument("spec", metavar="SPEC", nargs="+", help=spec_help)
    p.add_argument("-o", "--output", required=True, help="figure file (.png, .svg, .pdf)")
    p.add_argument("--steps", "-T", type=_positive_int, help="steps to plot (default: past the longest schedule)")
    p.add_argument("--log", action="store_true", help="logarithmic value axis")
    p.add_argument("--label", action="append", help="legend label, once per SPEC (default: from the SPEC)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--no-markers", action="store_true", help="no warmup/phase/restart lines")
    p.add_argument("--dpi", type=_positive_int, default=150, help="resolution (default 150)")
    p.set_defaults(func=commands.plot)

    p = sub.add_parser("presets", help="list the dialects and their schedules", description="List the dialects.")
    p.add_argument("dialect", nargs="?", help="show one dialect's functions with their signatures")
    p.set_defaults(func=commands.presets)

    p = sub.add_parser(
        "bench",
        help="quick benchmark: fastlr vs Python lambdas, NumPy and the write floor",
        description="Time a float32 warmup+cosine sweep four ways and print medians and ratios.",
    )
    p.add_argument("--configs", "-N", type=_positive_int, default=1000, help="configs (default 1000)")
    p.add_argument("--steps", "-T", type=_positive_int, default=10_000, help="steps (default 10000)")
    p.add_argument("--repeat", type=_positive_int, default=7, help="timed repeats (default 7)")
    p.add_argument("--python-subset", type=_positive_int, default=20, help="configs timed with Python (default 20)")
    p.set_defaults(func=commands.bench)
    laws.add_parser(sub, _positive_int)
    return parser


class Terminated(BaseException):
    """SIGTERM arrived: unwind (removing partial outputs) and exit with status 143."""


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While running a command, SIGTERM raises :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse exits 2 itself on bad arguments)."""
    args = build_parser().parse_args(argv)
    try:
        with _sigterm_unwinds():
            return int(args.func(args))
    except CLIError as exc:
        print(f"fastlr: error: {exc.render()}", file=sys.stderr)
        return 2
    except MissingDependency as exc:
        print(f"fastlr: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except MemoryLimitError as exc:
        print(f"fastlr: error: {exc} (with `fastlr sweep`, write the table to a .npy file)", file=sys.stderr)
        return 1
    except MemoryError:
        print("fastlr: error: out of memory; compute fewer steps or configs", file=sys.stderr)
        return 1
    except RecursionError:
        print("fastlr: error: the input is nested too deeply to read", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as exc:
        print(f"fastlr: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"fastlr: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fastlr: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("fastlr: terminated", file=sys.stderr)
        return 143
