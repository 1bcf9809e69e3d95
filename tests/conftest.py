"""Shared fixtures."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")


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
