"""``import fastlr`` imports no numba, torch or matplotlib and compiles nothing."""

import json
import subprocess
import sys


def test_import_is_light():
    code = (
        "import sys, json, fastlr; "
        "print(json.dumps({m: m in sys.modules for m in ('numba', 'torch', 'matplotlib', 'numba.cuda', 'llvmlite')}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert not any(loaded.values()), loaded


def test_public_names_are_explicit():
    import fastlr

    assert set(fastlr.__all__) <= set(dir(fastlr))
    assert "kernels" not in fastlr.__all__
