"""The command line: end to end through ``python -m fastlr`` (exit codes, files read back and
compared with the Python API) and in process for the many error messages."""

from __future__ import annotations

import csv
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import fastlr
from fastlr import cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXAMPLES_SPEC = str(EXAMPLES / "warmup_cosine.json")
OPTAX = "optax:warmup_cosine_decay_schedule,init_value=0.0,peak_value=1e-3,warmup_steps=50,decay_steps=400"


def run(*args: str, cwd: pathlib.Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fastlr", *args], capture_output=True, text=True, cwd=cwd)


def main(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def read_csv(path: pathlib.Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


# ---- end to end (subprocess) -----------------------------------------------------------------


def test_table_file_spec_csv_and_npy(tmp_path):
    spec = fastlr.from_dict(json.loads((EXAMPLES / "warmup_cosine.json").read_text()))
    r = run("table", "examples/warmup_cosine.json", "--steps", "1200", "-o", str(tmp_path / "lr.csv"))
    assert r.returncode == 0, r.stderr
    assert "wrote 1,200 steps" in r.stdout
    rows = read_csv(tmp_path / "lr.csv")
    assert list(rows[0]) == ["step", "value"]
    assert [int(r["step"]) for r in rows] == list(range(1200))
    np.testing.assert_array_equal([float(r["value"]) for r in rows], spec.table(1200))
    r = run("table", "examples/warmup_cosine.json", "-T", "300", "--dtype", "float32", "-o", str(tmp_path / "lr.npy"))
    assert r.returncode == 0, r.stderr
    got = np.load(tmp_path / "lr.npy")
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, spec.table(300, dtype=np.float32))


def test_table_dialect_spec_matches_python(tmp_path):
    import fastlr.presets.optax as ox

    r = run("table", OPTAX, "--steps", "500", "-o", str(tmp_path / "o.npy"))
    assert r.returncode == 0, r.stderr
    expected = ox.warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, warmup_steps=50, decay_steps=400).table(
        500
    )
    np.testing.assert_array_equal(np.load(tmp_path / "o.npy"), expected)


def test_sweep_grid_end_to_end(tmp_path):
    cfg = tmp_path / "g.toml"
    cfg.write_text(
        'steps = 300\nthreshold = 2e-4\n[grid]\nlr = [1e-4, 3e-4, 1e-3]\nwarmup = [0, 50]\nshape = ["cosine", "linear"]\n'
    )
    out, summ = tmp_path / "out" / "t.npy", tmp_path / "out" / "s.csv"
    r = run("sweep", str(cfg), "-o", str(out), "--summary", str(summ), "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "12 configs × 300 steps" in r.stdout and "throughput:" in r.stdout
    cols = fastlr.grid(lr=[1e-4, 3e-4, 1e-3], warmup=[0, 50], shape=["cosine", "linear"])
    cols["steps"] = 300 - cols["warmup"]  # the decay fills the table
    table = np.load(out)
    assert table.dtype == np.float32 and table.shape == (12, 300)
    np.testing.assert_array_equal(table, fastlr.sweep(cols, 300))
    rows = read_csv(summ)
    expected = fastlr.summarize(cols, 300, threshold=2e-4)
    program = fastlr.lower(cols)
    assert list(rows[0])[: 1 + len(program.columns())] == ["row", *program.columns()]
    for i, row in enumerate(rows):
        assert int(row["row"]) == i
        for k, v in program.config(i).items():
            assert row[k] == str(v)
        for k in ("final", "peak", "min", "sum", "mean"):
            assert float(row[k]) == expected[k][i]
        for k in ("peak_step", "above", "below"):
            assert int(row[k]) == expected[k][i]


def test_errors_exit_2_with_pointer():
    r = run("table", OPTAX.replace("warmup_steps", "warmup_stepz"), "--steps", "10")
    assert r.returncode == 2
    assert "has no parameter 'warmup_stepz'" in r.stderr
    lines = r.stderr.splitlines()
    caret = lines[-1]
    start = caret.index("^")
    assert lines[-2][start:].startswith("warmup_stepz=50")
    r = run("table", "examples/warmup_cosine.json")  # argparse: missing --steps
    assert r.returncode == 2 and "--steps" in r.stderr
    r = run("sweep", "examples/nope.toml")
    assert r.returncode == 2 and "no such file" in r.stderr


def test_presets_help_and_bench():
    r = run("presets")
    assert r.returncode == 0, r.stderr
    assert "optax" in r.stdout and "warmup_cosine_decay_schedule" in r.stdout
    r = run("--help")
    assert r.returncode == 0 and "sweep" in r.stdout
    r = run("bench", "-N", "8", "-T", "200", "--repeat", "1", "--python-subset", "2")
    assert r.returncode == 0, r.stderr
    for name in ("np.fill", "fastlr.sweep", "NumPy vectorised", "Python lambda", "configs×steps per second"):
        assert name in r.stdout
    # the baselines compute the same schedule as fastlr (to float32 rounding)
    errors = r.stdout.split("max |error| / lr vs the float64 Python lambda: ")[1].split()
    assert errors[0] == "fastlr" and float(errors[1].rstrip(",")) < 1e-6
    assert errors[2:4] == ["NumPy", "float32"] and float(errors[4]) < 1e-6


# ---- SPEC forms (in process) -----------------------------------------------------------------


def test_spec_forms_agree(tmp_path):
    expected = fastlr.Schedule(fastlr.Cosine(3e-4, 3e-6, 900), warmup=fastlr.Warmup(100))
    d = expected.to_dict()
    (tmp_path / "s.json").write_text(json.dumps(d))
    (tmp_path / "s.yaml").write_text(json.dumps(d))  # JSON is YAML
    toml_text = (
        'type = "Schedule"\n[curve]\ntype = "Cosine"\nstart = 3e-4\nend = 3e-6\nsteps = 900\n'
        '[warmup]\ntype = "Warmup"\nsteps = 100\n'
    )
    (tmp_path / "s.toml").write_text(toml_text)
    assert cli.load_spec(str(tmp_path / "s.json")) == expected
    assert cli.load_spec(str(tmp_path / "s.toml")) == expected
    assert cli.load_spec(json.dumps(d)) == expected
    try:
        import yaml  # noqa: F401
    except ImportError:
        pass
    else:
        assert cli.load_spec(str(tmp_path / "s.yaml")) == expected
    flat = cli.load_spec('{"lr": 3e-4, "warmup": 100, "end": 3e-6, "steps": 900}')
    np.testing.assert_array_equal(flat.table(1000), expected.table(1000))


def test_flat_config_without_steps_fills_the_table():
    s = cli.load_spec('{"lr": 1e-3, "warmup": 100, "hold": 200, "shape": "linear"}', steps=1000)
    assert s == fastlr.config_schedule(lr=1e-3, warmup=100, hold=200, shape="linear", steps=700)
    s = cli.load_spec('{"lr": 1e-3, "warmup": 100, "warmup_mode": "overlay"}', steps=1000)
    assert s == fastlr.config_schedule(lr=1e-3, warmup=100, warmup_mode="overlay", steps=1000)
    with pytest.raises(ValueError, match=r"does not give; give 'steps' .* \(or pass --steps\)"):
        cli.load_spec('{"lr": 1e-3}')


def test_dialect_literals_and_positional_values():
    s = cli.load_spec("maskrcnn:WarmupMultiStepLR,base_lr=0.02,milestones=[300, 400],warmup_method=constant")
    import fastlr.presets.maskrcnn as mr

    assert s == mr.WarmupMultiStepLR(base_lr=0.02, milestones=[300, 400], warmup_method="constant")
    s = cli.load_spec("optax:constant_schedule,0.5")
    assert s.at(3) == 0.5


def test_transformers_get_scheduler_name():
    hf = pytest.importorskip("fastlr.presets.transformers")
    s = cli.load_spec("transformers:cosine,num_warmup_steps=10,num_training_steps=100,base_lr=3e-4")
    ref = hf.get_scheduler("cosine", num_warmup_steps=10, num_training_steps=100, base_lr=3e-4)
    np.testing.assert_array_equal(s.table(120), ref.table(120))
    s = cli.load_spec(
        "transformers:cosine_with_restarts,num_warmup_steps=10,num_training_steps=100,num_cycles=2,base_lr=1e-3"
    )
    ref = hf.get_scheduler(
        "cosine_with_restarts",
        num_warmup_steps=10,
        num_training_steps=100,
        scheduler_specific_kwargs={"num_cycles": 2},
        base_lr=1e-3,
    )
    np.testing.assert_array_equal(s.table(120), ref.table(120))


@pytest.mark.parametrize(
    ("spec", "message", "pointed"),
    [
        ("nodialect:f,a=1", "unknown dialect 'nodialect'; dialects: torch", "nodialect"),
        ("optax:nope,a=1", "'nope' is not a name of dialect 'optax'; names: constant_schedule", "nope"),
        (OPTAX.replace("peak_value=1e-3", "peak_value=-1"), "peak_value must be >= 0, got -1", "peak_value=-1"),
        (OPTAX + ",decay_steps=5", "'decay_steps' is given twice", "decay_steps=5"),
        ("optax:constant_schedule,value=1+", "cannot read the value '1+'", "1+"),
        ('{"type": "Cosine", "start": 1, "end": 0, "steps": 0}', "Cosine: steps must be >= 1, got 0", '"steps"'),
        ('{"type": "Cosine", "start": 1,}', "not valid JSON", "}"),
        ('{"lr": 0.1, "shape": "cosin", "steps": 5}', "shape must be one of 'constant'", '"shape"'),
    ],
)
def test_bad_spec_points_at_the_field(capsys, spec, message, pointed):
    code, _, err = main(capsys, "table", spec, "--steps", "10")
    assert code == 2
    assert message in err
    text, caret = err.rstrip("\n").splitlines()[-2:]
    a = caret.index("^")
    assert text[a:].startswith(pointed), (text, caret)
    assert caret.count("^") == len(pointed)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            '{"type": "Schedule", "curve": {"type": "Cosine", "start": 1, "end": 0, "steps": 5}, '
            '"warmup": {"type": "Warmup", "steps": -1}}',
            "SPEC at warmup: Warmup: steps must be >= 1, got -1",
        ),
        ('{"type": "Cosinus"}', "unknown type 'Cosinus'; valid types:"),
        ('{"lr": 0.1, "stepz": 5}', "unknown config column(s) ['stepz']"),
        ("[1, 2]", "a SPEC holds one schedule"),
        ("not-a-spec", "is not a file, inline JSON or a dialect call"),
        ("missing.json", "missing.json: no such file"),
        ("optax:", "name a function of dialect 'optax'"),
        ("optax:linear_schedule,init_value=1.0", "missing a required argument"),
        (  # the dialect names itself once, not twice
            "transformers:get_scheduler,name=cosinex,num_warmup_steps=1,num_training_steps=9,base_lr=1",
            "error: transformers.get_scheduler: name must be one of",
        ),
        ("torch:StepLR,base_lr=1,step_size=-1", "error: torch.StepLR: step_size must be >= 1, got -1"),
    ],
)
def test_bad_spec_messages(capsys, spec, message):
    code, _, err = main(capsys, "table", spec, "--steps", "10")
    assert code == 2
    assert message in err
    if message.startswith("error: "):  # the owner named once
        owner = message.split(": ")[1]
        assert err.count(f"{owner}:") == 1, err


