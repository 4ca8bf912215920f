"""Kernel variants: the feature mask of a program, and the pruned variant against the full one."""

from __future__ import annotations

import numpy as np
import pytest

import fastlr as fl
from fastlr.kernels import cpu, layout
from tests.cases import schedules

BIT = {name: 1 << i for i, name in enumerate(layout.FEATURES)}


def mask_of(s):
    return cpu.feature_mask(*s.program().arrays())


def test_feature_mask_names_what_a_program_uses():
    cos = fl.Cosine(1.0, 0.1, 100)
    assert mask_of(fl.Schedule(cos, warmup=fl.Warmup(10))) == (
        BIT["USE_LIN_UP"] | BIT["USE_COS_DOWN"] | BIT["USE_CONST"] | BIT["USE_WU_PREFIX"]
    )
    assert mask_of(fl.Schedule(fl.Tanh(1.0, 0.0, 100))) & BIT["USE_TANH"]
    assert mask_of(fl.Schedule(cos, restarts=fl.Restarts())) & BIT["USE_RS_INT"]
    grow = fl.Schedule(cos, restarts=fl.Restarts(mult=2.0))
    assert mask_of(grow) & BIT["USE_SCALAR_MAIN"]
    assert mask_of(fl.Schedule(cos, steps_per_epoch=10)) & BIT["USE_SCALAR_MAIN"]
    assert mask_of(fl.Schedule(cos, warmup=fl.Warmup(10, shape="cosine"))) & BIT["USE_COS_UP"]
    # powers around a cosine (an exponent, a k-decay) are a feature of their own
    assert not mask_of(fl.Schedule(cos)) & BIT["USE_COS_POW"]
    assert mask_of(fl.Schedule(fl.Cosine(1.0, 0.1, 100, exponent=2.0))) & BIT["USE_COS_POW"]
    assert mask_of(fl.Schedule(fl.Cosine(1.0, 0.1, 100, k_decay=0.5))) & BIT["USE_COS_POW"]


def test_programs_pick_the_cheapest_variant_that_covers_them():
    cos = fl.Cosine(1.0, 0.1, 100)
    poly = fl.Polynomial(1.0, 0.0, 100, power=0.9)
    cases = [
        (fl.Schedule(cos, warmup=fl.Warmup(10)), cpu.WARMUP_DECAY_FEATURES),
        (fl.Schedule(fl.Linear(1.0, 0.0, 100), warmup=fl.Warmup(10)), cpu.WARMUP_DECAY_FEATURES),
        (fl.Schedule(cos, warmup=fl.Warmup(10, shape="cosine")), cpu.COMMON_FEATURES),
        (fl.Schedule(cos, restarts=fl.Restarts()), cpu.COMMON_FEATURES),
        (fl.Schedule(cos, warmup=fl.Warmup(10, mode="overlay")), cpu.VARIANTS[2]),
        (fl.Schedule(poly, warmup=fl.Warmup(10)), cpu.VARIANTS[3]),
        (fl.Schedule(poly, warmup=fl.Warmup(10, mode="blend")), cpu.ALL_FEATURES),
    ]
    for s, variant in cases:
        arrays = s.program().arrays()
        assert cpu.kernels(False, arrays) is cpu._variant(False, variant), s
        assert cpu.kernels(True, arrays) is cpu._variant(True, variant), s
    assert cpu.kernels(True) is cpu._variant(True, cpu.ALL_FEATURES)
    # the last variant has every feature, so every program is covered
    assert cpu.VARIANTS[-1] == cpu.ALL_FEATURES
    assert all(v & ~cpu.ALL_FEATURES == 0 for v in cpu.VARIANTS)


def covering(mask):
    return [v for v in cpu.VARIANTS if mask & ~v == 0]


CASES = sorted(schedules())


# each build with the output dtype it serves by default (exact: float64 tables, fast: float32):
# the switches prune branches, the same whatever the dtype of the stores, so the other two
# pairings would compile twenty more parallel kernels (fill_rows and fill_steps per variant) to
# check the same branches again
BUILDS = [(True, np.float64), (False, np.float32)]


@pytest.mark.parametrize(("exact", "dtype"), BUILDS)
def test_every_covering_variant_gives_the_full_ones_values_bit_for_bit(exact, dtype):
    # the switches only remove code a program does not run: any variant that covers a program
    # computes exactly what the full one does
    checked = 0
    for name in CASES:
        ci, cf, si, sf = schedules()[name].program().arrays()
        variants = covering(cpu.feature_mask(ci, cf, si, sf))
        outs = []
        for mask in variants:
            out = np.empty((1, 300), dtype=dtype)
            cpu._variant(exact, mask)["fill_rows"](ci, cf, si, sf, np.zeros(1, np.int64), 0, out, 2)
            outs.append(out)
        for other in outs[:-1]:
            np.testing.assert_array_equal(outs[-1], other, err_msg=name)
        checked += len(variants) > 1
    assert checked >= 10


@pytest.mark.parametrize(("exact", "dtype"), BUILDS)
def test_serial_table_equals_the_parallel_one(exact, dtype):
    # one table is filled on one thread up to SERIAL_STEPS steps, in parallel chunks beyond
    for name, s in sorted(schedules().items()):
        arrays = s.program().arrays()
        k = cpu.kernels(exact, arrays)
        a = np.empty(5000, dtype)
        b = np.empty(5000, dtype)
        k["fill_span"](*arrays, 0, 3, a, *cpu.scratch())
        k["fill_steps"](*arrays, 0, 3, b, 7)
        np.testing.assert_array_equal(a, b, err_msg=name)
