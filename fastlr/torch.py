"""PyTorch bridge: :class:`TableScheduler`, a ``torch.optim.lr_scheduler.LRScheduler`` fed by fastlr tables.

The value that a param group's hyperparameter ``k`` gets for scheduler step ``t`` is

.. math::

    v_{k,g}(t) = s_{k,g} \\; f_{k,g}(\\min(t, T - 1))

where ``f_{k,g}`` is the group's fastlr schedule, ``T = total_steps`` and ``s_{k,g}`` is 1 for an
absolute schedule or the group's initial value (``initial_lr`` ...) for a relative one (LambdaLR's
``base_lr * lambda(t)``). Entry ``i`` of the table is the value used by ``optimizer.step()``
number ``i`` (0-based), exactly as with ``LambdaLR``: construction writes row 0 and each
``scheduler.step()`` after ``optimizer.step()`` moves to the next row.

Decisions and quirks
--------------------
- **Precomputed tables.** ``total_steps`` is required; the float64 table of every distinct
  schedule (``8 * total_steps`` bytes each) is computed once at construction by the Numba
  kernels. Groups that share a schedule share its row.
- **Past the end** (``t >= total_steps``): ``past_end="hold"`` (default) keeps row ``T - 1``
  (not the schedule's own continuation: ask for more steps if you want it); ``past_end="raise"``
  lets ``step()`` reach ``t = T`` (so a loop of exactly ``T`` optimizer steps ends cleanly, the
  value held) and raises :class:`PastEndError` on any step beyond, as OneCycleLR does.
- **Exact floats.** A Python-float hyperparameter receives the float64 table value itself
  (times its base in relative mode, the same product LambdaLR computes).
- **Tensor hyperparameters** (compiled or capturable optimizers: a Tensor ``lr``, ``betas[0]``,
  ...) are never replaced and never read on the host: each step copies the values in place
  (``torch._foreach_copy_``) from a table kept on the tensor's device, in its dtype (rounded
  once from float64). No ``.item()``, no host sync, no float assignment, so a compiled
  ``optimizer.step`` does not recompile. With ``capturable=True`` the step index also lives on
  the device (``step_tensor``), so the whole update can be captured in a CUDA graph.
- **Resume.** :meth:`TableScheduler.state_dict` holds the schedule's dict, its configuration,
  a fingerprint and the step: a few hundred bytes, never the table, loadable with
  ``torch.load(weights_only=True)``. :meth:`~TableScheduler.load_state_dict` rebuilds the saved
  schedule, verifies its fingerprint and compares it with the scheduler's own; a difference
  raises :class:`ScheduleMismatchError` unless the scheduler was built with
  ``on_mismatch="new"`` (continue with the new schedule at the saved step) or ``"saved"``
  (adopt the checkpoint's schedule). Loading writes the saved step's values at once.
- **No order dependence.** Values are a function of the step alone; loading the scheduler
  writes them, and a load-state-dict post-hook on the optimizer writes them again after
  ``optimizer.load_state_dict`` (which replaces the param groups). Constructing, loading the
  optimizer and loading the scheduler in any order gives the same values.
- ``step(t)`` with an explicit step jumps to row ``t`` (a closed form, no deprecation warning).
- ``"momentum"`` targets ``betas[0]`` in optimizers that have ``betas`` and no ``momentum``
  (Adam-style, as OneCycleLR does); ``"beta1"`` / ``"beta2"`` name ``betas[0]`` / ``betas[1]``.
- "Epoch" in torch's API (``last_epoch``) means a scheduler step here.
"""

from __future__ import annotations

import json
import numbers
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from fastlr import _checks as ck
from fastlr._hashing import canonical_hash
from fastlr._spec import FORMAT_VERSION, Schedulable, from_dict
from fastlr.schedule import ScheduleSet

__all__ = [
    "PastEndError",
    "ScheduleMismatchError",
    "TableLambda",
    "TableScheduler",
    "as_tensor",
    "get_scheduler",
    "to_lambda",
    "use_in_trainer",
]

STATE_FORMAT = "fastlr.TableScheduler"
STATE_VERSION = 1
PAST_END = ("hold", "raise")
ON_MISMATCH = ("error", "new", "saved")
_ALIASES = {"beta1": ("betas", 0), "beta2": ("betas", 1)}
_NOT_HYPERPARAMS = ("params", "param_names", "name")


class PastEndError(ValueError):
    """A step beyond the table's end with ``past_end="raise"``.

    Examples
    --------
    >>> import torch, fastlr as fl
    >>> from fastlr.torch import PastEndError, TableScheduler
    >>> opt = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0)
    >>> sched = TableScheduler(opt, fl.Constant(0.1), total_steps=2, past_end="raise")
    >>> try:
    ...     for _ in range(3):
    ...         opt.step()
    ...         sched.step()
    ... except PastEndError as e:
    ...     print(type(e).__name__, "total_steps=2" in str(e))
    PastEndError True
    """


class ScheduleMismatchError(ValueError):
    """A checkpoint's schedule differs from the scheduler's (see ``on_mismatch``)."""


