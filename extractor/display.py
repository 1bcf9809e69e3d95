"""Numbers as people read them in a terminal."""

from __future__ import annotations

import math
from decimal import Decimal


def number(value: float | None) -> str:
    """``value`` with thousands separators and no exponent: ``2,600,000`` (not ``2.6e+06``),
    ``0.035``, ``350,000,000``; the shortest digits that give back the float; ``""`` for
    None."""
    if value is None:
        return ""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 2**53:
        return f"{int(value):,}"
    return format(Decimal(repr(value)).normalize(), ",f")
