"""Where the report's browser test finds Chromium, and what it does without one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def find_chromium(environ: Mapping[str, str] = os.environ, path: str | None = None) -> str:
    """The Chromium executable on ``path`` (default: PATH). Without one the test is
    skipped, with the reason, unless CI is set in ``environ`` (as .ci/run sets it):
    there it fails."""
    found = next((p for name in CHROMIUM_NAMES if (p := shutil.which(name, path=path))), None)
    if found is None:
        reason = (f"no Chromium on PATH ({' or '.join(CHROMIUM_NAMES)}): install it to run "
                  "the report's browser test (apt-get install chromium; .ci/run does)")
        if environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so it is required")
        pytest.skip(reason)
    return found
