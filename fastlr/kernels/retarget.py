"""Compile the plain-Python formula source for one target.

:func:`compile_functions` copies each function of a module with a fresh globals dictionary in
which the names of the other kernel functions are bound to their compiled versions, then
compiles the copies. The formulas are therefore written once, without decorators, and every
target (CPU, CUDA) calls its own compiled copies of the same bytecode. ``overrides`` binds some
names to other implementations of the same function (the CPU's vectorisable primitives).
:func:`compile_cpu` lays out the CPU evaluator (formulas, anchored runs, blocks, row drivers) in
one namespace; the Numba build, the interpreter and users' plain-Python functions all take it.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from typing import Any

from fastlr.kernels import blocks, drivers, formulas, runs


def compile_functions(
    module: types.ModuleType,
    names: Iterable[str],
    jit: Callable[[Any], Any],
    namespace: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    tag: str = "",
    aliases: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Return ``{name: jit(copy_of_function)}`` for ``names`` of ``module``.

    Parameters
    ----------
    module : module
        The module holding the plain-Python functions (and the constants they read).
    names : iterable of str
        The function names to compile; calls between them resolve to compiled copies.
    jit : callable
        The target's decorator, e.g. ``numba.njit(cache=True)``.
    namespace : dict, optional
        A namespace shared with earlier calls (functions compiled there are visible here); it
        is updated in place. By default a fresh one.
    overrides : dict, optional
        Names bound to given objects instead of compiling the module's functions of that name.
    tag : str
        Prefix of the copies' qualified names, so on-disk caches of differently bound copies
        of one function never collide.
    aliases : dict, optional
        ``{name: other}``: compile the module's function ``other`` under ``name`` (another
        form of the same function for this target).

    Returns
    -------
    dict
        The compiled functions by name (the overrides included).
    """
    ns: dict[str, Any] = {} if namespace is None else namespace
    for key, val in vars(module).items():
        ns.setdefault(key, val)
    compiled: dict[str, Any] = dict(overrides or {})
    ns.update(compiled)
    for name in names:
        if name in compiled:
            continue
        func = getattr(module, (aliases or {}).get(name, name))
        copy = types.FunctionType(func.__code__, ns, name, func.__defaults__, func.__closure__)
        copy.__qualname__ = f"{tag}{name}"
        copy.__module__ = func.__module__
        copy.__doc__ = func.__doc__
        compiled[name] = jit(copy)
        ns[name] = compiled[name]
    return compiled


def as_python(func: Any) -> Any:
    """The identity "compiler": the copies run as plain Python (the interpreter's builds)."""
    return func


def compile_cpu(
    inline: Callable[[Any], Any],
    internal: Callable[[Any], Any],
    serial: Callable[[Any], Any],
    namespace: dict[str, Any],
    overrides: dict[str, Any] | None = None,
    tag: str = "",
    aliases: dict[str, str] | None = None,
    compiled: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The CPU evaluator in one namespace: every function of :mod:`~fastlr.kernels.formulas`,
    :mod:`~fastlr.kernels.runs`, :mod:`~fastlr.kernels.blocks` and
    :mod:`~fastlr.kernels.drivers` the CPU kernels call, each compiled by the decorator of its
    kind.

    Parameters
    ----------
    inline : callable
        For the leaf formulas (``formulas.LEAF_FUNCTIONS``, ``formulas.CPU_LEAF_FUNCTIONS``) and
        ``blocks.INLINE_FUNCTIONS``: inlined into their callers.
    internal : callable
        For functions only other kernel functions call (formulas' evaluators, runs, pieces).
    serial : callable
        For the entry points called from Python (``fill_span`` and the row drivers); the CPU
        build's also inlines them into the kernels that call them.
    namespace : dict
        The switches (``layout.switches``, ``ANCHORED_RUNS``); updated in place.
    overrides, tag, aliases
        As for :func:`compile_functions`; ``overrides`` and ``aliases`` apply to the leaves.
    compiled : dict, optional
        Functions above the leaves compiled already, by name: bound in the namespace instead of
        compiling the module's function of that name (the fast build's anchored runs, which read
        no switch: every variant shares one copy).

    Returns
    -------
    dict
        The compiled functions by name (``fill_span``, ``fill_rows``, ``summarize_rows``,
        ``eval_points``, ``value``...).
    """
    leaves = formulas.LEAF_FUNCTIONS + formulas.CPU_LEAF_FUNCTIONS
    out = compile_functions(formulas, leaves, inline, namespace, overrides, tag, aliases)
    nodes = [n for n in formulas.KERNEL_FUNCTIONS if n not in leaves]
    for module, names, jit in (
        (formulas, nodes, internal),
        (runs, runs.RUN_FUNCTIONS, internal),
        (blocks, blocks.PIECE_FUNCTIONS, internal),
        (blocks, blocks.INLINE_FUNCTIONS, inline),
        (blocks, blocks.SERIAL_FUNCTIONS, serial),
        (drivers, drivers.SERIAL_DRIVERS, serial),
        (drivers, drivers.PARALLEL_DRIVERS, serial),
    ):
        out.update(compile_functions(module, names, jit, namespace, compiled, tag=tag))
    return out
