"""Validation: every check of user input, each message naming the parameter and the value.

The one home of argument checks for the whole package: scalars (:func:`real`, :func:`integer`,
:func:`flag`, :func:`choice`), sequences (:func:`int_tuple`, :func:`real_tuple`), and the
evaluation arguments (:func:`check_T`, :func:`check_steps`, :func:`check_dtype`,
:func:`check_out`, the memory guard). Spec constructors, flat configs, the evaluation entry, the
torch bridge and the CLI all validate through these functions.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: The output dtypes every evaluation entry accepts.
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

#: The largest step fastlr evaluates, and the largest length (``steps``, ``span``, boundaries,
#: offsets) a spec may have: 2**50 (about 1.1e15), well inside the integers a float64 holds
#: exactly (2**53), so local times and periods stay exact (docs/reliability.md, "Inputs and
#: limits of t").
MAX_STEP = 1 << 50
#: The largest learning-rate value (or other hyperparameter value) a spec may hold: 1e18, so any
#: value, scaled, stays far inside float32's range (3.4e38).
MAX_VALUE = 1e18
#: The largest finite float32: the one bound above MAX_VALUE, for ``Exponential.end``, the clip
#: where the float32 peers' growing schedules saturate.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _owner(where: str) -> str:
    return f"{where}: " if where else ""


def real(
    name: str,
    value: Any,
    where: str = "",
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Check a finite real number within optional bounds and return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_owner(where)}{name} must be a real number, got {value!r} ({type(value).__name__})")
    try:
        v = float(value)
    except OverflowError:  # an integer beyond float64's range (10**400)
        raise ValueError(f"{_owner(where)}{name} must be finite, got {_short(value)}") from None
    if not math.isfinite(v):
        raise ValueError(f"{_owner(where)}{name} must be finite, got {value!r}")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        rel = ">" if lo_open else ">="
        raise ValueError(f"{_owner(where)}{name} must be {rel} {lo:g}, got {value!r}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        rel = "<" if hi_open else "<="
        raise ValueError(f"{_owner(where)}{name} must be {rel} {hi:g}, got {value!r}")
    return v


def _short(value: Any) -> str:
    """``repr(value)``, its middle elided past 60 characters (an integer of 400 digits)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:28]}...{text[-28:]} ({len(text)} characters)"


def _bound(hi: float) -> str:
    return f"{hi:g}" if hi != MAX_STEP else f"{hi} (2**50, the longest schedule fastlr evaluates)"