def test_bad_files(capsys, tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "Cosine",\n "start": 1 "end": 0}')
    code, _, err = main(capsys, "table", str(bad), "--steps", "10")
    assert code == 2 and "invalid JSON at line 2" in err
    bad = tmp_path / "bad.toml"
    bad.write_text("steps = \n")
    code, _, err = main(capsys, "sweep", str(bad))
    assert code == 2 and "invalid TOML" in err
    other = tmp_path / "s.ini"
    other.write_text("")
    code, _, err = main(capsys, "table", str(other), "--steps", "10")
    assert code == 2 and "unknown file type '.ini'" in err
    code, _, err = main(capsys, "table", str(tmp_path), "--steps", "10")
    assert code == 2 and "is a directory" in err
    y = tmp_path / "s.yaml"
    y.write_text("lr: 0.1\nsteps: 5\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # PyYAML absent
    code, _, err = main(capsys, "table", str(y), "--steps", "10")
    assert code == 1 and "reading YAML needs PyYAML (pip install pyyaml); or write the file as JSON or TOML" in err


def test_output_formats(capsys, tmp_path, monkeypatch):
    spec = fastlr.Schedule(fastlr.Linear(1.0, 0.0, 50), warmup=fastlr.Warmup(10))
    text = spec.to_json()
    try:
        import torch
    except ImportError:
        code, _, err = main(capsys, "table", text, "-T", "60", "-o", str(tmp_path / "t.pt"))
        assert code == 1 and "writing .pt needs torch" in err
    else:
        code, _, err = main(capsys, "table", text, "-T", "60", "-o", str(tmp_path / "t.pt"))
        assert code == 0, err
        np.testing.assert_array_equal(torch.load(tmp_path / "t.pt").numpy(), spec.table(60))
    code, _, err = main(capsys, "table", text, "-T", "60", "-o", str(tmp_path / "t.txt"))
    assert code == 2 and "unknown format '.txt'; use one of .npy, .csv, .pt, .parquet" in err
    try:
        import pyarrow.parquet as pq
    except ImportError:
        code, _, err = main(capsys, "table", text, "-T", "60", "-o", str(tmp_path / "t.parquet"))
        assert code == 1 and "writing .parquet needs pyarrow (pip install pyarrow)" in err
    else:
        code, _, err = main(capsys, "table", text, "-T", "60", "-o", str(tmp_path / "t.parquet"))
        assert code == 0, err
        got = pq.read_table(tmp_path / "t.parquet").to_pydict()
        assert got["step"] == list(range(60))
        np.testing.assert_array_equal(got["value"], spec.table(60))
    monkeypatch.setitem(sys.modules, "torch", None)
    code, _, err = main(capsys, "table", text, "-T", "60", "-o", str(tmp_path / "u.pt"))
    assert code == 1 and "writing .pt needs torch" in err


def test_schedule_set_table(capsys, tmp_path):
    s = fastlr.ScheduleSet(
        {"lr": [fastlr.Linear(1.0, 0.0, 10), fastlr.Constant(0.5)], "momentum": [fastlr.Constant(0.9)]}
    )
    code, _, err = main(capsys, "table", s.to_json(), "-T", "12", "-o", str(tmp_path / "set.csv"))
    assert code == 0, err
    rows = read_csv(tmp_path / "set.csv")
    assert list(rows[0]) == ["step", "lr[0]", "lr[1]", "momentum"]
    np.testing.assert_array_equal([float(r["lr[0]"]) for r in rows], s.table(12)["lr"][0])


# ---- sweep config files (in process) ---------------------------------------------------------


def test_sweep_configs_list_mixes_forms(capsys, tmp_path):
    code, out, err = main(capsys, "sweep", str(EXAMPLES / "configs.json"), "-T", "400", "-o", str(tmp_path / "c.csv"))
    assert code == 0, err
    assert "4 configs × 400 steps" in out
    job = cli.load_sweep(EXAMPLES / "configs.json", steps=400)
    expected = fastlr.sweep(job.configs, 400)
    with (tmp_path / "c.csv").open() as fh:
        header = fh.readline().strip().split(",")
        body = np.loadtxt(fh, delimiter=",", dtype=np.float64)
    assert header[:3] == ["row", "0", "1"] and len(header) == 401
    np.testing.assert_array_equal(body[:, 0], np.arange(4))
    np.testing.assert_array_equal(body[:, 1:].astype(np.float32), expected)
    assert job.configs[1] == fastlr.from_dict(json.loads((EXAMPLES / "warmup_cosine.json").read_text()))


def test_sweep_table_formats(capsys, tmp_path):
    cfg = tmp_path / "g.json"
    cfg.write_text(json.dumps({"steps": 40, "grid": {"lr": [0.1, 0.2], "shape": ["cosine", "linear"]}}))
    expected = fastlr.sweep(cli.load_sweep(cfg).configs, 40)
    for suffix, module in ((".pt", "torch"), (".parquet", "pyarrow")):
        try:
            __import__(module)
        except ImportError:
            continue
        code, _, err = main(capsys, "sweep", str(cfg), "-o", str(tmp_path / f"t{suffix}"))
        assert code == 0, err
        if suffix == ".pt":
            import torch

            np.testing.assert_array_equal(torch.load(tmp_path / "t.pt").numpy(), expected)
        else:
            import pyarrow.parquet as pq

            got = pq.read_table(tmp_path / "t.parquet").to_pydict()
            assert got["row"] == [0, 1, 2, 3] and got["shape"] == ["cosine", "linear"] * 2
            np.testing.assert_array_equal(np.array(got["values"], dtype=np.float32), expected)


def test_sweep_without_output_prints_summaries(capsys, tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"steps": 50, "configs": [{"lr": 0.1}, {"lr": 0.2, "shape": "linear"}]}))
    code, out, err = main(capsys, "sweep", str(cfg))
    assert code == 0, err
    assert "no table" in out and "row 1: peak=0.2" in out


