"""The conventions of the kernel layout: every shape code declared in ``layout.SHAPES`` has every
piece it needs, and everything derived from the table agrees with the kernel sources.

For each code: a ``unit`` branch calling its formula, a branch in ``blocks.piece`` or
``blocks.other_piece`` as the table says (and in ``blocks.unit_fill`` if it can be a warmup), a
schedule in ``tests/cases.py`` that uses it, and a path in ``tests/naive.py`` that evaluates that
schedule to the formulas' values. The checks read the kernel sources with ``ast``; nothing here
compiles a kernel.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from pathlib import Path

import numpy as np
import pytest

from fastlr.kernels import blocks, cpu, drivers, formulas, runs, user
from fastlr.kernels import layout as L
from tests import naive
from tests.cases import schedules, user_schedules
from tests.tolerance import assert_close64

KERNELS = Path(L.__file__).parent
NAMES = {s.code: s.name for s in L.SHAPES}


def function_tree(func) -> ast.FunctionDef:
    node = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


def compared_codes(test: ast.expr) -> set[str]:
    """Names of the codes a branch condition compares ``code`` with (``code == L.X``)."""
    out = set()
    for node in ast.walk(test):
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Name)
            and node.left.id == "code"
            and isinstance(node.ops[0], ast.Eq)
        ):
            right = node.comparators[0]
            if isinstance(right, ast.Attribute) and isinstance(right.value, ast.Name) and right.value.id == "L":
                out.add(right.attr)
            elif isinstance(right, ast.Name):
                out.add(right.id)
    return out


def switches_in(test: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(test) if isinstance(n, ast.Name) and n.id.startswith("USE_")}


def branches(func) -> list[ast.If]:
    """The ``if``/``elif`` nodes of a function that dispatch on ``code``."""
    return [n for n in ast.walk(function_tree(func)) if isinstance(n, ast.If) and compared_codes(n.test)]


def handled(func) -> set[str]:
    return set().union(*(compared_codes(b.test) for b in branches(func)))


def calls_in(nodes: list[ast.stmt]) -> set[str]:
    return {
        n.func.id for stmt in nodes for n in ast.walk(stmt) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }


# ---- the table itself -------------------------------------------------------------------------


def test_each_row_binds_its_code_and_switch():
    assert [s.code for s in L.SHAPES] == list(range(L.N_CODES))
    assert len({s.name for s in L.SHAPES}) == L.N_CODES
    for s in L.SHAPES:
        assert getattr(L, s.name) == s.code, s.name
        assert getattr(L, s.switch) is True, s.switch
        assert s.fill in (L.PIECE, L.OTHER_PIECE, None), s
        assert s.params, s.name


def test_feature_bits_follow_code_order():
    assert L.FEATURES[: L.N_CODES] == tuple(f"USE_{s.name}" for s in L.SHAPES)
    assert len(set(L.FEATURES)) == len(L.FEATURES)
    assert all(getattr(L, name) is True for name in L.FEATURES)
    assert L.ALL_FEATURES == cpu.ALL_FEATURES == (1 << len(L.FEATURES)) - 1
    # a program using code c sets bit c of its feature mask
    for s in L.SHAPES:
        name, sched = case_using(s.code)
        assert cpu.feature_mask(*sched.program().arrays()) >> s.code & 1, (s.name, name)


def test_switches_bind_every_feature_and_the_derived_one():
    on = L.switches(L.ALL_FEATURES)
    assert set(on) == {*L.FEATURES, "USE_OTHER_PIECE"}
    assert all(on.values())
    assert not any(L.switches(0).values())


# ---- formulas.unit ----------------------------------------------------------------------------


def test_unit_has_a_branch_calling_each_codes_formula():
    found = {}
    for b in branches(formulas.unit):
        for name in compared_codes(b.test):
            found[name] = calls_in(b.body)
    assert set(found) == set(NAMES.values())
    for s in L.SHAPES:
        assert callable(getattr(formulas, s.formula, None)), f"formulas.{s.formula} ({s.name})"
        assert s.formula in formulas.LEAF_FUNCTIONS, s.formula
        assert s.formula in found[s.name], f"unit's {s.name} branch does not call {s.formula}"


def test_unit_dispatches_every_code_in_plain_python():
    # x, n and q0..q3 for which every curve is finite (RAdam needs x large enough for beta2)
    for s in L.SHAPES:
        v = formulas.unit(s.code, 10.0, 30.0, 0.9, 19.0, 0.0, 1.0)
        if s.code == L.USER:  # a user's function needs its parameters: curve_value calls user_value
            assert np.isnan(v)
            continue
        assert np.isfinite(v), (s.name, v)
    assert np.isnan(formulas.unit(L.N_CODES, 10.0, 30.0, 0.9, 19.0, 0.0, 1.0))


# ---- blocks: piece, other_piece, unit_fill, main_block -----------------------------------------


def test_piece_and_other_piece_take_the_codes_the_table_gives_them():
    assert handled(blocks.piece) == {s.name for s in L.SHAPES if s.fill == L.PIECE}
    assert handled(blocks.other_piece) == {NAMES[c] for c in L.OTHER_PIECE_CODES}
    assert {NAMES[c] for c in L.OTHER_PIECE_CODES} == {s.name for s in L.SHAPES if s.fill == L.OTHER_PIECE or s.powered}


def test_unit_fill_takes_the_warmup_codes():
    assert handled(blocks.unit_fill) == {NAMES[c] for c in L.WARMUP_CODES}


def test_main_block_calls_other_piece_under_the_derived_switch_only():
    guards = [
        n.test
        for n in ast.walk(function_tree(blocks.main_block))
        if isinstance(n, ast.If) and "other_piece" in calls_in(n.body)
    ]
    assert len(guards) == 1
    assert switches_in(guards[0]) == {"USE_OTHER_PIECE"}


def test_derived_switch_is_on_exactly_when_a_branch_of_other_piece_is_live():
    # each branch of other_piece is live when all the switches of its condition are on
    conditions = []
    for b in branches(blocks.other_piece):
        assert isinstance(b.test, ast.BoolOp) and isinstance(b.test.op, ast.And), ast.unparse(b.test)
        conditions.append(switches_in(b.test))
    names = sorted(set().union(*conditions))
    assert "USE_COS_POW" in names
    bit = {name: i for i, name in enumerate(L.FEATURES)}
    for values in itertools.product((False, True), repeat=len(names)):
        on = dict(zip(names, values))
        mask = sum(1 << bit[n] for n in names if on[n])
        live = any(all(on[n] for n in cond) for cond in conditions)
        assert L.switches(mask)["USE_OTHER_PIECE"] == live, on


def test_every_kernel_function_is_compiled():
    # a function of runs, blocks or drivers left out of its module's lists would reach Numba
    # as a plain Python function
    lists = {
        runs: runs.RUN_FUNCTIONS,
        blocks: blocks.PIECE_FUNCTIONS + blocks.INLINE_FUNCTIONS + blocks.SERIAL_FUNCTIONS,
        drivers: drivers.SERIAL_DRIVERS + drivers.PARALLEL_DRIVERS,
    }
    for module, names in lists.items():
        defined = {n for n, f in vars(module).items() if inspect.isfunction(f) and f.__module__ == module.__name__}
        assert defined == set(names), module.__name__


# ---- the reference and the cases --------------------------------------------------------------


def codes_of(sched) -> set[int]:
    ci, _, si, _ = sched.program().arrays()
    warm = ci[:, L.I_WU_MODE] != L.WU_NONE
    return set(si[:, L.S_CODE].tolist()) | set(ci[warm, L.I_WU_CODE].tolist())


def case_using(code: int):
    every = {**schedules(), **user_schedules()}
    found = sorted(name for name, s in every.items() if code in codes_of(s))
    assert found, f"tests/cases.py has no schedule using shape code {NAMES[code]}"
    return found[0], every[found[0]]


@pytest.mark.parametrize("code", range(L.N_CODES), ids=[s.name for s in L.SHAPES])
def test_each_code_has_a_case_and_a_naive_path(code):
    name, sched = case_using(code)
    T = 90
    prog = sched.program()
    ci, cf, si, sf = prog.arrays()
    # the formula source, as Python (with users' functions bound, as kernels.user binds them)
    value = formulas.value if prog.user is None else user._python_build(prog.user)["value"]
    got = [value(ci, cf, si, sf, 0, t) for t in range(T)]
    want = naive.table(sched.to_dict(), T)
    assert_close64(got, want, err_msg=f"{NAMES[code]} in case {name}")


# ---- imports ----------------------------------------------------------------------------------


def test_kernels_import_nothing_of_fastlr_outside_the_package():
    for path in sorted(KERNELS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
                if node.module == "fastlr":
                    modules = [f"fastlr.{a.name}" for a in node.names]
            else:
                continue
            for mod in modules:
                if mod == "fastlr" or mod.startswith("fastlr."):
                    assert mod.startswith("fastlr.kernels"), f"{path.name}:{node.lineno} imports {mod}"
