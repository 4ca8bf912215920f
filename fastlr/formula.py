"""Users' own learning-rate functions as a shape: :class:`Formula`.

``Formula(fn, **params)`` is a curve whose value at the integer local step ``t`` is
``fn(t, **params)``: the per-step Python function people hand to ``LambdaLR``, compiled once
with Numba into the same kernels as the built-in shapes (:mod:`fastlr.kernels.user`).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import inspect
import marshal
import math
import numbers
import textwrap
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from fastlr import _checks as ck
from fastlr._checks import FormulaCompileError
from fastlr.kernels import layout as L
from fastlr.lowering import segments as seg
from fastlr.lowering.segments import Segs
from fastlr.schedule import Shape

__all__ = ["Formula", "FormulaCompileError"]

#: Keywords of :class:`Formula` itself; a function's parameters of these names go in ``params=``.
RESERVED = ("jit", "params", "scale", "cumulative", "shift", "period")


# ---- freezing the numbers a function reads ------------------------------------------------------


def _names_read(code: types.CodeType) -> set[str]:
    """Global names read by ``code`` and the code objects nested in it (lambdas, comprehensions)."""
    out = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out |= _names_read(c)
    return out


def _freeze(name: str, value: Any) -> tuple[bool, Any]:
    """``(True, frozen copy)`` for a number, a tuple of numbers or a NumPy array; else ``(False, value)``."""
    if isinstance(value, (bool, np.bool_)):
        return True, bool(value)
    if isinstance(value, numbers.Integral):
        return True, int(value)
    if isinstance(value, numbers.Real):
        return True, float(value)
    if isinstance(value, tuple) and all(isinstance(v, numbers.Real) for v in value):
        return True, tuple(_freeze(name, v)[1] for v in value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"Formula: the array {name!r} the function reads must be numeric, got dtype {value.dtype}")
        a = np.array(value, copy=True)
        a.flags.writeable = False
        return True, a
    return False, value


def _frozen_function(fn: Callable[..., Any]) -> tuple[types.FunctionType, dict[str, Any]]:
    """A copy of ``fn`` whose numbers, tuples and arrays (globals and closure) are frozen copies;
    also ``{name: frozen value}``."""
    if not isinstance(fn, types.FunctionType):
        raise TypeError(f"Formula: fn must be a Python function (def or lambda), got {type(fn).__name__}: {fn!r}")
    code = fn.__code__
    frozen: dict[str, Any] = {}
    glb = dict(fn.__globals__)
    for name in sorted(_names_read(code)):
        if name in glb:
            ok, v = _freeze(name, glb[name])
            if ok:
                glb[name] = v
                frozen[name] = v
    cells = None
    if fn.__closure__:
        new = []
        for name, cell in zip(code.co_freevars, fn.__closure__):
            try:
                value = cell.cell_contents
            except ValueError:
                raise ValueError(f"Formula: the closure variable {name!r} of {fn.__name__} is not set yet") from None
            ok, v = _freeze(name, value)
            if ok:
                frozen[name] = v
            new.append(types.CellType(v))
        cells = tuple(new)
    copy = types.FunctionType(code, glb, fn.__name__, fn.__defaults__, cells)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = fn.__qualname__
    copy.__module__ = fn.__module__
    return copy, frozen


def _plain_frozen(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"tuple": list(value)}
    return value


def _from_plain_frozen(value: Any) -> Any:
    if isinstance(value, Mapping) and "array" in value:
        a = np.array(value["array"], dtype=value["dtype"]).reshape(tuple(value["shape"]))
        a.flags.writeable = False
        return a
    if isinstance(value, Mapping) and "tuple" in value:
        return tuple(value["tuple"])
    return value


# ---- the function's source ----------------------------------------------------------------------


def _source(fn: types.FunctionType) -> str | None:
    """The source of ``fn`` as a ``def`` or a ``lambda`` expression (decorators dropped), or None."""
    return _code_source(fn.__code__, fn.__name__)


@functools.lru_cache(maxsize=1024)
def _code_source(code: types.CodeType, name: str) -> str | None:
    """:func:`_source`, once per code object (many Formulas of one function)."""
    try:
        lines, _ = inspect.getsourcelines(code)
    except (OSError, TypeError):
        return None
    text = textwrap.dedent("".join(lines))
    if name != "<lambda>":
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return None
        node = tree.body[0] if tree.body else None
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        node.decorator_list = []
        return ast.unparse(node)
    # a lambda: the lambda expressions on its line with its arguments
    try:
        tree = ast.parse(text)
    except SyntaxError:
        try:
            tree = ast.parse("(" + text.strip().rstrip(",").rstrip(")") + ")")
        except SyntaxError:
            return None
    args = code.co_varnames[: code.co_argcount]
    found = {
        ast.unparse(n)
        for n in ast.walk(tree)
        if isinstance(n, ast.Lambda) and tuple(a.arg for a in n.args.args) == args and n.lineno == 1
    }
    return found.pop() if len(found) == 1 else None


def _rebuild(source: str, name: str, frozen: Mapping[str, Any]) -> types.FunctionType:
    """The function of ``source`` with ``math``, ``numpy`` (as ``np``) and the frozen values as globals."""
    ns: dict[str, Any] = {"math": math, "np": np, "numpy": np, "__builtins__": __builtins__}
    ns.update({k: _from_plain_frozen(v) for k, v in frozen.items()})
    if name == "<lambda>":
        fn = eval(compile(source, "<fastlr.Formula>", "eval"), ns)
    else:
        exec(compile(source, "<fastlr.Formula>", "exec"), ns)
        fn = ns[name]
    if not isinstance(fn, types.FunctionType):
        raise ValueError(f"Formula: the source does not define a function {name!r}")
    return fn


# ---- compile errors -----------------------------------------------------------------------------


def _compile_message(fn: types.FunctionType, exc: Exception) -> str:
    """Numba's error, cut to the construct and the line it names."""
    text = str(exc)
    keep = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith(("During:", "^", "[1]", "[2]", "- Resolution", "Enable logging")):
            continue
        keep.append(s)
    where = f"{fn.__code__.co_filename}:{fn.__code__.co_firstlineno}"
    body = " | ".join(keep[:6])
    return (
        f"Formula: Numba cannot compile the function {fn.__name__} ({where}): {body}. "
        "Use numbers, tuples, NumPy arrays and math/NumPy functions (no dicts, lists or other objects), "
        "or pass jit=False to evaluate it per step in Python (exact, slow)."
    )