def test_sweep_warns_when_decays_never_start(capsys, tmp_path):
    # decay starts at warmup (prefix only) + hold * steps_per_epoch; T = 50
    configs = [
        {"lr": 0.1, "steps": 10, "warmup": 30, "hold": 20},  # starts at 50: never
        {"lr": 0.1, "steps": 10, "warmup": 30, "hold": 19},  # starts at 49: decays
        {"lr": 0.1, "steps": 10, "hold": 10, "steps_per_epoch": 5},  # hold of 50 steps: never
        {"lr": 0.1, "steps": 10, "warmup": 60, "warmup_mode": "overlay"},  # overlay: decays from 0
        {"lr": 0.1, "shape": "constant", "warmup": 60},  # no decay to start
    ]
    assert cli.commands.late_decays(fastlr.lower(configs), 50) == 2
    assert cli.commands.late_decays(fastlr.lower(configs), 51) == 0
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"steps": 50, "configs": configs[:2]}))
    code, _, err = main(capsys, "sweep", str(cfg))
    assert code == 0, err
    assert "warning: 1 of 2 configs never start their decay within 50 steps (warmup + hold >= T)" in err
    code, _, err = main(capsys, "sweep", str(cfg), "--steps", "51")
    assert code == 0 and "warning" not in err
    program = fastlr.lower(cli.load_sweep(EXAMPLES / "grid.toml", 2000).configs, total_steps=2000)
    assert cli.commands.late_decays(program, 2000) == 7600  # the count (warmup + hold >= 2000)


