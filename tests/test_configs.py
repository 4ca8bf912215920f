"""The flat-config vocabulary: aliases, ratio columns, decay lengths from T, gamma, and one
validation shared by ``config_schedule`` and the columnar lowering (issues 19 and 21)."""

from __future__ import annotations

import doctest
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import fastlr as fl
from fastlr.lowering import configs as cf

ROOT = Path(__file__).resolve().parents[1]


def _same_rows(a: fl.Program, b: fl.Program) -> None:
    for x, y in zip(a.arrays(), b.arrays()):
        np.testing.assert_array_equal(x, y)


def test_docs_table_is_the_vocabulary():
    text = (ROOT / "docs" / "configs.md").read_text()
    assert cf.vocabulary_table() in text
    assert "docs/configs.md" in (ROOT / "README.md").read_text()
    assert set(cf.COLUMNS) == {c.name for c in cf.VOCABULARY}
    assert not set(cf.ALIASES) & set(cf.COLUMNS)
    # the page's examples run
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner()
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", text, flags=re.S)):
        runner.run(parser.get_doctest(block, {}, f"configs.md[{i}]", "docs/configs.md", 0))
    assert runner.summarize(verbose=False).failed == 0


def test_aliases_are_the_canonical_columns():
    hf = {"learning_rate": 3e-4, "num_warmup_steps": 10, "num_training_steps": 100, "min_lr": 3e-5}
    assert cf.canonical(hf) == {"lr": 3e-4, "warmup": 10, "total_steps": 100, "end": 3e-5}
    ref = fl.config_schedule(lr=3e-4, warmup=10, steps=90, end=3e-5)
    assert fl.config_schedule(**hf) == ref
    _same_rows(fl.lower([hf, hf]), fl.lower([ref, ref]))
    assert fl.grid(learning_rate=[1e-3, 2e-3], warmup_steps=5).keys() == {"lr", "warmup"}
    with pytest.raises(ValueError, match=r"'lr' and 'learning_rate' both give column 'lr'"):
        fl.config_schedule(lr=1e-3, learning_rate=1e-3, steps=3)
    with pytest.raises(ValueError, match=r"row 1: 'warmup' and 'warmup_steps' both give column 'warmup'"):
        fl.lower([{"lr": 1.0, "steps": 3}, {"lr": 1.0, "steps": 3, "warmup": 1, "warmup_steps": 1}])
    with pytest.raises(ValueError, match=r"unknown config column\(s\) \['lrate'\]"):
        cf.canonical_name("lrate")


def test_missing_steps_come_from_T_as_in_the_cli():
    configs = [
        {"lr": 1e-3, "steps": 1000, "shape": "linear"},
        {"lr": 1e-3, "shape": "linear"},
        {"lr": 1e-3, "shape": "linear", "warmup": 2, "hold": 3},
        {"lr": 1e-3, "shape": "linear", "warmup": 2, "warmup_mode": "overlay"},
        {"lr": 1e-3, "shape": "linear", "warmup": 20},  # nothing left: at least 1, as the CLI
    ]
    prog = fl.lower(configs, total_steps=12)
    assert [prog.config(i)["steps"] for i in range(5)] == [1000, 12, 7, 12, 1]
    np.testing.assert_array_equal(fl.sweep(configs, 12, dtype=np.float64)[1], fl.Linear(1e-3, 0.0, 12).table(12))
    # no T: the row that lacks steps is named, never a one-step decay
    with pytest.raises(ValueError, match=r"row 1: shape 'linear' decays over 'steps'"):
        fl.lower(configs)
    with pytest.raises(ValueError, match=r"row 1: shape 'linear' decays over 'steps'"):
        fl.sweep(configs, 4, t0=2)  # a block of a longer run: its length is unknown
    # a total_steps column (or an alias) wins over T
    p2 = fl.lower({"lr": [1.0, 1.0], "num_training_steps": [50, 60], "warmup": 5}, total_steps=12)
    assert [p2.config(i)["steps"] for i in range(2)] == [45, 55]


