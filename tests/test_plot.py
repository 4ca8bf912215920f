"""fastlr.plot: the drawn data and markers, and figure files written by the command line
(decodable, sensible size, not blank). What is marked, without matplotlib: test_inspect.py."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import fastlr
from fastlr import cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "warmup_cosine.json")

WSD = fastlr.Schedule(
    fastlr.Join([fastlr.Constant(3e-4), fastlr.Linear(3e-4, 0.0, 2000)], [6000]), warmup=fastlr.Warmup(500)
)
COSINE = fastlr.Schedule(fastlr.Cosine(3e-4, 3e-6, 9000), warmup=fastlr.Warmup(1000))


@pytest.fixture
def mpl():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield matplotlib
    plt.close("all")


# ---- drawing ---------------------------------------------------------------------------------


def test_plot_schedule_draws_the_table_and_markers(mpl):
    from fastlr.plot import plot_schedule

    ax = plot_schedule(WSD, steps=9000)
    (line,) = ax.get_lines()[:1]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(9000))
    np.testing.assert_array_equal(line.get_ydata(), WSD.table(9000))
    marks = sorted(float(m.get_xdata()[0]) for m in ax.get_lines()[1:])
    assert marks == [500.0, 6500.0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Constant → Linear, linear warmup 500", "warmup end", "phase boundary"]
    plot_schedule(COSINE, ax=ax, steps=9000, label="cos", log=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == [labels[0], "cos"]
    assert ax.get_yscale() == "log"


def test_restart_markers_are_the_cycle_starts(mpl):
    from fastlr.inspect import cycle_starts
    from fastlr.plot import plot_schedule

    sched = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 100), restarts=fastlr.Restarts(cycles=2.7), warmup=fastlr.Warmup(9))
    ax = plot_schedule(sched, steps=300)
    marks = sorted(float(m.get_xdata()[0]) for m in ax.get_lines()[1:])
    assert marks == [9.0, *cycle_starts(sched, 300)]
    assert cycle_starts(sched, 300) == [47, 84, 121, 158, 195, 232, 269]  # 9 + ceil(k * 100 / 2.7)


def test_plot_schedule_set_and_errors(mpl):
    from fastlr.plot import plot_schedule

    s = fastlr.ScheduleSet(
        {"lr": [fastlr.Linear(1.0, 0.0, 10), fastlr.Constant(0.5)], "momentum": [fastlr.Constant(0.9)]}
    )
    ax = plot_schedule(s, steps=12, markers=False)
    assert [ln.get_label() for ln in ax.get_lines()] == ["lr[0]", "lr[1]", "momentum"]
    with pytest.raises(ValueError, match="steps: cannot infer how many steps"):
        plot_schedule(fastlr.StepDecay(1.0, 10, 0.5))
    with pytest.raises(ValueError, match="steps must be >= 1, got 0"):
        plot_schedule(COSINE, steps=0)
    with pytest.raises(TypeError, match="expected a fastlr schedule"):
        plot_schedule({"lr": 1.0})


def test_plot_sweep_band_and_colours(mpl):
    from matplotlib.collections import LineCollection, PolyCollection

    from fastlr.inspect import sample_table
    from fastlr.plot import plot_sweep

    cols = fastlr.grid(lr=[1e-4, 1e-3, 1e-2], warmup=[0, 20], shape=["cosine", "linear"], steps=80)
    x, values = sample_table(cols, 100, max_points=30)
    assert x[0] == 0 and x[-1] == 99 and len(x) == 30
    np.testing.assert_array_equal(values, fastlr.sweep(cols, 100)[:, x])
    ax = plot_sweep(cols, 100, band=[(5, 95), (25, 75)])
    fills = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(fills) == 3  # range + two bands
    median = ax.get_lines()[0]
    np.testing.assert_allclose(median.get_ydata(), np.median(fastlr.sweep(cols, 100).astype(np.float64), axis=0))
    ax = plot_sweep(cols, 100, color_by="lr", max_curves=5)
    (lc,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lc.get_segments()) == 5
    assert type(lc.norm).__name__ == "LogNorm"  # positive over two decades
    ax = plot_sweep(cols, 100, color_by="shape")
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"shape=cosine", "shape=linear"}
    table = fastlr.sweep(cols, 100)
    ax = plot_sweep(table, color_by=np.arange(12), band=None)
    ax = plot_sweep(values, x=x, color_by="warmup", columns=cols)
    assert ax.get_title() == "12 configs, coloured by warmup"


def test_log_axis_when_peaks_span_decades(mpl, tmp_path, monkeypatch):
    import fastlr.plot
    from fastlr.plot import plot_sweep, spans_decades

    assert spans_decades([[0.0, 1e-4, 0.0], [0.0, 3e-3, 1e-3]])  # peaks 1e-4 and 3e-3: 30x
    assert not spans_decades([[0.0, 1e-3, 0.0], [5e-4, 2e-4, 0.0]])  # 2x; the zeros do not count
    assert not spans_decades(np.zeros((3, 4))) and spans_decades([1.0, 0.1]) is False  # one curve
    cols = fastlr.grid(lr=[1e-4, 1e-3], warmup=[0, 20], steps=80)
    assert plot_sweep(cols, 100, log="auto").get_yscale() == "log"
    assert plot_sweep(fastlr.grid(lr=[1e-3, 5e-3], steps=80), 100, log="auto").get_yscale() == "linear"
    with pytest.raises(ValueError, match="log must be True, False or 'auto', got 'yes'"):
        plot_sweep(cols, 100, log="yes")
    # fastlr sweep --plot: log by default for such a grid; --linear and --log force the axis
    seen = []
    real = fastlr.plot.plot_sweep
    monkeypatch.setattr(fastlr.plot, "plot_sweep", lambda *a, **k: seen.append(k["log"]) or real(*a, **k))
    cfg = tmp_path / "g.json"
    cfg.write_text(json.dumps({"steps": 100, "grid": {"lr": [1e-4, 1e-3], "warmup": [0, 20], "steps": [80]}}))
    for flag, want in ((None, True), ("--linear", False), ("--log", True)):
        seen.clear()
        args = ["sweep", str(cfg), "--plot", str(tmp_path / "s.png")] + ([flag] if flag else [])
        assert cli.main(args) == 0
        assert seen == [want, want]  # both panels
    cfg.write_text(json.dumps({"steps": 100, "grid": {"lr": [1e-3, 2e-3], "steps": [80]}}))
    seen.clear()
    assert cli.main(["sweep", str(cfg), "--plot", str(tmp_path / "s.png")]) == 0 and seen == [False, False]


def test_warmup_written_as_a_join_is_labelled_a_warmup():
    import fastlr.presets.optax as ox
    from fastlr.inspect import describe

    s = ox.warmup_cosine_decay_schedule(init_value=0.0, peak_value=3e-4, warmup_steps=500, decay_steps=10000)
    assert describe(s) == "Cosine, linear warmup 500"  # was "Polynomial → Cosine"
    rising = fastlr.Join([fastlr.Polynomial(0.0, 1.0, 10, power=2.0), fastlr.Constant(1.0)], [10])
    assert describe(rising) == "Constant, polynomial warmup 10"
    assert describe(fastlr.Join([fastlr.Constant(1.0), fastlr.Linear(1.0, 0.0, 9)], [10])) == "Constant → Linear"


def test_plot_sweep_errors(mpl):
    from fastlr.plot import plot_sweep

    cols = {"lr": [0.1, 0.2], "steps": 10}
    with pytest.raises(ValueError, match="steps: give the number of steps"):
        plot_sweep(cols)
    with pytest.raises(ValueError, match="band percentiles must satisfy"):
        plot_sweep(cols, 10, band=(95, 5))
    with pytest.raises(ValueError, match="color_by='nope' is not a config column; columns: lr"):
        plot_sweep(cols, 10, color_by="nope")
    with pytest.raises(ValueError, match="color_by must be a column name or 2 values"):
        plot_sweep(cols, 10, color_by=[1, 2, 3])
    with pytest.raises(ValueError, match="a table must be 2-D"):
        plot_sweep(np.zeros(5))
    with pytest.raises(ValueError, match="names a config column, but these configs have no columns"):
        plot_sweep([COSINE, WSD], 100, color_by="lr")


# ---- figure files from the command line ------------------------------------------------------


def _check_png(path: pathlib.Path, min_width: int = 800) -> None:
    import matplotlib.image as mpimg

    assert path.stat().st_size > 20_000
    img = mpimg.imread(path)
    h, w = img.shape[:2]
    assert w >= min_width and 300 <= h <= w
    assert float(img[..., :3].std()) > 0.05  # not blank


def test_cli_plot_writes_a_png(mpl, tmp_path):
    out = tmp_path / "lr.png"
    spec = json.dumps(WSD.to_dict())
    r = subprocess.run(
        [sys.executable, "-m", "fastlr", "plot", "examples/warmup_cosine.json", spec, "--log", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    assert "2 schedule(s), 10,500 steps" in r.stdout
    _check_png(out)


def test_cli_sweep_plot_and_formats(mpl, tmp_path, capsys):
    cfg = tmp_path / "g.toml"
    cfg.write_text('steps = 200\n[grid]\nlr = [1e-4, 1e-3]\nwarmup = [0, 20, 40]\nshape = ["cosine", "sqrt"]\n')
    out = tmp_path / "s.png"
    assert cli.main(["sweep", str(cfg), "--plot", str(out), "-o", str(tmp_path / "t.npy")]) == 0
    _check_png(out, min_width=1500)  # two panels
    assert cli.main(["sweep", str(cfg), "--plot", str(tmp_path / "s.svg"), "--color-by", "none"]) == 0
    assert (tmp_path / "s.svg").read_text().lstrip().startswith("<?xml")
    few = tmp_path / "few.json"
    few.write_text(json.dumps({"steps": 100, "configs": [COSINE.to_dict(), WSD.to_dict()]}))
    assert cli.main(["sweep", str(few), "--plot", str(tmp_path / "f.png")]) == 0
    _check_png(tmp_path / "f.png")
    both = fastlr.ScheduleSet({"lr": [COSINE, WSD], "momentum": [fastlr.Constant(0.9)]})
    assert cli.main(["plot", both.to_json(), "-o", str(tmp_path / "set.png")]) == 0  # one panel each
    _check_png(tmp_path / "set.png")
    capsys.readouterr()
    assert cli.main(["plot", EXAMPLE, "-o", str(tmp_path / "x.gif")]) == 2
    assert "unknown format '.gif'" in capsys.readouterr().err
    assert (
        cli.main(["plot", "optax:exponential_decay,init_value=1.0,transition_steps=10,decay_rate=0.5", "-o", str(out)])
        == 2
    )
    assert "cannot infer how many steps" in capsys.readouterr().err


def test_without_matplotlib(tmp_path, capsys, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert cli.main(["plot", EXAMPLE, "-o", str(tmp_path / "lr.png")]) == 1
    assert "plotting needs matplotlib: pip install 'fastlr-sched[plot]'" in capsys.readouterr().err
    from fastlr.plot import plot_schedule

    with pytest.raises(ImportError, match=r"pip install 'fastlr-sched\[plot\]'"):
        plot_schedule(COSINE)


def test_plot_module_imports_lazily():
    code = "import sys, fastlr.plot, fastlr.cli, fastlr.inspect; print('matplotlib' in sys.modules, 'numba' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["False", "False"]


def test_colours_and_groups_follow_the_column(mpl, tmp_path, capsys):
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    from fastlr.plot import MAX_GROUPS, category_colors, plot_sweep

    cols = fastlr.grid(lr=[1e-4, 1e-3], warmup=[0, 20], shape=["cosine", "linear", "sqrt"], steps=80)
    table = fastlr.sweep(cols, 100).astype(np.float64)
    shapes = np.asarray(cols["shape"])
    # color_by: one collection per shape, its curves exactly that shape's rows, the legend's colour its colour
    ax = plot_sweep(cols, 100, color_by="shape", max_points=100)
    legend = {t.get_text(): h.get_color() for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles)}
    assert list(legend) == ["shape=cosine", "shape=linear", "shape=sqrt"]
    collections = [c for c in ax.collections if isinstance(c, LineCollection)]
    for (label, colour), lc in zip(legend.items(), collections):
        rows = table[shapes == label.split("=")[1]]
        np.testing.assert_array_equal(np.array([s[:, 1] for s in lc.get_segments()]), rows)
        assert to_rgba(lc.get_colors()[0], alpha=1) == to_rgba(colour)
    assert len({to_rgba(c) for c in legend.values()}) == 3
    # group_by: a median per group in the group's colour, named with its count; bands in that colour
    ax = plot_sweep(cols, 100, group_by="shape", band=(25, 75), max_points=100)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["shape=cosine (4)", "shape=linear (4)", "shape=sqrt (4)"]
    lines, fills = ax.get_lines(), ax.collections
    assert len(fills) == 3
    for k, name in enumerate(["cosine", "linear", "sqrt"]):
        np.testing.assert_allclose(lines[k].get_ydata(), np.median(table[shapes == name], axis=0))
        assert to_rgba(lines[k].get_color()) == to_rgba(category_colors(3)[k])
        assert to_rgba(fills[k].get_facecolor()[0], alpha=1) == to_rgba(lines[k].get_color())
    assert ax.get_title() == "12 configs: median and 25–75 % by shape"
    ax = plot_sweep(cols, 100, group_by="lr", band=None)  # numbers: sorted, compact labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr=1.0e-4 (6)", "lr=1.0e-3 (6)"]
    # never one colour for two categories
    many = [category_colors(k) for k in (3, 15, 40)]
    assert all(len({to_rgba(c) for c in cs}) == len(cs) for cs in many)
    with pytest.raises(ValueError, match="color_by and group_by are exclusive"):
        plot_sweep(cols, 100, color_by="lr", group_by="shape")
    with pytest.raises(ValueError, match="group_by='nope' is not a config column"):
        plot_sweep(cols, 100, group_by="nope")
    with pytest.raises(ValueError, match=f"has 40 distinct values, more than {MAX_GROUPS} groups"):
        plot_sweep(table[:1].repeat(40, axis=0), group_by=np.arange(40))
    # fastlr sweep --group-by
    cfg = tmp_path / "g.json"
    cfg.write_text(json.dumps({"steps": 100, "grid": {"lr": [1e-4, 1e-3], "shape": ["cosine", "linear"]}}))
    assert cli.main(["sweep", str(cfg), "--plot", str(tmp_path / "g.png"), "--group-by", "shape"]) == 0
    _check_png(tmp_path / "g.png", min_width=1500)
    capsys.readouterr()
    assert cli.main(["sweep", str(cfg), "--plot", str(tmp_path / "g.png"), "--group-by", "nope"]) == 2
    assert "--group-by 'nope' is not a config column" in capsys.readouterr().err


# ---- the percentiles of plot_sweep ---------------------------------------------------------------


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 10, 11, 200, 201])
def test_percentiles_are_numpys_bit_for_bit(dtype, n):
    from fastlr.plot import _percentiles

    rng = np.random.default_rng(n)
    samples = {
        "normal": rng.standard_normal((n, 37)),
        "ties": rng.integers(0, 4, (n, 37)) * 0.25,  # many equal values
        "zeros": np.where(rng.random((n, 37)) < 0.5, 0.0, rng.random((n, 37))),  # warmups start at 0
        "lr": rng.random((n, 37)) * 1e-3,
    }
    for q in ([5, 95, 25, 75, 50.0], [0, 100, 50], [33.3, 66.7, 12.5, 99.9, 0.1], [25, 75], [50.0]):
        for name, values in samples.items():
            x = values.astype(dtype)
            got, expected = _percentiles(x, q), np.percentile(x, q, axis=0)
            assert _same_bits(got, expected), (name, q)


def test_percentiles_fall_back_where_a_sort_could_differ():
    from fastlr.plot import _percentiles

    x = np.array([[0.0, 1.0], [-0.0, 2.0], [0.0, np.nan], [-0.0, 3.0], [1.0, 4.0]])  # signed zeros tie; a NaN
    for q in ([25, 50, 75], [0, 100], [40.0]):
        assert _same_bits(_percentiles(x, q), np.percentile(x, q, axis=0))
    ints = np.arange(12).reshape(6, 2)
    assert _same_bits(_percentiles(ints, [10, 90]), np.percentile(ints, [10, 90], axis=0))


def test_plot_sweep_bands_are_numpys_percentiles(mpl):
    from matplotlib.collections import PolyCollection

    from fastlr.plot import plot_sweep

    rng = np.random.default_rng(0)
    table = rng.random((101, 50)).astype(np.float32)
    ax = plot_sweep(table, band=[(5, 95), (25, 75)])
    every = table.astype(np.float64)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), np.percentile(every, 50, axis=0))
    fills = [c for c in ax.collections if isinstance(c, PolyCollection)]
    for fill, (lo, hi) in zip(fills[1:], [(5, 95), (25, 75)]):
        # the band's outline: the lower edge, then the upper edge reversed (plus closing points)
        ys = fill.get_paths()[0].vertices[:, 1]
        assert set(np.percentile(every, lo, axis=0)) <= set(ys)
        assert set(np.percentile(every, hi, axis=0)) <= set(ys)


def test_default_colour_column_varies_as_text():
    from fastlr.cli.figures import _varies

    columns = [
        np.array([1e-4, 1e-4, 1e-4]),
        np.array([1e-4, 1e-4, 3e-4]),
        np.array([0.0, -0.0]),
        np.array([np.nan, np.nan]),
        np.array([np.nan, 1.0]),
        np.array([5, 5, 5], dtype=np.int64),
        np.array([5, 6], dtype=np.int32),
        np.array([True, False]),
        np.array([1.5, 1.5], dtype=np.float32),
        np.array(["cosine", "cosine"], dtype=object),
        np.array(["cosine", "linear"], dtype=object),
        np.array([], dtype=np.float64),
    ]
    for column in columns:
        assert _varies(column) == (len(np.unique(column.astype(str))) > 1), column
