#!/usr/bin/env python
"""Record learning-rate vectors from the REAL peer libraries (and from faithful
transcriptions of the seed recipes) as JSON under tests/data/peers/.

Run from the repository root, inside the throwaway peers venv described in
tests/data/README.md:

    python tests/data/generate.py              # every peer, each in its own subprocess
    python tests/data/generate.py --peer optax # one peer only

Each output file is a JSON list of records:

    {"peer", "version", "module", "call", "kwargs", "T", "dtype",
     "values": {"lr": [[...T values of group 0...], ...], "momentum": [[...]]},
     "note", ... optional: "source", "raises_at", "error", "undefined_at", "f0", ...}

``values[k][g][i]`` is the value the peer's optimizer uses for update ``i`` in
that peer's canonical loop.  ``getattr(fastlr.presets.<module>, call)(**kwargs)``
is the call form the vector is keyed by (see README.md for the decoding rules
of nested children and of optax's ``boundaries_and_scales``).

The script is deterministic: no randomness is used except timm's own seeded
noise generator.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import importlib.metadata as md
import importlib.util
import json
import math
import os
import subprocess
import sys
import types
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "peers")

PEERS = ["torch", "transformers", "timm", "optax", "keras", "fvcore", "pytorch_warmup", "seeds"]
PEERS += ["megatron", "deepspeed", "torchtitan", "composer", "mmengine"]


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------


def _ver(dist):
    return md.version(dist)


def _f(x):
    """A Python float from a float / numpy / jax / torch scalar."""
    if hasattr(x, "item") and not isinstance(x, float):
        try:
            import numpy as np

            return float(np.asarray(x).item())
        except Exception:  # pragma: no cover
            return float(x.item())
    return float(x)


def _check_finite(vals):
    for v in vals:
        if v is not None and not math.isfinite(v):
            raise ValueError(f"non-finite value {v!r}")


def record(peer, version, module, call, kwargs, T, dtype, values, note=None, **extra):
    r = {
        "peer": peer,
        "version": version,
        "module": module,
        "call": call,
        "kwargs": kwargs,
        "T": T,
        "dtype": dtype,
        "values": values,
    }
    if note:
        r["note"] = note
    r.update({k: v for k, v in extra.items() if v is not None})
    return r


def ended(raises):
    """The ``raises_at`` and ``error`` keys of a record: from ``(step, message)`` where the peer
    raised at that step, none where it ran to the end (``raises`` None)."""
    return {"raises_at": raises[0], "error": raises[1]} if raises else {}


def refused(e):
    """``(0, "Type: message")``: the peer raised before the first value (at construction)."""
    return (0, f"{type(e).__name__}: {e}")


def write(name, records):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, f"{name}.json")
    # round trip check: every value must be a finite float, json must be strict
    text = "[\n" + ",\n".join(json.dumps(r, allow_nan=False, sort_keys=False) for r in records) + "\n]\n"
    json.loads(text)
    with open(path, "w") as fh:
        fh.write(text)
    print(f"{name}: {len(records)} vectors -> {os.path.relpath(path)} ({len(text)} bytes)")


# ----------------------------------------------------------------------------
# torch loop machinery (shared by torch, transformers, timm, pytorch_warmup,
# detectron2 LRMultiplier and the torch-based seeds)
# ----------------------------------------------------------------------------


def make_opt(lrs, momentum=None, adam_beta2=None):
    import torch

    if not isinstance(lrs, (list, tuple)):
        lrs = [lrs]
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    if adam_beta2 is not None:
        return torch.optim.Adam(params, lr=lrs[0], betas=(0.9, adam_beta2))
    if momentum is not None:
        return torch.optim.SGD(params, lr=lrs[0], momentum=momentum)
    return torch.optim.SGD(params, lr=lrs[0])


def torch_loop(opt, sched, T, keys=("lr",), step=None):
    """Canonical PyTorch loop: read group values, optimizer.step(), scheduler.step().

    Returns (values, raises_at)."""
    vals = {k: [[] for _ in opt.param_groups] for k in keys}
    raises_at = None
    for i in range(T):
        for k in keys:
            for g, group in enumerate(opt.param_groups):
                vals[k][g].append(_f(group[k]))
        if i == T - 1:
            break
        opt.step()
        try:
            if step is None:
                sched.step()
            else:
                step(i)
        except (ValueError, ZeroDivisionError, RuntimeError) as e:  # peer raises for step i+1
            raises_at = (i + 1, f"{type(e).__name__}: {e}")
            break
    for k in keys:
        for g in vals[k]:
            _check_finite(g)
    return vals, raises_at


# ----------------------------------------------------------------------------
# torch.optim.lr_scheduler
# ----------------------------------------------------------------------------

OWN_LR = ("CyclicLR", "OneCycleLR")  # these take their own lr kwargs


def build_torch(desc, opt):
    """Build a torch scheduler from a preset description {"call", "kwargs"}."""
    import torch.optim.lr_scheduler as S

    call, kw = desc["call"], dict(desc["kwargs"])
    if call in ("SequentialLR", "ChainedScheduler"):
        children = [build_torch(c, opt) for c in kw.pop("schedulers")]
        if call == "SequentialLR":
            return S.SequentialLR(opt, children, **kw)
        return S.ChainedScheduler(children, optimizer=opt)
    if call not in OWN_LR:
        kw.pop("base_lr")
    return getattr(S, call)(opt, **kw)


def torch_base_lr(desc):
    kw = desc["kwargs"]
    if desc["call"] in ("SequentialLR", "ChainedScheduler"):
        return torch_base_lr(kw["schedulers"][0])
    if desc["call"] == "CyclicLR":
        return kw["base_lr"]
    if desc["call"] == "OneCycleLR":
        return kw["max_lr"]  # overwritten by the scheduler anyway
    return kw["base_lr"]


def run_torch_desc(desc, T):
    momentum = None
    keys = ("lr",)
    if desc["call"] in OWN_LR and desc["kwargs"].get("cycle_momentum", True):
        momentum = 0.9
        keys = ("lr", "momentum")
    opt = make_opt(torch_base_lr(desc), momentum=momentum)
    sched = build_torch(desc, opt)
    return torch_loop(opt, sched, T, keys)


def C(call, **kw):
    return {"call": call, "kwargs": kw}


def torch_cases():
    c = []

    def add(call, T, note=None, **kw):
        c.append((C(call, **kw), T, note))

    # StepLR
    add("StepLR", 12, "decay every step", base_lr=0.1, step_size=1, gamma=0.1)
    add("StepLR", 40, None, base_lr=0.1, step_size=7, gamma=0.5)
    add("StepLR", 30, "gamma=1 (constant)", base_lr=0.05, step_size=10, gamma=1.0)
    add("StepLR", 30, "tiny lr", base_lr=1e-8, step_size=3, gamma=0.9)
    add("StepLR", 30, "huge lr", base_lr=10.0, step_size=4, gamma=0.3)
    add("StepLR", 20, "step_size beyond T", base_lr=0.1, step_size=100, gamma=0.1)
    add("StepLR", 12, "gamma=0", base_lr=0.1, step_size=5, gamma=0.0)
    add("StepLR", 25, "gamma>1", base_lr=0.01, step_size=5, gamma=2.0)
    # MultiStepLR
    add("MultiStepLR", 40, None, base_lr=0.1, milestones=[10, 20, 30], gamma=0.1)
    add("MultiStepLR", 15, "milestone at 0", base_lr=0.1, milestones=[0, 5], gamma=0.5)
    add("MultiStepLR", 20, "repeated milestones (Counter: gamma^2)", base_lr=0.1, milestones=[5, 5, 12], gamma=0.5)
    add("MultiStepLR", 20, "repeated milestone at 0", base_lr=1.0, milestones=[0, 0, 3], gamma=0.1)
    add("MultiStepLR", 30, "unsorted milestones", base_lr=0.1, milestones=[20, 10], gamma=0.1)
    add("MultiStepLR", 20, "milestone beyond T", base_lr=0.1, milestones=[50], gamma=0.1)
    add("MultiStepLR", 30, "huge lr, gamma 0.3", base_lr=10.0, milestones=[1, 2, 3, 25], gamma=0.3)
    add("MultiStepLR", 30, "tiny lr", base_lr=1e-8, milestones=[10], gamma=0.1)
    # ConstantLR
    add("ConstantLR", 12, "defaults", base_lr=0.1, factor=1.0 / 3, total_iters=5)
    add("ConstantLR", 12, None, base_lr=0.1, factor=0.5, total_iters=1)
    add(
        "ConstantLR",
        12,
        "total_iters=0: recursive form applies factor at t=0 and never restores it",
        base_lr=0.1,
        factor=0.5,
        total_iters=0,
    )
    add("ConstantLR", 10, "factor=1", base_lr=0.1, factor=1.0, total_iters=3)
    add(
        "ConstantLR",
        10,
        "factor=0: ZeroDivisionError when restoring at total_iters",
        base_lr=0.1,
        factor=0.0,
        total_iters=3,
    )
    add("ConstantLR", 12, "total_iters beyond T", base_lr=10.0, factor=0.25, total_iters=50)
    # LinearLR
    add("LinearLR", 12, "defaults", base_lr=0.1, start_factor=1.0 / 3, end_factor=1.0, total_iters=5)
    add("LinearLR", 15, "decay to 0", base_lr=0.1, start_factor=1.0, end_factor=0.0, total_iters=10)
    add("LinearLR", 8, "total_iters=1", base_lr=0.1, start_factor=0.001, end_factor=1.0, total_iters=1)
    add(
        "LinearLR",
        8,
        "total_iters=0: stays at start_factor (recursive form)",
        base_lr=0.1,
        start_factor=0.5,
        end_factor=1.0,
        total_iters=0,
    )
    add("LinearLR", 40, None, base_lr=1e-8, start_factor=0.1, end_factor=0.5, total_iters=30)
    add("LinearLR", 30, "total_iters beyond T", base_lr=10.0, start_factor=0.01, end_factor=1.0, total_iters=100)
    # ExponentialLR
    add("ExponentialLR", 30, None, base_lr=0.1, gamma=0.9)
    add("ExponentialLR", 10, "gamma=1", base_lr=0.1, gamma=1.0)
    add("ExponentialLR", 60, "tiny lr", base_lr=1e-8, gamma=0.5)
    add("ExponentialLR", 30, "growth", base_lr=10.0, gamma=1.01)
    add("ExponentialLR", 400, "long", base_lr=0.1, gamma=0.99)
    # PolynomialLR
    add("PolynomialLR", 15, "power 1, past horizon", base_lr=0.1, total_iters=10, power=1.0)
    add("PolynomialLR", 15, "power 2", base_lr=0.1, total_iters=10, power=2.0)
    add("PolynomialLR", 15, "power 0.5", base_lr=0.1, total_iters=10, power=0.5)
    add("PolynomialLR", 5, "total_iters=1", base_lr=10.0, total_iters=1, power=1.0)
    add("PolynomialLR", 10, "defaults", base_lr=1e-8, total_iters=5, power=1.0)
    add("PolynomialLR", 12, "power 0", base_lr=0.1, total_iters=6, power=0.0)
    # CosineAnnealingLR
    add("CosineAnnealingLR", 45, "periodic past T_max", base_lr=0.1, T_max=10, eta_min=0.0)
    add("CosineAnnealingLR", 45, "eta_min", base_lr=0.1, T_max=20, eta_min=0.001)
    add("CosineAnnealingLR", 8, "T_max=1", base_lr=0.1, T_max=1, eta_min=0.0)
    add("CosineAnnealingLR", 25, "eta_min > base", base_lr=0.1, T_max=10, eta_min=0.2)
    add("CosineAnnealingLR", 30, "tiny lr", base_lr=1e-8, T_max=12, eta_min=0.0)
    add("CosineAnnealingLR", 30, "huge lr", base_lr=10.0, T_max=7, eta_min=0.5)
    add("CosineAnnealingLR", 400, "long run past the horizon", base_lr=0.1, T_max=100, eta_min=1e-4)
    # CosineAnnealingWarmRestarts
    add("CosineAnnealingWarmRestarts", 40, None, base_lr=0.1, T_0=10, T_mult=1, eta_min=0.0)
    add("CosineAnnealingWarmRestarts", 80, "T_mult=2", base_lr=0.1, T_0=5, T_mult=2, eta_min=0.001)
    add("CosineAnnealingWarmRestarts", 130, "T_mult=3", base_lr=10.0, T_0=3, T_mult=3, eta_min=0.0)
    add("CosineAnnealingWarmRestarts", 12, "T_0=1", base_lr=0.1, T_0=1, T_mult=1, eta_min=0.01)
    add("CosineAnnealingWarmRestarts", 40, "T_0=1, T_mult=2", base_lr=1e-8, T_0=1, T_mult=2, eta_min=0.0)
    # CyclicLR
    add("CyclicLR", 50, "triangular", base_lr=0.001, max_lr=0.1, step_size_up=5)
    add(
        "CyclicLR",
        60,
        "triangular2, asymmetric",
        base_lr=0.001,
        max_lr=0.1,
        step_size_up=4,
        step_size_down=8,
        mode="triangular2",
    )
    add("CyclicLR", 60, "exp_range", base_lr=0.001, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.97)
    add("CyclicLR", 40, "no momentum cycling", base_lr=1e-8, max_lr=1e-6, step_size_up=3, cycle_momentum=False)
    add(
        "CyclicLR",
        40,
        "custom momenta",
        base_lr=0.01,
        max_lr=10.0,
        step_size_up=1,
        step_size_down=2,
        base_momentum=0.5,
        max_momentum=0.99,
    )
    add(
        "CyclicLR",
        60,
        "triangular2 with scale_mode iterations",
        base_lr=0.001,
        max_lr=0.1,
        step_size_up=5,
        mode="triangular2",
        scale_mode="iterations",
    )
    # OneCycleLR
    add("OneCycleLR", 103, "raises past N", max_lr=0.1, total_steps=100)
    add("OneCycleLR", 102, "three_phase", max_lr=0.1, total_steps=100, three_phase=True)
    add("OneCycleLR", 52, "linear anneal", max_lr=1.0, total_steps=50, anneal_strategy="linear")
    add(
        "OneCycleLR",
        52,
        "linear anneal, three_phase",
        max_lr=10.0,
        total_steps=50,
        anneal_strategy="linear",
        three_phase=True,
        pct_start=0.25,
    )
    add("OneCycleLR", 42, "epochs x steps_per_epoch", max_lr=0.01, epochs=4, steps_per_epoch=10, pct_start=0.5)
    add(
        "OneCycleLR",
        22,
        "no momentum, custom div",
        max_lr=0.1,
        total_steps=20,
        cycle_momentum=False,
        div_factor=10.0,
        final_div_factor=100.0,
    )
    add("OneCycleLR", 12, "pct_start*N < 1: first phase end negative", max_lr=0.1, total_steps=10, pct_start=0.05)
    add("OneCycleLR", 12, "pct_start*N == 1: zero-length first phase", max_lr=0.1, total_steps=10, pct_start=0.1)
    add(
        "OneCycleLR",
        32,
        "custom momenta, pct_start 0.9",
        max_lr=1e-8,
        total_steps=30,
        pct_start=0.9,
        base_momentum=0.5,
        max_momentum=0.99,
    )
    # SequentialLR
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("LinearLR", base_lr=0.1, start_factor=0.1, end_factor=1.0, total_iters=5),
                    C("CosineAnnealingLR", base_lr=0.1, T_max=20, eta_min=0.0),
                ],
                milestones=[5],
            ),
            40,
            "warmup then cosine; cosine continues past its T_max",
        )
    )
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("ConstantLR", base_lr=0.1, factor=0.5, total_iters=3),
                    C("ExponentialLR", base_lr=0.1, gamma=0.9),
                ],
                milestones=[0],
            ),
            15,
            "milestone 0 skips the first scheduler",
        )
    )
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("ConstantLR", base_lr=0.1, factor=0.1, total_iters=4),
                    C("StepLR", base_lr=0.1, step_size=5, gamma=0.5),
                    C("CosineAnnealingLR", base_lr=0.1, T_max=10, eta_min=0.001),
                ],
                milestones=[4, 15],
            ),
            35,
            "three phases",
        )
    )
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("LinearLR", base_lr=1.0, start_factor=0.5, end_factor=1.0, total_iters=10),
                    C("ExponentialLR", base_lr=1.0, gamma=0.8),
                ],
                milestones=[50],
            ),
            30,
            "milestone beyond T",
        )
    )
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("ConstantLR", base_lr=0.1, factor=0.5, total_iters=0),
                    C("MultiStepLR", base_lr=0.1, milestones=[0, 3], gamma=0.1),
                ],
                milestones=[2],
            ),
            10,
            "closed form used at the milestone (_update_lr(0))",
        )
    )
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("LinearLR", base_lr=0.1, start_factor=0.01, end_factor=1.0, total_iters=3),
                    C("LinearLR", base_lr=0.1, start_factor=1.0, end_factor=0.0, total_iters=6),
                ],
                milestones=[3],
            ),
            14,
            "linear up, linear down",
        )
    )
    # ChainedScheduler
    c.append(
        (
            C(
                "ChainedScheduler",
                schedulers=[
                    C("ConstantLR", base_lr=0.1, factor=0.1, total_iters=4),
                    C("ExponentialLR", base_lr=0.1, gamma=0.9),
                ],
            ),
            20,
            "docs example",
        )
    )
    c.append(
        (
            C(
                "ChainedScheduler",
                schedulers=[
                    C("LinearLR", base_lr=0.1, start_factor=0.1, end_factor=1.0, total_iters=5),
                    C("StepLR", base_lr=0.1, step_size=3, gamma=0.5),
                ],
            ),
            20,
            "overlapped warmup x step",
        )
    )
    c.append(
        (
            C(
                "ChainedScheduler",
                schedulers=[
                    C("LinearLR", base_lr=0.1, start_factor=0.2, end_factor=1.0, total_iters=4),
                    C("CosineAnnealingLR", base_lr=0.1, T_max=10, eta_min=0.0),
                ],
            ),
            25,
            "cosine (recursive) mixed with warmup",
        )
    )
    c.append(
        (
            C(
                "ChainedScheduler",
                schedulers=[
                    C("MultiStepLR", base_lr=10.0, milestones=[2, 4], gamma=0.5),
                    C("ExponentialLR", base_lr=10.0, gamma=0.95),
                    C("ConstantLR", base_lr=10.0, factor=0.5, total_iters=3),
                ],
            ),
            15,
            "three multiplicative children",
        )
    )
    c.append(
        (
            C(
                "ChainedScheduler",
                schedulers=[
                    C("CosineAnnealingLR", base_lr=0.1, T_max=10, eta_min=0.01),
                    C("ExponentialLR", base_lr=0.1, gamma=0.9),
                ],
            ),
            25,
            "non-multiplicative child (eta_min != 0)",
        )
    )
    # found by the adversarial differential test (issue 15)
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("ConstantLR", base_lr=1.0, factor=1, total_iters=0),
                    C("MultiStepLR", base_lr=1.0, milestones=[-1], gamma=0.5),
                ],
                milestones=[2],
            ),
            5,
            "restarted MultiStepLR counts a negative milestone",
        )
    )
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("LinearLR", base_lr=1.0, start_factor=0.1, end_factor=1.0, total_iters=2),
                    C("CosineAnnealingWarmRestarts", base_lr=1.0, T_0=4),
                ],
                milestones=[6],
            ),
            30,
            "warm restarts after a warmup that ends early",
        )
    )
    c.append(
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("ExponentialLR", base_lr=0.1, gamma=0.9),
                    C("CosineAnnealingWarmRestarts", base_lr=0.1, T_0=3, T_mult=2, eta_min=0.01),
                    C("StepLR", base_lr=0.1, step_size=4, gamma=0.5),
                ],
                milestones=[5, 30],
            ),
            50,
            "warm restarts between two phases",
        )
    )
    c.append((C("CyclicLR", base_lr=0.01, max_lr=0.1, mode="exp_range", gamma=0.0), 12, "exp_range gamma 0"))
    # products of several decays (issue 15)
    for children, T, note in [
        (
            [C("StepLR", base_lr=0.1, step_size=3, gamma=0.5), C("StepLR", base_lr=0.1, step_size=5, gamma=0.9)],
            40,
            "StepLR x StepLR of different sizes",
        ),
        (
            [
                C("ExponentialLR", base_lr=1.0, gamma=0.95),
                C("PolynomialLR", base_lr=1.0, total_iters=20, power=2.0),
                C("MultiStepLR", base_lr=1.0, milestones=[4, 9], gamma=0.5),
            ],
            30,
            "exponential x polynomial x multistep",
        ),
        (
            [
                C("LinearLR", base_lr=0.1, start_factor=1.0, end_factor=0.2, total_iters=12),
                C("CosineAnnealingLR", base_lr=0.1, T_max=15),
                C("PolynomialLR", base_lr=0.1, total_iters=10, power=0.5),
            ],
            50,
            "linear x cosine x polynomial, then the cosine's reset",
        ),
        (
            [C("StepLR", base_lr=0.1, step_size=4, gamma=0.5), C("ExponentialLR", base_lr=0.1, gamma=0.9)],
            25,
            "StepLR x ExponentialLR",
        ),
        (
            [
                C("CosineAnnealingLR", base_lr=0.1, T_max=10, eta_min=0.01),
                C("MultiStepLR", base_lr=0.1, milestones=[3, 14, 25], gamma=0.5),
            ],
            90,
            "cosine with eta_min in a chain with MultiStepLR",
        ),
    ]:
        c.append((C("ChainedScheduler", schedulers=children), T, note))
    return c


def gen_torch():
    import torch

    ver = torch.__version__
    out = []
    for desc, T, note in torch_cases():
        try:
            vals, raises = run_torch_desc(desc, T)
        except (ValueError, ZeroDivisionError) as e:
            vals, raises = {"lr": [[]]}, refused(e)
        out.append(
            record("torch", ver, "torch", desc["call"], desc["kwargs"], T, "float64", vals, note, **ended(raises))
        )
    return out


# ----------------------------------------------------------------------------
# transformers
# ----------------------------------------------------------------------------


def gen_transformers():
    import transformers.optimization as O

    ver = _ver("transformers")
    out = []

    def run(call, kwargs, T, note=None):
        kw = dict(kwargs)
        base_lr = kw.pop("base_lr")
        opt = make_opt(base_lr)
        try:
            if call == "get_scheduler":
                sched = O.get_scheduler(kw.pop("name"), opt, **kw)
            else:
                sched = getattr(O, call)(opt, **kw)
        except (ValueError, TypeError, ZeroDivisionError) as e:
            vals, raises = {"lr": [[]]}, refused(e)
        else:
            vals, raises = torch_loop(opt, sched, T)
        out.append(record("transformers", ver, "transformers", call, kwargs, T, "float64", vals, note, **ended(raises)))

    def gs(name, T, note=None, W=None, N=None, sk=None, base_lr=0.1):
        kw = {"name": name}
        if W is not None:
            kw["num_warmup_steps"] = W
        if N is not None:
            kw["num_training_steps"] = N
        if sk is not None:
            kw["scheduler_specific_kwargs"] = sk
        kw["base_lr"] = base_lr
        run("get_scheduler", kw, T, note)

    # linear
    gs("linear", 25, "warmup, past horizon clamps at 0", W=5, N=20)
    gs("linear", 15, "warmup 0", W=0, N=10)
    gs("linear", 15, "warmup 1", W=1, N=10, base_lr=10.0)
    gs("linear", 15, "warmup == N", W=10, N=10)
    gs("linear", 20, "warmup beyond N", W=15, N=10, base_lr=1e-8)
    # cosine
    gs("cosine", 30, "rises again past N", W=4, N=20)
    gs("cosine", 25, "warmup 0", W=0, N=20, base_lr=10.0)
    gs("cosine", 30, "num_cycles 1.5", W=2, N=20, sk={"num_cycles": 1.5})
    gs("cosine", 15, "warmup == N", W=10, N=10)
    gs("cosine", 30, "warmup beyond N", W=12, N=10)
    gs("cosine", 400, "long", W=40, N=300, base_lr=3e-4)
    # cosine_with_restarts
    gs("cosine_with_restarts", 30, "3 cycles, 0 past N", W=3, N=25, sk={"num_cycles": 3})
    gs("cosine_with_restarts", 20, "1 cycle, warmup 0", W=0, N=15)
    gs("cosine_with_restarts", 30, "fractional num_cycles", W=2, N=25, sk={"num_cycles": 2.5}, base_lr=1e-8)
    # polynomial
    gs("polynomial", 25, "defaults, past N holds lr_end", W=5, N=20)
    gs("polynomial", 25, "power 2, lr_end 0", W=0, N=20, sk={"lr_end": 0.0, "power": 2.0})
    gs("polynomial", 25, "power 0.5", W=1, N=20, sk={"lr_end": 0.001, "power": 0.5}, base_lr=10.0)
    gs("polynomial", 15, "warmup == N: ZeroDivisionError at t=N", W=10, N=10)
    gs("polynomial", 15, "lr_end >= base_lr raises", W=2, N=10, base_lr=1e-8)
    # constant / constant_with_warmup
    gs("constant", 10, "ignores warmup", W=5, N=10)
    gs("constant_with_warmup", 15, None, W=5, N=10)
    gs("constant_with_warmup", 10, "warmup 0", W=0)
    gs("constant_with_warmup", 10, "warmup 1", W=1, base_lr=10.0)
    gs("constant_with_warmup", 15, "warmup beyond T", W=20)
    # inverse_sqrt
    gs("inverse_sqrt", 40, "timescale defaults to W", W=10)
    gs("inverse_sqrt", 40, "warmup 0: timescale 10000", W=0)
    gs("inverse_sqrt", 40, "timescale passed via scheduler_specific_kwargs", W=5, sk={"timescale": 2})
    gs("inverse_sqrt", 40, "warmup 1", W=1, base_lr=1e-8)
    # cosine_with_min_lr
    gs("cosine_with_min_lr", 30, "min_lr_rate", W=5, N=20, sk={"min_lr_rate": 0.1})
    gs("cosine_with_min_lr", 30, "min_lr absolute", W=0, N=20, sk={"min_lr": 0.01})
    gs("cosine_with_min_lr", 30, "num_cycles 1", W=3, N=20, sk={"min_lr_rate": 0.05, "num_cycles": 1.0}, base_lr=10.0)
    # cosine_warmup_with_min_lr
    gs("cosine_warmup_with_min_lr", 30, "(t+1)/W warmup", W=5, N=20, sk={"min_lr_rate": 0.1})
    gs("cosine_warmup_with_min_lr", 30, "warmup_lr_rate", W=5, N=20, sk={"min_lr_rate": 0.1, "warmup_lr_rate": 0.2})
    gs("cosine_warmup_with_min_lr", 25, "warmup 0", W=0, N=20, sk={"min_lr": 0.001})
    gs(
        "cosine_warmup_with_min_lr",
        25,
        "warmup 1 with warmup_lr_rate",
        W=1,
        N=20,
        sk={"min_lr_rate": 0.0, "warmup_lr_rate": 0.5},
    )
    # warmup_stable_decay
    gs("warmup_stable_decay", 30, "defaults (linear warmup, cosine decay)", W=5, N=25, sk={"num_decay_steps": 10})
    gs(
        "warmup_stable_decay",
        30,
        "1-sqrt warmup, linear decay, min_lr_ratio",
        W=5,
        N=25,
        sk={"num_decay_steps": 8, "warmup_type": "1-sqrt", "decay_type": "linear", "min_lr_ratio": 0.1},
    )
    gs(
        "warmup_stable_decay",
        30,
        "cosine warmup, 1-sqrt decay",
        W=4,
        N=25,
        sk={"num_decay_steps": 6, "warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.05},
    )
    gs(
        "warmup_stable_decay",
        30,
        "num_stable_steps given, num_training_steps None",
        W=3,
        sk={"num_decay_steps": 5, "num_stable_steps": 7},
    )
    gs(
        "warmup_stable_decay",
        30,
        "num_cycles 1 in decay",
        W=0,
        N=20,
        sk={"num_decay_steps": 10, "num_cycles": 1.0},
        base_lr=10.0,
    )
    gs("warmup_stable_decay", 20, "decay 0 steps", W=2, N=10, sk={"num_decay_steps": 0, "min_lr_ratio": 0.2})
    # direct function calls
    run("get_linear_schedule_with_warmup", {"base_lr": 0.1, "num_warmup_steps": 3, "num_training_steps": 12}, 15)
    run(
        "get_cosine_schedule_with_warmup",
        {"base_lr": 0.1, "num_warmup_steps": 2, "num_training_steps": 16, "num_cycles": 0.5},
        30,
    )
    run(
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"base_lr": 0.1, "num_warmup_steps": 2, "num_training_steps": 20, "num_cycles": 2},
        25,
    )
    run(
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"base_lr": 0.1, "num_warmup_steps": 3, "num_training_steps": 20, "num_cycles": 0},
        25,
        "num_cycles 0 (adversarial test)",
    )
    run(
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"base_lr": 0.1, "num_warmup_steps": 6, "num_training_steps": 4, "num_cycles": 0},
        10,
        "num_cycles 0, W > N",
    )
    run(
        "get_polynomial_decay_schedule_with_warmup",
        {"base_lr": 0.1, "num_warmup_steps": 2, "num_training_steps": 12, "lr_end": 1e-4, "power": 3.0},
        15,
    )
    run("get_constant_schedule", {"base_lr": 0.1}, 5)
    run("get_constant_schedule_with_warmup", {"base_lr": 0.1, "num_warmup_steps": 4}, 8)
    run("get_inverse_sqrt_schedule", {"base_lr": 0.1, "num_warmup_steps": 4, "timescale": 8}, 20)
    run(
        "get_cosine_with_min_lr_schedule_with_warmup",
        {"base_lr": 0.1, "num_warmup_steps": 2, "num_training_steps": 12, "min_lr": 0.005},
        15,
    )
    run(
        "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        {"base_lr": 0.1, "num_warmup_steps": 3, "num_training_steps": 12, "min_lr_rate": 0.1, "warmup_lr_rate": 0.1},
        15,
    )
    run(
        "get_wsd_schedule",
        {"base_lr": 0.1, "num_warmup_steps": 2, "num_decay_steps": 4, "num_training_steps": 12, "decay_type": "1-sqrt"},
        15,
    )
    return out


# ----------------------------------------------------------------------------
# timm (scheduler modules loaded without timm/__init__, which needs torchvision)
# ----------------------------------------------------------------------------


def load_timm_schedulers():
    spec = importlib.util.find_spec("timm")  # does not execute timm/__init__.py
    root = os.path.dirname(spec.origin)
    for name, path in (("timm", root), ("timm.scheduler", os.path.join(root, "scheduler"))):
        if name not in sys.modules:
            pkg = types.ModuleType(name)
            pkg.__path__ = [path]
            sys.modules[name] = pkg
    mods = {}
    for m, cls in (
        ("cosine_lr", "CosineLRScheduler"),
        ("step_lr", "StepLRScheduler"),
        ("multistep_lr", "MultiStepLRScheduler"),
        ("poly_lr", "PolyLRScheduler"),
        ("tanh_lr", "TanhLRScheduler"),
        ("wsd_lr", "WSDLRScheduler"),
    ):
        try:
            mods[cls] = getattr(importlib.import_module(f"timm.scheduler.{m}"), cls)
        except (ImportError, AttributeError):
            pass
    return mods


def gen_timm():
    import logging

    logging.disable(logging.WARNING)
    ver = _ver("timm")
    classes = load_timm_schedulers()
    out = []

    def run(call, T, note=None, base_lr=0.1, **kw):
        kwargs = {"base_lr": base_lr, **kw}
        opt = make_opt(base_lr)
        ctor = dict(kw)
        for k in ("noise_range_t",):
            if isinstance(ctor.get(k), list):
                ctor[k] = tuple(ctor[k])
        noise_type = ctor.pop("noise_type", None)
        sched = classes[call](opt, t_in_epochs=False, **ctor)
        if noise_type is not None:  # only PlateauLRScheduler's constructor accepts noise_type
            sched.noise_type = noise_type
        vals, raises = torch_loop(opt, sched, T, step=lambda i: sched.step_update(i + 1))
        # what step_update(0) would have given (the constructor does not apply f(0) / noise(0))
        opt2 = make_opt(base_lr)
        s2 = classes[call](opt2, t_in_epochs=False, **ctor)
        if noise_type is not None:
            s2.noise_type = noise_type
        s2.step_update(0)
        f0 = [_f(g["lr"]) for g in opt2.param_groups]
        extra = {}
        if f0 != [v[0] for v in vals["lr"]]:
            extra["f0"] = {"lr": f0}
        out.append(record("timm", ver, "timm", call, kwargs, T, "float64", vals, note, **ended(raises), **extra))

    # Cosine
    run("CosineLRScheduler", 40, "plain, past horizon -> lr_min (cycle_limit 1)", t_initial=30)
    run(
        "CosineLRScheduler",
        60,
        "warmup overlapped (prefix False)",
        t_initial=50,
        warmup_t=10,
        warmup_lr_init=1e-4,
        lr_min=1e-3,
    )
    run(
        "CosineLRScheduler",
        70,
        "warmup prefix",
        t_initial=50,
        warmup_t=10,
        warmup_lr_init=0.0,
        lr_min=1e-3,
        warmup_prefix=True,
    )
    run("CosineLRScheduler", 20, "warmup 1", t_initial=15, warmup_t=1, warmup_lr_init=1e-6)
    run("CosineLRScheduler", 40, "warmup == t_initial", t_initial=20, warmup_t=20, warmup_lr_init=1e-5)
    run("CosineLRScheduler", 30, "warmup beyond T", t_initial=20, warmup_t=50, warmup_lr_init=0.0)
    run(
        "CosineLRScheduler", 100, "3 cycles, cycle_decay 0.5", t_initial=20, cycle_limit=3, cycle_decay=0.5, lr_min=1e-4
    )
    run("CosineLRScheduler", 160, "cycle_mul 2", t_initial=10, cycle_mul=2.0, cycle_limit=4)
    run(
        "CosineLRScheduler",
        150,
        "cycle_mul 1.5 (non-integer)",
        t_initial=10,
        cycle_mul=1.5,
        cycle_limit=5,
        cycle_decay=0.8,
        lr_min=1e-3,
    )
    run("CosineLRScheduler", 40, "k_decay 2", t_initial=30, k_decay=2.0, lr_min=1e-3)
    run("CosineLRScheduler", 40, "k_decay 0.5", t_initial=30, k_decay=0.5)
    run("CosineLRScheduler", 10, "t_initial 1", t_initial=1, cycle_limit=3)
    run("CosineLRScheduler", 30, "tiny lr", base_lr=1e-8, t_initial=20, warmup_t=5, warmup_lr_init=1e-10)
    run("CosineLRScheduler", 30, "huge lr, cycle_limit 0", base_lr=10.0, t_initial=20, cycle_limit=0, lr_min=0.5)
    run(
        "CosineLRScheduler",
        400,
        "long with prefix warmup and restarts",
        t_initial=100,
        warmup_t=20,
        warmup_prefix=True,
        warmup_lr_init=1e-5,
        cycle_limit=3,
        cycle_decay=0.5,
        lr_min=1e-5,
    )
    # Poly
    run("PolyLRScheduler", 35, "power 0.5 default", t_initial=30)
    run(
        "PolyLRScheduler",
        60,
        "power 2, warmup overlapped",
        t_initial=50,
        power=2.0,
        warmup_t=5,
        warmup_lr_init=1e-4,
        lr_min=1e-3,
    )
    run(
        "PolyLRScheduler",
        80,
        "cycles with prefix",
        t_initial=20,
        power=1.0,
        warmup_t=5,
        warmup_prefix=True,
        cycle_limit=3,
        cycle_decay=0.5,
    )
    run("PolyLRScheduler", 60, "k_decay 1.5, cycle_mul 1.5", t_initial=10, k_decay=1.5, cycle_mul=1.5, cycle_limit=3)
    # Tanh
    run("TanhLRScheduler", 35, "defaults (f(0) != base)", t_initial=30)
    run(
        "TanhLRScheduler",
        60,
        "warmup without prefix warms toward f(warmup_t)",
        t_initial=50,
        warmup_t=10,
        warmup_lr_init=1e-4,
    )
    run(
        "TanhLRScheduler",
        60,
        "warmup prefix, lb/ub",
        t_initial=40,
        warmup_t=10,
        warmup_prefix=True,
        lb=-3.0,
        ub=5.0,
        lr_min=1e-3,
    )
    run("TanhLRScheduler", 90, "cycles, cycle_mul 2", t_initial=10, cycle_mul=2.0, cycle_limit=3, cycle_decay=0.7)
    run(
        "TanhLRScheduler",
        130,
        "cycles after a prefix warmup, f(0) != base (adversarial test)",
        base_lr=1.0,
        t_initial=50,
        lb=0.0,
        ub=3.0,
        cycle_limit=2,
        warmup_t=5,
        warmup_prefix=True,
    )
    # Step
    run("StepLRScheduler", 40, None, decay_t=10, decay_rate=0.5)
    run("StepLRScheduler", 40, "warmup prefix (default)", decay_t=7, decay_rate=0.1, warmup_t=5, warmup_lr_init=1e-5)
    run(
        "StepLRScheduler",
        40,
        "warmup overlapped",
        decay_t=7,
        decay_rate=0.1,
        warmup_t=5,
        warmup_lr_init=1e-5,
        warmup_prefix=False,
    )
    run("StepLRScheduler", 25, "fractional decay_t", decay_t=2.5, decay_rate=0.9)
    run("StepLRScheduler", 20, "decay_rate 1 (default)", base_lr=10.0, decay_t=3)
    # MultiStep
    run("MultiStepLRScheduler", 40, "decays one step early (t+1)", decay_t=[10, 20, 30], decay_rate=0.1)
    run("MultiStepLRScheduler", 15, "milestone 0", decay_t=[0, 5], decay_rate=0.5)
    run("MultiStepLRScheduler", 15, "milestone 1", decay_t=[1], decay_rate=0.5)
    run("MultiStepLRScheduler", 20, "repeated milestones", decay_t=[5, 5, 10], decay_rate=0.5)
    run("MultiStepLRScheduler", 40, "warmup prefix", decay_t=[10, 20], decay_rate=0.1, warmup_t=5, warmup_lr_init=1e-4)
    run(
        "MultiStepLRScheduler",
        40,
        "warmup overlapped",
        decay_t=[10, 20],
        decay_rate=0.1,
        warmup_t=5,
        warmup_lr_init=1e-4,
        warmup_prefix=False,
    )
    # WSD
    if "WSDLRScheduler" in classes:
        run("WSDLRScheduler", 50, "defaults (1-sqrt decay)", t_initial=40, decay_t=10)
        run(
            "WSDLRScheduler",
            60,
            "warmup, linear decay, lr_min",
            t_initial=40,
            decay_t=15,
            warmup_t=10,
            warmup_lr_init=1e-4,
            decay_fn="linear",
            lr_min=1e-3,
        )
        run("WSDLRScheduler", 50, "cosine decay", t_initial=40, decay_t=20, decay_fn="cosine")
        run("WSDLRScheduler", 50, "power decay", t_initial=40, decay_t=20, decay_fn="power", decay_power=2.0)
        run("WSDLRScheduler", 50, "exp decay", t_initial=40, decay_t=20, decay_fn="exp", decay_ratio=0.05)
        run("WSDLRScheduler", 60, "rsqrt stable", t_initial=40, decay_t=10, warmup_t=5, stable_fn="rsqrt")
        run(
            "WSDLRScheduler",
            60,
            "power stable with timescale",
            t_initial=40,
            decay_t=10,
            stable_fn="power",
            stable_power=0.3,
            stable_timescale=4.0,
            lr_min=1e-3,
        )
        run("WSDLRScheduler", 30, "decay_t == t_initial", t_initial=20, decay_t=20, warmup_t=1)
        run(
            "WSDLRScheduler",
            50,
            "exp decay, lr_min >= decay_ratio * base_lr (asymptote >= 0)",
            t_initial=40,
            decay_t=20,
            decay_fn="exp",
            decay_ratio=0.2,
            lr_min=0.03,
        )
        run(
            "WSDLRScheduler",
            60,
            "power stable, lr_min 0, cosine decay",
            t_initial=40,
            decay_t=15,
            stable_fn="power",
            stable_power=0.3,
            stable_timescale=4.0,
            decay_fn="cosine",
        )
        run(
            "WSDLRScheduler",
            50,
            "rsqrt stable, power decay, decay_t == t_initial",
            t_initial=30,
            decay_t=30,
            warmup_t=4,
            warmup_lr_init=1e-3,
            stable_fn="rsqrt",
            decay_fn="power",
            decay_power=2.0,
        )
    # noise
    run(
        "CosineLRScheduler",
        60,
        "normal noise in [10, 50)",
        t_initial=50,
        noise_range_t=[10, 50],
        noise_pct=0.1,
        noise_seed=42,
    )
    run(
        "CosineLRScheduler",
        60,
        "normal noise, noise_std 0.5, from 20 on",
        t_initial=50,
        noise_range_t=20,
        noise_pct=0.3,
        noise_std=0.5,
        noise_seed=7,
    )
    run(
        "CosineLRScheduler",
        40,
        "uniform noise (noise_type set as an attribute: the constructor does not accept it)",
        t_initial=30,
        warmup_t=5,
        noise_range_t=[0, 40],
        noise_pct=0.2,
        noise_type="uniform",
        noise_seed=3,
    )
    run(
        "CosineLRScheduler",
        40,
        "noise from t=0 (the constructor value at update 0 carries no noise; see f0)",
        t_initial=30,
        noise_range_t=[0, 30],
        noise_pct=0.5,
        noise_seed=11,
    )
    run(
        "StepLRScheduler",
        40,
        "noise on step",
        decay_t=10,
        decay_rate=0.5,
        noise_range_t=[5, 35],
        noise_pct=0.67,
        noise_seed=42,
    )
    run(
        "PolyLRScheduler",
        40,
        "noise on poly with warmup",
        t_initial=30,
        warmup_t=5,
        noise_range_t=[0, 40],
        noise_pct=0.05,
        noise_seed=1,
    )
    return out


# ----------------------------------------------------------------------------
# optax
# ----------------------------------------------------------------------------


def gen_optax(x64=True):
    import jax

    jax.config.update("jax_enable_x64", bool(x64))
    import numpy as np
    import optax

    ver = _ver("optax")
    jver = _ver("jax")
    out = []

    def decode(call, kw):
        kw = dict(kw)
        if "boundaries_and_scales" in kw and kw["boundaries_and_scales"] is not None:
            kw["boundaries_and_scales"] = {int(k): v for k, v in kw["boundaries_and_scales"].items()}
        if call == "join_schedules":
            kw["schedules"] = [build(c["call"], c["kwargs"]) for c in kw["schedules"]]
        return kw

    def build(call, kw):
        return getattr(optax, call)(**decode(call, kw))

    def run(call, T, note=None, **kw):
        try:
            fn = build(call, kw)
        except (ValueError, ZeroDivisionError) as e:
            out.append(
                record(
                    "optax",
                    ver,
                    "optax",
                    call,
                    kw,
                    T,
                    "float64" if x64 else "float32",
                    {"lr": [[]]},
                    note,
                    **ended(refused(e)),
                    jax_version=jver,
                )
            )
            return
        vals, dtypes = [], set()
        for i in range(T):
            v = fn(i)  # count as a Python int (the optimizer's int32 count can demote some schedules to float32)
            dtypes.add(str(np.asarray(v).dtype))
            vals.append(_f(v))
        _check_finite(vals)
        dt = "float64" if dtypes <= {"float64"} else ("float32" if dtypes <= {"float32"} else "+".join(sorted(dtypes)))
        out.append(
            record(
                "optax", ver, "optax", call, kw, T, dt, {"lr": [vals]}, note, jax_version=jver, jax_enable_x64=bool(x64)
            )
        )

    if not x64:
        # a small float32 sample of the default (x64 off) behaviour
        run("cosine_decay_schedule", 30, "float32 default", init_value=0.1, decay_steps=20, alpha=0.01)
        run(
            "warmup_cosine_decay_schedule",
            40,
            "float32 default",
            init_value=0.0,
            peak_value=0.1,
            warmup_steps=5,
            decay_steps=30,
            end_value=1e-4,
        )
        run("linear_onecycle_schedule", 40, "float32 default", transition_steps=30, peak_value=0.1)
        run("exponential_decay", 30, "float32 default", init_value=0.1, transition_steps=5, decay_rate=0.5)
        run(
            "piecewise_constant_schedule",
            20,
            "float32 default",
            init_value=0.1,
            boundaries_and_scales={"5": 0.1, "10": 0.5},
        )
        return out

    run("constant_schedule", 5, None, value=0.1)
    run("constant_schedule", 5, "huge", value=10.0)
    # linear
    run("linear_schedule", 15, "held after transition", init_value=0.0, end_value=0.1, transition_steps=10)
    run(
        "linear_schedule",
        25,
        "transition_begin",
        init_value=0.1,
        end_value=0.001,
        transition_steps=10,
        transition_begin=5,
    )
    run("linear_schedule", 5, "transition_steps 0 -> constant init", init_value=0.1, end_value=0.5, transition_steps=0)
    run("linear_schedule", 8, "transition_steps 1", init_value=1e-8, end_value=10.0, transition_steps=1)
    # polynomial
    run("polynomial_schedule", 25, "power 2", init_value=0.1, end_value=0.0, power=2.0, transition_steps=20)
    run(
        "polynomial_schedule",
        25,
        "power 0.5 with begin",
        init_value=0.1,
        end_value=0.01,
        power=0.5,
        transition_steps=15,
        transition_begin=5,
    )
    run(
        "polynomial_schedule",
        10,
        "negative begin -> 0",
        init_value=10.0,
        end_value=1.0,
        power=3.0,
        transition_steps=5,
        transition_begin=-3,
    )
    # cosine
    run("cosine_decay_schedule", 30, "clamped past decay_steps", init_value=0.1, decay_steps=20)
    run("cosine_decay_schedule", 30, "alpha and exponent", init_value=0.1, decay_steps=20, alpha=0.1, exponent=2.0)
    run("cosine_decay_schedule", 5, "decay_steps 1", init_value=1e-8, decay_steps=1)
    run("cosine_decay_schedule", 5, "decay_steps 0 raises", init_value=0.1, decay_steps=0)
    # warmup cosine
    run(
        "warmup_cosine_decay_schedule",
        40,
        "decay_steps includes warmup",
        init_value=0.0,
        peak_value=0.1,
        warmup_steps=5,
        decay_steps=30,
        end_value=1e-4,
    )
    run("warmup_cosine_decay_schedule", 30, "warmup 0", init_value=0.0, peak_value=0.1, warmup_steps=0, decay_steps=20)
    run(
        "warmup_cosine_decay_schedule",
        30,
        "warmup 1, exponent",
        init_value=0.01,
        peak_value=10.0,
        warmup_steps=1,
        decay_steps=20,
        end_value=0.1,
        exponent=0.5,
    )
    run(
        "warmup_cosine_decay_schedule",
        20,
        "warmup == decay_steps raises",
        init_value=0.0,
        peak_value=0.1,
        warmup_steps=10,
        decay_steps=10,
    )
    run(
        "warmup_cosine_decay_schedule",
        20,
        "peak 0",
        init_value=0.0,
        peak_value=0.0,
        warmup_steps=3,
        decay_steps=10,
        end_value=0.0,
    )
    run("warmup_constant_schedule", 15, None, init_value=0.0, peak_value=0.1, warmup_steps=10)
    run("warmup_constant_schedule", 5, "warmup 0", init_value=0.5, peak_value=0.1, warmup_steps=0)
    # exponential
    run("exponential_decay", 30, None, init_value=0.1, transition_steps=5, decay_rate=0.5)
    run(
        "exponential_decay",
        30,
        "staircase + begin",
        init_value=0.1,
        transition_steps=5,
        decay_rate=0.5,
        transition_begin=3,
        staircase=True,
    )
    run("exponential_decay", 30, "end_value clip", init_value=0.1, transition_steps=2, decay_rate=0.5, end_value=0.01)
    run(
        "exponential_decay",
        30,
        "growth clipped by end_value",
        init_value=0.01,
        transition_steps=3,
        decay_rate=2.0,
        end_value=1.0,
    )
    run("exponential_decay", 5, "decay_rate 0 -> constant", init_value=0.1, transition_steps=5, decay_rate=0.0)
    run("exponential_decay", 5, "transition_steps 0 -> constant", init_value=1e-8, transition_steps=0, decay_rate=0.5)
    run(
        "warmup_exponential_decay_schedule",
        40,
        None,
        init_value=0.0,
        peak_value=0.1,
        warmup_steps=5,
        transition_steps=5,
        decay_rate=0.5,
    )
    run(
        "warmup_exponential_decay_schedule",
        40,
        "staircase, begin, end_value",
        init_value=1e-4,
        peak_value=10.0,
        warmup_steps=3,
        transition_steps=4,
        decay_rate=0.7,
        transition_begin=5,
        staircase=True,
        end_value=0.5,
    )
    run(
        "warmup_exponential_decay_schedule",
        20,
        "warmup 0",
        init_value=0.0,
        peak_value=0.1,
        warmup_steps=0,
        transition_steps=5,
        decay_rate=0.9,
    )
    # piecewise constant
    run("piecewise_constant_schedule", 30, "switch at b", init_value=0.1, boundaries_and_scales={"10": 0.1, "20": 0.1})
    run("piecewise_constant_schedule", 10, "boundary 0", init_value=0.1, boundaries_and_scales={"0": 0.5, "3": 2.0})
    run("piecewise_constant_schedule", 10, "no boundaries", init_value=0.1, boundaries_and_scales=None)
    run("piecewise_constant_schedule", 10, "scale 0", init_value=10.0, boundaries_and_scales={"4": 0.0})
    # piecewise interpolate
    run(
        "piecewise_interpolate_schedule",
        30,
        "linear",
        interpolate_type="linear",
        init_value=0.1,
        boundaries_and_scales={"5": 0.5, "15": 0.1, "20": 1.0},
    )
    run(
        "piecewise_interpolate_schedule",
        30,
        "cosine",
        interpolate_type="cosine",
        init_value=0.1,
        boundaries_and_scales={"10": 0.1, "20": 10.0},
    )
    run(
        "piecewise_interpolate_schedule",
        10,
        "boundary 0 (jump at 0)",
        interpolate_type="linear",
        init_value=1.0,
        boundaries_and_scales={"0": 0.5, "4": 0.5},
    )
    run(
        "piecewise_interpolate_schedule",
        5,
        "no boundaries",
        interpolate_type="cosine",
        init_value=0.1,
        boundaries_and_scales=None,
    )
    # onecycle
    run("linear_onecycle_schedule", 110, "held after N", transition_steps=100, peak_value=0.1)
    run(
        "linear_onecycle_schedule",
        30,
        "odd N, custom pcts",
        transition_steps=23,
        peak_value=10.0,
        pct_start=0.25,
        pct_final=0.6,
        div_factor=10.0,
        final_div_factor=100.0,
    )
    run("cosine_onecycle_schedule", 110, None, transition_steps=100, peak_value=0.1)
    run(
        "cosine_onecycle_schedule",
        15,
        "pct_start*N < 1 (boundary 0)",
        transition_steps=10,
        peak_value=1e-8,
        pct_start=0.05,
    )
    # sgdr
    run(
        "sgdr_schedule",
        70,
        "three cycles of different shape",
        cosine_kwargs=[
            {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 5, "decay_steps": 20},
            {"init_value": 0.0, "peak_value": 0.05, "warmup_steps": 2, "decay_steps": 15, "end_value": 0.001},
            {"init_value": 0.01, "peak_value": 0.02, "warmup_steps": 0, "decay_steps": 25, "exponent": 2.0},
        ],
    )
    run(
        "sgdr_schedule",
        40,
        "equal cycles, past the last",
        cosine_kwargs=[{"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 1, "decay_steps": 10}] * 3,
    )
    # join
    run(
        "join_schedules",
        40,
        "warmup + cosine in local time",
        schedules=[
            C("linear_schedule", init_value=0.0, end_value=0.1, transition_steps=5),
            C("cosine_decay_schedule", init_value=0.1, decay_steps=25, alpha=0.01),
        ],
        boundaries=[5],
    )
    run(
        "join_schedules",
        40,
        "three pieces, boundary 0",
        schedules=[
            C("constant_schedule", value=0.5),
            C("exponential_decay", init_value=0.1, transition_steps=3, decay_rate=0.5),
            C("constant_schedule", value=0.001),
        ],
        boundaries=[0, 20],
    )
    run(
        "join_schedules",
        30,
        "repeated boundary",
        schedules=[
            C("constant_schedule", value=0.1),
            C("constant_schedule", value=0.2),
            C("linear_schedule", init_value=0.3, end_value=0.0, transition_steps=10),
        ],
        boundaries=[10, 10],
    )
    run(
        "join_schedules",
        40,
        "nested join",
        schedules=[
            C(
                "join_schedules",
                schedules=[C("constant_schedule", value=0.01), C("constant_schedule", value=0.1)],
                boundaries=[3],
            ),
            C("cosine_decay_schedule", init_value=0.1, decay_steps=20),
        ],
        boundaries=[8],
    )
    return out


# ----------------------------------------------------------------------------
# keras 3
# ----------------------------------------------------------------------------


def gen_keras(floatx="float32"):
    if floatx == "float64":
        import jax

        jax.config.update("jax_enable_x64", True)
    import keras
    import numpy as np

    keras.config.set_floatx(floatx)
    S = keras.optimizers.schedules
    ver = _ver("keras")
    backend = keras.backend.backend()
    out = []

    def run(call, T, note=None, **kw):
        sched = getattr(S, call)(**kw)
        vals, dtypes = [], set()
        for i in range(T):
            v = sched(i)
            dtypes.add(str(np.asarray(v).dtype))
            vals.append(_f(v))
        _check_finite(vals)
        dt = dtypes.pop() if len(dtypes) == 1 else "+".join(sorted(dtypes))
        out.append(record("keras", ver, "keras", call, kw, T, dt, {"lr": [vals]}, note, backend=backend, floatx=floatx))

    run("ExponentialDecay", 30, None, initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5)
    run("ExponentialDecay", 30, "staircase", initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5, staircase=True)
    run("ExponentialDecay", 30, "growth, huge", initial_learning_rate=10.0, decay_steps=3, decay_rate=1.1)
    run("ExponentialDecay", 30, "tiny", initial_learning_rate=1e-8, decay_steps=1, decay_rate=0.9, staircase=True)
    run(
        "PiecewiseConstantDecay",
        30,
        "boundary belongs to earlier piece",
        boundaries=[10, 20],
        values=[0.1, 0.01, 0.001],
    )
    run("PiecewiseConstantDecay", 10, "boundary 0", boundaries=[0, 4], values=[1.0, 0.5, 0.25])
    run("PiecewiseConstantDecay", 15, "single boundary, increasing values", boundaries=[5], values=[1e-8, 10.0])
    run("PolynomialDecay", 25, "defaults (end 1e-4), held", initial_learning_rate=0.1, decay_steps=20)
    run("PolynomialDecay", 25, "power 2", initial_learning_rate=0.1, decay_steps=20, end_learning_rate=0.0, power=2.0)
    run(
        "PolynomialDecay",
        50,
        "cycle=True",
        initial_learning_rate=0.1,
        decay_steps=10,
        end_learning_rate=0.001,
        power=1.0,
        cycle=True,
    )
    run(
        "PolynomialDecay",
        50,
        "cycle=True power 0.5",
        initial_learning_rate=10.0,
        decay_steps=7,
        end_learning_rate=0.1,
        power=0.5,
        cycle=True,
    )
    run("PolynomialDecay", 20, "end > initial", initial_learning_rate=0.001, decay_steps=10, end_learning_rate=0.1)
    run("InverseTimeDecay", 30, None, initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5)
    run("InverseTimeDecay", 30, "staircase", initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5, staircase=True)
    run("InverseTimeDecay", 30, "huge", initial_learning_rate=10.0, decay_steps=1, decay_rate=2.0)
    run("CosineDecay", 30, "clamped past decay_steps", initial_learning_rate=0.1, decay_steps=20)
    run("CosineDecay", 30, "alpha", initial_learning_rate=0.1, decay_steps=20, alpha=0.1)
    run(
        "CosineDecay",
        40,
        "warmup (decay_steps excludes warmup)",
        initial_learning_rate=0.0,
        decay_steps=25,
        warmup_target=0.1,
        warmup_steps=10,
    )
    run(
        "CosineDecay",
        30,
        "warmup 0 with target",
        initial_learning_rate=0.0,
        decay_steps=20,
        warmup_target=0.1,
        warmup_steps=0,
    )
    run(
        "CosineDecay",
        30,
        "warmup 1, alpha",
        initial_learning_rate=1e-8,
        decay_steps=20,
        alpha=0.05,
        warmup_target=10.0,
        warmup_steps=1,
    )
    run(
        "CosineDecay",
        30,
        "warmup beyond T",
        initial_learning_rate=0.0,
        decay_steps=20,
        warmup_target=0.1,
        warmup_steps=50,
    )
    run("CosineDecayRestarts", 80, "defaults t_mul 2", initial_learning_rate=0.1, first_decay_steps=5)
    run(
        "CosineDecayRestarts",
        40,
        "t_mul 1, m_mul 0.5, alpha",
        initial_learning_rate=0.1,
        first_decay_steps=10,
        t_mul=1.0,
        m_mul=0.5,
        alpha=0.1,
    )
    run(
        "CosineDecayRestarts",
        120,
        "t_mul 1.5 (non-integer)",
        initial_learning_rate=10.0,
        first_decay_steps=6,
        t_mul=1.5,
        m_mul=0.8,
    )
    run("CosineDecayRestarts", 20, "first_decay_steps 1", initial_learning_rate=1e-8, first_decay_steps=1, t_mul=2.0)
    return out


# ----------------------------------------------------------------------------
# fvcore + detectron2 (composed from fvcore objects exactly as detectron2 does)
# ----------------------------------------------------------------------------


def gen_fvcore():
    import fvcore.common.param_scheduler as P
    import torch

    ver = _ver("fvcore")
    out = []

    def build(call, kw):
        kw = copy.deepcopy(kw)
        if call == "CompositeParamScheduler":
            kw["schedulers"] = [build(c["call"], c["kwargs"]) for c in kw["schedulers"]]
        if call == "WarmupParamScheduler":
            return d2_warmup(
                build(kw["scheduler"]["call"], kw["scheduler"]["kwargs"]),
                kw["warmup_factor"],
                kw["warmup_length"],
                kw.get("warmup_method", "linear"),
                kw.get("rescale_interval", False),
            )
        return getattr(P, call)(**kw)

    # --- detectron2/solver/lr_scheduler.py WarmupParamScheduler, transcribed
    def d2_warmup(scheduler, warmup_factor, warmup_length, warmup_method="linear", rescale_interval=False):
        end_value = scheduler(0.0) if rescale_interval else scheduler(warmup_length)
        start_value = warmup_factor * scheduler(0.0)
        if warmup_method == "constant":
            warmup = P.ConstantParamScheduler(start_value)
        elif warmup_method == "linear":
            warmup = P.LinearParamScheduler(start_value, end_value)
        else:
            raise ValueError("Unknown warmup method: {}".format(warmup_method))
        return P.CompositeParamScheduler(
            [warmup, scheduler],
            interval_scaling=["rescaled", "rescaled" if rescale_interval else "fixed"],
            lengths=[warmup_length, 1 - warmup_length],
        )

    # --- detectron2 LRMultiplier, transcribed
    class LRMultiplier(torch.optim.lr_scheduler.LRScheduler):
        def __init__(self, optimizer, multiplier, max_iter, last_iter=-1):
            self._multiplier = multiplier
            self._max_iter = max_iter
            super().__init__(optimizer, last_epoch=last_iter)

        def get_lr(self):
            multiplier = self._multiplier(self.last_epoch / self._max_iter)
            return [base_lr * multiplier for base_lr in self.base_lrs]

    def run(call, T, note=None, **kw):
        N = kw["total_steps"]
        ctor = {k: v for k, v in kw.items() if k != "total_steps"}
        src = "fvcore-composed-as-detectron2" if call == "WarmupParamScheduler" else None
        vals, raises = [], None
        try:
            sched = build(call, ctor)
        except (ValueError, RuntimeError) as e:
            raises = refused(e)
        else:
            for i in range(T):
                try:
                    vals.append(_f(sched(i / N)))
                except (RuntimeError, ValueError, IndexError, ZeroDivisionError) as e:
                    raises = (i, f"{type(e).__name__}: {e}")
                    break
            _check_finite(vals)
        out.append(
            record("fvcore", ver, "fvcore", call, kw, T, "float64", {"lr": [vals]}, note, source=src, **ended(raises))
        )

    run("ConstantParamScheduler", 11, "raises at where >= 1", value=0.1, total_steps=10)
    run(
        "CosineParamScheduler",
        25,
        "where > 1 keeps following the cosine",
        start_value=0.1,
        end_value=0.001,
        total_steps=20,
    )
    run("CosineParamScheduler", 20, "cosine warmup (start < end)", start_value=1e-8, end_value=10.0, total_steps=20)
    run("ExponentialParamScheduler", 21, None, start_value=0.1, decay=0.01, total_steps=20)
    run("LinearParamScheduler", 21, None, start_value=0.0, end_value=0.1, total_steps=20)
    run("LinearParamScheduler", 12, "decreasing, where > 1 extrapolates", start_value=0.1, end_value=0.0, total_steps=8)
    run("PolynomialDecayParamScheduler", 21, "power 2", base_value=0.1, power=2.0, total_steps=20)
    run("PolynomialDecayParamScheduler", 21, "power 0.5", base_value=10.0, power=0.5, total_steps=20)
    run(
        "StepParamScheduler",
        21,
        "equal segments; where == 1 indexes past the list",
        num_updates=20,
        values=[0.1, 0.01, 0.001],
        total_steps=20,
    )
    run(
        "StepParamScheduler",
        30,
        "num_updates differs from total_steps (only validated)",
        num_updates=7,
        values=[1.0, 0.5, 0.25, 0.125],
        total_steps=30,
    )
    run(
        "MultiStepParamScheduler",
        32,
        "raises at where > 1",
        values=[0.1, 0.01, 0.001],
        milestones=[10, 20],
        num_updates=30,
        total_steps=30,
    )
    run(
        "MultiStepParamScheduler",
        30,
        "default equispaced milestones",
        values=[1.0, 0.1, 0.01],
        num_updates=25,
        total_steps=30,
    )
    run(
        "MultiStepParamScheduler",
        30,
        "num_updates None: last milestone is num_updates",
        values=[1.0, 0.1, 0.01],
        milestones=[5, 12, 30],
        total_steps=30,
    )
    run(
        "MultiStepParamScheduler",
        30,
        "num_updates != total_steps",
        values=[0.1, 0.05],
        milestones=[3],
        num_updates=10,
        total_steps=30,
    )
    run(
        "MultiStepParamScheduler",
        20,
        "milestone 0 rejected",
        values=[0.1, 0.01],
        milestones=[0],
        num_updates=20,
        total_steps=20,
    )
    run(
        "StepWithFixedGammaParamScheduler",
        31,
        None,
        base_value=0.1,
        num_decays=3,
        gamma=0.1,
        num_updates=30,
        total_steps=30,
    )
    run(
        "StepWithFixedGammaParamScheduler",
        17,
        "7 values over 17 steps",
        base_value=10.0,
        num_decays=6,
        gamma=0.5,
        num_updates=17,
        total_steps=17,
    )
    # Composite
    run(
        "CompositeParamScheduler",
        40,
        "warmup + cosine, rescaled",
        schedulers=[
            C("LinearParamScheduler", start_value=0.001, end_value=0.1),
            C("CosineParamScheduler", start_value=0.1, end_value=0.0),
        ],
        lengths=[0.25, 0.75],
        interval_scaling=["rescaled", "rescaled"],
        total_steps=40,
    )
    run(
        "CompositeParamScheduler",
        40,
        "fixed interval for the second",
        schedulers=[C("ConstantParamScheduler", value=0.01), C("CosineParamScheduler", start_value=0.1, end_value=0.0)],
        lengths=[0.1, 0.9],
        interval_scaling=["rescaled", "fixed"],
        total_steps=40,
    )
    run(
        "CompositeParamScheduler",
        33,
        "three pieces, lengths adjusted, where >= 1 on last",
        schedulers=[
            C("LinearParamScheduler", start_value=0.0, end_value=1.0),
            C("ConstantParamScheduler", value=1.0),
            C("ExponentialParamScheduler", start_value=1.0, decay=0.01),
        ],
        lengths=[0.2, 0.3, 0.4995],
        interval_scaling=["rescaled", "fixed", "rescaled"],
        total_steps=30,
    )
    run(
        "CompositeParamScheduler",
        25,
        "step child rescaled",
        schedulers=[
            C("StepParamScheduler", num_updates=10, values=[0.5, 1.0]),
            C("MultiStepParamScheduler", values=[1.0, 0.1], milestones=[5], num_updates=10),
        ],
        lengths=[0.2, 0.8],
        interval_scaling=["rescaled", "rescaled"],
        total_steps=25,
    )
    # detectron2 WarmupParamScheduler (value = multiplier, no base_lr)
    run(
        "WarmupParamScheduler",
        41,
        "default (linear, fixed)",
        scheduler=C("CosineParamScheduler", start_value=1.0, end_value=0.0),
        warmup_factor=0.001,
        warmup_length=0.1,
        warmup_method="linear",
        rescale_interval=False,
        total_steps=40,
    )
    run(
        "WarmupParamScheduler",
        40,
        "constant warmup",
        scheduler=C("MultiStepParamScheduler", values=[1.0, 0.1, 0.01], milestones=[20, 30], num_updates=40),
        warmup_factor=0.1,
        warmup_length=0.125,
        warmup_method="constant",
        rescale_interval=False,
        total_steps=40,
    )
    run(
        "WarmupParamScheduler",
        41,
        "rescale_interval",
        scheduler=C("CosineParamScheduler", start_value=1.0, end_value=0.01),
        warmup_factor=0.01,
        warmup_length=0.25,
        warmup_method="linear",
        rescale_interval=True,
        total_steps=40,
    )
    run(
        "WarmupParamScheduler",
        20,
        "warmup_length 0",
        scheduler=C("LinearParamScheduler", start_value=1.0, end_value=0.0),
        warmup_factor=0.5,
        warmup_length=0.0,
        total_steps=20,
    )
    run(
        "WarmupParamScheduler",
        21,
        "warmup_length 1 (whole run)",
        scheduler=C("CosineParamScheduler", start_value=1.0, end_value=0.0),
        warmup_factor=0.001,
        warmup_length=1.0,
        total_steps=20,
    )

    # --- detectron2 build_lr_scheduler, the three named LR schedules, run through LRMultiplier in a torch loop
    d2ver = f"fvcore {ver} + detectron2 build_lr_scheduler/LRMultiplier (transcribed)"

    def d2_named(name, T, note=None, **kw):
        max_iter = kw["total_steps"]
        base_lr = kw["base_lr"]
        gamma = kw.get("gamma", 0.1)
        wf = kw.get("warmup_factor", 0.001)
        wi = kw.get("warmup_iters", 1000)
        wm = kw.get("warmup_method", "linear")
        ri = kw.get("rescale_interval", False)
        try:
            if name == "WarmupMultiStepLR":
                steps = [x for x in kw["steps"] if x <= max_iter]
                sched = P.MultiStepParamScheduler(
                    values=[gamma**k for k in range(len(steps) + 1)], milestones=steps, num_updates=max_iter
                )
            elif name == "WarmupCosineLR":
                end_value = kw.get("base_lr_end", 0.0) / base_lr
                assert 0.0 <= end_value <= 1.0, end_value
                sched = P.CosineParamScheduler(1, end_value)
            elif name == "WarmupStepWithFixedGammaLR":
                sched = P.StepWithFixedGammaParamScheduler(
                    base_value=1.0, gamma=gamma, num_decays=kw.get("num_decays", 3), num_updates=max_iter
                )
            sched = d2_warmup(sched, wf, min(wi / max_iter, 1.0), wm, ri)
            opt = make_opt(base_lr)
            lr_sched = LRMultiplier(opt, multiplier=sched, max_iter=max_iter)
        except (ValueError, RuntimeError) as e:
            vals, raises = {"lr": [[]]}, refused(e)
        else:
            vals, raises = torch_loop(opt, lr_sched, T)
        src = "fvcore-composed-as-detectron2"
        out.append(record("fvcore", d2ver, "fvcore", name, kw, T, "float64", vals, note, source=src, **ended(raises)))

    d2_named(
        "WarmupMultiStepLR",
        62,
        "raises past max_iter+1",
        base_lr=0.02,
        steps=[30, 45],
        gamma=0.1,
        warmup_factor=0.001,
        warmup_iters=10,
        warmup_method="linear",
        rescale_interval=False,
        total_steps=60,
    )
    d2_named(
        "WarmupMultiStepLR",
        40,
        "steps beyond max_iter dropped; constant warmup",
        base_lr=0.01,
        steps=[20, 100],
        gamma=0.5,
        warmup_factor=0.1,
        warmup_iters=5,
        warmup_method="constant",
        total_steps=40,
    )
    d2_named("WarmupMultiStepLR", 40, "warmup_iters 0", base_lr=1e-8, steps=[10], warmup_iters=0, total_steps=40)
    d2_named(
        "WarmupMultiStepLR",
        40,
        "warmup longer than max_iter",
        base_lr=0.1,
        steps=[10],
        warmup_iters=100,
        total_steps=40,
    )
    d2_named(
        "WarmupMultiStepLR",
        30,
        "milestone == max_iter rejected",
        base_lr=0.1,
        steps=[30],
        warmup_iters=3,
        total_steps=30,
    )
    d2_named(
        "WarmupMultiStepLR",
        40,
        "rescale_interval",
        base_lr=0.02,
        steps=[20, 30],
        warmup_iters=8,
        rescale_interval=True,
        total_steps=40,
    )
    d2_named(
        "WarmupCosineLR", 51, None, base_lr=0.1, base_lr_end=0.0, warmup_factor=0.001, warmup_iters=10, total_steps=50
    )
    d2_named(
        "WarmupCosineLR",
        50,
        "base_lr_end, rescale",
        base_lr=10.0,
        base_lr_end=0.5,
        warmup_factor=0.01,
        warmup_iters=10,
        rescale_interval=True,
        total_steps=50,
    )
    d2_named("WarmupCosineLR", 30, "warmup 1", base_lr=0.1, base_lr_end=0.001, warmup_iters=1, total_steps=30)
    d2_named(
        "WarmupStepWithFixedGammaLR", 40, None, base_lr=0.1, gamma=0.5, num_decays=3, warmup_iters=5, total_steps=40
    )
    d2_named(
        "WarmupStepWithFixedGammaLR",
        23,
        "constant warmup, 5 decays",
        base_lr=0.1,
        gamma=0.1,
        num_decays=5,
        warmup_factor=0.2,
        warmup_iters=4,
        warmup_method="constant",
        total_steps=23,
    )
    return out


# ----------------------------------------------------------------------------
# pytorch_warmup
# ----------------------------------------------------------------------------


def gen_pytorch_warmup():
    import pytorch_warmup as PW

    ver = _ver("pytorch-warmup")
    out = []

    def run(call, T, main, note=None, **kw):
        kwargs = {"main_schedule": main, **kw}
        ctor = dict(kw)
        beta2 = ctor.pop("beta2", None)
        base_lr = ctor.pop("base_lr", None)
        delayed = ctor.pop("delayed", False)  # the README's delayed LR scheduler
        if main is not None:
            base_lr = torch_base_lr(main)
        keys = ("lr",)
        if main is not None and main["call"] in OWN_LR and main["kwargs"].get("cycle_momentum", True):
            keys = ("lr", "momentum")  # SGD with momentum: OneCycleLR/CyclicLR cycle it
            opt = make_opt(base_lr, momentum=0.9)
        else:
            opt = make_opt(base_lr, adam_beta2=beta2 if beta2 is not None else 0.999)
        lr_sched = build_torch(main, opt) if main is not None else None
        try:
            w = getattr(PW, call)(opt, **ctor)
        except ValueError as e:
            vals, raises = {"lr": [[]]}, (0, f"ValueError: {e}")
        else:
            period = ctor.get("warmup_period")

            def step(_i):
                iteration = w.last_step + 1
                with w.dampening():
                    if lr_sched is not None and (not delayed or iteration >= period):
                        lr_sched.step()

            vals, raises = torch_loop(opt, lr_sched, T, keys=keys, step=step)
        pw = "pytorch_warmup"
        out.append(record(pw, ver, pw, call, kwargs, T, "float64", vals, note, **ended(raises)))

    const = C("ExponentialLR", base_lr=0.1, gamma=1.0)
    run("LinearWarmup", 20, const, "constant main schedule", warmup_period=10)
    # issue 15: a ScheduleSet main schedule (OneCycleLR with momentum: only the lr is dampened)
    onecycle = C("OneCycleLR", max_lr=0.1, total_steps=40, base_momentum=0.85, max_momentum=0.95)
    run("LinearWarmup", 40, onecycle, "OneCycleLR with momentum", warmup_period=8)
    run("ExponentialWarmup", 40, onecycle, "OneCycleLR with momentum, exponential", warmup_period=5)
    # the README's delayed form: the LR scheduler steps only once the warmup is over
    cos = C("CosineAnnealingLR", base_lr=0.1, T_max=30, eta_min=0.001)
    run("LinearWarmup", 50, cos, "delayed LR scheduler (README)", warmup_period=10, delayed=True)
    run("ExponentialWarmup", 60, cos, "delayed LR scheduler, exponential", warmup_period=6, delayed=True)
    run(
        "LinearWarmup",
        40,
        C("CosineAnnealingWarmRestarts", base_lr=0.1, T_0=5, T_mult=2),
        "delayed warm restarts",
        warmup_period=7,
        delayed=True,
    )
    run("LinearWarmup", 45, onecycle, "delayed OneCycleLR with momentum", warmup_period=6, delayed=True)
    run(
        "LinearWarmup",
        60,
        C("CosineAnnealingLR", base_lr=0.1, T_max=50, eta_min=0.0),
        "dampens cosine",
        warmup_period=15,
    )
    run("LinearWarmup", 30, C("StepLR", base_lr=10.0, step_size=5, gamma=0.5), "warmup 1", warmup_period=1)
    run(
        "LinearWarmup",
        30,
        C("LinearLR", base_lr=1e-8, start_factor=1.0, end_factor=0.0, total_iters=20),
        "warmup beyond T",
        warmup_period=50,
    )
    run("LinearWarmup", 20, None, "no main schedule (dampening with pass)", base_lr=0.1, warmup_period=8)
    run("ExponentialWarmup", 40, const, None, warmup_period=10)
    run(
        "ExponentialWarmup",
        60,
        C("CosineAnnealingLR", base_lr=0.1, T_max=40, eta_min=0.001),
        "cosine past T_max",
        warmup_period=5,
    )
    run("ExponentialWarmup", 10, C("ExponentialLR", base_lr=10.0, gamma=0.9), "period 1", warmup_period=1)
    run("UntunedLinearWarmup", 60, const, "beta2 0.95 -> period int(2/(1-0.95)) = 39 (float rounding)", beta2=0.95)
    run(
        "UntunedLinearWarmup",
        250,
        C("CosineAnnealingLR", base_lr=0.001, T_max=200, eta_min=0.0),
        "beta2 0.99 -> period 199",
        beta2=0.99,
    )
    run("UntunedLinearWarmup", 120, const, "beta2 0.98 -> period int(2/(1-0.98)) = 99", beta2=0.98)
    run(
        "UntunedLinearWarmup",
        40,
        C("StepLR", base_lr=0.1, step_size=10, gamma=0.5),
        "beta2 0.9 -> period 20",
        beta2=0.9,
    )
    run("UntunedLinearWarmup", 400, const, "beta2 0.999 -> period 1999 (not 2000)", beta2=0.999)
    run("UntunedExponentialWarmup", 100, const, "beta2 0.95 -> period int(1/(1-0.95)) = 19", beta2=0.95)
    run("UntunedExponentialWarmup", 150, const, "beta2 0.98 -> period 49", beta2=0.98)
    run(
        "UntunedExponentialWarmup",
        400,
        C("CosineAnnealingLR", base_lr=0.001, T_max=300, eta_min=1e-5),
        "beta2 0.99 -> period 99",
        beta2=0.99,
    )
    run("RAdamWarmup", 60, const, "beta2 0.9", beta2=0.9)
    run("RAdamWarmup", 400, const, "beta2 0.999", beta2=0.999)
    run(
        "RAdamWarmup",
        200,
        C("CosineAnnealingLR", base_lr=0.01, T_max=150, eta_min=0.0),
        "beta2 0.99 with cosine",
        beta2=0.99,
    )
    run("RAdamWarmup", 30, const, "beta2 0.7", beta2=0.7)
    run("RAdamWarmup", 10, None, "beta2 0.6 rejected at construction", base_lr=0.1, beta2=0.6)
    run(
        "LinearWarmup",
        40,
        C("OneCycleLR", max_lr=0.1, total_steps=40, cycle_momentum=False),
        "on top of OneCycle",
        warmup_period=10,
    )
    run(
        "LinearWarmup",
        30,
        C(
            "SequentialLR",
            schedulers=[
                C("ConstantLR", base_lr=0.1, factor=0.5, total_iters=5),
                C("ExponentialLR", base_lr=0.1, gamma=0.9),
            ],
            milestones=[5],
        ),
        "on top of SequentialLR",
        warmup_period=8,
    )
    return out


# ----------------------------------------------------------------------------
# seeds (transcribed faithfully; torch-based ones run under real torch)
# ----------------------------------------------------------------------------


def gen_seeds():
    import torch

    # the seed recipes as the tests transcribe them (one transcription, run by both)
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))  # the repository root
    from tests import seed_reference as ref

    out = []
    tver = torch.__version__

    def add(peer, version, call, kwargs, T, dtype, values, note=None, source=None, **extra):
        out.append(record(peer, version, peer, call, kwargs, T, dtype, values, note, source=source, **extra))

    # ---------------- seed 000: FCN create_lr_scheduler (WZMIAOMIAO) + torchvision warmup_lr_scheduler
    def create_lr_scheduler(optimizer, **kw):
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=ref.fcn_lambda(**kw))

    def warmup_lr_scheduler(optimizer, **kw):
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=ref.torchvision_warmup_lambda(**kw))

    def lambda_loop(opt, build, T):
        """torch loop that stops where the lambda turns complex (negative base ** 0.9)."""
        try:
            sched = build(opt)
        except ZeroDivisionError as e:
            return {"lr": [[]]}, (0, f"ZeroDivisionError: {e}"), None
        vals = [[] for _ in opt.param_groups]
        raises, cplx = None, None
        for i in range(T):
            lrs = [g["lr"] for g in opt.param_groups]
            if any(isinstance(v, complex) for v in lrs):
                cplx = i
                break
            for g, v in enumerate(lrs):
                vals[g].append(_f(v))
            if i == T - 1:
                break
            opt.step()
            try:
                sched.step()
            except ZeroDivisionError as e:
                raises = (i + 1, f"ZeroDivisionError: {e}")
                break
        return {"lr": vals}, raises, cplx

    fcn_src = "seed 000 (WZMIAOMIAO deep-learning-for-image-processing fcn train_utils.create_lr_scheduler), LambdaLR stepped per iteration"
    for kw, T, note in [
        (
            dict(base_lr=1e-4, num_step=10, epochs=5, warmup=True, warmup_epochs=1, warmup_factor=1e-3),
            51,
            "x == total gives 0",
        ),
        (
            dict(base_lr=1e-4, num_step=10, epochs=5, warmup=True, warmup_epochs=1, warmup_factor=1e-3),
            55,
            "past the horizon the lambda turns complex",
        ),
        (
            dict(base_lr=0.01, num_step=7, epochs=6, warmup=False, warmup_epochs=1, warmup_factor=1e-3),
            43,
            "warmup=False",
        ),
        (
            dict(base_lr=10.0, num_step=5, epochs=10, warmup=True, warmup_epochs=3, warmup_factor=0.1),
            51,
            "3 warmup epochs",
        ),
        (dict(base_lr=1e-8, num_step=1, epochs=30, warmup=True, warmup_epochs=1, warmup_factor=0.5), 31, "num_step 1"),
        (
            dict(base_lr=0.1, num_step=10, epochs=5, warmup=True, warmup_epochs=0, warmup_factor=1e-3),
            20,
            "warmup=True with warmup_epochs 0: 0/0 at x=0",
        ),
        (
            dict(base_lr=0.1, num_step=8, epochs=4, warmup=True, warmup_epochs=4, warmup_factor=1e-3),
            33,
            "warmup == epochs: 0/0 division after warmup",
        ),
        (dict(base_lr=0.02, num_step=40, epochs=10, warmup=True, warmup_epochs=1, warmup_factor=1e-3), 400, "long"),
    ]:
        ctor = {k: v for k, v in kw.items() if k != "base_lr"}
        vals, raises, cplx = lambda_loop(make_opt(kw["base_lr"]), lambda o: create_lr_scheduler(o, **ctor), T)
        add(
            "fcn",
            f"seed-000 (torch {tver})",
            "create_lr_scheduler",
            kw,
            T,
            "float64",
            vals,
            note,
            fcn_src,
            **ended(raises),
            undefined_at=cplx,
        )
    tv_src = "torchvision references/detection utils.warmup_lr_scheduler (legacy, quoted in seed 004), LambdaLR per iteration"
    for kw, T, note in [
        (dict(base_lr=0.02, warmup_iters=10, warmup_factor=1e-3), 20, None),
        (dict(base_lr=0.02, warmup_iters=0, warmup_factor=1e-3), 5, "warmup_iters 0"),
        (dict(base_lr=10.0, warmup_iters=1, warmup_factor=0.1), 5, "warmup_iters 1"),
        (dict(base_lr=1e-8, warmup_iters=50, warmup_factor=0.001), 40, "warmup beyond T"),
    ]:
        ctor = {k: v for k, v in kw.items() if k != "base_lr"}
        vals, raises, cplx = lambda_loop(make_opt(kw["base_lr"]), lambda o: warmup_lr_scheduler(o, **ctor), T)
        add("fcn", f"torchvision-detection (torch {tver})", "warmup_lr_scheduler", kw, T, "float64", vals, note, tv_src)

    # ---------------- seed 001: maskrcnn-benchmark WarmupMultiStepLR
    mr_src = "seed 001 / maskrcnn-benchmark solver/lr_scheduler.py @61ffdb38, optimizer.step(); scheduler.step() per iteration"

    def mr(warmup_method):  # maskrcnn-benchmark's defaults, a fresh dict (and milestones list) per case
        return dict(
            base_lr=0.02,
            milestones=[20, 30],
            gamma=0.1,
            warmup_factor=1.0 / 3,
            warmup_iters=10,
            warmup_method=warmup_method,
        )

    for kw, T, note in [
        (mr("linear"), 40, None),
        (mr("constant"), 40, "constant warmup"),
        (
            dict(base_lr=0.01, milestones=[5], gamma=0.1, warmup_factor=0.001, warmup_iters=10, warmup_method="linear"),
            20,
            "milestone inside warmup (product)",
        ),
        (
            dict(base_lr=0.01, milestones=[0, 8], gamma=0.5, warmup_factor=0.1, warmup_iters=0, warmup_method="linear"),
            15,
            "warmup 0, milestone 0",
        ),
        (
            dict(
                base_lr=10.0,
                milestones=[6, 6, 12],
                gamma=0.5,
                warmup_factor=0.25,
                warmup_iters=1,
                warmup_method="linear",
            ),
            20,
            "warmup 1, repeated milestone",
        ),
        (
            dict(
                base_lr=1e-8, milestones=[100], gamma=0.1, warmup_factor=0.001, warmup_iters=50, warmup_method="linear"
            ),
            40,
            "warmup beyond T",
        ),
        (
            dict(
                base_lr=0.02,
                milestones=[150, 250],
                gamma=0.1,
                warmup_factor=1.0 / 3,
                warmup_iters=50,
                warmup_method="linear",
            ),
            300,
            "long",
        ),
        (
            dict(base_lr=0.1, milestones=[4, 9], gamma=0.0, warmup_factor=0.5, warmup_iters=6, warmup_method="linear"),
            15,
            "gamma 0 (adversarial test)",
        ),
    ]:
        ctor = {k: v for k, v in kw.items() if k != "base_lr"}
        opt = make_opt(kw["base_lr"])
        vals, raises = torch_loop(opt, ref.MaskrcnnWarmupMultiStepLR(opt, **ctor), T)
        add(
            "maskrcnn",
            f"maskrcnn-benchmark@61ffdb38 (torch {tver})",
            "WarmupMultiStepLR",
            kw,
            T,
            "float64",
            vals,
            note,
            mr_src,
        )

    # ---------------- seed 001: MXNet WarmupMultiFactorScheduler (Deformable-ConvNets utils/lr_scheduler.py)
    mx_src = (
        "seed 001 / Deformable-ConvNets lib/utils/lr_scheduler.py WarmupMultiFactorScheduler; MXNet optimizers call "
        "lr_scheduler(num_update) with num_update = i+1 for update i (count incremented before the lr is read); "
        "the optimizer sets base_lr = learning_rate"
    )
    for kw, T, note in [
        (
            dict(base_lr=0.01, step=[10, 20], factor=0.1, warmup=True, warmup_lr=0.001, warmup_step=5),
            30,
            "constant warmup lasts warmup_step-1 updates",
        ),
        (dict(base_lr=0.01, step=[10, 20], factor=0.1, warmup=False, warmup_lr=0.001, warmup_step=5), 30, "warmup off"),
        (
            dict(base_lr=10.0, step=[1, 2, 3], factor=0.5, warmup=True, warmup_lr=0.5, warmup_step=1),
            8,
            "step 1; warmup_step 1 has no effect",
        ),
        (
            dict(base_lr=1e-8, step=[5], factor=1.0, warmup=True, warmup_lr=1e-10, warmup_step=20),
            25,
            "warmup beyond the step (warmup wins)",
        ),
        (
            dict(base_lr=0.1, step=[50, 100], factor=0.1, warmup=True, warmup_lr=0.0, warmup_step=0),
            120,
            "warmup_step 0",
        ),
    ]:
        ctor = {k: v for k, v in kw.items() if k != "base_lr"}
        s = ref.MXNetWarmupMultiFactorScheduler(**ctor)
        s.base_lr = kw["base_lr"]
        vals = [_f(s(i + 1)) for i in range(T)]
        add(
            "mxnet",
            "seed-001 (Deformable-ConvNets transcription)",
            "WarmupMultiFactorScheduler",
            kw,
            T,
            "float64",
            {"lr": [vals]},
            note,
            mx_src,
        )

    # ---------------- seed 002: YOLOv5 schedule (train.py) under real torch LambdaLR + SGD with 3 groups
    def yolov5(**kw):
        lrs, moms = ref.yolov5_loop(**kw)
        return {"lr": lrs, "momentum": moms}

    y5_src = (
        "seed 002 / ultralytics yolov5 train.py: epoch-wise LambdaLR(lf), per-batch np.interp warmup while ni <= nw, "
        "nw = max(round(warmup_epochs*nb), 100); values are per batch ni (accumulate = 1)"
    )
    # hyp.scratch-low; each case changes a few of these
    y5 = dict(
        epochs=10,
        nb=30,
        lr0=0.01,
        lrf=0.01,
        momentum=0.937,
        warmup_epochs=3.0,
        warmup_momentum=0.8,
        warmup_bias_lr=0.1,
        cos_lr=False,
        bias_group=0,
        num_groups=3,
        min_warmup_iters=100,
    )
    for kw, note in [
        (dict(y5), "hyp.scratch-low, linear lf, 100-iteration minimum warmup"),
        (dict(y5, cos_lr=True), "one_cycle lf (--cos-lr)"),
        (
            dict(y5, epochs=8, nb=45, lrf=0.1, warmup_epochs=2.5, cos_lr=True),
            "round(112.5) == 112 (banker's rounding), warmup spans 3 epochs",
        ),
        (
            dict(y5, lrf=0.2, warmup_epochs=0.0, cos_lr=True, bias_group=2, min_warmup_iters=1000),
            "seed 002 form: bias is group 2, warmup fixed at 1000 iters (beyond T)",
        ),
        (
            dict(y5, epochs=20, nb=10, lrf=0.2, warmup_epochs=0.0, cos_lr=True, bias_group=2),
            "seed 002 form with a 100-iteration warmup",
        ),
        (
            dict(
                y5,
                epochs=40,
                nb=5,
                lr0=10.0,
                momentum=0.9,
                warmup_epochs=0.0,
                warmup_momentum=0.5,
                warmup_bias_lr=20.0,
                num_groups=2,
                min_warmup_iters=0,
            ),
            "no warmup (nw=0: only ni=0 is interpolated), 2 groups, huge lr",
        ),
        (
            dict(
                y5,
                epochs=4,
                nb=50,
                lr0=1e-8,
                lrf=0.5,
                warmup_epochs=1.0,
                warmup_bias_lr=1e-6,
                cos_lr=True,
                min_warmup_iters=1,
            ),
            "tiny lr, warmup 1 epoch",
        ),
    ]:
        vals = yolov5(**kw)
        T = kw["epochs"] * kw["nb"]
        add(
            "yolov5",
            "seed-002 / yolov5 train.py (transcribed, torch " + tver + ")",
            "yolov5_schedule",
            kw,
            T,
            "float64",
            vals,
            note,
            y5_src,
        )
    for kw, T in [
        (dict(y1=1.0, y2=0.01, steps=100), 250),
        (dict(y1=0.0, y2=1.0, steps=30), 40),
        (dict(y1=1.0, y2=0.2, steps=7), 20),
    ]:
        f = ref.yolov5_one_cycle(**kw)
        add(
            "yolov5",
            "yolov5 utils/general.py one_cycle",
            "one_cycle",
            kw,
            T,
            "float64",
            {"lr": [[_f(f(x)) for x in range(T)]]},
            "pure function of x (epoch); periodic past steps",
            "yolov5 one_cycle(y1, y2, steps)",
        )

    # ---------------- seed 003: TF warmup + piecewise constant (float32), constant / gradual warmup
    tf_src = (
        "seed 003 warmup_lr(init_lr, global_step, warmup_step, num_gpu) with cfgs.DECAY_STEP -> decay_step; "
        "TF float32 arithmetic emulated with numpy float32; update i uses global_step = i"
    )
    for kw, T, note in [
        (
            dict(init_lr=0.001, warmup_step=10, num_gpu=1, decay_step=[40, 60, 80]),
            100,
            "warmup inclusive of warmup_step; boundary belongs to earlier piece",
        ),
        (dict(init_lr=0.001, warmup_step=10, num_gpu=2, decay_step=[40, 61, 80]), 60, "num_gpu 2 (61 // 2 = 30)"),
        (
            dict(init_lr=0.1, warmup_step=0, num_gpu=1, decay_step=[5, 10, 15]),
            20,
            "warmup_step 0: 0/0 = NaN at step 0 (written as null)",
        ),
        (dict(init_lr=10.0, warmup_step=1, num_gpu=4, decay_step=[20, 40, 60]), 25, "warmup 1, num_gpu 4"),
        (dict(init_lr=1e-8, warmup_step=30, num_gpu=1, decay_step=[10, 20, 25]), 40, "boundaries inside warmup"),
        (dict(init_lr=0.01, warmup_step=100, num_gpu=8, decay_step=[1600, 2400, 3200]), 400, "long"),
        (
            dict(init_lr=0.01, warmup_step=4, num_gpu=2, decay_step=[10, 20, 30, 40, 50]),
            35,
            "five decay steps: the seed reads the first three (adversarial test)",
        ),
    ]:
        ctor = dict(kw)
        vals = [
            _f(ref.tf_warmup_lr(ctor["init_lr"], i, ctor["warmup_step"], ctor["num_gpu"], ctor["decay_step"], f32=True))
            for i in range(T)
        ]
        vals = [None if math.isnan(v) else v for v in vals]  # NaN (0/0 in float32) is written as null
        add("tf", "seed-003 (transcribed)", "warmup_lr", kw, T, "float32", {"lr": [vals]}, note, tf_src)

    gsrc = "seed 003 gradual warmup sim: init_lr * train_steps / warmup_steps while train_steps < warmup_steps, then init_lr (the seed's lr**1.0001 stand-in decay is not reproduced)"
    for kw, T in [
        (dict(init_lr=0.1, warmup_steps=25), 40),
        (dict(init_lr=10.0, warmup_steps=1), 5),
        (dict(init_lr=0.1, warmup_steps=0), 5),
    ]:
        add(
            "tf",
            "seed-003 (transcribed)",
            "gradual_warmup",
            kw,
            T,
            "float64",
            {"lr": [ref.seed003_gradual_loop(kw["init_lr"], kw["warmup_steps"], T)]},
            None,
            gsrc,
        )
    csrc = "seed 003 / ResNet paper constant warmup: warmup_lr while t < warmup_steps, then init_lr"
    for kw, T in [
        (dict(init_lr=0.1, warmup_lr=0.01, warmup_steps=400), 400),
        (dict(init_lr=0.1, warmup_lr=0.01, warmup_steps=20), 40),
        (dict(init_lr=1e-8, warmup_lr=1e-10, warmup_steps=0), 5),
    ]:
        add(
            "tf",
            "seed-003 (transcribed)",
            "constant_warmup",
            kw,
            T,
            "float64",
            {"lr": [ref.constant_warmup_loop(kw["init_lr"], kw["warmup_lr"], kw["warmup_steps"], T)]},
            None,
            csrc,
        )

    # ---------------- seed 004: YOLOX
    yx_src = "seed 004 / Megvii YOLOX yolox/utils/lr_scheduler.py; pure function of iters"
    for kw, T, note in [
        (
            dict(
                lr=0.01, min_lr_ratio=0.05, total_iters=100, warmup_total_iters=10, warmup_lr_start=0.0, no_aug_iter=15
            ),
            110,
            "quadratic warmup inclusive, flat no-aug tail",
        ),
        (
            dict(lr=10.0, min_lr_ratio=0.2, total_iters=60, warmup_total_iters=1, warmup_lr_start=0.5, no_aug_iter=0),
            65,
            "warmup 1, no tail",
        ),
        (
            dict(
                lr=1e-8, min_lr_ratio=0.0, total_iters=50, warmup_total_iters=60, warmup_lr_start=1e-10, no_aug_iter=5
            ),
            60,
            "warmup beyond horizon (t/W > 1 never reached before W)",
        ),
        (
            dict(lr=0.01, min_lr_ratio=0.05, total_iters=40, warmup_total_iters=0, warmup_lr_start=0.0, no_aug_iter=5),
            40,
            "warmup 0: 0/0.0 at iters 0",
        ),
        (
            dict(
                lr=0.01, min_lr_ratio=0.05, total_iters=300, warmup_total_iters=25, warmup_lr_start=0.0, no_aug_iter=75
            ),
            300,
            "long",
        ),
    ]:
        vals, raises = [], None
        for t in range(T):
            try:
                vals.append(_f(ref.yolox_warm_cos_lr_ratio(iters=t, **kw)))
            except ZeroDivisionError as e:
                raises = (t, f"ZeroDivisionError: {e}")
                break
        add(
            "yolox",
            "seed-004 / YOLOX@390ec1ae (transcribed)",
            "yolox_warm_cos_lr",
            kw,
            T,
            "float64",
            {"lr": [vals]},
            note,
            yx_src,
            **ended(raises),
        )

    lrs_src = (
        "YOLOX LRScheduler(name, lr, iters_per_epoch, total_epochs, **kwargs) in the trainer loop: update 0 uses the "
        "optimizer's initial lr (warmup_lr if warmup_epochs > 0 else lr); after update i the trainer sets update_lr(i+1)"
    )
    for kw, T, note in [
        (
            dict(
                name="yoloxwarmcos",
                lr=0.01,
                iters_per_epoch=10,
                total_epochs=20,
                warmup_epochs=2,
                no_aug_epochs=3,
                min_lr_ratio=0.05,
                warmup_lr_start=0.0,
            ),
            200,
            None,
        ),
        (
            dict(
                name="yoloxwarmcos",
                lr=0.01,
                iters_per_epoch=10,
                total_epochs=20,
                warmup_epochs=0,
                no_aug_epochs=3,
                min_lr_ratio=0.05,
                warmup_lr_start=0.0,
            ),
            200,
            "warmup 0: f(0) never evaluated",
        ),
        (
            dict(name="warmcos", lr=0.1, iters_per_epoch=5, total_epochs=20, warmup_epochs=3, warmup_lr_start=1e-6),
            100,
            "linear warmup, cosine to 0",
        ),
        (
            dict(name="warmcos", lr=0.1, iters_per_epoch=5, total_epochs=20, warmup_epochs=25, warmup_lr_start=1e-6),
            160,
            "warmup_epochs > total_epochs: negative cosine denominator (adversarial test)",
        ),
        (dict(name="cos", lr=0.1, iters_per_epoch=5, total_epochs=20), 100, None),
        (
            dict(name="multistep", lr=0.1, iters_per_epoch=5, total_epochs=20, milestones=[10, 15], gamma=0.1),
            100,
            "epoch milestones -> iterations",
        ),
    ]:
        vals = ref.yolox_trainer_loop(T=T, **kw)
        add("yolox", "YOLOX@390ec1ae (transcribed)", "LRScheduler", kw, T, "float64", {"lr": [vals]}, note, lrs_src)

    # bubbliiiing yolox-pytorch get_lr_scheduler (seed 004), evaluated per epoch: epoch e uses func(e)
    gl_src = "seed 004 get_lr_scheduler (bubbliiiing yolox-pytorch utils_fit); a function of the epoch index"
    for kw, T, note in [
        (
            dict(lr_decay_type="cos", lr=0.01, min_lr=0.0001, total_iters=100),
            110,
            "clamps: warmup min(max(10,1),3)=3, no_aug min(max(30,1),15)=15",
        ),
        (
            dict(
                lr_decay_type="cos",
                lr=0.01,
                min_lr=0.0001,
                total_iters=8,
                warmup_iters_ratio=0.1,
                warmup_lr_ratio=0.1,
                no_aug_iter_ratio=0.05,
            ),
            12,
            "clamps: warmup max(0.8,1)=1, no_aug max(0.4,1)=1",
        ),
        (
            dict(
                lr_decay_type="cos",
                lr=1e-5,
                min_lr=1e-7,
                total_iters=50,
                warmup_iters_ratio=0.05,
                warmup_lr_ratio=0.01,
                no_aug_iter_ratio=0.1,
            ),
            50,
            "fractional warmup 2.5, warmup_lr_start floor 1e-6",
        ),
        (dict(lr_decay_type="cos", lr=10.0, min_lr=0.1, total_iters=300), 300, "long"),
        (
            dict(lr_decay_type="step", lr=0.01, min_lr=0.0001, total_iters=100, step_num=10),
            110,
            "step_size 10, decay_rate (1e-2)^(1/9)",
        ),
        (
            dict(lr_decay_type="step", lr=0.01, min_lr=0.0001, total_iters=25, step_num=4),
            30,
            "fractional step_size 6.25",
        ),
        (
            dict(lr_decay_type="step", lr=0.01, min_lr=0.001, total_iters=50, step_num=1),
            10,
            "step_num 1: ZeroDivisionError at construction",
        ),
        (
            dict(lr_decay_type="step", lr=0.01, min_lr=0.001, total_iters=5, step_num=10),
            10,
            "step_size < 1 raises at every call",
        ),
    ]:
        vals, raises = [], None
        try:
            f = ref.get_lr_scheduler(**kw)
        except ZeroDivisionError as e:
            raises = (0, f"ZeroDivisionError: {e}")
        else:
            for t in range(T):
                try:
                    vals.append(_f(f(t)))
                except ValueError as e:
                    raises = (t, f"ValueError: {e}")
                    break
        add(
            "yolox",
            "seed-004 get_lr_scheduler (transcribed)",
            "get_lr_scheduler",
            kw,
            T,
            "float64",
            {"lr": [vals]},
            note,
            gl_src,
            **ended(raises),
        )

    # CAWB: CosineAnnealingWarmbootingLR (Huangdebo/CAWB cawb.py), run as in its demo loop
    cawb_src = (
        "seed 004 / Huangdebo/CAWB cawb.py @222e859f, demo loop: per batch step_batch() then the update; "
        "scheduler.step() at the end of each epoch (so epoch e+1 uses the cosine at e); lf=None"
    )
    for kw, run_epochs, note in [
        (
            dict(
                base_lr=0.1,
                epochs=30,
                eta_min=0.05,
                steps=[10, 20],
                step_scale=0.8,
                batchs=4,
                warmup_epoch=0,
                epoch_scale=1.0,
            ),
            30,
            "restarts, no warmup",
        ),
        (
            dict(
                base_lr=0.1,
                epochs=30,
                eta_min=0.05,
                steps=[10, 20],
                step_scale=0.7,
                batchs=4,
                warmup_epoch=3,
                epoch_scale=1.0,
            ),
            30,
            "batch warmup; first post-warmup epoch has local iter -1",
        ),
        (
            dict(
                base_lr=0.1,
                epochs=40,
                eta_min=0.35,
                steps=[15, 30],
                step_scale=0.7,
                batchs=3,
                warmup_epoch=3,
                epoch_scale=4.0,
            ),
            40,
            "epoch_scale 4 (readme settings)",
        ),
        (
            dict(
                base_lr=10.0,
                epochs=25,
                eta_min=0.0,
                steps=[],
                step_scale=0.8,
                batchs=2,
                warmup_epoch=0,
                epoch_scale=1.0,
            ),
            25,
            "steps [] -> plain cosine",
        ),
        (
            dict(
                base_lr=1e-8,
                epochs=30,
                eta_min=0.1,
                steps=[25, 2, 40, 12],
                step_scale=0.5,
                batchs=5,
                warmup_epoch=2,
                epoch_scale=1.0,
            ),
            30,
            "unsorted steps, out-of-range ones dropped",
        ),
        (
            dict(
                base_lr=0.1,
                epochs=20,
                eta_min=0.05,
                steps=[10],
                step_scale=0.8,
                batchs=4,
                warmup_epoch=0,
                epoch_scale=1.0,
            ),
            24,
            "4 epochs past the horizon (stale gap)",
        ),
        (
            dict(
                base_lr=0.1,
                epochs=60,
                eta_min=0.05,
                steps=[20, 40],
                step_scale=0.8,
                batchs=1,
                warmup_epoch=1,
                epoch_scale=1.0,
            ),
            60,
            "batchs 1",
        ),
        (
            dict(
                base_lr=0.1,
                epochs=5,
                eta_min=0.05,
                steps=[2],
                step_scale=0.8,
                batchs=3,
                warmup_epoch=8,
                epoch_scale=1.0,
            ),
            12,
            "warmup_epoch > epochs: negative gap (adversarial test)",
        ),
    ]:
        ctor = {k: copy.deepcopy(v) for k, v in kw.items() if k != "base_lr"}
        opt = make_opt(kw["base_lr"])
        sch = ref.CosineAnnealingWarmbootingLR(opt, **ctor)
        vals = []
        for e in range(run_epochs):
            for b in range(kw["batchs"]):
                sch.step_batch()
                vals.append(_f(opt.param_groups[0]["lr"]))
            sch.step()
        T = run_epochs * kw["batchs"]
        add(
            "cawb",
            "seed-004 / CAWB@222e859f (transcribed, torch " + tver + ")",
            "CosineAnnealingWarmbootingLR",
            kw,
            T,
            "float64",
            {"lr": [vals]},
            note,
            cawb_src,
        )
    return out


# ----------------------------------------------------------------------------
# Megatron-LM (megatron-core), DeepSpeed, torchtitan (issue 16, part A)
# ----------------------------------------------------------------------------


def _err(e):
    return f"{type(e).__name__}: {e}"


def gen_megatron():
    """megatron-core OptimizerParamScheduler, stepped as Megatron-LM's train loop steps it:
    the constructor calls step(0); after each update, step(increment)."""
    import torch
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    ver = _ver("megatron-core")
    out = []

    def run(T, note, groups=None, increment=1, **kw):
        kwargs = dict(kw)
        if groups is not None:
            kwargs["param_groups"] = groups
        if increment != 1:
            kwargs["increment"] = increment
        gs = groups or [{}]
        params = [dict({"params": [torch.nn.Parameter(torch.zeros(1))]}, **g) for g in gs]
        opt = torch.optim.SGD(params, lr=0.1)
        vals = {"lr": [[] for _ in gs], "weight_decay": [[] for _ in gs]}
        raises = None
        try:
            sched = OptimizerParamScheduler(opt, **kw)
        except (AssertionError, Exception) as e:
            vals, raises = {"lr": [[]], "weight_decay": [[]]}, (0, _err(e))
        else:
            for i in range(T):
                for g, pg in enumerate(opt.param_groups):
                    vals["lr"][g].append(float(pg["lr"]))
                    vals["weight_decay"][g].append(float(pg["weight_decay"]))
                if i == T - 1:
                    break
                try:
                    sched.step(increment)
                except (AssertionError, Exception) as e:
                    raises = (i + 1, _err(e))
                    break
        call = "OptimizerParamScheduler"
        out.append(record("megatron", ver, "megatron", call, kwargs, T, "float64", vals, note, **ended(raises)))

    base = dict(
        init_lr=0.0, max_lr=3e-4, min_lr=3e-5, start_wd=0.1, end_wd=0.1, wd_incr_steps=40, wd_incr_style="constant"
    )
    for style in ("constant", "linear", "cosine", "inverse-square-root"):
        run(50, f"{style} warmup 10 decay 40", lr_warmup_steps=10, lr_decay_steps=40, lr_decay_style=style, **base)
        run(30, f"{style} no warmup", lr_warmup_steps=0, lr_decay_steps=20, lr_decay_style=style, **base)
    for ws in ("linear", "cosine", "exponential", "minus_sqrt"):
        b = dict(base, min_lr=2e-4) if ws == "exponential" else base
        run(
            60,
            f"WSD {ws}",
            lr_warmup_steps=8,
            lr_decay_steps=50,
            lr_decay_style="WSD",
            wsd_decay_steps=15,
            lr_wsd_decay_style=ws,
            **b,
        )
        run(
            40,
            f"WSD {ws} decay longer than after-warmup",
            lr_warmup_steps=10,
            lr_decay_steps=30,
            lr_decay_style="WSD",
            wsd_decay_steps=26,
            lr_wsd_decay_style=ws,
            **b,
        )
    run(
        40,
        "WSD exponential 2 min < max",
        lr_warmup_steps=5,
        lr_decay_steps=30,
        lr_decay_style="WSD",
        wsd_decay_steps=10,
        lr_wsd_decay_style="exponential",
        **base,
    )
    run(
        60,
        "WSD exponential to min_lr 0 (Megatron-LM's defaults)",
        lr_warmup_steps=5,
        lr_decay_steps=50,
        lr_decay_style="WSD",
        wsd_decay_steps=17,
        lr_wsd_decay_style="exponential",
        **dict(base, min_lr=0.0),
    )
    run(
        30,
        "WSD wsd_decay_steps 0",
        lr_warmup_steps=5,
        lr_decay_steps=20,
        lr_decay_style="WSD",
        wsd_decay_steps=0,
        **base,
    )
    run(
        30,
        "WSD wsd_decay_steps 1",
        lr_warmup_steps=5,
        lr_decay_steps=20,
        lr_decay_style="WSD",
        wsd_decay_steps=1,
        lr_wsd_decay_style="cosine",
        **base,
    )
    run(
        40, "lr_warmup_init", **dict(base, init_lr=1e-5), lr_warmup_steps=10, lr_decay_steps=30, lr_decay_style="cosine"
    )
    run(
        40,
        "fractional warmup (lr_warmup_fraction)",
        lr_warmup_steps=7.5,
        lr_decay_steps=30,
        lr_decay_style="cosine",
        **base,
    )
    run(40, "warmup 1", lr_warmup_steps=1, lr_decay_steps=30, lr_decay_style="linear", **base)
    run(40, "warmup = decay - 1", lr_warmup_steps=29, lr_decay_steps=30, lr_decay_style="cosine", **base)
    run(30, "decay steps 1", lr_warmup_steps=0, lr_decay_steps=1, lr_decay_style="linear", **base)
    for wds in ("linear", "cosine"):
        run(
            50,
            f"weight decay {wds}",
            lr_warmup_steps=5,
            lr_decay_steps=40,
            lr_decay_style="cosine",
            **dict(base, start_wd=0.01, end_wd=0.1, wd_incr_steps=40, wd_incr_style=wds),
        )
    run(
        60,
        "samples: increment 8, steps in samples",
        increment=8,
        lr_warmup_steps=80,
        lr_decay_steps=400,
        lr_decay_style="cosine",
        **dict(base, start_wd=0.0, end_wd=0.1, wd_incr_steps=400, wd_incr_style="cosine"),
    )
    run(
        60,
        "samples: warmup not a multiple of increment",
        increment=8,
        lr_warmup_steps=100,
        lr_decay_steps=410,
        lr_decay_style="linear",
        **dict(base, init_lr=1e-6, start_wd=0.0, end_wd=0.1, wd_incr_steps=300, wd_incr_style="linear"),
    )
    run(
        50,
        "samples WSD",
        increment=4,
        lr_warmup_steps=20,
        lr_decay_steps=150,
        lr_decay_style="WSD",
        wsd_decay_steps=50,
        lr_wsd_decay_style="minus_sqrt",
        **base,
    )
    run(
        40,
        "samples inverse-square-root",
        increment=3,
        lr_warmup_steps=30,
        lr_decay_steps=100,
        lr_decay_style="inverse-square-root",
        **base,
    )
    groups = [{}, {"max_lr": 1e-3, "min_lr": 1e-4}, {"wd_mult": 0.0}, {"start_wd": 0.0, "end_wd": 0.2, "wd_mult": 0.5}]
    run(
        45,
        "param group overrides",
        groups=groups,
        lr_warmup_steps=5,
        lr_decay_steps=40,
        lr_decay_style="cosine",
        **dict(base, init_lr=1e-6, start_wd=0.05, end_wd=0.1, wd_incr_style="linear"),
    )
    # megatron-core rejects these
    run(5, "max_lr < min_lr", lr_warmup_steps=0, lr_decay_steps=10, lr_decay_style="linear", **dict(base, min_lr=1.0))
    run(5, "warmup >= decay", lr_warmup_steps=10, lr_decay_steps=10, lr_decay_style="linear", **base)
    run(5, "WSD without wsd_decay_steps", lr_warmup_steps=1, lr_decay_steps=10, lr_decay_style="WSD", **base)
    run(
        5,
        "end_wd < start_wd",
        lr_warmup_steps=1,
        lr_decay_steps=10,
        lr_decay_style="linear",
        **dict(base, start_wd=0.2, end_wd=0.1, wd_incr_style="linear"),
    )
    return out


def gen_deepspeed():
    """deepspeed.runtime.lr_schedules, stepped as DeepSpeedEngine._take_model_step steps them:
    optimizer.step(), then lr_scheduler.step(); update 0 uses the constructor's value."""
    import logging

    import torch
    import torch.optim.lr_scheduler as TS
    from deepspeed.runtime import lr_schedules as L

    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)
    ver = _ver("deepspeed")
    out = []

    def run(call, T, note, kwargs, base_lr=None, adam=False):
        if call == "from_config":
            sec = kwargs["scheduler"]
            name, kw = sec["type"], dict(sec.get("params") or {})
            ctor = getattr(L, name) if hasattr(L, name) else getattr(TS, name)  # as _scheduler_from_config
        else:
            kw, ctor = dict(kwargs), getattr(L, call)
            if base_lr is not None:
                kwargs = dict(kwargs, base_lr=base_lr)
        n = max(
            [len(v) for v in kw.values() if isinstance(v, list)] + [len(base_lr) if isinstance(base_lr, list) else 1]
        )
        lrs = base_lr if isinstance(base_lr, list) else [0.1 if base_lr is None else base_lr] * n
        params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": b} for b in lrs]
        opt = torch.optim.Adam(params, lr=lrs[0]) if adam else torch.optim.SGD(params, lr=lrs[0])
        try:
            sched = ctor(opt, **kw)
        except (ValueError, TypeError) as e:
            out.append(
                record(
                    "deepspeed",
                    ver,
                    "deepspeed",
                    call,
                    kwargs,
                    T,
                    "float64",
                    {"lr": [[]]},
                    note,
                    **ended((0, _err(e))),
                )
            )
            return
        mom = adam and getattr(sched, "cycle_momentum", False)
        vals = {"lr": [[] for _ in params]}
        if mom:
            vals["momentum"] = [[] for _ in params]
        for i in range(T):
            for g, pg in enumerate(opt.param_groups):
                vals["lr"][g].append(_f(pg["lr"]))
                if mom:
                    vals["momentum"][g].append(_f(pg["betas"][0]))
            opt.step()
            sched.step()
        for k in vals:
            for g in vals[k]:
                _check_finite(g)
        out.append(record("deepspeed", ver, "deepspeed", call, kwargs, T, "float64", vals, note))

    for wt in ("log", "linear"):
        run(
            "WarmupLR",
            30,
            f"{wt} warmup",
            dict(warmup_min_lr=0.0, warmup_max_lr=0.01, warmup_num_steps=10, warmup_type=wt),
        )
        run(
            "WarmupLR",
            12,
            f"{wt} warmup_num_steps 1 (silent minimum 2)",
            dict(warmup_min_lr=1e-4, warmup_max_lr=0.01, warmup_num_steps=1, warmup_type=wt),
        )
        run(
            "WarmupDecayLR",
            50,
            f"{wt} warmup then linear decay",
            dict(total_num_steps=40, warmup_min_lr=1e-4, warmup_max_lr=0.01, warmup_num_steps=10, warmup_type=wt),
        )
        run(
            "WarmupCosineLR",
            50,
            f"{wt} warmup then cosine",
            dict(total_num_steps=40, warmup_min_ratio=0.0, warmup_num_steps=10, warmup_type=wt),
            base_lr=3e-4,
        )
    run("WarmupLR", 20, "warmup_max_lr None reads the optimizer lr", dict(warmup_num_steps=8), base_lr=0.05)
    run(
        "WarmupLR",
        20,
        "per-group bounds",
        dict(warmup_min_lr=[0.0, 1e-3], warmup_max_lr=[0.01, 0.02], warmup_num_steps=6, warmup_type="linear"),
    )
    run(
        "WarmupLR", 20, "unknown warmup_type is log", dict(warmup_max_lr=0.01, warmup_num_steps=6, warmup_type="cosine")
    )
    run(
        "WarmupDecayLR",
        30,
        "default warmup_max_lr 0.001 (ignores the optimizer lr)",
        dict(total_num_steps=20, warmup_num_steps=5, warmup_type="linear"),
        base_lr=0.5,
    )
    run(
        "WarmupDecayLR",
        20,
        "total <= warmup",
        dict(total_num_steps=4, warmup_max_lr=0.01, warmup_num_steps=6, warmup_type="linear"),
    )
    run(
        "WarmupCosineLR",
        40,
        "warmup_min_ratio and cos_min_ratio",
        dict(total_num_steps=30, warmup_min_ratio=0.1, warmup_num_steps=5, cos_min_ratio=0.05, warmup_type="linear"),
        base_lr=[1e-3, 2e-3],
    )
    run(
        "WarmupCosineLR",
        20,
        "total <= warmup",
        dict(total_num_steps=3, warmup_num_steps=5, warmup_type="linear"),
        base_lr=1e-3,
    )
    run(
        "WarmupCosineLR",
        20,
        "total = warmup + 1",
        dict(total_num_steps=6, warmup_num_steps=5, warmup_type="linear"),
        base_lr=1e-3,
    )
    run("WarmupLR", 5, "warmup_num_steps 0", dict(warmup_max_lr=0.01, warmup_num_steps=0))
    oc = dict(cycle_min_lr=1e-4, cycle_max_lr=1e-2, cycle_first_step_size=10)
    run("OneCycle", 40, "symmetric cycle, momentum", oc, adam=True)
    run("OneCycle", 40, "no momentum (SGD)", dict(oc, cycle_momentum=False))
    run(
        "OneCycle",
        50,
        "asymmetric, lr and momentum decay",
        dict(oc, cycle_second_step_size=15, decay_lr_rate=0.5, decay_step_size=4, decay_mom_rate=0.01),
        adam=True,
    )
    run(
        "OneCycle",
        40,
        "stairs",
        dict(oc, cycle_second_step_size=7, cycle_first_stair_count=3, cycle_second_stair_count=4),
        adam=True,
    )
    run(
        "OneCycle",
        30,
        "stairs on the first half only",
        dict(oc, cycle_first_stair_count=4, cycle_second_stair_count=0),
        adam=True,
    )
    run(
        "OneCycle",
        25,
        "second half 0",
        dict(oc, cycle_second_step_size=0, decay_lr_rate=1.0, decay_step_size=2),
        adam=True,
    )
    run(
        "OneCycle",
        30,
        "per-group",
        dict(
            cycle_min_lr=[1e-4, 1e-3],
            cycle_max_lr=[1e-2, 5e-2],
            cycle_first_step_size=6,
            cycle_min_mom=[0.8, 0.85],
            cycle_max_mom=0.95,
        ),
        adam=True,
    )
    run("OneCycle", 5, "first step size 0", dict(oc, cycle_first_step_size=0))
    for st in (False, True):
        run(
            "LRRangeTest",
            40,
            f"staircase {st}",
            dict(
                lr_range_test_min_lr=1e-4,
                lr_range_test_step_size=5,
                lr_range_test_step_rate=2.0,
                lr_range_test_staircase=st,
            ),
        )
    run("LRRangeTest", 20, "per-group", dict(lr_range_test_min_lr=[1e-4, 1e-3], lr_range_test_step_size=1))
    run("LRRangeTest", 5, "step size 0", dict(lr_range_test_step_size=0))
    cfg = {
        "type": "WarmupDecayLR",
        "params": {"total_num_steps": 30, "warmup_min_lr": 0, "warmup_max_lr": 3e-4, "warmup_num_steps": 10},
    }
    run("from_config", 40, "WarmupDecayLR block", {"scheduler": cfg, "base_lr": 3e-4}, base_lr=3e-4)
    cfg = {"type": "WarmupCosineLR", "params": {"total_num_steps": 30, "warmup_num_steps": 5, "warmup_type": "linear"}}
    run("from_config", 40, "WarmupCosineLR block", {"scheduler": cfg, "base_lr": 2e-4}, base_lr=2e-4)
    cfg = {"type": "OneCycle", "params": {"cycle_min_lr": 1e-4, "cycle_max_lr": 1e-3, "cycle_first_step_size": 8}}
    run("from_config", 30, "OneCycle block (Adam)", {"scheduler": cfg}, adam=True)
    cfg = {"type": "StepLR", "params": {"step_size": 7, "gamma": 0.5}}
    run("from_config", 30, "torch StepLR block", {"scheduler": cfg, "base_lr": 0.1}, base_lr=0.1)
    return out


