"""zhstats: find and normalize quantity mentions in Chinese news text."""

from extractor.engine import extract
from extractor.mention import APPROX_FLAGS, DIMENSIONS, Mention

__version__ = "0.1.0"
__all__ = ["APPROX_FLAGS", "DIMENSIONS", "Mention", "__version__", "extract"]
