"""fastlr.laws against naive loops written from the papers, the paper's recorded figures, and
properties of the laws.

References: the multi-power law with the reference indexing of Luo et al. (ICLR 2025,
arXiv:2503.12811) as tests/data/loss-curves/README.md states it; the annealing law of Tissue et al.
(2024, arXiv:2408.11029). The 25M curves and the published fit come from the multi-power paper.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastlr
from fastlr.laws import AnnealingLaw, Curve, MultiPowerLaw, fit, from_dict, optimize, rank, score
from tests.laws_data import FIT_ON, NAMES, PUBLISHED, curve, read, table

# ---- naive references: O(K T) loops, straight from the formulas ------------------------------


def naive_mpl(p, lrs, t):
    """L(t) = L0 + A S1^-alpha - B sum_{k=1..t} (lrs[k-1]-lrs[k]) (1 - (C lrs[k]^-gamma S_k(t) + 1)^-beta)."""
    L0, A, alpha, B, C, beta, gamma = p
    ld = 0.0
    Sk = 0.0  # S_k(t) = lrs[k] + ... + lrs[t], accumulated from k = t down
    for k in range(t, 0, -1):
        Sk += lrs[k]
        if lrs[k - 1] != lrs[k]:
            ld += (lrs[k - 1] - lrs[k]) * (1 - (C * lrs[k] ** -gamma * Sk + 1) ** -beta)
    S1 = Sk + lrs[0]
    return L0 + A * S1**-alpha - B * ld


def naive_annealing(p, lrs, t, lam, warmup=0):
    """L(t) = L0 + A S1^-alpha - C S2, S2 = sum_{i=1..t} m_i, m_i = lam m_{i-1} + (lrs[i-1] - lrs[i])."""
    L0, A, alpha, C = p
    S1 = math.fsum(lrs[0 : t + 1])
    m = 0.0
    S2 = 0.0
    for i in range(1, t + 1):
        m = lam * m + ((lrs[i - 1] - lrs[i]) if i >= warmup else 0.0)
        S2 += m
    return L0 + A * S1**-alpha - C * S2


def random_schedule(rng, T):
    """Warmup, plateaus, drops and a decay: every kind of step the laws see."""
    lr = np.empty(T)
    w = int(rng.integers(1, T // 4))
    peak = rng.uniform(1e-4, 1e-2)
    lr[:w] = np.linspace(rng.uniform(0, peak / 2), peak, w)
    cut = int(rng.integers(w, T))
    lr[w:cut] = peak
    lr[cut:] = np.linspace(peak, peak * rng.uniform(0, 0.5), T - cut)
    lr[int(rng.integers(w, T)) :] *= rng.uniform(0.2, 1.0)
    return lr


# ---- predict ----------------------------------------------------------------------------------


def test_multi_power_predict_equals_the_naive_loop():
    rng = np.random.default_rng(1)
    for _ in range(5):
        p = (3.0, *rng.uniform([0.1, 0.2, 10, 0.1, 0.1, 0.0], [1.0, 0.9, 1000, 5.0, 1.5, 1.0]))
        lr = random_schedule(rng, 120)
        got = MultiPowerLaw(*p).predict(lr)  # every step from 1
        want = [naive_mpl(p, lr, t) for t in range(1, lr.size)]
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_published_fit_reproduces_the_papers_formula_and_figures():
    law = MultiPowerLaw(*PUBLISHED)
    # the recorded figures: WSD 3.26626 and cosine 3.31519 after 24,000 steps
    wsd, cos = table("wsd_20000_24000"), table("cosine_24000")
    assert round(law.final_loss(wsd), 5) == 3.26626
    assert round(law.final_loss(cos), 5) == 3.31519
    # the formula itself, to 1e-9 relative, at steps across warmup, decay and the end
    steps = [1, 2159, 20_500, 23_999]
    for lr in (wsd, cos):
        got = law.predict(lr, steps)
        want = [naive_mpl(PUBLISHED, lr.tolist(), t) for t in steps]
        np.testing.assert_allclose(got, want, rtol=1e-9)


def test_paper_protocol_scores_with_the_published_fit():
    """The paper's table for its fit: mean R2 0.9988 and MAE 0.00376 over the six held-out curves."""
    for name in NAMES:  # the tables rebuilt from the README match the files' lr column
        steps, lr_col, _ = read(name)
        np.testing.assert_allclose(table(name)[steps], lr_col, rtol=1e-12)
    law = MultiPowerLaw(*PUBLISHED)
    scores = [score(law, curve(n)) for n in NAMES if n not in FIT_ON]
    assert round(np.mean([s["r2"] for s in scores]), 4) == 0.9988
    assert round(np.mean([s["mae"] for s in scores]), 5) == 0.00376
    assert round(np.mean([s["mean_rel"] for s in scores]), 5) == 0.00110


