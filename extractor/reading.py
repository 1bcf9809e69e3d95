"""What a grammar match says: value, bounds, flag, qualifier, unit, dimension (MENTIONS.md §4).

The fields depend on the matched text only (the sentence's context is applied
by the caller), so ``Reader.fields`` caches them by that text: news repeats
2家 and 5个.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from extractor.forms import FORMS, Form, Getter
from extractor.grammar import Groups, Match
from extractor.lexicon import Lexicon
from extractor.numerals import Numerals, step, to_float

_ARABIC = re.compile(r"[0-9][0-9,.]*+(?:[eE][-+]?[0-9]++)?")
_PLAIN_NUMBER = re.compile(r"([0-9]+)(?:\.([0-9]+))?(\D*)")
_PLAIN_PARTS = frozenset({"num", "mag", "unit", "unit_base"})
"""The parts of the commonest mention (3.5万吨, 12.5%, 300家): read without Decimal."""
ARTICLE = frozenset({"count", "duration"})  # 一个, 一年: the article, not the number one
CACHE_SIZE = 1 << 16
Fields = tuple[float | None, float | None, float | None, str, str | None, str | None,
               str | None, str]
"""value, lower, upper, approx, qualifier, unit, dimension (None: from context), rule."""


@dataclass
class Reading:
    """What a match says, before it becomes a Mention."""

    value: Decimal | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None
    approx: str = "exact"
    unit: str | None = None
    dimension: str | None = None
    rule: str = "number"


class Reader:
    """Reads grammar matches into fields, with the tables of one rule set."""

    def __init__(self, lex: Lexicon, numerals: Numerals) -> None:
        self.lex = lex
        self.numerals = numerals
        self.forms: dict[str, Form] = {f.name: f for f in FORMS}
        self.lead_tens = frozenset(k for k, v in numerals.places.items() if v < 100)
        self.whole_magnitudes = {k: int(v) for k, v in numerals.magnitudes.items()
                                 if v == v.to_integral_value()}
        self._cache: dict[str, Fields | None] = {}

    reading = staticmethod(Reading)

    def fields(self, m: Match, surface: str) -> Fields | None:
        """The fields of a match (cached by its folded surface), or None if it is
        not a quantity."""
        got = self._cache.get(surface, self._cache)
        if got is self._cache:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            got = self._cache[surface] = self._fields(m)
        return got  # type: ignore[return-value]

    def _fields(self, m: Match) -> Fields | None:
        if m.form == "number" and not m.posts and m.groups.keys() <= _PLAIN_PARTS:
            plain = self._plain(m.groups)
            if plain is not None:
                return plain
        return self._general(m)

    def _general(self, m: Match) -> Fields | None:
        got = self.interpret(m)
        if got is None:
            return None
        r, qualifier = got
        bounds = tuple(to_float(x) for x in (r.value, r.lower, r.upper))
        if any(x is not None and not math.isfinite(x) for x in bounds):
            return None  # 2e308: beyond any float, not a quantity
        return (*bounds, r.approx, qualifier, r.unit, r.dimension, r.rule)  # type: ignore[return-value]

    def _plain(self, g: Groups) -> Fields | None:
        """The fields of a plain number (digits, at most one point, whole magnitudes, a
        unit or none), as ``interpret`` reads them: the value by exact integer
        arithmetic and one correctly rounded division, the float of the exact Decimal
        product. None where the general path must decide."""
        num = g["num"]
        parts = _PLAIN_NUMBER.fullmatch(num) if len(num) <= self.numerals.max_length else None
        if parts is None or (parts[3] and "mag" in g):
            return None  # 5亿千 + 万: the general path splits the magnitudes
        whole, decimals = parts[1], parts[2] or ""
        scale = 1
        for c in parts[3] or g.get("mag", ""):
            f = self.whole_magnitudes.get(c)
            if f is None:
                return None
            scale *= f
        try:
            value = int(whole + decimals) * scale / 10 ** len(decimals)
        except OverflowError:
            return None
        unit = g.get("unit")
        dimension = self.lex.unit_dimension.get(unit, "rate") if unit else None
        if dimension == "ratio":  # a ratio's bounds stay open (``_apply_qualifiers``)
            return value, None, None, "exact", None, unit, dimension, "number"
        return value, value, value, "exact", None, unit, dimension, "number"

    # -- numbers -------------------------------------------------------------

    def number(self, s: str) -> tuple[Decimal, Decimal] | None:
        """(mantissa, multiplier) of a number, Arabic or Chinese; None if not one."""
        nm = self.numerals
        if len(s) > 2 * nm.max_length or sum(c not in nm.places for c in s) > nm.max_length:
            return None
        if len(s) == 1 and s in nm.magnitudes:
            return Decimal(1), nm.magnitudes[s]  # 近百家, 百分之: a lone place word
        if s[:1].isdigit():
            i = _ARABIC.match(s).end()  # type: ignore[union-attr]
            if all(c in nm.magnitudes for c in s[i:]):
                try:
                    return nm.parse_arabic(s[:i]), nm.magnitude(s[i:])
                except ArithmeticError:
                    return None
        if any(c.isdigit() for c in s):
            mixed = nm.parse_mixed(s.replace(",", ""))  # 3万4000, 一百点123, 1,126万7千
            return None if mixed is None else (mixed, Decimal(1))
        return nm.parse_chinese(s)

    @staticmethod
    def signed(n: tuple[Decimal, Decimal] | None,
               sign: str | None) -> tuple[Decimal, Decimal] | None:
        """The number negated when a sign stands before it."""
        return n if n is None or not sign else (-n[0], n[1])

    def _bare_chinese_ok(self, s: str) -> bool:
        """A Chinese numeral with nothing around it: only when clearly a number."""
        nm = self.numerals
        has_place = any(c in nm.places or c in nm.magnitudes or c in nm.points for c in s)
        return len(s) >= 2 and has_place and (s[0] in nm.digits or s[0] in self.lead_tens)

    def main(self, g: Getter, tail_mult: Decimal) -> Reading | None:
        """A number, a range (A至B), 十几 or 两三百."""
        main = g("num") or ""
        pair = self.numerals.parse_pair(main) if not main[0].isdigit() else None
        if pair is not None:  # 两三百, 八九亿: before reading 八九 as 89
            return Reading(lower=pair[0] * tail_mult, upper=pair[1] * tail_mult, approx="range",
                           rule="adjacent-digit range (三五百)")
        if tail_mult > 1 and not g("few") and not g("n1") and not g("sign"):
            mixed = self._mixed_magnitudes(main, tail_mult)
            if mixed is not None:  # 1亿3千多万: 1亿 plus 3千 万
                return Reading(value=mixed, rule="number")
        parsed = self.signed(self.number(main), g("sign2") or (None if g("n1") else g("sign")))
        if parsed is None:
            return None
        mant, mult = parsed
        value = mant * mult * tail_mult
        if g("few"):
            return Reading(lower=value, upper=value + step(mant * mult) * tail_mult,
                           approx="vague", rule="vague amount (十几)")
        if g("n1"):
            first = self.signed(self.number(g("n1") or ""), g("sign"))
            if first is None:
                return None
            lower = first[0] * first[1]
            shared = first[0] * mult * tail_mult
            place = self.numerals.places.get(main[-1], 0)
            if (first[1] == 1 and 0 < first[0] < 10 and place >= 100 and mant % place == 0
                    and mant // place < 10):
                shared *= place  # 两到三千: 两 shares the place of 三千
            if first[1] == 1 and shared <= value:
                lower = shared
            if lower >= value:
                return None
            return Reading(lower=lower, upper=value, approx="range", rule="range (A至B)")
        return Reading(value=value, rule="number")

    def _mixed_magnitudes(self, main: str, tail_mult: Decimal) -> Decimal | None:
        """A numeral whose inner magnitude is larger than its trailing one (1亿3千 + 万):
        the trailing magnitude applies only to the part after the inner one."""
        nm = self.numerals
        inner = [k for k, c in enumerate(main[:-1]) if c in nm.big and nm.magnitudes[c] > tail_mult]
        if not inner:
            return None
        k = inner[-1] + 1
        high, low = self.number(main[:k]), self.number(main[k:])
        if high is None or low is None:
            return None
        return high[0] * high[1] + low[0] * low[1] * tail_mult

    # -- a whole match -------------------------------------------------------

    def interpret(self, m: Match) -> tuple[Reading, str | None] | None:
        """The reading of a match with its qualifiers and unit applied, and its
        qualifier words; None if it is not a quantity."""
        groups = m.groups
        if m.posts:
            groups = {**groups, "posts": "|".join(m.posts)}
        g = groups.get
        nm, lex = self.numerals, self.lex
        tail_mult = nm.magnitude(g("mag") or "")
        r = self.forms[m.form].value(self, g, tail_mult)
        if r is None:
            return None
        words = [(pos, groups[name]) for name, pos in (("pre", "pre"), ("q1", "mid"),
                                                       ("q3", "mid")) if name in groups]
        words += [("post", w) for w in m.posts]
        unit = g("unit")
        main = g("num")
        units = lex.unit_dimension
        unit_dim = units.get(unit, "rate") if unit else None  # not listed: a compound A/B
        if main and not g("n1") and not g("few"):
            chinese = not main[0].isdigit()
            qualified = bool(words) or bool(unit) or bool(g("mag")) or bool(g("sign"))
            if (chinese and not g("pre") and not g("q1") and main[0] not in nm.digits
                    and main[0] not in self.lead_tens):
                return None  # 百年, 千万, 万人: a bare place word is not a number
            if (chinese and main in ("一", "壹") and not words and not g("mag")
                    and not g("sign") and not g("half")
                    and (not unit or unit_dim in ARTICLE)):
                return None  # the indefinite article 一份, 一个 (but 一美元, 一吨, 一个亿)
            if chinese and not qualified and not self._bare_chinese_ok(main):
                return None
        if g("halfn") and (not unit or unit_dim == "count"):
            return None  # 半斤, 半小时; not 半场, 半张
        if g("sign") and not main:
            r.value, r.lower, r.upper = (None if v is None else -v
                                         for v in (r.value, r.upper, r.lower))
        if r.value is not None and (g("half") or g("tenths") or g("hundredths")):
            r.value += Decimal("0.5") if g("half") else 0  # 一吨半, 两个半小时
            for name, scale in (("tenths", Decimal("0.1")), ("hundredths", Decimal("0.01"))):
                d = g(name)
                r.value += (Decimal(int(d)) if d and d.isdigit() else nm.digits.get(d or "", 0)
                            ) * scale
        if unit:
            first = g("n1") or main or g("cheng") or g("den") or ""
            if g("unit_base") in lex.arabic_only and first and not first[0].isdigit():
                return None  # 一方面, 三角, 十里
            if r.unit is None:
                r.unit = unit
            if r.dimension is None:
                r.dimension = unit_dim
        self._apply_qualifiers(r, words)
        quals = [w for _, w in words]
        if conn := g("conn"):
            quals.insert(1 if g("pre") else 0, conn)
        if mark := g("vmark") or g("few"):
            quals.insert(0, mark)
        if idiom := g("vidiom"):
            quals.insert(0, idiom)
        return r, "|".join(quals) or None

    def _apply_qualifiers(self, r: Reading, words: list[tuple[str, str]]) -> None:
        """Set approx and bounds of a single value from its qualifiers (§4)."""
        meanings = self.lex.qualifier_meanings
        if r.dimension == "ratio":  # a ratio has no value: only its flag says more or less
            r.approx = next((m if m != "over_open" else "over" for pos, w in words
                             if (m := meanings[pos][w]) in ("about", "over", "under",
                                                            "over_open")), "exact")
            return
        if r.approx != "exact" or r.value is None:
            return
        if any(pos in ("mid", "post") and w in self.lex.stepped for pos, w in words):
            r.approx, r.lower, r.upper = "over", r.value, r.value + step(r.value)
            return
        for pos, w in words:
            meaning = meanings[pos][w]
            if meaning in ("about", "over", "under", "over_open"):
                r.approx = "over" if meaning == "over_open" else meaning
                r.lower = r.value if r.approx == "over" else None
                r.upper = r.value if r.approx == "under" else None
                return
        r.lower = r.upper = r.value
