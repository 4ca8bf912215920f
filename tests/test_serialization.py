"""to_dict / from_dict: plain JSON, exact round trip, stable fingerprint, clear errors."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

import fastlr as fl
from tests.cases import schedules

CASES = schedules()


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip_through_json(name):
    s = CASES[name]
    text = json.dumps(s.to_dict(), allow_nan=False)
    back = fl.from_dict(json.loads(text))
    assert back == s
    assert back.fingerprint() == s.fingerprint()
    assert back.to_dict() == s.to_dict()


def test_schedule_set_round_trip():
    ss = fl.ScheduleSet({"lr": [CASES["prefix_linear"], CASES["blend_epochs"]], "momentum": [fl.Constant(0.9)]})
    back = fl.from_dict(json.loads(ss.to_json()))
    assert back == ss and back.fingerprint() == ss.fingerprint()
    assert back.keys() == ["lr", "momentum"]


def test_fingerprint_is_stable_across_processes_and_distinguishes():
    s = CASES["restart_peak"]
    code = "import fastlr as fl, json, sys; print(fl.from_dict(json.loads(sys.argv[1])).fingerprint())"
    out = subprocess.run([sys.executable, "-c", code, s.to_json()], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == s.fingerprint()
    fps = {v.fingerprint() for v in CASES.values()}
    assert len(fps) == len(CASES)
    # 1 and 1.0 normalise to the same spec
    assert fl.Cosine(1, 0, 10).fingerprint() == fl.Cosine(1.0, 0.0, 10).fingerprint()


@pytest.mark.parametrize(
    "data, exc, pattern",
    [
        ({"type": "Cosin", "start": 1.0}, ValueError, r"unknown type 'Cosin'; valid types: .*Cosine"),
        ({"start": 1.0}, ValueError, r"missing 'type' key"),
        ([1, 2], TypeError, r"from_dict expects a dict"),
        (
            {"type": "Cosine", "start": 1.0, "end": 0.0, "steps": 10, "warm": 1},
            ValueError,
            r"unknown field\(s\) \['warm'\]",
        ),
        ({"type": "Cosine", "start": 1.0, "end": 0.0}, TypeError, r"steps"),
        ({"type": "Cosine", "start": 1.0, "end": 0.0, "steps": -3}, ValueError, r"steps must be >= 1, got -3"),
        ({"type": "Schedule", "curve": {"type": "Nope"}}, ValueError, r"unknown type 'Nope'"),
    ],
)
def test_malformed_dicts(data, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fl.from_dict(data)


def test_a_schedule_keeps_its_lowered_row_while_it_lives_not_in_its_fields():
    # the row is lowered once per schedule (construction validates with it, a sweep of many
    # schedules reuses it), kept beside the spec: copies and pickles carry the fields alone
    import copy
    import gc
    import pickle

    from fastlr import schedule

    s = fl.Schedule(fl.Cosine(1e-3, 1e-5, 900), warmup=fl.Warmup(100))
    assert s._lowered() is s._lowered()
    assert set(vars(s)) == {f.name for f in dataclasses.fields(s)}
    for other in (pickle.loads(pickle.dumps(s)), copy.copy(s), copy.deepcopy(s)):
        assert other == s and hash(other) == hash(s)
        np.testing.assert_array_equal(other.table(1000), s.table(1000))
    n = len(schedule._ROWS)
    t = fl.Schedule(fl.Cosine(2e-3, 0.0, 777))
    assert len(schedule._ROWS) == n + 1
    del t
    gc.collect()
    assert len(schedule._ROWS) == n
