"""transformers dialect: parity with vectors recorded from transformers, live parity when
``transformers`` imports (CI installs only the test extra: those tests skip), quirks and errors."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastlr
import fastlr.presets.transformers as hf
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "transformers.json"
RECORDS = [r for r in json.loads(DATA.read_text()) if r["peer"] == "transformers"] if DATA.exists() else []

# recorded configs that fastlr refuses on purpose (documented in the module docstring)
REFUSED: dict[str, str] = {}


def build(call, kwargs):
    return getattr(hf, call)(**kwargs)


def _ids(recs):
    return [f"{i}-{r['call']}-{r['kwargs'].get('name', '')}-{r.get('note') or ''}" for i, r in enumerate(recs)]


# ---- recorded vectors ------------------------------------------------------------------------


@pytest.mark.skipif(not RECORDS, reason="tests/data/peers/transformers.json not recorded")
@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    note = rec.get("note") or ""
    if note in REFUSED:
        with pytest.raises(ValueError, match=REFUSED[note]):
            build(rec["call"], rec["kwargs"])
        return
    if rec.get("raises_at") is not None:
        # transformers fails (at construction, or dividing by zero later): fastlr refuses up front
        with pytest.raises(ValueError, match=r"lr_end|divide by zero"):
            build(rec["call"], rec["kwargs"])
        return
    tab = build(rec["call"], rec["kwargs"]).table(rec["T"])
    assert_close64(tab, rec["values"]["lr"][0])


def test_records_cover_every_type():
    if not RECORDS:
        pytest.skip("no records")
    names = {r["kwargs"]["name"] for r in RECORDS if r["call"] == "get_scheduler"}
    assert names >= set(hf.TYPE_NAMES) - {"reduce_lr_on_plateau", "greedy"}
    calls = {r["call"] for r in RECORDS}
    assert calls >= {n for n in hf.__all__ if n.startswith("get_")}


# ---- live parity (only where transformers imports) -------------------------------------------


def _configs():
    rng = np.random.default_rng(2024)
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    out = []
    names = [n for n in hf.TYPE_NAMES if n not in ("reduce_lr_on_plateau", "greedy")]
    for i in range(220):
        name = names[i % len(names)]
        B = pick([0.1, 1e-8, 3e-4, 10.0])
        W, N = pick([0, 1, 2, 5, 10, 30]), pick([0, 1, 5, 10, 20, 40])
        sk: dict = {}
        if name == "cosine":
            sk = pick([{}, {"num_cycles": 1.5}, {"num_cycles": 0.25}, {"num_cycles": 0.0}])
        elif name == "cosine_with_restarts":
            sk = pick([{}, {"num_cycles": 3}, {"num_cycles": 2}])
        elif name == "polynomial":
            sk = pick(
                [{}, {"lr_end": 0.0, "power": 2.0}, {"lr_end": B * 0.01, "power": 0.5}, {"power": 0.0, "lr_end": 0.0}]
            )
            if W == N:
                N += 3
        elif name == "inverse_sqrt":
            sk = pick([{}, {"timescale": 3}, {"timescale": 7.5}])
        elif name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
            sk = dict(
                pick(
                    [
                        {"min_lr_rate": 0.1},
                        {"min_lr": B * 0.05},
                        {"min_lr_rate": 0.0, "num_cycles": 1.0},
                        {"min_lr_rate": 0.3, "num_cycles": 0.75},
                    ]
                )
            )
            if name == "cosine_warmup_with_min_lr" and rng.integers(2):
                sk["warmup_lr_rate"] = pick([0.0, 0.1, 0.5])
        elif name == "warmup_stable_decay":
            sk = {
                "num_decay_steps": pick([0, 1, 5, 12]),
                "warmup_type": pick(["linear", "cosine", "1-sqrt"]),
                "decay_type": pick(["linear", "cosine", "1-sqrt"]),
                "min_lr_ratio": pick([0.0, 0.1]),
                "num_cycles": pick([0.5, 1.0]),
            }
            if rng.integers(3) == 0:
                sk["num_stable_steps"] = pick([0, 3, 8])
                N = None
        T = int(rng.integers(1, 70))
        out.append(pytest.param(name, B, W, N, sk, T, id=f"{i}-{name}"))
    return out


@pytest.fixture(scope="module")
def peer():
    pytest.importorskip("torch")
    return pytest.importorskip("transformers.optimization")


def run_peer(O, name, B, T, **kw):
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=B)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = O.get_scheduler(name, opt, **kw)
        for i in range(T):
            out.append(float(opt.param_groups[0]["lr"]))
            if i == T - 1:
                break
            opt.step()
            sched.step()
    return out


@pytest.mark.parametrize(("name", "B", "W", "N", "sk", "T"), _configs())
def test_live_parity(peer, name, B, W, N, sk, T):
    kw = {"num_warmup_steps": W, "num_training_steps": N, "scheduler_specific_kwargs": sk}
    try:
        ref = run_peer(peer, name, B, T, **kw)
    except ValueError as e:  # e.g. lr_end >= base_lr: fastlr refuses it too
        with pytest.raises(ValueError, match=str(e).split(" ")[0]):
            hf.get_scheduler(name, base_lr=B, **kw)
        return
    tab = hf.get_scheduler(name, base_lr=B, **kw).table(T)
    assert_close64(tab, ref, err_msg=f"{name} {kw}")


def test_live_functions(peer):
    import torch

    calls = [
        ("get_linear_schedule_with_warmup", {"num_warmup_steps": 7, "num_training_steps": 90}),
        ("get_cosine_schedule_with_warmup", {"num_warmup_steps": 7, "num_training_steps": 90, "num_cycles": 0.7}),
        (
            "get_cosine_with_hard_restarts_schedule_with_warmup",
            {"num_warmup_steps": 3, "num_training_steps": 90, "num_cycles": 4},
        ),
        (
            "get_polynomial_decay_schedule_with_warmup",
            {"num_warmup_steps": 7, "num_training_steps": 90, "lr_end": 1e-5, "power": 1.7},
        ),
        ("get_constant_schedule_with_warmup", {"num_warmup_steps": 7}),
        ("get_inverse_sqrt_schedule", {"num_warmup_steps": 7}),
        (
            "get_cosine_with_min_lr_schedule_with_warmup",
            {"num_warmup_steps": 7, "num_training_steps": 90, "min_lr": 1e-4},
        ),
        (
            "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
            {"num_warmup_steps": 7, "num_training_steps": 90, "min_lr_rate": 0.05, "warmup_lr_rate": 0.2},
        ),
        (
            "get_wsd_schedule",
            {"num_warmup_steps": 7, "num_decay_steps": 30, "num_training_steps": 90, "warmup_type": "cosine"},
        ),
    ]
    for call, kw in calls:
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=3e-3)
        sched = getattr(peer, call)(opt, **kw)
        ref = []
        for _ in range(120):
            ref.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            sched.step()
        assert_close64(getattr(hf, call)(3e-3, **kw).table(120), ref, err_msg=call)


# ---- quirks ----------------------------------------------------------------------------------


def test_warmup_starts_at_zero():
    s = hf.get_scheduler("linear", num_warmup_steps=4, num_training_steps=10, base_lr=0.1)
    assert_close64(s.table(5), [0.0, 0.025, 0.05, 0.075, 0.1])


def test_cosine_rises_again_past_n():
    s = hf.get_cosine_schedule_with_warmup(1.0, num_warmup_steps=0, num_training_steps=10)
    tab = s.table(21)
    assert tab[10] == pytest.approx(0.0, abs=1e-15)
    assert tab[20] == pytest.approx(1.0)
    assert tab[15] == pytest.approx(0.5)


def test_cosine_with_warmup_at_least_n_alternates():
    tab = hf.get_scheduler("cosine", num_warmup_steps=10, num_training_steps=10, base_lr=0.1).table(15)
    assert_close64(tab[10:], [0.1, 0.0, 0.1, 0.0, 0.1])


def test_linear_and_restarts_clamp_at_zero():
    assert np.all(hf.get_linear_schedule_with_warmup(0.1, 2, 10).table(30)[10:] == 0.0)
    tab = hf.get_cosine_with_hard_restarts_schedule_with_warmup(0.1, 0, 12, num_cycles=3).table(30)
    assert np.all(tab[12:] == 0.0)
    assert tab[4] == pytest.approx(0.1) and tab[8] == pytest.approx(0.1)


def test_polynomial_holds_lr_end():
    tab = hf.get_polynomial_decay_schedule_with_warmup(0.1, 2, 10, lr_end=1e-3, power=2.0).table(20)
    assert tab[10:] == pytest.approx(1e-3, rel=1e-14)


def test_warmup_lr_rate_variant_is_shifted_by_one():
    tab = hf.get_scheduler("cosine_warmup_with_min_lr", 4, 14, {"min_lr_rate": 0.0}, base_lr=1.0).table(15)
    assert_close64(tab[:4], [0.25, 0.5, 0.75, 1.0])
    # the decay progress starts at 1/(N - W), so the last step N - 1 reaches min_lr
    assert tab[4] == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.1)))
    assert tab[13] == pytest.approx(0.0, abs=1e-15)


def test_wsd_negative_stable_phase_starts_mid_decay():
    # W + D > N: num_stable_steps = N - W - D < 0, the decay starts part-way
    tab = hf.get_wsd_schedule(1.0, 2, 8, num_training_steps=6, decay_type="linear").table(8)
    assert_close64(tab, [0.0, 0.5, 0.5, 0.375, 0.25, 0.125, 0.0, 0.0])


def test_constant_ignores_warmup_and_scheduler_type_enum():
    assert np.all(hf.get_scheduler("constant", 5, 10, base_lr=0.1).table(6) == 0.1)

    class Name:
        value = "linear"

    s = hf.get_scheduler(Name(), 2, 10, base_lr=0.1)
    assert_close64(s.table(3), [0.0, 0.05, 0.1])


def test_round_trip_and_types():
    for s in (
        hf.get_scheduler("cosine_with_restarts", 3, 30, {"num_cycles": 2}, base_lr=0.1),
        hf.get_scheduler("warmup_stable_decay", 3, 30, {"num_decay_steps": 5, "warmup_type": "1-sqrt"}, base_lr=0.1),
        hf.get_scheduler("cosine_warmup_with_min_lr", 3, 30, {"min_lr": 1e-3}, base_lr=0.1),
    ):
        assert isinstance(s, fastlr.Schedule)
        back = fastlr.from_dict(json.loads(json.dumps(s.to_dict())))
        assert np.array_equal(back.table(40), s.table(40))


# ---- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        (("cosine_schedule",), {"num_warmup_steps": 1, "num_training_steps": 5}, ValueError, "name must be one of"),
        (("reduce_lr_on_plateau",), {}, ValueError, "metric"),
        (("greedy",), {}, ValueError, "metric"),
        (("linear",), {"num_training_steps": 5}, ValueError, "num_warmup_steps"),
        (("linear",), {"num_warmup_steps": 2}, ValueError, "num_training_steps"),
        (("linear",), {"num_warmup_steps": -1, "num_training_steps": 5}, ValueError, "num_warmup_steps"),
        (("linear",), {"num_warmup_steps": 1.5, "num_training_steps": 5}, TypeError, "num_warmup_steps"),
        (
            ("cosine",),
            {"num_warmup_steps": 1, "num_training_steps": 5, "scheduler_specific_kwargs": {"lr_end": 0.1}},
            TypeError,
            "lr_end",
        ),
        (
            ("cosine_with_restarts",),
            {"num_warmup_steps": 1, "num_training_steps": 5, "scheduler_specific_kwargs": {"num_cycles": -1.5}},
            ValueError,
            "num_cycles must be >= 0",
        ),
        (("polynomial",), {"num_warmup_steps": 5, "num_training_steps": 5}, ValueError, "divide by zero"),
        (
            ("polynomial",),
            {"num_warmup_steps": 1, "num_training_steps": 5, "scheduler_specific_kwargs": {"lr_end": 1.0}},
            ValueError,
            "lr_end",
        ),
        (
            ("polynomial",),
            {"num_warmup_steps": 1, "num_training_steps": 5, "scheduler_specific_kwargs": {"power": -1.0}},
            ValueError,
            "power",
        ),
        (
            ("inverse_sqrt",),
            {"num_warmup_steps": 1, "scheduler_specific_kwargs": {"timescale": 0}},
            ValueError,
            "timescale",
        ),
        (("cosine_with_min_lr",), {"num_warmup_steps": 1, "num_training_steps": 5}, ValueError, "min_lr"),
        (
            ("cosine_with_min_lr",),
            {
                "num_warmup_steps": 1,
                "num_training_steps": 5,
                "scheduler_specific_kwargs": {"min_lr": 0.1, "min_lr_rate": 0.1},
            },
            ValueError,
            "only one",
        ),
        (
            ("warmup_stable_decay",),
            {"num_warmup_steps": 1, "scheduler_specific_kwargs": {"num_decay_steps": 3}},
            ValueError,
            "num_stable_steps",
        ),
        (
            ("warmup_stable_decay",),
            {
                "num_warmup_steps": 1,
                "num_training_steps": 9,
                "scheduler_specific_kwargs": {"num_decay_steps": 3, "decay_type": "exp"},
            },
            ValueError,
            "decay_type",
        ),
    ],
)
def test_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        hf.get_scheduler(*args, base_lr=kwargs.pop("base_lr", 0.1), **kwargs)


def test_base_lr_errors():
    with pytest.raises(ValueError, match="base_lr"):
        hf.get_linear_schedule_with_warmup(-0.1, 1, 5)
    with pytest.raises(TypeError, match="base_lr"):
        hf.get_constant_schedule("0.1")
    with pytest.raises(ValueError, match="base_lr > 0"):
        hf.get_cosine_with_min_lr_schedule_with_warmup(0.0, 1, 5, min_lr=0.1)
