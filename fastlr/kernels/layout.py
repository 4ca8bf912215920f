"""The lowered program and the shape codes: the layout shared by lowering and every kernel target.

A batch of N schedule rows lowers to four arrays (struct of arrays, CSR over segments); the code
calls them ``ci``, ``cf``, ``si`` and ``sf``:

``ci`` int64 (N, CI_WIDTH)
    per-row integers: the segment range, warmup, restart and granularity fields (``I_*``).
``cf`` float64 (N, CF_WIDTH)
    per-row floats: scale, floor, warmup and restart parameters (``F_*``).
``si`` int64 (S, SI_WIDTH)
    per-segment start (in local main time) and shape code (``S_START``, ``S_CODE``).
``sf`` float64 (S, SF_WIDTH)
    per-segment ``base``, ``amp``, progress denominator ``n``, offset ``off`` and four shape
    parameters ``q0..q3``. A segment's value at local time ``tl`` is
    ``base + amp * unit(code, tl - off, n, q0, q1, q2, q3)``.

The summary kernel writes two more: ``fsum`` float64 (N, FSUM_WIDTH) and ``isum`` int64
(N, ISUM_WIDTH), with the columns ``SUM_*``.

Shape codes
-----------
:data:`SHAPES` declares every shape code, one row each: its name and code (the row number), the
function of :mod:`~fastlr.kernels.formulas` that :func:`~fastlr.kernels.formulas.unit` calls
for it, which function of :mod:`~fastlr.kernels.blocks` fills it in the fast CPU loops, whether
it can be a warmup curve, and what its parameters ``q0..q3`` mean. Each row also binds the code
constant (``COS_DOWN``) and the code's feature switch (``USE_COS_DOWN``). Everything else that
lists codes is derived from the table: :data:`N_CODES`, :data:`FEATURES`,
:data:`OTHER_PIECE_CODES`, :data:`WARMUP_CODES`, and the switch ``USE_OTHER_PIECE`` that decides
whether ``blocks.main_block`` calls ``blocks.other_piece`` at all (:func:`switches`).

Feature switches
----------------
Each branch of the CPU kernels that handles one shape code, warmup mode or restart path is
guarded by a ``USE_*`` switch. They are True here, so CUDA and plain Python see every branch. The
CPU compiles one variant of its kernels per feature set: :func:`switches` binds the features a
program does not use to False, and Numba prunes those branches before inlining and typing them,
so a program compiles only the code it runs. The kernels read the switches as bare global names
(a variant rebinds them); everything else here they read as attributes (``L.I_SEG_LO``), which
Numba freezes as constants. Bit ``i`` of a feature mask is ``FEATURES[i]``; the first
``N_CODES`` are the shape codes in code order.

Adding a shape code: checklist
------------------------------
1. Here: one ``_shape`` row at the end of :data:`SHAPES` (never in the middle: codes are row
   numbers, and cached kernels and stored programs use them).
2. ``formulas.py``: the unit function (plain Python, transcendentals only through the primitives
   ``cospi``, ``powr``, ``expr``, ``tanhr``, ``rsqrt``), a branch ``if USE_X and code == L.X`` in ``unit``,
   and ``USE_X`` in the import of switches.
3. ``blocks.py``: a branch in ``piece`` or ``other_piece`` (as the row's ``fill`` says, none for
   a curve that is only ever a warmup or for ``PROD``), one in
   ``unit_fill`` if the row says ``warmup=True``, and ``USE_X`` in the import of switches.
   ``main_block``'s call of ``other_piece`` needs nothing: ``USE_OTHER_PIECE`` is derived.
4. ``cpu.feature_mask`` only if a parameter value changes the code path (like ``USE_COS_POW``).
5. Outside the kernels: the lowering (the spec class in ``shapes.py``, flat configs in
   ``sweeps.py``) and the docs.
6. ``tests/naive.py``: the reference formula; ``tests/cases.py``: a schedule that uses the code.

``tests/test_layout.py`` checks steps 1-3 and 6 for every row.
"""

