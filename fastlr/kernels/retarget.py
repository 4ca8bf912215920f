"""Compile the plain-Python formula source for one target.

:func:`compile_functions` copies each function of a module with a fresh globals dictionary in
which the names of the other kernel functions are bound to their compiled versions, then
compiles the copies. The formulas are therefore written once, without decorators, and every
target (CPU now, CUDA later) calls its own compiled copies of the same bytecode.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from typing import Any


def compile_functions(module: types.ModuleType, names: Iterable[str], jit: Callable[[Any], Any]) -> dict[str, Any]:
    """Return ``{name: jit(copy_of_function)}`` for ``names`` of ``module``.

    Parameters
    ----------
    module : module
        The module holding the plain-Python functions (and the constants they read).
    names : iterable of str
        The function names to compile; calls between them resolve to compiled copies.
    jit : callable
        The target's decorator, e.g. ``numba.njit(inline="always")``.

    Returns
    -------
    dict
        The namespace the copies share: module globals plus the compiled functions.
    """
    namespace: dict[str, Any] = dict(vars(module))
    compiled: dict[str, Any] = {}
    for name in names:
        func = getattr(module, name)
        copy = types.FunctionType(func.__code__, namespace, name, func.__defaults__, func.__closure__)
        copy.__qualname__ = func.__qualname__
        copy.__module__ = func.__module__
        copy.__doc__ = func.__doc__
        compiled[name] = jit(copy)
    namespace.update(compiled)
    return compiled
