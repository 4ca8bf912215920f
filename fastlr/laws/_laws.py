"""The two loss laws: parameters, validation, per-step predictions and the final-loss gradient."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from fastlr import _checks as ck
from fastlr._spec import Schedulable

#: below this many drop terms (steps x lr changes) ``predict`` runs on one thread
SERIAL_TERMS = 1 << 20

__all__ = ["AnnealingLaw", "Law", "MultiPowerLaw", "from_dict", "lr_table", "steps_array"]


def lr_table(lr: Any, T: int | None = None, name: str = "lr") -> np.ndarray:
    """A float64 per-step lr table from an array or a fastlr schedule (``T`` entries for a schedule).

    Raises ``ValueError`` naming ``name`` for a table that is not 1-D, empty, non-finite or negative.
    """
    if isinstance(lr, Schedulable):
        if T is None:
            raise ValueError(f"{name} is a schedule: give the number of steps (steps=...) to evaluate it over")
        arr = np.asarray(lr.table(int(T), dtype=np.float64))
    else:
        try:
            arr = np.asarray(lr, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a per-step table (1-D array) or a fastlr schedule, got {lr!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D per-step table, got shape {arr.shape}")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be finite and >= 0; {name}[{i}] = {arr[i]!r}")
    return np.ascontiguousarray(arr)


def steps_array(steps: Any, T: int | None, name: str = "steps") -> np.ndarray:
    """Integer steps as int64, each in ``[0, T)`` when T is known."""
    arr = np.asarray(steps)
    if arr.ndim > 1 or arr.size == 0:
        raise ValueError(f"{name} must be an integer or a non-empty 1-D sequence of integers, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating) or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise TypeError(f"{name} must hold integers, got {steps!r}")
    out = np.atleast_1d(arr).astype(np.int64)
    if (out < 0).any() or (T is not None and (out >= T).any()):
        i = int(np.flatnonzero((out < 0) | (out >= (T if T is not None else np.inf)))[0])
        raise ValueError(f"{name} must lie in [0, {T}) (the table's steps), got {name}[{i}] = {int(out[i])}")
    return out


def _zero_area(lr: np.ndarray, steps: np.ndarray) -> None:
    area = np.cumsum(lr)[steps]
    if (area <= 0).any():
        i = int(np.flatnonzero(area <= 0)[0])
        raise ValueError(
            f"the lr area S1 = lr[0] + ... + lr[t] is 0 at step t = {int(steps[i])}: the laws' "
            "power term is undefined there (predict later steps)"
        )


@dataclasses.dataclass(frozen=True)
class Law:
    """Common face of the laws: ``predict``, ``final_loss``, serialisation."""

    #: how the fit went, on laws returned by :func:`fastlr.laws.fit` (a ``FitReport``), else None
    report: Any = dataclasses.field(default=None, compare=False, repr=False, kw_only=True)
    name: ClassVar[str] = ""
    params: ClassVar[tuple[str, ...]] = ()
    fitted: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """``{"law": name, <parameter>: value, ...}`` (JSON-ready; ``from_dict`` reads it)."""
        return {"law": self.name, **{k: getattr(self, k) for k in self.params}}

    def vector(self) -> np.ndarray:
        """The fitted parameters as a float64 vector (in ``fitted`` order)."""
        return np.array([getattr(self, k) for k in self.fitted], dtype=np.float64)

    def with_vector(self, v: Any) -> Any:
        """A copy with the fitted parameters replaced by ``v``."""
        return dataclasses.replace(self, report=None, **{k: float(x) for k, x in zip(self.fitted, v)})

    def predict(self, lr: Any, steps: Any = None) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def final_loss(self, lr: Any) -> float:
        """The predicted loss after the last step of ``lr`` (``predict(lr, len(lr) - 1)``)."""
        table = lr_table(lr)
        return float(self.predict(table, [table.size - 1])[0])


def _checked(obj: Any, where: str, rules: dict[str, dict[str, Any]]) -> None:
    for k, rule in rules.items():
        object.__setattr__(obj, k, ck.real(k, getattr(obj, k), where, **rule))


@dataclasses.dataclass(frozen=True)
class MultiPowerLaw(Law):
    r"""The multi-power law (Luo et al., ICLR 2025, arXiv:2503.12811), reference indexing.

    .. math::

        L(t) = L_0 + A\,S_1(t)^{-\alpha} - B \sum_{k=1}^{t} (\eta_{k-1} - \eta_k)
               \bigl(1 - (C\,\eta_k^{-\gamma} S_k(t) + 1)^{-\beta}\bigr),

    with :math:`\eta_k` = ``lr[k]`` (the lr of update k), :math:`S_1(t) = \sum_{i=0}^{t} \eta_i`
    and :math:`S_k(t) = \sum_{i=k}^{t} \eta_i`. A step with :math:`\eta_k = 0` contributes its
    whole drop once :math:`S_k(t) > 0` (the limit). The warmup is part of the table: its lr
    increases enter the sum with a negative sign, as in the paper's code.

    Parameters
    ----------
    L0, A, alpha, B, C, beta, gamma : float
        ``A, B >= 0``; ``alpha, C, beta > 0``; ``gamma >= 0``; all finite.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlr.laws import MultiPowerLaw
    >>> law = MultiPowerLaw(3.04045406, 0.52468604, 0.50786857, 363.78751622, 2.06560812, 0.58279013, 0.64142257)
    >>> lr = np.concatenate([np.linspace(0, 3e-4, 2160), np.full(21840, 3e-4)])
    >>> round(float(law.predict(lr, 23999)[0]), 5)
    3.34585
    """

    L0: float
    A: float
    alpha: float
    B: float
    C: float
    beta: float
    gamma: float
    name: ClassVar[str] = "multi-power"
    params: ClassVar[tuple[str, ...]] = ("L0", "A", "alpha", "B", "C", "beta", "gamma")
    fitted: ClassVar[tuple[str, ...]] = params

    def __post_init__(self) -> None:
        pos = {"lo": 0.0, "lo_open": True}
        nonneg = {"lo": 0.0}
        rules = {"L0": {}, "A": nonneg, "alpha": pos, "B": nonneg, "C": pos, "beta": pos, "gamma": nonneg}
        _checked(self, "MultiPowerLaw", rules)

    def predict(self, lr: Any, steps: Any = None) -> np.ndarray:
        """Predicted loss (float64) after update ``t`` for each ``t`` in ``steps``.

        ``lr`` is a per-step table or a fastlr schedule (evaluated over ``max(steps) + 1``
        steps); ``steps`` defaults to every step of the table from 1. Cost O(len(steps) * K),
        K the number of steps where the lr changes, compiled and parallel over steps.
        """
        return self._points(lr, steps, jac=False)[0]

    def _points(self, lr: Any, steps: Any, jac: bool) -> tuple[np.ndarray, np.ndarray]:
        from fastlr.laws._kernels import kernels

        if steps is None:
            table = lr_table(lr)
            st = np.arange(1, table.size, dtype=np.int64) if table.size > 1 else np.zeros(1, np.int64)
        else:
            st = steps_array(steps, None)
            table = lr_table(lr, int(st.max()) + 1)
            st = steps_array(st, table.size)
        _zero_area(table, st)
        P = np.concatenate([[0.0], np.cumsum(table)])
        didx = np.flatnonzero(np.diff(table)).astype(np.int64) + 1
        out = np.empty(st.size)
        J = np.empty((st.size, 7) if jac else (1, 7))
        name = "mpl_points" if st.size * didx.size > SERIAL_TERMS else "mpl_points_serial"
        kernels()[name](table, P, didx, st, self.vector(), out, J, jac)
        return out, J

    def final_loss_grad(self, lr: np.ndarray) -> tuple[float, np.ndarray]:
        """The final loss of a table with ``lr[1:] > 0`` and its gradient ``dL/dlr`` (O(T))."""
        from fastlr.laws._kernels import kernels

        table = lr_table(lr)
        if table.size > 1 and (table[1:] <= 0).any():
            raise ValueError("final_loss_grad needs lr[k] > 0 for k >= 1")
        _zero_area(table, np.array([table.size - 1]))
        grad = np.empty(table.size)
        value = kernels()["mpl_final_grad"](table, self.vector(), grad)
        return float(value), grad


@dataclasses.dataclass(frozen=True)
class AnnealingLaw(Law):
    r"""The scaling law with lr annealing (Tissue et al. 2024, arXiv:2408.11029).

    .. math::

        L(t) = L_0 + A\,S_1(t)^{-\alpha} - C\,S_2(t),\qquad
        S_1(t) = \sum_{i=0}^{t} \eta_i,\quad S_2(t) = \sum_{k=1}^{t} m_k,\quad
        m_k = \lambda\,m_{k-1} + (\eta_{k-1} - \eta_k),

    :math:`m_0 = 0`, with the same per-step indexing as :class:`MultiPowerLaw`. Steps before
    ``warmup`` count in the forward area :math:`S_1` but not in the annealing area (their lr
    increase is no annealing: :math:`m_k = 0` for :math:`k < \text{warmup}`), as the paper
    treats warmup.

    Parameters
    ----------
    L0, A, alpha, C : float
        Fitted: ``A, C >= 0``, ``alpha > 0``.
    lam : float
        Momentum (decay) factor of the annealing area, in ``[0, 1)``; the paper uses 0.999.
    warmup : int
        Warmup steps excluded from the annealing area (default 0).

    Examples
    --------
    >>> import numpy as np
    >>> from fastlr.laws import AnnealingLaw
    >>> law = AnnealingLaw(3.0, 0.5, 0.5, 100.0)
    >>> lr = np.full(100, 1e-3)
    >>> bool(np.allclose(law.predict(lr, [99]), 3.0 + 0.5 * 0.1 ** -0.5))
    True
    """

    L0: float
    A: float
    alpha: float
    C: float
    lam: float = 0.999
    warmup: int = 0
    name: ClassVar[str] = "annealing"
    params: ClassVar[tuple[str, ...]] = ("L0", "A", "alpha", "C", "lam", "warmup")
    fitted: ClassVar[tuple[str, ...]] = ("L0", "A", "alpha", "C")

    def __post_init__(self) -> None:
        rules = {"L0": {}, "A": {"lo": 0.0}, "alpha": {"lo": 0.0, "lo_open": True}, "C": {"lo": 0.0}}
        rules["lam"] = {"lo": 0.0, "hi": 1.0, "hi_open": True}
        _checked(self, "AnnealingLaw", rules)
        object.__setattr__(self, "warmup", ck.integer("warmup", self.warmup, "AnnealingLaw", lo=0))

    def areas(self, lr: Any, steps: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(steps, S1, S2)`` at the requested steps (default: every step from 1)."""
        if steps is None:
            table = lr_table(lr)
            st = np.arange(1, table.size, dtype=np.int64) if table.size > 1 else np.zeros(1, np.int64)
        else:
            st = steps_array(steps, None)
            table = lr_table(lr, int(st.max()) + 1)
            st = steps_array(st, table.size)
        _zero_area(table, st)
        s1 = np.cumsum(table)
        d = np.zeros_like(table)
        d[1:] = table[:-1] - table[1:]
        d[: self.warmup] = 0.0
        m = _momentum(d, self.lam)
        return st, s1[st], np.cumsum(m)[st]

    def predict(self, lr: Any, steps: Any = None) -> np.ndarray:
        """Predicted loss (float64) after update ``t`` for each ``t`` in ``steps`` (O(T)).

        ``lr`` is a per-step table or a fastlr schedule; ``steps`` defaults to every step from 1.
        """
        _, s1, s2 = self.areas(lr, steps)
        return self.L0 + self.A * s1**-self.alpha - self.C * s2

    def final_loss_grad(self, lr: np.ndarray) -> tuple[float, np.ndarray]:
        """The final loss and its gradient ``dL/dlr`` (O(T)).

        ``S2(T-1) = sum_k d_k w_k`` with ``w_k = (1 - lam^(T-k)) / (1 - lam)`` (``w_k = 0`` in the
        warmup), so ``dS2/dlr_j = w_{j+1} - w_j``.
        """
        table = lr_table(lr)
        T = table.size
        _zero_area(table, np.array([T - 1]))
        k = np.arange(T)
        w = (1.0 - self.lam ** (T - k)) / (1.0 - self.lam)
        w[0] = 0.0
        w[: self.warmup] = 0.0
        s1 = float(table.sum())
        d = np.zeros(T)
        d[1:] = table[:-1] - table[1:]
        s2 = float(np.einsum("i,i->", d, w))
        grad = np.full(T, -self.alpha * self.A * s1 ** (-self.alpha - 1.0))
        g2 = -w.copy()
        g2[:-1] += w[1:]
        grad -= self.C * g2
        return self.L0 + self.A * s1**-self.alpha - self.C * s2, grad


