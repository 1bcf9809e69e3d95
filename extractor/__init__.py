"""zhstats: find and normalize quantity mentions in Chinese news text.

``extract(text)`` returns the text's mentions (a list of ``Mention``);
``to_frame(texts_or_mentions)`` returns them as a pandas DataFrame typed like the
``indicators`` Parquet table; ``Extractor(Ruleset.load(folder))`` extracts with
other rule files. All are imported on first use, so that
``zhstats --help`` starts without compiling the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extractor.mention import APPROX_FLAGS, DIMENSIONS, Mention

if TYPE_CHECKING:
    from extractor.engine import Extractor, extract
    from extractor.frame import to_frame
    from extractor.ruleset import Ruleset

__version__ = "0.1.0"
__all__ = ["APPROX_FLAGS", "DIMENSIONS", "Extractor", "Mention", "Ruleset", "__version__",
           "extract", "to_frame"]
_LAZY = {"extract": "extractor.engine", "Extractor": "extractor.engine",
         "Ruleset": "extractor.ruleset", "to_frame": "extractor.frame"}


def engine_build() -> str:
    """How the engine's hot modules were installed: ``compiled`` (mypyc, see setup.py)
    or ``pure Python`` (no C compiler at install, or ZHSTATS_PURE_PYTHON=1)."""
    from importlib.util import find_spec

    spec = find_spec("extractor.scanner")
    origin = spec.origin if spec is not None else None
    return "pure Python" if origin is None or origin.endswith(".py") else "compiled"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
