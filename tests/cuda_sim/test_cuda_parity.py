"""CUDA tables == CPU tables, for every shape code and composition.

These tests need ``numba.cuda.is_available()``: on a machine with an NVIDIA GPU they run on it;
without one, ``tests/test_cuda.py::test_simulator_suite`` runs this directory in a subprocess
with ``NUMBA_ENABLE_CUDASIM=1`` (the variable must be set before numba is imported, so it
cannot be switched on inside the main test process).

Launches use 8 threads per block and at most 5 blocks, so every kernel runs several blocks, wraps
around its grid-stride loops and ends on ragged tails. Sizes stay small: the simulator runs each
CUDA thread as a Python thread.

Tolerances: float64 as ``tests/tolerance.py::assert_close64`` (rtol 1e-12) per row; float32
within 1 ulp of the CPU's float32 table (both round the same float64 formula once; the math
libraries differ by a few float64 ulp at most) and within 2 ulp of the float64 table.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import cuda

if not cuda.is_available():
    pytest.skip(
        "no CUDA GPU here; tests/test_cuda.py runs these under NUMBA_ENABLE_CUDASIM=1 in a subprocess",
        allow_module_level=True,
    )

import fastlr as fl
from fastlr import _gpu
from fastlr.kernels import cuda as kcuda
from fastlr.kernels import formulas
from fastlr.kernels import layout as L
from tests import cases
from tests.tolerance import assert_close32, assert_close64

TPB = 8
BLOCKS = 5
T = 16 * TPB + 3  # 131: several blocks along the steps, a ragged tail
SCHEDULES = cases.schedules()
NAMES = list(SCHEDULES)
PROG = fl.lower(list(SCHEDULES.values()))
N = PROG.n_rows
DTYPES = [np.float64, np.float32]


@pytest.fixture(autouse=True)
def small_launches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kcuda, "THREADS_PER_BLOCK", TPB)
    monkeypatch.setattr(kcuda, "MAX_BLOCKS", BLOCKS)


def cpu_sweep(prog: fl.Program, T: int, dtype: type, t0: int = 0, rows: list[int] | None = None) -> np.ndarray:
    """The CPU's exact build (libm primitives): the GPU compiles the same primitives (libdevice)."""
    res = fl.sweep(prog, T, dtype, t0=t0, exact=True)
    return res if rows is None else res[rows]


def cycle_boundaries(prog: fl.Program, rows: list[int], T: int, t0: int) -> np.ndarray:
    """``(len(rows), T)`` mask of steps at the start of a growing restart cycle.

    There the cycle index is ``floor(log(...) / log(mult))`` (corrected with ``mult**i`` when
    ``exact``): a real GPU's ``log``/``pow`` (libdevice) may round differently from the CPU's libm
    and pick the neighbouring cycle, the documented off-by-one of ``exact=False``. Only these
    steps are excused, and only on a real GPU (the simulator uses the CPU's libm).
    """
    from numba.core import config

    mask = np.zeros((len(rows), T), dtype=bool)
    if config.ENABLE_CUDASIM:
        return mask
    ci, cf, _, _ = prog.arrays()
    t = np.arange(t0, t0 + T, dtype=np.int64)
    for j, c in enumerate(rows):
        if ci[c, L.I_RS_KIND] != L.RS_GROW:
            continue
        period, mult = cf[c, L.F_RS_PERIOD], cf[c, L.F_RS_MULT]
        tm = (t - ci[c, L.I_SHIFT]) // ci[c, L.I_SPE]
        i = 1
        while (start := period * (mult**i - 1.0) / (mult - 1.0)) <= tm.max() + 1:
            mask[j] |= (t >= ci[c, L.I_SHIFT]) & (np.abs(tm - start) < 1.0)
            i += 1
    return mask


