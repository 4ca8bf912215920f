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


def test_programs_pick_their_own_variant_first_then_a_covering_one():
    cos = fl.Cosine(1.0, 0.1, 100)
    poly = fl.Polynomial(1.0, 0.0, 100, power=0.9)
    ladder = [
        (fl.Schedule(cos, warmup=fl.Warmup(10)), cpu.WARMUP_DECAY_FEATURES),
        (fl.Schedule(fl.Linear(1.0, 0.0, 100), warmup=fl.Warmup(10)), cpu.WARMUP_DECAY_FEATURES),
        (fl.Schedule(cos, warmup=fl.Warmup(10, shape="cosine")), cpu.COMMON_FEATURES),
        (fl.Schedule(cos, restarts=fl.Restarts()), cpu.COMMON_FEATURES),
        (fl.Schedule(cos, warmup=fl.Warmup(10, mode="overlay")), cpu.VARIANTS[2]),
        (fl.Schedule(poly, warmup=fl.Warmup(10)), cpu.VARIANTS[3]),
        (fl.Schedule(poly, warmup=fl.Warmup(10, mode="blend")), cpu.ALL_FEATURES),
    ]
    other = BIT["USE_CYCLIC"]  # a variant in use that covers none of them
    for s, variant in ladder:
        mask = mask_of(s)
        assert cpu.choose_variant(mask) == mask, s  # the process's first program: its own features
        assert cpu.choose_variant(mask, [other]) == variant, s  # later: the ladder
        # a covering variant in use: the smallest of them, nothing new to compile
        assert cpu.choose_variant(mask, [cpu.ALL_FEATURES, variant, other]) == variant, s
    # kernels() records what it hands out, and reuses it
    arrays = ladder[0][0].program().arrays()
    k = cpu.kernels(False, arrays)
    assert cpu.in_use(False, arrays)
    assert k is cpu.kernels(False, arrays)
    assert cpu.kernels(True) is cpu._variant(True, cpu.choose_variant(cpu.ALL_FEATURES, cpu._used(True)))
    # the last variant has every feature, so every program is covered
    assert cpu.VARIANTS[-1] == cpu.ALL_FEATURES
    assert all(v & ~cpu.ALL_FEATURES == 0 for v in cpu.VARIANTS)


def covering(mask):
    return [v for v in cpu.VARIANTS if mask & ~v == 0]


CASES = sorted(schedules())


# each build with the output dtype it serves by default (exact: float64 tables, fast: float32):
# the switches prune branches, the same whatever the dtype of the stores, so the other two
# pairings would compile ten more row evaluators (fill_span per variant) to check the same
# branches again
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
            out = np.empty(300, dtype=dtype)
            cpu._variant(exact, mask)["fill_span"](ci, cf, si, sf, 0, 0, out, *cpu.scratch())
            outs.append(out)
        for other in outs[:-1]:
            np.testing.assert_array_equal(outs[-1], other, err_msg=name)
        checked += len(variants) > 1
    assert checked >= 10


@pytest.mark.parametrize(("exact", "dtype"), BUILDS)
def test_serial_table_equals_the_parallel_one(exact, dtype):
    # one table is filled on one thread up to SERIAL_STEPS steps, in chunks of whole blocks on
    # the worker threads beyond: the chunks give the values of one call
    for name, s in sorted(schedules().items()):
        arrays = s.program().arrays()
        k = cpu.kernels(exact, arrays)
        a = np.empty(5000, dtype)
        b = np.empty(5000, dtype)
        k["fill_span"](*arrays, 0, 3, a, *cpu.scratch())
        step = 2 * cpu.blocks.BLOCK
        for k0 in range(0, 5000, step):
            k["fill_span"](*arrays, 0, 3 + k0, b[k0 : k0 + step], *cpu.scratch())
        np.testing.assert_array_equal(a, b, err_msg=name)


