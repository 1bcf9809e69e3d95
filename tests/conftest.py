"""Shared fixtures, and the quick loop (``python -m pytest -m "not slow"``), which does
not even import the modules whose every test is slow (the Dask engine, interrupts):
their imports alone take seconds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")
SLOW_MODULES = frozenset({"test_dask.py", "test_interrupt.py"})


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip a wholly slow module when slow tests are deselected."""
    if config.getoption("markexpr", "").replace(" ", "") == "notslow":
        return collection_path.name in SLOW_MODULES or None
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable on PATH. Without one the test is skipped, with the reason,
    unless the environment variable CI is set (as .ci/run sets it): there it fails."""
    found = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    if found is None:
        reason = (f"no Chromium on PATH ({' or '.join(CHROMIUM_NAMES)}): install it to run "
                  "the report's browser test (apt-get install chromium; .ci/run does)")
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so it is required")
        pytest.skip(reason)
    return found
