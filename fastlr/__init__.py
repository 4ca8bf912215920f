"""fastlr: JIT-compiled learning-rate schedules, whole tables and batched sweeps.

``import fastlr`` imports neither numba, torch nor matplotlib and compiles nothing; the kernels
compile (and are cached on disk) on the first table. The optional faces ``fastlr.presets``,
``fastlr.torch``, ``fastlr.plot``, ``fastlr.inspect``, ``fastlr.dask`` and ``fastlr.cuda`` import
on first access; ``docs/architecture.md`` maps the modules.
"""

from fastlr._checks import MemoryLimitError
from fastlr._spec import Spec, from_dict
from fastlr.formula import Formula, FormulaCompileError
from fastlr.lowering.program import Program
from fastlr.schedule import Restarts, Schedule, ScheduleSet, Shape, Warmup
from fastlr.shapes import (
    Asymptotic,
    Constant,
    Cosine,
    Cyclic,
    Exponential,
    InverseSqrt,
    InverseTime,
    Join,
    Linear,
    MultiStep,
    OneCycle,
    PiecewiseConstant,
    PiecewiseInterp,
    Polynomial,
    Product,
    SqrtCooldown,
    StepDecay,
    Tanh,
)
from fastlr.studies import from_study, intrange, loguniform, sample, search_space, uniform
from fastlr.sweeps import config_schedule, grid, lower, summarize, sweep

__version__ = "0.1.0"

_LAZY = ("presets", "torch", "plot", "inspect", "dask", "cuda", "laws")


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    """Optional submodules (``fastlr.presets``, ``fastlr.torch``, ...) import on first access."""
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'fastlr' has no attribute {name!r}")


__all__ = [
    "Asymptotic",
    "Constant",
    "Cosine",
    "Cyclic",
    "Exponential",
    "Formula",
    "FormulaCompileError",
    "InverseSqrt",
    "InverseTime",
    "Join",
    "Linear",
    "MemoryLimitError",
    "MultiStep",
    "OneCycle",
    "PiecewiseConstant",
    "PiecewiseInterp",
    "Polynomial",
    "Product",
    "Program",
    "Restarts",
    "Schedule",
    "ScheduleSet",
    "Shape",
    "Spec",
    "SqrtCooldown",
    "StepDecay",
    "Tanh",
    "Warmup",
    "__version__",
    "config_schedule",
    "from_dict",
    "from_study",
    "grid",
    "intrange",
    "loguniform",
    "lower",
    "sample",
    "search_space",
    "summarize",
    "sweep",
    "uniform",
]
