"""zhstats: find and normalize quantity mentions in Chinese news text.

``extract(text)`` returns the text's mentions (a list of ``Mention``);
``to_frame(texts_or_mentions)`` returns them as a pandas DataFrame typed like the
``indicators`` Parquet table. Both are imported on first use, so that
``zhstats --help`` starts without compiling the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extractor.mention import APPROX_FLAGS, DIMENSIONS, Mention

if TYPE_CHECKING:
    from extractor.engine import extract
    from extractor.frame import to_frame

__version__ = "0.1.0"
__all__ = ["APPROX_FLAGS", "DIMENSIONS", "Mention", "__version__", "extract", "to_frame"]


def __getattr__(name: str) -> Any:
    if name == "extract":
        from extractor.engine import extract

        return extract
    if name == "to_frame":
        from extractor.frame import to_frame

        return to_frame
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
