"""Shared fixtures, and the quick loop (``python -m pytest -m "not slow"``), which does
not even import the modules whose every test is slow (the Dask engine, interrupts,
the hypothesis properties): their imports alone take seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsers import find_chromium

SLOW_MODULES = frozenset({"test_dask.py", "test_interrupt.py", "test_properties.py"})


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip a wholly slow module when slow tests are deselected."""
    if config.getoption("markexpr", "").replace(" ", "") == "notslow":
        return collection_path.name in SLOW_MODULES or None
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable on PATH (``browsers.find_chromium``: skipped without one,
    unless CI is set)."""
    return find_chromium()