def test_example_grid_is_ten_thousand_configs():
    job = cli.load_sweep(EXAMPLES / "grid.toml")
    program = fastlr.lower(job.configs, total_steps=job.steps)
    assert program.n_rows == 10_000 and job.steps == 10_000 and job.dtype == np.float32
    cols = program.columns()
    assert len(np.unique(cols["lr"])) == 10 and sorted(np.unique(cols["warmup"])) == list(range(0, 2500, 250))
    assert np.all(cols["steps"] == 10_000 - cols["warmup"] - cols["hold"])


def test_grid_axis_forms(tmp_path):
    cfg = tmp_path / "g.json"
    axes = {
        "lr": {"geomspace": [1e-4, 1e-2, 3]},
        "warmup": {"range": [0, 30, 10]},
        "end_ratio": {"linspace": [0, 0.1, 2]},
    }
    cfg.write_text(json.dumps({"steps": 100, "grid": axes, "defaults": {"shape": "linear"}}))
    job = cli.load_sweep(cfg)
    assert job.form == "grid" and job.axes == ("lr", "warmup", "end_ratio")
    np.testing.assert_allclose(np.unique(job.configs["lr"]), [1e-4, 1e-3, 1e-2])
    assert np.unique(job.configs["warmup"]).tolist() == [0, 10, 20]
    assert np.unique(job.configs["end_ratio"]).tolist() == [0.0, 0.1]
    assert job.configs["shape"] == "linear"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"steps": 10, "grid": {"lr": [0.1]}, "output": "x"}, "unknown key(s) ['output']; valid keys: steps, grid"),
        ({"grid": {"lr": [0.1]}}, "give 'steps' (the table length T)"),
        ({"steps": 0, "grid": {"lr": [0.1]}}, "steps must be an integer >= 1"),
        ({"steps": 10}, "give exactly one of 'grid'"),
        ({"steps": 10, "grid": {"lr": [0.1]}, "configs": [{"lr": 0.1}]}, "give exactly one of 'grid'"),
        ({"steps": 10, "grid": {"lrr": [0.1]}}, "grid: unknown config column(s) ['lrr']"),
        ({"steps": 10, "grid": {"lr": []}}, "grid.lr is empty"),
        ({"steps": 10, "grid": {"lr": {"logspace": [1, 2, 3]}}}, "a mapping axis has one key of linspace"),
        ({"steps": 10, "grid": {"lr": {"geomspace": [0, 1, 3]}}}, "needs positive start and stop"),
        (
            {"steps": 10, "grid": {"lr": [0.1], "warmup": [0, -5]}},
            "grid.warmup: warmup must be >= 0, got -5 (grid row 1)",
        ),
        ({"steps": 10, "grid": {"lr": [0.1]}, "defaults": {"lr": 1}}, "both grid axes and defaults"),
        ({"steps": 10, "grid": {"lr": [0.1]}, "dtype": "float16"}, "dtype must be 'float32' or 'float64'"),
        ({"steps": 10, "configs": [{"lr": 0.1}, {"lr": -1}]}, "configs[1]: lr must be >= 0, got -1"),
        ({"steps": 10, "configs": [{"lr": 0.1}, {"warmup": 3}]}, "configs[1]: missing required column 'lr'"),
        ({"steps": 10, "configs": [{"lr": 0.1}, {"type": "Cosine"}]}, "configs[1]"),
        ({"steps": 10, "configs": [{"lr": 0.1}, 5]}, "configs[1]: expected a flat config"),
        ({"steps": 10, "configs": ["optax:nope"]}, "configs[0]: 'nope' is not a name of dialect 'optax'"),
        ({"steps": 10, "configs": []}, "configs must be a non-empty list"),
    ],
)
def test_bad_sweep_configs(capsys, tmp_path, doc, message):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps(doc))
    code, _, err = main(capsys, "sweep", str(cfg))
    assert code == 2
    assert message in err


