"""fastlr.studies: sampling (against scipy.stats.qmc / numpy directly) and the sweep tools' readers.

The readers are checked on files the real tools wrote (tests/data/studies/, made by record.py
there; these always run) and, where the tool is installed (the ``studies`` extra), live.
"""

from __future__ import annotations

import json
import math
import pathlib
import re

import numpy as np
import pytest

import fastlr as fl
from fastlr.studies import IntRange, Uniform

DATA = pathlib.Path(__file__).parent / "data" / "studies"


def _load(name: str):
    return json.loads((DATA / name).read_text())


def _naive_points(u: np.ndarray) -> dict[str, np.ndarray]:
    """The published mappings, written out: log-uniform, inclusive integers, equal choices."""
    lo, hi = 1e-4, 1e-2
    lr = np.array([math.exp(math.log(lo) + x * (math.log(hi) - math.log(lo))) for x in u[:, 0]])
    warmup = np.array([0 + int(x * 2001) for x in u[:, 1]])
    shape = np.array([["cosine", "linear", "sqrt"][int(x * 3)] for x in u[:, 2]], dtype=object)
    return {"lr": lr, "warmup": warmup, "shape": shape}


AXES = {"lr": fl.loguniform(1e-4, 1e-2), "warmup": fl.intrange(0, 2000), "shape": ["cosine", "linear", "sqrt"]}


@pytest.mark.parametrize("method", ["sobol", "lhs", "random"])
def test_sample_is_the_reference_points_mapped(method):
    """The unit points are scipy's Sobol / Latin hypercube (or numpy's uniforms) for the seed."""
    n, seed = 64, 1234
    if method == "random":
        u = np.random.default_rng(seed).random((n, 3))
    else:
        qmc = pytest.importorskip("scipy.stats.qmc")
        cls = qmc.Sobol if method == "sobol" else qmc.LatinHypercube
        u = cls(3, rng=seed).random(n)
    got = fl.sample(n, seed=seed, method=method, **AXES, steps=9000)
    want = _naive_points(u)
    np.testing.assert_allclose(got["lr"], want["lr"], rtol=1e-14)
    assert got["warmup"].dtype == np.int64 and got["warmup"].tolist() == want["warmup"].tolist()
    assert got["shape"].tolist() == want["shape"].tolist()
    assert got["steps"].tolist() == [9000] * n
    # reproducible, seed-dependent; a Generator seed works as numpy/scipy take it
    again = fl.sample(n, seed=seed, method=method, **AXES)
    assert all((again[k] == got[k]).all() for k in again)
    other = fl.sample(n, seed=seed + 1, method=method, **AXES)
    assert not (other["lr"] == got["lr"]).all()
    gen = fl.sample(n, seed=np.random.default_rng(seed), method=method, **AXES)
    assert (gen["lr"] == got["lr"]).all()
    fl.lower(got)  # valid configs


