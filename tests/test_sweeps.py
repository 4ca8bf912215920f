"""Sweeps at scale: grids, every input form, vectorised lowering == object lowering, chunking,
memmap output, memory guard, traceability, summaries."""

from __future__ import annotations

import numpy as np
import pytest

import fastlr as fl
from tests.cases import mixed_grid

T = 60


def test_grid_size_and_order():
    g = fl.grid(lr=[1.0, 2.0, 3.0], warmup=[0, 10], shape=["cosine", "linear"])
    assert {k: len(v) for k, v in g.items()} == {"lr": 12, "warmup": 12, "shape": 12}
    rows = list(zip(g["lr"].tolist(), g["warmup"].tolist(), g["shape"].tolist()))
    import itertools

    assert rows == list(itertools.product([1.0, 2.0, 3.0], [0, 10], ["cosine", "linear"]))
    assert fl.grid(lr=1e-3)["lr"].tolist() == [1e-3]


def test_columnar_lowering_equals_object_lowering_bitwise():
    prog = fl.lower(mixed_grid())
    objs = [prog.schedule(i) for i in range(prog.n_rows)]
    ref = fl.lower(objs)
    for a, b in zip(prog.arrays(), ref.arrays()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fl.sweep(prog, T), fl.sweep(objs, T))


def test_restarts_and_epochs_in_columns_match_objects():
    g = fl.grid(
        lr=[1e-3],
        shape=["cosine", "linear", "polynomial", "tanh", "sqrt"],
        steps=[9],
        cycles=[1, 3],
        cycle_mult=[1.0, 2.0],
        cycle_decay=[0.5],
        steps_per_epoch=[1, 3],
        floor=[0.0, 2e-4],
        power=[2.0],
    )
    prog = fl.lower(g)
    objs = [prog.schedule(i) for i in range(prog.n_rows)]
    for a, b in zip(prog.arrays(), fl.lower(objs).arrays()):
        np.testing.assert_array_equal(a, b)


def test_every_input_form_gives_the_same_rows():
    g = fl.grid(lr=[1e-3, 5e-4], warmup=[0, 10], shape=["cosine", "step"], steps=[40], step_size=[8], gamma=[0.5])
    ref = fl.sweep(g, T)
    n = len(g["lr"])
    dicts = [{k: (v[i].item() if hasattr(v[i], "item") else v[i]) for k, v in g.items()} for i in range(n)]
    np.testing.assert_array_equal(fl.sweep(dicts, T), ref)
    objs = [fl.config_schedule(**d) for d in dicts]
    np.testing.assert_array_equal(fl.sweep(objs, T), ref)
    np.testing.assert_array_equal(fl.sweep([o.to_dict() for o in objs], T), ref)
    np.testing.assert_array_equal(fl.sweep(fl.lower(g), T), ref)
    for i in range(n):
        np.testing.assert_array_equal(objs[i].table(T, dtype=np.float32), ref[i])


def test_dataframes():
    pd = pytest.importorskip("pandas")
    g = fl.grid(lr=[1e-3, 5e-4], warmup=[0, 10], shape=["cosine", "linear"], steps=[40])
    np.testing.assert_array_equal(fl.sweep(pd.DataFrame(g), T), fl.sweep(g, T))


def test_polars_dataframes():
    pl = pytest.importorskip("polars")
    g = fl.grid(lr=[1e-3, 5e-4], warmup=[0, 10], shape=["cosine", "linear"], steps=[40])
    np.testing.assert_array_equal(fl.sweep(pl.DataFrame({k: list(v) for k, v in g.items()}), T), fl.sweep(g, T))


def test_heterogeneous_batches_of_objects():
    objs = [
        fl.Schedule(fl.Cosine(1.0, 0.0, 30), restarts=fl.Restarts(mult=2.0)),
        fl.OneCycle(0.1, 50),
        fl.Join((fl.Linear(0.0, 1.0, 5), fl.MultiStep(1.0, (10, 20))), (5,)),
        fl.config_schedule(lr=1e-3, warmup=5, steps=30),
    ]
    out = fl.sweep(objs, T, dtype=np.float64)
    for i, o in enumerate(objs):
        np.testing.assert_array_equal(out[i], o.table(T))


@pytest.mark.parametrize("chunk_rows", [1, 7, 1000])
def test_chunk_invariance(chunk_rows):
    g = mixed_grid()
    np.testing.assert_array_equal(fl.sweep(g, T, chunk_rows=chunk_rows), fl.sweep(g, T))


def test_step_blocks_equal_slices():
    g = mixed_grid()
    full = fl.sweep(g, 100, dtype=np.float64)
    np.testing.assert_array_equal(fl.sweep(g, 30, dtype=np.float64, t0=45), full[:, 45:75])


