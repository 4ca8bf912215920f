"""A seeded fuzz of the constructors, from_dict and evaluation with extreme and wrongly typed
parameters: every input is either refused with a clear error (ValueError or TypeError naming
the class and the parameter) or builds a schedule whose values are finite, non-negative and
bounded, from step 0 to the last step fastlr evaluates (2**50). A few hundred cases, evaluated
together in two sweeps (one compile per dtype), so the runtime is bounded and small."""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np

import fastlr as fl
from fastlr import _checks as ck

MAX = ck.MAX_STEP

# Values that broke something once (hangs, overflows, NaN), plus the wrong types.
EXTREME: list[Any] = [
    0,
    0.0,
    -0.0,
    5e-324,
    1e-300,
    1e-19,
    2.0**-21,
    1e-6,
    0.5,
    1,
    2,
    3.7,
    45.0,
    1e3,
    2**50,
    2**50 + 1,
    1e15,
    1e18,
    1e19,
    1e300,
    1e308,
    -1,
    -1e308,
    float("nan"),
    float("inf"),
    -float("inf"),
    10**400,
    2**63,
    -(2**63),
    "0.1",
    True,
    None,
    [1],
    {"a": 1},
]

# (class, valid keyword arguments): each case replaces one or two of them with extreme values.
BASES: list[tuple[Any, dict[str, Any]]] = [
    (fl.Constant, {"value": 0.1}),
    (fl.Linear, {"start": 1.0, "end": 0.1, "steps": 100, "span": None, "offset": 0.0}),
    (
        fl.Cosine,
        {"start": 1.0, "end": 0.0, "steps": 100, "exponent": 1.0, "k_decay": 1.0, "cycles": 0.5, "after": "continue"},
    ),
    (fl.Cosine, {"start": 1.0, "end": 0.0, "steps": 100, "k_decay": 2.0, "span": None, "offset": 0.0}),
    (fl.Polynomial, {"start": 1.0, "end": 0.0, "steps": 100, "power": 2.0, "k_decay": 1.0}),
    (fl.Tanh, {"start": 1.0, "end": 0.0, "steps": 100, "lower": -7.0, "upper": 3.0}),
    (fl.SqrtCooldown, {"start": 1.0, "end": 0.0, "steps": 100}),
    (fl.Exponential, {"start": 1.0, "rate": 0.5, "steps": 10.0, "begin": 0, "end": None}),
    (fl.Exponential, {"start": 1.0, "rate": 2.0, "steps": 10.0, "end": 100.0, "staircase": True}),
    (fl.Asymptotic, {"start": 1.0, "end": 0.1, "rate": 0.5, "steps": 10.0, "horizon": None}),
    (fl.StepDecay, {"start": 1.0, "step_size": 10, "gamma": 0.5}),
    (fl.MultiStep, {"start": 1.0, "milestones": [10, 20], "gamma": 0.5}),
    (fl.PiecewiseConstant, {"boundaries": [10, 20], "values": [1.0, 0.5, 0.1]}),
    (fl.PiecewiseInterp, {"knots": [0, 10, 20], "values": [0.0, 1.0, 0.1], "kind": "cosine"}),
    (fl.InverseSqrt, {"start": 1.0, "timescale": 10.0, "power": 0.5}),
    (fl.InverseTime, {"start": 1.0, "rate": 0.5, "steps": 10.0}),
    (fl.Cyclic, {"low": 0.1, "high": 1.0, "step_size_up": 5.0, "step_size_down": 7.0, "mode": "triangular2"}),
    (fl.Cyclic, {"low": 0.1, "high": 1.0, "step_size_up": 5.0, "mode": "exp_range", "gamma": 0.99}),
    (fl.OneCycle, {"peak": 1.0, "total_steps": 100, "pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4}),
]

RESTARTS: dict[str, Any] = {"mult": 1.0, "decay": 0.5, "limit": None, "warmup_steps": 0, "cycles": 1.0}
WARMUP: dict[str, Any] = {"steps": 10, "start": 0.0, "span": None, "offset": 0.0}
SCHEDULE: dict[str, Any] = {"scale": 1.0, "floor": None, "steps_per_epoch": 1}


def _mutate(rng: np.random.Generator, kwargs: dict[str, Any], k: int) -> dict[str, Any]:
    out = dict(kwargs)
    names = list(out)
    for name in rng.choice(names, size=min(k, len(names)), replace=False):
        out[str(name)] = EXTREME[int(rng.integers(len(EXTREME)))]
    return out


def _refused_clearly(exc: Exception, what: str) -> None:
    assert isinstance(exc, (ValueError, TypeError)), f"{what}: {type(exc).__name__}: {exc}"
    assert str(exc) and len(str(exc)) < 2000, what


def _try(what: str, make: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return make(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        _refused_clearly(exc, what)
    return None


def _mutated_document(rng: np.random.Generator, doc: Any) -> Any:
    """``doc`` with one random leaf replaced by an extreme value or a wrong type."""
    doc = copy.deepcopy(doc)
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if key != "type":
                paths.append((node, key))
            walk(value)

    walk(doc)
    node, key = paths[int(rng.integers(len(paths)))]
    node[key] = EXTREME[int(rng.integers(len(EXTREME)))]
    return doc


def test_fuzz_constructors_from_dict_and_tables():
    rng = np.random.default_rng(2121)
    accepted: list[fl.Schedule] = []
    for case in range(600):
        cls, base = BASES[case % len(BASES)]
        kw = _mutate(rng, base, int(rng.integers(1, 3)))
        shape = _try(f"{cls.__name__}({kw})", cls, **kw)
        if shape is None:
            continue
        extra: dict[str, Any] = {}
        roll = rng.random()
        if roll < 0.2 and getattr(shape, "restartable", False) and getattr(shape, "after", "hold") == "hold":
            extra["restarts"] = fl.Restarts(**{k: v for k, v in RESTARTS.items() if v is not None})
            rk = _mutate(rng, RESTARTS, 1)
            extra["restarts"] = _try(f"Restarts({rk})", fl.Restarts, **rk) or extra["restarts"]
        elif roll < 0.4:
            wk = _mutate(rng, WARMUP, 1)
            extra["warmup"] = _try(f"Warmup({wk})", fl.Warmup, **wk)
        elif roll < 0.6:
            extra.update(_mutate(rng, SCHEDULE, 1))
        sched = _try(f"Schedule({shape}, {extra})", fl.Schedule, shape, **extra)
        if sched is None:
            continue
        accepted.append(sched)
        # the same document through JSON, then with one leaf mutated
        doc = json.loads(sched.to_json())
        assert fl.from_dict(doc) == sched
        mutated = _mutated_document(rng, doc)
        back = _try(f"from_dict({mutated})", fl.from_dict, mutated)
        if isinstance(back, fl.Schedule):
            accepted.append(back)
    assert len(accepted) > 100  # the fuzz reaches evaluation, not only refusals
    for dtype in (np.float64, np.float32):
        for t0 in (0, 10**12, MAX - 63):
            tab = fl.sweep(accepted, 64, dtype=dtype, t0=t0)
            bad = ~np.isfinite(tab) | (tab < 0) | (tab > 1e36)
            assert not bad.any(), (accepted[int(np.argmax(bad.any(axis=1)))], dtype, t0)