def assert_same(got: np.ndarray, prog: fl.Program, T: int, dtype: type, t0: int = 0, rows: list[int] | None = None):
    """CUDA table vs the CPU table, row by row, with the module's tolerances."""
    assert got.dtype == np.dtype(dtype) and got.shape[-1] == T
    got2 = got.reshape(-1, T)
    want64 = cpu_sweep(prog, T, np.float64, t0, rows).reshape(-1, T)
    excused = cycle_boundaries(prog, rows if rows is not None else list(range(got2.shape[0])), T, t0)
    if excused.any():
        got2 = np.where(excused, want64.astype(got2.dtype), got2)
    labels = [NAMES[r] if prog is PROG else str(r) for r in (rows if rows is not None else range(got2.shape[0]))]
    if np.dtype(dtype) == np.float64:
        for r, name in enumerate(labels):
            assert_close64(got2[r], want64[r], err_msg=name)
        return
    want32 = cpu_sweep(prog, T, np.float32, t0, rows).reshape(-1, T)
    ulps = np.abs(got2.view(np.int32).astype(np.int64) - want32.view(np.int32).astype(np.int64))
    worst = np.unravel_index(np.argmax(ulps), ulps.shape)
    assert ulps.max() <= 1, f"{ulps.max()} float32 ulp from the CPU at {labels[worst[0]]}, step {worst[1]}"
    for r, name in enumerate(labels):
        assert_close32(got2[r], want64[r], err_msg=name)


# ---- coverage of the configs -------------------------------------------------------------------


def test_configs_cover_every_code_and_composition():
    ci, cf, si, _ = PROG.arrays()
    warm = ci[:, L.I_WU_MODE] != L.WU_NONE
    codes = set(si[:, L.S_CODE].tolist()) | set(ci[warm, L.I_WU_CODE].tolist())
    # USER (fastlr.Formula) is CPU-only for now: the CUDA driver refuses it with a clear error
    assert codes == set(range(L.N_CODES)) - {L.USER}, sorted(set(range(L.N_CODES)) - codes)
    assert set(ci[:, L.I_WU_MODE].tolist()) == {L.WU_NONE, L.WU_PREFIX, L.WU_OVERLAY, L.WU_BLEND}
    assert set(ci[:, L.I_RS_KIND].tolist()) == {L.RS_NONE, L.RS_INT, L.RS_FRAC, L.RS_GROW, L.RS_STRETCH}
    restarted = ci[:, L.I_RS_KIND] != L.RS_NONE
    assert (ci[restarted, L.I_RS_LIMIT] > 0).any() and (ci[restarted, L.I_RS_LIMIT] == 0).any()
    assert (ci[restarted, L.I_RS_WARM] > 0).any()
    assert set(ci[restarted, L.I_RS_MODE].tolist()) == {L.RS_AMPLITUDE, L.RS_PEAK}
    assert set(ci[ci[:, L.I_RS_KIND] == L.RS_GROW, L.I_RS_EXACT].tolist()) == {0, 1}
    assert (ci[:, L.I_SPE] > 1).any() and (ci[:, L.I_SHIFT] > 0).any()
    assert (cf[:, L.F_FLOOR] > 0).any() and (cf[:, L.F_FLOOR] == 0).any()  # floors, and rows without (0)


def test_launch_geometry():
    (gx, gy), (tpb, one) = kcuda.rows_geometry(N, T)
    assert (tpb, one) == (TPB, 1) and gx * gy <= BLOCKS and gy == BLOCKS
    assert gx * TPB < T and gy < N  # both grid-stride loops wrap
    assert kcuda.steps_geometry(T) == (BLOCKS, TPB)
    assert kcuda.steps_geometry(1) == (1, TPB)