# ---- the shape ----------------------------------------------------------------------------------


def _param(name: str, value: Any) -> int | float:
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"Formula: parameter {name}={value!r} must be finite")
        return v
    raise TypeError(
        f"Formula: parameter {name}={value!r} must be a number (int or float), got {type(value).__name__}; "
        "tuples and arrays the function reads as globals or from its closure are frozen instead"
    )


@dataclasses.dataclass(frozen=True, eq=False, init=False)
class Formula(Shape):
    """A user's function as a curve: ``f(t) = scale * fn(t, **params)`` at the integer local step ``t``.

    ``fn`` is a plain Python function (``def`` or ``lambda``) of an int ``t`` and the numeric
    ``params``, returning a float; it is compiled with Numba (``jit=True``) into the kernels of
    tables, sweeps and summaries, or evaluated per step in Python (``jit=False``: exact, slow,
    shown in the repr). Numbers, tuples and NumPy arrays that ``fn`` reads as globals or from its
    closure are **frozen** (copied) when the Formula is made: later changes to them do not change
    it. Many Formulas of one ``fn`` with different ``params`` compile once and sweep as one batch
    (each parameter is a column).

    Parameters
    ----------
    fn : function
        ``fn(t)`` or ``fn(t, **params)``; values must be finite and >= 0 (checked on every
        table, sweep and ``at``).
    jit : bool
        Compile with Numba (default). What Numba cannot compile raises
        :class:`FormulaCompileError` naming the construct and the line.
    scale : float
        Multiplies the values (``LambdaLR``'s ``base_lr * lr_lambda(t)``), >= 0.
    cumulative : bool
        The value at ``t`` is ``scale * fn(1) * ... * fn(t + shift)``, multiplied in step
        order (torch's ``MultiplicativeLR``); ``scale`` at ``t + shift = 0``.
    shift : int
        The function sees ``t + shift`` (a curve already ``shift`` steps along; negative: one
        that starts ``-shift`` steps early, the function seeing negative steps first).
    period : int, optional
        The cycle length when :class:`fastlr.Restarts` repeat this Formula (it has no horizon
        of its own): cycle ``i`` lasts ``period * mult**i`` steps, the function sees the step
        inside the cycle, its values times ``decay**i``; after ``limit`` cycles it holds its
        value at the end of the last cycle (a built-in curve holds its end value). Whole
        cycles only (``cycles=1``, an integer ``mult``, no ``stretch``). >= 1.
    params : mapping, optional
        Parameters whose names are reserved here (``jit``, ``params``, ``scale``,
        ``cumulative``, ``shift``, ``period``).
    **params : int or float
        The function's keyword parameters (ints are passed as int64, floats as float64).

    Examples
    --------
    >>> import math, fastlr
    >>> def cosine(t, total, floor):
    ...     return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(t, total) / total))
    >>> f = fastlr.Formula(cosine, total=4, floor=0.1)
    >>> f.table(6).round(4).tolist()
    [1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]
    >>> fastlr.Schedule(f, warmup=fastlr.Warmup(2), scale=0.5).table(4).round(4).tolist()
    [0.0, 0.25, 0.5, 0.4341]

    A factor of a :class:`fastlr.Product`, and repeated by :class:`fastlr.Restarts`:

    >>> fastlr.Product((f, fastlr.MultiStep(1.0, (2,), 0.5))).table(4).round(4).tolist()
    [1.0, 0.8682, 0.275, 0.1159]
    >>> g = fastlr.Formula(cosine, total=4, floor=0.1, period=3)
    >>> fastlr.Schedule(g, restarts=fastlr.Restarts(decay=0.5)).table(7).round(4).tolist()
    [1.0, 0.8682, 0.55, 0.5, 0.4341, 0.275, 0.25]
    """

    fn: Any
    params: tuple[tuple[str, int | float], ...]
    jit: bool
    scale: float
    cumulative: bool
    shift: int
    period: int | None
    if TYPE_CHECKING:  # set in __init__, not dataclass fields
        _key: str
        _frozen: dict[str, Any]
        _source_text: str | None

    def __init__(
        self,
        fn: Any,
        *,
        jit: bool = True,
        scale: float = 1.0,
        cumulative: bool = False,
        shift: int = 0,
        period: int | None = None,
        params: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        w = "Formula"
        if not isinstance(jit, bool):
            raise TypeError(f"{w}: jit must be a bool, got {jit!r}")
        if not isinstance(cumulative, bool):
            raise TypeError(f"{w}: cumulative must be a bool, got {cumulative!r}")
        scale = ck.real("scale", scale, w, lo=0.0)
        shift = ck.integer("shift", shift, w, lo=-ck.MAX_STEP, hi=ck.MAX_STEP)
        if period is not None:
            period = ck.integer("period", period, w, lo=1, hi=ck.MAX_STEP)
        if shift < 0 and cumulative:
            raise ValueError(f"{w}: shift={shift} with cumulative=True: a product from step 1 needs shift >= 0")
        given = dict(params or {})
        clash = sorted(set(given) & set(kwargs))
        if clash:
            raise ValueError(f"{w}: parameter(s) {clash} given both in params= and as keywords")
        given.update(kwargs)
        values = tuple(sorted((str(k), _param(k, v)) for k, v in given.items()))
        frozen_fn, frozen = _frozen_function(fn)
        sig = inspect.signature(frozen_fn)
        try:
            sig.bind(0, **dict(values))
        except TypeError as exc:
            raise TypeError(f"{w}: {fn.__name__}{sig} cannot be called as fn(t, **params): {exc}") from None
        self._set("fn", frozen_fn)
        self._set("params", values)
        self._set("jit", jit)
        self._set("scale", scale)
        self._set("cumulative", cumulative)
        self._set("shift", shift)
        self._set("period", period)
        self._set("_frozen", frozen)
        self._set("_source_text", getattr(fn, "__fastlr_source__", None) or _source(frozen_fn))
        self._set("_key", self._make_key())
        if jit:
            self._compile()
        self._segments()

    # ---- identity ----------------------------------------------------------------------------
    def _make_key(self) -> str:
        h = hashlib.sha256()
        src = self._source_text
        h.update(src.encode() if src is not None else marshal.dumps(self.fn.__code__))
        h.update(self.fn.__name__.encode())
        h.update(repr(sorted((k, _plain_frozen(v)) for k, v in self._frozen.items())).encode())
        h.update(repr(self.fn.__defaults__).encode())
        return h.hexdigest()[:32]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Formula):
            return NotImplemented
        return self._identity() == other._identity()

    def _identity(self) -> tuple[Any, ...]:
        return (self._key, self.params, self.jit, self.scale, self.cumulative, self.shift, self.period)

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params)
        if self.scale != 1.0:
            args += f", scale={self.scale!r}"
        if self.cumulative:
            args += ", cumulative=True"
        if self.shift:
            args += f", shift={self.shift}"
        if self.period is not None:
            args += f", period={self.period}"
        mode = ", jit=False (per-step Python)" if not self.jit else ""
        return f"Formula({self.fn.__name__}{args}{mode})"

    # ---- the kernels' view -------------------------------------------------------------------
    def _user_function(self, ints: tuple[bool, ...] | None = None) -> Any:
        """The :class:`~fastlr.kernels.user.UserFunction` of this function (parameters' kinds
        ``ints``, by default this Formula's own)."""
        from fastlr.kernels.user import UserFunction

        names = tuple(k for k, _ in self.params)
        kinds = tuple(isinstance(v, int) for _, v in self.params) if ints is None else ints
        key = hashlib.sha256(f"{self._key}{names}{kinds}{self.jit}{self.cumulative}".encode()).hexdigest()[:32]
        return UserFunction(key, self.fn, names, kinds, self.jit, self.fn.__name__, self.cumulative)

    def _user_group(self) -> tuple[str, tuple[str, ...], bool, bool]:
        """Formulas of one group share a function table entry (and its columns)."""
        return self._key, tuple(k for k, _ in self.params), self.jit, self.cumulative

    def _compile(self) -> None:
        from numba.core import errors
        from numba.core import types as nbtypes

        from fastlr.kernels import user

        try:
            rtype = user.compile_check(self._user_function())
        except (errors.NumbaError, NotImplementedError) as exc:
            raise FormulaCompileError(_compile_message(self.fn, exc)) from None
        if not isinstance(rtype, (nbtypes.Number, nbtypes.Boolean)) or isinstance(rtype, nbtypes.Complex):
            raise FormulaCompileError(
                f"Formula: the function {self.fn.__name__} returns {rtype}, not a real number "
                f"({self.fn.__code__.co_filename}:{self.fn.__code__.co_firstlineno}); every path must return a "
                "number (or pass jit=False to evaluate it per step in Python)"
            )

    def _check_restarts(self, rs: Any, where: str) -> None:
        """Restarts of this Formula: whole cycles of ``period`` steps (the function sees integer steps)."""
        why = None
        if self.period is None:
            why = "give the Formula a period= (the cycle length; a Formula has no horizon of its own)"
        elif rs.cycles != 1.0:
            why = f"cycles={rs.cycles!r} makes fractional cycles; a Formula sees whole steps (cycles must be 1)"
        elif rs.stretch:
            why = "stretch=True stretches a curve's horizon, which a Formula does not have"
        elif rs.mult != math.floor(rs.mult):
            why = f"mult={rs.mult!r} makes cycles start between steps; a Formula's period grows by an integer mult"
        elif rs.warmup_steps >= self.period:
            why = f"restarts.warmup_steps={rs.warmup_steps} must be < the cycle length period={self.period}"
        if why is not None:
            raise ValueError(f"{where}: restarts of {self!r}: {why}")

    def _restart_fields(self) -> tuple[int, float]:
        # the cycle length, and the peak of timm-style peak decay: the Formula's scale (base 0)
        assert self.period is not None
        return self.period, self.scale

    def _segs(self) -> Segs:
        # one USER segment; lower_schedules sets q0 (the parameters' columns) and q1 (the
        # function); q2 is its slot among the curve's Formulas (segments.user_slots)
        return seg.one(0, L.USER, 0.0, self.scale, 1.0, -float(self.shift), 0.0, 0.0, 0.0)

    def _user_shapes(self) -> list[Any]:
        return [self]

    def value(self, t: int) -> float:
        """The value at local step ``t`` computed in Python: ``scale * fn(t, **params)``, or
        ``scale * fn(1) * ... * fn(t + shift)`` (cumulative), the arithmetic the kernels reproduce."""
        kw = dict(self.params)
        if not self.cumulative:
            return 0.0 + self.scale * float(self.fn(int(t) + self.shift, **kw))
        v = self.scale
        for s in range(1, int(t) + self.shift + 1):
            v = v * float(self.fn(s, **kw))
        return 0.0 + v

    def start_value(self) -> float:
        """The value at local step 0."""
        return self.value(0)

    # ---- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """``{"type": "Formula", "fn": {"name", "source", "frozen"}, "params": {...}, "jit": ...}``.

        The function travels as source text with its frozen numbers; :func:`fastlr.from_dict`
        runs it only with ``trust_code=True``.
        """
        if self._source_text is None:
            raise ValueError(
                f"Formula: the source of {self.fn.__name__} is not available (defined interactively or by exec?), "
                "so it cannot be serialised; define it in a file"
            )
        frozen = {}
        for k, v in sorted(self._frozen.items()):
            frozen[k] = _plain_frozen(v)
        return {
            "type": "Formula",
            "fn": {"name": self.fn.__name__, "source": self._source_text, "frozen": frozen},
            "params": dict(self.params),
            "jit": self.jit,
            "scale": self.scale,
            "cumulative": self.cumulative,
            "shift": self.shift,
            **({"period": self.period} if self.period is not None else {}),
        }

    #: from_dict runs this spec's code: it needs ``trust_code=True``.
    _executes_code = True

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> Formula:
        fn = fields.get("fn")
        if not isinstance(fn, Mapping) or not {"name", "source"} <= set(fn):
            raise ValueError(f"from_dict: Formula needs fn = {{'name', 'source', 'frozen'}}, got {fn!r}")
        rebuilt = _rebuild(str(fn["source"]), str(fn["name"]), dict(fn.get("frozen") or {}))
        rebuilt.__fastlr_source__ = str(fn["source"])  # type: ignore[attr-defined]
        params = fields.get("params") or {}
        if not isinstance(params, Mapping):
            raise ValueError(f"from_dict: Formula params must be a mapping, got {params!r}")
        return cls(
            rebuilt,
            jit=fields.get("jit", True),
            scale=fields.get("scale", 1.0),
            cumulative=fields.get("cumulative", False),
            shift=fields.get("shift", 0),
            period=fields.get("period"),
            params=dict(params),
        )
