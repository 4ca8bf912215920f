"""The shared validators (``fastlr._checks``) and content hashing (``fastlr._hashing``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import fastlr as fl
from fastlr import _checks as ck
from fastlr._hashing import canonical_hash
from fastlr._spec import FORMAT_VERSION

WARM_COS = fl.Schedule(fl.Cosine(1e-3, 1e-5, 32), warmup=fl.Warmup(8, start=1e-5))


# ---- check_dtype -----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, "float64", np.dtype("f4"), float])
def test_check_dtype_accepts_float32_and_float64(dtype):
    dt = ck.check_dtype(dtype)
    assert isinstance(dt, np.dtype) and dt in (np.float32, np.float64)


@pytest.mark.parametrize(
    ("dtype", "exc", "match"),
    [
        (np.int64, ValueError, "dtype must be float32 or float64, got 'int64'"),
        ("float16", ValueError, "dtype must be float32 or float64, got 'float16'"),
        ("bogus", TypeError, "dtype must be float32 or float64, got 'bogus'"),
        (object(), TypeError, "dtype must be float32 or float64, got <object"),
    ],
)
def test_check_dtype_errors_name_the_value(dtype, exc, match):
    with pytest.raises(exc, match=match):
        ck.check_dtype(dtype)


# ---- steps -----------------------------------------------------------------------------------


def test_steps_scalar_and_array():
    assert ck.check_steps(5).shape == () and int(ck.check_steps(np.uint8(5))) == 5
    given = np.array([[0, 3], [7, 2]], dtype=np.int32)
    out = ck.check_steps(given)
    assert out.dtype == np.int64 and out.shape == (2, 2) and out.tolist() == given.tolist()
    out[0, 0] = 99
    assert given[0, 0] == 0  # a copy
    assert ck.check_steps(np.array([], dtype=np.int64)).size == 0


@pytest.mark.parametrize(
    ("t", "exc", "match"),
    [
        (True, TypeError, "t must be an integer step or an integer array, got True"),
        (np.bool_(False), TypeError, r"t must be an integer step or an integer array, got (np\.)?False"),
        (1.5, TypeError, r"got dtype float64 \(1\.5\)"),
        ([1, -4, 2], ValueError, "t must be >= 0, got -4"),
        (np.array([2**63], dtype=np.uint64), ValueError, f"t must fit in int64, got {2**63}"),
    ],
)
def test_steps_errors_name_the_value(t, exc, match):
    with pytest.raises(exc, match=match):
        ck.check_steps(t)


# ---- flag ------------------------------------------------------------------------------------


def test_flag():
    assert ck.flag("cycle", True) is True and ck.flag("cycle", False, "keras.X") is False
    with pytest.raises(TypeError, match=r"keras\.X: cycle must be a bool, got 1"):
        ck.flag("cycle", 1, "keras.X")
    with pytest.raises(TypeError, match="capturable must be a bool, got 'yes'"):
        ck.flag("capturable", "yes")


# ---- canonical_hash --------------------------------------------------------------------------


def test_spec_fingerprint_is_canonical_hash_and_recorded_value():
    doc = {"fastlr": FORMAT_VERSION, "spec": WARM_COS.to_dict()}
    assert canonical_hash(doc) == WARM_COS.fingerprint()
    # recorded before the hashing moved to fastlr._hashing: stored fingerprints stay valid
    assert WARM_COS.fingerprint() == "f75a4935ec48835e39f1adab974cd012"
    cos = fl.Schedule(fl.Cosine(1e-3, 1e-5, 1000), warmup=fl.Warmup(100, 0.0))
    assert cos.fingerprint() == "755fc7529ac4d739192d67c8b6e92142"


def test_canonical_hash_ignores_key_order_and_refuses_nan():
    a = {"b": [1, 2.5, "x"], "a": {"y": None, "x": True}}
    b = json.loads(json.dumps({"a": {"x": True, "y": None}, "b": [1, 2.5, "x"]}))
    assert canonical_hash(a) == canonical_hash(b)
    assert len(canonical_hash(a)) == 32 and int(canonical_hash(a), 16) >= 0
    assert canonical_hash({"a": 1}) != canonical_hash({"a": 2})
    with pytest.raises(ValueError):
        canonical_hash({"a": float("nan")})


# ---- the memory guard: cgroup and ulimit headroom (issue 21) -------------------------------------


def _cgroup_tree(tmp_path, files: dict[str, str], proc: str):
    for rel, text in files.items():
        p = tmp_path / "cg" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (tmp_path / "proc").write_text(proc)
    return str(tmp_path / "cg"), str(tmp_path / "proc")


def test_cgroup_v2_headroom_is_the_tightest_ancestor(tmp_path):
    root, proc = _cgroup_tree(
        tmp_path,
        {
            "memory.max": "max\n",
            "job/memory.max": "3000000000\n",  # the 3 GB cap of the issue, on the parent
            "job/memory.current": "1000000000\n",
            "job/memory.stat": "anon 600000000\ninactive_file 400000000\n",  # reclaimable cache
            "job/task/memory.max": "max\n",
            "job/task/memory.current": "5\n",
        },
        "0::/job/task\n",
    )
    assert ck.cgroup_headroom(root, proc) == 3_000_000_000 - (1_000_000_000 - 400_000_000)
    # a container that mounts its own cgroup at the root (the listed path absent there)
    root, proc = _cgroup_tree(tmp_path, {"memory.max": "2000\n", "memory.current": "500\n"}, "0::/elsewhere\n")
    assert ck.cgroup_headroom(root, proc) == 1500


def test_cgroup_v1_and_no_limit(tmp_path):
    root, proc = _cgroup_tree(
        tmp_path,
        {
            "memory/memory.limit_in_bytes": "9223372036854771712\n",  # v1's "unlimited"
            "memory/a/memory.limit_in_bytes": "1000\n",
            "memory/a/memory.usage_in_bytes": "300\n",
            "memory/a/memory.stat": "total_inactive_file 100\n",
        },
        "5:cpu:/\n4:memory:/a\n",
    )
    assert ck.cgroup_headroom(root, proc) == 800
    root, proc = _cgroup_tree(tmp_path / "n", {"memory/memory.limit_in_bytes": "9223372036854771712\n"}, "4:memory:/\n")
    assert ck.cgroup_headroom(root, proc) is None
    assert ck.cgroup_headroom(root, str(tmp_path / "missing")) is None


def test_available_memory_takes_the_least_and_every_guard_uses_it(monkeypatch):
    monkeypatch.setattr(ck, "cgroup_headroom", lambda: 3 << 20)
    monkeypatch.setattr(ck, "rlimit_headroom", lambda: None)
    assert ck.available_memory() == 3 << 20
    with pytest.raises(ck.MemoryLimitError, match=r"the output \(1000000,\) float64 needs 8,000,000 bytes"):
        fl.Cosine(1.0, 0.0, 10).table(1_000_000)
    with pytest.raises(ck.MemoryLimitError, match=r"a grid of 100,000,000 configs \(10000 x 10000\)"):
        fl.grid(lr=np.linspace(0.1, 1, 10_000), warmup=np.arange(10_000))
    with pytest.raises(ck.MemoryLimitError, match="lowering 10,000 configs"):
        fl.lower({"lr": np.full(10_000, 0.1), "steps": 10})
    monkeypatch.setattr(ck, "rlimit_headroom", lambda: 1 << 20)
    assert ck.available_memory() == 1 << 20
    ck.guard_bytes(900_000, "a small thing")  # within 90 %
    with pytest.raises(ck.MemoryLimitError, match="a big thing needs 1,000,000 bytes"):
        ck.guard_bytes(1_000_000, "a big thing")
    ck.guard_bytes(1_000_000, "an intermediate below the floor", floor=ck.SMALL_BYTES)
    assert len(fl.grid(lr=[0.1, 0.2], warmup=[0, 10])["lr"]) == 4  # small grids are never refused
