"""The lowered program: column indices and codes shared by lowering and every kernel target.

A batch of N schedule rows lowers to four arrays (struct of arrays, CSR over segments):

``cfg_i`` int64 (N, CI_WIDTH)
    per-row integers: the segment range, warmup, restart and granularity fields.
``cfg_f`` float64 (N, CF_WIDTH)
    per-row floats: scale, floor, warmup and restart parameters.
``seg_i`` int64 (S, SI_WIDTH)
    per-segment start (in local main time) and shape code.
``seg_f`` float64 (S, SF_WIDTH)
    per-segment ``base``, ``amp``, progress denominator ``n``, offset ``off`` and four shape
    parameters ``q0..q3``. A segment's value at local time ``tl`` is
    ``base + amp * unit(code, tl - off, n, q0, q1, q2, q3)``.

This module holds plain integers (and the feature switches below) only, so kernels of every
target read the same layout.
"""

# ---- shape codes (the ``unit`` functions in formulas.py) -------------------------------------
CONST = 0  # 0
LIN_UP = 1  # x/n
LIN_DOWN = 2  # 1 - x/n
COS_UP = 3  # (1/2 (1 - cos(pi x/n)))^q0
COS_DOWN = 4  # (1/2 (1 + cos(pi q2 p)))^q0, p = x^q1 / n^q1
POLY_UP = 5  # (x/n)^q0
POLY_DOWN = 6  # (1 - p)^q0, p = x^q1 / n^q1
EXP = 7  # q0^(x/n) (floor(x/n) if q1), clipped at q2 when q3 != 0
INV_SQRT = 8  # 1/sqrt(x/n)
INV_TIME = 9  # 1/(1 + q0 p), p = x/n (floor if q1)
TANH = 10  # 1/2 (1 - tanh(q0 (1 - p) + q1 p))
SQRT_DOWN = 11  # 1 - sqrt(x/n)
SQRT_UP = 12  # 1 - sqrt(1 - x/n)
EXP_UP = 13  # 1 - exp(-x/n)
CYCLIC = 14  # CLR triangle: q0 up, q1 down, q2 mode (0 tri, 1 tri2, 2 exp_range), q3 gamma
RADAM_UP = 15  # RAdam's rectification factor at x steps: q0 beta2, q1 rho_inf
N_CODES = 16

# ---- features: compile-time switches of the CPU kernels -------------------------------------
# Each branch of the CPU kernels that handles one shape code, warmup mode or restart path is
# guarded by one of these names. They are True here, so CUDA and plain Python see every branch;
# the CPU compiles one variant of its kernels per feature set, binding the features a program
# does not use to False, and Numba prunes those branches before inlining and typing them: a
# program compiles only the code it runs. Bit ``i`` of a feature mask is ``FEATURES[i]``; the
# first ``N_CODES`` are the shape codes in code order.
USE_CONST = USE_LIN_UP = USE_LIN_DOWN = USE_COS_UP = USE_COS_DOWN = USE_POLY_UP = True
USE_POLY_DOWN = USE_EXP = USE_INV_SQRT = USE_INV_TIME = USE_TANH = USE_SQRT_DOWN = True
USE_SQRT_UP = USE_EXP_UP = USE_CYCLIC = USE_RADAM_UP = True
USE_WU_PREFIX = USE_WU_OVERLAY = USE_WU_BLEND = True  # warmup modes
USE_RS_INT = True  # restarts with an integer period (vectorised per cycle)
USE_SCALAR_MAIN = True  # restarts with fractional periods or growth, epoch granularity
USE_COS_POW = True  # cosines with an exponent or a k-decay (powers around the cosine)
FEATURES = (
    "USE_CONST",
    "USE_LIN_UP",
    "USE_LIN_DOWN",
    "USE_COS_UP",
    "USE_COS_DOWN",
    "USE_POLY_UP",
    "USE_POLY_DOWN",
    "USE_EXP",
    "USE_INV_SQRT",
    "USE_INV_TIME",
    "USE_TANH",
    "USE_SQRT_DOWN",
    "USE_SQRT_UP",
    "USE_EXP_UP",
    "USE_CYCLIC",
    "USE_RADAM_UP",
    "USE_WU_PREFIX",
    "USE_WU_OVERLAY",
    "USE_WU_BLEND",
    "USE_RS_INT",
    "USE_SCALAR_MAIN",
    "USE_COS_POW",
)

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

# restart decay modes
RS_AMPLITUDE = 0  # amp_i = amp * decay^i
RS_PEAK = 1  # amp_i = peak * decay^i - base

# ---- cfg_i columns ---------------------------------------------------------------------------
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
CI_WIDTH = 14

# ---- cfg_f columns ---------------------------------------------------------------------------
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
