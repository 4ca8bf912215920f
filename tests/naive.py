"""Independent per-step reference, written from the published formulas.

It reads a schedule's plain ``to_dict()`` description (JSON types only) and evaluates one step
at a time with ``math``; it imports nothing from fastlr. Restart cycles are located by walking
the cycles one by one (not with the closed-form logarithm the kernels use), cyclic triangles by
the position inside the cycle, multistep by bisection.
"""

from __future__ import annotations

import bisect
import math
from typing import Any


def _user_value(d: dict[str, Any], t: int) -> float:
    """A user's function (its stored source, run with math and its frozen numbers) at step t."""
    fn = d["fn"]
    ns: dict[str, Any] = {"math": math}
    for k, v in fn["frozen"].items():
        ns[k] = tuple(v["tuple"]) if isinstance(v, dict) and "tuple" in v else v
    if fn["name"] == "<lambda>":
        f = eval(fn["source"], ns)
    else:
        exec(fn["source"], ns)
        f = ns[fn["name"]]
    if not d["cumulative"]:
        return d["scale"] * f(t + d["shift"], **d["params"])
    v = d["scale"]
    for s in range(1, t + 1):
        v = v * f(s, **d["params"])
    return v


def _p(t: float, d: dict[str, Any]) -> float:
    span = d["steps"] if d.get("span") is None else d["span"]
    return (t - d.get("offset", 0.0)) / span