def test_annealing_predict_equals_the_naive_loop():
    rng = np.random.default_rng(2)
    for lam, warmup in ((0.999, 0), (0.95, 10), (0.0, 3)):
        p = (2.5, 0.4, 0.5, 3.0)
        lr = random_schedule(rng, 150)
        got = AnnealingLaw(*p, lam=lam, warmup=warmup).predict(lr)
        want = [naive_annealing(p, lr, t, lam, warmup) for t in range(1, lr.size)]
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_predict_takes_a_fastlr_schedule():
    sched = fastlr.Schedule(fastlr.Cosine(3e-4, 3e-5, 900), warmup=fastlr.Warmup(100))
    law = MultiPowerLaw(*PUBLISHED)
    np.testing.assert_array_equal(law.predict(sched, [10, 999]), law.predict(sched.table(1000), [10, 999]))


# ---- rank -------------------------------------------------------------------------------------


def test_rank_equals_predict_per_config():
    g = fastlr.grid(lr=[1e-3, 3e-4], shape=["cosine", "linear"], warmup=[0, 50], end_ratio=[0.0, 0.1], steps=[400])
    T = 500
    prog = fastlr.lower(g)
    tables = fastlr.sweep(prog, T, dtype=np.float64)
    for law in (MultiPowerLaw(*PUBLISHED), AnnealingLaw(3.0, 0.5, 0.5, 0.4, lam=0.99, warmup=50)):
        final = rank(law, g, T, chunk_rows=3)
        at = rank(law, prog, T, steps=[T - 1, 100, 300])
        want = np.array([law.predict(tables[i], [T - 1, 100, 300]) for i in range(prog.n_rows)])
        np.testing.assert_allclose(final, want[:, 0], rtol=1e-12)
        np.testing.assert_allclose(at, want, rtol=1e-12)
        np.testing.assert_allclose(rank(law, tables, T), final, rtol=1e-13)  # rows given directly


def test_rank_rejects_bad_rows_with_their_index():
    rows = np.full((3, 50), 1e-3)
    rows[2, 7] = -1e-3
    with pytest.raises(ValueError, match="config 2"):
        rank(MultiPowerLaw(*PUBLISHED), rows, 50)
    with pytest.raises(ValueError, match="T = 40"):
        rank(MultiPowerLaw(*PUBLISHED), rows, 40)


# ---- properties -------------------------------------------------------------------------------

params = st.tuples(
    st.floats(0.1, 1.0), st.floats(0.2, 0.9), st.floats(1.0, 1000.0), st.floats(0.1, 5.0), st.floats(0.1, 1.5)
)


@settings(max_examples=25, deadline=None)
@given(params, st.floats(0.0, 1.0), st.floats(1e-5, 1e-2), st.integers(2, 300))
def test_a_constant_schedule_has_no_loss_drop(p, gamma, eta, T):
    A, alpha, B, C, beta = p
    lr = np.full(T, eta)
    t = np.arange(1, T)
    power = 3.0 + A * ((t + 1) * eta) ** -alpha
    np.testing.assert_allclose(MultiPowerLaw(3.0, A, alpha, B, C, beta, gamma).predict(lr), power, rtol=1e-14)
    np.testing.assert_allclose(AnnealingLaw(3.0, A, alpha, C).predict(lr), power, rtol=1e-14)


