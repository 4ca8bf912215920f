"""Comparison with stated tolerances.

float64: ``|a - b| <= 1e-12 |b| + 1e-15 * peak`` where ``peak = max |b|`` over the table. The
absolute term covers values that the textbook formulas compute by cancellation (the end of a
cosine decaying to 0, where ``1 + cos(pi p)`` has an absolute error of ~1e-16 in any
implementation); it is a thousand times below float64 resolution of the peak.
float32: within 2 ulp (float32) of the float64 reference.
"""

from __future__ import annotations

import numpy as np

RTOL64 = 1e-12
ATOL64_OF_PEAK = 1e-15


def assert_close64(actual, expected, rtol=RTOL64, peak_atol=ATOL64_OF_PEAK, err_msg=""):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert np.all(np.isfinite(actual)), f"non-finite values {err_msg}"
    peak = float(np.max(np.abs(expected))) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=peak_atol * peak, err_msg=err_msg)


def assert_close32(actual32, expected64, ulps=2, err_msg=""):
    a = np.asarray(actual32)
    assert a.dtype == np.float32
    e = np.asarray(expected64, dtype=np.float64)
    spacing = np.spacing(np.abs(e).astype(np.float32)).astype(np.float64)
    diff = np.abs(a.astype(np.float64) - e)
    bad = diff > ulps * spacing
    assert not bad.any(), f"{int(bad.sum())} values beyond {ulps} ulp; first at {np.argmax(bad)} {err_msg}"
