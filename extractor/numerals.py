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
DOUBLING_UNIT: str = _RULES["multipliers"]["doubling_unit"]
MAX_LENGTH: int = _RULES["limits"]["max_length"]
BIG = frozenset(k for k, v in MAGNITUDES.items() if v >= 10000 and not k.isascii())
TENTHS: dict[str, Decimal] = {k: Decimal(str(v))
                              for k, v in _RULES["multipliers"]["percent_tenths"].items()}
_SIMPLE = {0: "零", 1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八",
           9: "九", 10: "十", 20: "二十", 30: "三十", 100: "百", 1000: "千", 10000: "万",
           10**8: "亿", 10**12: "兆"}
# Financial, Traditional and one-character forms → the simple ones cn2an reads
# even when mixed (一千零拾肆, 兩千六, 廿二).
SIMPLE = str.maketrans({k: _SIMPLE[int(v)] for k, v in {**DIGITS, **PLACES, **{
    k: v for k, v in MAGNITUDES.items() if not k.isascii()}}.items()})


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
    value = _whole(core.translate(SIMPLE).replace("万万", "亿"))
    return None if value is None else (value, mult)


def _whole(core: str) -> Decimal | None:
    """A simple-form numeral; 兆 (10¹²) split off, since cn2an stops at 亿."""
    if "兆" in core:
        high, low = core.split("兆", 1)
        a, b = _whole(high), _whole(low) if low else Decimal(0)
        return None if a is None or b is None else a * MAGNITUDES["兆"] + b
    if core[:1] in MAGNITUDES and core[0] != "十":
        core = "一" + core  # 百万分之五, 百亿: a leading place word counts one
    try:
        return Decimal(str(cn2an.cn2an(core, "normal")))
    except (ValueError, KeyError, IndexError):
        return None


@lru_cache(maxsize=4096)
def parse_mixed(text: str) -> Decimal | None:
    """Arabic digits inside a Chinese numeral (3万4000, 1千零1, 一百点123), or None."""
    try:
        return Decimal(str(cn2an.cn2an(text.translate(SIMPLE), "smart")))
    except (ValueError, KeyError, IndexError):
        return None


@lru_cache(maxsize=4096)
def parse_pair(text: str) -> tuple[Decimal, Decimal] | None:
    """Adjacent-digit ranges: 三五百 → (300, 500), 两三个 → (2, 3), 三两天 → (2, 3); else None."""
    if len(text) < 2 or text[0] not in DIGITS or text[1] not in DIGITS:
        return None
    a, b = sorted((DIGITS[text[0]], DIGITS[text[1]])) if text[1] in "两兩" else (
        DIGITS[text[0]], DIGITS[text[1]])
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