@settings(max_examples=25, deadline=None)
@given(params, st.floats(0.0, 1.0), st.floats(0.05, 0.95), st.integers(1, 150))
def test_a_drop_grows_with_the_steps_since_it(p, gamma, ratio, at):
    """Multi-power law: after one drop, the drop term sum d_k G(x_k) grows with t (x_k grows with S_k(t))."""
    A, alpha, B, C, beta = p
    law = MultiPowerLaw(3.0, A, alpha, B, C, beta, gamma)
    lr = np.full(200, 1e-3)
    lr[at:] *= ratio
    t = np.arange(at, 200)
    drop = 3.0 + A * np.cumsum(lr)[t] ** -alpha - law.predict(lr, t)
    assert (drop > 0).all() and (np.diff(drop) >= -1e-15).all()


@settings(max_examples=25, deadline=None)
@given(st.floats(0.9, 0.9999), st.floats(0.05, 0.9), st.integers(20, 150), st.integers(0, 40))
def test_a_faster_decay_at_equal_area_drops_more(lam, ratio, n, gap):
    """Annealing law: a step drop in the middle of a linear decay's window has the same area and a
    larger annealing area S2 (its weights (1 - lam^(T-k)) / (1 - lam) are concave in k)."""
    T = 300
    a = T - gap - n - 1
    eta, end = 1e-3, 1e-3 * ratio
    linear = np.full(T, end)
    linear[:a] = eta
    linear[a : a + n + 1] = np.linspace(eta, end, n + 2)[1:]
    step = np.full(T, end)
    mid = a + n / 2  # linear's area before `end` equals a step at a + n/2 (half a step at mid)
    step[: int(mid)] = eta
    if mid != int(mid):
        step[int(mid)] = (eta + end) / 2
    np.testing.assert_allclose(step.sum(), linear.sum(), rtol=1e-12)
    law = AnnealingLaw(3.0, 0.5, 0.5, 1.0, lam=lam)
    assert law.final_loss(step) <= law.final_loss(linear) + 1e-15


# ---- gradients, optimize, fit -----------------------------------------------------------------


def test_final_loss_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    lr = random_schedule(rng, 80) + 1e-5
    for law in (MultiPowerLaw(*PUBLISHED), AnnealingLaw(3.0, 0.5, 0.5, 0.4, lam=0.95, warmup=5)):
        f, g = law.final_loss_grad(lr)
        assert f == pytest.approx(law.final_loss(lr), rel=1e-13)
        for j in (0, 1, 5, 40, 79):
            h = 1e-7 * lr[j]
            up, dn = lr.copy(), lr.copy()
            up[j] += h
            dn[j] -= h
            fd = (law.final_loss(up) - law.final_loss(dn)) / (2 * h)
            assert g[j] == pytest.approx(fd, rel=1e-5, abs=1e-9 * abs(g).max())


def test_optimize_beats_wsd_and_cosine():
    law = MultiPowerLaw(*PUBLISHED)
    T, w, peak = 3000, 270, 3e-4
    res = optimize(law, T, peak, w)
    lr = res.lr
    np.testing.assert_array_equal(lr[:w], np.linspace(0, peak, w))
    assert (np.diff(lr[w:]) <= 0).all() and lr[w] <= peak and lr[-1] > 0
    assert res.final_loss == pytest.approx(law.final_loss(lr), rel=1e-12)
    head = lr[:w]
    cos = np.concatenate([head, peak / 10 + 0.45 * peak * (1 + np.cos(np.pi * np.arange(T - w) / (T - w)))])
    wsd = np.concatenate([head, np.full(T - w - 500, peak), np.geomspace(peak, peak / 10, 500)])
    assert res.final_loss < law.final_loss(wsd) < law.final_loss(cos)


