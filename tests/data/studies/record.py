#!/usr/bin/env python
"""Record what the real sweep tools produce, as JSON/CSV fixtures for tests/test_studies.py.

Run from the repository root in a throwaway venv with the tools installed::

    python -m venv --system-site-packages /tmp/venv-studies
    /tmp/venv-studies/bin/pip install -c constraints.txt optuna omegaconf hydra-core wandb "ray[tune]"
    /tmp/venv-studies/bin/python tests/data/studies/record.py

(``constraints.txt`` holding ``torch==2.13.0``.) Each tool runs a tiny study; the files are:

- ``optuna_trials.csv``: ``study.trials_dataframe()``; ``optuna.json``: each trial's ``params``
  and the versions.
- ``ray_results.csv``: ``ResultGrid.get_dataframe()``; ``ray.json``: each result's ``config``.
- ``wandb.json``: an offline run's ``run.config``, the ``config.yaml`` wandb writes from it, and
  the config it was given.
- ``hydra.json``: a Hydra multirun's per-job ``.hydra/config.yaml`` and ``.hydra/overrides.yaml``,
  the sweeper params it ran, and the job count.

Deterministic: seeded samplers, fixed grids.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def record_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1e-2, log=True)
        trial.suggest_int("warmup", 0, 2000, step=100)
        shape = trial.suggest_categorical("shape", ["cosine", "linear", "polynomial"])
        if shape == "polynomial":  # a conditional parameter: absent from the other trials
            trial.suggest_float("power", 0.5, 2.0)
        trial.suggest_int("batch_size", 16, 64, log=True)
        return lr

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    study.optimize(objective, n_trials=8)
    study.trials_dataframe().to_csv(HERE / "optuna_trials.csv", index=False)
    out = {"optuna": optuna.__version__, "params": [t.params for t in study.trials]}
    (HERE / "optuna.json").write_text(json.dumps(out, indent=1) + "\n")


def record_ray() -> None:
    import ray
    from ray import tune

    def trainable(config: dict) -> dict:
        return {"score": config["optimizer"]["lr"] * config["warmup"]}

    space = {
        "optimizer": {"lr": tune.loguniform(1e-4, 1e-2), "momentum": 0.9},
        "warmup": tune.randint(0, 2000),
        "shape": tune.choice(["cosine", "linear"]),
        "end_ratio": tune.grid_search([0.0, 0.1]),
    }
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    with tempfile.TemporaryDirectory() as tmp:
        tuner = tune.Tuner(
            trainable,
            param_space=space,
            tune_config=tune.TuneConfig(num_samples=2, search_alg=tune.search.BasicVariantGenerator(random_state=0)),
            run_config=tune.RunConfig(storage_path=tmp, name="fastlr", verbose=0),
        )
        grid = tuner.fit()
        grid.get_dataframe().to_csv(HERE / "ray_results.csv", index=False)
        configs = [r.config for r in grid]
    ray.shutdown()
    (HERE / "ray.json").write_text(json.dumps({"ray": ray.__version__, "configs": configs}, indent=1) + "\n")


def record_wandb() -> None:
    """``run.config`` of an offline run, and the run's ``config.yaml`` as wandb writes it (its own
    ``dict_from_proto_list`` and ``save_config_file_from_dict``, which the syncer uses)."""
    import wandb
    import yaml
    from wandb.proto import wandb_internal_pb2 as pb
    from wandb.sdk.lib import config_util

    config = {"learning_rate": 3e-4, "warmup": 500, "scheduler": {"shape": "cosine", "end_ratio": 0.1}, "epochs": 3}
    with tempfile.TemporaryDirectory() as tmp:
        run = wandb.init(mode="offline", dir=tmp, project="fastlr", config=config)
        as_dict = run.config.as_dict()
        items = [pb.ConfigItem(key=k, value_json=json.dumps(v)) for k, v in as_dict.items()]
        run.finish()
        path = pathlib.Path(tmp) / "config.yaml"
        config_util.save_config_file_from_dict(str(path), config_util.dict_from_proto_list(items))
        data = yaml.safe_load(path.read_text())
    out = {"wandb": wandb.__version__, "given": config, "run_config": as_dict, "config_yaml": data}
    (HERE / "wandb.json").write_text(json.dumps(out, indent=1, default=str) + "\n")


HYDRA_APP = """
import hydra
from omegaconf import DictConfig

@hydra.main(version_base=None, config_path=".", config_name="config")
def main(cfg: DictConfig) -> None:
    pass

if __name__ == "__main__":
    main()
"""
HYDRA_CONFIG = """
optimizer:
  lr: 0.001
  weight_decay: 0.01
schedule:
  shape: cosine
  warmup: 0
hydra:
  sweeper:
    params:
      optimizer.lr: 1e-4,3e-4
      schedule.warmup: range(0,1000,500)
      schedule.shape: choice(cosine,linear)
"""


def record_hydra() -> None:
    import hydra
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        (d / "app.py").write_text(HYDRA_APP)
        (d / "config.yaml").write_text(HYDRA_CONFIG)
        env = {**os.environ, "HYDRA_FULL_ERROR": "1"}
        subprocess.run(
            [sys.executable, "app.py", "-m", "hydra.sweep.dir=multirun", "hydra.sweep.subdir=${hydra.job.num}"],
            cwd=d,
            env=env,
            check=True,
            capture_output=True,
        )
        jobs = sorted((d / "multirun").glob("*/.hydra"), key=lambda p: int(p.parent.name))
        configs = [yaml.safe_load((j / "config.yaml").read_text()) for j in jobs]
        overrides = [yaml.safe_load((j / "overrides.yaml").read_text()) for j in jobs]
        params = yaml.safe_load(HYDRA_CONFIG)["hydra"]["sweeper"]["params"]
    out = {"hydra": hydra.__version__, "sweeper_params": params, "configs": configs, "overrides": overrides}
    (HERE / "hydra.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    which = sys.argv[1:] or ["optuna", "ray", "wandb", "hydra"]
    for name in which:
        globals()[f"record_{name}"]()
        print("recorded", name)
    print("done")