def test_ratio_columns():
    prog = fl.lower(
        {"lr": 1.0, "warmup_ratio": [0.1, 0.07, 0.0], "hold_ratio": [0.2, 0.0, 0.0], "decay_ratio": [None, None, 0.5]},
        total_steps=100,
    )
    rows = [prog.config(i) for i in range(3)]
    assert [(r["warmup"], r["hold"], r["steps"]) for r in rows] == [
        (10, 20, 70),
        (math.ceil(0.07 * 100), 0, 92),
        (0, 0, 50),
    ]
    assert all(fl.config_schedule(**rows[i]) == prog.schedule(i) for i in range(3))  # traceable
    cols = prog.columns()
    assert cols["warmup_ratio"].tolist() == [0.1, 0.07, 0.0] and "total_steps" not in cols
    for bad, pattern in [
        ({"warmup_ratio": 1.5}, r"warmup_ratio must be in \[0, 1\], got 1.5"),
        ({"decay_ratio": 0.0}, r"decay_ratio must be in \(0, 1\], got 0.0"),
        ({"warmup_ratio": 0.1, "warmup": 3}, r"give 'warmup' or 'warmup_ratio', not both"),
        ({"hold_ratio": 0.1, "steps_per_epoch": 2, "steps": 4}, r"hold_ratio with steps_per_epoch > 1"),
    ]:
        with pytest.raises(ValueError, match=pattern):
            fl.config_schedule(lr=1.0, total_steps=100, **bad)
    with pytest.raises(ValueError, match=r"warmup_ratio needs 'total_steps'"):
        fl.config_schedule(lr=1.0, steps=10, warmup_ratio=0.1)


def test_exponential_and_step_need_or_derive_gamma():
    s = fl.config_schedule(lr=1.0, shape="exponential", steps=10, end=1e-2)
    t = s.table(14)
    np.testing.assert_allclose(t[:11], np.logspace(0, -2, 11), rtol=1e-13)
    assert (t[10:] == 1e-2).all()
    # the same from T in a sweep, with an end ratio
    row = fl.sweep({"lr": [1.0], "shape": "exponential", "end_ratio": 1e-2}, 11, dtype=np.float64)[0]
    np.testing.assert_allclose(row, 1e-2 ** (np.arange(11) / 11), rtol=1e-13)  # steps = T = 11
    with pytest.raises(ValueError, match=r"shape 'exponential' needs 'gamma', or lr > 0 and an end > 0"):
        fl.config_schedule(lr=1.0, shape="exponential", steps=10)
    with pytest.raises(ValueError, match=r"shape 'step' needs 'gamma'"):
        fl.config_schedule(lr=1.0, shape="step", step_size=3)
    with pytest.raises(ValueError, match=r"row 0: shape 'step' needs 'step_size'"):
        fl.lower({"lr": [1.0], "shape": "step", "gamma": 0.5})
    explicit = fl.config_schedule(lr=1.0, shape="exponential", gamma=0.5, step_size=2)
    assert explicit.curve == fl.Exponential(1.0, 0.5, 2.0)


#: Values each flat-config check must refuse, the same way in every path.
BAD = [
    ({"warmup": -5}, ValueError, r"warmup must be >= 0, got -5"),
    ({"hold": -10}, ValueError, r"hold must be >= 0, got -10"),
    ({"warmup": 2.5}, ValueError, r"warmup must be an integer, got 2.5"),
    ({"steps": 2.5}, ValueError, r"steps must be an integer, got 2.5"),
    ({"cycles": 1.5}, ValueError, r"cycles must be an integer, got 1.5"),
    ({"hold": 0.5}, ValueError, r"hold must be an integer, got 0.5"),
    ({"step_size": 1.5}, ValueError, r"step_size must be an integer, got 1.5"),
    ({"steps": 2**63}, ValueError, r"steps must be <= 2"),
    ({"lr": True}, TypeError, r"lr must be a number, got True"),
    ({"steps": True}, TypeError, r"steps must be a number, got True"),
    ({"steps_per_epoch": True}, TypeError, r"steps_per_epoch must be a number, got True"),
    ({"lr": "0.1"}, TypeError, r"lr must be a number, got '0.1'"),
    ({"shape": 3}, TypeError, r"shape must be a name"),
    ({"warmup_shape": "radam"}, ValueError, r"warmup_shape must be one of"),
    ({"cycles": 2, "end_ratio": 2.0}, ValueError, r"end must be <= lr when cycles > 1"),
]


