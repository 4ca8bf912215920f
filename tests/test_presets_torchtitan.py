"""torchtitan dialect: parity with vectors recorded from torchtitan's LRSchedulersContainer under
its trainer's stepping, live parity where torchtitan imports, refusals."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastlr
import fastlr.presets.torchtitan as tt
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "torchtitan.json"
RECORDS = json.loads(DATA.read_text()) if DATA.exists() else []

REFUSED = {
    "linear run past total_steps (refused)": "falls below min_lr_factor",
    "no decay, run past total_steps (refused)": "asserts decay_steps",
}


@pytest.mark.skipif(not RECORDS, reason="tests/data/peers/torchtitan.json not recorded")
@pytest.mark.parametrize("rec", RECORDS, ids=[f"{i}-{r.get('note')}" for i, r in enumerate(RECORDS)])
def test_recorded(rec):
    note = rec.get("note") or ""
    if note in REFUSED:
        with pytest.raises(ValueError, match=REFUSED[note]):
            tt.lr_scheduler(**rec["kwargs"])
        return
    kw = rec["kwargs"]
    ref = rec["values"]["lr"][0]  # up to torchtitan's assertion, if any
    tab = tt.lr_scheduler(**kw).table(rec["T"])
    N = kw.get("total_steps") or kw["training_steps"]
    n = len(ref) if kw.get("decay_type") == "cosine" else min(len(ref), N + 1)
    assert_close64(tab[:n], ref[:n])
    # past total_steps + 1 (after the run) linear and sqrt hold base_lr * min_lr_factor
    assert np.all(tab[n:] == tab[n - 1]) or kw.get("decay_type") == "cosine"


def test_records_cover_every_decay_type():
    if not RECORDS:
        pytest.skip("no records")
    assert {r["kwargs"].get("decay_type", "linear") for r in RECORDS} == set(tt.DECAY_TYPES)


def test_canonical_form():
    s = tt.lr_scheduler(3e-4, 1000, warmup_steps=100, decay_type="cosine", min_lr_factor=0.1)
    assert isinstance(s.curve, fastlr.Cosine) and s.warmup is not None and s.warmup.steps == 100


def test_errors():
    with pytest.raises(ValueError, match="decay_type"):
        tt.lr_scheduler(1e-3, 10, decay_type="cos")
    with pytest.raises(ValueError, match="warmup_steps"):
        tt.lr_scheduler(1e-3, 10, warmup_steps=-1)
    with pytest.raises(ValueError, match="min_lr_factor"):
        tt.lr_scheduler(1e-3, 10, min_lr_factor=-0.1)
    with pytest.raises(TypeError, match="training_steps"):
        tt.lr_scheduler(1e-3, 10.0)


def _configs(n=10):
    rng = np.random.default_rng(7)
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    out = []
    for i in range(n):
        cfg = dict(
            warmup_steps=int(pick([0, 1, 4, 30])),
            decay_ratio=pick([None, 0.0, 0.2, 0.5, 1.2]),
            decay_type=tt.DECAY_TYPES[i % 3],
            min_lr_factor=float(pick([0.0, 0.1])),
        )
        out.append(pytest.param(int(pick([1, 7, 25])), cfg, id=f"{i}-{cfg['decay_type']}"))
    return out


@pytest.mark.parametrize(("R", "cfg"), _configs())
def test_live(R, cfg):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = pytest.importorskip("torchtitan.components.optimizer.lr_scheduler")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.2)
    cont = mod.LRSchedulersContainer.Config(**cfg).build(optimizers=[opt], training_steps=R)
    ref = []
    for _ in range(R):
        ref.append(opt.param_groups[0]["lr"])
        opt.step()
        cont.step()
    assert_close64(tt.lr_scheduler(0.2, R, **cfg).table(R), ref)


def test_docstring_examples_of_the_large_run_dialects():
    import doctest

    import fastlr.presets.deepspeed as ds
    import fastlr.presets.megatron as meg

    for mod in (tt, ds, meg):
        res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert res.attempted > 0 and res.failed == 0, mod.__name__


def test_cli_specs_build_the_same_schedules():
    from fastlr.cli.spec import load_spec

    spec = load_spec("torchtitan:lr_scheduler,base_lr=3e-4,training_steps=50,warmup_steps=5,decay_type='cosine'")
    assert spec == tt.lr_scheduler(3e-4, 50, warmup_steps=5, decay_type="cosine")
    spec = load_spec("deepspeed:WarmupDecayLR,total_num_steps=40,warmup_max_lr=1e-3,warmup_num_steps=4")
    import fastlr.presets.deepspeed as ds

    assert spec == ds.WarmupDecayLR(40, warmup_max_lr=1e-3, warmup_num_steps=4)
    text = (
        "megatron:OptimizerParamScheduler,init_lr=0,max_lr=1e-3,min_lr=1e-4,lr_warmup_steps=2,lr_decay_steps=9,"
        "lr_decay_style=WSD,start_wd=0.1,end_wd=0.1,wd_incr_steps=9,wd_incr_style=constant,wsd_decay_steps=3,"
        "lr_wsd_decay_style=minus_sqrt"
    )
    import fastlr.presets.megatron as meg

    assert isinstance(load_spec(text), fastlr.ScheduleSet)
    assert load_spec(text) == meg.OptimizerParamScheduler(
        0, 1e-3, 1e-4, 2, 9, "WSD", 0.1, 0.1, 9, "constant", wsd_decay_steps=3, lr_wsd_decay_style="minus_sqrt"
    )
