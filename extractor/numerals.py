"""Numeral strings to exact ``Decimal`` values.

Arabic digits are read with ``Decimal``; Chinese numerals with cn2an, except
where cn2an does not fit:
- a decimal numeral with a trailing magnitude (十六点四亿): cn2an returns a
  float and may give 1639999999.99, so the magnitude is split off and applied
  in ``Decimal``;
- adjacent-digit ranges (三五百, 两三百): cn2an rejects them, they are two
  numbers sharing one place;
- vague amounts (十几, 几十, 两千余): cn2an rejects the marker; the engine
  reads the marker from the match and passes only the numeral part here.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import cn2an

from extractor.rules import load_rules

_RULES = load_rules().raw["numerals"]
DIGITS: dict[str, int] = _RULES["digits"]
PLACES: dict[str, int] = _RULES["places"]
MAGNITUDES: dict[str, Decimal] = {k: Decimal(v) for k, v in _RULES["magnitudes"].items()}
POINTS: frozenset[str] = frozenset(_RULES["points"]["words"])
SEPARATORS: str = "".join(_RULES["separators"]["chars"])
BIG = frozenset(k for k, v in MAGNITUDES.items() if v >= 10000 and not k.isascii())


def magnitude(chars: str) -> Decimal:
    """The product of a run of magnitude words (千万 → 10⁷)."""
    out = Decimal(1)
    for ch in chars:
        out *= MAGNITUDES[ch]
    return out


def step(value: Decimal) -> Decimal:
    """One unit of the value's last non-zero digit (130 → 10, 2.6e6 → 1e5)."""
    if value == 0:
        return Decimal(1)
    return Decimal(1).scaleb(value.normalize().as_tuple().exponent)


@lru_cache(maxsize=65536)
def parse_arabic(digits: str) -> Decimal:
    """'82,225.00' → Decimal('82225.00')."""
    return Decimal(digits.translate({ord(c): None for c in SEPARATORS}))


@lru_cache(maxsize=65536)
def parse_chinese(text: str) -> tuple[Decimal, Decimal] | None:
    """A Chinese numeral as (mantissa, multiplier), or None if it is not one.

    The multiplier is a trailing magnitude split off when the rest holds no
    magnitude of its own (三十万 → (30, 10⁴)); 一亿零五万 stays whole.
    """
    core, mult = text, Decimal(1)
    while core and core[-1] in BIG and not any(c in BIG for c in core[:-1]):
        if len(core) == 1:
            break
        mult *= MAGNITUDES[core[-1]]
        core = core[:-1]
    try:
        value = cn2an.cn2an(core, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    return Decimal(str(value)), mult


@lru_cache(maxsize=4096)
def parse_pair(text: str) -> tuple[Decimal, Decimal] | None:
    """Adjacent-digit ranges: 三五百 → (300, 500), 两三个 → (2, 3); else None."""
    if len(text) < 2 or text[0] not in DIGITS or text[1] not in DIGITS:
        return None
    a, b = DIGITS[text[0]], DIGITS[text[1]]
    if not (0 < a < b <= 9) or (b - a != 1 and (a, b) != (3, 5)):
        return None
    rest = text[2:]
    if any(c not in PLACES and c not in MAGNITUDES for c in rest):
        return None
    scale = magnitude(rest) if rest else Decimal(1)
    return Decimal(a) * scale, Decimal(b) * scale


def to_float(value: Decimal | None) -> float | None:
    """Decimal → float for the output row (None stays None)."""
    return None if value is None else float(value)
