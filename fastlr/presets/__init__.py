"""Dialects: peers' schedules by their own names and parameters, reproducing their numbers.

One module per peer, imported on first use::

    import fastlr.presets.transformers as hf
    s = hf.get_scheduler("cosine", num_warmup_steps=100, num_training_steps=1000, base_lr=3e-4)
    s.table(1000)   # entry i: the lr transformers' optimizer uses for update i

Each module names its peer and the version matched in ``PEER`` and ``PEER_VERSION`` (a release,
a commit, or ``"unversioned"`` for code quoted without one); its docstring documents the quirks,
reproduced on purpose.
"""

from __future__ import annotations

import importlib
from types import ModuleType

MODULES = (
    "torch",
    "transformers",
    "timm",
    "optax",
    "keras",
    "fvcore",
    "pytorch_warmup",
    "fcn",
    "maskrcnn",
    "mxnet",
    "yolov5",
    "tf",
    "yolox",
    "cawb",
    "megatron",
    "deepspeed",
    "torchtitan",
    "composer",
    "mmengine",
)

__all__ = list(MODULES)


def __getattr__(name: str) -> ModuleType:
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'fastlr.presets' has no attribute {name!r}; dialects: {', '.join(MODULES)}")
