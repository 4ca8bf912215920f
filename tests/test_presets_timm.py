"""timm dialect: parity with vectors recorded from timm, live parity when timm's scheduler modules
load (CI installs only the test extra: those tests skip), quirks and errors.

timm's canonical per-update loop: construct (writes ``base_lr``, or ``warmup_lr_init`` with a
warmup), then after each ``optimizer.step()`` call ``scheduler.step_update(num_updates)``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastlr
import fastlr.presets.timm as tm
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "timm.json"
RECORDS = [r for r in json.loads(DATA.read_text()) if r["peer"] == "timm"] if DATA.exists() else []
CLASSES = {
    "CosineLRScheduler": "cosine_lr",
    "PolyLRScheduler": "poly_lr",
    "TanhLRScheduler": "tanh_lr",
    "StepLRScheduler": "step_lr",
    "MultiStepLRScheduler": "multistep_lr",
    "WSDLRScheduler": "wsd_lr",
}


def refusal(rec):
    """(exception, regex) for recorded configs that fastlr refuses on purpose, else None."""
    kw = rec["kwargs"]
    if "noise_type" in kw:  # timm's own constructors reject it too (the recorder set an attribute)
        return TypeError, "noise_type"
    if kw.get("noise_range_t") is not None:
        return ValueError, "noise"
    lo, stable = kw.get("lr_min", 0.0), kw.get("stable_fn", "constant")
    if stable != "constant" and lo > 0.0:
        return ValueError, "not supported"
    return None


def _ids(recs):
    return [f"{i}-{r['call']}-{r.get('note') or ''}" for i, r in enumerate(recs)]


# ---- recorded vectors ------------------------------------------------------------------------


@pytest.mark.skipif(not RECORDS, reason="tests/data/peers/timm.json not recorded")
@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    ref = refusal(rec)
    if ref is not None:
        with pytest.raises(ref[0], match=ref[1]):
            getattr(tm, rec["call"])(**rec["kwargs"])
        return
    tab = getattr(tm, rec["call"])(**rec["kwargs"]).table(rec["T"])
    assert_close64(tab, rec["values"]["lr"][0])


def test_records_cover_every_class():
    if not RECORDS:
        pytest.skip("no records")
    assert {r["call"] for r in RECORDS} >= set(tm.__all__)


# ---- live parity (only where timm's scheduler modules load) ----------------------------------


@pytest.fixture(scope="module")
def peer():
    """timm's scheduler classes, loaded without ``timm/__init__`` (it needs torchvision)."""
    pytest.importorskip("torch")
    try:
        mods = {c: importlib.import_module(f"timm.scheduler.{m}") for c, m in CLASSES.items()}
        return {c: getattr(m, c) for c, m in mods.items()}
    except ImportError:
        pass
    spec = importlib.util.find_spec("timm")
    if spec is None or spec.origin is None:
        pytest.skip("timm is not installed")
    root = os.path.dirname(spec.origin)
    saved = {k: v for k, v in sys.modules.items() if k == "timm" or k.startswith("timm.")}
    try:
        for name, path in (("timm", root), ("timm.scheduler", os.path.join(root, "scheduler"))):
            pkg = types.ModuleType(name)
            pkg.__path__ = [path]
            sys.modules[name] = pkg
        return {c: getattr(importlib.import_module(f"timm.scheduler.{m}"), c) for c, m in CLASSES.items()}
    finally:
        for k in [k for k in sys.modules if k == "timm" or k.startswith("timm.")]:
            del sys.modules[k]
        sys.modules.update(saved)


def run_peer(cls, B, T, **kw):
    import logging

    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=B)
    out = []
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = cls(opt, t_in_epochs=False, **kw)
            for i in range(T):
                out.append(float(opt.param_groups[0]["lr"]))
                opt.step()
                sched.step_update(i + 1)
    finally:
        logging.disable(logging.NOTSET)
    return out


