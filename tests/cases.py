"""Schedules covering every shape and composition, shared by the reference and property tests."""

from __future__ import annotations

import math

import numpy as np

import fastlr as fl
from fastlr.sweeps import SHAPES

B = 3e-4


def shapes() -> dict[str, fl.Shape]:
    return {
        "constant": fl.Constant(B),
        "linear_down": fl.Linear(B, 1e-6, 37),
        "linear_up": fl.Linear(0.0, B, 37),
        "linear_span": fl.Linear(1.0, 0.0, 30, span=31.5, offset=-0.5),
        "cosine": fl.Cosine(B, 0.0, 50),
        "cosine_up": fl.Cosine(0.0, B, 50),
        "cosine_floor_exp": fl.Cosine(B, 1e-5, 50, exponent=2.0),
        "cosine_kdecay": fl.Cosine(B, 1e-5, 50, k_decay=0.5),
        "cosine_continue": fl.Cosine(B, 1e-6, 20, after="continue"),
        "cosine_cycles": fl.Cosine(1.0, 0.0, 30, cycles=1.5, after="continue"),
        "cosine_span_offset": fl.Cosine(1.0, 0.1, 25, span=27.25, offset=-1.25),
        "poly": fl.Polynomial(B, 0.0, 40, power=0.9),
        "poly_end_k": fl.Polynomial(B, 1e-5, 40, power=2.0, k_decay=1.5),
        "poly_rise": fl.Polynomial(1e-4, 1e-3, 40, power=0.5),
        "tanh": fl.Tanh(B, 1e-6, 45),
        "tanh_bounds": fl.Tanh(1.0, 0.0, 45, lower=-3.0, upper=5.0),
        "sqrt_cooldown": fl.SqrtCooldown(1.0, 0.01, 33),
        "exp": fl.Exponential(1.0, 0.5, 10.0),
        "exp_stair_begin_clip": fl.Exponential(1.0, 0.7, 7.0, staircase=True, begin=5, end=0.2),
        "exp_grow_clip": fl.Exponential(0.1, 1.3, 3.0, end=2.0),
        "asymptotic": fl.Asymptotic(1.0, 0.2, 0.6, 9.0),
        "asymptotic_stair": fl.Asymptotic(B, 1e-5, 0.5, 4.0, staircase=True),
        "step": fl.StepDecay(B, 7, 0.5),
        "multistep": fl.MultiStep(B, (0, 10, 10, 25), 0.3),
        "piecewise_constant": fl.PiecewiseConstant((5, 12, 30), (1.0, 0.5, 0.25, 0.125)),
        "interp_linear": fl.PiecewiseInterp((0, 10, 25, 40), (0.1, 1.0, 0.5, 0.01)),
        "interp_cosine": fl.PiecewiseInterp((0, 10, 25, 40), (0.1, 1.0, 0.5, 0.01), kind="cosine"),
        "inv_sqrt": fl.InverseSqrt(1.0, 10.0),
        "inv_power": fl.InverseSqrt(2.0, 7.0, power=0.8),
        "inv_time": fl.InverseTime(1.0, 0.5, 10.0),
        "inv_time_stair": fl.InverseTime(1.0, 0.5, 7.0, staircase=True),
        "cyclic_tri": fl.Cyclic(0.001, 0.006, 5.0),
        "cyclic_tri2": fl.Cyclic(0.001, 0.006, 4.0, 6.0, mode="triangular2"),
        "cyclic_exp": fl.Cyclic(0.001, 0.006, 3.0, mode="exp_range", gamma=0.97),
        "onecycle": fl.OneCycle(0.01, 60),
        "onecycle_3lin": fl.OneCycle(0.01, 60, pct_start=0.25, three_phase=True, anneal="linear"),
        "product": fl.Product(
            (
                fl.Linear(0.1, 1.0, 6),
                fl.MultiStep(1.0, (4, 9), 0.5),
                fl.Cosine(B, 0.0, 25, after="continue"),
                fl.Exponential(1.0, 0.9, 2.0),
            )
        ),
        "product_join": fl.Product(
            (
                fl.Join((fl.Constant(1.0), fl.InverseSqrt(1.0, 5.0)), (4,)),
                fl.Join((fl.Constant(1.0), fl.Linear(1.0, 0.0, 9)), (12,)),
            )
        ),
        "join": fl.Join((fl.Linear(0.0, B, 10), fl.Cosine(B, 1e-6, 40), fl.Constant(1e-6)), (10, 45)),
    }


