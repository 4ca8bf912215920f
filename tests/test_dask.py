"""fastlr.dask: lazy sweeps and summaries as Dask arrays, bit-identical to the in-memory calls
for any chunking, with small tasks; threaded scheduler, a distributed LocalCluster, zarr."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

import fastlr as fl  # noqa: E402
import fastlr.dask as fld  # noqa: E402
from tests.cases import mixed_grid  # noqa: E402
from tests.tolerance import assert_close64  # noqa: E402

T = 90
THRESHOLD = 4e-4

# ragged last blocks on both axes, whole axes, single rows / steps, explicit block sizes
CHUNKINGS = [(37, 13), (-1, 7), (1, -1), (100, 90), ((100, 232, 100), (1, 50, 39)), 64, "auto"]


@pytest.fixture(scope="module")
def grid():
    return mixed_grid()


@pytest.fixture
def threaded():
    with dask.config.set(scheduler="threads", num_workers=3):
        yield


def test_import_fastlr_does_not_import_dask():
    code = "import sys, fastlr; assert 'dask' not in sys.modules; fastlr.dask; assert 'dask' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("chunks", CHUNKINGS, ids=str)
def test_sweep_bit_identical_for_any_chunking(grid, threaded, chunks):
    ref = fl.sweep(grid, T)
    arr = fld.sweep(grid, T, chunks=chunks)
    assert arr.shape == ref.shape and arr.dtype == np.float32
    out = arr.compute()
    np.testing.assert_array_equal(out, ref)
    assert out.dtype == np.float32


def test_sweep_float64_t0_and_schedule_objects(grid, threaded):
    prog = fl.lower(grid)
    objs = [prog.schedule(i) for i in range(0, prog.n_rows, 7)]
    t0 = 123_456_789
    ref = fl.sweep(objs, T, np.float64, t0=t0)
    arr = fld.sweep(objs, T, np.float64, chunks=(5, 17), t0=t0)
    assert arr.dtype == np.float64
    np.testing.assert_array_equal(arr.compute(), ref)
    # a step block is computed at its own steps, not sliced out of a longer row
    np.testing.assert_array_equal(arr[:, 40:57].compute(), fl.sweep(objs, 17, np.float64, t0=t0 + 40))


@pytest.mark.parametrize("exact", [True, False])
def test_sweep_primitives_follow_fastlr_sweep(grid, threaded, exact):
    for dtype in (np.float32, np.float64):
        ref = fl.sweep(grid, T, dtype, exact=exact)
        np.testing.assert_array_equal(fld.sweep(grid, T, dtype, chunks=(50, 40), exact=exact).compute(), ref)


def test_graph_has_one_task_per_block_and_is_deterministic(grid):
    arr = fld.sweep(grid, T, chunks=(37, 13))
    assert arr.numblocks == (12, 7)
    assert len(dict(arr.__dask_graph__())) == 12 * 7
    assert fld.sweep(grid, T, chunks=(37, 13)).name == arr.name
    assert fld.sweep(grid, T + 1, chunks=(37, 13)).name != arr.name


def test_task_carries_only_its_rows_program():
    def uniform(n):  # rows of one structure (3 segments each), so bytes per row are equal
        return fl.grid(lr=np.linspace(1e-4, 1e-3, n), warmup=[10], hold=[5], shape=["cosine"], steps=[50])

    small = fld.task_nbytes(fld.sweep(uniform(1000), 100, chunks=(50, 25)))
    # independent of T, of the number of step chunks and of the total number of configs
    # (up to the few bytes of the step numbers themselves)
    assert abs(fld.task_nbytes(fld.sweep(uniform(1000), 10**9, chunks=(50, 10**8))) - small) < 16
    assert fld.task_nbytes(fld.sweep(uniform(100_000), 100, chunks=(50, 25))) == small
    # grows with the rows of the block: ~50 numbers per row, never a table
    big = fld.task_nbytes(fld.sweep(uniform(1000), 100, chunks=(200, 25)))
    assert 3.5 * small < big < 4 * small
    assert big < 500 * 200 + 2000
    with pytest.raises(ValueError, match="not a block"):
        fld.task_nbytes(fld.sweep(uniform(10), 100, chunks=(5, 25)), (9, 9))


@pytest.mark.parametrize("chunks", [(37, 13), (16, 1), (-1, -1), ((400, 32), (45, 44, 1))], ids=str)
def test_summarize_bit_identical_for_any_chunking(grid, threaded, chunks):
    ref = fl.summarize(grid, T, threshold=THRESHOLD, t0=3)
    got = dask.compute(fld.summarize(grid, T, threshold=THRESHOLD, chunks=chunks, t0=3))[0]
    assert set(got) == set(ref) == set(fl.sweeps.SUMMARY_FIELDS)
    for k, v in ref.items():
        assert got[k].dtype == v.dtype, k
        np.testing.assert_array_equal(got[k], v, err_msg=k)


def test_summarize_combines_step_chunks(threaded):
    # peaks tie across chunks (constant) or sit inside a later chunk (long warmup); counts add up
    g = fl.grid(lr=[1e-3], shape=["constant", "cosine", "linear"], warmup=[0, 40], steps=[60], end_ratio=[0.1])
    ref = fl.summarize(g, T, threshold=5e-4)
    assert ref["peak_step"].tolist() == [0, 40, 0, 40, 0, 40]
    for sequential in (True, False):
        got = dask.compute(fld.summarize(g, T, threshold=5e-4, chunks=(4, 9), sequential_sum=sequential))[0]
        for k in ("final", "peak", "peak_step", "min", "above", "below"):
            np.testing.assert_array_equal(got[k], ref[k], err_msg=f"{k} sequential_sum={sequential}")
        assert_close64(got["sum"], ref["sum"])
        assert_close64(got["mean"], ref["mean"])


def test_summarize_parallel_partials(grid, threaded):
    ref = fl.summarize(grid, T)
    got = dask.compute(fld.summarize(grid, T, chunks=(37, 13), sequential_sum=False))[0]
    assert set(got) == {"final", "peak", "peak_step", "min", "sum", "mean"}
    for k in ("final", "peak", "peak_step", "min"):
        np.testing.assert_array_equal(got[k], ref[k], err_msg=k)
    assert_close64(got["sum"], ref["sum"])
    # a single step chunk is the in-memory kernel's own sum
    whole = dask.compute(fld.summarize(grid, T, chunks=(37, -1), sequential_sum=False))[0]
    for k, v in ref.items():
        np.testing.assert_array_equal(whole[k], v, err_msg=k)


def test_summaries_reduce_with_dask(grid, threaded):
    s = fld.summarize(grid, T, chunks=(50, 30))
    best = int(da.argmax(s["sum"]).compute())
    assert best == int(np.argmax(fl.summarize(grid, T)["sum"]))
    assert s["peak"].chunks == ((50,) * 8 + (32,),)


def test_bad_arguments(grid):
    with pytest.raises(ValueError, match="chunks"):
        fld.sweep(grid, T, chunks=(10,))
    with pytest.raises(ValueError, match="chunks"):
        fld.sweep(grid, T, chunks=((400, 30), (T,)))
    with pytest.raises(ValueError, match="chunks"):
        fld.sweep(grid, T, chunks=((432, 0), (T,)))
    with pytest.raises(ValueError, match="chunks"):
        fld.summarize(grid, T, chunks="lots")
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        fld.sweep(grid, T, np.int32)
    with pytest.raises(ValueError, match="T must be >= 1"):
        fld.sweep(grid, 0)
    with pytest.raises(ValueError, match="t0 must be >= 0"):
        fld.sweep(grid, T, t0=-1)
    with pytest.raises(ValueError, match="threshold"):
        fld.summarize(grid, T, threshold=float("nan"))
    with pytest.raises(TypeError, match="sequential_sum"):
        fld.summarize(grid, T, sequential_sum="yes")
    with pytest.raises(TypeError, match="exact"):
        fld.sweep(grid, T, exact="yes")
    # configs are validated on the client, before any task exists
    with pytest.raises(ValueError, match="row 1: lr must be >= 0"):
        fld.sweep({"lr": [1e-3, -1.0], "steps": [10, 10]}, T)


def test_zarr_round_trip(grid, threaded, tmp_path):
    pytest.importorskip("zarr")
    ref = fl.sweep(grid, T)
    fld.sweep(grid, T, chunks=(100, 40)).to_zarr(str(tmp_path / "sweep.zarr"))
    back = da.from_zarr(str(tmp_path / "sweep.zarr"))
    assert back.chunks == ((100,) * 4 + (32,), (40, 40, 10))
    np.testing.assert_array_equal(back.compute(), ref)


def test_docs_examples_run(threaded, tmp_path, monkeypatch, capsys):
    """The ```python blocks of docs/dask.md run top to bottom in one namespace (```py blocks,
    which need a cluster, are shown only)."""
    import pathlib
    import re

    pytest.importorskip("zarr")
    text = (pathlib.Path(__file__).parents[1] / "docs" / "dask.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    for block in blocks:
        exec(compile(block, "docs/dask.md", "exec"), ns)
    assert "fastlr-sweep" in capsys.readouterr().out


# ---- a distributed cluster: 2 worker processes, 1 thread each ----------------------------------


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_distributed_compute_persist_and_summaries(grid, client):
    ref = fl.sweep(grid, T)
    arr = fld.sweep(grid, T, chunks=(37, 13))
    np.testing.assert_array_equal(client.compute(arr).result(), ref)
    kept = arr.persist()
    assert len(kept.__dask_graph__()) == 12 * 7
    np.testing.assert_array_equal(kept[50:200, 20:80].compute(), ref[50:200, 20:80])
    who = client.who_has(kept)
    assert {w for ws in who.values() for w in ws} <= set(client.scheduler_info()["workers"])
    s = fl.summarize(grid, T, threshold=THRESHOLD)
    got = client.compute(fld.summarize(grid, T, threshold=THRESHOLD, chunks=(100, 25))).result()
    for k, v in s.items():
        np.testing.assert_array_equal(got[k], v, err_msg=k)


def test_distributed_to_zarr(grid, client, tmp_path):
    pytest.importorskip("zarr")
    path = str(tmp_path / "sweep.zarr")
    fld.sweep(grid, T, np.float64, chunks=(64, 32), t0=7).to_zarr(path)
    np.testing.assert_array_equal(da.from_zarr(path).compute(), fl.sweep(grid, T, np.float64, t0=7))


def late_area(lr):
    return lr[30:].sum()


def first_zero(lr):
    return np.argmax(lr == 0.0)


def test_summarize_reducers_equal_fastlr_summarize(grid, threaded):
    reducers = {"late_area": late_area, "first_zero": first_zero}
    ref = fl.summarize(grid, T, t0=3, reducers=reducers)
    lazy = fld.summarize(grid, T, t0=3, chunks=(37, 13), reducers=reducers)
    assert list(lazy) == list(ref)
    got = dask.compute(lazy)[0]
    for k in reducers:
        assert got[k].dtype == ref[k].dtype
        np.testing.assert_array_equal(got[k], ref[k])
    with pytest.raises(ValueError, match="reducer 'bad' cannot be compiled by Numba"):
        fld.summarize(grid, T, reducers={"bad": lambda lr: lr.nope})