def _configs():
    rng = np.random.default_rng(77)
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    out = []
    names = list(CLASSES)
    for i in range(240):
        c = names[i % len(names)]
        B = pick([0.1, 1e-8, 3e-4, 10.0])
        kw: dict = {"warmup_t": pick([0, 0, 1, 3, 10]), "warmup_lr_init": pick([0.0, B * 0.01, B * 2])}
        if c in ("CosineLRScheduler", "PolyLRScheduler", "TanhLRScheduler"):
            kw.update(
                t_initial=pick([1, 5, 10, 17]),
                lr_min=pick([0.0, B * 0.01, B * 0.5]),
                cycle_limit=pick([0, 1, 1, 2, 4]),
                cycle_mul=pick([1.0, 1.0, 2.0, 1.5]),
                cycle_decay=pick([1.0, 0.5, 0.8]),
                warmup_prefix=bool(rng.integers(2)),
            )
            if c != "TanhLRScheduler":
                kw["k_decay"] = pick([1.0, 1.0, 2.0, 0.5])
            if c == "PolyLRScheduler":
                kw["power"] = pick([0.5, 1.0, 2.0])
            if c == "TanhLRScheduler":
                kw.update(lb=pick([-7.0, -3.0]), ub=pick([3.0, 5.0]))
        elif c == "StepLRScheduler":
            kw.update(
                decay_t=pick([1, 3, 2.5, 10]),
                decay_rate=pick([0.5, 0.1, 1.0, 0.0]),
                warmup_prefix=bool(rng.integers(2)),
            )
        elif c == "MultiStepLRScheduler":
            ms = sorted(int(x) for x in rng.integers(0, 31, size=int(rng.integers(0, 5))))
            kw.update(decay_t=ms, decay_rate=pick([0.5, 0.1, 0.0]), warmup_prefix=bool(rng.integers(2)))
        else:
            ti = pick([5, 10, 30])
            kw.update(
                t_initial=ti,
                decay_t=int(rng.integers(1, ti + 1)),
                decay_fn=pick(["linear", "1-sqrt", "cosine", "power"]),
                lr_min=pick([0.0, B * 0.1, B * 2]),
                decay_power=pick([0.5, 2.0]),
            )
        out.append(pytest.param(c, B, kw, int(rng.integers(1, 90)), id=f"{i}-{c}"))
    return out


@pytest.mark.parametrize(("call", "B", "kw", "T"), _configs())
def test_live_parity(peer, call, B, kw, T):
    ref = run_peer(peer[call], B, T, **kw)
    tab = getattr(tm, call)(base_lr=B, **kw).table(T)
    assert_close64(tab, ref, err_msg=f"{call} {kw}")


@pytest.mark.parametrize(
    "kw",
    [
        {"t_initial": 30, "decay_t": 10, "warmup_t": 5, "stable_fn": "rsqrt", "decay_fn": "linear"},
        {"t_initial": 25, "decay_t": 25, "stable_fn": "power", "stable_power": 1.3, "stable_timescale": 2.5},
        {
            "t_initial": 40,
            "decay_t": 7,
            "warmup_t": 3,
            "warmup_lr_init": 0.5,
            "stable_fn": "rsqrt",
            "decay_fn": "cosine",
        },
        {"t_initial": 12, "decay_t": 5, "stable_fn": "power", "stable_timescale": 9.0, "decay_fn": "power"},
        {"t_initial": 30, "decay_t": 12, "warmup_t": 2, "decay_fn": "exp", "decay_ratio": 0.1, "lr_min": 0.03},
        {"t_initial": 20, "decay_t": 20, "decay_fn": "exp", "decay_ratio": 0.5, "lr_min": 0.2},
        {"t_initial": 30, "decay_t": 13, "warmup_t": 4, "decay_fn": "exp", "decay_ratio": 0.05},
        {"t_initial": 20, "decay_t": 9, "decay_fn": "exp", "decay_ratio": 0.3, "lr_min": 0.01},
        {"t_initial": 24, "decay_t": 9, "stable_fn": "rsqrt", "stable_timescale": 3.0, "decay_fn": "exp"},
    ],
)
def test_live_wsd_products_and_exp_decay(peer, kw):
    ref = run_peer(peer["WSDLRScheduler"], 0.3, 60, **kw)
    assert_close64(tm.WSDLRScheduler(base_lr=0.3, **kw).table(60), ref, err_msg=str(kw))


def test_live_long_restarts(peer):
    kw = {"t_initial": 300, "cycle_mul": 1.7, "cycle_limit": 5, "cycle_decay": 0.6, "lr_min": 1e-5, "k_decay": 1.3}
    kw.update(warmup_t=50, warmup_lr_init=1e-6, warmup_prefix=True)
    ref = run_peer(peer["CosineLRScheduler"], 3e-3, 5000, **kw)
    assert_close64(tm.CosineLRScheduler(base_lr=3e-3, **kw).table(5000), ref)


# ---- quirks ----------------------------------------------------------------------------------


def test_multistep_decays_one_step_early():
    tab = tm.MultiStepLRScheduler(base_lr=1.0, decay_t=[10, 20], decay_rate=0.1).table(25)
    assert tab[8] == 1.0 and tab[9] == pytest.approx(0.1) and tab[19] == pytest.approx(0.01)


