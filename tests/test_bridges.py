"""Bridges out (fastlr.bridges): optax schedules, Keras LearningRateSchedule, and ``s(t)``.

The table is checked against the naive reference (tests/naive.py, written from the closed
forms); JAX and Keras are exercised with NumPy and a fake ``keras`` module here, and live
where installed (importorskip)."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastlr as fl
from fastlr import bridges
from tests import naive
from tests.tolerance import assert_close32, assert_close64

T = 60
WARM_COS = fl.Schedule(fl.Cosine(3e-4, 3e-6, T - 10), warmup=fl.Warmup(10))
STEPS = np.array([0, 1, 9, 10, 11, 35, T - 1, T, T + 1000, 2**40])


def expected(steps, dtype=np.float64):
    ref = np.asarray(naive.table(WARM_COS.to_dict(), T))
    return ref[np.clip(steps, 0, T - 1)].astype(dtype)


@settings(max_examples=8, deadline=None)
@given(t=st.integers(0, 10**6), arr=st.lists(st.integers(0, 3 * T), min_size=1, max_size=5))
def test_schedule_is_callable_as_at(t, arr):
    for s in (WARM_COS, fl.Cosine(1.0, 0.1, 50), fl.StepDecay(0.1, 7, 0.5)):
        assert s(t) == s.at(t)
        np.testing.assert_array_equal(s(np.array(arr)), s.at(np.array(arr)))
    assert WARM_COS(10) == 3e-4


def test_step_table_is_the_exact_table_rounded_once():
    t64 = bridges.step_table(WARM_COS, T, np.float64)
    assert_close64(t64, naive.table(WARM_COS.to_dict(), T))
    t32 = bridges.step_table(WARM_COS, float(T))
    assert t32.dtype == np.float32
    np.testing.assert_array_equal(t32, t64.astype(np.float32))
    assert_close32(t32, naive.table(WARM_COS.to_dict(), T))
    with pytest.raises(TypeError, match="not a ScheduleSet"):
        bridges.step_table(fl.ScheduleSet({"lr": [WARM_COS]}), T)
    with pytest.raises(ValueError, match="total_steps must be >= 1, got 0"):
        bridges.optax_schedule(WARM_COS, 0, xp=np)
    with pytest.raises(TypeError, match=r"total_steps must be an integer, got 2\.5"):
        bridges.optax_schedule(WARM_COS, 2.5, xp=np)
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got 'int64'"):
        bridges.keras_schedule(WARM_COS, T, dtype=np.int64)


def test_optax_schedule_with_numpy():
    fn = bridges.optax_schedule(WARM_COS, T, xp=np)
    np.testing.assert_array_equal(fn(STEPS), expected(STEPS, np.float32))
    assert fn(10) == np.float32(3e-4) and fn(-3) == fn(0) == 0.0  # a negative step reads step 0
    fn64 = bridges.optax_schedule(WARM_COS, T, xp=np, dtype=np.float64)
    assert_close64(fn64(STEPS), expected(STEPS))
    assert [float(fn64(int(t))) for t in STEPS[:7]] == [WARM_COS(int(t)) for t in STEPS[:7]]


def test_optax_schedule_live_jax():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    fn = bridges.optax_schedule(WARM_COS, T)
    got = jax.jit(jax.vmap(fn))(jnp.asarray(STEPS[:-1], dtype=jnp.int32))
    np.testing.assert_array_equal(np.asarray(got), expected(STEPS[:-1], np.float32))
    assert float(jax.jit(fn)(jnp.int32(10))) == np.float32(3e-4)
    optax = pytest.importorskip("optax")
    opt = optax.sgd(learning_rate=fn)
    params = {"w": jnp.ones(2)}
    state = opt.init(params)
    for _ in range(11):  # the 11th update uses count 10: the peak
        updates, state = opt.update({"w": jnp.ones(2)}, state, params)
    assert float(updates["w"][0]) == -float(np.float32(3e-4))


def _fake_keras(monkeypatch):
    """Keras 3's surface that the bridge uses: ops on NumPy, the base class, the registry."""
    registered = {}

    class LearningRateSchedule:
        def __call__(self, step):
            raise NotImplementedError

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    def register_keras_serializable(package):
        def deco(cls):
            registered[f"{package}>{cls.__name__}"] = cls
            return cls

        return deco

    ops = types.SimpleNamespace(
        convert_to_tensor=lambda x, dtype: np.asarray(x, dtype=dtype),
        cast=lambda x, dtype: np.asarray(x).astype(dtype),
        clip=np.clip,
        take=np.take,
    )
    keras = types.SimpleNamespace(
        ops=ops,
        saving=types.SimpleNamespace(register_keras_serializable=register_keras_serializable),
        optimizers=types.SimpleNamespace(schedules=types.SimpleNamespace(LearningRateSchedule=LearningRateSchedule)),
    )
    monkeypatch.setitem(sys.modules, "keras", keras)
    monkeypatch.setattr(bridges, "_KERAS_CLASS", None)
    return registered


def test_keras_schedule_with_a_fake_keras(monkeypatch):
    registered = _fake_keras(monkeypatch)
    lr = bridges.keras_schedule(WARM_COS, T)
    assert list(registered) == ["fastlr>TableSchedule"]
    assert isinstance(lr, sys.modules["keras"].optimizers.schedules.LearningRateSchedule)
    np.testing.assert_array_equal(lr(STEPS), expected(STEPS, np.float32))
    config = lr.get_config()
    assert config == {"schedule": WARM_COS.to_dict(), "total_steps": T, "dtype": "float32"}
    rebuilt = type(lr).from_config(config)  # what loading a saved model does: no table in the config
    np.testing.assert_array_equal(rebuilt(STEPS), lr(STEPS))
    assert bridges.keras_schedule(WARM_COS, T, dtype="float64")(np.int64(35)) == WARM_COS(35)


def test_keras_schedule_live():
    keras = pytest.importorskip("keras")
    lr = bridges.keras_schedule(WARM_COS, T)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(lr(STEPS[:-1])), expected(STEPS[:-1], np.float32))
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(lr))
    assert float(again(35)) == float(np.float32(WARM_COS(35)))
    opt = keras.optimizers.SGD(learning_rate=lr)
    assert float(opt.learning_rate) == 0.0