def test_memmap_output(tmp_path):
    g = mixed_grid()
    n = len(g["lr"])
    mm = np.lib.format.open_memmap(tmp_path / "sweep.npy", mode="w+", dtype=np.float32, shape=(n, T))
    res = fl.sweep(g, T, out=mm, chunk_rows=50)
    assert res is mm
    del mm, res
    np.testing.assert_array_equal(np.load(tmp_path / "sweep.npy"), fl.sweep(g, T))


def test_memory_guard(monkeypatch):
    import fastlr._checks as eng

    monkeypatch.setattr(eng, "available_memory", lambda: 10_000)
    with pytest.raises(fl.MemoryLimitError, match=r"\(432, 60\) float32 needs 103,680 bytes .* pass out="):
        fl.sweep(mixed_grid(), T)


def test_traceability():
    g = mixed_grid()
    prog = fl.lower(g)
    table = fl.sweep(prog, T)
    cols = prog.columns()
    for i in (0, 17, 431):
        cfg = prog.config(i)
        assert cfg["shape"] == g["shape"][i] and cfg["lr"] == g["lr"][i] and cfg["warmup"] == g["warmup"][i]
        assert cols["shape"][i] == g["shape"][i]
        np.testing.assert_array_equal(fl.config_schedule(**cfg).table(T, dtype=np.float32), table[i])
        np.testing.assert_array_equal(prog.schedule(i).table(T, dtype=np.float32), table[i])
    objs = fl.lower([fl.Cosine(1.0, 0.0, 10), fl.Constant(0.5)])
    assert objs.config(1) == fl.Constant(0.5).to_dict()
    with pytest.raises(IndexError, match="row 5 out of range"):
        objs.schedule(5)


