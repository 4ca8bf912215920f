"""Every dialect's everyday warmup + decay schedule, built through its preset as users write it.

``python -m benchmarks.bench_dialects [N] [T]`` prints each preset's sweep time as a multiple of
``np.fill`` of the same output (default 4,000 configs x 10,000 steps, float32), measured in one
run with interleaved repeats; ``benchmarks/report.py`` puts the same rows in its table
"by dialect". Each config draws its own peak lr, warmup length and minimum, so the rows differ
the way a real sweep's rows do.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

import fastlr as fl
from fastlr._bench import median_time

Build = Callable[[float, int, float, int], Any]
"""``(peak lr, warmup steps, minimum as a fraction of the peak, total steps) -> schedule``."""


def _optax(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import optax

    return optax.warmup_cosine_decay_schedule(0.0, lr, w, t, end_value=lr * lo)


def _hf_cosine(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import transformers as hf

    return hf.get_cosine_schedule_with_warmup(lr, w, t)


def _hf_linear(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import transformers as hf

    return hf.get_linear_schedule_with_warmup(lr, w, t)


def _hf_wsd(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import transformers as hf

    return hf.get_wsd_schedule(lr, w, t // 5, num_training_steps=t, min_lr_ratio=lo)


def _timm(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import timm

    return timm.CosineLRScheduler(lr, t, lr_min=lr * lo, warmup_t=w, warmup_lr_init=lr * 1e-3)


def _torch_sequential(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import torch as pt

    warm = pt.LinearLR(lr, start_factor=1e-3, end_factor=1.0, total_iters=w)
    cos = pt.CosineAnnealingLR(lr, T_max=t - w, eta_min=lr * lo)
    return pt.SequentialLR([warm, cos], milestones=[w])


def _torch_onecycle(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import torch as pt

    return pt.OneCycleLR(lr, total_steps=t, pct_start=max(w, 1) / t, cycle_momentum=False)


def _keras(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import keras

    return keras.CosineDecay(lr * 1e-3, t - w, alpha=lo, warmup_target=lr, warmup_steps=w)


def _fvcore(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import fvcore

    cos = fvcore.CosineParamScheduler(lr, lr * lo)
    return fvcore.WarmupParamScheduler(cos, 1e-3, w / t, total_steps=t)


def _megatron(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import megatron

    s = megatron.OptimizerParamScheduler(0.0, lr, lr * lo, w, t, "cosine", 0.1, 0.1, t, "constant")
    return s["lr"][0]


def _megatron_wsd(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import megatron

    s = megatron.OptimizerParamScheduler(
        0.0, lr, lr * lo, w, t, "WSD", 0.1, 0.1, t, "constant", wsd_decay_steps=t // 5, lr_wsd_decay_style="cosine"
    )
    return s["lr"][0]


def _deepspeed(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import deepspeed

    return deepspeed.WarmupCosineLR(t, warmup_num_steps=max(w, 1), cos_min_ratio=lo, warmup_type="linear", base_lr=lr)


def _torchtitan(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import torchtitan

    return torchtitan.lr_scheduler(lr, t, warmup_steps=w, decay_ratio=0.2, decay_type="cosine", min_lr_factor=lo)


def _composer(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import composer

    return composer.CosineAnnealingWithWarmupScheduler(f"{w}ba", alpha_f=lo, base_lr=lr, max_duration=f"{t}ba")


def _mmengine(lr: float, w: int, lo: float, t: int) -> Any:
    from fastlr.presets import mmengine

    cfg = [
        dict(type="LinearLR", start_factor=1e-3, by_epoch=False, begin=0, end=max(w, 1)),
        dict(type="CosineAnnealingLR", eta_min=lr * lo, by_epoch=False, begin=max(w, 1), end=t),
    ]
    return mmengine.from_config(cfg, lr)


def _canonical(lr: float, w: int, lo: float, t: int) -> Any:
    return fl.Schedule(fl.Cosine(lr, lr * lo, t - w), warmup=fl.Warmup(w) if w else None)


#: ``(row name, builder)``: each preset's everyday warmup + decay schedule.
DIALECTS: tuple[tuple[str, Build], ...] = (
    ("fastlr Schedule(Cosine, warmup=Warmup) (reference)", _canonical),
    ("optax warmup_cosine_decay_schedule", _optax),
    ("transformers get_cosine_schedule_with_warmup", _hf_cosine),
    ("transformers get_linear_schedule_with_warmup", _hf_linear),
    ("transformers get_wsd_schedule", _hf_wsd),
    ("timm CosineLRScheduler, warmup", _timm),
    ("torch SequentialLR(LinearLR, CosineAnnealingLR)", _torch_sequential),
    ("torch OneCycleLR", _torch_onecycle),
    ("keras CosineDecay, warmup", _keras),
    ("fvcore WarmupParamScheduler(Cosine)", _fvcore),
    ("megatron OptimizerParamScheduler cosine", _megatron),
    ("megatron OptimizerParamScheduler WSD", _megatron_wsd),
    ("deepspeed WarmupCosineLR", _deepspeed),
    ("torchtitan lr_scheduler (WSD, cosine decay)", _torchtitan),
    ("composer CosineAnnealingWithWarmupScheduler", _composer),
    ("mmengine LinearLR + CosineAnnealingLR", _mmengine),
)


def programs(n: int, t: int, seed: int = 0, names: Any = None) -> dict[str, fl.Program]:
    """Each dialect's ``n`` schedules (peak lr, warmup 1..min(2000, t/5), minimum 0..5 % of the peak), lowered.

    A preset call costs a few hundred microseconds; distinct configs are built once and the
    program is tiled to ``n`` rows (64 distinct configs per dialect).
    """
    rng = np.random.default_rng(seed)
    k = min(n, 64)
    lrs, los = rng.uniform(1e-4, 1e-3, k), rng.uniform(0.0, 0.05, k)
    ws = rng.integers(1, max(1, min(2000, t // 5)) + 1, k)
    out = {}
    for name, build in DIALECTS:
        if names is not None and name not in names:
            continue
        scheds = [build(float(lrs[i]), int(ws[i]), float(los[i]), t) for i in range(k)]
        out[name] = fl.lower([scheds[i % k] for i in range(n)])
    return out


def measure(
    n: int, t: int, repeats: int, names: Any = None, out: np.ndarray | None = None
) -> list[tuple[str, float, float]]:
    """``(name, median seconds, median / np.fill)`` for each dialect, interleaved with the floor.

    ``out``: a touched float32 ``(n, t)`` output to reuse (allocated and touched here if None).
    The first row is the floor; the ratios are of medians, as in ``benchmarks/report.py``.
    """
    progs = programs(n, t, names=names)
    if out is None:
        out = np.empty((n, t), np.float32)
        out.fill(1.0)
    if out.shape != (n, t) or out.dtype != np.float32:
        raise ValueError(f"out must be a ({n}, {t}) float32 array, got {out.shape} {out.dtype}")
    for prog in progs.values():
        fl.sweep(prog, t, out=out, progress=False)  # compile + warm
    times: dict[str, list[float]] = {name: [] for name in progs}
    fills = []
    for _ in range(repeats):
        fills.append(median_time(lambda: out.fill(0.5), 1))
        for name, prog in progs.items():
            times[name].append(median_time(lambda p=prog: fl.sweep(p, t, out=out, progress=False), 1))
    floor = statistics.median(fills)
    return [("np.fill (floor)", floor, 1.0)] + [
        (name, statistics.median(ts), statistics.median(ts) / floor) for name, ts in times.items()
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 4000
    t = int(args[1]) if len(args) > 1 else 10_000
    rows = measure(n, t, 7)
    width = max(len(r[0]) for r in rows)
    for name, tm, ratio in rows:
        print(f"{name:<{width}}  {tm:8.4f} s  {ratio:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
