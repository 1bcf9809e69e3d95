"""The public record of one quantity mention (fields as in MENTIONS.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

APPROX_FLAGS = ("exact", "about", "over", "under", "range", "vague")
DIMENSIONS = (
    "count", "currency", "percent", "percentage_point", "multiple", "area", "mass",
    "length", "volume", "energy", "power", "duration", "rate", "ratio", "other",
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One quantity mention; ``text[start:end] == surface``."""

    start: int
    end: int
    surface: str
    value: float | None
    lower: float | None
    upper: float | None
    approx: str
    qualifier: str | None
    unit: str | None
    dimension: str
    object: str | None
    rule: str

    def to_dict(self) -> dict[str, Any]:
        """The mention as a plain dict (JSON-ready)."""
        return asdict(self)
