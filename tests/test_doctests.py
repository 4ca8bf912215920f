"""Every docstring example in fastlr/ runs (doctest), one test per module that has examples.

The examples are the API reference's (docs/reference, built by mkdocs from the docstrings), so a
wrong example is a failing test. A module, or one docstring, whose optional dependency (torch,
dask, matplotlib, jax, ...) is not installed is skipped with the dependency's name; anything else
that goes wrong fails. ``python -m pytest --doctest-modules fastlr/shapes.py`` runs one module's
examples the same way.
"""

import doctest
import importlib
import inspect
import io
import pathlib
import re

import pytest

import fastlr

PACKAGE = pathlib.Path(fastlr.__file__).resolve().parent
# Distributions fastlr imports only in its optional faces (extras plot, torch, dask, cuda; the
# optax and Keras bridges): a missing one skips, any other ModuleNotFoundError fails.
OPTIONAL = {
    "torch",
    "matplotlib",
    "dask",
    "distributed",
    "zarr",
    "pandas",
    "polars",
    "pyarrow",
    "scipy",
    "jax",
    "keras",
    "tensorflow",
    "numba_cuda",
    "cupy",
    "yaml",
}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules_with_examples() -> list[str]:
    """Modules whose source has a ``>>>`` line, found without importing anything."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(line.lstrip().startswith(">>>") for line in path.read_text(encoding="utf-8").splitlines()):
            parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules_with_examples()


def _missing_optional(exc: BaseException) -> str | None:
    if isinstance(exc, ModuleNotFoundError) and exc.name and exc.name.split(".")[0] in OPTIONAL:
        return exc.name
    return None


class _Runner(doctest.DocTestRunner):
    """Records the optional modules that a docstring's examples failed to import."""

    def __init__(self) -> None:
        super().__init__(optionflags=FLAGS)
        self.missing: set[str] = set()

    def report_unexpected_exception(self, out, test, example, exc_info):  # type: ignore[no-untyped-def]
        name = _missing_optional(exc_info[1])
        if name:
            self.missing.add(name)
        super().report_unexpected_exception(out, test, example, exc_info)


def test_every_public_name_has_an_example():
    """Each class and function in ``fastlr.__all__`` shows its use in an Examples section."""
    missing = [
        name
        for name in fastlr.__all__
        if callable(getattr(fastlr, name)) and ">>>" not in (inspect.getdoc(getattr(fastlr, name)) or "")
    ]
    assert not missing, f"add an Examples section (doctest) to the docstring of: {', '.join(missing)}"
    assert {"fastlr.shapes", "fastlr.schedule", "fastlr.sweeps"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if _missing_optional(exc):
            pytest.skip(f"{name} needs {exc.name}")
        raise
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    tests = [t for t in tests if t.examples]
    assert tests, f"{name} has '>>>' lines but no docstring examples were found"
    failures, skipped = [], []
    for test in tests:
        runner = _Runner()
        report = io.StringIO()
        result = runner.run(test, out=report.write)
        if runner.missing:
            skipped.append(f"{test.name} needs {', '.join(sorted(runner.missing))}")
        elif result.failed:
            failures.append(report.getvalue())
    assert not failures, "\n".join(failures)
    if skipped:
        pytest.skip("; ".join(skipped))


def test_reference_has_a_page_per_public_module():
    """docs/reference (the mkdocs API reference) documents every public module."""
    from fastlr.presets import MODULES as PRESETS

    reference = PACKAGE.parent / "docs" / "reference"
    pages = " ".join(p.read_text(encoding="utf-8") for p in reference.rglob("*.md"))
    public = ["fastlr", "fastlr.sweeps", *(f"fastlr.{m}" for m in fastlr._LAZY), "fastlr.bridges"]
    public += [f"fastlr.presets.{m}" for m in PRESETS]
    missing = [m for m in public if f"::: {m}\n" not in pages]
    assert not missing, f"add a page ('::: module') under docs/reference for: {', '.join(missing)}"


def test_site_home_page_examples():
    """The ``>>>`` examples of docs/index.md (the site's home page) run."""
    text = (PACKAGE.parent / "docs" / "index.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "docs/index.md", "docs/index.md", 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = io.StringIO()
    assert runner.run(test, out=report.write).failed == 0, report.getvalue()