from __future__ import annotations

from typing import NamedTuple

PIECE = "piece"
OTHER_PIECE = "other_piece"


class Shape(NamedTuple):
    """One shape code of the kernels: a row of :data:`SHAPES`.

    Attributes
    ----------
    name : str
        The code constant's name in this module, e.g. ``"COS_DOWN"``.
    code : int
        Its value: the row number in :data:`SHAPES`.
    formula : str
        The function of :mod:`~fastlr.kernels.formulas` that ``unit`` calls for the code.
    fill : str or None
        The function of :mod:`~fastlr.kernels.blocks` that fills its pieces: ``"piece"`` or
        ``"other_piece"``; None for a warmup curve that is never a segment's code, and for
        ``PROD``, whose pieces ``blocks.main_block`` fills itself (it reads other segments).
    powered : bool
        With powers around the curve (the ``USE_COS_POW`` feature) its pieces are filled by
        ``other_piece`` instead.
    warmup : bool
        It can be a warmup curve (``blocks.unit_fill`` takes it).
    params : str
        The meaning of the segment parameters ``q0..q3`` (and the curve, for the docs).
    """

    name: str
    code: int
    formula: str
    fill: str | None
    powered: bool
    warmup: bool
    params: str

    @property
    def switch(self) -> str:
        """The name of the code's feature switch, ``USE_<name>``."""
        return f"USE_{self.name}"


_SHAPES: list[Shape] = []
_EXTRA: list[str] = []


def _shape(
    name: str, formula: str, fill: str | None, *, params: str, powered: bool = False, warmup: bool = False
) -> tuple[int, bool]:
    """Declare the next shape code; return its value and its switch's value (True)."""
    if fill not in (PIECE, OTHER_PIECE, None):
        raise ValueError(f"fill of shape code {name} must be {PIECE!r}, {OTHER_PIECE!r} or None, got {fill!r}")
    _SHAPES.append(Shape(name, len(_SHAPES), formula, fill, powered, warmup, params))
    return len(_SHAPES) - 1, True


def _feature(name: str) -> bool:
    """Declare a feature switch that is not a shape code; return its value (True)."""
    _EXTRA.append(name)
    return True


