"""The public record of one quantity mention (fields as in MENTIONS.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, NamedTuple

APPROX_FLAGS = ("exact", "about", "over", "under", "range", "vague")
DIMENSIONS = (
    "count", "currency", "percent", "percentage_point", "multiple", "area", "mass",
    "length", "volume", "energy", "power", "duration", "rate", "ratio", "other",
)
MEASURES = ("level", "change", "share")
DIRECTIONS = ("up", "down")


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
    measure: str | None = None
    """``level``, ``change`` or ``share`` (§5)."""
    direction: str | None = None
    """``up`` or ``down`` for a change whose sign the text gives."""
    basis: str | None = None
    """What a change is measured against, as written (``上年``, ``同比``)."""
    period: str | None = None
    """The time expression that governs the mention, as written."""
    period_start: str | None = None
    """First day of ``period`` as an ISO date string (``2025-01-01``); None if open or
    unknown."""
    period_end: str | None = None
    """Last day of ``period`` as an ISO date string; None if open or unknown."""
    place: str | None = None
    """The area the figure is about, as written (``全市``, ``武陟县``)."""
    estimate: float | None = None
    """Derived: ``value``, else the midpoint of ``lower`` and ``upper`` when both exist."""

    def to_dict(self) -> dict[str, Any]:
        """The mention as a plain dict (JSON-ready)."""
        return asdict(self)


FIELDS = tuple(f.name for f in fields(Mention))
"""A Mention's field names, in order: the order of a row of ``Extractor.table``."""


class Found(NamedTuple):
    """A mention as the scan reads it: Mention's fields up to ``rule``, before the statistic
    around it (a tuple: far cheaper to build than a Mention)."""

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
