"""Per-step overhead of ``fastlr.torch.TableScheduler.step()`` against ``LambdaLR.step()``.

Run: ``pytest benchmarks/bench_torch_bridge.py --benchmark-only -n 0`` (add
``--benchmark-group-by=param:groups`` to compare side by side).

Cases, each for 1 and 100 param groups:

- ``lambda_table``: LambdaLR driven by the same fastlr table (``fastlr.torch.to_lambda``);
- ``lambda_math``: LambdaLR with a hand-written warmup + cosine in Python ``math`` (what users
  write today);
- ``table``: TableScheduler, Python-float lrs;
- ``table_tensor`` / ``lambda_tensor``: tensor lrs (compiled-optimizer setup), TableScheduler's
  in-place copy vs LambdaLR's ``fill_``.

The optimizer is never stepped inside the timed call: only the scheduler's work is measured.
"""

from __future__ import annotations

import math
import warnings

import pytest

torch = pytest.importorskip("torch")

import fastlr as fl  # noqa: E402
from fastlr.torch import TableScheduler, to_lambda  # noqa: E402

T = 100_000
WARMUP = 1_000
SCHEDULE = fl.Schedule(fl.Cosine(1.0, 0.0, T - WARMUP), warmup=fl.Warmup(WARMUP))


def _math_lambda(t: int) -> float:
    if t < WARMUP:
        return t / WARMUP
    p = min(t - WARMUP, T - WARMUP) / (T - WARMUP)
    return 0.5 * (1.0 + math.cos(math.pi * p))


def _optimizer(groups: int, tensor: bool) -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    lr = (lambda: torch.tensor(0.1)) if tensor else (lambda: 0.1)
    opt = torch.optim.SGD([{"params": [p], "lr": lr()} for p in params], momentum=0.9)
    return opt


def _scheduler(kind: str, opt: torch.optim.Optimizer):
    L = torch.optim.lr_scheduler
    if kind in ("lambda_table", "lambda_tensor"):
        return L.LambdaLR(opt, to_lambda(SCHEDULE, T))
    if kind == "lambda_math":
        return L.LambdaLR(opt, _math_lambda)
    return TableScheduler(opt, SCHEDULE, total_steps=T, relative=True)


@pytest.mark.parametrize("groups", [1, 100])
@pytest.mark.parametrize("kind", ["lambda_table", "lambda_math", "table", "lambda_tensor", "table_tensor"])
def test_step(benchmark, kind, groups):
    opt = _optimizer(groups, tensor=kind.endswith("tensor"))
    sched = _scheduler(kind, opt)
    opt.step()  # no grads: a no-op that satisfies the call-order check
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        benchmark(sched.step)
    assert sched.last_epoch > 0


@pytest.mark.parametrize("steps", [10_000, 1_000_000])
def test_construct(benchmark, steps):
    """Building the scheduler: lowering plus the table for ``steps`` steps (kernels warm)."""
    s = fl.Schedule(fl.Cosine(1.0, 0.0, steps - WARMUP), warmup=fl.Warmup(WARMUP))
    opt = _optimizer(1, tensor=False)
    TableScheduler(opt, s, total_steps=steps)  # compile / load the kernels first
    benchmark(lambda: TableScheduler(opt, s, total_steps=steps))