@pytest.mark.parametrize("change, exc, pattern", BAD)
def test_one_validation_for_objects_columns_and_lists(change, exc, pattern):
    good = {"lr": 1.0, "shape": "cosine", "steps": 10}
    cfg = {**good, **change}
    with pytest.raises(exc, match=pattern):
        fl.config_schedule(**cfg)
    with pytest.raises(exc, match="row 1: " + pattern):
        fl.lower([good, cfg])
    with pytest.raises((ValueError, TypeError), match=pattern):
        fl.lower({k: [good.get(k, cfg[k]), v] for k, v in cfg.items()})


def test_columns_refuse_booleans_and_strings():
    with pytest.raises(TypeError, match=r"column 'lr' must be numeric, got booleans"):
        fl.lower({"lr": np.array([True, False]), "steps": 3})
    with pytest.raises(TypeError, match=r"column 'lr' must be numeric, got <U3"):
        fl.lower({"lr": np.array(["0.1", "0.2"]), "steps": 3})
    with pytest.raises(TypeError, match=r"row 1: lr must be a number, got True"):
        fl.lower({"lr": [0.1, True], "steps": 3})
    with pytest.raises(TypeError, match=r"grid axis 'lr': lr must be a number, got '0.1'"):
        fl.grid(lr="0.1")
    with pytest.raises(TypeError, match=r"grid axis 'steps': steps must be a number, got True"):
        fl.grid(lr=0.1, steps=[10, True])


def test_objects_and_columns_agree_on_random_configs():
    """Random flat configs (valid and not): the columnar lowering accepts a config exactly when
    config_schedule does, and lowers it to the same row."""
    rng = np.random.default_rng(7)
    choices = {
        "lr": [0.0, 1e-3, 1.0, -1.0],
        "shape": list(cf.SHAPES),
        "steps": [None, 1, 7, 0],
        "end": [None, 0.0, 5e-4, 2.0],
        "end_ratio": [None, 0.0, 0.1, 1.5],
        "warmup": [None, 0, 3, 30],
        "warmup_mode": ["prefix", "overlay", "blend"],
        "warmup_shape": list(cf.FLAT_WARMUP_SHAPES),
        "warmup_start": [0.0, 0.5],
        "hold": [None, 0, 2],
        "gamma": [None, 0.5, 1.5],
        "step_size": [None, 1, 3],
        "cycles": [1, 2, 3],
        "cycle_mult": [1.0, 2.0],
        "cycle_decay": [1.0, 0.5, 2.0],
        "floor": [0.0, 1e-4],
        "steps_per_epoch": [1, 2],
        "power": [1.0, 2.0],
        "total_steps": [None, 20],
    }
    accepted = refused = 0
    for _ in range(400):
        cfg = {k: v[rng.integers(len(v))] for k, v in choices.items()}
        cfg = {k: v for k, v in cfg.items() if v is not None}
        try:
            obj = fl.config_schedule(**cfg)
        except (ValueError, TypeError) as exc:
            refused += 1
            with pytest.raises(type(exc), match="row 0: "):
                fl.lower([cfg])
            continue
        accepted += 1
        prog = fl.lower([cfg])
        _same_rows(prog, fl.lower([obj]))
        assert prog.schedule(0) == obj
    assert accepted > 25 and refused > 100, (accepted, refused)


def test_sweep_refuses_an_out_that_is_the_programs_own_array():
    prog = fl.lower(fl.grid(lr=[1e-3, 2e-3], steps=10))
    with pytest.raises(ValueError, match="out shares memory with the program's own arrays"):
        fl.sweep(prog, prog.cf.shape[1], dtype=np.float64, out=prog.cf)


