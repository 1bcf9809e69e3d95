"""Time expressions (rules/periods.toml) and their resolution to dates (MENTIONS.md §5).

Dates are ``datetime.date`` here; the Mention carries them as ISO strings.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import regex

from extractor.exclusions import expand_lists, first_set, spell_lists
from extractor.rules import RuleError

LISTS = ("years", "plans", "spans", "parts_of_month", "holidays")
"""The word lists of rules/periods.toml a pattern names with ``\\L<name>``."""
RESOLVE = ("span", "since", "from", "until", "point", "recent", "prior", "window", "holiday",
           "first_months")
"""What a period pattern's match means; see rules/periods.toml."""
_FRAGMENT = regex.compile(r"\{:(\w+)\}")
_NAMED = re.compile(r"\(\?P<(\w+)>")
_META = frozenset("\\.^$*+?{}[]()|")
_YEAR_IN_TITLE = regex.compile(r"((?:19|20)\d\d) ?年")  # 2024 年: a PDF's space


class TimeMatch(NamedTuple):
    """A time expression matched in a text: its span, text, resolve kind and named
    groups (those that took part)."""

    start: int
    end: int
    text: str
    kind: str
    groups: dict[str, str]


@dataclass(frozen=True)
class Narrowed:
    """An alternation of some of the patterns, compiled by the standard engine: each
    pattern is group ``_i``, its named groups renamed apart (a name may recur across
    patterns and within one, which the standard engine refuses)."""

    pattern: re.Pattern[str]
    alternatives: dict[int, tuple[str, tuple[tuple[str, int], ...]]]
    """By the number of a pattern's group ``_i``: its resolve kind and its named groups
    as (name as written, group number)."""

    def match(self, text: str, p: int, hi: int, whole: bool = False) -> TimeMatch | None:
        """The first pattern that matches at ``p`` (all of ``text[p:hi]`` if ``whole``),
        its groups under the names as written (a name that recurs: the last that took
        part)."""
        m = (self.pattern.fullmatch if whole else self.pattern.match)(text, p, hi)
        if m is None:
            return None
        kind, names = self.alternatives[m.lastindex]  # type: ignore[index]
        groups: dict[str, str] = {}
        for name, number in names:
            value = m.group(number)
            if value is not None:
                groups[name] = value
        return TimeMatch(m.start(), m.end(), m.group(), kind, groups)


