"""Fitting a law to loss curves: Huber loss on log residuals, analytic gradients.

The objective (the papers' choice, Luo et al. 2025 and Tissue et al. 2024):
``sum over curves and logged steps of huber_delta(log L_pred(t) - log L(t))``, ``delta = 1e-3``,
with the exact gradient (the multi-power law's Jacobian from the compiled kernel, the annealing
law's in closed form). Two procedures:

- ``method="paper"`` for the multi-power law is the procedure of the paper's reference code
  (github.com/thu-yao-01-luo/MultiPowerLaw, ``src/fitting.py`` and ``src/config.py``): a proxy
  ``L0 + A S1^-alpha - B (peak - lr)`` fitted by bounded L-BFGS from a 135-point grid, then
  ``C, beta, gamma = 1, 0.5, 0.5`` and at most 200 AdamW steps on the raw parameters (rates
  5e-2 for ``L0, A, B, C``, 5e-3 for the exponents, weight decay 0.01), stopped after 20 steps
  without improvement, keeping the best. An early-stopped descent, not a minimum: on the
  paper's 25M curves it lands on the published parameters. For the annealing law the example
  script of Tissue et al. minimises to convergence with bounded L-BFGS, as both methods do.
- ``method="lbfgs"`` minimises the objective to convergence: the positive parameters through
  their logarithms, a self-contained L-BFGS (:mod:`fastlr.laws._lbfgs`), started from a
  power-law fit of ``L0, A, alpha`` and a grid of the other parameters (the best few refined).
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastlr.laws._laws import AnnealingLaw, Law, MultiPowerLaw, lr_table, steps_array
from fastlr.laws._lbfgs import minimize

__all__ = ["Curve", "FitReport", "fit", "score"]


@dataclasses.dataclass(frozen=True, eq=False)
class Curve:
    """One training run: logged ``steps``, their ``loss`` and the run's per-step ``lr``.

    Parameters
    ----------
    steps : array of int
        Strictly increasing steps at which the loss was logged (update indices, from 0).
    loss : array of float
        The loss after each of those steps (finite, > 0).
    lr : array or fastlr schedule
        The whole per-step lr table (entry i is the lr of update i, at least ``max(steps) + 1``
        entries), or a schedule (evaluated over ``max(steps) + 1`` steps).
    name : str
        A label for reports and plots.

    Examples
    --------
    >>> import fastlr
    >>> from fastlr.laws import Curve
    >>> c = Curve([9, 49, 99], [3.5, 3.2, 3.1], fastlr.Constant(1e-3), name="run-1")
    >>> c.lr.shape  # the schedule, evaluated over max(steps) + 1 steps
    (100,)
    """

    steps: Any
    loss: Any
    lr: Any
    name: str = ""

    def __post_init__(self) -> None:
        st = steps_array(self.steps, None, "Curve steps")
        if st.size > 1 and (np.diff(st) <= 0).any():
            raise ValueError("Curve steps must be strictly increasing")
        loss = np.asarray(self.loss, dtype=np.float64).reshape(-1)
        if loss.shape != st.shape:
            raise ValueError(f"Curve loss has {loss.size} values for {st.size} steps")
        if not (np.isfinite(loss).all() and (loss > 0).all()):
            i = int(np.flatnonzero(~(np.isfinite(loss) & (loss > 0)))[0])
            raise ValueError(f"Curve loss must be finite and > 0; loss[{i}] = {loss[i]!r}")
        table = lr_table(self.lr, int(st.max()) + 1, "Curve lr")
        steps_array(st, table.size, "Curve steps")
        object.__setattr__(self, "steps", st)
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "lr", table)


@dataclasses.dataclass(frozen=True)
class FitReport:
    """How a fit went: the objective, convergence, residuals (log pred - log loss) per curve."""

    law: str
    params: dict[str, float]
    objective: float
    converged: bool
    message: str
    iterations: int
    evaluations: int
    starts: int
    seconds: float
    residuals: tuple[np.ndarray, ...]
    delta: float


def _huber(r: np.ndarray, delta: float) -> tuple[float, np.ndarray]:
    """``sum huber_delta(r)`` and its derivative."""
    a = np.abs(r)
    small = a <= delta
    val = np.where(small, 0.5 * r * r, delta * (a - 0.5 * delta))
    der = np.where(small, r, delta * np.sign(r))
    return float(val.sum()), der


class _Problem:
    """The objective over the fitted parameters (the positive ones as logarithms if ``log``)."""

    def __init__(self, template: Law, curves: Sequence[Curve], delta: float, log: bool = True) -> None:
        self.template = template
        self.curves = curves
        self.delta = delta
        self.log_mask = np.array([log and k != "L0" for k in template.fitted])
        self.n_eval = 0
        # the annealing law's areas do not depend on the fitted parameters: computed once
        self.areas = [template.areas(c.lr, c.steps)[1:] for c in curves] if isinstance(template, AnnealingLaw) else []

    def law(self, z: np.ndarray) -> Law:
        v = np.where(self.log_mask, np.exp(np.clip(z, -700, 700)), z)
        return self.template.with_vector(v)  # type: ignore[no-any-return]

    def z_of(self, law: Law) -> np.ndarray:
        v = law.vector()
        return np.where(self.log_mask, np.log(np.maximum(v, 1e-300)), v)

    def predict(self, law: Law, c: Curve, jac: bool) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(law, MultiPowerLaw):
            return law._points(c.lr, c.steps, jac)
        assert isinstance(law, AnnealingLaw)
        s1, s2 = self.areas[self.curves.index(c)]
        with np.errstate(over="ignore"):
            pw = s1**-law.alpha
        pred = law.L0 + law.A * pw - law.C * s2
        J = np.column_stack([np.ones_like(pw), pw, -law.A * pw * np.log(s1), -s2]) if jac else np.empty((1, 4))
        return pred, J

    def value(self, z: np.ndarray, jac: bool = True) -> tuple[float, np.ndarray]:
        self.n_eval += 1
        try:
            law = self.law(z)
        except ValueError:
            return 1e10, np.zeros_like(z)
        total = 0.0
        grad = np.zeros_like(z)
        scale = np.where(self.log_mask, law.vector(), 1.0)
        for c in self.curves:
            pred, J = self.predict(law, c, jac)
            if not (np.isfinite(pred).all() and (pred > 0).all()):
                return 1e10, np.zeros_like(z)
            f, der = _huber(np.log(pred) - np.log(c.loss), self.delta)
            total += f
            if jac:
                grad += np.einsum("i,ij->j", der / pred, J)
        return total, grad * scale

    def residuals(self, law: Law) -> tuple[np.ndarray, ...]:
        return tuple(np.log(self.predict(law, c, False)[0]) - np.log(c.loss) for c in self.curves)


def _minimize(problem: _Problem, z0: np.ndarray, maxiter: int) -> Any:
    return minimize(problem.value, z0, maxiter=maxiter, memory=20, ftol=1e-12, gtol=1e-10, patience=5)


def _power_start(curves: Sequence[Curve], delta: float) -> tuple[float, float, float]:
    """``L0, A, alpha`` of ``L0 + A S1^-alpha`` fitted to every point (drops ignored)."""
    template = AnnealingLaw(1.0, 1.0, 0.5, 0.0)
    prob = _Problem(template, curves, delta)
    prob.log_mask = np.array([False, True, True, True])

    def value(z3: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = prob.value(np.append(z3, -700.0))
        return f, g[:3]

    low = min(float(c.loss.min()) for c in curves)
    best: tuple[float, np.ndarray] | None = None
    for frac in (0.5, 0.8, 0.95):
        for alpha in (0.3, 0.6):
            z0 = np.array([frac * low, np.log(max(low * (1 - frac), 1e-3)), np.log(alpha)])
            res = minimize(value, z0, maxiter=200)
            if best is None or res.fun < best[0]:
                best = (float(res.fun), res.x)
    assert best is not None
    z = best[1]
    return float(z[0]), float(np.exp(z[1])), float(np.exp(z[2]))


#: the reference code's peak lr (its proxy's ``B (3e-4 - lr)`` and its rate for ``B``)
_REF_PEAK = 3e-4


def _proxy_start(curves: Sequence[Curve], delta: float, peak: float) -> np.ndarray:
    """``L0, A, alpha, B`` of the reference code's proxy ``L0 + A S1^-alpha - B (peak - lr)``.

    As in its ``initialize_params``: a line through ``log S1`` and ``log(loss - min + 0.01)``
    centres a grid of 5 x 3 x 3 x 3 starts (``B`` from 0.03 / peak to 0.3 / peak, the code's
    100 to 1000 at peak 3e-4); each is refined by L-BFGS with every parameter >= 0, the best kept.
    """
    low = min(float(c.loss.min()) for c in curves)
    s1 = [np.cumsum(c.lr)[c.steps] for c in curves]
    gap = [peak - c.lr[c.steps] for c in curves]
    log_s1 = [np.log(s) for s in s1]
    log_l = [np.log(c.loss) for c in curves]
    slope, icpt = np.polyfit(np.concatenate(log_s1), np.log(np.concatenate([c.loss for c in curves]) - low + 0.01), 1)

    def value(p: np.ndarray) -> tuple[float, np.ndarray]:
        L0, A, alpha, B = p
        total, grad = 0.0, np.zeros(4)
        for ls, g_, ll in zip(log_s1, gap, log_l):
            with np.errstate(over="ignore", invalid="ignore"):
                pw = np.exp(-alpha * ls)
                pred = L0 + A * pw - B * g_
            if not (np.isfinite(pred).all() and (pred > 0).all()):
                return 1e10, np.zeros(4)
            f, der = _huber(np.log(pred) - ll, delta)
            total += f
            w = der / pred
            grad += (w.sum(), w @ pw, -A * (w @ (pw * ls)), -(w @ g_))
        return total, grad

    zero = np.zeros(4)
    best = None
    for start in itertools.product(
        np.linspace(low - 0.2, low + 0.2, 5),
        np.linspace(np.exp(icpt) - 0.1, np.exp(icpt) + 0.1, 3),
        np.linspace(-slope - 0.1, -slope + 0.1, 3),
        np.linspace(0.03, 0.3, 3) / peak,
    ):
        res = minimize(value, np.array(start), maxiter=15_000, ftol=1e-9, gtol=1e-6, patience=1, lower=zero)
        if res.fun < 1e10 and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise ValueError("no starting point predicts a positive loss on every curve; give init=")
    return best.x


def _adamw(problem: _Problem, x0: np.ndarray, rates: np.ndarray, steps: int) -> tuple[np.ndarray, int, bool, str]:
    """The reference code's ``mpl_adam_fit`` loop on raw parameters: AdamW (betas 0.9, 0.999,
    eps 1e-8, decoupled weight decay 0.01), stopped after 20 steps without a lower objective
    or at a gradient norm below 1e-5. As there, the kept parameters are those after the step
    taken from the best evaluated point. Returns ``(x, steps taken, stopped early, message)``.
    """
    b1, b2, eps, decay, patience = 0.9, 0.999, 1e-8, 0.01, 20
    x = x0.copy()
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    best_f, best_x, low, stale = np.inf, x.copy(), np.inf, 0
    for k in range(1, steps + 1):
        f, g = problem.value(x)
        if f >= 1e10:
            return best_x, k, False, "the AdamW step left the region where every prediction is positive"
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step = x * (1 - rates * decay) - rates * (m / (1 - b1**k)) / (np.sqrt(v / (1 - b2**k)) + eps)
        low, stale = (f, 0) if f < low else (low, stale + 1)
        if k > patience + 1 and stale >= patience:
            return best_x, k, True, f"no lower objective in {patience} AdamW steps (the paper's early stopping)"
        if float(np.sqrt(g @ g)) < 1e-5:
            return best_x, k, True, "gradient norm below 1e-5"
        x = step
        if f < best_f:
            best_f, best_x = f, x.copy()
    return best_x, steps, False, f"the AdamW step budget ({steps}) is spent"


def _fit_paper(cs: Sequence[Curve], delta: float, init: Law | None, steps: int) -> tuple[Law, int, int, bool, str]:
    """The reference procedure for the multi-power law (see the module docstring)."""
    peak = max(float(c.lr.max()) for c in cs)
    if init is None:
        L0, A, alpha, B = _proxy_start(cs, delta, peak)
        x0 = np.array([L0, A, alpha, B, 1.0, 0.5, 0.5])
    else:
        x0 = init.vector()
    prob = _Problem(MultiPowerLaw(*x0), cs, delta, log=False)
    # the code's rates at peak 3e-4; B (loss per unit lr) moves in proportion to 1 / peak
    rates = np.array([5e-2, 5e-2, 5e-3, 5e-2 * _REF_PEAK / peak, 5e-2, 5e-3, 5e-3])
    x, taken, ok, message = _adamw(prob, x0, rates, steps)
    try:
        law = prob.law(x)
    except ValueError:  # an exponent or coefficient left its domain on the kept step
        law, ok, message = prob.law(x0), False, "AdamW left the parameter domain; the start is returned"
    return law, taken, prob.n_eval, ok, message


def fit(
    curves: Sequence[Curve] | Curve,
    law: str = "multi-power",
    *,
    delta: float = 1e-3,
    lam: float = 0.999,
    warmup: int = 0,
    init: Law | None = None,
    method: str = "paper",
    starts: int = 1,
    maxiter: int | None = None,
) -> Law:
    """Fit a law to loss curves; the fitted law carries a :class:`FitReport` as ``.report``.

    The objective is ``sum huber_delta(log L_pred(t) - log L(t))`` over every logged point of
    every curve. ``method="paper"`` follows the multi-power paper's reference code (a proxy
    fit, then at most 200 early-stopped AdamW steps from ``C, beta, gamma = 1, 0.5, 0.5``): on
    the paper's 25M curves it returns the published parameters. ``method="lbfgs"`` minimises
    the objective to convergence instead (a lower objective, another basin, slightly worse
    predictions of held-out schedules there). For the annealing law both minimise to
    convergence, as its reference code does.

    Parameters
    ----------
    curves : Curve or sequence of Curve
        The runs to fit (the papers fit two or three schedules of one model and data set).
    law : {"multi-power", "annealing"}
        :class:`MultiPowerLaw` (7 parameters) or :class:`AnnealingLaw` (``L0, A, alpha, C``).
    delta : float
        Huber threshold on log residuals (1e-3, as the papers).
    lam, warmup : float, int
        The annealing law's fixed momentum factor and warmup (ignored for the multi-power law).
    init : law, optional
        Start from this law instead of the grid (its fixed fields, e.g. ``lam``, are kept).
    method : {"paper", "lbfgs"}
        The multi-power paper's procedure (early-stopped AdamW from its proxy start; rates
        set for lr tables peaking near 3e-4 and losses near 3, ``B``'s rate scaled by
        3e-4 / peak) or L-BFGS to convergence.
    starts : int
        ``"lbfgs"``: how many of the best grid points are refined (more: slower, more robust).
    maxiter : int, optional
        AdamW steps (``"paper"``, multi-power; default 200) or L-BFGS iterations per start
        (default 2000).

    Returns
    -------
    MultiPowerLaw or AnnealingLaw
        The best fit; ``.report`` holds the objective, convergence message, iterations,
        evaluations, time and the log residuals per curve.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlr.laws import AnnealingLaw, Curve, fit
    >>> truth = AnnealingLaw(3.0, 0.5, 0.5, 0.3, lam=0.99)
    >>> steps = np.arange(100, 2000, 50)
    >>> tables = (np.full(2000, 3e-4), np.linspace(3e-4, 3e-5, 2000))
    >>> runs = [Curve(steps, truth.predict(lr, steps), lr) for lr in tables]
    >>> law = fit(runs, "annealing", lam=0.99)
    >>> bool(law.report.converged and np.allclose(law.vector(), truth.vector(), rtol=1e-3))
    True
    """
    from fastlr import _checks as ck

    started = time.perf_counter()
    cs = [curves] if isinstance(curves, Curve) else list(curves)
    if not cs or not all(isinstance(c, Curve) for c in cs):
        raise TypeError("curves must be a Curve or a non-empty sequence of Curve objects")
    law = ck.choice("law", law, ("multi-power", "annealing"))
    method = ck.choice("method", method, ("paper", "lbfgs"))
    delta = ck.real("delta", delta, lo=0.0, lo_open=True)
    starts = ck.integer("starts", starts, lo=1)
    adam = law == "multi-power" and method == "paper"
    maxiter = ck.integer("maxiter", (200 if adam else 2000) if maxiter is None else maxiter, lo=1)
    if init is not None:
        want = MultiPowerLaw if law == "multi-power" else AnnealingLaw
        if not isinstance(init, want):
            raise TypeError(f"init must be a {want.__name__} for law={law!r}, got {type(init).__name__}")
    if adam:
        fitted, taken, evals, ok, message = _fit_paper(cs, delta, init, maxiter)
        prob = _Problem(fitted, cs, delta)
        res = prob.residuals(fitted)
        report = FitReport(
            law=law,
            params={k: float(getattr(fitted, k)) for k in fitted.params},
            objective=float(sum(_huber(r, delta)[0] for r in res)),
            converged=ok,
            message=message,
            iterations=taken,
            evaluations=evals,
            starts=1,
            seconds=time.perf_counter() - started,
            residuals=res,
            delta=delta,
        )
        return dataclasses.replace(fitted, report=report)
    peak = max(float(c.lr.max()) for c in cs)
    if init is not None:
        candidates: list[Law] = [init]
        template: Law = init
    else:
        L0, A, alpha = _power_start(cs, delta)
        candidates = []
        if law == "multi-power":
            for b in (0.03, 0.1, 0.3):
                for C in (0.5, 2.0, 8.0):
                    for beta in (0.3, 0.6, 1.2):
                        for gamma in (0.3, 0.6):
                            candidates.append(MultiPowerLaw(L0, A, alpha, b / peak, C, beta, gamma))
        else:
            # the annealing area of a decay by ~peak is ~peak / (1 - lam): C S2 of 0.01 .. 1 loss
            for c_ in (0.01, 0.03, 0.1, 0.3, 1.0):
                candidates.append(AnnealingLaw(L0, A, alpha, c_ * (1.0 - lam) / peak, lam=lam, warmup=warmup))
        template = candidates[0]
    prob = _Problem(template, cs, delta)
    # the grid is scored on every fourth logged point (a quarter of the cost, same ranking in practice)
    thin = [Curve(c.steps[::4], c.loss[::4], c.lr, c.name) for c in cs]
    coarse = _Problem(template, thin, delta)
    values = [coarse.value(coarse.z_of(c), jac=False)[0] for c in candidates]
    order = [i for i in np.argsort(values, kind="stable") if values[i] < 1e10]
    if not order:
        raise ValueError("no starting point predicts a positive loss on every curve; give init=")
    scored = [candidates[i] for i in order]
    best = None
    total_iter = 0
    for cand in scored[:starts]:
        res = _minimize(prob, prob.z_of(cand), maxiter)
        total_iter += int(res.nit)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    fitted = prob.law(best.x)
    report = FitReport(
        law=law,
        params={k: float(getattr(fitted, k)) for k in fitted.params},
        objective=float(best.fun),
        converged=bool(best.success),
        message=str(best.message),
        iterations=total_iter,
        evaluations=prob.n_eval,
        starts=min(starts, len(scored)),
        seconds=time.perf_counter() - started,
        residuals=prob.residuals(fitted),
        delta=delta,
    )
    return dataclasses.replace(fitted, report=report)


def score(law: Law, curve: Curve) -> dict[str, float]:
    """How well ``law`` predicts ``curve``: ``r2``, ``mae``, ``mean_rel`` and ``max_rel``.

    ``r2 = 1 - sum (L - L_pred)^2 / sum (L - mean L)^2``; ``mae = mean |L - L_pred|``; the
    relative errors are ``|L - L_pred| / L`` (the paper's table reports these four).

    Examples
    --------
    A curve that the law itself generated scores perfectly:

    >>> import numpy as np
    >>> from fastlr.laws import AnnealingLaw, Curve, score
    >>> law = AnnealingLaw(3.0, 0.5, 0.5, 100.0)
    >>> lr = np.full(100, 1e-3)
    >>> score(law, Curve([9, 49, 99], law.predict(lr, [9, 49, 99]), lr))
    {'r2': 1.0, 'mae': 0.0, 'mean_rel': 0.0, 'max_rel': 0.0}
    """
    if not isinstance(curve, Curve):
        raise TypeError(f"curve must be a Curve, got {type(curve).__name__}")
    pred = law.predict(curve.lr, curve.steps)
    err = curve.loss - pred
    ss = float(((curve.loss - curve.loss.mean()) ** 2).sum())
    rel = np.abs(err) / curve.loss
    return {
        "r2": 1.0 - float((err**2).sum()) / ss if ss > 0 else float("nan"),
        "mae": float(np.abs(err).mean()),
        "mean_rel": float(rel.mean()),
        "max_rel": float(rel.max()),
    }
