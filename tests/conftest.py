"""Test configuration: a private Numba cache and a hypothesis profile without deadlines."""

import os
import tempfile

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "fastlr-test-numba-cache"))

from hypothesis import settings

settings.register_profile("fastlr", deadline=None, max_examples=60, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fastlr"))
