"""The steps ``fastlr sweep`` runs on threads (:class:`fastlr.cli.notice.Background`): values and
exceptions handed back to the waiting thread, cancelling, and the outputs a failed or cancelled
step leaves (none under the requested name); matplotlib found but imported only on use."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import threading

import numpy as np
import pytest

import fastlr
from fastlr import cli
from fastlr.cli import commands
from fastlr.cli.notice import Background, Cancelled
from fastlr.cli.writers import write_summary

ROOT = pathlib.Path(__file__).resolve().parents[1]
GRID = 'steps = 200\nthreshold = 2e-4\n[grid]\nlr = [1e-4, 1e-3]\nwarmup = [0, 20, 40]\nshape = ["cosine", "sqrt"]\n'


def _grid(tmp_path: pathlib.Path) -> pathlib.Path:
    cfg = tmp_path / "g.toml"
    cfg.write_text(GRID)
    return cfg


def _files(d: pathlib.Path) -> list[str]:
    """Every name in ``d``, hidden temporary files included."""
    return sorted(os.listdir(d))


# ---- Background --------------------------------------------------------------------------------


def test_background_returns_the_value_and_runs_on_another_thread():
    main = threading.get_ident()
    bg = Background(lambda stop, a, b: (a + b, threading.get_ident()), 2, 3)
    value, ident = bg.result()
    assert value == 5 and ident != main
    assert bg.result() == (5, ident)  # waiting again: the same value


def test_background_reraises_the_steps_exception_in_the_waiting_thread():
    def fails(stop):
        raise ValueError("threshold: must be finite, got nan")

    bg = Background(fails)
    with pytest.raises(ValueError, match="threshold: must be finite") as info:
        bg.result()
    # the traceback reaches into the step (where it was raised), not only the waiting line
    assert any(frame.name == "fails" for frame in __import__("traceback").extract_tb(info.value.__traceback__))


def test_background_cancel_stops_a_step_that_checks():
    started = threading.Event()

    def waits(stop):
        started.set()
        stop.wait(10.0)
        Background.check(stop)
        return "finished"

    bg = Background(waits)
    assert started.wait(5.0)
    bg.cancel()
    assert bg.stop.is_set()
    assert bg.result() is None  # the Cancelled of the step is dropped by cancel()
    with pytest.raises(Cancelled):
        Background.check(bg.stop)


def test_cancelled_summary_leaves_no_file(tmp_path):
    configs = fastlr.grid(lr=[1e-4, 1e-3], warmup=[0, 20], shape=["cosine"], steps=[100])
    prog = fastlr.lower(configs)
    summary = fastlr.summarize(prog, 120)
    out = tmp_path / "s.csv"
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        write_summary(out, prog, summary, before_rename=lambda: Background.check(stop))
    assert _files(tmp_path) == []  # neither s.csv nor its temporary file
    assert write_summary(out, prog, summary, before_rename=lambda: None) == 1 + len(prog.columns()) + len(summary)
    assert _files(tmp_path) == ["s.csv"]


# ---- fastlr sweep: the summaries beside the figure -------------------------------------------------


def test_sweep_outputs_are_those_of_one_step_after_the_other(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    cfg = _grid(tmp_path)
    out, summ, fig = tmp_path / "t.npy", tmp_path / "s.csv", tmp_path / "p.png"
    code = cli.main(["sweep", str(cfg), "-o", str(out), "--summary", str(summ), "--plot", str(fig), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0
    assert _files(tmp_path) == ["g.toml", "p.png", "s.csv", "t.npy"]
    # printed in the order of the steps: table, summaries, figure
    assert printed.index("table: wrote") < printed.index("summaries: wrote") < printed.index("plot: wrote")
    prog = commands.lower_job(commands.load_sweep(str(cfg), None, None), str(cfg))
    expected = fastlr.summarize(prog, 200, threshold=2e-4)
    text = summ.read_text().splitlines()
    assert len(text) == 1 + prog.n_rows
    np.testing.assert_array_equal([float(line.split(",")[-3]) for line in text[1:]], expected["mean"])


def test_sweep_failed_summary_leaves_no_summary_and_no_figure(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    cfg = _grid(tmp_path)
    real = fastlr.summarize

    def failing(prog, T, **kwargs):
        if T > 1:  # the kernel's warm-up call (T = 1) passes
            raise ValueError("threshold: made to fail")
        return real(prog, T, **kwargs)

    monkeypatch.setattr(fastlr, "summarize", failing)
    summ, fig = tmp_path / "s.csv", tmp_path / "p.png"
    code = cli.main(["sweep", str(cfg), "-o", str(tmp_path / "t.npy"), "--summary", str(summ), "--plot", str(fig)])
    err = capsys.readouterr().err
    assert code == 2 and "threshold: made to fail" in err and "Traceback" not in err
    assert _files(tmp_path) == ["g.toml", "t.npy"]  # the table (written first) only: no partial files


def test_sweep_failed_figure_still_writes_the_summary(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    cfg = _grid(tmp_path)

    def broken(path, *args):
        pathlib.Path(path).write_bytes(b"half a png")
        raise ValueError("--color-by: made to fail")

    monkeypatch.setattr(commands, "sweep_figure", broken)
    summ, fig = tmp_path / "s.csv", tmp_path / "p.png"
    code = cli.main(["sweep", str(cfg), "--summary", str(summ), "--plot", str(fig)])
    captured = capsys.readouterr()
    assert code == 2 and "--color-by: made to fail" in captured.err
    assert "summaries: wrote" in captured.out and "plot: wrote" not in captured.out
    assert _files(tmp_path) == ["g.toml", "s.csv"]  # the summaries, complete; no figure, no partial file


def test_sweep_interrupted_while_drawing_leaves_no_partial_files(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    cfg = _grid(tmp_path)

    def interrupted(path, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "sweep_figure", interrupted)
    code = cli.main(["sweep", str(cfg), "--summary", str(tmp_path / "s.csv"), "--plot", str(tmp_path / "p.png")])
    assert code == 130
    # the summaries were cancelled, or had already been written whole: nothing partial either way
    assert _files(tmp_path) in (["g.toml"], ["g.toml", "s.csv"])
    if (tmp_path / "s.csv").exists():
        assert len((tmp_path / "s.csv").read_text().splitlines()) == 13


def test_sweep_matplotlib_failing_to_import_stops_before_any_output(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    cfg = _grid(tmp_path)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # found, but fails to import
    args = ["sweep", str(cfg), "-o", str(tmp_path / "t.npy"), "--summary", str(tmp_path / "s.csv")]
    code = cli.main([*args, "--plot", str(tmp_path / "p.png")])
    assert code == 1
    assert "plotting needs matplotlib: pip install 'fastlr-sched[plot]'" in capsys.readouterr().err
    assert _files(tmp_path) == ["g.toml"]


def test_checking_a_figure_path_does_not_import_matplotlib(tmp_path):
    pytest.importorskip("matplotlib")
    code = (
        "import sys; from fastlr.cli.writers import check_output; "
        f"check_output({str(tmp_path / 'p.png')!r}, ('.png',), '--plot'); "
        "print('matplotlib' in sys.modules)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


# ---- compiling with fewer garbage collections ------------------------------------------------------


def test_compiles_collect_garbage_less_often(monkeypatch):
    import gc

    from fastlr.kernels import cpu

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with cpu.fewer_collections():
            assert gc.get_threshold() == cpu.COMPILE_GC_THRESHOLD
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(50_000, 5, 30)  # thresholds set higher already stay
        with pytest.raises(RuntimeError), cpu.fewer_collections():
            assert gc.get_threshold() == (50_000, 20, 30)
            raise RuntimeError
        assert gc.get_threshold() == (50_000, 5, 30)
        seen = []
        monkeypatch.setattr(cpu, "_compile_empty", lambda *args: seen.append(gc.get_threshold()))
        cpu._empty_call(False, 1, "fill_rows", "float32")  # what the child of compile_in_child runs
        assert seen == [(50_000, 20, 30)]
    finally:
        gc.set_threshold(*before)