# ---- helpers -------------------------------------------------------------------------------------
def _steps_arg(name: str, value: Any) -> int:
    """A step count >= 1: an integer, or an integral float (``100.0`` from a sweep tool's config)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return ck.integer(name, value, lo=1)


def _compute_rows(schedules: Sequence[Schedulable], total_steps: int) -> np.ndarray:
    """``(len(schedules), total_steps)`` float64, row r = ``schedules[r].table(total_steps)``."""
    ck.guard_memory((len(schedules), total_steps), np.dtype(np.float64))
    out = np.empty((len(schedules), total_steps), dtype=np.float64)
    for r, s in enumerate(schedules):
        s.table(total_steps, out=out[r])
    return out


def _torch_dtype(dtype: Any) -> torch.dtype:
    if dtype is None:
        return torch.float64
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype such as torch.float32, got {dtype!r}")
    return dtype


def _to_tensor(values: np.ndarray, device: Any, dtype: Any) -> torch.Tensor:
    """Zero-copy on the CPU for float64; otherwise one conversion (rounded once from float64)."""
    dt = _torch_dtype(dtype)
    dev = torch.device("cpu") if device is None else torch.device(device)
    t = torch.from_numpy(values)
    if dt != torch.float64:
        t = t.to(dt)
    return t if dev.type == "cpu" else t.to(dev)


def as_tensor(schedule: Any, total_steps: int, *, device: Any = None, dtype: Any = None) -> Any:
    """A schedule's table as a tensor: entry ``i`` is the value for optimizer step ``i``.

    Parameters
    ----------
    schedule : schedule or ScheduleSet
        A fastlr schedule (or shape); a :class:`fastlr.ScheduleSet` gives ``{name: (groups, T)}``.
    total_steps : int
        Table length ``T``.
    device : torch.device or str, optional
        Where to put it (default CPU).
    dtype : torch.dtype, optional
        Default ``torch.float64``: on the CPU the tensor shares memory with the NumPy table
        (zero copy). Other dtypes are rounded once from float64.

    Examples
    --------
    >>> import torch, fastlr as fl
    >>> from fastlr.torch import as_tensor
    >>> as_tensor(fl.Linear(1.0, 0.0, 4), 5).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0]
    >>> as_tensor(fl.Linear(1.0, 0.0, 4), 5, dtype=torch.float32).dtype
    torch.float32
    """
    T = _steps_arg("total_steps", total_steps)
    if isinstance(schedule, ScheduleSet):
        return {k: _to_tensor(_compute_rows(schedule[k], T), device, dtype) for k in schedule.keys()}
    if not isinstance(schedule, Schedulable):
        raise TypeError(f"schedule must be a fastlr schedule or ScheduleSet, got {type(schedule).__name__}")
    return _to_tensor(schedule.table(T), device, dtype)


class TableLambda:
    """``lambda(t) = table[min(t, T - 1)]``: a fastlr table as a ``LambdaLR`` function.

    A callable object, picklable, whose ``__dict__`` (what ``LambdaLR.state_dict`` saves) holds
    only the schedule's dict, ``total_steps``, ``past_end`` and a fingerprint; the table itself
    lives in a slot and is rebuilt when unpickled, after checking the fingerprint against the
    schedule (a tampered state raises ``ValueError``).

    ``LambdaLR.load_state_dict`` replaces that ``__dict__`` directly. The next call notices a
    state that is not the one the table was built for and acts on ``on_mismatch``:
    ``"error"`` (default) raises :class:`ScheduleMismatchError`, ``"saved"`` rebuilds the table
    of the checkpoint's schedule, ``"new"`` restores this function's own state. A state whose
    fingerprint does not match its schedule raises ``ValueError`` in every mode.
    """

    __slots__ = ("__dict__", "_built_for", "_on_mismatch", "_own", "_values")

    def __init__(
        self,
        schedule: Schedulable,
        total_steps: int,
        past_end: str = "hold",
        *,
        on_mismatch: str = "error",
        _values: np.ndarray | None = None,
    ) -> None:
        if not isinstance(schedule, Schedulable):
            raise TypeError(f"schedule must be a fastlr schedule, got {type(schedule).__name__}")
        T = _steps_arg("total_steps", total_steps)
        self._on_mismatch = ck.choice("on_mismatch", on_mismatch, ON_MISMATCH)
        self.past_end = ck.choice("past_end", past_end, PAST_END)
        self.schedule = schedule.to_dict()
        self.total_steps = T
        self.fingerprint = schedule.fingerprint()
        self._values = schedule.table(T) if _values is None else _values
        self._built_for = self._key()
        self._own = dict(self.__dict__)

    def _key(self) -> tuple[Any, ...]:
        return (self.__dict__.get("fingerprint"), self.__dict__.get("total_steps"), self.__dict__.get("past_end"))

    def __call__(self, t: int) -> float:
        if self._key() != self._built_for:
            self._reconcile()
        T = self.total_steps
        if t >= T:
            if self.past_end == "raise" and t > T:
                raise PastEndError(f"step {t} is past the end of the table (total_steps={T}, past_end='raise')")
            t = T - 1
        return float(self._values[t])

    def _reconcile(self) -> None:
        """The ``__dict__`` was replaced (``LambdaLR.load_state_dict``): check it, then act on
        ``on_mismatch`` (see the class notes)."""
        state = dict(self.__dict__)
        saved = _checked_lambda_state(state)
        fp, T, past_end = self._built_for
        if (saved.fingerprint(), state["total_steps"], state["past_end"]) == (fp, T, past_end):
            self._built_for = self._key()
            return
        if self._on_mismatch == "saved":
            self._values = saved.table(state["total_steps"])  # type: ignore[attr-defined]
            self._built_for = self._key()
            return
        if self._on_mismatch == "new":
            self.__dict__.clear()
            self.__dict__.update(self._own)
            return
        raise ScheduleMismatchError(
            f"the LambdaLR state loaded into this TableLambda describes another schedule or table "
            f"(fingerprint {state['fingerprint']!r}, total_steps={state['total_steps']}, "
            f"past_end={state['past_end']!r}; "
            f"this function's: {fp!r}, {T}, {past_end!r}); build it with to_lambda(..., on_mismatch='saved') to "
            "adopt the checkpoint's schedule or on_mismatch='new' to keep this one"
        )

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        saved = _checked_lambda_state(state)
        self.__dict__.update(state)
        self._on_mismatch = "error"
        self._values = saved.table(state["total_steps"])  # type: ignore[attr-defined]
        self._built_for = self._key()
        self._own = dict(self.__dict__)

    def __repr__(self) -> str:
        return f"TableLambda({self.schedule['type']}, total_steps={self.total_steps}, past_end={self.past_end!r})"


def _checked_lambda_state(state: Any) -> Schedulable:
    """The schedule of a TableLambda state, after checking its keys, values and fingerprint."""
    if not isinstance(state, Mapping) or not {"schedule", "total_steps", "past_end", "fingerprint"} <= set(state):
        raise ValueError(f"not a fastlr TableLambda state: {state!r}")
    ck.integer("total_steps", state["total_steps"], lo=1)
    ck.choice("past_end", state["past_end"], PAST_END)
    sched = from_dict(state["schedule"])
    if not isinstance(sched, Schedulable) or sched.fingerprint() != state["fingerprint"]:
        raise ValueError(
            f"TableLambda state fingerprint {state['fingerprint']!r} does not match its schedule; "
            "the state is corrupt or was edited"
        )
    return sched


def to_lambda(
    schedule: Schedulable, total_steps: int, *, past_end: str = "hold", on_mismatch: str = "error"
) -> TableLambda:
    """A ``LambdaLR`` function for ``schedule``: ``lambda(t) = schedule.table(total_steps)[t]``.

    ``LambdaLR`` sets ``lr = base_lr * lambda(t)``: pass a factor schedule (1.0 at the peak), or an
    absolute one with the optimizer's ``lr=1.0``; the product is then the table value exactly.
    ``on_mismatch`` says what happens when ``LambdaLR.load_state_dict`` loads another
    schedule's state (see :class:`TableLambda`).

    Examples
    --------
    >>> import torch, fastlr as fl
    >>> from fastlr.torch import to_lambda
    >>> f = to_lambda(fl.Linear(1.0, 0.0, 4), 5)
    >>> [f(t) for t in range(7)]  # held after the last step
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0]
    >>> opt = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.5)
    >>> sched = torch.optim.lr_scheduler.LambdaLR(opt, f)  # lr = 0.5 * f(t)
    >>> opt.step(); sched.step(); opt.param_groups[0]["lr"]
    0.375
    """
    return TableLambda(schedule, total_steps, past_end, on_mismatch=on_mismatch)


# ---- group mapping -------------------------------------------------------------------------------
def _group_names(optimizer: Optimizer) -> list[Any]:
    return [g.get("name") for g in optimizer.param_groups]


def _per_group(key: str, spec: Any, optimizer: Optimizer) -> tuple[Schedulable, ...]:
    """One key's schedules: one for all groups, one per group, or by group name."""
    n = len(optimizer.param_groups)
    if isinstance(spec, Schedulable):
        return (spec,)
    if isinstance(spec, Mapping):
        names = _group_names(optimizer)
        known = [x for x in names if x is not None]
        for name in spec:
            if name != "*" and name not in known:
                raise ValueError(
                    f"schedule[{key!r}] names group {name!r}, but the param groups are named {known} "
                    "(set a 'name' key in each param group; '*' is the default for the others)"
                )
        out = []
        for g, name in enumerate(names):
            s = spec.get(name, spec.get("*")) if name is not None else spec.get("*")
            if s is None:
                raise ValueError(
                    f"schedule[{key!r}] has no schedule for param group {g} (name {name!r}); "
                    f"give one for every group or a default under '*'"
                )
            out.append(s)
        spec = out
    if isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable):
        raise TypeError(
            f"schedule[{key!r}] must be a schedule, a sequence of one per param group, or a mapping of group "
            f"names to schedules, got {type(spec).__name__}"
        )
    seq = tuple(spec)
    if len(seq) not in (1, n):
        raise ValueError(f"schedule[{key!r}] has {len(seq)} schedules but the optimizer has {n} param groups")
    for i, s in enumerate(seq):
        if not isinstance(s, Schedulable):
            raise TypeError(f"schedule[{key!r}][{i}] must be a fastlr schedule, got {type(s).__name__}")
    return seq