@dataclass(frozen=True)
class PeriodRules:
    """rules/periods.toml, compiled: the patterns in file order, tried by first
    character."""

    kinds: tuple[str, ...]
    """The resolve kind of each alternative (group ``_0``, ``_1``, …)."""
    by_first: dict[str, tuple[int, ...]]
    """The alternatives that can start with a character, by that character (their
    first sets read from the patterns themselves): what ``finditer`` tries there."""
    sources: tuple[str, ...]
    """Each alternative's source for the standard engine (word lists spelled out), group
    ``_i`` around it."""
    after_basis: regex.Pattern[str]
    """What a period cannot follow (比上年, 金秋十月, 1-10月: the basis, scene and range
    words), matched backwards from where it would start: checked before the patterns
    are tried there, the pattern's own lookbehind made cheap."""
    starts_words: re.Pattern[str] | None
    """The prefilter's plain words (今年, 截至), found by the standard engine."""
    starts_other: tuple[regex.Pattern[str], ...]
    """The prefilter's other alternatives (digits before 年), each found overlapped on
    its own (together, one alternation tried at every character, they cost a third
    more)."""
    word_firsts: frozenset[str]
    """The first characters of the prefilter's plain words."""
    windows: frozenset[str]
    years: dict[str, int]
    plans: dict[str, int]
    spans: dict[str, tuple[int, int]]
    parts_of_month: dict[str, tuple[int, int]]
    """上旬, 中旬, 下旬: first and last day (a last day past the month's end is its end)."""
    numbers: dict[str, int]
    """Chinese digits and 十 (from rules/numerals.toml), to read 五年, 十二月."""
    holidays: dict[str, tuple[int, int, int]]
    """Holidays with a fixed first day: month, day, usual length in days."""
    narrowed: dict[tuple[int, ...], Narrowed] = field(
        default_factory=dict, repr=False, compare=False)
    """The narrowed alternations, compiled on first use (memo)."""

    def _narrow(self, idx: tuple[int, ...]) -> Narrowed:
        """The alternation of the alternatives ``idx`` (in order), compiled and kept."""
        sub = narrowed(self.sources, self.kinds, idx)
        self.narrowed[idx] = sub
        return sub

    def starts(self, text: str, lo: int, hi: int) -> list[int]:
        """Where in ``text[lo:hi]`` the prefilter holds, in order: its plain words by
        the standard engine, its other alternatives overlapped (a superset of where a
        period can start, so cheap that the alternatives are then tried only there)."""
        found: set[int] = set()
        words = self.starts_words
        if words is not None:
            firsts = self.word_firsts
            for m in words.finditer(text, lo, hi):
                s, e = m.span()
                found.add(s)
                for q in range(s + 1, e):  # a word may start inside another (今年末: 年末)
                    if text[q] in firsts and words.match(text, q):
                        found.add(q)
        for other in self.starts_other:
            found.update(m.start() for m in other.finditer(text, lo, hi, overlapped=True))
        return sorted(found)

    def _holds(self, text: str, p: int, hi: int) -> bool:
        """Whether the prefilter holds at ``p`` (within ``text[:hi]``)."""
        return ((self.starts_words is not None
                 and self.starts_words.match(text, p, hi) is not None)
                or any(other.match(text, p, hi) is not None for other in self.starts_other))

    def match(self, text: str, p: int, hi: int | None = None) -> TimeMatch | None:
        """The time expression at ``text[p]`` (within ``text[:hi]``), trying only the
        patterns that can begin with its character."""
        hi = len(text) if hi is None else hi
        if p >= hi or (idx := self.by_first.get(text[p])) is None or not self._holds(
                text, p, hi) or (p and self.after_basis.match(text, 0, p) is not None):
            return None
        return (self.narrowed.get(idx) or self._narrow(idx)).match(text, p, hi)

    def fullmatch(self, text: str) -> TimeMatch | None:
        """``text`` as one whole time expression, narrowed like ``match``."""
        if not text or (idx := self.by_first.get(text[0])) is None or not self._holds(
                text, 0, len(text)):
            return None
        return (self.narrowed.get(idx) or self._narrow(idx)).match(text, 0, len(text), True)

    def finditer(self, text: str, lo: int, hi: int,
                 starts: list[int]) -> Iterator[TimeMatch]:
        """The time expressions of ``text[lo:hi]``, leftmost first, not overlapping, given
        ``starts`` (of a range holding [lo, hi)): at each start, only the alternatives
        that can begin with its character are tried."""
        k, pos, by_first, narrowed = bisect_left(starts, lo), lo, self.by_first, self.narrowed
        after_basis = self.after_basis
        while k < len(starts) and (p := starts[k]) < hi:
            k += 1
            if p < pos or (idx := by_first.get(text[p])) is None or (
                    p and after_basis.match(text, 0, p) is not None):
                continue
            sub = narrowed.get(idx) or self._narrow(idx)
            m = sub.match(text, p, hi)
            if m is not None:
                yield m
                pos = m.end


class Period(NamedTuple):
    """One time expression found in a text, and the dates it stands for (a tuple: one
    is made per time expression)."""

    start: int
    end: int
    text: str
    kind: str
    first: date | None
    last: date | None
    window: bool
    """A time window (近5年来): a mention inside it is not a quantity (§1)."""


