"""fastlr: JIT-compiled learning-rate schedules, whole tables and batched sweeps.

``import fastlr`` imports neither numba, torch nor matplotlib and compiles nothing; the kernels
compile (and are cached on disk) on the first table.
"""

from fastlr._base import Spec, from_dict
from fastlr._engine import MemoryLimitError, sweep
from fastlr._lower import Program
from fastlr.schedule import Restarts, Schedule, ScheduleSet, Warmup
from fastlr.shapes import (
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
    Shape,
    SqrtCooldown,
    StepDecay,
    Tanh,
)

__version__ = "0.1.0"

__all__ = [
    "Constant",
    "Cosine",
    "Cyclic",
    "Exponential",
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
    "from_dict",
    "sweep",
]
