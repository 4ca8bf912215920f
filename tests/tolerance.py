"""Comparison with stated tolerances.

float64: ``|a - b| <= 1e-12 |b| + 1e-15 * peak`` where ``peak = max |b|`` over the table. The
absolute term covers values that the textbook formulas compute by cancellation (the end of a
cosine decaying to 0, where ``1 + cos(pi p)`` has an absolute error of ~1e-16 in any
implementation); it is a thousand times below float64 resolution of the peak.
float32: within 2 ulp (float32) of the float64 reference.
A peer that computes in float32 (Keras, optax without x64): see :func:`assert_close_float32_peer`.
"""

from __future__ import annotations

import numpy as np

RTOL64 = 1e-12
ATOL64_OF_PEAK = 1e-15
U32 = 2.0**-24  # float32 unit roundoff


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


def assert_close_float32_peer(actual64, peer32, err_msg=""):
    """Compare fastlr's float64 table (of float32-rounded parameters) with a float32 peer.

    Every float32 operation rounds to ``u = 2^-24`` relative. Allowed per value ``b``:
    ``u ((4 + |ln(b / peak)|) |b| + 2 peak)``: a few roundings relative to the value; the
    rounding of an exponent ``p`` amplified by ``pow`` into ``|p ln r| = |ln(b / b0)|``; and two
    ulp of the peak absolute, because ``1 + cos(pi p)`` cancels near the end of a cosine.
    """
    a = np.asarray(actual64, dtype=np.float64)
    b = np.asarray(peer32, dtype=np.float64)
    assert a.shape == b.shape
    peak = float(np.max(np.abs(b)))
    logs = np.abs(np.log(np.where(b > 0, b, peak) / peak)) if peak > 0 else np.zeros_like(b)
    tol = U32 * ((4.0 + logs) * np.abs(b) + 2.0 * peak)
    bad = np.abs(a - b) > tol
    assert not bad.any(), f"{int(bad.sum())} values beyond float32 tolerance; first at {np.argmax(bad)} {err_msg}"
