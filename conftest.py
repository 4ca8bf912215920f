"""``pytest --doctest-modules fastlr/...``: an example that imports an absent optional dependency
(keras, jax, ...) is skipped, naming it, as in tests/test_doctests.py; other failures fail."""

import doctest

import pytest

from tests.test_doctests import OPTIONAL


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if isinstance(item, pytest.DoctestItem) and call.excinfo is not None and report.failed:
        failure = call.excinfo.value
        if isinstance(failure, doctest.UnexpectedException):
            exc = failure.exc_info[1]
            name = getattr(exc, "name", None) or ""
            if isinstance(exc, ModuleNotFoundError) and name.split(".")[0] in OPTIONAL:
                report.outcome = "skipped"
                report.longrepr = (str(item.path), item.reportinfo()[1] or 0, f"Skipped: needs {name}")
