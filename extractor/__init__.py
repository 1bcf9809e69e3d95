"""zhstats: find and normalize quantity mentions in Chinese news text.

``extract`` is imported on first use, so that ``zhstats --help`` starts
without compiling the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extractor.mention import APPROX_FLAGS, DIMENSIONS, Mention

if TYPE_CHECKING:
    from extractor.engine import extract

__version__ = "0.1.0"
__all__ = ["APPROX_FLAGS", "DIMENSIONS", "Mention", "__version__", "extract"]


def __getattr__(name: str) -> Any:
    if name == "extract":
        from extractor.engine import extract

        return extract
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
