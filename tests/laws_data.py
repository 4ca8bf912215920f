"""The 25M loss curves of tests/data/loss-curves (Luo et al. 2025) and their lr tables."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "loss-curves"
W, PEAK, LOW = 2160, 3e-4, 3e-5
#: the paper's published 25M fit (L0, A, alpha, B, C, beta, gamma)
PUBLISHED = (3.04045406, 0.52468604, 0.50786857, 363.78751622, 2.06560812, 0.58279013, 0.64142257)
NAMES = (
    "constant_24000",
    "constant_72000",
    "cosine_24000",
    "cosine_72000",
    "wsd_20000_24000",
    "wsdld_20000_24000",
    "wsdcon_3",
    "wsdcon_9",
    "wsdcon_18",
)
FIT_ON = ("cosine_24000", "constant_24000", "wsdcon_9")


def table(name: str) -> np.ndarray:
    """The per-step lr table of a curve, built from the README's description."""
    total = 16_000 if name.startswith("wsdcon") else int(name.rsplit("_", 1)[1])
    lr = np.full(total, PEAK)
    lr[:W] = np.linspace(0, PEAK, W)
    t = np.arange(W, total)
    if name.startswith("cosine"):
        lr[W:] = LOW + (PEAK - LOW) * (1 + np.cos(np.pi * (t - W) / (total - W))) / 2
    elif name.startswith("wsdld"):
        u = np.arange(20_000, total)
        lr[20_000:] = PEAK + (LOW - PEAK) * (u - 20_000) / 4000
    elif name.startswith("wsd_"):
        u = np.arange(20_000, total)
        lr[20_000:] = PEAK ** ((24_000 - u) / 4000) * LOW ** ((u - 20_000) / 4000)
    elif name.startswith("wsdcon"):
        lr[8000:] = int(name.split("_")[1]) * 1e-5
    return lr


def read(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(steps, lr, loss)`` columns of a CSV, steps past the table dropped."""
    with open(DATA / f"{name}.csv") as fh:
        rows = [(int(r["step"]), float(r["lr"]), float(r["loss"])) for r in csv.DictReader(fh)]
    arr = np.array(rows)
    keep = arr[:, 0] < table(name).size
    return arr[keep, 0].astype(np.int64), arr[keep, 1], arr[keep, 2]


def curve(name: str):  # type: ignore[no-untyped-def]
    from fastlr.laws import Curve

    steps, _, loss = read(name)
    return Curve(steps, loss, table(name), name=name)