def _momentum(d: np.ndarray, lam: float) -> np.ndarray:
    """``m_k = lam m_{k-1} + d_k`` (a first-order filter), exactly as the recursion, in blocks."""
    out = np.empty_like(d)
    m = 0.0
    # a closed form per block keeps it vectorised: m_{b+i} = lam^(i+1) m_{b-1} + sum_j lam^(i-j) d_{b+j}
    block = 256
    powers = lam ** np.arange(block + 1)
    for b in range(0, d.size, block):
        seg = d[b : b + block]
        n = seg.size
        conv = np.convolve(seg, powers[:n])[:n]
        out[b : b + n] = conv + powers[1 : n + 1] * m
        m = float(out[b + n - 1])
    return out


def from_dict(data: dict[str, Any]) -> Law:
    """A law from :meth:`Law.to_dict`'s dict (``"law"``: ``"multi-power"`` or ``"annealing"``).

    Examples
    --------
    >>> from fastlr.laws import AnnealingLaw, from_dict
    >>> law = AnnealingLaw(3.0, 0.5, 0.5, 100.0)
    >>> law.to_dict()
    {'law': 'annealing', 'L0': 3.0, 'A': 0.5, 'alpha': 0.5, 'C': 100.0, 'lam': 0.999, 'warmup': 0}
    >>> from_dict(law.to_dict()) == law
    True
    """
    if not isinstance(data, dict) or "law" not in data:
        raise ValueError(f"a law dict needs a 'law' key ('multi-power' or 'annealing'), got {data!r}")
    kinds: dict[str, type[Law]] = {"multi-power": MultiPowerLaw, "annealing": AnnealingLaw}
    kind = data["law"]
    if kind not in kinds:
        raise ValueError(f"law must be 'multi-power' or 'annealing', got {kind!r}")
    cls = kinds[kind]
    unknown = sorted(set(data) - {"law", *cls.params})
    if unknown:
        raise ValueError(f"unknown {kind} parameter(s) {unknown}; expected {list(cls.params)}")
    return cls(**{k: v for k, v in data.items() if k != "law"})