def shape_value(d: dict[str, Any], t: int) -> float:
    """A shape's value at local step ``t`` (held after its horizon)."""
    kind = d["type"]
    if kind == "Constant":
        return d["value"]
    if kind == "Formula":
        return _user_value(d, t)
    if kind == "Product":
        return math.prod(shape_value(f, t) for f in d["factors"])
    if kind == "Join":
        starts = [0, *d["boundaries"]]
        k = bisect.bisect_right(starts, t) - 1
        phase = d["phases"][k]
        if phase["type"] == "Schedule":  # a restarted phase: cycles from the phase's start
            return _restart_value(phase["curve"], phase["restarts"], t - starts[k])
        return shape_value(phase, t - starts[k])
    if kind in ("Linear", "Polynomial", "Tanh", "SqrtCooldown") or (kind == "Cosine" and d["after"] == "hold"):
        t = min(t, d["steps"])
    if kind == "Linear":
        return d["start"] + (d["end"] - d["start"]) * _p(t, d)
    if kind == "Cosine":
        span = d["steps"] if d.get("span") is None else d["span"]
        x = t - d["offset"]
        p = x ** d["k_decay"] / span ** d["k_decay"]
        u = ((1.0 + math.cos(2.0 * math.pi * d["cycles"] * p)) / 2.0) ** d["exponent"]
        return d["end"] + (d["start"] - d["end"]) * u
    if kind == "Polynomial":
        span = d["steps"] if d.get("span") is None else d["span"]
        x = t - d["offset"]
        p = x ** d["k_decay"] / span ** d["k_decay"]
        return d["end"] + (d["start"] - d["end"]) * (1.0 - p) ** d["power"]
    if kind == "Tanh":
        p = _p(t, d)
        return d["end"] + (d["start"] - d["end"]) * (1.0 - math.tanh(d["lower"] * (1 - p) + d["upper"] * p)) / 2
    if kind == "SqrtCooldown":
        return d["end"] + (d["start"] - d["end"]) * (1.0 - math.sqrt(_p(t, d)))
    if kind == "Asymptotic":
        x = t / d["steps"]
        return d["end"] + (d["start"] - d["end"]) * d["rate"] ** (math.floor(x) if d["staircase"] else x)
    if kind == "Exponential":
        if t < d["begin"]:
            return d["start"]
        e = (t - d["begin"]) / d["steps"]
        if d["staircase"]:
            e = math.floor(e)
        v = d["start"] * d["rate"] ** e
        if d["end"] is not None:
            v = max(v, d["end"]) if d["rate"] < 1 else min(v, d["end"])
        return v
    if kind == "StepDecay":
        return d["start"] * d["gamma"] ** (t // d["step_size"])
    if kind == "MultiStep":
        return d["start"] * d["gamma"] ** bisect.bisect_right(d["milestones"], t)
    if kind == "PiecewiseConstant":
        return d["values"][bisect.bisect_right(d["boundaries"], t)]
    if kind == "PiecewiseInterp":
        knots, values = d["knots"], d["values"]
        if t >= knots[-1]:
            return values[-1]
        k = bisect.bisect_right(knots, t) - 1
        a, b, va, vb = knots[k], knots[k + 1], values[k], values[k + 1]
        p = (t - a) / (b - a)
        if d["kind"] == "linear":
            return va + (vb - va) * p
        return vb + (va - vb) * (1 + math.cos(math.pi * p)) / 2
    if kind == "InverseSqrt":
        return d["start"] * (1 + t / d["timescale"]) ** -d.get("power", 0.5)
    if kind == "InverseTime":
        p = t / d["steps"]
        if d["staircase"]:
            p = math.floor(p)
        return d["start"] / (1 + d["rate"] * p)
    if kind == "Cyclic":
        up = d["step_size_up"]
        down = up if d["step_size_down"] is None else d["step_size_down"]
        size = up + down
        cycle = math.floor(t / size)  # 0-based
        u = t - cycle * size
        s = u / up if u <= up else (size - u) / down
        if d["mode"] == "triangular":
            g = 1.0
        elif d["mode"] == "triangular2":
            g = 0.5**cycle
        else:
            g = d["gamma"] ** t
        return d["low"] + (d["high"] - d["low"]) * s * g
    if kind == "OneCycle":
        n = d["total_steps"]
        up = max(1, round(d["pct_start"] * n))
        init = d["peak"] / d["div_factor"]
        low = init / d["final_div_factor"]
        if d["three_phase"]:
            knots, vals = [0, up, 2 * up, n], [init, d["peak"], init, low]
        else:
            knots, vals = [0, up, n], [init, d["peak"], low]
        if t >= n:
            return low
        k = bisect.bisect_right(knots, t) - 1
        p = (t - knots[k]) / (knots[k + 1] - knots[k])
        a, b = vals[k], vals[k + 1]
        if d["anneal"] == "linear":
            return a + (b - a) * p
        return b + (a - b) * (1 + math.cos(math.pi * p)) / 2
    raise KeyError(kind)


def _unit_decay(d: dict[str, Any], p: float) -> float:
    """The normalised decay (1 -> 0) of a restartable shape at progress p."""
    kind = d["type"]
    if kind == "Cosine":
        q = p ** d["k_decay"]
        return ((1 + math.cos(2 * math.pi * d["cycles"] * q)) / 2) ** d["exponent"]
    if kind == "Linear":
        return 1 - p
    if kind == "Polynomial":
        return (1 - p ** d["k_decay"]) ** d["power"]
    if kind == "Tanh":
        return (1 - math.tanh(d["lower"] * (1 - p) + d["upper"] * p)) / 2
    if kind == "SqrtCooldown":
        return 1 - math.sqrt(p)
    raise KeyError(kind)


def _restart_value(curve: dict[str, Any], rs: dict[str, Any], tm: int) -> float:
    period = curve["steps"]
    start, end = curve["start"], curve["end"]
    if rs.get("stretch"):  # Keras: horizon ceil(t / P) P, progress t over it
        i = max(1, math.ceil(tm / period)) - 1
        tc, length = float(tm), float(period * (i + 1))
    elif rs["mult"] == 1.0 and rs["cycles"] != 1.0:
        x = rs["cycles"] * tm / period
        if rs["limit"] is not None and x >= rs["limit"]:
            return end
        i = math.floor(x)
        tc, length = x - i, 1.0
    elif rs["mult"] == 1.0:
        i, tc, length = tm // period, tm % period, float(period)
    elif rs["exact"]:
        i, begin, length = 0, 0.0, float(period)
        while begin + length <= tm:
            begin += length
            length *= rs["mult"]
            i += 1
        tc = tm - begin
    else:
        m = rs["mult"]
        i = math.floor(math.log(1 + tm / period * (m - 1)) / math.log(m))
        length = period * m**i
        tc = tm - period * (m**i - 1) / (m - 1)
    if rs["limit"] is not None and i >= rs["limit"]:
        return end
    if rs["decay_mode"] == "peak":
        amp = start * rs["decay"] ** i - end
    else:
        amp = (start - end) * rs["decay"] ** i
    cw = rs["warmup_steps"]
    if cw and tc < cw:
        return end + amp * tc / cw
    return end + amp * _unit_decay(curve, (tc - cw) / (length - cw))


def _warm(shape: str, p: float, power: float) -> float:
    if shape == "linear":
        return p
    if shape == "constant":
        return 0.0
    if shape == "exponential":
        return 1 - math.exp(-p)
    if shape == "power":
        return p**power
    if shape == "cosine":
        return (1 - math.cos(math.pi * p)) / 2
    if shape == "sqrt":
        return 1 - math.sqrt(1 - p)
    raise KeyError(shape)


def _radam(x: float, beta2: float) -> float:
    """RAdam's variance rectification term r_t at step x (Liu et al. 2020, eq. 6-7)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * x * beta2**x / (1 - beta2**x)
    return math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))


def value(d: dict[str, Any], t: int) -> float:
    """The value of schedule (or shape) description ``d`` for optimizer step ``t``."""
    if d["type"] != "Schedule":
        d = {
            "type": "Schedule",
            "curve": d,
            "warmup": None,
            "restarts": None,
            "scale": 1.0,
            "floor": None,
            "floor_ratio": None,
            "steps_per_epoch": 1,
        }
    wu = d["warmup"]
    shift = wu["steps"] if (wu is not None and wu["mode"] == "prefix" and wu["shift"]) else 0

    def main(step: int) -> float:
        tm = (step - shift) // d["steps_per_epoch"]
        if d["restarts"] is not None:
            c = _restart_value(d["curve"], d["restarts"], tm)
        else:
            c = shape_value(d["curve"], tm)
        v = d["scale"] * c
        if d["floor"] is not None:
            v = max(v, d["floor"])
        if d["floor_ratio"] is not None:
            v = max(v, d["floor_ratio"] * d["scale"] * shape_value(d["curve"], 0))
        return v

    if wu is not None and t < wu["steps"]:
        span = wu["steps"] if wu["span"] is None else wu["span"]
        if wu["shape"] == "radam":
            w = _radam(t - wu["offset"], wu["beta2"])
        else:
            w = _warm(wu["shape"], (t - wu["offset"]) / span, wu["power"])
        if wu["mode"] == "overlay":
            return main(t) * (wu["start"] + (1 - wu["start"]) * w)
        if wu["mode"] == "blend":
            target = main(t)
        else:
            target = main(shift if wu["target"] == "start" else wu["steps"])
        return wu["start"] + (target - wu["start"]) * w
    return main(t)


def table(d: dict[str, Any], T: int) -> list[float]:
    """``[value(d, t) for t in range(T)]``."""
    return [value(d, t) for t in range(T)]