def test_summaries_equal_reductions_of_the_table():
    g = mixed_grid()
    thr = 2e-4
    tab = fl.sweep(g, T, dtype=np.float64, exact=False)  # summaries use the fast primitives
    s = fl.summarize(g, T, threshold=thr)
    np.testing.assert_array_equal(s["final"], tab[:, -1])
    np.testing.assert_array_equal(s["peak"], tab.max(axis=1))
    np.testing.assert_array_equal(s["peak_step"], tab.argmax(axis=1))
    np.testing.assert_array_equal(s["min"], tab.min(axis=1))
    np.testing.assert_allclose(s["sum"], tab.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(s["peak"], fl.sweep(g, T, dtype=np.float64).max(axis=1), rtol=1e-14)
    np.testing.assert_allclose(s["mean"], tab.mean(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(s["above"], (tab > thr).sum(axis=1))
    np.testing.assert_array_equal(s["below"], (tab < thr).sum(axis=1))
    s2 = fl.summarize(g, 30, t0=20)
    np.testing.assert_array_equal(s2["peak_step"], tab[:, 20:50].argmax(axis=1) + 20)
    assert "above" not in s2


@pytest.mark.parametrize(
    "configs, exc, pattern",
    [
        ({"lr": [1e-3, 2e-3], "warmup": [1, 2, 3]}, ValueError, r"different lengths \(ragged\)"),
        (
            {"lr": [1e-3], "warmpu": [1]},
            ValueError,
            r"unknown config column\(s\) \['warmpu'\]; valid columns: .*'warmup'",
        ),
        ({"lr": [1e-3, float("nan")]}, ValueError, r"row 1: lr must be finite, got nan"),
        ({"lr": [1e-3, -1.0], "steps": 10}, ValueError, r"row 1: lr must be >= 0, got -1.0"),
        ({"lr": [1e-3, 1e-3], "steps": [10, 0]}, ValueError, r"row 1: steps must be >= 1, got 0"),
        ({"lr": [1e-3, 1e-3], "warmup": [10, 2.5]}, ValueError, r"row 1: warmup must be an integer, got 2.5"),
        (
            {"lr": [1e-3, 1e-3], "shape": ["cosine", "sine"]},
            ValueError,
            r"row 1: shape must be one of 'constant'.*got 'sine'",
        ),
        (
            {"lr": [1e-3], "shape": ["step"], "gamma": [2.0], "step_size": 3},
            ValueError,
            r"row 0: gamma must be <= 1 for shape 'step'",
        ),
        (
            {"lr": [1e-3], "shape": ["step"], "cycles": [2], "gamma": 0.5, "step_size": 3},
            ValueError,
            r"row 0: shape must be one of .* when cycles > 1",
        ),
        ({"warmup": [1]}, ValueError, r"configs need an 'lr' column"),
        ({"lr": [1e-3, 1e-3], "shape": ["step", "cosine"]}, ValueError, r"row 1: shape 'cosine' decays over 'steps'"),
        ({"lr": [1e-3], "end": [0.0], "end_ratio": [0.1]}, ValueError, r"not both"),
        (
            {"lr": [1e-3], "warmup_mode": ["after"]},
            ValueError,
            r"row 0: warmup_mode must be one of 'prefix', 'overlay', 'blend'",
        ),
        ("cosine", TypeError, r"configs must be columns"),
        (
            [{"lr": 1e-3, "steps": 5}, {"lr": 1e-3, "steps": 5, "hold": -1}],
            ValueError,
            r"row 1: hold must be >= 0, got -1",
        ),
    ],
)
def test_bad_configs(configs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fl.lower(configs)


def test_bad_sweep_arguments():
    g = fl.grid(lr=[1e-3, 2e-3], steps=10)
    with pytest.raises(ValueError, match=r"T must be >= 1, got 0"):
        fl.sweep(g, 0)
    with pytest.raises(ValueError, match=r"out has shape \(3, 10\), expected \(2, 10\)"):
        fl.sweep(g, 10, out=np.zeros((3, 10), np.float32))
    with pytest.raises(ValueError, match=r"out must be C-contiguous"):
        fl.sweep(g, 10, out=np.zeros((10, 2), np.float32).T)
    with pytest.raises(ValueError, match=r"chunk_rows must be >= 1, got 0"):
        fl.sweep(g, 10, chunk_rows=0)
    with pytest.raises(ValueError, match=r"chunk_rows must be >= 1, got -2"):
        fl.summarize(g, 10, chunk_rows=-2)
    with pytest.raises(ValueError, match=r"threshold must be finite, got nan"):
        fl.summarize(g, 10, threshold=float("nan"))


def test_inputs_not_mutated():
    g = fl.grid(lr=[1e-3, 2e-3], warmup=[0, 5], steps=10)
    before = {k: v.copy() for k, v in g.items()}
    fl.sweep(g, 10)
    for k in g:
        np.testing.assert_array_equal(g[k], before[k])


def test_progress_bar_to_stderr(capsys):
    g = fl.grid(lr=[1e-3] * 3, steps=10)
    fl.sweep(g, 10, progress=True, chunk_rows=1)
    err = capsys.readouterr().err
    assert "3/3" in err or "rows" in err


def test_program_subset_computes_the_same_rows():
    prog = fl.lower(mixed_grid())
    full = fl.sweep(prog, T)
    sub = prog.subset(100, 250)
    assert sub.n_rows == 150 and sub.si.shape[0] < prog.si.shape[0]
    np.testing.assert_array_equal(fl.sweep(sub, T), full[100:250])
    assert sub.config(0) == prog.config(100)
    objs = fl.lower([fl.Cosine(1.0, 0.0, 10), fl.OneCycle(0.1, 30), fl.Constant(0.5)])
    np.testing.assert_array_equal(fl.sweep(objs.subset(1, 3), T), fl.sweep(objs, T)[1:3])
    with pytest.raises(IndexError, match=r"rows \[2, 9\) out of range"):
        objs.subset(2, 9)


def test_a_block_of_rows_is_those_rows_of_the_sweep():
    from fastlr import evaluate

    prog = fl.lower(mixed_grid())
    for dtype in (np.float32, np.float64):
        full = fl.sweep(prog, T, dtype=dtype)
        np.testing.assert_array_equal(evaluate.sweep(prog, T, dtype=dtype, rows=(100, 250)), full[100:250])
        out = np.empty((3, T), dtype=dtype)
        evaluate.sweep(prog, T, out=out, rows=(7, 10), chunk_rows=1)
        np.testing.assert_array_equal(out, full[7:10])
        blocks = list(evaluate.sweep_blocks(prog, T, dtype, max_bytes=37 * T * np.dtype(dtype).itemsize))
        assert [(lo, hi) for lo, hi, _ in blocks][:2] == [(0, 37), (37, 74)] and blocks[-1][1] == prog.n_rows
        for lo, hi, block in evaluate.sweep_blocks(prog, T, dtype, max_bytes=37 * T * np.dtype(dtype).itemsize):
            np.testing.assert_array_equal(block, full[lo:hi])  # each block before the next overwrites it
    for bad in [(5, 5), (-1, 3), (0, prog.n_rows + 1)]:
        with pytest.raises(ValueError, match="rows"):
            evaluate.sweep(prog, T, rows=bad)
    with pytest.raises(ValueError, match="rows: a block of rows is computed on the CPU only"):
        evaluate.sweep(prog, T, rows=(0, 1), device="cuda", dtype=np.float32)


def test_a_block_names_the_programs_row_in_errors():
    from fastlr import evaluate

    def negative(t):
        return -1.0 if t >= 4 else 1.0

    prog = fl.lower([fl.Constant(1.0), fl.Constant(1.0), fl.Formula(negative)])
    with pytest.raises(ValueError, match=r"step 4 \(row 2\)"):
        evaluate.sweep(prog, 8, rows=(1, 3))
    with pytest.raises(ValueError, match=r"step 4 \(row 2\)"):
        list(evaluate.sweep_blocks(prog, 8, np.float64, max_bytes=8 * 8))