def _canonical(schedule: Any, optimizer: Optimizer) -> ScheduleSet:
    """Any accepted input as a ScheduleSet with one schedule (all groups) or one per group."""
    if isinstance(schedule, ScheduleSet):
        items: Iterable[tuple[str, Any]] = [(k, schedule[k]) for k in schedule.keys()]
    elif isinstance(schedule, Mapping):
        items = list(schedule.items())
        if not items:
            raise ValueError("schedule must not be an empty mapping")
    elif isinstance(schedule, Schedulable) or (
        isinstance(schedule, Sequence) and not isinstance(schedule, (str, bytes))
    ):
        items = [("lr", schedule)]
    else:
        raise TypeError(
            "schedule must be a fastlr schedule, a sequence of them (one per param group), a mapping "
            f"{{hyperparameter: schedules}} or a fastlr.ScheduleSet; got {type(schedule).__name__}"
        )
    out = {}
    for key, spec in items:
        if not isinstance(key, str):
            raise TypeError(f"hyperparameter names must be strings, got {key!r}")
        out[key] = _per_group(key, spec, optimizer)
    return ScheduleSet(out)


def _resolve_field(group: dict[str, Any], key: str, g: int) -> tuple[str, int | None]:
    """The param-group field (and tuple slot) that hyperparameter ``key`` sets."""
    if key in _ALIASES:
        field, slot = _ALIASES[key]
    elif key == "momentum" and "momentum" not in group and "betas" in group:
        field, slot = "betas", 0
    else:
        field, slot = key, None
    if field in _NOT_HYPERPARAMS or key.startswith("initial_") or field not in group:
        raise ValueError(
            f"param group {g} has no hyperparameter {key!r}; its hyperparameters are {_numeric_keys(group)} "
            "(plus 'beta1'/'beta2' for betas, and 'momentum' meaning betas[0] where there is no momentum)"
        )
    value = group[field]
    if slot is None and isinstance(value, (tuple, list)):
        hint = "; schedule its elements as 'beta1' and 'beta2'" if field == "betas" else ""
        raise ValueError(f"param group {g}: {key!r} is a sequence {tuple(value)!r}, not one number{hint}")
    if slot is not None:
        if not isinstance(value, (tuple, list)) or len(value) <= slot:
            raise ValueError(f"param group {g}: {field!r} has no element {slot} for {key!r}, got {value!r}")
        value = value[slot]
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or not value.is_floating_point():
            raise ValueError(
                f"param group {g}: {key!r} is a tensor of shape {tuple(value.shape)} and dtype {value.dtype}; "
                "a scheduled tensor hyperparameter must be a one-element floating tensor"
            )
    elif isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"param group {g}: {key!r} is {value!r}, not a number; numeric hyperparameters: {_numeric_keys(group)}"
        )
    return field, slot


def _numeric_keys(group: dict[str, Any]) -> list[str]:
    """The schedulable names of a group: numeric keys, and ``beta1``/``beta2`` for a ``betas`` pair."""
    keys = [
        k
        for k, v in group.items()
        if k not in _NOT_HYPERPARAMS
        and not k.startswith("initial_")
        and (isinstance(v, torch.Tensor) or (isinstance(v, numbers.Real) and not isinstance(v, bool)))
    ]
    if isinstance(group.get("betas"), (tuple, list)) and len(group["betas"]) == 2:
        keys += ["beta1", "beta2"]
    return sorted(keys)


def _host_value(v: Any) -> float:
    return float(v.detach().cpu()) if isinstance(v, torch.Tensor) else float(v)