def test_sweep_option_errors(capsys, tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"steps": 10, "grid": {"lr": [0.1, 0.2]}}))
    code, _, err = main(capsys, "sweep", str(cfg), "--summary", str(tmp_path / "s.tsv"))
    assert code == 2 and "--summary" in err and "use one of .csv" in err
    code, _, err = main(capsys, "sweep", str(cfg), "--color-by", "nope")
    assert code == 2 and "--color-by 'nope' is not a config column; columns: lr" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["sweep", str(cfg), "--steps", "0"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["nosuchcommand"])
    assert exc.value.code == 2


def test_integer_options(capsys, tmp_path):
    code, out, _ = main(capsys, "table", EXAMPLES_SPEC, "-T", "1_000")
    assert code == 0 and "1,000 steps in" in out
    with pytest.raises(SystemExit) as exc:
        cli.main(["table", EXAMPLES_SPEC, "-T", "0"])
    assert exc.value.code == 2
    assert "argument --steps/-T: value must be >= 1, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["table", EXAMPLES_SPEC, "-T", "ten"])
    assert "argument --steps/-T: expected an integer, got 'ten'" in capsys.readouterr().err


def test_csv_sweep_written_in_blocks(capsys, tmp_path, monkeypatch):
    from fastlr.cli import writers

    monkeypatch.setattr(writers, "CSV_BLOCK_BYTES", 3 * 50 * 8)  # three rows of 50 float64 steps
    cfg = tmp_path / "g.json"
    cfg.write_text(json.dumps({"steps": 50, "dtype": "float64", "grid": {"lr": [0.1, 0.2, 0.3], "warmup": [0, 5]}}))
    code, _, err = main(capsys, "sweep", str(cfg), "-o", str(tmp_path / "t.csv"))
    assert code == 0, err
    rows = read_csv(tmp_path / "t.csv")
    assert [int(r["row"]) for r in rows] == list(range(6))
    got = np.array([[float(r[str(t)]) for t in range(50)] for r in rows])
    np.testing.assert_array_equal(got, fastlr.sweep(cli.load_sweep(cfg).configs, 50, dtype=np.float64))


