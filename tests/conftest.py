"""Shared fixtures, and the quick loop (``python -m pytest -m "not slow"``), which does
not even import the modules whose every test is slow (the Dask engine, interrupts,
the hypothesis properties): their imports alone take seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsers import find_chromium

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.fixture(scope="session")
def sample_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample dataset (datasets/sample), built once for the session: the tests
    that take it only read it."""
    from extractor.dataset import DatasetConfig, build, find_dataset

    out = tmp_path_factory.mktemp("sample") / "out"
    summary = build(DatasetConfig.load(find_dataset("sample", ROOT)), out=out, workers=1)
    assert (summary.inputs, summary.articles, summary.errors) == (4, 4, 0)
    return out