def _refuse_shared_absolute(sset: ScheduleSet, rel: tuple[str, ...], optimizer: Optimizer) -> None:
    """One absolute schedule over groups whose values differ: which group's value does it mean?

    torch's and transformers' schedulers scale each group's own lr; an absolute fastlr table sets
    the same values in every group. Rather than silently moving a group 10x off its own lr, refuse
    and name the two ways to say what is meant.
    """
    groups = optimizer.param_groups
    if len(groups) < 2:
        return
    for key in sset.keys():
        if key in rel or len(sset[key]) != 1:
            continue
        vals = [_host_value(_read(grp, *_resolve_field(grp, key, g))) for g, grp in enumerate(groups)]
        if len(set(vals)) > 1:
            raise ValueError(
                f"schedule[{key!r}] is one absolute schedule for {len(groups)} param groups whose {key} differ "
                f"({vals}): every group would get the same values. Pass relative=True to scale it by each "
                f"group's own {key} (the schedule is then a factor, 1.0 = the group's value, as torch's LambdaLR "
                f"and transformers do; fastlr.torch.get_scheduler does this), or give one schedule per group (a "
                f"list, or {{group name: schedule}}; [schedule] * {len(groups)} for the same values on purpose)"
            )


def _read(group: dict[str, Any], field: str, slot: int | None) -> Any:
    v = group[field]
    return v if slot is None else v[slot]


