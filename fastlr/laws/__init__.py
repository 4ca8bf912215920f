"""Loss laws: predict a run's loss curve from its lr schedule, rank sweeps, optimise schedules.

Two published laws, fitted on a few runs of one model and data set:

- :class:`MultiPowerLaw` (Luo et al., ICLR 2025, arXiv:2503.12811);
- :class:`AnnealingLaw` (Tissue et al. 2024, arXiv:2408.11029): ``L0 + A S1^-alpha - C S2``.

:func:`fit` fits either to :class:`Curve` objects; :func:`rank` predicts the loss of every config
of a sweep with compiled kernels, chunk by chunk (bounded memory); :func:`optimize` finds a
non-increasing schedule after a warmup that minimises the predicted final loss. Importing this
package compiles nothing; the kernels compile (and are cached) on first use. ``docs/laws.md``
is the guide.
"""

from fastlr.laws._fit import Curve, FitReport, fit, score
from fastlr.laws._laws import AnnealingLaw, Law, MultiPowerLaw, from_dict
from fastlr.laws._optimize import Optimized, optimize
from fastlr.laws._rank import rank

__all__ = [
    "AnnealingLaw",
    "Curve",
    "FitReport",
    "Law",
    "MultiPowerLaw",
    "Optimized",
    "fit",
    "from_dict",
    "optimize",
    "rank",
    "score",
]