# ---- shape codes: each row binds the code and its feature switch ---------------------------
CONST, USE_CONST = _shape("CONST", "zero", PIECE, warmup=True, params="0")
LIN_UP, USE_LIN_UP = _shape("LIN_UP", "linear_up", PIECE, warmup=True, params="x/n")
LIN_DOWN, USE_LIN_DOWN = _shape("LIN_DOWN", "linear_down", PIECE, params="1 - x/n")
COS_UP, USE_COS_UP = _shape(
    "COS_UP", "cosine_up", PIECE, powered=True, warmup=True, params="(1/2 (1 - cos(pi x/n)))^q0"
)
COS_DOWN, USE_COS_DOWN = _shape(
    "COS_DOWN", "cosine_down", PIECE, powered=True, params="(1/2 (1 + cos(pi q2 p)))^q0, p = x^q1 / n^q1"
)
POLY_UP, USE_POLY_UP = _shape("POLY_UP", "poly_up", OTHER_PIECE, warmup=True, params="(x/n)^q0")
POLY_DOWN, USE_POLY_DOWN = _shape("POLY_DOWN", "poly_down", OTHER_PIECE, params="(1 - p)^q0, p = x^q1 / n^q1")
EXP, USE_EXP = _shape(
    "EXP", "exponential", OTHER_PIECE, params="q0^(x/n) (floor(x/n) if q1 != 0), clipped at q2 when q3 != 0"
)
INV_SQRT, USE_INV_SQRT = _shape("INV_SQRT", "inverse_sqrt", OTHER_PIECE, params="1/sqrt(x/n)")
INV_TIME, USE_INV_TIME = _shape(
    "INV_TIME", "inverse_time", OTHER_PIECE, params="1/(1 + q0 p), p = x/n (floored if q1 != 0)"
)
TANH, USE_TANH = _shape("TANH", "tanh_decay", OTHER_PIECE, params="1/2 (1 - tanh(q0 (1 - p) + q1 p)), p = x/n")
SQRT_DOWN, USE_SQRT_DOWN = _shape("SQRT_DOWN", "sqrt_down", OTHER_PIECE, params="1 - sqrt(x/n)")
SQRT_UP, USE_SQRT_UP = _shape("SQRT_UP", "sqrt_up", OTHER_PIECE, warmup=True, params="1 - sqrt(1 - x/n)")
EXP_UP, USE_EXP_UP = _shape("EXP_UP", "exp_saturate", OTHER_PIECE, warmup=True, params="1 - exp(-x/n)")
CYCLIC, USE_CYCLIC = _shape(
    "CYCLIC",
    "cyclic",
    OTHER_PIECE,
    params="CLR triangle: q0 steps up, q1 steps down, q2 mode (0 triangular, 1 triangular2, 2 exp_range), q3 gamma",
)
RADAM_UP, USE_RADAM_UP = _shape(
    "RADAM_UP",
    "radam_rect",
    None,
    warmup=True,
    params="RAdam's rectification factor at x steps: q0 beta2, q1 rho_inf",
)
PROD, USE_PROD = _shape(
    "PROD",
    "product",
    None,
    params="q0 factor segments: the q0 segments just before it, with its start; its value is "
    "base + amp * (product of their values at the same local time); its own unit curve is 1",
)

USER, USE_USER = _shape(
    "USER",
    "user",
    None,
    params="a user's function (fastlr.Formula) at the integer local step: q0 is the column of its first "
    "parameter among the row's parameter columns (cf past CF_WIDTH), q1 its index in the program's function "
    "table; blocks.main_block fills its pieces through user_fill, curve_value calls user_value",
)

#: Every shape code, in code order.
SHAPES: tuple[Shape, ...] = tuple(_SHAPES)
N_CODES = len(SHAPES)

# ---- the other feature switches -------------------------------------------------------------
USE_WU_PREFIX = _feature("USE_WU_PREFIX")  # warmup modes
USE_WU_OVERLAY = _feature("USE_WU_OVERLAY")
USE_WU_BLEND = _feature("USE_WU_BLEND")
USE_RS_INT = _feature("USE_RS_INT")  # restarts with an integer period (vectorised per cycle)
USE_SCALAR_MAIN = _feature("USE_SCALAR_MAIN")  # restarts with fractional periods or growth, epochs
USE_COS_POW = _feature("USE_COS_POW")  # cosines with an exponent or a k-decay (powers around them)

#: Names of the feature switches: bit ``i`` of a feature mask is ``FEATURES[i]``.
FEATURES: tuple[str, ...] = tuple(s.switch for s in SHAPES) + tuple(_EXTRA)
ALL_FEATURES = (1 << len(FEATURES)) - 1
#: The codes ``blocks.other_piece`` fills (some of them only in their powered forms).
OTHER_PIECE_CODES: tuple[int, ...] = tuple(s.code for s in SHAPES if s.fill == OTHER_PIECE or s.powered)
#: The codes that can be warmup curves (``blocks.unit_fill``).
WARMUP_CODES: tuple[int, ...] = tuple(s.code for s in SHAPES if s.warmup)


def switches(mask: int) -> dict[str, bool]:
    """The switches of the kernel variant with feature mask ``mask``.

    Parameters
    ----------
    mask : int
        Bit ``i`` set: the feature ``FEATURES[i]`` is compiled.

    Returns
    -------
    dict
        ``{name: bool}`` for every name of :data:`FEATURES`, and the derived ``USE_OTHER_PIECE``:
        True when ``blocks.other_piece`` has a live branch (some code of
        :data:`OTHER_PIECE_CODES` is on, its powered form counting only with ``USE_COS_POW``).
    """
    on = {name: bool(mask >> i & 1) for i, name in enumerate(FEATURES)}
    on["USE_OTHER_PIECE"] = any(
        on[s.switch] and (s.fill == OTHER_PIECE or on["USE_COS_POW"]) for s in SHAPES if s.code in OTHER_PIECE_CODES
    )
    return on