def test_default_geometry_limits(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(kcuda, "THREADS_PER_BLOCK", 256)
    monkeypatch.setattr(kcuda, "MAX_BLOCKS", 1 << 16)
    (gx, gy), _ = kcuda.rows_geometry(100_000, 100_000)
    assert gy == kcuda.MAX_GRID_Y and gx == 1
    (gx, gy), _ = kcuda.rows_geometry(10_000, 100_000)
    assert gy == 10_000 and gx * gy <= 1 << 16 and gx >= 1
    (gx, gy), _ = kcuda.rows_geometry(1, 10**9)
    assert (gx, gy) == (1 << 16, 1)


# ---- device functions, through a wrapper kernel (stumpy style) -------------------------------

_unit = kcuda.DEVICE_FUNCTIONS["unit"]


@cuda.jit
def _unit_kernel(codes, xs, params, out):
    i = cuda.grid(1)
    if i < out.shape[0]:
        p = params[i]
        out[i] = _unit(codes[i], xs[i], p[0], p[1], p[2], p[3], p[4])


def test_unit_device_function_matches_python():
    """Every segment's unit curve at points across its domain, on the device vs plain Python."""
    _, _, si, sf = PROG.arrays()
    codes, xs, params = [], [], []
    for s in range(si.shape[0]):
        n = sf[s, L.S_N]
        for frac in (0.0, 0.25, 0.5, 0.999, 1.0):
            x = frac * n
            if si[s, L.S_CODE] == L.INV_SQRT or (si[s, L.S_CODE] == L.POLY_UP and sf[s, L.S_Q0] < 0.0):
                x += n  # the inverse square root (and InverseSqrt's other powers) is used from x = n on
            codes.append(si[s, L.S_CODE])
            xs.append(x)
            params.append([n, *sf[s, L.S_Q0 : L.S_Q3 + 1]])
    codes_a = np.array(codes, dtype=np.int64)
    xs_a = np.array(xs, dtype=np.float64)
    params_a = np.array(params, dtype=np.float64)
    out = cuda.device_array(len(codes), dtype=np.float64)
    _unit_kernel[-(-len(codes) // TPB), TPB](codes_a, xs_a, params_a, out)
    got = out.copy_to_host()
    want = np.array([formulas.unit(c, x, *p) for c, x, p in zip(codes, xs, params)])
    assert_close64(got, want)


# ---- sweeps and tables ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_sweep_matches_cpu(dtype):
    dev = _gpu.sweep_cuda(PROG, T, dtype)
    assert getattr(dev, "__cuda_ndarray__", False)
    got = dev.copy_to_host()
    assert_same(got, PROG, T, dtype)
    if np.dtype(dtype) == np.float32:  # the CPU's default float32 path (fast primitives) too
        fast = fl.sweep(PROG, T, np.float32)
        excused = cycle_boundaries(PROG, list(range(N)), T, 0)
        ulps = np.abs(got.view(np.int32).astype(np.int64) - fast.view(np.int32))
        assert ulps[~excused].max() <= 1


# Python's float power raises OverflowError where compiled code gives inf (then clipped), so
# under the simulator these two rows cannot run at giant steps; a real GPU runs them all.
_OVERFLOW_IN_PYTHON = ("shape_cyclic_tri2", "shape_exp_grow_clip")


@pytest.mark.parametrize("dtype", DTYPES)
def test_giant_steps_match_cpu(dtype):
    """int64 steps near 1e12: segment search, epochs and restart cycles in integer arithmetic."""
    from numba.core import config

    t0 = 10**12 + 3
    rows = [i for i, name in enumerate(NAMES) if not (config.ENABLE_CUDASIM and name in _OVERFLOW_IN_PYTHON)]
    with np.errstate(over="ignore", under="ignore"):
        got = _gpu.sweep_cuda(PROG, 11, dtype, t0=t0, rows=rows, to_host=True)
    assert_same(got, PROG, 11, dtype, t0=t0, rows=rows)


def test_rows_subset_in_any_order():
    rows = [5, 0, 5, N - 1]
    got = _gpu.sweep_cuda(PROG, 37, np.float64, rows=np.array(rows), to_host=True)
    assert got.shape == (4, 37)
    assert_same(got, PROG, 37, np.float64, rows=rows)


@pytest.mark.parametrize(("dtype", "t0"), [(np.float64, 0), (np.float32, 37)])
def test_table_matches_cpu(dtype, t0):
    steps = 3 * TPB + 5
    for sched in SCHEDULES.values():
        prog = fl.lower(sched)
        assert_same(_gpu.table_cuda(prog, steps, dtype, t0=t0).copy_to_host(), prog, steps, dtype, t0=t0)


def test_table_accepts_a_schedule_and_defaults_to_float64():
    sched = SCHEDULES["prefix_linear"]
    got = _gpu.table_cuda(sched, 29).copy_to_host()
    assert got.dtype == np.float64
    assert_close64(got, sched.table(29))


# ---- outputs: device arrays, host streaming -------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_into_a_device_array(dtype):
    out = cuda.device_array((N, T), dtype=dtype)
    assert _gpu.sweep_cuda(PROG, T, dtype, out=out) is out
    assert_same(out.copy_to_host(), PROG, T, dtype)
    tab = cuda.device_array(T, dtype=dtype)
    assert _gpu.table_cuda(PROG, T, dtype, out=tab) is tab


def test_host_streaming_by_rows():
    got = _gpu.sweep_cuda(PROG, T, np.float64, to_host=True, chunk_rows=4)  # 59 rows: ragged last tile
    assert isinstance(got, np.ndarray)
    assert_same(got, PROG, T, np.float64)


def test_host_streaming_into_out_by_steps(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_gpu, "HOST_CHUNK_BYTES", 48 * 4)  # 48 float32 values: rows split along steps
    rows = list(range(0, N, 4))
    out = np.full((len(rows), T), np.nan, dtype=np.float32)
    assert _gpu.sweep_cuda(PROG, T, np.float32, out=out, rows=rows) is out
    assert_same(out, PROG, T, np.float32, rows=rows)


def test_table_host_streaming_by_steps(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_gpu, "HOST_CHUNK_BYTES", 24 * 8)
    sched = SCHEDULES["restart_grow_frac"]
    prog = fl.lower(sched)
    out = np.full(T, np.nan)
    assert _gpu.table_cuda(prog, T, np.float64, out=out, t0=5) is out
    assert_same(out, prog, T, np.float64, t0=5)
    assert_same(_gpu.table_cuda(sched, T, np.float64, to_host=True), prog, T, np.float64)


def test_small_free_memory_streams_in_small_tiles(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_gpu, "_device_free_bytes", lambda cuda: 1000.0)  # tiles of 56 float64 values
    rows = list(range(1, N, 5))
    got = _gpu.sweep_cuda(PROG, T, np.float64, to_host=True, rows=rows)
    assert_same(got, PROG, T, np.float64, rows=rows)


def test_device_output_larger_than_free_memory(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_gpu, "_device_free_bytes", lambda cuda: 1000.0)
    with pytest.raises(fl.MemoryLimitError, match=r"bytes of GPU memory .* to_host=True"):
        _gpu.sweep_cuda(PROG, T, np.float32)
    with pytest.raises(fl.MemoryLimitError, match=r"chunk_rows=50 .* smaller chunk_rows"):
        _gpu.sweep_cuda(PROG, T, np.float32, to_host=True, chunk_rows=50)


# ---- argument checks ------------------------------------------------------------------------------


class FakeCAI:
    """A stand-in exposing only ``__cuda_array_interface__`` (rejected before any GPU use)."""

    def __init__(self, shape, typestr="<f4", strides=None, readonly=False, mask=None):
        self.__cuda_array_interface__ = {
            "shape": shape,
            "typestr": typestr,
            "strides": strides,
            "data": (0, readonly),
            "version": 3,
            "mask": mask,
        }


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"dtype": np.int32}, ValueError, r"dtype must be float32 or float64, got 'int32'"),
        ({"dtype": "nope"}, TypeError, r"dtype must be float32 or float64"),
        ({"T": 0}, ValueError, r"T must be >= 1, got 0"),
        ({"T": 2.5}, TypeError, r"T must be an integer"),
        ({"t0": -1}, ValueError, r"t0 must be >= 0, got -1"),
        ({"out": np.zeros((N, T + 1), np.float32)}, ValueError, rf"out has shape \({N}, {T + 1}\), expected"),
        ({"out": np.zeros((N, T), np.float64)}, ValueError, r"out has dtype float64, expected float32"),
        ({"out": np.zeros((T, N), np.float32).T}, ValueError, r"out must be C-contiguous"),
        ({"out": [[0.0]]}, TypeError, r"out must be a numpy array .* got list"),
        ({"out": FakeCAI((N, T - 1))}, ValueError, rf"out has shape \({N}, {T - 1}\), expected \({N}, {T}\)"),
        ({"out": FakeCAI((N, T), "<f8")}, ValueError, r"out has dtype float64, expected float32"),
        ({"out": FakeCAI((N, T), strides=(4, 4 * N))}, ValueError, r"out must be C-contiguous"),
        ({"out": FakeCAI((N, T), readonly=True)}, ValueError, r"out must be writeable"),
        ({"out": FakeCAI((N, T), mask=object())}, ValueError, r"out must not be a masked array"),
        ({"out": FakeCAI((N, T)), "to_host": True}, ValueError, r"to_host=True writes to host memory"),
        ({"to_host": 1}, TypeError, r"to_host must be a bool, got 1"),
        ({"chunk_rows": 4}, ValueError, r"chunk_rows applies to host output only"),
        ({"chunk_rows": 0, "to_host": True}, ValueError, r"chunk_rows must be >= 1, got 0"),
        ({"rows": [0, N]}, ValueError, rf"rows must lie in \[0, {N}\) .* got {N}"),
        ({"rows": [-1]}, ValueError, r"rows must lie in .* got -1"),
        ({"rows": [0.0]}, TypeError, r"rows must be a 1-D integer array"),
        ({"rows": np.zeros((1, 1), np.int64)}, ValueError, r"rows must be a non-empty 1-D array"),
        ({"rows": []}, ValueError, r"rows must be a non-empty 1-D array"),
    ],
)
def test_sweep_argument_errors(kwargs, exc, match):
    args = {"T": T, "dtype": np.float32, **kwargs}
    T_, dtype = args.pop("T"), args.pop("dtype")
    with pytest.raises(exc, match=match):
        _gpu.sweep_cuda(PROG, T_, dtype, **args)