def test_update_zero_uses_the_constructor_value():
    # f(0) of Tanh is below base_lr; a milestone at 0/1 applies at t = 0; timm writes base_lr first
    tanh = tm.TanhLRScheduler(base_lr=0.1, t_initial=30).table(3)
    assert tanh[0] == 0.1 and tanh[1] < 0.1
    ms = tm.MultiStepLRScheduler(base_lr=0.1, decay_t=[1], decay_rate=0.5).table(3)
    assert_close64(ms, [0.1, 0.05, 0.05])
    flat = tm.CosineLRScheduler(base_lr=10.0, t_initial=20, cycle_limit=0, lr_min=0.5).table(4)
    assert_close64(flat, [10.0, 0.5, 0.5, 0.5])


def test_cosine_clamps_to_lr_min_after_the_last_cycle():
    tab = tm.CosineLRScheduler(base_lr=0.1, t_initial=10, cycle_limit=2, cycle_decay=0.5, lr_min=1e-3).table(40)
    assert tab[10] == pytest.approx(0.05)
    assert np.all(tab[20:] == 1e-3)


def test_tanh_drops_to_lr_min_at_t_initial():
    tab = tm.TanhLRScheduler(base_lr=0.1, t_initial=10, lr_min=0.0).table(12)
    assert tab[9] > 1e-4 and tab[10] == 0.0


def test_warmup_overlaps_without_prefix():
    tab = tm.CosineLRScheduler(base_lr=0.1, t_initial=20, warmup_t=5, warmup_lr_init=0.0).table(8)
    assert_close64(tab[:5], [0.0, 0.02, 0.04, 0.06, 0.08])
    assert tab[5] == pytest.approx(0.05 * (1 + np.cos(np.pi * 5 / 20)))


def test_wsd_shape():
    tab = tm.WSDLRScheduler(base_lr=1.0, t_initial=10, decay_t=4, decay_fn="linear", warmup_t=2).table(14)
    assert_close64(tab, [0.0, 0.5, 1, 1, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25, 0.0, 0.0])


def test_round_trip_and_t_in_epochs():
    s = tm.CosineLRScheduler(base_lr=0.1, t_initial=10, cycle_limit=3, cycle_mul=2.0, warmup_t=3, t_in_epochs=True)
    back = fastlr.from_dict(json.loads(json.dumps(s.to_dict())))
    assert np.array_equal(back.table(80), s.table(80))


# ---- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "kwargs", "exc", "match"),
    [
        ("CosineLRScheduler", {"t_initial": 0}, ValueError, "t_initial"),
        ("CosineLRScheduler", {"t_initial": 10, "noise_range_t": (2, 5)}, ValueError, "noise"),
        ("CosineLRScheduler", {"t_initial": 10, "cycle_mul": 0.5, "cycle_limit": 3}, ValueError, "cycle_mul"),
        ("CosineLRScheduler", {"t_initial": 10, "cycle_decay": 0.0}, ValueError, "cycle_decay"),
        ("CosineLRScheduler", {"t_initial": 10, "k_decay": 0.0}, ValueError, "k_decay"),
        ("CosineLRScheduler", {"t_initial": 10, "lr_min": 1.0, "cycle_limit": 2}, ValueError, "lr_min"),
        ("CosineLRScheduler", {"t_initial": 10, "warmup_t": -1}, ValueError, "warmup_t"),
        ("CosineLRScheduler", {"t_initial": 10, "warmup_prefix": 1}, TypeError, "warmup_prefix"),
        ("PolyLRScheduler", {"t_initial": 10, "power": 0.0}, ValueError, "power"),
        ("TanhLRScheduler", {"t_initial": 10, "lb": 3.0, "ub": -3.0}, ValueError, "lb must be < ub"),
        ("StepLRScheduler", {"decay_t": 0}, ValueError, "decay_t"),
        ("MultiStepLRScheduler", {"decay_t": [20, 10]}, ValueError, "sorted"),
        ("WSDLRScheduler", {"t_initial": 10, "decay_t": 11}, ValueError, "decay_t"),
        (
            "WSDLRScheduler",
            {
                "t_initial": 10,
                "decay_t": 5,
                "decay_fn": "exp",
                "stable_fn": "rsqrt",
                "stable_timescale": 2.0,
                "lr_min": 0.01,
            },
            ValueError,
            "sum",
        ),
        ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "decay_fn": abs}, ValueError, "callable"),
        (
            "WSDLRScheduler",
            {"t_initial": 10, "decay_t": 5, "stable_fn": "rsqrt", "warmup_t": 2, "lr_min": 0.01},
            ValueError,
            "sum of products",
        ),
        ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "stable_fn": "rsqrt"}, ValueError, "stable_timescale"),
        ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "decay_fn": "quadratic"}, ValueError, "decay_fn"),
        ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "decay_ratio": 1.0}, ValueError, "decay_ratio"),
    ],
)
def test_errors(call, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(tm, call)(base_lr=0.1, **kwargs)
