"""Numeral strings to exact ``Decimal`` values, from the tables of ``rules/numerals.toml``.

Arabic digits are read with ``Decimal``; Chinese numerals with cn2an, except
where cn2an does not fit:
- a decimal numeral with a trailing magnitude (十六点四亿): cn2an returns a
  float and may give 1639999999.99, so the magnitude is split off and applied
  in ``Decimal``;
- adjacent-digit ranges (三五百, 两三百): cn2an rejects them, they are two
  numbers sharing one place;
- vague amounts (十几, 几十, 两千余): cn2an rejects the marker; the reader
  passes only the numeral part here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import cn2an

_SIMPLE = {0: "零", 1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八",
           9: "九", 10: "十", 20: "二十", 30: "三十", 100: "百", 1000: "千", 10000: "万",
           10**8: "亿", 10**12: "兆"}


def step(value: Decimal) -> Decimal:
    """One unit of the value's last non-zero digit (130 → 10, 2.6e6 → 1e5)."""
    if value == 0:
        return Decimal(1)
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # a finite value's
    return Decimal(1).scaleb(exponent)


def to_float(value: Decimal | None) -> float | None:
    """Decimal → float for the output row (None stays None)."""
    return None if value is None else float(value)


@dataclass(frozen=True)
class Numerals:
    """The numeral tables of one rule set, and the readers that use them."""

    digits: dict[str, int]
    places: dict[str, int]
    magnitudes: dict[str, Decimal]
    points: frozenset[str]
    separators: str
    doubling_unit: str
    max_length: int
    tenths: dict[str, Decimal]
    big: frozenset[str] = field(init=False)
    simple: dict[int, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        big = frozenset(k for k, v in self.magnitudes.items() if v >= 10000 and not k.isascii())
        object.__setattr__(self, "big", big)
        # Financial, Traditional and one-character forms → the simple ones cn2an
        # reads even when mixed (一千零拾肆, 兩千六, 廿二).
        words: dict[str, int | Decimal] = {
            **self.digits, **self.places,
            **{k: v for k, v in self.magnitudes.items() if not k.isascii()}}
        object.__setattr__(self, "simple",
                           str.maketrans({k: _SIMPLE[int(v)] for k, v in words.items()}))

    @classmethod
    def from_rules(cls, raw: dict[str, Any]) -> Numerals:
        """Build from the parsed ``numerals.toml``."""
        return cls(
            digits=dict(raw["digits"]), places=dict(raw["places"]),
            magnitudes={k: Decimal(v) for k, v in raw["magnitudes"].items()},
            points=frozenset(raw["points"]["words"]),
            separators="".join(raw["separators"]["chars"]),
            doubling_unit=raw["multipliers"]["doubling_unit"],
            max_length=raw["limits"]["max_length"],
            tenths={k: Decimal(str(v)) for k, v in raw["multipliers"]["percent_tenths"].items()},
        )

    def __hash__(self) -> int:
        return id(self)

    def magnitude(self, chars: str) -> Decimal:
        """The product of a run of magnitude words (千万 → 10⁷)."""
        out = Decimal(1)
        for ch in chars:
            out *= self.magnitudes[ch]
        return out

    def parse_arabic(self, digits: str) -> Decimal:
        """'82,225.00' → Decimal('82225.00')."""
        return Decimal(digits.translate({ord(c): None for c in self.separators}))

    @lru_cache(maxsize=65536)  # noqa: B019 (a Numerals lives as long as its rule set)
    def parse_chinese(self, text: str) -> tuple[Decimal, Decimal] | None:
        """A Chinese numeral as (mantissa, multiplier), or None if it is not one.

        The multiplier is a trailing magnitude split off when the rest holds no
        magnitude of its own (三十万 → (30, 10⁴)); 一亿零五万 stays whole.
        """
        core, mult = text, Decimal(1)
        while core and core[-1] in self.big and not any(c in self.big for c in core[:-1]):
            if len(core) == 1:
                break
            mult *= self.magnitudes[core[-1]]
            core = core[:-1]
        value = self._whole(core.translate(self.simple).replace("万万", "亿"))
        return None if value is None else (value, mult)

    def _whole(self, core: str) -> Decimal | None:
        """A simple-form numeral; 兆 (10¹²) split off, since cn2an stops at 亿."""
        if "兆" in core:
            high, low = core.split("兆", 1)
            a, b = self._whole(high), self._whole(low) if low else Decimal(0)
            return None if a is None or b is None else a * Decimal(10**12) + b
        if core[:1] in self.magnitudes and core[0] != "十":
            core = "一" + core  # 百万分之五, 百亿: a leading place word counts one
        try:
            return Decimal(str(cn2an.cn2an(core, "normal")))
        except (ValueError, KeyError, IndexError):
            return None

    @lru_cache(maxsize=4096)  # noqa: B019
    def parse_mixed(self, text: str) -> Decimal | None:
        """Arabic digits inside a Chinese numeral (3万4000, 1千零1, 一百点123), or None."""
        try:
            return Decimal(str(cn2an.cn2an(text.translate(self.simple), "smart")))
        except (ValueError, KeyError, IndexError):
            return None

    @lru_cache(maxsize=4096)  # noqa: B019
    def parse_pair(self, text: str) -> tuple[Decimal, Decimal] | None:
        """Adjacent-digit ranges: 三五百 → (300, 500), 两三个 → (2, 3), 三两天 → (2, 3); else
        None."""
        digits = self.digits
        if len(text) < 2 or text[0] not in digits or text[1] not in digits:
            return None
        a, b = sorted((digits[text[0]], digits[text[1]])) if text[1] in "两兩" else (
            digits[text[0]], digits[text[1]])
        if not (0 < a < b <= 9) or (b - a != 1 and (a, b) != (3, 5)):
            return None
        rest = text[2:]
        if any(c not in self.places and c not in self.magnitudes for c in rest):
            return None
        scale = self.magnitude(rest) if rest else Decimal(1)
        return Decimal(a) * scale, Decimal(b) * scale