def test_table_argument_errors():
    with pytest.raises(ValueError, match=r"out has shape \(4,\), expected \(5,\)"):
        _gpu.table_cuda(PROG, 5, out=np.zeros(4))
    with pytest.raises(ValueError, match=r"out has shape \(5, 1\), expected \(5,\)"):
        _gpu.table_cuda(PROG, 5, out=cuda.device_array((5, 1)))
    with pytest.raises(ValueError, match=r"t0 must be >= 0"):
        _gpu.table_cuda(PROG, 5, t0=-3)


def test_inputs_are_not_mutated():
    rows = np.array([3, 1, 2], dtype=np.int64)
    before = [a.copy() for a in PROG.arrays()]
    _gpu.sweep_cuda(PROG, 9, np.float64, rows=rows, to_host=True)
    assert rows.tolist() == [3, 1, 2]
    for a, b in zip(PROG.arrays(), before):
        np.testing.assert_array_equal(a, b)


# ---- torch interop (a real GPU with torch CUDA only) ----------------------------------------------


def _torch_cuda():
    from numba.core import config

    if config.ENABLE_CUDASIM:
        pytest.skip("torch cannot read the simulator's device arrays")
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch was built without CUDA or sees no GPU")
    return torch


def test_to_torch_shares_memory():
    torch = _torch_cuda()
    dev = _gpu.sweep_cuda(PROG, T, np.float32)
    t = _gpu.to_torch(dev)
    assert t.is_cuda and t.dtype == torch.float32 and tuple(t.shape) == (N, T)
    assert t.data_ptr() == dev.__cuda_array_interface__["data"][0]
    assert_same(t.cpu().numpy(), PROG, T, np.float32)


def test_into_a_torch_tensor():
    torch = _torch_cuda()
    out = torch.full((N, T), float("nan"), dtype=torch.float64, device="cuda")
    assert _gpu.sweep_cuda(PROG, T, np.float64, out=out) is out
    assert_same(out.cpu().numpy(), PROG, T, np.float64)
    with pytest.raises(ValueError, match=r"out must be C-contiguous"):
        _gpu.sweep_cuda(PROG, T, np.float64, out=torch.empty((T, N), dtype=torch.float64, device="cuda").T)