def test_fit_recovers_a_known_law():
    truth = MultiPowerLaw(3.1, 0.5, 0.5, 300.0, 2.0, 0.6, 0.6)
    T, w = 600, 50
    tails = (
        np.full(T - w, 3e-4),
        3e-5 + 1.35e-4 * (1 + np.cos(np.pi * np.arange(T - w) / (T - w))),
        np.concatenate([np.full(250, 3e-4), np.full(T - w - 250, 6e-5)]),
    )
    tabs = [np.concatenate([np.linspace(0, 3e-4, w), x]) for x in tails]
    steps = np.arange(w, T, 20)
    curves = [Curve(steps, truth.predict(t, steps), t, name=str(i)) for i, t in enumerate(tabs)]
    law = fit(curves, method="lbfgs")
    r = law.report
    assert r.converged and r.objective < 1e-6 and r.evaluations > 1
    assert max(abs(x).max() for x in r.residuals) < 1e-3
    held = np.concatenate([np.linspace(0, 3e-4, w), np.linspace(3e-4, 1e-5, T - w)])
    np.testing.assert_allclose(law.predict(held, steps), truth.predict(held, steps), rtol=1e-3)
    ann = fit(curves, "annealing", lam=0.99, warmup=w)
    assert isinstance(ann, AnnealingLaw) and ann.lam == 0.99 and ann.report.objective < 1e-3
    assert from_dict(law.to_dict()) == law


def test_fit_follows_the_papers_protocol_to_its_published_parameters():
    """The multi-power paper's reference procedure (fit on cosine_24000, constant_24000, wsdcon_9)
    returns its published 25M parameters and its table on the six held-out curves."""
    curves = {n: curve(n) for n in NAMES}
    law = fit([curves[n] for n in FIT_ON])  # method="paper"
    r = law.report
    assert r.converged and "early stopping" in r.message and 50 < r.iterations < 200
    np.testing.assert_allclose(law.vector(), PUBLISHED, rtol=1e-4)
    scores = [score(law, curves[n]) for n in NAMES if n not in FIT_ON]
    assert np.mean([s["r2"] for s in scores]) >= 0.9988
    assert round(np.mean([s["mae"] for s in scores]), 5) <= 0.00376


def test_bounded_lbfgs_stops_on_the_bounds():
    """min sum w (x - c)^2 over lower <= x <= upper is c clipped to the box (the proxy fit's bounds)."""
    from fastlr.laws._lbfgs import minimize

    c = np.array([-1.0, 0.5, 3.0, -2.0])
    w = np.array([1.0, 100.0, 0.01, 3.0])
    lower, upper = np.array([0.0, 0.0, 0.0, -1.0]), np.array([5.0, 5.0, 2.0, 5.0])
    res = minimize(lambda x: (float(w @ (x - c) ** 2), 2 * w * (x - c)), np.full(4, 4.0), lower=lower, upper=upper)
    assert res.success
    np.testing.assert_allclose(res.x, np.clip(c, lower, upper), atol=1e-9)


def test_paper_fit_steps_are_torch_adamw_steps():
    """The AdamW loop of method="paper" against torch.optim.AdamW (the reference code's optimiser)."""
    torch = pytest.importorskip("torch")
    from fastlr.laws._fit import _adamw

    target = np.array([1.0, -2.0, 0.5])
    scale = np.array([1.0, 10.0, 0.1])
    rates = np.array([5e-2, 5e-2, 5e-3])

    class Quadratic:
        def value(self, x):
            return float((scale * (x - target) ** 2).sum()), 2 * scale * (x - target)

    x0 = np.array([3.0, 1.0, -1.0])
    got, taken, early, _ = _adamw(Quadratic(), x0, rates, 30)
    p = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in x0]
    opt = torch.optim.AdamW([{"params": [q], "lr": float(a)} for q, a in zip(p, rates)])  # weight decay 0.01
    for _ in range(30):
        opt.zero_grad()
        sum(float(c) * (q - float(t)) ** 2 for c, q, t in zip(scale, p, target)).backward()
        opt.step()
    assert taken == 30 and not early
    np.testing.assert_allclose(got, [q.item() for q in p], rtol=1e-12)


