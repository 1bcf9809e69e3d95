"""The quick loop (``python -m pytest -m "not slow"``) does not even import the modules
whose every test is slow (the Dask engine, interrupts): their imports alone take seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

SLOW_MODULES = frozenset({"test_dask.py", "test_interrupt.py"})


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip a wholly slow module when slow tests are deselected."""
    if config.getoption("markexpr", "").replace(" ", "") == "notslow":
        return collection_path.name in SLOW_MODULES or None
    return None