def integer(name: str, value: Any, where: str = "", *, lo: int | None = None, hi: int | None = None) -> int:
    """Check an integer (Python or NumPy, not bool, not float) within bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{_owner(where)}{name} must be an integer, got {value!r} ({type(value).__name__})")
    v = int(value)
    if lo is not None and v < lo:
        raise ValueError(f"{_owner(where)}{name} must be >= {lo}, got {_short(value)}")
    if hi is not None and v > hi:
        raise ValueError(f"{_owner(where)}{name} must be <= {_bound(hi)}, got {_short(value)}")
    return v


def step(name: str, value: Any, where: str = "", *, lo: int = 0) -> int:
    """A step count or position: an integer in ``[lo, MAX_STEP]``."""
    return integer(name, value, where, lo=lo, hi=MAX_STEP)


#: The shortest real length (a span, a period): 2**-20 steps, so ``t / length`` stays finite
#: (the fast build multiplies by ``1 / length``) and its floor within float64's exact integers.
MIN_LENGTH = 2.0**-20


def length(name: str, value: Any, where: str = "") -> float:
    """A real length in steps (a span, a period): ``MIN_LENGTH <= value <= MAX_STEP``."""
    v = real(name, value, where, lo=0.0, lo_open=True)
    if v > MAX_STEP:
        raise ValueError(f"{_owner(where)}{name} must be <= {_bound(MAX_STEP)}, got {value!r}")
    if v < MIN_LENGTH:
        raise ValueError(f"{_owner(where)}{name} must be >= 2**-20 (about 1e-6 steps), got {value!r}")
    return v


def lr(name: str, value: Any, where: str = "") -> float:
    """A value of the curve (an lr, an end value, a floor): ``0 <= value <= MAX_VALUE``."""
    return real(name, value, where, lo=0.0, hi=MAX_VALUE)


def flag(name: str, value: Any, where: str = "") -> bool:
    """Check a Python bool (not an int, not a NumPy bool) and return it."""
    if not isinstance(value, bool):
        raise TypeError(f"{_owner(where)}{name} must be a bool, got {value!r}")
    return value


def choice(name: str, value: Any, choices: Sequence[str], where: str = "") -> str:
    """Check a name among ``choices``; the error lists the valid ones."""
    if not isinstance(value, str) or value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{_owner(where)}{name} must be one of {valid}; got {value!r}")
    return value


def int_tuple(
    name: str, values: Any, where: str = "", *, lo: int | None = None, hi: int | None = MAX_STEP
) -> tuple[int, ...]:
    """A sequence of integers (steps: at most ``MAX_STEP`` by default) as a new tuple (the
    caller's object is never kept or changed)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{_owner(where)}{name} must be a sequence of integers, got {values!r}")
    seq = list(values.tolist() if isinstance(values, np.ndarray) else values)
    return tuple(integer(f"{name}[{i}]", v, where, lo=lo, hi=hi) for i, v in enumerate(seq))


def real_tuple(
    name: str, values: Any, where: str = "", *, lo: float | None = None, hi: float | None = None
) -> tuple[float, ...]:
    """A sequence of finite reals as a new tuple of floats."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{_owner(where)}{name} must be a sequence of numbers, got {values!r}")
    seq = list(values.tolist() if isinstance(values, np.ndarray) else values)
    return tuple(real(f"{name}[{i}]", v, where, lo=lo, hi=hi) for i, v in enumerate(seq))


# ---- evaluation arguments ----------------------------------------------------------------------


class FormulaCompileError(TypeError):
    """Numba cannot compile a :class:`fastlr.Formula`'s function, for the CPU or for
    ``device="cuda"`` (the message names the construct and the line); ``jit=False`` evaluates it
    per step in Python instead (on the CPU).

    Examples
    --------
    >>> import fastlr
    >>> issubclass(fastlr.FormulaCompileError, TypeError)
    True
    """


class MemoryLimitError(MemoryError):
    """The requested output would not fit in available memory (pass ``out=`` instead).

    Examples
    --------
    >>> import fastlr
    >>> try:
    ...     fastlr.Constant(0.1).table(10**13)  # 80 TB of float64
    ... except fastlr.MemoryLimitError as e:
    ...     print(type(e).__name__, "80,000,000,000,000 bytes" in str(e))
    MemoryLimitError True
    """


def check_dtype(dtype: Any) -> np.dtype:
    """float32 or float64, else an error naming the valid choices."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dt.name!r}")
    return dt


#: A limit at or above this many bytes means "no limit" (cgroup v1 writes 2**63 - 4096).
_NO_LIMIT = 1 << 60


def _read_int(path: Path) -> int | None:
    """An integer file (``max`` or a missing file: None)."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value < _NO_LIMIT else None


def _stat_field(path: Path, name: str) -> int:
    """One field of a cgroup ``memory.stat`` file (0 if absent)."""
    try:
        with path.open() as fh:
            for line in fh:
                key, _, value = line.partition(" ")
                if key == name:
                    return int(value)
    except (OSError, ValueError):
        pass
    return 0


def cgroup_headroom(root: str | os.PathLike[str] = "/sys/fs/cgroup", proc: str = "/proc/self/cgroup") -> int | None:
    """Bytes this process's memory cgroups (v1 or v2) can still grow: the smallest
    ``limit - (usage - inactive file cache)`` over the process's cgroup and its ancestors, or
    None without a limit (or off Linux).

    ``root`` is where the cgroup file systems are mounted, ``proc`` the process's cgroup list
    (``/proc/self/cgroup``); a container that mounts its own cgroup at ``root`` (the path in
    ``proc`` missing there) is read at ``root`` itself.
    """
    base = Path(root)
    try:
        lines = Path(proc).read_text().splitlines()
    except OSError:
        return None
    found: list[int] = []
    for line in lines:
        hid, _, rest = line.partition(":")
        ctrls, _, rel = rest.partition(":")
        if hid == "0" and ctrls == "":  # cgroup v2 (unified)
            top, limit_f, usage_f, inactive = base, "memory.max", "memory.current", "inactive_file"
        elif "memory" in ctrls.split(","):  # cgroup v1
            top, limit_f, usage_f, inactive = (
                base / "memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
                ("total_inactive_file"),
            )
        else:
            continue
        here = top / rel.lstrip("/")
        dirs = [here, *here.parents] if here.is_dir() and here != top else []
        dirs = [d for d in dirs if d == top or top in d.parents] or [top]
        for d in dirs:
            limit = _read_int(d / limit_f)
            if limit is None:
                continue
            usage = _read_int(d / usage_f) or 0
            usage -= min(usage, _stat_field(d / "memory.stat", inactive))
            found.append(max(0, limit - usage))
    return min(found) if found else None


def rlimit_headroom() -> int | None:
    """Bytes left under this process's soft ``RLIMIT_AS`` / ``RLIMIT_DATA`` (None: unlimited)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    status: dict[str, int] = {}
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("VmSize", "VmData"):
                    status[key] = int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    found = []
    for which, used in ((resource.RLIMIT_AS, "VmSize"), (getattr(resource, "RLIMIT_DATA", None), "VmData")):
        if which is None:
            continue
        soft = resource.getrlimit(which)[0]
        if soft != resource.RLIM_INFINITY and soft >= 0:
            found.append(max(0, soft - status.get(used, 0)))
    return min(found) if found else None