def _expand(source: str, fragments: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise ValueError("fragments nest too deep")
    return _FRAGMENT.sub(
        lambda m: "(?:" + _expand(fragments[m[1]], fragments, depth + 1) + ")", source)


def compile_periods(raw: dict[str, Any], numerals: dict[str, Any]) -> PeriodRules:
    """Compile rules/periods.toml (``raw``); ``numerals`` is rules/numerals.toml."""
    alternatives, kinds = [], []
    for i, entry in enumerate(raw["patterns"]):
        if entry["resolve"] not in RESOLVE:
            raise RuleError("periods", f"patterns[{i}].resolve",
                            f"unknown kind {entry['resolve']!r} (one of {', '.join(RESOLVE)})")
        try:
            source = _expand(entry["pattern"], raw["fragments"])
        except (KeyError, ValueError) as e:
            raise RuleError("periods", f"patterns[{i}]", f"bad fragment: {e}") from None
        alternatives.append(f"(?P<_{i}>{source})")
        kinds.append(entry["resolve"])
    not_basis = "|".join([regex.escape(w) for w in raw["options"]["basis_before"]
                          + raw["options"]["scene_before"]] + [raw["options"]["inside_range"]])
    lists = {name: list(raw[name]) for name in LISTS}
    prefilter = raw["options"]["prefilter"]
    sources = tuple(spell_lists(a, lists) for a in alternatives)
    for i in range(len(sources)):
        try:
            alone = narrowed(sources, kinds, (i,))
        except re.error as e:
            raise RuleError("periods", f"patterns[{i}]",
                            f"does not compile (Python's re syntax): {e}") from None
        if alone.pattern.match("") is not None:
            raise RuleError("periods", f"patterns[{i}]", "matches the empty string")
    try:
        by_first = _by_first(alternatives, lists)
        words = [b for b in _branches(prefilter) if b and not _META & set(b)]
        other = [b for b in _branches(prefilter) if b not in words]
        starts_other = tuple(regex.compile(b) for b in other)
        after_basis = regex.compile(not_basis, regex.REVERSE)
    except regex.error as e:
        raise RuleError("periods", "options", f"does not compile: {e}") from None
    numbers = {k: v for k, v in numerals["digits"].items() if v < 10}
    numbers["十"] = 10
    return PeriodRules(
        kinds=tuple(kinds), by_first=by_first, sources=sources, after_basis=after_basis,
        starts_words=re.compile("|".join(re.escape(w) for w in sorted(
            set(words), key=lambda w: (-len(w), w)))) if words else None,
        starts_other=starts_other, word_firsts=frozenset(w[0] for w in words),
        windows=frozenset(raw["options"]["windows"]),
        years=dict(raw["years"]), plans=dict(raw["plans"]),
        spans={k: (v[0], v[1]) for k, v in raw["spans"].items()},
        parts_of_month={k: (v[0], v[1]) for k, v in raw["parts_of_month"].items()},
        numbers=numbers,
        holidays={k: (v[0], v[1], v[2]) for k, v in raw["holidays"].items()},
    )


def narrowed(sources: tuple[str, ...], kinds: Sequence[str], idx: tuple[int, ...]) -> Narrowed:
    """The alternation of the patterns ``idx`` (in order), each its group ``_i``, every
    other group name made unique and mapped back to the name as written."""
    written: dict[str, str] = {}

    def rename(m: re.Match[str]) -> str:
        if m[1].startswith("_"):
            return m[0]
        unique = f"{m[1]}__{len(written)}"
        written[unique] = m[1]
        return f"(?P<{unique}>"

    pattern = re.compile("|".join(_NAMED.sub(rename, sources[i]) for i in idx))
    index = pattern.groupindex
    owns = [index[f"_{i}"] for i in idx] + [pattern.groups + 1]
    return Narrowed(pattern, {own: (kinds[i], tuple(
        (written[name], n) for name, n in index.items() if own < n < owns[k + 1]))
        for k, (i, own) in enumerate(zip(idx, owns, strict=False))})


def _by_first(alternatives: list[str],
              lists: dict[str, list[str]]) -> dict[str, tuple[int, ...]]:
    """The alternatives that can start with each character, their first sets read from
    the patterns themselves (group names and word lists expanded away)."""
    firsts = [first_set(_NAMED.sub("(?:", expand_lists(a, lists))) for a in alternatives]
    chars = set().union(*(f for f in firsts if f is not None))
    return {c: tuple(i for i, f in enumerate(firsts) if f is None or c in f)
            for c in sorted(chars)}


def _branches(source: str) -> list[str]:
    """The top-level alternatives of a regex's source (a | inside a group or a
    character class is not one)."""
    out, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(source[start:i])
            start = i + 1
        i += 1
    out.append(source[start:])
    return out


def small_number(s: str, numbers: dict[str, int]) -> int | None:
    """A number up to 99 in Arabic or Chinese digits (5, 五, 十二, 二十)."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = numbers.get(tens, -1) if tens else 1
        o = numbers.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 else t * 10 + o
    return numbers.get(s) if len(s) == 1 else None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _years_back(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year - n)
    except ValueError:  # 29 February
        return d.replace(year=d.year - n, day=28)


HEADING_MAX = 40
"""The longest line read as a heading (一、2024年工作回顾)."""
_NOT_IN_HEADING = regex.compile(r"[。！？!?；;，,]")
_NOT_IN_TITLE = regex.compile(r"[。！？!?]")


def report_years(text: str, paras: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where the year the article reports on is set, in text order, as (offset, year):
    its title (a first line that ends no sentence) and each later heading that names a
    year (a line of at most ``HEADING_MAX`` characters with no sentence or clause
    break: 一、2024年工作回顾); the text under a heading reports on its year (its 全年
    is that year's)."""
    out = []
    for k, (lo, hi) in enumerate(paras):
        if _NOT_IN_TITLE.search(text, lo, hi) if k == 0 else (
                hi - lo > HEADING_MAX or _NOT_IN_HEADING.search(text, lo, hi)):
            continue
        m = _YEAR_IN_TITLE.search(text, lo, hi)
        if m:
            out.append((lo, int(m[1])))
    return out


def resolve(m: TimeMatch, rules: PeriodRules, published: date | None,
            year_of_report: int | None, prior: Period | None) -> tuple[date | None, date | None]:
    """The first and last day of a period match (either may be None: open or unknown)."""
    kind, one = m.kind, m.groups.get  # a name used in several alternatives: the one that matched
    if kind == "window":
        return None, None
    if kind == "prior":
        if prior is None or prior.last is None:
            return None, None
        first = _years_back(prior.first, 1) if prior.first else None
        last = _years_back(prior.last, 1)
        if prior.last == _last_day(prior.last.year, prior.last.month):
            last = _last_day(last.year, last.month)  # 2024-02-29 → 2023-02-28
        return first, last
    if kind == "holiday":
        return _holiday(m, rules, published, prior)
    if kind == "recent":
        if published is None:
            return None, None
        n = small_number(one("n") or "", rules.numbers)
        if n is None:
            return None, None
        unit = one("u")
        if unit == "年":
            return _years_back(published, n), published
        if unit in ("个月", "個月"):
            back = published.month - n
            yr, mo = published.year + (back - 1) // 12, (back - 1) % 12 + 1
            return date(yr, mo, min(published.day, calendar.monthrange(yr, mo)[1])), published
        return date.fromordinal(published.toordinal() - n), published

    year: int | None = None
    own_year = False
    if (y := one("year")) is not None:
        year, own_year = int(y), True
    elif (r := one("rel")) is not None:
        year, own_year = (published.year + rules.years[r], True) if published else (None, True)
    elif (p := one("plan")) is not None:
        year, own_year = rules.plans[p.strip("“”\"")], True
    if year is None and not own_year:
        year = year_of_report or (published.year if published else None)
    m1, m2, d = one("m1"), one("m2"), one("d")
    named_date = any(x is not None for x in (one("year"), one("rel"), one("plan"), m1, d,
                                              one("span")))
    if kind == "until" and not named_date:
        return None, published
    if year is None:
        return None, None
    first_month, last_month = 1, 12
    if kind == "first_months":  # 前5个月
        last_month = small_number(one("n") or "", rules.numbers) or 0
    if (span := one("span")) is not None:
        first_month, last_month = rules.spans[span]
    if m1 is not None:
        first_month = last_month = small_number(m1, rules.numbers) or 0
        if m2 is not None:
            last_month = small_number(m2, rules.numbers) or 0
    if not (1 <= first_month <= last_month <= 12):
        return None, None
    first = date(year, first_month, 1)
    last = _last_day(year, last_month)
    if one("plan") is not None and kind == "span":
        last = date(year + 4, 12, 31)
    if d is not None:
        day = small_number(d, rules.numbers)
        to = small_number(one("d2") or d, rules.numbers)  # 10月1日-8日
        days = calendar.monthrange(year, first_month)[1]
        if day is None or to is None or not day <= to <= days:
            return None, None
        first, last = date(year, first_month, day), date(year, first_month, to)
    if (part := one("part")) is not None:  # 7月下旬
        day, to = rules.parts_of_month[part]
        days = calendar.monthrange(year, first_month)[1]
        first, last = date(year, first_month, day), date(year, last_month, min(to, days))
    if kind == "since":
        return first, published
    if kind == "from":
        return first, None
    if kind == "until":
        return None, last
    if kind == "point":
        return last, last
    return first, last


def _holiday(m: TimeMatch, rules: PeriodRules, published: date | None,
             prior: Period | None) -> tuple[date | None, date | None]:
    """A named holiday (国庆8天假期: its first day, and the length the text states or its
    usual one), or the article's holiday named before (假期期间: ``prior``)."""
    one = m.groups.get
    name = one("holiday")
    if name is None:
        return (prior.first, prior.last) if prior is not None else (None, None)
    if (y := one("year")) is not None:
        year = int(y)
    elif (r := one("rel")) is not None and published is not None:
        year = published.year + rules.years[r]
    elif published is not None:
        year = published.year
    else:
        return None, None
    month, day, days = rules.holidays[name.strip("“”\"")]
    if (n := one("n")) is not None:
        days = small_number(n, rules.numbers) or days
    first = date(year, month, day)
    return first, date.fromordinal(first.toordinal() + days - 1)