def test_console_script_entry_point(capsys):
    from fastlr.__main__ import main as entry

    assert entry(["presets"]) == 0
    assert "optax" in capsys.readouterr().out


def test_console_script_freezes_the_gc_only_before_its_exit(capsys, monkeypatch):
    import gc

    from fastlr.__main__ import main as entry

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert entry(["presets"]) == 0 and frozen == []  # called with arguments: nothing frozen
    monkeypatch.setattr(sys, "argv", ["fastlr", "presets"])
    assert entry() == 0 and frozen == [True]  # the process's own command line, exiting next
    assert "optax" in capsys.readouterr().out


def test_presets_detail(capsys):
    code, out, _ = main(capsys, "presets", "optax")
    assert code == 0
    assert "warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, decay_steps" in out
    code, _, err = main(capsys, "presets", "nope")
    assert code == 2 and "unknown dialect 'nope'" in err


# ---- reliability (issue 21): inputs that must not hang or crash, outputs that must not lie ------------


def test_outputs_distinct_and_nothing_created_for_bad_input(capsys, tmp_path):
    good = tmp_path / "s.json"
    good.write_text(json.dumps({"steps": 20, "grid": {"lr": [0.1, 0.2]}}))
    code, _, err = main(capsys, "sweep", str(good), "-o", str(tmp_path / "x.csv"), "--summary", str(tmp_path / "x.csv"))
    assert code == 2 and "-o and --summary name the same file" in err
    assert not (tmp_path / "x.csv").exists()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"steps": 20, "grid": {"lr": [-0.1, 0.2]}}))
    code, _, err = main(capsys, "sweep", str(bad), "-o", str(tmp_path / "new" / "dir" / "x.npy"))
    assert code == 2 and "lr must be >= 0" in err
    assert not (tmp_path / "new").exists()  # no directory made for a run that failed on its input
    code, _, err = main(capsys, "table", str(tmp_path / "nope.json"), "-T", "5", "-o", str(tmp_path / "d2" / "x.csv"))
    assert code == 2 and "no such file" in err and not (tmp_path / "d2").exists()