def schedules() -> dict[str, fl.Schedule]:
    cos = fl.Cosine(1.0, 0.05, 40)
    out = {
        "prefix_linear": fl.Schedule(cos, warmup=fl.Warmup(10), scale=B),
        "prefix_inclusive": fl.Schedule(
            fl.PiecewiseConstant((20, 40), (1.0, 0.1, 0.01)), warmup=fl.Warmup(11, start=0.1, span=10.0, shift=False)
        ),
        "prefix_noshift_end": fl.Schedule(
            fl.Tanh(1.0, 0.0, 60), warmup=fl.Warmup(8, start=0.0, shift=False, target="end")
        ),
        "prefix_cosine": fl.Schedule(cos, warmup=fl.Warmup(9, start=0.01, shape="cosine")),
        "prefix_power": fl.Schedule(cos, warmup=fl.Warmup(4, start=0.1, shape="power", power=2.0, span=3.0)),
        "prefix_sqrt": fl.Schedule(cos, warmup=fl.Warmup(12, shape="sqrt")),
        "prefix_constant": fl.Schedule(cos, warmup=fl.Warmup(5, start=0.1, shape="constant")),
        "overlay_linear": fl.Schedule(fl.MultiStep(0.02, (15, 30)), warmup=fl.Warmup(10, start=1 / 3, mode="overlay")),
        "overlay_exp": fl.Schedule(
            cos, warmup=fl.Warmup(1000, mode="overlay", shape="exponential", span=5.0, offset=-1.0)
        ),
        "overlay_radam": fl.Schedule(
            cos, warmup=fl.Warmup(1 << 40, mode="overlay", shape="radam", beta2=0.9, offset=-5.0)
        ),
        "overlay_offset": fl.Schedule(cos, warmup=fl.Warmup(9, mode="overlay", offset=-1.0, span=10.0)),
        "blend_epochs": fl.Schedule(
            fl.Cosine(0.01, 0.002, 6), warmup=fl.Warmup(20, start=0.1, mode="blend"), steps_per_epoch=7
        ),
        "restart_int": fl.Schedule(fl.Cosine(1.0, 0.0, 10), restarts=fl.Restarts()),
        "restart_grow": fl.Schedule(fl.Cosine(1.0, 0.0, 5), restarts=fl.Restarts(mult=2.0), scale=B),
        "restart_grow_frac": fl.Schedule(fl.Cosine(1.0, 0.01, 4), restarts=fl.Restarts(mult=1.5, decay=0.7, limit=4)),
        "restart_grow_log": fl.Schedule(fl.Cosine(1.0, 0.0, 10), restarts=fl.Restarts(mult=10.0, exact=False)),
        "restart_peak": fl.Schedule(
            fl.Cosine(0.1, 0.01, 8, k_decay=2.0), restarts=fl.Restarts(decay=0.5, limit=3, decay_mode="peak")
        ),
        "restart_frac": fl.Schedule(fl.Cosine(1.0, 0.0, 30), restarts=fl.Restarts(cycles=3.0), warmup=fl.Warmup(5)),
        "restart_frac_limit": fl.Schedule(fl.Cosine(1.0, 0.0, 40), restarts=fl.Restarts(cycles=2.5, limit=2.5)),
        "restart_warm": fl.Schedule(fl.Linear(1.0, 0.1, 12), restarts=fl.Restarts(warmup_steps=3, decay=0.8)),
        "restart_poly": fl.Schedule(fl.Polynomial(1.0, 0.0, 9, power=0.5), restarts=fl.Restarts(mult=3.0, limit=3)),
        "restart_tanh_sqrt": fl.Schedule(fl.SqrtCooldown(1.0, 0.1, 11), restarts=fl.Restarts(limit=2)),
        "restart_stretch": fl.Schedule(
            fl.Polynomial(1.0, 0.01, 7, power=2.0), restarts=fl.Restarts(stretch=True), warmup=fl.Warmup(3)
        ),
        "restart_tanh": fl.Schedule(fl.Tanh(1.0, 0.1, 11), restarts=fl.Restarts(limit=5, mult=2.0)),
        "floor_abs": fl.Schedule(fl.Cosine(1.0, 0.0, 30), floor=0.2, scale=0.5),
        "floor_ratio": fl.Schedule(fl.Linear(2.0, 0.0, 30), floor_ratio=0.1),
        "epochs": fl.Schedule(
            fl.MultiStep(0.1, (2, 4)), steps_per_epoch=5, warmup=fl.Warmup(3, mode="overlay", start=0.5)
        ),
        "join_restarts": fl.Schedule(
            fl.Join(
                (
                    fl.Linear(0.1, 1.0, 4),
                    fl.Schedule(fl.Cosine(1.0, 0.05, 9), restarts=fl.Restarts(decay=0.8, limit=4, warmup_steps=2)),
                    fl.Constant(0.02),
                ),
                (6, 50),
            ),
            scale=B,
        ),
        "join_restarts_grow": fl.Schedule(
            fl.Join((fl.Constant(0.5), fl.Schedule(fl.Tanh(1.0, 0.0, 5), restarts=fl.Restarts(mult=2.0))), (7,)),
            warmup=fl.Warmup(3),
        ),
        "wsd": fl.Schedule(
            fl.Join((fl.Constant(1.0), fl.SqrtCooldown(1.0, 0.0, 20)), (30,)), warmup=fl.Warmup(10), scale=B
        ),
    }
    for name, shape in shapes().items():
        out[f"shape_{name}"] = fl.Schedule(shape)
    return out


def decay(t, half):
    """A user's function for the Formula cases (reads the module's B: frozen)."""
    return B * 0.5 ** (t / half) + 1e-6 * math.sqrt(t)


def user_shapes() -> dict[str, fl.Shape]:
    """Users' functions (fastlr.Formula): kept apart from :func:`shapes`, since each function
    compiles its own kernels and serialising one needs ``trust_code=True``."""
    return {"formula": fl.Formula(decay, half=9.5)}


def user_schedules() -> dict[str, fl.Schedule]:
    """Schedules around a Formula: warmup, epochs, floor, Join phases."""
    f = user_shapes()["formula"]
    return {
        "formula_warmup_join": fl.Schedule(
            fl.Join((fl.Linear(B, 1e-5, 6), f, fl.Formula(decay, half=3.0)), (6, 40)),
            warmup=fl.Warmup(5, start=1e-5),
            floor=1e-5,
            steps_per_epoch=2,
        )
    }


def mixed_grid() -> dict[str, np.ndarray]:
    """Flat configs crossing every sweep shape with every warmup mode, holds and floors."""
    return fl.grid(
        lr=[1e-3, 3e-4],
        shape=list(SHAPES),
        warmup=[0, 7],
        warmup_mode=["prefix", "overlay", "blend"],
        hold=[0, 5],
        steps=[20],
        end_ratio=[0.0, 0.1],
        gamma=[0.5],
        step_size=[3],
    )
