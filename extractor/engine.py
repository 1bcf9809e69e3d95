"""Find and normalize every quantity mention: ``extract(text)``.

One scan over the folded text (the exclusion and mention patterns, merged as one
alternation); each mention match is read into a value, bounds and a flag
(MENTIONS.md §4), then its object.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

import regex

from extractor import numerals as num
from extractor.mention import Mention
from extractor.objects import find_object
from extractor.patterns import fold, scanner
from extractor.rules import load_rules
from extractor.statistics import StatRules, annotate, compile_statistics

ARABIC = regex.compile(r"[0-9][0-9,.]*+(?:[eE][-+]?[0-9]++)?")
TEN = frozenset(k for k, v in num.PLACES.items() if v < 100)  # 十, 拾, 廿: may lead a numeral
ARTICLE = frozenset({"count", "duration"})  # 一个, 一年: the article, not the number one
SPACES = regex.compile(r"(?<=\p{Han}) ++(?=[\p{Han}0-9])|(?<=[0-9%]) ++(?=\p{Han})")
READ_CACHE_SIZE = 1 << 16
Fields = tuple[float | None, float | None, float | None, str, str | None, str | None,
               str | None, str]
_READ_CACHE: dict[str, Fields | None] = {}
Getter = Callable[[str], str | None]


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


@cache
def _qualifier_meanings() -> dict[str, dict[str, str]]:
    q = load_rules().raw["qualifiers"]
    return {pos: {fold(k): v for k, v in q[pos].items()} for pos in ("pre", "mid", "post")}


@cache
def _stepped() -> frozenset[str]:
    """多/余: bounded by the next step of the last digit (rules: post_options.tight)."""
    return frozenset(load_rules().raw["qualifiers"]["post_options"]["tight"])


@cache
def _units() -> tuple[dict[str, str], frozenset[str], dict]:
    r = load_rules()
    units = {fold(k): v for k, v in r.units.items()}
    return units, frozenset(fold(u) for u in r.arabic_only), r.raw["units"]["context"]


def _number(s: str) -> tuple[Decimal, Decimal] | None:
    """(mantissa, multiplier) of a number group, Arabic or Chinese; None if not one."""
    if sum(c not in num.PLACES for c in s) > num.MAX_LENGTH:
        return None
    if len(s) == 1 and s in num.MAGNITUDES:
        return Decimal(1), num.MAGNITUDES[s]  # 近百家, 百分之: a lone place word
    m = ARABIC.match(s)
    if m and all(c in num.MAGNITUDES for c in s[m.end():]):
        return num.parse_arabic(m.group()), num.magnitude(s[m.end():])
    if any(c.isdigit() for c in s):
        mixed = num.parse_mixed(s)  # 3万4000, 一百点123
        return None if mixed is None else (mixed, Decimal(1))
    return num.parse_chinese(s)


def _signed(n: tuple[Decimal, Decimal] | None, sign: str | None) -> tuple[Decimal, Decimal] | None:
    return n if n is None or not sign else (-n[0], n[1])


def _is_chinese(s: str) -> bool:
    return not s[0].isdigit()


def _bare_chinese_ok(s: str) -> bool:
    """A Chinese numeral with nothing around it: only when clearly a number."""
    places = set(num.PLACES) | set(num.MAGNITUDES)
    has_place = any(c in places or c in num.POINTS for c in s)
    return len(s) >= 2 and has_place and (s[0] in num.DIGITS or s[0] in TEN)


def _read_form(g: Getter, tail_mult: Decimal) -> Reading | None:
    """The number part of a match (before qualifiers are applied)."""
    q = load_rules().raw["qualifiers"]["vague"]
    if g("vidiom"):
        lo, hi = q["idioms"][g("vidiom")]
        return Reading(lower=Decimal(lo) * tail_mult, upper=Decimal(hi) * tail_mult or None,
                       approx="vague", rule="vague idiom")
    if g("fan"):
        n = _number(g("fan_n"))
        if n is None:
            return None
        return Reading(value=Decimal(2) ** int(n[0]), unit=num.DOUBLING_UNIT,
                       dimension="multiple",
                       rule="doubling (翻N番)")
    if g("den"):
        den = _signed(_number(g("den")), g("dsign"))
        numer = _signed(_number(g("numer")), g("nsign"))
        whole = _number(g("whole")) if g("whole") else (Decimal(0), Decimal(1))
        if den is None or numer is None or whole is None or den[0] * den[1] == 0:
            return None
        d, n = den[0] * den[1], numer[0] * numer[1]
        if d == 100 and not g("whole"):
            return Reading(value=n, unit="%", dimension="percent", rule="percent (百分之N)")
        return Reading(value=whole[0] * whole[1] + n / d, dimension="other",
                       rule="fraction (A分之B)")
    if g("cheng"):
        return _tenths(g("cheng"), g("tenth"), bool(g("chalf")))
    if g("halfn"):
        return Reading(value=Decimal("0.5"), rule="half (半斤)")
    if g("vmark"):
        lower = num.magnitude(g("vplace")) * tail_mult
        open_ = q["markers"][g("vmark")] == "open"
        return Reading(lower=lower, upper=None if open_ else lower * 10, approx="vague",
                       rule="vague amount (几十/数百/上千)")
    return _read_main(g, tail_mult)


def _tenths(digits: str, word: str, half: bool) -> Reading | None:
    """三成 30%, 9.5成 95%, 十成 100%, 七五折 75%, 七八成 70–80% (a word's max: TOML)."""
    top = num.TENTHS[word]
    pair = num.parse_pair(digits)
    if pair is not None:
        return Reading(lower=pair[0] * 10, upper=pair[1] * 10, approx="range", unit="%",
                       dimension="percent", rule="tenths range (七八成)")
    n = _number(digits)
    if n is None:
        return None
    tenths = n[0] * n[1]
    if tenths > top and len(digits) == 2 and all(c.isdigit() or c in num.DIGITS for c in digits):
        tenths /= 10  # 七五折 = 7.5折
    tenths += Decimal("0.5") if half else 0  # 三成半
    if not 0 < tenths <= top:
        return None
    return Reading(value=tenths * 10, unit="%", dimension="percent", rule="tenths (N成, N折)")


def _read_main(g: Getter, tail_mult: Decimal) -> Reading | None:
    main = g("num")
    pair = num.parse_pair(main) if _is_chinese(main) else None
    if pair is not None:  # 两三百, 八九亿: before reading 八九 as 89
        return Reading(lower=pair[0] * tail_mult, upper=pair[1] * tail_mult, approx="range",
                       rule="adjacent-digit range (三五百)")
    parsed = _signed(_number(main), g("sign2") or (None if g("n1") else g("sign")))
    if parsed is None:
        return None
    mant, mult = parsed
    value = mant * mult * tail_mult
    if g("few"):
        return Reading(lower=value, upper=value + num.step(mant * mult) * tail_mult,
                       approx="vague", rule="vague amount (十几)")
    if g("n1"):
        first = _signed(_number(g("n1")), g("sign"))
        if first is None:
            return None
        lower = first[0] * first[1]
        shared = first[0] * mult * tail_mult
        place = num.PLACES.get(main[-1], 0)
        if (first[1] == 1 and 0 < first[0] < 10 and place >= 100 and mant % place == 0
                and mant // place < 10):
            shared *= place  # 两到三千: 两 shares the place of 三千
        if first[1] == 1 and shared <= value:
            lower = shared
        if lower >= value:
            return None
        return Reading(lower=lower, upper=value, approx="range", rule="range (A至B)")
    return Reading(value=value, rule="number")


def _apply_qualifiers(r: Reading, words: list[tuple[str, str]]) -> None:
    """Set approx and bounds of a single value from its qualifiers (§4)."""
    if r.approx != "exact" or r.value is None:
        return
    meanings = _qualifier_meanings()
    stepped = any(pos in ("mid", "post") and w in _stepped() for pos, w in words)
    if stepped:
        r.approx, r.lower, r.upper = "over", r.value, r.value + num.step(r.value)
        return
    for pos, w in words:
        meaning = meanings[pos][w]
        if meaning in ("about", "over", "under", "over_open"):
            r.approx = "over" if meaning == "over_open" else meaning
            r.lower = r.value if r.approx == "over" else None
            r.upper = r.value if r.approx == "under" else None
            return
    r.lower = r.upper = r.value


def _words(m: regex.Match[str], g: Getter) -> list[tuple[str, str]]:
    """Qualifier words of a match with their position, in text order (the
    pattern puts pre before q1 before q3 before the post-qualifiers)."""
    found = [(pos, g(name)) for name, pos in (("pre", "pre"), ("q1", "mid"), ("q3", "mid"))
             if g(name)]
    return found + [("post", w) for w in m.captures("post")]


def read(m: regex.Match[str]) -> Fields | None:
    """A mention match → the fields of its Mention that depend on the match alone
    (value, lower, upper, approx, qualifier, unit, dimension, rule), or None if it
    is not a quantity.

    They depend on the matched text only (the sentence's context is applied by
    the caller), so they are cached by that text: news repeats 2家 and 5个.
    """
    key = m.group()
    got = _READ_CACHE.get(key, _READ_CACHE)
    if got is _READ_CACHE:
        if len(_READ_CACHE) >= READ_CACHE_SIZE:
            _READ_CACHE.clear()
        got = _READ_CACHE[key] = _fields(_interpret(m))
    return got


def _fields(got: tuple[Reading, str | None] | None) -> Fields | None:
    if got is None:
        return None
    r, qualifier = got
    bounds = tuple(num.to_float(x) for x in (r.value, r.lower, r.upper))
    if any(x is not None and not math.isfinite(x) for x in bounds):
        return None  # 2e308: beyond any float, not a quantity
    return (*bounds, r.approx, qualifier, r.unit, r.dimension, r.rule)


def _interpret(m: regex.Match[str]) -> tuple[Reading, str | None] | None:
    values, index = m.groups(), m.re.groupindex  # groups() is ~30x cheaper than groupdict()

    def g(name: str) -> str | None:
        return values[index[name] - 1]

    units, arabic_only, _ = _units()
    tail_mult = num.magnitude(g("mag") or "")
    r = _read_form(g, tail_mult)
    if r is None:
        return None
    words = _words(m, g)
    unit = g("unit")
    main = g("num")
    if main and not g("n1") and not g("few"):
        chinese = _is_chinese(main)
        qualified = bool(words) or bool(unit) or bool(g("mag")) or bool(g("sign"))
        if (chinese and not g("pre") and not g("q1") and main[0] not in num.DIGITS
                and main[0] not in TEN):
            return None  # 百年, 千万, 万人: a bare place word is not a number
        if (chinese and main in ("一", "壹") and not words and not g("mag") and not g("sign")
                and not g("half") and (not unit or units[unit] in ARTICLE)):
            return None  # the indefinite article 一份, 一个 (but 一美元, 一吨, 一个亿)
        if chinese and not qualified and not _bare_chinese_ok(main):
            return None
    if g("halfn") and (not unit or units[unit] == "count"):
        return None  # 半斤, 半小时; not 半场, 半张
    if g("sign") and not main:
        r.value, r.lower, r.upper = (None if v is None else -v
                                     for v in (r.value, r.upper, r.lower))
    if r.value is not None and (g("half") or g("tenths") or g("hundredths")):
        r.value += Decimal("0.5") if g("half") else 0  # 一吨半, 两个半小时
        for name, scale in (("tenths", Decimal("0.1")), ("hundredths", Decimal("0.01"))):
            d = g(name)
            r.value += (Decimal(int(d)) if d and d.isdigit() else num.DIGITS.get(d, 0)) * scale
    if unit:
        first = g("n1") or main or g("cheng") or g("den") or ""
        if unit in arabic_only and first and _is_chinese(first):
            return None  # 一方面, 三角, 十里
        if r.unit is None:
            r.unit = unit
        if r.dimension is None:
            r.dimension = units[unit]
    _apply_qualifiers(r, words)
    quals = [w for _, w in words]
    if g("conn"):
        quals.insert(1 if g("pre") else 0, g("conn"))
    if g("vmark") or g("few"):
        quals.insert(0, g("vmark") or g("few"))
    if g("vidiom"):
        quals.insert(0, g("vidiom"))
    return r, "|".join(quals) or None


def _context_dimension(folded: str, start: int) -> str:
    """The dimension a bare number takes from cue words just before it (月薪15k)."""
    context = _units()[2]
    window = folded[max(0, start - context["window"]):start]
    return next((dim for dim in ("currency", "count")
                 if any(cue in window for cue in context[dim])), "other")


def _squeeze(folded: str) -> tuple[str, list[int] | None]:
    """Drop the spaces next to Chinese characters (1000 万, 百分之 2, 三千 九百: text
    pasted from PDFs and tables), with the map from squeezed back to text offsets."""
    if " " not in folded:
        return folded, None
    parts, index, pos = [], [], 0
    for m in SPACES.finditer(folded):
        parts.append(folded[pos:m.start()])
        index.extend(range(pos, m.start()))
        pos = m.end()
    parts.append(folded[pos:])
    index.extend(range(pos, len(folded) + 1))
    return "".join(parts), index


def scan(text: str) -> Iterator[tuple[str | None, regex.Match[str] | re.Match[str], str, int,
                                      int]]:
    """Every match of the scan: (exclusion name, or None for a mention; match;
    scanned text; start and end in ``text``).

    Each pattern is searched on its own and the matches merged as one
    alternation would take them: the leftmost wins, ties go to the earlier
    pattern (exclusions first), and the scan goes on after the winner. A
    pattern's next match is searched again only when a winner overlapped it.
    """
    folded, index = _squeeze(fold(text))
    sc = scanner()
    searches = [p.search for _, p in sc.exclusions] + [sc.mention.search]
    names = [name for name, _ in sc.exclusions] + [None]
    heap = [(m.start(), k, m) for k, m in enumerate(s(folded) for s in searches) if m]
    heapq.heapify(heap)
    pos = 0
    while heap:
        start, k, m = heap[0]
        end = m.end()
        if start >= pos and end > start:  # (an empty match takes nothing)
            yield (names[k], m, folded,
                   *((index[start], index[end - 1] + 1) if index else (start, end)))
            pos = end
        m = searches[k](folded, max(pos, start + 1))
        if m is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (m.start(), k, m))


def _mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    for name, m, folded, start, end in scan(text):
        if name is not None:
            continue
        got = read(m)
        if got is None:
            continue
        value, lower, upper, approx, qualifier, unit, dimension, rule = got
        out.append(Mention(
            start, end, text[start:end], value, lower, upper, approx, qualifier, unit,
            dimension or _context_dimension(folded, m.start()), find_object(text, start, end),
            rule))
    return out


@cache
def _statistics() -> StatRules:
    return compile_statistics(load_rules().raw)


def extract(text: str, published: date | str | None = None) -> list[Mention]:
    """Every quantity mention of ``text``, sorted by start, never overlapping, with the
    statistic around it (§5; ``published``, a date or ISO string, resolves 今年, 近5年)."""
    if isinstance(published, str):
        published = date.fromisoformat(published)
    return annotate(text, _mentions(text), _statistics(), published)