def gen_torchtitan():
    """torchtitan LRSchedulersContainer, stepped as its Trainer steps it (optimizers.step(),
    then lr_schedulers.step(), once per training step)."""
    import torch
    from torchtitan.components.optimizer.lr_scheduler import LRSchedulersContainer

    ver = _ver("torchtitan")
    out = []

    def run(T, note, base_lr=3e-4, training_steps=40, **cfg):
        kwargs = dict(base_lr=base_lr, training_steps=training_steps, **cfg)
        opts = [torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr) for _ in range(2)]
        cont = LRSchedulersContainer.Config(**cfg).build(optimizers=opts, training_steps=training_steps)
        vals, raises = {"lr": [[]]}, None
        for i in range(T):
            lrs = {o.param_groups[0]["lr"] for o in opts}
            assert len(lrs) == 1
            vals["lr"][0].append(float(lrs.pop()))
            if i == T - 1:
                break
            for o in opts:
                o.step()
            try:
                cont.step()
            except AssertionError as e:
                raises = (i + 1, _err(e))
                break
        out.append(
            record("torchtitan", ver, "torchtitan", "lr_scheduler", kwargs, T, "float64", vals, note, **ended(raises))
        )

    for dt in ("linear", "sqrt", "cosine"):
        run(40, f"{dt} decay", warmup_steps=10, decay_type=dt)
        run(
            40,
            f"{dt} WSD decay_ratio 0.3 min_lr_factor 0.1",
            warmup_steps=5,
            decay_ratio=0.3,
            decay_type=dt,
            min_lr_factor=0.1,
        )
    run(40, "defaults (warmup 200 cut to 40)")
    run(30, "no warmup", warmup_steps=0, training_steps=30, decay_type="cosine")
    run(30, "warmup 1", warmup_steps=1, training_steps=30)
    run(20, "warmup = training steps (no decay)", warmup_steps=20, training_steps=20)
    run(25, "decay_ratio rounds half to even", warmup_steps=2, decay_ratio=0.125, training_steps=20)
    run(25, "decay_ratio 0 (no decay)", warmup_steps=3, decay_ratio=0.0, training_steps=20)
    run(25, "decay_ratio too large (cut)", warmup_steps=10, decay_ratio=0.9, training_steps=20, decay_type="sqrt")
    run(
        40,
        "total_steps longer than the run",
        warmup_steps=4,
        total_steps=60,
        training_steps=40,
        decay_type="cosine",
        min_lr_factor=0.2,
    )
    run(
        40,
        "cosine run past total_steps (periodic)",
        warmup_steps=4,
        total_steps=20,
        training_steps=40,
        decay_type="cosine",
    )
    run(40, "linear run past total_steps (refused)", warmup_steps=4, total_steps=20, training_steps=40)
    run(
        40,
        "no decay, run past total_steps (refused)",
        warmup_steps=4,
        decay_ratio=0.0,
        total_steps=20,
        training_steps=40,
    )
    return out