# ---- the scheduler -------------------------------------------------------------------------------
class TableScheduler(LRScheduler):
    """An ``LRScheduler`` whose values come from precomputed fastlr tables.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
    schedule : schedule, sequence, mapping or ScheduleSet
        What to schedule:

        - one schedule: the lr of every group;
        - a sequence of one schedule per param group: each group's lr (YOLOv5's three groups);
        - a mapping ``{hyperparameter: schedules}`` where each value is one schedule (all
          groups), one per group, or ``{group name: schedule}`` (groups named by a ``"name"``
          key; ``"*"`` is the default). Hyperparameters: ``"lr"``, ``"momentum"`` (``betas[0]``
          for Adam-style optimizers), ``"beta1"``, ``"beta2"``, ``"weight_decay"`` or any numeric
          param-group key;
        - a :class:`fastlr.ScheduleSet` ``{"lr": [...], "momentum": [...]}``.
    total_steps : int
        Number of rows ``T``: steps ``0 .. T-1`` are tabulated.
    relative : bool or collection of str
        False (default): the tables are the values. True: every table is a factor of the group's
        initial value (``initial_lr``, ``initial_momentum``, ...; LambdaLR semantics). A
        collection names the hyperparameters that are relative.
    past_end : {"hold", "raise"}
        After step ``T - 1``: hold its values, or raise :class:`PastEndError` for steps beyond ``T``.
    on_mismatch : {"error", "new", "saved"}
        What :meth:`load_state_dict` does when the checkpoint's schedule differs from this one:
        raise :class:`ScheduleMismatchError`, continue with this (new) schedule at the saved step,
        or adopt the saved schedule.
    capturable : bool
        Keep the step index on the device too (``step_tensor``) so that ``step()`` issues only
        device operations (CUDA-graph capturable). Needs every scheduled hyperparameter to be a
        tensor, all on one device, and ``past_end="hold"`` inside a captured graph.
    last_epoch : int
        torch's resume convention: the index of the last step taken (-1 for a fresh start; a
        value >= 0 needs ``initial_lr`` in every param group). Prefer :meth:`load_state_dict`.

    Notes
    -----
    ``state_dict()`` stores the schedule's dict, not the table. ``get_last_lr()`` reads the
    optimizer's current lrs (tensor lrs are copied, as torch does).

    Examples
    --------
    >>> import torch, fastlr as fl
    >>> from fastlr.torch import TableScheduler
    >>> s = fl.Schedule(fl.Linear(0.1, 0.0, 4), warmup=fl.Warmup(2))
    >>> opt = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0)
    >>> sched = TableScheduler(opt, s, total_steps=6)
    >>> lrs = []
    >>> for step in range(5):
    ...     lrs.append(opt.param_groups[0]["lr"])
    ...     opt.step()
    ...     sched.step()
    >>> [round(lr, 6) for lr in lrs], sched.values_at(5)
    ([0.0, 0.05, 0.1, 0.075, 0.05], {'lr': [0.025]})

    Resume in a fresh process from the checkpoint (the schedule's description and the step):

    >>> opt2 = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0)
    >>> resumed = TableScheduler(opt2, s, total_steps=6)
    >>> resumed.load_state_dict(sched.state_dict())
    >>> resumed.last_epoch, opt2.param_groups[0]["lr"]
    (5, 0.025)

    Several hyperparameters, e.g. lr and momentum:

    >>> opt3 = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0, momentum=0.9)
    >>> sched3 = TableScheduler(opt3, {"lr": fl.Linear(0.1, 0.0, 4), "momentum": fl.Constant(0.9)}, total_steps=5)
    >>> sched3.values_at(2)
    {'lr': [0.05], 'momentum': [0.9]}
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: Any,
        *,
        total_steps: int,
        relative: bool | Iterable[str] = False,
        past_end: str = "hold",
        on_mismatch: str = "error",
        capturable: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        last_epoch = ck.integer("last_epoch", last_epoch, lo=-1)
        capturable = ck.flag("capturable", capturable)
        self.optimizer = optimizer
        self._on_mismatch: str = ck.choice("on_mismatch", on_mismatch, ON_MISMATCH)
        self._capturable: bool = capturable
        self.step_tensor: torch.Tensor | None = None
        self._row_tensor: torch.Tensor | None = None
        T = _steps_arg("total_steps", total_steps)
        past_end = ck.choice("past_end", past_end, PAST_END)
        sset = _canonical(schedule, optimizer)
        rel = _check_relative(relative, sset.keys())
        for key in sset.keys():  # every target valid before param groups get their initial_* keys
            for g, group in enumerate(optimizer.param_groups):
                _resolve_field(group, key, g)
        if last_epoch == -1:
            _refuse_shared_absolute(sset, rel, optimizer)
        bases = self._read_bases(sset, rel, fresh=last_epoch == -1)
        self._configure(sset, T, rel, bases, past_end)
        self.last_epoch = int(last_epoch)
        if hasattr(optimizer, "register_load_state_dict_post_hook"):
            ref = weakref.ref(self)

            def _after_optimizer_load(opt: Optimizer) -> None:
                sched = ref()
                if sched is not None and sched.optimizer is opt:
                    sched._bind()
                    sched._write(sched.last_epoch)

            handle = optimizer.register_load_state_dict_post_hook(_after_optimizer_load)
            weakref.finalize(self, handle.remove)
        super().__init__(optimizer, int(last_epoch))

    # ---- configuration -----------------------------------------------------------------------
    def _read_bases(self, sset: ScheduleSet, rel: tuple[str, ...], fresh: bool) -> dict[str, list[float]]:
        """Each relative hyperparameter's per-group base, from (and recorded in) ``initial_<key>``."""
        bases: dict[str, list[float]] = {}
        for key in rel:
            vals = []
            for g, group in enumerate(self.optimizer.param_groups):
                field, slot = _resolve_field(group, key, g)
                name = f"initial_{key}"
                if name not in group:
                    if not fresh:
                        raise KeyError(
                            f"param group {g} has no {name!r}; resuming with last_epoch >= 0 and relative "
                            f"{key!r} needs the optimizer state loaded first (or use load_state_dict)"
                        )
                    v = _read(group, field, slot)
                    group[name] = v.detach().clone() if isinstance(v, torch.Tensor) else v
                base = group[name]
                vals.append(float(base.detach().cpu()) if isinstance(base, torch.Tensor) else float(base))
            bases[key] = vals
        return bases

    def _configure(
        self, sset: ScheduleSet, T: int, rel: tuple[str, ...], bases: dict[str, list[float]], past_end: str
    ) -> None:
        n = len(self.optimizer.param_groups)
        self._set = sset
        self._T = T
        self._relative = rel
        self._bases = bases
        self._past_end = past_end
        uniq: dict[str, int] = {}
        fps: dict[int, str] = {}
        scheds: list[Schedulable] = []
        plan: list[tuple[str, int, str, int | None, int, float]] = []
        for key in sset.keys():
            per = sset[key]
            for g, group in enumerate(self.optimizer.param_groups):
                s = per[0] if len(per) == 1 else per[g]
                fp = fps.get(id(s)) or fps.setdefault(id(s), s.fingerprint())
                if fp not in uniq:
                    uniq[fp] = len(scheds)
                    scheds.append(s)
                field, slot = _resolve_field(group, key, g)
                scale = bases[key][g] if key in bases else 1.0
                plan.append((key, g, field, slot, uniq[fp], scale))
        self._n_groups = n
        self._plan = plan
        self._table = _compute_rows(scheds, T)
        self._table.flags.writeable = False
        self._dev_cache: dict[Any, torch.Tensor] = {}
        self._bind()

    def _bind(self) -> None:
        """Sort targets into float and tensor ones (by device and dtype); build device tables."""
        groups = self.optimizer.param_groups
        if len(groups) != self._n_groups:
            raise ValueError(
                f"the optimizer now has {len(groups)} param groups but the scheduler was built for {self._n_groups}"
            )
        plain, tupled = [], []
        by_dev: dict[tuple[torch.device, torch.dtype], list[tuple[int, str, int | None, int, float]]] = {}
        for _key, g, field, slot, row, scale in self._plan:
            v = _read(groups[g], field, slot)
            if isinstance(v, torch.Tensor):
                by_dev.setdefault((v.device, v.dtype), []).append((g, field, slot, row, scale))
            elif slot is None:
                plain.append((g, field, row, scale))
            else:
                tupled.append((g, field, slot, row, scale))
        dev_plans = []
        for (device, dtype), targets in by_dev.items():
            cols: dict[tuple[int, float], int] = {}
            for _, _, _, row, scale in targets:
                cols.setdefault((row, scale), len(cols))
            key = (device, dtype, tuple(cols))
            table = self._dev_cache.get(key)
            if table is None:
                ck.guard_memory((self._T, len(cols)), np.dtype(np.float64))
                host = np.empty((self._T, len(cols)), dtype=np.float64)
                for (row, scale), c in cols.items():
                    np.multiply(self._table[row], scale, out=host[:, c])
                table = torch.from_numpy(host).to(dtype=dtype).to(device)
                self._dev_cache = {k: v for k, v in self._dev_cache.items() if k[:2] != (device, dtype)}
                self._dev_cache[key] = table
            idx = [cols[(row, scale)] for _, _, _, row, scale in targets]
            refs = [(g, field, slot) for g, field, slot, _, _ in targets]
            dev_plans.append((table, idx, refs))
        if self._capturable:
            if plain or tupled or len(dev_plans) != 1:
                raise ValueError(
                    "capturable=True needs every scheduled hyperparameter to be a tensor on one device; "
                    f"got {len(plain) + len(tupled)} Python-float target(s) and tensors on "
                    f"{[str(d) for d, _ in by_dev]}"
                )
            device = dev_plans[0][0].device
            if self.step_tensor is None or self.step_tensor.device != device:
                start = max(self.last_epoch, 0) if hasattr(self, "last_epoch") else 0
                self.step_tensor = torch.full((1,), start, dtype=torch.int64, device=device)
                self._row_tensor = torch.empty((1,), dtype=torch.int64, device=device)
        self._plain = plain
        self._tupled = tupled
        self._dev_plans = dev_plans

    # ---- stepping ----------------------------------------------------------------------------
    def step(self, epoch: int | None = None) -> None:  # type: ignore[override]
        """Move to the next step (or to step ``epoch``) and write its values into the optimizer.

        Call after ``optimizer.step()``. Warns, as torch does, when the first call comes before
        any ``optimizer.step()``.
        """
        if epoch is None:
            t = self.last_epoch + 1
        else:
            t = ck.integer("epoch", epoch, lo=0)
        if self._step_count == 1:
            self._check_call_order()
        if t > self._T and self._past_end == "raise":
            raise PastEndError(
                f"step {t} is past the end of the table: total_steps={self._T} and past_end='raise' "
                f"(steps 0..{self._T - 1} are tabulated; step {self._T} is allowed and holds the last values)"
            )
        self._step_count += 1
        self.last_epoch = t
        if self._capturable:
            if epoch is None and self._step_count > 1:
                self.step_tensor.add_(1)  # type: ignore[union-attr]
            else:
                self.step_tensor.fill_(t)  # type: ignore[union-attr]
        self._write(t)

    def _check_call_order(self) -> None:
        import warnings

        opt_step = self.optimizer.step
        if not hasattr(opt_step, "_wrapped_by_lr_sched"):
            warnings.warn(
                "optimizer.step() was replaced after the scheduler was created; call optimizer.step() "
                "before scheduler.step()",
                UserWarning,
                stacklevel=3,
            )
        elif not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "scheduler.step() was called before optimizer.step(): the first table row was skipped "
                "(call optimizer.step() first; row i is the value used by optimizer step i)",
                UserWarning,
                stacklevel=3,
            )

    def _write(self, t: int) -> None:
        i = t if t < self._T else self._T - 1
        groups = self.optimizer.param_groups
        if len(groups) != self._n_groups:
            raise ValueError(
                f"the optimizer now has {len(groups)} param groups but the scheduler was built for {self._n_groups}"
            )
        if self._plain or self._tupled:
            col = self._table[:, i].tolist()
            for g, field, row, scale in self._plain:
                groups[g][field] = col[row] * scale
            for g, field, slot, row, scale in self._tupled:
                group = groups[g]
                vals = list(group[field])
                vals[slot] = col[row] * scale
                group[field] = tuple(vals)
        if self._dev_plans:
            rows = None
            if self._capturable and self.step_tensor is not None and self._row_tensor is not None:
                rows = torch.clamp(self.step_tensor, max=self._T - 1, out=self._row_tensor)
            for table, idx, refs in self._dev_plans:
                if rows is not None:
                    srcs = table.index_select(0, rows)[0].unbind()
                else:
                    srcs = table[i].unbind()
                dsts = [groups[g][f] if s is None else groups[g][f][s] for g, f, s in refs]
                torch._foreach_copy_(dsts, [srcs[k] for k in idx])

    # ---- torch protocol ----------------------------------------------------------------------
    def get_lr(self) -> list[float | torch.Tensor]:
        """The lrs for the current step (``last_epoch``), one per param group (tensors copied)."""
        return self._lrs()

    def get_last_lr(self) -> list[float | torch.Tensor]:
        """The lrs now in the optimizer, one per param group (tensor lrs are copies)."""
        return self._lrs()

    @property
    def _last_lr(self) -> list[float | torch.Tensor]:  # type: ignore[override]
        return self._lrs()

    def _lrs(self) -> list[float | torch.Tensor]:
        return [g["lr"].clone() if isinstance(g["lr"], torch.Tensor) else g["lr"] for g in self.optimizer.param_groups]

    @property
    def total_steps(self) -> int:
        """The table length ``T``."""
        return self._T

    @property
    def schedule(self) -> ScheduleSet:
        """The schedules in force: one (all groups) or one per group, for each hyperparameter."""
        return self._set

    @property
    def past_end(self) -> str:
        """``"hold"`` or ``"raise"``."""
        return self._past_end

    def values_at(self, t: int | None = None) -> dict[str, list[float]]:
        """``{hyperparameter: [value per group]}`` (float64) at step ``t`` (default: the current step)."""
        t = self.last_epoch if t is None else ck.integer("t", t, lo=0)
        i = min(t, self._T - 1)
        out: dict[str, list[float]] = {k: [0.0] * self._n_groups for k in self._set.keys()}
        for key, g, _, _, row, scale in self._plan:
            out[key][g] = float(self._table[row, i]) * scale
        return out

    def to_lambda(self) -> list[TableLambda]:
        """One ``LambdaLR`` function per param group that reproduces this scheduler's lrs.

        Only for a relative lr (``LambdaLR`` multiplies by the group's base lr): use
        :func:`to_lambda` with ``lr=1.0`` for an absolute table.
        """
        if "lr" not in self._relative:
            raise ValueError(
                "to_lambda() needs relative lr (LambdaLR multiplies by each group's base lr); this scheduler's "
                "lr is absolute: use fastlr.torch.to_lambda(schedule, total_steps) with the optimizer's lr=1.0"
            )
        per = self._set["lr"]
        rows = {g: row for key, g, _, _, row, _ in self._plan if key == "lr"}
        return [
            TableLambda(
                per[0] if len(per) == 1 else per[g],
                self._T,
                self._past_end,
                on_mismatch=self._on_mismatch,
                _values=self._table[rows[g]],
            )
            for g in range(self._n_groups)
        ]

    def as_tensor(self, key: str = "lr", *, device: Any = None, dtype: Any = None) -> torch.Tensor:
        """``(groups, T)`` values of hyperparameter ``key`` (entry ``[g, i]``: group g, step i).

        Always a new tensor (a copy): writing into it never changes the values the optimizer
        gets.
        """
        ck.choice("key", key, self._set.keys())
        rows = [row for k, _, _, _, row, _ in self._plan if k == key]
        scales = [scale for k, _, _, _, _, scale in self._plan if k == key]
        ck.guard_memory((len(rows), self._T), np.dtype(np.float64))
        host = self._table[rows] * np.asarray(scales)[:, None]
        return _to_tensor(host, device, dtype)

    # ---- resume ------------------------------------------------------------------------------
    def _config(self) -> dict[str, Any]:
        return {
            "schedule": self._set.to_dict(),
            "total_steps": self._T,
            "relative": list(self._relative),
            "base": {k: list(v) for k, v in self._bases.items()},
            "past_end": self._past_end,
        }

    def fingerprint(self) -> str:
        """Hash of the configuration (schedules, total_steps, relative keys and bases, past_end)."""
        return canonical_hash({"fastlr": FORMAT_VERSION, "scheduler": self._config()})

    def state_dict(self) -> dict[str, Any]:
        """The configuration, its fingerprint and the step; never the table.

        Plain Python types only (``torch.load(weights_only=True)`` reads it). With
        ``capturable=True`` the step is read from ``step_tensor`` (one device sync).
        """
        if self._capturable and self.step_tensor is not None:
            self.last_epoch = int(self.step_tensor.item())
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "config": self._config(),
            "fingerprint": self.fingerprint(),
            "last_epoch": int(self.last_epoch),
            "_step_count": int(self._step_count),
        }

    def load_state_dict(self, state_dict: dict[str, Any], *, trust_code: bool = False) -> None:
        """Restore the step from :meth:`state_dict` output and write that step's values.

        A checkpoint whose schedule holds a :class:`fastlr.Formula` (source code) whose
        description equals this scheduler's loads without running it; a different one is
        rebuilt (running its code) only with ``trust_code=True``.

        Raises
        ------
        ValueError
            Not a TableScheduler state dict, or its fingerprint does not match its contents; a
            different schedule with code and ``trust_code=False``.
        ScheduleMismatchError
            The saved configuration differs from this scheduler's and ``on_mismatch="error"``.
        """
        if not isinstance(state_dict, Mapping) or state_dict.get("format") != STATE_FORMAT:
            keys = sorted(state_dict) if isinstance(state_dict, Mapping) else type(state_dict).__name__
            raise ValueError(f"state_dict is not a fastlr TableScheduler state (format {STATE_FORMAT!r}); got {keys}")
        if state_dict.get("version") != STATE_VERSION:
            raise ValueError(f"state_dict version must be {STATE_VERSION}, got {state_dict.get('version')!r}")
        missing = sorted({"config", "fingerprint", "last_epoch"} - set(state_dict))
        if missing:
            raise ValueError(f"state_dict lacks {missing}")
        t = ck.integer("state_dict['last_epoch']", state_dict["last_epoch"], lo=0)
        step_count = ck.integer("state_dict['_step_count']", state_dict.get("_step_count", t + 1), lo=0)
        saved = _check_config(state_dict["config"])
        same_doc = canonical_hash({"fastlr": FORMAT_VERSION, "scheduler": saved}) == self.fingerprint()
        # this scheduler's own description: nothing to rebuild (no code to run)
        saved_set = self._set if same_doc else from_dict(saved["schedule"], trust_code=trust_code)
        if not isinstance(saved_set, ScheduleSet):
            raise ValueError(f"state_dict['config']['schedule'] must describe a ScheduleSet, got {saved['schedule']!r}")
        rebuilt = {**saved, "schedule": saved_set.to_dict()}
        fp = canonical_hash({"fastlr": FORMAT_VERSION, "scheduler": rebuilt})
        if fp != state_dict["fingerprint"]:
            raise ValueError(
                f"state_dict fingerprint {state_dict['fingerprint']!r} does not match its configuration "
                f"(rebuilt: {fp!r}); the checkpoint is corrupt or from another fastlr format"
            )
        same = fp == self.fingerprint()
        if not same:
            diffs = _differences(saved, self._config())
            if self._on_mismatch == "error":
                raise ScheduleMismatchError(
                    "the checkpoint's schedule differs from this scheduler's: "
                    + "; ".join(diffs)
                    + ". Build the scheduler with on_mismatch='new' to continue with the new schedule at step "
                    f"{t}, or on_mismatch='saved' to keep the checkpoint's schedule"
                )
        before = {k: self.__dict__[k] for k in _CONFIG_ATTRS if k in self.__dict__}
        try:  # a load that fails changes nothing: the configuration is restored
            if not same and self._on_mismatch == "saved":
                self._adopt(saved_set, saved)
            if t > self._T and self._past_end == "raise":
                raise PastEndError(
                    f"state_dict step {t} is past the end of the table (total_steps={self._T}, past_end='raise')"
                )
        except BaseException:
            self.__dict__.update(before)
            raise
        self.last_epoch = t
        self._step_count = step_count
        if self._capturable:
            self.step_tensor.fill_(t)  # type: ignore[union-attr]
        self._write(t)

    def _adopt(self, sset: ScheduleSet, saved: dict[str, Any]) -> None:
        rel = _check_relative(saved["relative"], sset.keys())
        bases = {k: [float(x) for x in v] for k, v in saved["base"].items()}
        for k in rel:
            if k not in bases or len(bases[k]) != self._n_groups:
                raise ValueError(f"state_dict base values for {k!r} do not match {self._n_groups} param groups")
        past_end = ck.choice("past_end", saved["past_end"], PAST_END)
        T = ck.integer("total_steps", saved["total_steps"], lo=1)
        self._configure(_canonical(sset, self.optimizer), T, rel, bases, past_end)

    @classmethod
    def from_state_dict(
        cls, optimizer: Optimizer, state_dict: dict[str, Any], *, trust_code: bool = False, **kwargs: Any
    ) -> TableScheduler:
        """A scheduler rebuilt entirely from a checkpoint (schedule, configuration and step);
        ``trust_code=True`` to rebuild a :class:`fastlr.Formula` from its source."""
        if not isinstance(state_dict, Mapping) or state_dict.get("format") != STATE_FORMAT:
            raise ValueError(f"state_dict is not a fastlr TableScheduler state (format {STATE_FORMAT!r})")
        cfg = _check_config(state_dict.get("config"))
        sched = cls(
            optimizer,
            from_dict(cfg["schedule"], trust_code=trust_code),
            total_steps=cfg["total_steps"],
            relative=cfg["relative"],
            past_end=cfg["past_end"],
            **kwargs,
        )
        sched._adopt(sched._set, cfg)
        sched.load_state_dict(state_dict, trust_code=trust_code)
        return sched

    def __repr__(self) -> str:
        keys = ", ".join(self._set.keys())
        return (
            f"TableScheduler({keys}; groups={self._n_groups}, total_steps={self._T}, "
            f"relative={list(self._relative)}, past_end={self._past_end!r}, last_epoch={self.last_epoch})"
        )