def test_data_files_that_would_hang_or_explode(capsys, tmp_path):
    import os

    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    code, _, err = main(capsys, "table", str(fifo), "--steps", "3")
    assert code == 2 and "fifo.json: not a regular file (a pipe or a device)" in err
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    code, _, err = main(capsys, "sweep", str(zero))
    assert code == 2 and "not a regular file" in err
    code, _, err = main(capsys, "table", "/dev/zero", "--steps", "3")
    assert code == 2 and "unknown file type ''" in err
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = main(capsys, "table", str(deep), "--steps", "3")
    assert code == 2 and "nested more than 100 levels deep" in err
    code, _, err = main(capsys, "table", "[" * 200 + "]" * 200, "--steps", "3")
    assert code == 2 and "SPEC: nested more than 100 levels deep" in err
    yaml = pytest.importorskip("yaml")
    del yaml
    laughs = ["steps: 10", "grid:", "  lr: &a [1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3]"]
    for k, name in enumerate(("warmup", "hold", "floor", "end", "cycles", "steps", "cycle_mult")):
        prev, cur = "abcdefgh"[k], "abcdefgh"[k + 1]
        laughs.append(f"  {name}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text("\n".join(laughs) + "\n")  # 9**8 = 43 million values once expanded
    assert len(bomb.read_bytes()) < 1000
    code, _, err = main(capsys, "sweep", str(bomb))
    assert code == 2 and "holds more than 2,000,000 values once its aliases are expanded" in err
    loop = tmp_path / "loop.yaml"
    loop.write_text("steps: 10\ngrid: &g\n  lr: [0.1]\n  warmup: *g\n")
    code, _, err = main(capsys, "sweep", str(loop))
    assert code == 2 and "refers to itself" in err


def test_unwritable_outputs_and_huge_steps(capsys, tmp_path, monkeypatch):
    import errno
    import tempfile

    from fastlr.cli import writers

    spec = fastlr.Linear(1.0, 0.0, 50).to_json()
    with monkeypatch.context() as m:
        m.setattr(writers.os, "access", lambda *a, **k: False)
        code, _, err = main(capsys, "table", spec, "-T", "60", "-o", str(tmp_path / "t.npy"))
    assert code == 1 and "cannot write in" in err and "read-only or no permission" in err

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    with monkeypatch.context() as m:  # a read-only mount that os.access does not see (root)
        m.setattr(tempfile, "mkstemp", read_only)
        code, _, err = main(capsys, "table", spec, "-T", "60", "-o", str(tmp_path / "t.csv"))
    assert code == 1 and "t.csv: cannot write: Read-only file system; nothing was written" in err
    assert "Traceback" not in err and list(tmp_path.iterdir()) == []
    with monkeypatch.context() as m:
        m.setattr("fastlr._checks.available_memory", lambda: 1 << 20)
        code, _, err = main(capsys, "table", spec, "-T", "1000000", "-o", str(tmp_path / "t.csv"))
    assert code == 1 and "(1000000,) float64 needs 8,000,000 bytes" in err and list(tmp_path.iterdir()) == []
    code, _, err = main(
        capsys, "plot", "torch:CosineAnnealingLR,base_lr=0.1,T_max=999999999999", "-o", str(tmp_path / "x.png")
    )
    assert code in (1, 2) and ("pass --steps" in err or "needs matplotlib" in err)
    with pytest.raises(SystemExit) as exc:
        cli.main(["table", "torch:CosineAnnealingLR,base_lr=0.1,T_max=999999999999"])
    assert exc.value.code == 2 and "--steps" in capsys.readouterr().err


def test_table_csv_written_in_blocks_is_exact(capsys, tmp_path, monkeypatch):
    from fastlr.cli import writers

    monkeypatch.setattr(writers, "CSV_TABLE_ROWS", 7)
    spec = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 40), warmup=fastlr.Warmup(5))
    code, _, err = main(capsys, "table", spec.to_json(), "-T", "50", "-o", str(tmp_path / "t.csv"))
    assert code == 0, err
    rows = read_csv(tmp_path / "t.csv")
    assert [int(r["step"]) for r in rows] == list(range(50))
    np.testing.assert_array_equal([float(r["value"]) for r in rows], spec.table(50))