# Composer (mosaicml): the real Trainer on a one-parameter model, CPU
# ----------------------------------------------------------------------------


def _composer_imports():
    """Composer's package import wants torchvision (and its MosaicML-platform logger mcli); neither
    is used by the schedulers or the Trainer loop here, so both are stubbed by a meta-path finder
    (torchmetrics is imported first so that it records torchvision as absent)."""
    import importlib.abc
    import importlib.machinery

    import torchmetrics  # noqa: F401

    class _Any:
        def __init__(self, *a, **k):
            pass

    class _Stub(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torchvision", "mcli"):
                return importlib.machinery.ModuleSpec(name, self, is_package=True)
            return None

        def create_module(self, spec):
            m = types.ModuleType(spec.name)
            m.__path__ = []

            def getattr_(attr):
                if attr.startswith("__"):
                    raise AttributeError(attr)
                return _Any

            m.__getattr__ = getattr_
            return m

        def exec_module(self, module):
            pass

    if not any(type(f).__name__ == "_Stub" for f in sys.meta_path):
        sys.meta_path.insert(0, _Stub())
    import logging

    logging.disable(logging.WARNING)
    import composer.optim.scheduler as S
    from composer import Trainer
    from composer.models import ComposerModel

    return S, Trainer, ComposerModel


def composer_run(S, Trainer, ComposerModel, call, kwargs):
    """Train a one-parameter model with the real Trainer; the lr each optimizer.step() uses."""
    import torch

    kw = dict(kwargs)
    base_lr = kw.pop("base_lr")
    max_duration = kw.pop("max_duration")
    L = kw.pop("dataloader_len", None) or 4
    trainer_kw = {k: kw.pop(k) for k in ("scale_schedule_ratio", "step_schedulers_every_batch") if k in kw}

    class M(ComposerModel):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, batch):
            return self.w * batch[0].sum()

        def loss(self, out, batch):
            return (out**2).sum()

    seen = []

    class Rec(torch.optim.SGD):
        def step(self, closure=None):
            seen.append(float(self.param_groups[0]["lr"]))
            return super().step(closure)

    m = M()
    opt = Rec(m.parameters(), lr=base_lr)
    data = [(torch.ones(1), torch.ones(1)) for _ in range(L)]
    dl = torch.utils.data.DataLoader(data, batch_size=1)
    try:
        tr = Trainer(
            model=m,
            train_dataloader=dl,
            max_duration=max_duration,
            optimizers=opt,
            schedulers=getattr(S, call)(**kw),
            device="cpu",
            progress_bar=False,
            log_to_console=False,
            loggers=[],
            **trainer_kw,
        )
        tr.fit()
    except (ValueError, ZeroDivisionError, RuntimeError, TypeError) as e:
        return None, f"{type(e).__name__}: {e}"
    _check_finite(seen)
    return seen, None