# ---- one-call bridges ----------------------------------------------------------------------------
#: Keyword names under which dialect functions take the peak/base learning rate, in the order tried.
LR_PARAMETERS = ("base_lr", "lr", "learning_rate", "initial_learning_rate", "peak_value", "max_lr")


def _lr_parameter(func: Any) -> str | None:
    """The keyword of ``func`` that takes the base lr (see :data:`LR_PARAMETERS`), or None."""
    import inspect

    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return None
    return next((name for name in LR_PARAMETERS if name in params), None)


def get_scheduler(
    optimizer: Optimizer,
    schedule: Any,
    *,
    total_steps: int,
    past_end: str = "hold",
    on_mismatch: str = "error",
    capturable: bool = False,
) -> TableScheduler:
    """A :class:`TableScheduler` in one call, reading each group's base lr from the optimizer.

    Like ``transformers.get_scheduler(name, optimizer, ...)`` or timm's ``create_scheduler``:
    group ``g`` with lr ``b_g`` gets ``v_g(t) = b_g * f(min(t, T - 1))`` for a factor schedule
    ``f``, or ``v_g(t) = F(b_g)(min(t, T - 1))`` for a schedule-building function ``F``.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        Its groups' ``lr`` are the base lrs (``initial_lr`` where a scheduler recorded one, as
        torch does).
    schedule : schedule or callable
        - a fastlr schedule: a factor of each group's lr (1.0 = the group's lr; LambdaLR's
          ``base_lr * lambda(t)``): ``fl.Schedule(fl.Cosine(1.0, 0.0, 9000), warmup=fl.Warmup(1000))``;
        - a function building an absolute schedule from the base lr: a dialect function with
          its other arguments bound (``functools.partial(hf.get_cosine_schedule_with_warmup,
          num_warmup_steps=100, num_training_steps=1000)``), called once per distinct group lr
          with the lr as its keyword from :data:`LR_PARAMETERS` (``base_lr``, ``peak_value``, ...),
          or as its only argument when it has none of them (``lambda lr: ...``).
    total_steps : int
        The table length ``T`` (an integral float such as ``1000.0`` is accepted).
    past_end, on_mismatch, capturable
        As :class:`TableScheduler`.

    Examples
    --------
    >>> import functools, torch, fastlr as fl
    >>> import fastlr.presets.transformers as hf
    >>> model = torch.nn.Linear(2, 1)
    >>> opt = torch.optim.AdamW([{"params": [model.weight], "lr": 1e-3}, {"params": [model.bias], "lr": 1e-4}])
    >>> build = functools.partial(hf.get_cosine_schedule_with_warmup, num_warmup_steps=10, num_training_steps=100)
    >>> sched = get_scheduler(opt, build, total_steps=100)
    >>> [g["lr"] for g in opt.param_groups]
    [0.0, 0.0]
    >>> sched.values_at(10)["lr"]
    [0.001, 0.0001]
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    kw: dict[str, Any] = {"past_end": past_end, "on_mismatch": on_mismatch, "capturable": capturable}
    if isinstance(schedule, Schedulable):
        if isinstance(schedule, ScheduleSet):
            raise TypeError(
                "get_scheduler takes one lr schedule (a factor) or a function; use TableScheduler for a ScheduleSet"
            )
        return TableScheduler(optimizer, schedule, total_steps=total_steps, relative=True, **kw)
    if not callable(schedule):
        raise TypeError(
            "schedule must be a fastlr schedule (a factor of each group's lr) or a function building a "
            f"schedule from the base lr, got {type(schedule).__name__}"
        )
    name = _lr_parameter(schedule)
    built: dict[float, Schedulable] = {}
    per_group = []
    for g, group in enumerate(optimizer.param_groups):
        lr = _host_value(group.get("initial_lr", group["lr"]))  # torch's base lr: initial_lr once recorded
        if lr not in built:
            s = schedule(**{name: lr}) if name is not None else schedule(lr)
            if not isinstance(s, Schedulable) or isinstance(s, ScheduleSet):
                raise TypeError(
                    f"schedule({name or 'lr'}={lr!r}) for param group {g} returned {type(s).__name__}, "
                    "not a fastlr schedule"
                )
            built[lr] = s
        per_group.append(built[lr])
    return TableScheduler(optimizer, {"lr": per_group}, total_steps=total_steps, **kw)


def use_in_trainer(trainer: Any, schedule: Any, **options: Any) -> Any:
    """Make a Hugging Face ``Trainer`` build its lr scheduler with :func:`get_scheduler`.

    Overrides ``trainer.create_scheduler`` on this instance: when the Trainer creates its
    scheduler (after its optimizer, at the start of ``train()``), it passes the number of
    training steps it computed, which becomes ``total_steps``; the optimizer is the Trainer's
    own. So neither the optimizer nor the step count has to exist before the Trainer does.
    The scheduler is a :class:`TableScheduler`, stepped by the Trainer after each optimizer
    step and saved/restored with its checkpoints. transformers is not imported here.

    Parameters
    ----------
    trainer : transformers.Trainer
        Anything with the Trainer's ``create_scheduler(num_training_steps, optimizer=None)``
        protocol (``optimizer``, ``lr_scheduler`` attributes).
    schedule : schedule or callable
        As :func:`get_scheduler` (a factor schedule, or a function of the base lr).
    **options
        ``past_end``, ``on_mismatch``, ``capturable`` (see :class:`TableScheduler`).

    Returns
    -------
    The trainer itself.
    """
    if not hasattr(trainer, "create_scheduler"):
        raise TypeError(f"trainer must be a transformers.Trainer (with create_scheduler), got {type(trainer).__name__}")
    if not (isinstance(schedule, Schedulable) or callable(schedule)):
        raise TypeError(
            f"schedule must be a fastlr schedule or a function of the base lr, got {type(schedule).__name__}"
        )
    unknown = sorted(set(options) - {"past_end", "on_mismatch", "capturable"})
    if unknown:
        raise TypeError(f"use_in_trainer got unknown options {unknown}; options: past_end, on_mismatch, capturable")

    def create_scheduler(num_training_steps: int, optimizer: Optimizer | None = None) -> Any:
        if getattr(trainer, "lr_scheduler", None) is None:
            opt = trainer.optimizer if optimizer is None else optimizer
            trainer.lr_scheduler = get_scheduler(opt, schedule, total_steps=num_training_steps, **options)
            trainer._created_lr_scheduler = True
        return trainer.lr_scheduler

    trainer.create_scheduler = create_scheduler
    return trainer


# what _configure and _bind set: saved before a load and restored if it fails
_CONFIG_ATTRS = (
    "_set", "_T", "_relative", "_bases", "_past_end", "_n_groups", "_plan", "_table", "_dev_cache",
    "_plain", "_tupled", "_dev_plans", "step_tensor", "_row_tensor",
)  # fmt: skip
_CONFIG_KEYS = ("schedule", "total_steps", "relative", "base", "past_end")


def _check_config(config: Any) -> dict[str, Any]:
    """A state dict's ``config``: a mapping with every key a scheduler configuration has."""
    if not isinstance(config, Mapping):
        raise ValueError(f"state_dict['config'] must be a mapping, got {type(config).__name__}")
    missing = [k for k in _CONFIG_KEYS if k not in config]
    if missing:
        raise ValueError(f"state_dict['config'] lacks {missing}; the checkpoint is corrupt or not from fastlr")
    if not isinstance(config["base"], Mapping):
        raise ValueError(f"state_dict['config']['base'] must be a mapping, got {config['base']!r}")
    ck.integer("state_dict['config']['total_steps']", config["total_steps"], lo=1)
    return dict(config)