def test_cli_sweep_files_share_the_vocabulary(tmp_path):
    from fastlr.cli.spec import CLIError
    from fastlr.cli.sweepfile import load_sweep, lower_job

    def lowered(doc):
        path = tmp_path / "sweep.json"
        path.write_text(json.dumps(doc))
        return lower_job(load_sweep(path), str(path))

    float_steps = [{"lr": 0.1, "steps": 10.5}]
    with pytest.raises(CLIError, match=r"configs\[0\]: steps must be an integer, got 10.5"):
        lowered({"steps": 50, "configs": float_steps})
    with pytest.raises(CLIError, match=r"configs\[0\]: steps must be an integer, got 10.5"):
        lowered({"steps": 50, "configs": [*float_steps, {"type": "Constant", "value": 0.1}]})
    assert lowered({"steps": 50, "configs": [{"lr": 0.1, "steps": 10.0}]}).config(0)["steps"] == 10
    prog = lowered(
        {"steps": 50, "defaults": {"num_warmup_steps": 5}, "grid": {"learning_rate": [0.1, 0.2], "min_lr_ratio": 0.1}}
    )
    assert prog.config(1) == fl.lower([{"lr": 0.2, "warmup": 5, "steps": 45, "end_ratio": 0.1}]).config(0)
    with pytest.raises(CLIError, match=r"both grid axes and defaults"):
        lowered({"steps": 50, "defaults": {"warmup": 5}, "grid": {"lr": [0.1], "warmup_steps": [1]}})
    with pytest.raises(CLIError, match=r"grid.warmup: warmup must be >= 0, got -5 \(grid row 1\)"):
        lowered({"steps": 50, "grid": {"lr": [0.1], "warmup": [0, -5]}})
    # rows may name their end differently: each row its own
    prog = lowered({"steps": 50, "configs": [{"lr": 0.1, "end": 0.01}, {"lr": 0.1, "end_ratio": 0.5}]})
    assert prog.config(0)["end"] == 0.01 and prog.config(1)["end_ratio"] == 0.5
    assert prog.columns()["end"].tolist() == [0.01, 0.05]


def halfcos(t, total):
    # a user's decay for the formula column (tests/test_formula.py has more)
    return 0.5 * (1 + math.cos(math.pi * min(t, total) / total))


def test_a_formula_column_sweeps_its_parameters_as_columns():
    f = fl.Formula(halfcos, total=10)
    g = fl.grid(formula=[f], total=[20, 40], floor=[0.0, 0.05], warmup=[0, 5], lr=[1.0, 0.5])
    T = 60
    prog = fl.lower(g, T)
    assert len(prog.user.functions) == 1  # one function: the parameters are columns, one build
    got = fl.sweep(g, T, dtype=np.float64)
    for i in range(prog.n_rows):
        r = prog.config(i)
        main = [max(r["lr"] * halfcos(t - r["warmup"], r["total"]), r["floor"]) for t in range(T)]
        want = [main[r["warmup"]] * t / r["warmup"] for t in range(r["warmup"])] + main[r["warmup"] :]
        np.testing.assert_allclose(got[i], want, rtol=1e-15, atol=0)
        assert fl.config_schedule(**r) == prog.schedule(i)
    # the same program as the rows' schedule objects, and rows of shapes beside formula rows
    _same_rows(prog, fl.lower([prog.schedule(i) for i in range(prog.n_rows)]))
    mixed = [
        {"lr": 1.0, "shape": "linear", "steps": 10},
        {"formula": f, "total": 7, "hold": 3},  # lr: the Formula's scale; a hold before it
        {"formula": f},  # its own parameter
    ]
    want = [[1.0 - t / 10 if t < 10 else 0.0 for t in range(20)], [1.0] * 3, [halfcos(t, 10) for t in range(20)]]
    want[1] += [halfcos(t, 7) for t in range(17)]
    np.testing.assert_allclose(fl.sweep(mixed, 20, dtype=np.float64), want, rtol=1e-15, atol=1e-300)
    assert list(fl.lower(mixed, 20).columns()["shape"]) == ["linear", "formula", "formula"]


def test_formula_column_errors():
    f = fl.Formula(halfcos, total=10)
    with pytest.raises(ValueError, match=r"unknown config column\(s\) \['totl'\].*not a parameter of Formula\(halfcos"):
        fl.lower([{"formula": f, "totl": 3}], 10)
    with pytest.raises(ValueError, match=r"unknown config column\(s\) \['total'\]"):
        fl.lower([{"lr": 1.0, "total": 3}, {"formula": f}], 10)
    with pytest.raises(ValueError, match="give 'shape' or 'formula', not both"):
        fl.lower([{"formula": f, "shape": "linear"}], 10)
    with pytest.raises(ValueError, match="cycles > 1 with a formula"):
        fl.lower([{"formula": f, "cycles": 2}], 10)
    clash = fl.Formula(lambda t, floor: max(1.0 - t / 10, floor), floor=0.1)
    with pytest.raises(ValueError, match=r"column 'floor' is a config column and a parameter of"):
        fl.lower([{"formula": clash, "floor": 0.2}], 10)
    with pytest.raises(TypeError, match=r"formula must be a fastlr\.Formula"):
        fl.grid(formula=[halfcos])
    with pytest.raises(TypeError, match="total must be a number"):
        fl.lower({"formula": f, "total": ["x"]}, 10)
