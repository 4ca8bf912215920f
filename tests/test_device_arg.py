"""The device= argument: clear errors, and a clear error where CUDA is unavailable."""

import os
import subprocess
import sys

import pytest

import fastlr as fl


def test_unknown_device():
    s = fl.Cosine(1.0, 0.0, 10)
    with pytest.raises(ValueError, match=r"device must be 'cpu' or 'cuda', got 'tpu'"):
        s.table(10, device="tpu")
    with pytest.raises(ValueError, match=r"device must be 'cpu' or 'cuda', got 'gpu'"):
        fl.sweep([s], 10, device="gpu")
    with pytest.raises(ValueError, match=r"exact=False .* has no CUDA version"):
        fl.sweep([s], 10, device="cuda", exact=False)


def test_cuda_without_gpu_raises_one_clear_error():
    code = (
        "import fastlr as fl\n"
        "try:\n"
        "    fl.Cosine(1.0, 0.0, 10).table(10, device='cuda')\n"
        "except RuntimeError as e:\n"
        "    print('ERR', type(e).__name__, e)\n"
        "else:\n"
        "    print('OK')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    text = out.stdout + out.stderr
    if "OK" in out.stdout:
        pytest.skip("a CUDA GPU is available here")
    assert "ERR CudaUnavailableError" in text, text
    assert "NUMBA_ENABLE_CUDASIM" in text, text
