"""The schedule model's base classes: immutable specs, serialisation, fingerprint, evaluation.

:class:`Spec` is pure data (frozen dataclasses, JSON round trip, fingerprint). A
:class:`Schedulable` also evaluates: ``program()`` lowers it (:mod:`fastlr.lowering`), and
``at``/``table`` are thin calls into :mod:`fastlr.evaluate`; ``plot`` reaches the matplotlib face
through one function-level import.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from fastlr._hashing import canonical_hash

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from fastlr.lowering.program import Program

FORMAT_VERSION = 1
_REGISTRY: dict[str, type[Spec]] = {}


class Spec:
    """Common behaviour of every schedule object: immutable, validated, hashable, serialisable.

    Subclasses are frozen dataclasses; ``__post_init__`` validates and normalises (numbers to
    float, sequences to tuples) without touching the caller's objects.

    Examples
    --------
    >>> import fastlr
    >>> s = fastlr.Linear(1.0, 0.0, 4)
    >>> s.to_dict()
    {'type': 'Linear', 'start': 1.0, 'end': 0.0, 'steps': 4, ...}
    >>> fastlr.from_dict(s.to_dict()) == s, s.to_json().startswith('{"type": "Linear"'), len(s.fingerprint())
    (True, True, 32)
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    # ---- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON description: ``{"type": ClassName, field: value, ...}``.

        ``fastlr.from_dict(s.to_dict()) == s`` for every spec (floats survive JSON exactly).
        """
        out: dict[str, Any] = {"type": type(self).__name__}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            out[f.name] = _to_plain(getattr(self, f.name))
        return out

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> Spec:
        return cls(**fields)

    def fingerprint(self) -> str:
        """A stable hash of the description (SHA-256 of canonical JSON, 32 hex digits)."""
        return canonical_hash({"fastlr": FORMAT_VERSION, "spec": self.to_dict()})

    def to_json(self) -> str:
        """``to_dict()`` as a JSON string."""
        return json.dumps(self.to_dict(), allow_nan=False)


class Plottable:
    """``.plot()`` for schedules and schedule sets (matplotlib, imported on use)."""

    def plot(self, ax: Any = None, steps: int | None = None, **kwargs: Any) -> Any:
        """Draw the schedule with matplotlib and return the Axes.

        See :func:`fastlr.plot.plot_schedule` (``label``, ``log``, ``markers``, ``legend``,
        ``ylabel`` and line keywords); warmup ends and phase boundaries are marked.
        """
        from fastlr.plot import plot_schedule

        return plot_schedule(self, ax=ax, steps=steps, **kwargs)


class Schedulable(Spec, Plottable):
    """A spec that evaluates to one curve: ``at``, ``table`` and lowering."""

    def _schedule(self) -> Any:
        """The :class:`fastlr.Schedule` that this spec denotes."""
        raise NotImplementedError

    def program(self) -> Program:
        """The lowered program (one row) that kernels read."""
        from fastlr.lowering.program import lower_schedules

        return lower_schedules([self._schedule()])

    def at(self, t: Any) -> Any:
        """Value for optimizer step ``t`` (an int, or an integer array of steps >= 0).

        Returns a float for an int, a float64 array of the same shape for an array.
        """
        from fastlr import evaluate

        return evaluate.at(self.program(), t)

    def __call__(self, t: Any) -> Any:
        """``s(t)`` is ``s.at(t)``: a schedule is a ``step -> value`` function (optax's protocol).

        For a jitted or traced step (JAX, Keras), use :func:`fastlr.bridges.optax_schedule` or
        :func:`fastlr.bridges.keras_schedule`, which index a precomputed table.
        """
        return self.at(t)

    def table(
        self,
        T: int,
        dtype: DTypeLike | None = None,
        out: Any = None,
        exact: bool | None = None,
        device: str = "cpu",
    ) -> Any:
        """The values for optimizer steps ``0 .. T-1`` (entry i is the value step i uses).

        Parameters
        ----------
        T : int
            Number of steps, >= 1.
        dtype : float32 or float64, optional
            Output dtype (default: ``out``'s, else float64); computation is float64 either
            way, the result is rounded once.
        out : ndarray, optional
            A C-contiguous 1-D array of length T and that dtype (a slice or memmap works).
        exact : bool, optional
            libm (True) or vectorised (False, within 1e-14 relative) transcendental functions;
            by default exact for float64 and fast for float32.
        device : {"cpu", "cuda"}
            ``"cuda"`` returns a device array (or fills a CUDA ``out``); see ``docs/cuda.md``.
        """
        from fastlr import evaluate

        return evaluate.table(self.program(), T, dtype=dtype, out=out, exact=exact, device=device)


def _to_plain(value: Any) -> Any:
    if isinstance(value, Spec):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_to_plain(v) for v in value]
    return value


#: How deeply a description may nest (dicts and lists): two levels per Join or Product (a dict
#: and its list of phases), so every spec within their nesting limit (100) round-trips.
MAX_NESTING = 210


def from_dict(data: Any, *, trust_code: bool = False) -> Spec:
    """Rebuild a spec from :meth:`Spec.to_dict` output (or the same parsed from JSON).

    Parameters
    ----------
    data : dict
        The description.
    trust_code : bool
        A :class:`fastlr.Formula` stores its function as source code: rebuilding it runs that
        code, which this refuses unless ``trust_code=True`` (a schedule file must not be a way
        to run code).

    Raises
    ------
    ValueError
        For an unknown ``type`` (the valid ones are listed), unknown or missing fields, a
        description nested more than ``MAX_NESTING`` levels deep, and any invalid parameter
        (the constructors validate again); for code without ``trust_code=True``.

    Examples
    --------
    Absent fields take their defaults:

    >>> import fastlr
    >>> fastlr.from_dict({"type": "Linear", "start": 1.0, "end": 0.0, "steps": 4}) == fastlr.Linear(1.0, 0.0, 4)
    True
    """
    return _from_dict(data, 0, trust_code)


def _from_dict(data: Any, depth: int, trust_code: bool = False) -> Spec:
    if depth > MAX_NESTING:
        raise ValueError(f"from_dict: the description is nested more than {MAX_NESTING} levels deep")
    if not isinstance(data, dict):
        raise TypeError(f"from_dict expects a dict with a 'type' key, got {type(data).__name__}: {data!r}")
    if "type" not in data:
        raise ValueError(f"from_dict: missing 'type' key in {_brief(data)}")
    name = data["type"]
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None or not dataclasses.is_dataclass(cls):
        valid = ", ".join(sorted(k for k, c in _REGISTRY.items() if dataclasses.is_dataclass(c)))
        raise ValueError(f"from_dict: unknown type {name!r}; valid types: {valid}")
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(names) - {"type"})
    if unknown:
        raise ValueError(f"from_dict: unknown field(s) {unknown} for {name}; valid fields: {names}")
    if getattr(cls, "_executes_code", False) and not trust_code:
        raise ValueError(
            f"from_dict: a {name} holds source code that rebuilding it would run; pass trust_code=True "
            "only for a description you trust"
        )
    fields = {k: _from_plain(v, depth + 1, trust_code) for k, v in data.items() if k != "type"}
    return cls._from_fields(fields)


def _brief(data: Any) -> str:
    """``repr(data)`` cut at 200 characters (a corrupt document may be huge or deep)."""
    try:
        text = repr(data)
    except RecursionError:
        return f"a {type(data).__name__} nested too deeply to print"
    return text if len(text) <= 200 else text[:200] + "..."


def _from_plain(value: Any, depth: int, trust_code: bool = False) -> Any:
    if depth > MAX_NESTING:
        raise ValueError(f"from_dict: the description is nested more than {MAX_NESTING} levels deep")
    if isinstance(value, dict) and "type" in value:
        return _from_dict(value, depth, trust_code)
    if isinstance(value, dict):
        return {k: _from_plain(v, depth + 1, trust_code) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_from_plain(v, depth + 1, trust_code) for v in value)
    return value
