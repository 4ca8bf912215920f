"""pytest-benchmark configuration: a private Numba cache for benchmark runs."""

import os
import tempfile

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "fastlr-bench-numba-cache"))