# ---- errors -------------------------------------------------------------------------------------


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="alpha"):
        MultiPowerLaw(3.0, 0.5, -0.5, 300.0, 2.0, 0.6, 0.6)
    with pytest.raises(ValueError, match="lam"):
        AnnealingLaw(3.0, 0.5, 0.5, 1.0, lam=1.0)
    law = MultiPowerLaw(*PUBLISHED)
    with pytest.raises(ValueError, match=r"lr\[3\]"):
        law.predict([1e-3, 1e-3, 1e-3, -1e-3], [3])
    with pytest.raises(ValueError, match="step t = 0"):
        law.predict([0.0, 1e-3], [0, 1])
    with pytest.raises(ValueError, match="steps"):
        law.predict(np.full(10, 1e-3), [10])
    with pytest.raises(ValueError, match="loss"):
        Curve([1, 2], [3.0], np.full(5, 1e-3))
    with pytest.raises(ValueError, match="law"):
        from_dict({"law": "chinchilla"})
    with pytest.raises(ValueError, match="method"):
        fit(curve("wsdcon_9"), method="adam")


def test_import_compiles_nothing():
    code = "import sys, fastlr; fastlr.laws.MultiPowerLaw; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- command line -------------------------------------------------------------------------------


def test_cli_fit_rank_optimize_plot(tmp_path, capsys):
    from fastlr.cli import main

    truth = MultiPowerLaw(3.1, 0.5, 0.5, 300.0, 2.0, 0.6, 0.6)
    T = 800
    files = []
    for i, tail in enumerate((np.full(T - 80, 3e-4), np.linspace(3e-4, 3e-5, T - 80))):
        lr = np.concatenate([np.linspace(0, 3e-4, 80), tail])
        steps = np.arange(80, T, 16)
        path = tmp_path / f"run{i}.csv"
        rows = np.column_stack([steps, lr[steps], truth.predict(lr, steps)])
        np.savetxt(path, rows, delimiter=",", header="step,lr,loss", comments="", fmt=["%d", "%.17g", "%.17g"])
        files.append(str(path))
    law_file = tmp_path / "law.json"
    assert main(["laws", "fit", *files, "--law", "annealing", "--warmup", "80", "-o", str(law_file)]) == 0
    assert json.loads(law_file.read_text())["law"] == "annealing"
    sweep = tmp_path / "sweep.json"
    sweep.write_text(json.dumps({"steps": T, "grid": {"lr": [3e-4, 1e-3], "warmup": [80], "end_ratio": [0.1]}}))
    assert main(["laws", "rank", str(law_file), str(sweep), "--top", "2", "-o", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "best 2" in out and (tmp_path / "r.csv").read_text().startswith("rank,row,loss")
    sched = tmp_path / "opt.csv"
    fig = tmp_path / "opt.png"
    args = ["laws", "optimize", str(law_file), "-T", str(T), "--peak", "3e-4", "--warmup", "80", "-o", str(sched)]
    assert main([*args, "--plot", str(fig), "--maxiter", "50"]) == 0
    assert sched.exists() and fig.stat().st_size > 0
    assert main(["laws", "plot", str(law_file), files[0], "-o", str(tmp_path / "p.png")]) == 0
    assert main(["laws", "fit", str(tmp_path / "missing.csv")]) == 2


def test_docstring_examples_run():
    import doctest

    from fastlr.laws import _fit, _laws, _optimize, _rank

    for mod in (_laws, _rank, _fit, _optimize):
        assert doctest.testmod(mod).failed == 0
