"""Users' functions (``fastlr.Formula``) compiled into the kernels.

A program whose segments use the ``USER`` code carries a :class:`UserTable`: the functions its
USER segments call (a segment's ``q1`` is the index here) and, for each, the names and kinds of
its parameters. A row's parameter values sit in the program's ``cf`` columns from
``layout.CF_WIDTH`` on (a segment's ``q0`` is the first one's column, counted from there), so a
sweep of one function over many parameter sets is one program: the parameters are columns.

:func:`kernels` builds the CPU kernels of such a program: the formula, block and driver source
of :mod:`fastlr.kernels.cpu`, with ``formulas.user_value`` and ``formulas.user_fill`` bound to a
small dispatcher that calls the program's functions (compiled with ``numba.njit``), once per
table of functions and feature set, in memory only (a user's function is not a file Numba's
on-disk cache could check). With a function made with ``jit=False`` the whole build is the same
source run as plain Python: exact, one Python call per step, and slow.

The dispatcher is generated as source text (one ``if`` per function, its parameters read into
locals once per piece), since Numba calls a function with a fixed argument list.

For CUDA, :func:`device_source` generates ``user_value`` alone (the device has no block loops),
calling the functions with their parameters by position, and carrying a cumulative function's
product from step to step in extra ``cf`` columns (:func:`memo_columns`);
:func:`fastlr.kernels.cuda.user_kernels` compiles it.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from typing import Any, NamedTuple

import numpy as np

from fastlr.kernels import layout
from fastlr.kernels.retarget import as_python, compile_cpu


@dataclasses.dataclass(frozen=True)
class UserFunction:
    """One user's function as the kernels see it (equal and hashed by ``key``, the function
    object aside: Formulas of one function share their builds).

    Attributes
    ----------
    key : str
        A fingerprint of the function (source, frozen values, parameter kinds): builds are
        cached by it.
    fn : callable
        The function with its globals and closure frozen (plain Python).
    names : tuple of str
        The parameters passed by keyword, in column order.
    ints : tuple of bool
        Whether each parameter is passed as an int64 (else as a float64).
    jit : bool
        False: evaluated as plain Python.
    label : str
        The function's name, for messages.
    cumulative : bool
        The value at step ``t`` is ``amp * fn(1) * ... * fn(t)`` (torch's MultiplicativeLR),
        multiplied in step order; else ``amp * fn(t)``.
    """

    key: str
    fn: Any = dataclasses.field(compare=False)
    names: tuple[str, ...]
    ints: tuple[bool, ...]
    jit: bool
    label: str
    cumulative: bool = False


class UserTable(NamedTuple):
    """The functions of a program's USER segments (a segment's ``q1`` indexes them)."""

    functions: tuple[UserFunction, ...]

    @property
    def jit(self) -> bool:
        """Whether every function is compiled (else the build runs as plain Python)."""
        return all(f.jit for f in self.functions)

    def label(self, i: int) -> str:
        """The name of function ``i``."""
        return self.functions[int(i)].label


def _args(f: UserFunction, prefix: str) -> str:
    return "".join(f", {name}={prefix}{j}" for j, name in enumerate(f.names))


def _loads(f: UserFunction, indent: str) -> list[str]:
    out = []
    for j, is_int in enumerate(f.ints):
        load = f"cf[c, o + {j}]"
        out.append(f"{indent}p{j} = {'int(' + load + ')' if is_int else load}")
    return out


def dispatcher_source(table: UserTable) -> str:
    """The source of ``user_value`` and ``user_fill`` for ``table`` (functions ``f0, f1, ...``).

    A cumulative function multiplies ``amp`` by ``fn(1), fn(2), ...`` in step order (torch's
    arithmetic): ``user_fill`` computes the product up to its first step once, then one factor
    per step.
    """
    lines = ["def user_value(cf, c, q0, q1, t, base, amp):", "    o = CF_WIDTH + int(q0)"]
    for i, f in enumerate(table.functions):
        call = f"float(f{i}(%s{_args(f, 'p')}))"
        lines.append(f"    if q1 == {i}.0:")
        lines += _loads(f, "        ")
        if f.cumulative:
            lines += ["        v = amp", "        for s in range(1, t + 1):", f"            v = v * {call % 's'}"]
            lines.append("        return base + v")
        else:
            lines.append(f"        return base + amp * {call % 't'}")
    lines.append("    return math.nan")
    lines += ["", "", "def user_fill(b, cf, c, q0, q1, t0, base, amp, scale, flo):", "    o = CF_WIDTH + int(q0)"]
    for i, f in enumerate(table.functions):
        call = f"float(f{i}(%s{_args(f, 'p')}))"
        lines.append(f"    if q1 == {i}.0:")
        lines += _loads(f, "        ")
        if f.cumulative:
            lines += ["        v = amp", "        for s in range(1, t0 + 1):", f"            v = v * {call % 's'}"]
            lines += ["        for j in range(b.shape[0]):", "            if j > 0:"]
            lines.append(f"                v = v * {call % '(t0 + j)'}")
            lines.append("            b[j] = max(scale * (base + v), flo)")
        else:
            lines.append("        for j in range(b.shape[0]):")
            lines.append(f"            b[j] = max(scale * (base + amp * {call % '(t0 + j)'}), flo)")
        lines.append("        return")
    lines.append("    for j in range(b.shape[0]):")
    lines.append("        b[j] = math.nan")
    return "\n".join(lines) + "\n"


#: Columns a cumulative function's product takes at the end of ``cf`` on CUDA, per function of
#: the table: the ``q0`` and ``amp`` of the segment it belongs to, its last step, and its value.
MEMO_WIDTH = 4


def device_call(f: UserFunction, i: int) -> tuple[str, dict[str, Any]]:
    """``f{i}``'s call on the device as a template for the step (``"f0(%s, p1, p0)"``), and the
    defaults it passes by name (``{"f0_d2": 0.5}``).

    The parameters go by position in the function's own order (the CUDA simulator's device
    functions take no keywords), a parameter not given as its default; keyword-only ones by
    keyword.
    """
    given = {name: f"p{j}" for j, name in enumerate(f.names)}
    args: list[str] = []
    consts: dict[str, Any] = {}
    for k, p in enumerate(list(inspect.signature(f.fn).parameters.values())[1:], start=1):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name in given:
            expr = given[p.name]
        elif p.default is not p.empty:
            expr = f"f{i}_d{k}"
            consts[expr] = p.default
        else:
            continue  # not reached: the Formula bound its params to the function
        args.append(f"{p.name}={expr}" if p.kind == p.KEYWORD_ONLY else expr)
        given.pop(p.name, None)
    args += [f"{name}={expr}" for name, expr in given.items()]  # taken by **kwargs: by keyword
    return f"f{i}(%s{''.join(', ' + a for a in args)})", consts


def device_source(table: UserTable) -> tuple[str, dict[str, Any]]:
    """The source of ``user_value`` for a CUDA build of ``table`` (functions ``f0, f1, ...``), and
    the constants it reads (:func:`device_call`).

    A non-cumulative function's value is :func:`dispatcher_source`'s. A cumulative one carries its
    product in the row's last ``MEMO_WIDTH * len(table.functions)`` columns of ``cf`` (function
    ``i`` at ``cf.shape[1] - MEMO_WIDTH * (n - i)``): a call at a later step of the same segment
    multiplies on from the last one, in the same order as from ``fn(1)`` (so the same bits), and
    any other call starts again from ``fn(1)``. Only one thread may evaluate a row (the serial
    kernel over a program whose rows are distinct copies, :func:`memo_columns`).
    """
    n = len(table.functions)
    lines = ["def user_value(cf, c, q0, q1, t, base, amp):", "    o = CF_WIDTH + int(q0)"]
    consts: dict[str, Any] = {}
    for i, f in enumerate(table.functions):
        template, defaults = device_call(f, i)
        consts.update(defaults)
        call = f"float({template})"
        lines.append(f"    if q1 == {i}.0:")
        lines += _loads(f, "        ")
        if not f.cumulative:
            lines.append(f"        return base + amp * {call % 't'}")
            continue
        lines += [
            f"        m = cf.shape[1] - {MEMO_WIDTH * (n - i)}",
            "        if cf[c, m] == q0 and cf[c, m + 1] == amp and cf[c, m + 2] <= t:",
            "            s0 = int(cf[c, m + 2])",
            "            v = cf[c, m + 3]",
            "        else:",
            "            s0 = 0",
            "            v = amp",
            "        for s in range(s0 + 1, t + 1):",
            f"            v = v * {call % 's'}",
            "        cf[c, m] = q0",
            "        cf[c, m + 1] = amp",
            "        cf[c, m + 2] = float(t)",
            "        cf[c, m + 3] = v",
            "        return base + v",
        ]
    lines.append("    return math.nan")
    return "\n".join(lines) + "\n", consts


def memo_columns(table: UserTable, cf: np.ndarray) -> np.ndarray:
    """``cf`` with the columns :func:`device_source`'s cumulative functions carry their product
    in, appended (NaN: no product yet); a new array."""
    memo = np.full((cf.shape[0], MEMO_WIDTH * len(table.functions)), np.nan)
    return np.ascontiguousarray(np.hstack([cf, memo]))


def call_source(f: UserFunction) -> str:
    """``def call(t, p0, p1, ...)``: ``fn`` called with its parameters by keyword (Numba compiles
    a function for positional argument types)."""
    params = "".join(f", p{j}" for j in range(len(f.names)))
    return f"def call(t{params}):\n    return fn(t{_args(f, 'p')})\n"


def device_call_source(f: UserFunction) -> tuple[str, dict[str, Any]]:
    """:func:`call_source` calling ``f0`` as the device does (:func:`device_call`), and the
    constants it reads."""
    template, consts = device_call(f, 0)
    params = "".join(f", p{j}" for j in range(len(f.names)))
    return f"def call(t{params}):\n    return {template % 't'}\n", consts


def _dispatchers(table: UserTable, bind: Any) -> dict[str, Any]:
    """``{"user_value": ..., "user_fill": ...}`` as plain Python, calling ``bind(f)`` for each function."""
    ns: dict[str, Any] = {"CF_WIDTH": layout.CF_WIDTH, "math": math}
    for i, f in enumerate(table.functions):
        ns[f"f{i}"] = bind(f)
    exec(compile(dispatcher_source(table), "<fastlr.kernels.user dispatcher>", "exec"), ns)
    return {"user_value": ns["user_value"], "user_fill": ns["user_fill"]}


@functools.cache
def njit_function(f: UserFunction) -> Any:
    """``numba.njit`` of the frozen function (compiled on first call, one per key)."""
    import numba

    return numba.njit(error_model="numpy")(f.fn)


@functools.cache
def compile_check(f: UserFunction) -> Any:
    """Compile ``f`` now for an int64 step and its parameters' kinds; return the result type
    (once per key: many Formulas of one function with other parameter values ask again).

    Raises Numba's own errors (the caller turns them into one naming the construct and line).
    """
    import numba

    sig = (numba.int64, *(numba.int64 if i else numba.float64 for i in f.ints))
    # keyword parameters: through a tiny wrapper taking them by position
    disp = _positional(f) if f.names else njit_function(f)
    disp.compile(sig)
    return disp.overloads[sig].signature.return_type


@functools.cache
def _positional(f: UserFunction) -> Any:
    import numba

    ns: dict[str, Any] = {"fn": njit_function(f)}
    exec(call_source(f), ns)
    return numba.njit(error_model="numpy")(ns["call"])


@functools.cache
def _python_build(table: UserTable) -> dict[str, Any]:
    """The kernel source as plain Python, the functions called as they are (``jit=False``)."""
    ns: dict[str, Any] = layout.switches(layout.ALL_FEATURES)
    ns["ANCHORED_RUNS"] = False
    user = _dispatchers(table, lambda f: f.fn)
    return compile_cpu(as_python, as_python, as_python, ns, user)


#: The compiled functions of the kernel source that call no user's function (directly or
#: through others): a user's build takes them from the built-in variant of its features.
USER_FREE = ("unit", "piece", "other_piece", "unit_fill")


@functools.cache
def _jit_build(table: UserTable, mask: int) -> dict[str, Any]:
    import numba

    from fastlr.kernels import cpu

    plain = _dispatchers(table, njit_function)
    inline = numba.njit(inline="always", **cpu.OPTIONS)
    overrides = {name: inline(func) for name, func in plain.items()}
    tag = "user." + ".".join(f.key[:12] for f in table.functions) + f".m{mask:x}."
    # the pieces call no user's function: those of the built-in exact variant of the same
    # features (cached on disk, shared by every build of those features)
    builtin = cpu._variant(True, mask)
    return cpu._build(tag, mask, overrides, cache=False, compiled={n: builtin[n] for n in USER_FREE})


def kernels(table: UserTable, arrays: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """The CPU kernels (``fill_span``, ``fill_rows``, ``summarize_rows``,
    ``eval_points``) of a program with USER segments, in the variant of its features."""
    if not table.jit:
        return _python_build(table)
    from fastlr.kernels import cpu

    return _jit_build(table, cpu.feature_mask(*arrays))