def _plain_fill_span(mask):
    """``blocks.fill_span`` as plain Python with the switches of ``mask`` (no compile)."""
    from fastlr.kernels import blocks, formulas, runs
    from fastlr.kernels.retarget import compile_functions

    ns = {**layout.switches(mask), "ANCHORED_RUNS": False}
    out = compile_functions(formulas, formulas.KERNEL_FUNCTIONS + formulas.CPU_LEAF_FUNCTIONS, lambda f: f, ns)
    out.update(compile_functions(runs, runs.RUN_FUNCTIONS, lambda f: f, ns))
    names = blocks.PIECE_FUNCTIONS + blocks.INLINE_FUNCTIONS + blocks.SERIAL_FUNCTIONS
    out.update(compile_functions(blocks, names, lambda f: f, ns))
    return out["fill_span"]


def test_a_variant_of_exactly_a_programs_features_gives_the_full_ones_values():
    # the first program of a process compiles exactly its feature mask: a feature the mask
    # missed would drop a branch the program runs. Checked without compiling: the plain-Python
    # source with the program's switches against the same source with every switch on.
    full = _plain_fill_span(cpu.ALL_FEATURES)
    for name in CASES:
        arrays = schedules()[name].program().arrays()
        own = _plain_fill_span(cpu.feature_mask(*arrays))
        a = np.full(300, np.nan)
        b = np.full(300, np.nan)
        full(*arrays, 0, 0, a, *cpu.scratch())
        own(*arrays, 0, 0, b, *cpu.scratch())
        np.testing.assert_array_equal(a, b, err_msg=name)
        assert np.isfinite(a).all(), name


def test_feature_masks_are_remembered_by_the_arrays_identity():
    # a sweep asks for its program's mask once per call (not per chunk): the memo answers for the
    # same arrays, and a copy (a new program, however alike) is computed afresh
    a = fl.lower([fl.Schedule(fl.Cosine(1.0, 0.0, 10))]).arrays()
    ci, cf, si, sf = (x.copy() for x in a)
    si[:, layout.S_CODE] = np.where(si[:, layout.S_CODE] == layout.COS_DOWN, layout.TANH, si[:, layout.S_CODE])
    for arrays in (a, (ci, cf, si, sf), a):
        assert cpu.feature_mask(*arrays) == cpu._feature_mask(*arrays)
    assert cpu.feature_mask(*a) != cpu.feature_mask(ci, cf, si, sf)


def _globals_reached(names):
    """Every global name the kernel functions ``names`` read, through the functions they call."""
    import dis

    from fastlr.kernels import blocks, drivers, formulas, runs

    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        func = next(
            (getattr(m, name) for m in (formulas, runs, blocks, drivers) if callable(getattr(m, name, None))), None
        )
        if func is not None and hasattr(func, "__code__"):
            todo += [i.argval for i in dis.get_instructions(func) if i.opname == "LOAD_GLOBAL"]
    return seen


def test_the_fast_variants_share_their_anchored_runs():
    # the runs read no switch (checked on their code, through the formulas they call), so every
    # variant of the fast build binds the same compiled runs (nothing is compiled here)
    from fastlr.kernels import runs

    reached = _globals_reached(runs.RUN_FUNCTIONS)
    assert {"poly_runs", "exp_plain", "sinhalfpi"} <= reached
    assert not {n for n in reached if n.startswith("USE_") or n == "ANCHORED_RUNS"}
    small, full = cpu._variant(False, cpu.VARIANTS[0]), cpu._variant(False, cpu.ALL_FEATURES)
    for name in runs.RUN_FUNCTIONS:
        assert small[name] is full[name] is full["_namespace"][name], name


def test_users_builds_take_the_pieces_of_the_builtin_variant():
    # the pieces reach no user's function, so a build around users' functions binds those of
    # the built-in exact variant of its features (cached on disk) instead of compiling them
    from fastlr.kernels import user

    reached = _globals_reached(user.USER_FREE)
    assert {"piece", "cosine_down", "unit"} <= reached
    assert not reached & {"user_value", "user_fill"}
    f = fl.Formula(lambda t, n: 1.0 - t / n, params={"n": 100.0})
    prog = fl.Schedule(f, warmup=fl.Warmup(10)).program()
    k = user.kernels(prog.user, prog.arrays())
    builtin = cpu._variant(True, cpu.feature_mask(*prog.arrays()))
    for name in user.USER_FREE:
        assert k[name] is builtin[name] is k["_namespace"][name], name
    assert k["fill_rows"] is not builtin["fill_rows"]