def composer_cases():
    c = []

    def add(call, note=None, **kw):
        kw.setdefault("base_lr", 0.1)
        c.append((call, kw, note))

    md = {"max_duration": "40ba"}
    add("StepScheduler", step_size="7ba", gamma=0.5, **md)
    add("StepScheduler", "epochs", step_size="2ep", gamma=0.3, max_duration="5ep", dataloader_len=6)
    add("MultiStepScheduler", milestones=["10ba", "5ba", "0.75dur", "10ba"], gamma=0.5, **md)
    add("MultiStepScheduler", "milestone 0", milestones=["0ba", "1ep"], gamma=0.1, max_duration="4ep", dataloader_len=5)
    add("ConstantScheduler", **md)
    add("ConstantScheduler", alpha=0.25, t_max="0.3dur", **md)
    add("LinearScheduler", **md)
    add("LinearScheduler", "past t_max", alpha_i=0.2, alpha_f=1.0, t_max="13ba", **md)
    add("ExponentialScheduler", gamma=0.9, decay_period="3ba", **md)
    add("ExponentialScheduler", "default 1ep", gamma=0.5, max_duration="5ep", dataloader_len=7)
    add("CosineAnnealingScheduler", **md)
    add("CosineAnnealingScheduler", "past t_max", t_max="25ba", alpha_f=0.1, **md)
    add("CosineAnnealingScheduler", "dur of epochs", t_max="0.5dur", max_duration="6ep", dataloader_len=5)
    add("CosineAnnealingWarmRestartsScheduler", t_0="7ba", **md)
    add("CosineAnnealingWarmRestartsScheduler", "t_mult 2", t_0="3ba", t_mult=2.0, alpha_f=0.2, **md)
    add("CosineAnnealingWarmRestartsScheduler", "t_mult 1.5: truncated intervals", t_0="4ba", t_mult=1.5, **md)
    add("CosineAnnealingWarmRestartsScheduler", "t_mult 1.5 never grows", t_0="1ba", t_mult=1.5, max_duration="6ba")
    add("PolynomialScheduler", power=2.0, **md)
    add("PolynomialScheduler", "past t_max", power=0.5, t_max="30ba", alpha_f=0.05, **md)
    add("MultiStepWithWarmupScheduler", t_warmup="5ba", milestones=["3ba", "20ba", "30ba"], gamma=0.2, **md)
    add("ConstantWithWarmupScheduler", t_warmup="8ba", alpha=0.5, **md)
    add("LinearWithWarmupScheduler", t_warmup="0.1dur", alpha_i=1.0, alpha_f=0.1, **md)
    add("LinearWithWarmupScheduler", "zero warmup", t_warmup="0ba", **md)
    add("CosineAnnealingWithWarmupScheduler", t_warmup="10ba", **md)
    add(
        "CosineAnnealingWithWarmupScheduler", "alpha_f, t_max past end", t_warmup="6ba", t_max="50ba", alpha_f=0.1, **md
    )
    add("CosineAnnealingWithWarmupScheduler", "warmup == t_max", t_warmup="40ba", **md)
    add("CosineAnnealingWithWarmupScheduler", "warmup in epochs", t_warmup="1ep", max_duration="5ep", dataloader_len=7)
    add("PolynomialWithWarmupScheduler", t_warmup="4ba", power=2.0, alpha_f=0.01, **md)
    # the Trainer's options
    add(
        "CosineAnnealingWithWarmupScheduler",
        "per epoch",
        t_warmup="1ep",
        max_duration="6ep",
        dataloader_len=5,
        step_schedulers_every_batch=False,
    )
    add(
        "LinearScheduler",
        "per epoch, t_max in batches",
        t_max="13ba",
        max_duration="5ep",
        dataloader_len=4,
        step_schedulers_every_batch=False,
    )
    add(
        "CosineAnnealingWarmRestartsScheduler",
        "per epoch",
        t_0="2ep",
        t_mult=2.0,
        max_duration="8ep",
        dataloader_len=3,
        step_schedulers_every_batch=False,
    )
    add(
        "PolynomialWithWarmupScheduler",
        "per epoch",
        t_warmup="0.2dur",
        power=1.5,
        max_duration="5ep",
        dataloader_len=6,
        step_schedulers_every_batch=False,
    )
    add("CosineAnnealingWithWarmupScheduler", "ssr 0.5", t_warmup="6ba", max_duration="40ba", scale_schedule_ratio=0.5)
    add(
        "CosineAnnealingWithWarmupScheduler",
        "ssr 0.5 scale_warmup",
        t_warmup="6ba",
        scale_warmup=True,
        max_duration="40ba",
        scale_schedule_ratio=0.5,
    )
    add(
        "LinearWithWarmupScheduler",
        "ssr 1.5 scale_warmup",
        t_warmup="6ba",
        scale_warmup=True,
        max_duration="20ba",
        scale_schedule_ratio=1.5,
    )
    add("CosineAnnealingScheduler", "ssr 0.7 t_max ba", t_max="30ba", max_duration="40ba", scale_schedule_ratio=0.7)
    add(
        "MultiStepScheduler",
        "ssr, dur milestone",
        milestones=["0.5dur", "10ba"],
        max_duration="30ba",
        scale_schedule_ratio=0.6,
    )
    add(
        "StepScheduler",
        "ssr epochs",
        step_size="1ep",
        gamma=0.5,
        max_duration="6ep",
        dataloader_len=5,
        scale_schedule_ratio=0.5,
    )
    add(
        "CosineAnnealingWithWarmupScheduler",
        "ssr t_max ba raises",
        t_warmup="2ba",
        t_max="40ba",
        max_duration="40ba",
        scale_schedule_ratio=0.5,
    )
    add(
        "CosineAnnealingWithWarmupScheduler",
        "t_max < max_duration raises",
        t_warmup="2ba",
        t_max="30ba",
        max_duration="40ba",
    )
    add("LinearScheduler", "t_max 0 raises", t_max="0ba", **md)
    return c


