"""The per-run work of ``python_floor.py``: N dictionary lookups and one row tuple (a
module of its own so that ``python_floor.py`` can also time it compiled by mypyc)."""

from __future__ import annotations

import re

LOOKUP: dict[str, int] = {c: i for i, c in enumerate("0123456789万亿千百十元个人家%")}


def row(t: str, a: int, b: int, lookups: int) -> tuple:
    """N lookups, then a tuple of a mention's twelve fields."""
    get = LOOKUP.get
    for _ in range(lookups):
        get(t[a:a + 1], 0)
    return (a, b, t[a:b], 1.0, 1.0, 1.0, "exact", None, "元", "currency", None, "number")


def rows(t: str, runs: re.Pattern[str], lookups: int) -> list[tuple]:
    """One row per numeral run of ``t``."""
    return [row(t, m.start(), m.end(), lookups) for m in runs.finditer(t)]