def test_sample_balance_and_axes():
    """Sobol points are balanced: exactly half the lrs below the geometric mean, each of 4
    integers and each choice hit n/4 (n/2) times; grids with steps; the log integer axis."""
    pytest.importorskip("scipy")
    n = 1024
    c = fl.sample(
        n,
        seed=7,
        lr=fl.loguniform(1e-4, 1e-2),
        cycles=fl.intrange(1, 4),
        shape=["cosine", "linear"],
        end_ratio=fl.uniform(0.0, 0.5, step=0.1),
        warmup=fl.intrange(0, 1000, step=250),
        hold=fl.intrange(1, 1000, log=True),
    )
    assert int((c["lr"] < 1e-3).sum()) == n // 2
    assert ((c["lr"] >= 1e-4) & (c["lr"] <= 1e-2)).all()
    assert np.bincount(c["cycles"]).tolist() == [0, n // 4, n // 4, n // 4, n // 4]
    assert sorted(set(c["shape"].tolist())) == ["cosine", "linear"] and (c["shape"] == "cosine").sum() == n // 2
    np.testing.assert_allclose(sorted(set(c["end_ratio"].round(12).tolist())), [0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert sorted(set(c["warmup"].tolist())) == [0, 250, 500, 750, 1000]
    h = c["hold"]
    # log integers: round(exp(log(1/2) + u (log(1000.5) - log(1/2)))) of the sixth coordinate
    from scipy.stats import qmc

    a, b = math.log(0.5), math.log(1000.5)
    u = qmc.Sobol(6, rng=7).random(n)[:, 5]
    assert h.tolist() == [round(math.exp(a + x * (b - a))) for x in u]
    assert h.min() == 1 and h.max() <= 1000
    u = Uniform(0.0, 1.0).values(np.array([0.0, 0.25, 0.999999]))
    assert u.tolist() == [0.0, 0.25, 0.999999]
    assert IntRange(5, 5).values(np.array([0.0, 0.9])).tolist() == [5, 5]


def test_sample_errors():
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        fl.sample(0, lr=[1e-3])
    with pytest.raises(ValueError, match="method must be one of 'random', 'sobol', 'lhs'; got 'halton'"):
        fl.sample(4, method="halton", lr=[1e-3])
    with pytest.raises(ValueError, match="at least one axis"):
        fl.sample(4)
    with pytest.raises(ValueError, match=r"unknown config column\(s\) \['warmpu'\]"):
        fl.sample(4, warmpu=fl.intrange(0, 10))
    with pytest.raises(ValueError, match="axis 'lr' is an empty list"):
        fl.sample(4, lr=[])
    with pytest.raises(TypeError, match="axis 'lr' must be"):
        fl.sample(4, lr={"min": 1})
    with pytest.raises(TypeError, match="seed must be an int"):
        fl.sample(4, seed=1.5, lr=[1e-3])
    with pytest.raises(ValueError, match=re.escape("low must be > 0 for a log-uniform axis, got 0.0")):
        fl.loguniform(0, 1)
    with pytest.raises(ValueError, match=re.escape("high must be >= low, got low=2.0, high=1.0")):
        fl.uniform(2, 1)
    with pytest.raises(ValueError, match="low must be a finite number, got nan"):
        fl.uniform(float("nan"), 1)
    with pytest.raises(ValueError, match="multiple of step"):
        fl.uniform(0, 1, step=0.3)
    with pytest.raises(ValueError, match="multiple of step"):
        fl.intrange(0, 10, step=3)
    with pytest.raises(ValueError, match="low >= 1 and step 1, got low=0"):
        fl.intrange(0, 10, log=True)
    with pytest.raises(ValueError, match=re.escape("high must be an integer, got 2.5")):
        fl.intrange(0, 2.5)


# ---- recorded files: always run --------------------------------------------------------------


def test_optuna_trials_dataframe_recorded():
    pd = pytest.importorskip("pandas")
    rec = _load("optuna.json")["params"]
    df = pd.read_csv(DATA / "optuna_trials.csv")
    cols = fl.from_study(df, names={"batch_size": None})
    assert sorted(cols) == ["lr", "power", "shape", "warmup"]
    assert cols["lr"].tolist() == [p["lr"] for p in rec]
    assert cols["warmup"].tolist() == [p["warmup"] for p in rec]
    assert cols["shape"].tolist() == [p["shape"] for p in rec]
    # power is conditional (polynomial trials only): the others take fastlr's default 1.0
    assert cols["power"].tolist() == [p.get("power", 1.0) for p in rec]
    assert any("power" not in p for p in rec)
    prog = fl.lower({**cols, "steps": 5000})
    i = next(i for i, p in enumerate(rec) if p["shape"] == "polynomial")
    assert prog.config(i)["power"] == rec[i]["power"] and prog.config(i)["warmup"] == rec[i]["warmup"]
    # the same trials as plain dicts read the same; batch_size is a column fastlr does not know
    assert all((fl.from_study(rec, names={"batch_size": None})[k] == cols[k]).all() for k in cols)
    with pytest.raises(ValueError, match=r"unknown config column\(s\) \['batch_size'\]"):
        fl.lower({**fl.from_study(df), "steps": 5000})
    # trials_dataframe(multi_index=True) and a polars frame read the same
    multi = df.copy()
    multi.columns = pd.MultiIndex.from_tuples([tuple(c.split("_", 1)) if "_" in c else (c, "") for c in df.columns])
    assert all(fl.from_study(multi, names={"batch_size": None})[k].tolist() == cols[k].tolist() for k in cols)
    try:
        import polars as pl
    except ImportError:
        return
    pcols = fl.from_study(pl.from_pandas(df), names={"batch_size": None})
    assert all(pcols[k].tolist() == cols[k].tolist() for k in cols)


def test_ray_results_dataframe_recorded():
    pd = pytest.importorskip("pandas")
    rec = _load("ray.json")["configs"]
    df = pd.read_csv(DATA / "ray_results.csv")
    assert "score" in df.columns and "config/optimizer/lr" in df.columns
    cols = fl.from_study(df, names={"momentum": None})
    assert sorted(cols) == ["end_ratio", "lr", "shape", "warmup"]  # metrics and ids left out
    assert cols["lr"].tolist() == [c["optimizer"]["lr"] for c in rec]
    assert cols["warmup"].tolist() == [c["warmup"] for c in rec]
    assert cols["shape"].tolist() == [c["shape"] for c in rec]
    assert cols["end_ratio"].tolist() == [c["end_ratio"] for c in rec]
    nested = fl.from_study(rec, names={"optimizer.momentum": None})
    assert all((nested[k] == cols[k]).all() for k in cols)
    table = fl.sweep({**cols, "steps": 100}, 2100)
    assert table.shape == (len(rec), 2100) and table.dtype == np.float32
    i = 0
    np.testing.assert_allclose(table[i, rec[i]["warmup"]], rec[i]["optimizer"]["lr"], rtol=1e-7)


def test_wandb_run_config_recorded():
    rec = _load("wandb.json")
    names = {"learning_rate": "lr", "epochs": None}
    from_yaml = fl.from_study(rec["config_yaml"], names=names)  # {"key": {"desc", "value"}}, wandb_version
    from_run = fl.from_study(rec["run_config"], names=names)
    given = rec["given"]
    want = {
        "lr": [given["learning_rate"]],
        "warmup": [given["warmup"]],
        "shape": [given["scheduler"]["shape"]],
        "end_ratio": [given["scheduler"]["end_ratio"]],
    }
    for cols in (from_yaml, from_run):
        assert {k: v.tolist() for k, v in cols.items()} == want
    fl.lower({**from_yaml, "steps": 1000})


def test_hydra_multirun_recorded():
    rec = _load("hydra.json")
    cols = fl.from_study(rec["configs"], names={"weight_decay": None})
    want = fl.grid(lr=[1e-4, 3e-4], warmup=[0, 500], shape=["cosine", "linear"])
    assert sorted(cols) == sorted(want)
    assert all(cols[k].tolist() == want[k].tolist() for k in want)
    with pytest.raises(ValueError, match=r"names: \['momentum'\] match no parameter"):
        fl.from_study(rec["configs"], names={"momentum": None})


WANDB_SWEEP = {
    "method": "bayes",
    "metric": {"name": "val_loss", "goal": "minimize"},
    "parameters": {
        "learning_rate": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-3},
        "warmup_frac": {"distribution": "log_uniform", "min": -4.0, "max": 0.0},
        "warmup": {"min": 0, "max": 1000},
        "end_ratio": {"min": 0.0, "max": 0.1},
        "schedule": {"parameters": {"shape": {"values": ["cosine", "linear"]}, "steps": {"value": 9000}}},
        "epochs": {"value": 3},
    },
}


def test_wandb_sweep_config():
    axes = fl.search_space(WANDB_SWEEP, names={"learning_rate": "lr", "warmup_frac": None, "epochs": None})
    assert axes == {
        "lr": Uniform(1e-5, 1e-3, log=True),
        "warmup": IntRange(0, 1000),
        "end_ratio": Uniform(0.0, 0.1),
        "shape": ["cosine", "linear"],
        "steps": 9000,
    }
    exp = fl.search_space(WANDB_SWEEP)["warmup_frac"]
    assert exp.log and exp.high == 1.0 and exp.low == math.exp(-4.0)
    c = fl.sample(16, seed=0, **axes)
    fl.lower(c)
    bad = {"parameters": {"lr": {"distribution": "q_log_uniform_values", "min": 1e-5, "max": 1e-3, "q": 1e-5}}}
    with pytest.raises(
        ValueError, match=re.escape("parameters.lr: W&B distribution 'q_log_uniform_values' has no fastlr axis")
    ):
        fl.search_space(bad)
    with pytest.raises(ValueError, match="probabilities"):
        fl.search_space({"parameters": {"shape": {"values": ["cosine"], "probabilities": [1.0]}}})
    with pytest.raises(ValueError, match=re.escape("parameters.lr: distribution 'uniform' needs 'max'")):
        fl.search_space({"parameters": {"lr": {"distribution": "uniform", "min": 0.1}}})


def test_reader_errors():
    with pytest.raises(ValueError, match=r"parameters 'a.lr' and 'b.lr' .* both name column 'lr'"):
        fl.from_study({"a": {"lr": 1e-3}, "b": {"lr": 1e-4}})
    assert fl.from_study({"a": {"lr": 1e-3}, "b": {"lr": 1e-4}}, names={"b.lr": None})["lr"].tolist() == [1e-3]
    with pytest.raises(ValueError, match=r"config 1 has no value for 'lr' \(column 'lr', which has no default\)"):
        fl.from_study([{"lr": 1e-3, "warmup": 5}, {"warmup": 10}])
    assert fl.from_study([{"lr": 1e-3, "warmup": 5}, {"lr": 1e-3}])["warmup"].tolist() == [5, 0]
    with pytest.raises(TypeError, match="configs must be a frame"):
        fl.from_study(3)
    with pytest.raises(ValueError, match="no configs"):
        fl.from_study([])
    with pytest.raises(TypeError, match=r"configs\[1\]: expected a mapping"):
        fl.from_study([{"lr": 1.0}, 5])
    with pytest.raises(TypeError, match="names must map"):
        fl.from_study({"lr": 1.0}, names={"lr": 3})
    with pytest.raises(TypeError, match="space must be"):
        fl.search_space([1, 2])
    axes = fl.search_space({"lr": fl.loguniform(1e-4, 1e-2), "shape": ("cosine", "linear"), "grid": {"warmup": 5}})
    assert axes == {"lr": Uniform(1e-4, 1e-2, log=True), "shape": ["cosine", "linear"], "warmup": 5}


# ---- the real packages, where installed ------------------------------------------------------


def test_optuna_live():
    optuna = pytest.importorskip("optuna")
    pytest.importorskip("pandas")
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        trial.suggest_float("lr", 1e-4, 1e-2, log=True)
        trial.suggest_int("warmup", 0, 1000, step=100)
        trial.suggest_float("end_ratio", 0.0, 0.5, step=0.1)
        trial.suggest_categorical("shape", ["cosine", "linear"])
        return 0.0

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=5)
    params = [t.params for t in study.trials]
    frames = (study.trials_dataframe(), study.trials_dataframe(multi_index=True))
    for cols in (fl.from_study(study), *map(fl.from_study, frames), fl.from_study(study.trials)):
        assert {k: v.tolist() for k, v in cols.items()} == {k: [p[k] for p in params] for k in params[0]}
    assert fl.from_study(study.best_trial)["lr"].tolist() == [study.best_trial.params["lr"]]
    axes = fl.search_space(study)
    assert axes == {
        "lr": Uniform(1e-4, 1e-2, log=True),
        "warmup": IntRange(0, 1000, step=100),
        "end_ratio": Uniform(0.0, 0.5, step=0.1),
        "shape": ["cosine", "linear"],
    }
    dists = study.trials[0].distributions
    c = fl.sample(32, seed=3, method="random", **axes)
    for k, d in dists.items():  # every sampled value lies in Optuna's own distribution
        assert all(d._contains(d.to_internal_repr(v.item() if hasattr(v, "item") else v)) for v in c[k])


def test_ray_tune_live():
    tune = pytest.importorskip("ray.tune")
    space = {
        "optimizer": {"lr": tune.loguniform(1e-4, 1e-2), "momentum": 0.9},
        "warmup": tune.randint(0, 2000),
        "hold": tune.lograndint(1, 100),
        "end_ratio": tune.uniform(0.0, 0.2),
        "shape": tune.choice(["cosine", "linear"]),
        "cycles": tune.grid_search([1, 2]),
    }
    axes = fl.search_space(space, names={"momentum": None})
    assert axes == {
        "lr": Uniform(1e-4, 1e-2, log=True),
        "warmup": IntRange(0, 1999),
        "hold": IntRange(1, 99, log=True),
        "end_ratio": Uniform(0.0, 0.2),
        "shape": ["cosine", "linear"],
        "cycles": [1, 2],
    }
    with pytest.raises(ValueError, match="lr: Ray Tune Float with Quantized sampling has no fastlr axis"):
        fl.search_space({"lr": tune.quniform(0.0, 1.0, 0.1)})
    # a tune Result's config (a ResultGrid's items; record.py reads a whole grid)
    rec = _load("ray.json")["configs"]
    results = [tune.Result(metrics={"config": c}, checkpoint=None, error=None, path="/nonexistent") for c in rec]
    cols = fl.from_study(results, names={"momentum": None})
    assert cols["lr"].tolist() == [c["optimizer"]["lr"] for c in rec]
    assert fl.from_study(results[1], names={"momentum": None})["warmup"].tolist() == [rec[1]["warmup"]]


def test_hydra_live():
    pytest.importorskip("hydra")
    omegaconf = pytest.importorskip("omegaconf")
    rec = _load("hydra.json")
    axes = fl.search_space(rec["sweeper_params"])
    assert axes == {"lr": [1e-4, 3e-4], "warmup": [0, 500], "shape": ["cosine", "linear"]}
    assert fl.search_space({"hydra": {"sweeper": {"params": rec["sweeper_params"]}}, "optimizer": {"lr": 1}}) == axes
    ranged = fl.search_space(
        omegaconf.OmegaConf.create(
            {"lr": "tag(log, interval(1e-4, 1e-2))", "warmup": "int(interval(0, 2000))", "end": "interval(0, 1e-5)"}
        )
    )
    assert ranged == {"lr": Uniform(1e-4, 1e-2, log=True), "warmup": IntRange(0, 2000), "end": Uniform(0.0, 1e-5)}
    # each job's overrides.yaml reads as the job's config did
    from_overrides = fl.from_study(rec["overrides"])
    want = fl.from_study(rec["configs"], names={"weight_decay": None})
    assert all(from_overrides[k].tolist() == want[k].tolist() for k in want)
    one = fl.from_study(omegaconf.OmegaConf.create(rec["configs"][3]), names={"weight_decay": None})
    assert {k: v.tolist() for k, v in one.items()} == {"lr": [1e-4], "shape": ["linear"], "warmup": [500]}
    with pytest.raises(ValueError, match="is a sweep"):
        fl.from_study(["lr=1e-4,1e-3"])


def test_wandb_live():
    wandb = pytest.importorskip("wandb")
    cfg = wandb.Config()
    cfg.update({"learning_rate": 1e-3, "scheduler": {"warmup": 100}})
    cols = fl.from_study(cfg, names={"learning_rate": "lr"})
    assert {k: v.tolist() for k, v in cols.items()} == {"lr": [1e-3], "warmup": [100]}


def test_docs_page_examples_run():
    """docs/studies.md: its ``>>>`` examples run (the blocks without prompts need the tools)."""
    import doctest

    pytest.importorskip("pandas")
    pytest.importorskip("scipy")
    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "studies.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if ">>>" in b]
    assert len(blocks) == 3
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    globs: dict = {}
    for i, block in enumerate(blocks):
        test = doctest.DocTestParser().get_doctest(block, globs, f"studies.md[{i}]", "docs/studies.md", 0)
        runner.run(test, clear_globs=False)
        globs.update(test.globs)
    assert runner.summarize(verbose=False).failed == 0


SAMPLE_TOML = """
steps = 3000
[sample]
n = 16
seed = 5
method = "lhs"
[sample.axes]
lr = { loguniform = [1e-4, 1e-2] }
warmup = { intrange = [0, 1000, 100] }
shape = ["cosine", "linear"]
[defaults]
end_ratio = 0.1
"""


def test_cli_sweep_file_sample(tmp_path):
    """A sweep file's ``sample`` block is fastlr.sample; the decay fills the table; errors name the axis."""
    pytest.importorskip("scipy")
    from fastlr.cli.spec import CLIError
    from fastlr.cli.sweepfile import load_sweep, lower_job

    path = tmp_path / "s.toml"
    path.write_text(SAMPLE_TOML)
    job = load_sweep(path)
    want = fl.sample(
        16,
        seed=5,
        method="lhs",
        lr=fl.loguniform(1e-4, 1e-2),
        warmup=fl.intrange(0, 1000, step=100),
        shape=["cosine", "linear"],
    )
    assert job.form == "sample" and job.axes == ("lr", "warmup", "shape")
    for k in want:
        assert job.configs[k].tolist() == want[k].tolist()
    assert "steps" not in job.configs and job.configs["end_ratio"] == 0.1  # the decay fills T when lowered
    filled = {**job.configs, "steps": 3000 - want["warmup"]}
    np.testing.assert_array_equal(fl.sweep(lower_job(job, "s.toml"), 3000), fl.sweep(filled, 3000))
    assert len(lower_job(job, str(path))) == 16

    def fails(text: str, match: str) -> None:
        path.write_text(text)
        with pytest.raises(CLIError, match=match):
            lower_job(load_sweep(path), str(path))

    fails(SAMPLE_TOML.replace("[0, 1000, 100]", "[-500, 1000, 100]"), r"sample\.axes\.warmup: warmup must be >= 0")
    fails(SAMPLE_TOML.replace("intrange", "normal"), r"sample\.axes\.warmup: a mapping axis has one key of uniform")
    fails(SAMPLE_TOML.replace("[1e-4, 1e-2]", "[0, 1e-2]"), r"sample\.axes\.lr\.loguniform: low must be > 0")
    fails(SAMPLE_TOML.replace('method = "lhs"', 'method = "grid"'), r"sample: method must be one of")
    fails(SAMPLE_TOML.replace("n = 16", "n = 0"), r"sample: n must be an integer >= 1, got 0")
    fails(SAMPLE_TOML.replace("seed = 5", "size = 5"), r"sample: unknown key\(s\) \['size'\]")
    fails(SAMPLE_TOML.replace("shape =", "shap ="), r"sample\.axes: unknown config column\(s\) \[.shap.\]")
    fails(SAMPLE_TOML + "[grid]\nlr = [0.1]\n", "give exactly one of 'grid'")


def test_example_sample_file_loads():
    pytest.importorskip("scipy")
    from fastlr.cli.sweepfile import load_sweep, lower_job

    path = pathlib.Path(__file__).resolve().parents[1] / "examples" / "sample.toml"
    job = load_sweep(path)
    assert len(lower_job(job, str(path))) == 256 and job.steps == 10_000