def gen_composer():
    S, Trainer, ComposerModel = _composer_imports()
    v = _ver("mosaicml")
    recs = []
    for call, kw, note in composer_cases():
        vals, err = composer_run(S, Trainer, ComposerModel, call, kw)
        if err is not None:
            recs.append(
                record("composer", v, "composer", call, kw, 0, "float64", {"lr": [[]]}, note, **ended((0, err)))
            )
        else:
            recs.append(record("composer", v, "composer", call, kw, len(vals), "float64", {"lr": [vals]}, note))
    return recs


# ----------------------------------------------------------------------------
# MMEngine: the real param schedulers, built as the runner builds them and stepped
# as its ParamSchedulerHook steps them
# ----------------------------------------------------------------------------


def mmengine_run(cfgs, T, base_lr, L, base_momentum=None, base_values=None):
    """lr (and momentum, ...) used by iterations 0..T-1: read, optimizer.step(), the
    iteration-based schedulers step; after every L iterations the epoch-based ones step."""
    import mmengine.optim.scheduler  # noqa: F401  (registers the schedulers)
    import torch
    from mmengine.registry import PARAM_SCHEDULERS

    params = {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": base_lr}
    opt = torch.optim.SGD([params], lr=base_lr, momentum=base_momentum or 0.0)
    for k, v in (base_values or {}).items():
        opt.param_groups[0][k] = v
    scheds = [PARAM_SCHEDULERS.build(dict(c), default_args=dict(optimizer=opt, epoch_length=L)) for c in cfgs]
    keys = ["lr"] + [k for k in dict.fromkeys(s.param_name for s in scheds) if k != "lr"]
    vals = {k: [] for k in keys}
    raises_at = None
    for i in range(T):
        for k in keys:
            vals[k].append(_f(opt.param_groups[0][k]))
        opt.step()
        try:
            for s in scheds:
                if not s.by_epoch:
                    s.step()
            if (i + 1) % L == 0:
                for s in scheds:
                    if s.by_epoch:
                        s.step()
        except (ValueError, ZeroDivisionError) as e:
            raises_at = (i + 1, f"{type(e).__name__}: {e}")
            break
    for k in keys:
        _check_finite(vals[k])
    return {k: [v] for k, v in vals.items()}, raises_at


def mmengine_cases():
    c = []

    def one(type_, T, L=None, note=None, base=0.1, **cfg):
        c.append(("single", type_, cfg, T, L, base, note))

    def chain(cfgs, T, L=None, note=None, base_momentum=None, base_values=None, **extra):
        c.append(("chain", cfgs, T, L, base_momentum, base_values, note, extra))

    one("LinearLR", 30, start_factor=0.1, end_factor=1.0, begin=0, end=10, by_epoch=False)
    one(
        "LinearLR",
        30,
        note="begin 5, end_factor 0.5",
        start_factor=0.5,
        end_factor=0.2,
        begin=5,
        end=17,
        by_epoch=False,
    )
    one("LinearLR", 40, L=4, note="by epoch", start_factor=0.25, begin=1, end=6)
    one("LinearLR", 40, L=4, note="converted", start_factor=0.25, begin=1, end=6, convert_to_iter_based=True)
    one("ConstantLR", 20, factor=0.5, begin=2, end=9, by_epoch=False)
    one("ConstantLR", 12, note="one-step window", factor=0.5, begin=2, end=3, by_epoch=False)
    one("StepLR", 40, step_size=6, gamma=0.5, begin=3, end=30, by_epoch=False)
    one("StepLR", 40, L=5, note="by epoch", step_size=2, gamma=0.5)
    one("MultiStepLR", 40, milestones=[0, 5, 5, 20], gamma=0.5, begin=2, end=25, by_epoch=False)
    one("ExponentialLR", 40, gamma=0.9, begin=4, end=30, by_epoch=False)
    one(
        "ExponentialLR",
        40,
        L=6,
        note="converted: gamma per iteration",
        gamma=0.95,
        begin=1,
        end=5,
        convert_to_iter_based=True,
    )
    one("CosineAnnealingLR", 40, T_max=30, eta_min=0.01, begin=0, end=30, by_epoch=False)
    one(
        "CosineAnnealingLR",
        50,
        note="T_max < window: periodic",
        T_max=10,
        eta_min=0.001,
        begin=5,
        end=45,
        by_epoch=False,
    )
    one(
        "CosineAnnealingLR", 40, note="eta_min_ratio, default T_max", eta_min_ratio=0.1, begin=3, end=33, by_epoch=False
    )
    one("CosineAnnealingLR", 60, L=5, note="by epoch", T_max=8, begin=0, end=10)
    one("PolyLR", 40, eta_min=0.001, power=0.9, begin=0, end=30, by_epoch=False)
    one("PolyLR", 40, note="power 2, begin 4", eta_min=0.0, power=2.0, begin=4, end=25, by_epoch=False)
    one("OneCycleLR", 40, eta_max=0.5, total_steps=40, begin=0, end=40, by_epoch=False)
    one(
        "OneCycleLR",
        50,
        note="three phase linear",
        eta_max=0.5,
        pct_start=0.25,
        anneal_strategy="linear",
        three_phase=True,
        begin=5,
        end=45,
        by_epoch=False,
    )
    one(
        "CosineRestartLR",
        50,
        periods=[10, 15, 10],
        restart_weights=[1.0, 0.6, 0.3],
        eta_min=0.001,
        begin=2,
        end=45,
        by_epoch=False,
    )
    one(
        "CosineRestartLR",
        40,
        L=4,
        note="converted, eta_min_ratio",
        periods=[3, 5],
        restart_weights=[1.0, 0.5],
        eta_min_ratio=0.05,
        convert_to_iter_based=True,
        begin=0,
        end=9,
    )
    one("LinearMomentum", 30, base=0.95, start_factor=0.9, end_factor=1.0, begin=0, end=20, by_epoch=False)
    one("CosineAnnealingMomentum", 30, base=0.9, T_max=20, eta_min=0.85, begin=0, end=20, by_epoch=False)
    one(
        "PolyParamScheduler",
        30,
        base=0.05,
        note="weight_decay",
        param_name="weight_decay",
        eta_min=0.0,
        power=1.0,
        begin=0,
        end=25,
        by_epoch=False,
    )
    # chains, as configs write them
    chain(
        [
            dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=20),
            dict(type="MultiStepLR", begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1),
        ],
        120,
        L=10,
        note="mmdet warmup + MultiStepLR",
    )
    chain(
        [
            dict(type="LinearLR", start_factor=0.01, by_epoch=True, begin=0, end=2, convert_to_iter_based=True),
            dict(
                type="CosineAnnealingLR",
                T_max=8,
                eta_min=1e-5,
                by_epoch=True,
                begin=2,
                end=10,
                convert_to_iter_based=True,
            ),
        ],
        100,
        L=8,
        note="mmpretrain warmup + cosine",
    )
    chain([dict(type="PolyLR", eta_min=1e-4, power=0.9, begin=0, end=80, by_epoch=False)], 90, note="mmseg poly")
    chain(
        [
            dict(type="LinearLR", start_factor=0.1, end_factor=0.5, by_epoch=False, begin=0, end=10),
            dict(type="CosineAnnealingLR", T_max=10, eta_min=0.0, by_epoch=False, begin=10, end=40),
        ],
        50,
        note="warmup ends below base: cosine restarts from base_lr at T_max + 1",
    )
    chain(
        [
            dict(type="LinearLR", start_factor=0.2, by_epoch=False, begin=0, end=8),
            dict(type="ConstantLR", factor=0.5, by_epoch=False, begin=12, end=20),
            dict(type="ExponentialLR", gamma=0.9, by_epoch=False, begin=25, end=40),
        ],
        50,
        note="gaps",
    )
    chain(
        [
            dict(type="LinearLR", start_factor=0.1, by_epoch=True, begin=0, end=3),
            dict(type="CosineAnnealingLR", by_epoch=True, begin=3, end=12, eta_min=0.001),
        ],
        60,
        L=5,
        note="all by epoch",
    )
    chain(
        [
            dict(type="LinearLR", start_factor=0.3, by_epoch=False, begin=0, end=10),
            dict(type="CosineAnnealingLR", by_epoch=False, begin=10),
        ],
        40,
        note="runner default end",
        max_iters=40,
    )
    chain(
        [
            dict(type="OneCycleLR", eta_max=0.3, total_steps=60, by_epoch=False, begin=0, end=60),
            dict(type="CosineAnnealingMomentum", T_max=30, eta_min=0.85, by_epoch=False, begin=0, end=30),
            dict(type="LinearMomentum", start_factor=0.85 / 0.95, end_factor=1.0, by_epoch=False, begin=30, end=60),
        ],
        60,
        note="lr and momentum",
        base_momentum=0.95,
    )
    chain(
        [
            dict(type="LinearLR", start_factor=0.1, by_epoch=False, begin=0, end=10),
            dict(type="CosineAnnealingLR", by_epoch=False, begin=5, end=30),
        ],
        30,
        note="overlap: refused",
    )
    return c


