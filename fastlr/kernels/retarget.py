"""Compile the plain-Python formula source for one target.

:func:`compile_functions` copies each function of a module with a fresh globals dictionary in
which the names of the other kernel functions are bound to their compiled versions, then
compiles the copies. The formulas are therefore written once, without decorators, and every
target (CPU, CUDA) calls its own compiled copies of the same bytecode. ``overrides`` binds some
names to other implementations of the same function (the CPU's vectorisable primitives).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from typing import Any


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