def available_memory() -> int:
    """Bytes of memory this process can allocate now: the least of the system's available
    memory (``MemAvailable`` on Linux), the headroom of its memory cgroups (v1 and v2, as in
    containers) and of its address-space and data limits (``ulimit -v``, ``ulimit -d``)."""
    avail = 1 << 62
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        try:
            avail = int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
            pass
    for extra in (cgroup_headroom(), rlimit_headroom()):
        if extra is not None:
            avail = min(avail, extra)
    return avail


#: Intermediate allocations (grid columns, lowering) below this size are never refused: only the
#: output's guard speaks for a small sweep.
SMALL_BYTES = 16 << 20


def guard_bytes(nbytes: int, what: str, hint: str = "compute fewer steps or rows", *, floor: int = 0) -> None:
    """Refuse (:class:`MemoryLimitError`) to allocate ``nbytes`` for ``what`` when that exceeds
    90 % of :func:`available_memory`. Every allocation proportional to a number of rows or steps
    passes through here before it is made; ``floor`` (bytes) exempts small intermediate ones."""
    nbytes = int(nbytes)
    if nbytes < floor:
        return
    avail = available_memory()
    if nbytes > 0.9 * avail:
        raise MemoryLimitError(
            f"{what} needs {nbytes:,} bytes but only {avail:,} bytes are available; {hint} (available: the "
            "least of the system's free memory and this process's cgroup and ulimit headroom)"
        )


def guard_memory(shape: tuple[int, ...], dt: np.dtype) -> None:
    """Refuse an output array that would not fit in 90 % of available memory."""
    nbytes = math.prod(int(n) for n in shape) * dt.itemsize
    guard_bytes(
        nbytes,
        f"the output {shape} {dt.name}",
        "pass out= (for example a numpy.memmap) to write it elsewhere, or compute fewer steps or rows",
    )


def check_out(out: Any, shape: tuple[int, ...], dt: np.dtype) -> np.ndarray:
    """Validate a caller's output array: ndarray, exact shape and dtype, C-contiguous, writeable."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array (or memmap), got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"out has shape {out.shape}, expected {shape}")
    if out.dtype != dt:
        raise ValueError(f"out has dtype {out.dtype.name}, expected {dt.name}")
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    if not out.flags.writeable:
        raise ValueError("out must be writeable")
    return out


def check_T(T: Any) -> int:
    """A number of steps, an integer in ``[1, MAX_STEP]``."""
    return integer("T", T, lo=1, hi=MAX_STEP)


def check_steps(t: Any) -> np.ndarray:
    """Integer step(s) in ``[0, MAX_STEP]`` as an int64 array (a copy; the caller's array is
    untouched)."""
    if isinstance(t, bool) or isinstance(t, np.bool_):
        raise TypeError(f"t must be an integer step or an integer array, got {t!r}")
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"t must be an integer step or an integer array, got dtype {arr.dtype.name} ({t!r})")
    if arr.size and (arr.min() < 0):
        raise ValueError(f"t must be >= 0, got {int(arr.min())}")
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise ValueError(f"t must fit in int64, got {int(arr.max())}")
    if arr.size and arr.max() > MAX_STEP:
        raise ValueError(f"t must be <= {_bound(MAX_STEP)}, got {int(arr.max())}")
    return np.array(arr, dtype=np.int64)


def check_t0(t0: Any, T: int) -> int:
    """The first step of a table or sweep: an integer ``>= 0`` whose window ``t0 .. t0 + T - 1``
    ends at ``MAX_STEP`` at the latest (``T`` already checked)."""
    t0 = integer("t0", t0, lo=0, hi=MAX_STEP)
    if t0 + int(T) - 1 > MAX_STEP:
        raise ValueError(f"t0 + T - 1 must be <= {_bound(MAX_STEP)}, got t0={t0}, T={T}")
    return t0