def gen_mmengine():
    v = _ver("mmengine")
    recs = []
    for case in mmengine_cases():
        if case[0] == "single":
            _, type_, cfg, T, L, base, note = case
            vals, raises_at = mmengine_run(
                [dict(cfg, type=type_)],
                T,
                0.1 if not type_.endswith("LR") else base,
                L or 1,
                base_momentum=base if type_.endswith("Momentum") else None,
                base_values={"weight_decay": base} if "param_name" in cfg else None,
            )
            key = {"LR": "base_lr", "Momentum": "base_momentum"}.get(
                type_[-2:] if type_.endswith("LR") else ("Momentum" if type_.endswith("Momentum") else ""), "base_value"
            )
            kw = dict(cfg, **{key: base})
            if L:
                kw["epoch_length"] = L
            if type_.endswith("Momentum"):
                vals = {"lr": vals["momentum"]}
            elif "param_name" in cfg:
                vals = {"lr": vals[cfg["param_name"]]}
            recs.append(record("mmengine", v, "mmengine", type_, kw, T, "float64", vals, note, **ended(raises_at)))
        else:
            _, cfgs, T, L, bm, bv, note, extra = case
            cfgs_run = [dict(c) for c in cfgs]
            for c_ in cfgs_run:  # the runner's default end
                if "end" not in c_ and extra.get("max_iters") and not c_.get("by_epoch", True):
                    c_["end"] = extra["max_iters"]
            try:
                vals, raises_at = mmengine_run(cfgs_run, T, 0.1, L or 1, base_momentum=bm, base_values=bv)
            except (ValueError, AssertionError) as e:
                vals, raises_at = {"lr": [[]]}, refused(e)
            kw = {"param_scheduler": cfgs, "base_lr": 0.1, **extra}
            if L:
                kw["epoch_length"] = L
            if bm is not None:
                kw["base_momentum"] = bm
            recs.append(
                record("mmengine", v, "mmengine", "from_config", kw, T, "float64", vals, note, **ended(raises_at))
            )
    return recs