def _check_relative(relative: Any, keys: list[str]) -> tuple[str, ...]:
    if isinstance(relative, bool):
        return tuple(keys) if relative else ()
    if isinstance(relative, str) or not isinstance(relative, Iterable):
        raise TypeError(f"relative must be a bool or a collection of hyperparameter names, got {relative!r}")
    names = list(relative)
    for k in names:
        if k not in keys:
            raise ValueError(f"relative names {k!r}, which is not scheduled; scheduled: {keys}")
    return tuple(k for k in keys if k in names)


def _differences(saved: dict[str, Any], mine: dict[str, Any]) -> list[str]:
    out = []
    s_sched, m_sched = saved["schedule"]["hyperparams"], mine["schedule"]["hyperparams"]
    for key in sorted(set(s_sched) | set(m_sched)):
        a, b = s_sched.get(key), m_sched.get(key)
        if a is None or b is None:
            out.append(f"hyperparameter {key!r} is {'new' if a is None else 'gone'}")
        elif a != b:
            out.append(f"the {key!r} schedule changed (saved {_short(a)}, now {_short(b)})")
    for name in ("total_steps", "relative", "base", "past_end"):
        if saved.get(name) != mine.get(name):
            out.append(f"{name} changed from {saved.get(name)!r} to {mine.get(name)!r}")
    return out or ["the configurations hash differently"]


def _short(doc: Any, limit: int = 240) -> str:
    text = json.dumps(doc, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."
