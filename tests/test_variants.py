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


def test_programs_pick_the_smallest_variant_that_covers_them():
    small = fl.Schedule(fl.Cosine(1.0, 0.1, 100), warmup=fl.Warmup(10)).program().arrays()
    common = fl.Schedule(fl.Linear(1.0, 0.0, 100), warmup=fl.Warmup(10)).program().arrays()
    full = fl.Schedule(fl.Polynomial(1.0, 0.0, 100, power=0.9)).program().arrays()
    assert cpu.kernels(False, small) is cpu._variant(False, cpu.WARMUP_COSINE_FEATURES)
    assert cpu.kernels(False, common) is cpu._variant(False, cpu.COMMON_FEATURES)
    assert cpu.kernels(False, full) is cpu._variant(False, cpu.ALL_FEATURES)
    assert cpu.kernels(True) is cpu._variant(True, cpu.ALL_FEATURES)


COMMON_CASES = sorted(k for k, s in schedules().items() if mask_of(s) & ~cpu.COMMON_FEATURES == 0)
SMALL_CASES = sorted(k for k, s in schedules().items() if mask_of(s) & ~cpu.WARMUP_COSINE_FEATURES == 0)


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_smaller_variants_equal_the_full_one_bit_for_bit(exact, dtype):
    assert len(COMMON_CASES) >= 10 and len(SMALL_CASES) >= 2
    for name in COMMON_CASES:
        ci, cf, si, sf = schedules()[name].program().arrays()
        outs = []
        masks = [cpu.COMMON_FEATURES, cpu.ALL_FEATURES] + [cpu.WARMUP_COSINE_FEATURES] * (name in SMALL_CASES)
        for mask in masks:
            out = np.empty((1, 300), dtype=dtype)
            cpu._variant(exact, mask)["fill_rows"](ci, cf, si, sf, np.zeros(1, np.int64), 0, out, 2)
            outs.append(out)
        for other in outs[1:]:
            np.testing.assert_array_equal(outs[0], other, err_msg=name)


@pytest.mark.parametrize("exact", [True, False])
def test_serial_table_equals_the_parallel_one(exact):
    # one table is filled on one thread up to SERIAL_STEPS steps, in parallel chunks beyond
    for name, s in sorted(schedules().items()):
        arrays = s.program().arrays()
        k = cpu.kernels(exact, arrays)
        for dtype in (np.float32, np.float64):
            a = np.empty(5000, dtype)
            b = np.empty(5000, dtype)
            k["fill_span"](*arrays, 0, 3, a, *cpu.scratch())
            k["fill_steps"](*arrays, 0, 3, b, 7)
            np.testing.assert_array_equal(a, b, err_msg=name)