# ----------------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------------


def gen_peer(name):
    warnings.simplefilter("ignore")
    return {
        "torch": gen_torch,
        "transformers": gen_transformers,
        "timm": gen_timm,
        "fvcore": gen_fvcore,
        "pytorch_warmup": gen_pytorch_warmup,
        "seeds": gen_seeds,
        "megatron": gen_megatron,
        "deepspeed": gen_deepspeed,
        "torchtitan": gen_torchtitan,
        "composer": gen_composer,
        "mmengine": gen_mmengine,
    }[name]()


def _part(kind, arg, env=None):
    """Run one optax / keras configuration in a fresh interpreter (jax x64 and
    keras floatx are process-global) and return its records."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "part.json")
        subprocess.run(
            [sys.executable, __file__, "--_part", kind, arg, path], check=True, env=dict(os.environ, **(env or {}))
        )
        with open(path) as fh:
            return json.load(fh)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer", choices=PEERS, help="generate only this peer")
    args = ap.parse_args()
    for name in [args.peer] if args.peer else PEERS:
        if name == "optax":
            write("optax", _part("optax", "1") + _part("optax", "0"))
        elif name == "keras":
            env = {"KERAS_BACKEND": "jax"}
            write("keras", _part("keras", "float32", env) + _part("keras", "float64", env))
        elif args.peer:
            write(name, gen_peer(name))
        else:
            subprocess.run([sys.executable, __file__, "--peer", name], check=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--_part":
        warnings.simplefilter("ignore")
        kind, arg, path = sys.argv[2:]
        recs = gen_optax(arg == "1") if kind == "optax" else gen_keras(arg)
        with open(path, "w") as fh:
            json.dump(recs, fh)
    else:
        main()