USE_OTHER_PIECE = switches(ALL_FEATURES)["USE_OTHER_PIECE"]

# ---- warmup modes ----------------------------------------------------------------------------
WU_NONE = 0
WU_PREFIX = 1  # v = start + (main(target_t) - start) f
WU_OVERLAY = 2  # v = main(t) (start + (1 - start) f)
WU_BLEND = 3  # v = start + (main(t) - start) f

# ---- restart kinds ---------------------------------------------------------------------------
RS_NONE = 0
RS_INT = 1  # integer period, exact modular arithmetic
RS_FRAC = 2  # x = cycles * (tm / period), cycle = floor(x), progress = x - cycle
RS_GROW = 3  # period growth by mult (closed form with log), optional exact correction
RS_STRETCH = 4  # cycle i = ceil(tm / period) - 1 (0 at tm = 0), progress tm / ((i + 1) period) (Keras)

# restart decay modes
RS_AMPLITUDE = 0  # amp_i = amp * decay^i
RS_PEAK = 1  # amp_i = peak * decay^i - base

# ---- ci columns ------------------------------------------------------------------------------
I_SEG_LO = 0
I_SEG_HI = 1
I_WU_MODE = 2
I_WU_LEN = 3
I_WU_CODE = 4
I_WU_TARGET = 5  # global step whose main value is the prefix target
I_SHIFT = 6  # main local time = (t - shift) // spe
I_SPE = 7
I_RS_KIND = 8
I_RS_PERIOD = 9  # integer period (RS_INT)
I_RS_LIMIT = 10  # 0: unlimited
I_RS_WARM = 11  # per-cycle warmup length
I_RS_MODE = 12
I_RS_EXACT = 13
I_RS_SEG = 14  # the restarted segment, counted from I_SEG_LO (a Join phase: restarts from its start)
CI_WIDTH = 15

# ---- cf columns ------------------------------------------------------------------------------
F_SCALE = 0
F_FLOOR = 1  # -inf: no floor
F_WU_BASE = 2
F_WU_N = 3
F_WU_OFF = 4
F_WU_Q0 = 5
F_WU_Q1 = 6
F_WU_Q2 = 7
F_WU_Q3 = 8
F_RS_PERIOD = 9
F_RS_MULT = 10
F_RS_DECAY = 11
F_RS_CYCLES = 12
F_RS_PEAK = 13
F_RS_LIMIT = 14  # RS_FRAC: stop once the continuous cycle position reaches it (0: never)
CF_WIDTH = 15
# A program with USER segments has more cf columns: its rows' Formula parameters, from CF_WIDTH on.

# ---- segment columns -------------------------------------------------------------------------
S_START = 0
S_CODE = 1
SI_WIDTH = 2

S_BASE = 0
S_AMP = 1
S_N = 2
S_OFF = 3
S_Q0 = 4
S_Q1 = 5
S_Q2 = 6
S_Q3 = 7
SF_WIDTH = 8

# ---- summary columns (drivers.summarize_rows) ------------------------------------------------
SUM_FINAL = 0  # value at the last step
SUM_PEAK = 1  # largest value
SUM_MIN = 2  # smallest value
SUM_SUM = 3  # float64 sum over the steps, in step order
FSUM_WIDTH = 4

SUM_PEAK_STEP = 0  # first step reaching the peak
SUM_ABOVE = 1  # steps with a value > threshold
SUM_BELOW = 2  # steps with a value < threshold
ISUM_WIDTH = 3