def test_sweep_reducers_add_summary_columns(capsys, tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"steps": 40, "grid": {"lr": [0.1, 0.2], "shape": ["cosine", "linear"]}}))
    mod = tmp_path / "my_reducers.py"
    mod.write_text("def late_area(lr):\n    return lr[20:].sum()\n\n\ndef broken(lr):\n    return lr.nope\n")
    summ = tmp_path / "s.csv"
    code, out, err = main(capsys, "sweep", str(cfg), "--summary", str(summ), "--reducer", f"late={mod}:late_area")
    assert code == 0, err
    assert "mean, late" in out
    rows = read_csv(summ)
    cols = fastlr.grid(lr=[0.1, 0.2], shape=["cosine", "linear"], steps=[40])
    expected = fastlr.sweep(cols, 40, dtype=np.float64, exact=False)[:, 20:].sum(axis=1)
    np.testing.assert_allclose([float(r["late"]) for r in rows], expected, rtol=1e-12)
    for bad, message in [
        ("late", "expected NAME=MODULE:FUNCTION"),
        (f"late={tmp_path / 'none.py'}:f", "no such file"),
        ("late=no_such_module_xyz:f", "cannot import no_such_module_xyz: ModuleNotFoundError"),
        (f"late={mod}:missing", "has no function 'missing'"),
        (f"late={mod}:broken", "reducer 'late' cannot be compiled by Numba"),
        (f"peak={mod}:late_area", "reducer name 'peak' is a built-in summary field"),
    ]:
        code, _, err = main(capsys, "sweep", str(cfg), "--reducer", bad)
        assert code == 2 and "--reducer" in err and message in err, (bad, err)


def test_npy_sweep_written_in_blocks_is_np_save_of_the_sweep(tmp_path, monkeypatch):
    from fastlr.cli import writers

    monkeypatch.setattr(writers, "NPY_BLOCK_BYTES", 7 * 90 * 4)  # blocks of 7 rows, the last short
    prog = fastlr.lower(
        fastlr.grid(
            lr=[1e-4, 3e-4, 1e-3, 3e-3, 1e-2], warmup=[0, 7, 30], shape=["cosine", "linear", "sqrt"], steps=[50]
        )
    )
    expected = fastlr.sweep(prog, 90)
    np.save(tmp_path / "expected.npy", expected)
    steps = np.array([0, 5, 44, 89])
    sample = (steps, np.full((prog.n_rows, 4), np.nan, dtype=np.float32))
    writers.write_sweep(tmp_path / "t.npy", prog, 90, np.dtype(np.float32), False, sample)
    assert (tmp_path / "t.npy").read_bytes() == (tmp_path / "expected.npy").read_bytes()
    np.testing.assert_array_equal(sample[1], expected[:, steps])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected.npy", "t.npy"]
