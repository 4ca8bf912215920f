"""Bridges out: a fastlr schedule as an optax schedule and as a Keras ``LearningRateSchedule``.

Both precompute the schedule's table once and index it:

.. math::

    v(t) = \\mathrm{table}[\\min(\\max(t, 0), T - 1)], \\qquad \\mathrm{table}[i] = s(i)

so a step is one gather, traceable under ``jax.jit`` / ``tf.function`` (no Python branch on
the step, no host callback). The table is computed in float64 by the exact (libm) build and
rounded once to ``dtype`` (float32 by default, what optax and Keras use). Steps past ``T - 1``
hold the last value (as :class:`fastlr.torch.TableScheduler` with ``past_end="hold"``); a
negative step (never produced by optax or Keras) reads step 0. JAX and Keras are imported only
when a bridge is built. For plain Python, ``s(t)`` is ``s.at(t)`` on every schedule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr._spec import Schedulable, from_dict
from fastlr.schedule import ScheduleSet

__all__ = ["keras_schedule", "optax_schedule", "step_table"]


def step_table(schedule: Schedulable, total_steps: Any, dtype: Any = np.float32) -> np.ndarray:
    """``schedule.table(total_steps)`` in float64 (libm), rounded once to ``dtype``.

    Parameters
    ----------
    schedule : fastlr schedule
        Any schedule or shape (not a :class:`~fastlr.ScheduleSet`).
    total_steps : int
        The table length ``T >= 1`` (an integral float such as ``1000.0`` is accepted).
    dtype : float32 or float64
        The table's dtype.

    Examples
    --------
    >>> import fastlr as fl
    >>> step_table(fl.Linear(1.0, 0.0, 4), 5).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0]
    """
    if isinstance(schedule, ScheduleSet) or not isinstance(schedule, Schedulable):
        raise TypeError(f"schedule must be a fastlr schedule (not a ScheduleSet), got {type(schedule).__name__}")
    if isinstance(total_steps, (float, np.floating)) and float(total_steps).is_integer():
        total_steps = int(total_steps)
    T = ck.integer("total_steps", total_steps, lo=1)
    dt = ck.check_dtype(dtype)
    return schedule.table(T, dtype=np.float64).astype(dt)


def optax_schedule(schedule: Schedulable, total_steps: Any, *, dtype: Any = np.float32, xp: Any = None) -> Any:
    """An optax schedule (``step -> value``) that indexes the precomputed table.

    ``fn(step) = xp.take(table, xp.clip(step, 0, T - 1))``: pass it as an optax optimizer's
    ``learning_rate`` (``optax.adamw(learning_rate=fn)``), or to ``optax.inject_hyperparams``.
    Works on a Python int, an integer array or a traced ``jax`` value, under ``jax.jit`` and
    ``jax.vmap``.

    Parameters
    ----------
    schedule : fastlr schedule
    total_steps : int
        ``T``: steps ``0 .. T-1`` are tabulated, later steps hold step ``T - 1``.
    dtype : float32 or float64
        The table dtype (float64 needs ``jax_enable_x64`` in JAX).
    xp : array module, optional
        Default ``jax.numpy`` (imported here); ``numpy`` gives the same function on NumPy.

    Examples
    --------
    >>> import numpy as np, fastlr as fl
    >>> fn = optax_schedule(fl.Linear(1.0, 0.0, 4), 5, xp=np)
    >>> float(fn(2)), fn(np.array([0, 4, 9])).tolist()
    (0.5, [1.0, 0.0, 0.0])
    """
    host = step_table(schedule, total_steps, dtype)
    if xp is None:
        import jax.numpy as jnp

        xp = jnp
    table = xp.asarray(host)
    last = host.shape[0] - 1

    def schedule_fn(step: Any) -> Any:
        return xp.take(table, xp.clip(xp.asarray(step), 0, last))

    schedule_fn.__doc__ = f"fastlr table of {type(schedule).__name__} over {last + 1} steps (held after)."
    return schedule_fn


def keras_schedule(schedule: Schedulable, total_steps: Any, *, dtype: Any = np.float32) -> Any:
    """A ``keras.optimizers.schedules.LearningRateSchedule`` that indexes the precomputed table.

    ``lr(step) = ops.take(table, ops.clip(step, 0, T - 1))``, on any Keras 3 backend. The
    config (``get_config()``) holds the schedule's dict, ``total_steps`` and the dtype, never
    the table: a saved model rebuilds it (the class is registered as ``fastlr>TableSchedule``).

    Parameters
    ----------
    schedule : fastlr schedule
    total_steps : int
        ``T``; steps past ``T - 1`` hold its value.
    dtype : float32 or float64

    Examples
    --------
    >>> import keras, fastlr as fl
    >>> lr = keras_schedule(fl.Schedule(fl.Linear(1.0, 0.0, 4), warmup=fl.Warmup(2)), 7)
    >>> [float(lr(step)) for step in (0, 1, 2, 3, 6, 10)]  # held past T - 1
    [0.0, 0.5, 1.0, 0.75, 0.0, 0.0]
    >>> float(type(lr).from_config(lr.get_config())(3))  # the config rebuilds the table
    0.75
    >>> optimizer = keras.optimizers.AdamW(learning_rate=lr)
    """
    host = step_table(schedule, total_steps, dtype)
    cls = _keras_class()
    return cls(schedule.to_dict(), host.shape[0], host.dtype.name, _table=host)


_KERAS_CLASS: Any = None


def _keras_class() -> Any:
    """The LearningRateSchedule subclass, defined on first use (Keras imported here)."""
    global _KERAS_CLASS
    if _KERAS_CLASS is not None:
        return _KERAS_CLASS
    import keras

    @keras.saving.register_keras_serializable(package="fastlr")
    class TableSchedule(keras.optimizers.schedules.LearningRateSchedule):  # type: ignore[misc,name-defined]
        """A fastlr table as a Keras learning-rate schedule (see :func:`keras_schedule`)."""

        def __init__(self, schedule: dict[str, Any], total_steps: int, dtype: str = "float32", _table: Any = None):
            super().__init__()
            self.schedule = schedule
            self.total_steps = int(total_steps)
            self.dtype_name = dtype
            spec: Any = from_dict(schedule)
            self._host = step_table(spec, total_steps, dtype) if _table is None else _table
            self._table: Any = None

        def __call__(self, step: Any) -> Any:
            ops = keras.ops
            if self._table is None:
                self._table = ops.convert_to_tensor(self._host, dtype=self.dtype_name)
            i = ops.clip(ops.cast(step, "int64"), 0, self.total_steps - 1)
            return ops.take(self._table, i)

        def get_config(self) -> dict[str, Any]:
            return {"schedule": self.schedule, "total_steps": self.total_steps, "dtype": self.dtype_name}

    _KERAS_CLASS = TableSchedule
    return TableSchedule
