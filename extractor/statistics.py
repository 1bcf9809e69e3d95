"""The statistic around each mention (MENTIONS.md §5): ``annotate``.

What a figure measures (level, change, share), the direction and basis of a
change, its period and place, and its object carried through the sentence
(rules/statistics.toml, rules/periods.toml, rules/places.toml). Work is per
sentence and per mention, never per character of the text: the time and place
patterns run only over paragraphs that hold a mention (and the lead).

Dates are stored on the Mention as ISO strings (``"2025-09-30"``), like the gold.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any, NamedTuple

import regex

from extractor.carry import CLAUSE_BREAK, CLAUSE_BREAK_CHARS, carry
from extractor.exclusions import edge_sets, expand_lists
from extractor.mention import Found
from extractor.objects import ObjectRules, stop_at
from extractor.objects import before as noun_before
from extractor.periods import (
    Period,
    PeriodRules,
    TimeMatch,
    compile_periods,
    report_years,
    resolve,
)
from extractor.places import PlaceRules, compile_places, find_places
from extractor.rules import RuleError

SENTENCE_BREAK_CHARS = "。！？!?；;\n"
_CLAUSE_ONLY = frozenset(CLAUSE_BREAK_CHARS) - frozenset(SENTENCE_BREAK_CHARS)
"""The clause breaks that do not end a sentence (the sentence breaks are clause breaks)."""
SENTENCE_END = re.compile(r"[。！？!?]")
WINDOW = 32
"""How many characters before a mention its frames may reach (within its clause)."""
LEAD_WITHIN = 3
"""A lead that does not open with its time is among the first paragraphs of sentences."""
MAX_BETWEEN = 16
"""The longest noun taken from between two figures."""
FRAMES = ("level_to", "comparative", "multiple", "change", "share")
"""The frames of rules/statistics.toml, in the order they are tried."""
_NO_MULTIPLE = tuple(n for n in FRAMES if n != "multiple")
_GROUPS = tuple((n, f"_{n}") for n in FRAMES)
_GROUPS_NO_MULTIPLE = tuple((n, f"_{n}") for n in _NO_MULTIPLE)
"""Each frame's group in the alternation of the frames."""
PeriodFields = tuple[str | None, str | None, str | None]
"""A mention's period, period_start and period_end."""
_NO_PERIOD: PeriodFields = (None, None, None)
_MEASURE = {"level_to": "level", "comparative": "change", "multiple": "change",
            "change": "change", "share": "share"}


@dataclass(frozen=True)
class Edges:
    """Where an alternation of frames can hold, read from its patterns: per
    alternative, the characters it can end with (None: any) and a class of characters
    of which it holds one (None: none known). Most mentions are levels: the pattern is
    tried only where some alternative can hold."""

    alternatives: tuple[tuple[frozenset[str] | None, re.Pattern[str] | None], ...]

    @classmethod
    def of(cls, source: str) -> Edges:
        return cls(tuple((last, None if needs is None else re.compile(
            "[" + "".join(re.escape(c) for c in sorted(needs)) + "]"))
            for last, needs in edge_sets(source)))

    def may_hold(self, text: str, lo: int, hi: int) -> bool:
        """Whether a match of the frames can end at ``hi`` within ``text[lo:hi]``."""
        c = text[hi - 1]
        for last, needs in self.alternatives:
            if (last is None or c in last) and (needs is None or needs.search(text, lo, hi)):
                return True
        return False


@dataclass(frozen=True)
class StatRules:
    """The three rule files of §5, compiled into lookup tables."""

    frames: regex.Pattern[str]
    """The frames of rules/statistics.toml as one alternation (group ``_name`` each)."""
    frames_no_multiple: regex.Pattern[str]
    """The same without the multiple frame (a unit not of ``multiple_units``)."""
    edges: Edges
    """Where ``frames`` can hold."""
    edges_no_multiple: Edges
    up: frozenset[str]
    down: frozenset[str]
    surface: dict[str, str]
    sentence_basis: regex.Pattern[str]
    multiple_units: frozenset[str]
    reject: frozenset[str]
    reject_first: tuple[str, ...]
    reject_last: tuple[str, ...]
    time_words: regex.Pattern[str]
    punctuation: str
    respectively: tuple[str, ...]
    list_split: regex.Pattern[str]
    list_words: frozenset[str]
    shared_tails: tuple[str, ...]
    of_which: tuple[str, ...]
    periods: PeriodRules
    places: PlaceRules
    objects: ObjectRules


def compile_statistics(raw: dict[str, dict[str, Any]]) -> StatRules:
    """Compile the parsed rule files (file name → TOML dict: statistics, periods,
    places, and numerals and objects for the words they share)."""
    s = raw["statistics"]
    ch = s["changes"]
    lists = {"up": sorted(ch["up"], key=len, reverse=True),
             "down": sorted(ch["down"], key=len, reverse=True), "links": ch["links"],
             "up_after_basis": ch["up_after_basis"], "down_after_basis": ch["down_after_basis"],
             "flows": ch["flows"]}
    for name in FRAMES:
        try:
            regex.compile(s["frames"][name], regex.REVERSE, **lists, ignore_unused=True)
        except (regex.error, KeyError) as e:
            raise RuleError("statistics", f"frames.{name}", f"does not compile: {e}") from None

    def one_of(names: tuple[str, ...]) -> regex.Pattern[str]:
        """The frames as one alternation, tried in order where the mention starts."""
        return regex.compile("|".join(f"(?P<_{n}>{s['frames'][n]})" for n in names),
                             regex.REVERSE, **lists, ignore_unused=True)

    def edges(names: tuple[str, ...]) -> Edges:
        return Edges.of(expand_lists("|".join(s["frames"][n] for n in names), lists))
    o = s["objects"]
    try:
        sentence_basis = regex.compile(s["bases"]["sentence"])
        time_words = regex.compile(o["time_words"])
    except regex.error as e:
        raise RuleError("statistics", "bases.sentence or objects.time_words",
                        f"does not compile: {e}") from None
    try:
        places = compile_places(raw["places"], raw["objects"]["stops"]["words"])
    except regex.error as e:
        raise RuleError("places", "names", f"does not compile: {e}") from None
    seps = "|".join(regex.escape(x) for x in sorted(o["list_separators"], key=len,
                                                      reverse=True))
    return StatRules(
        frames=one_of(FRAMES), frames_no_multiple=one_of(_NO_MULTIPLE),
        edges=edges(FRAMES), edges_no_multiple=edges(_NO_MULTIPLE),
        up=frozenset(ch["up"] + ch["up_after_basis"]),
        down=frozenset(ch["down"] + ch["down_after_basis"]),
        surface=dict(ch["surface"]),
        sentence_basis=sentence_basis,
        multiple_units=frozenset(s["bases"]["multiple_units"]),
        reject=frozenset(o["reject"]) | frozenset(ch["up"]) | frozenset(ch["down"]),
        reject_first=tuple(o["reject_first"]), reject_last=tuple(o["reject_last"]),
        time_words=time_words,
        punctuation=o["punctuation"],
        respectively=tuple(o["respectively"]), list_split=regex.compile(seps),
        list_words=frozenset(o["list_separators"]),
        shared_tails=tuple(sorted(o["shared_tails"], key=len, reverse=True)),
        of_which=tuple(o["of_which"]),
        periods=compile_periods(raw["periods"], raw["numerals"]),
        places=places, objects=ObjectRules.from_rules(raw["objects"]),
    )


def _noun_after_verbs(text: str, end: int, rules: StatRules) -> str | None:
    """The noun after the one or two stop words that follow a figure
    (7家已获授权企业 → 企业, 5个入选县(市、区)之一 → 县(市、区))."""
    i, skipped = end, 0
    while i < len(text) and skipped < 3 and (w := stop_at(text, i, rules.objects.stops)):
        i, skipped = i + len(w), skipped + 1
    if not skipped:
        return None
    j, depth, limit = i, 0, min(len(text), i + 16)
    while j < limit:
        ch = text[j]
        if ch in "(（":
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1
        elif depth == 0 and (ch in CLAUSE_BREAK_CHARS or ch in "、"
                             or stop_at(text, j, rules.objects.stops)):
            break
        j += 1
    phrase = text[i:j]
    if len(phrase) < 2 or any(c.isdigit() for c in phrase) or _bad_object(phrase, rules):
        return None
    return phrase


class _Frame(NamedTuple):
    """What the clause before a mention says of it (a tuple: one is made per mention)."""

    measure: str = "level"
    direction: str | None = None
    basis: str | None = None
    part_of: int | None = None
    """Where a share's 占 stands: the part is the noun before it, not the whole after."""
    opens: int | None = None
    """Where a frame with a basis opens (增速比上半年加快: at 比)."""


_LEVEL = _Frame()


def _frame(text: str, m: Found, rules: StatRules, clause_breaks: list[int]) -> _Frame:
    """Measure, direction and basis from the clause right before the mention
    (``clause_breaks``: where the text's clause breaks stand, in order)."""
    for prefix, sign in rules.surface.items():
        if m.surface.startswith(prefix):
            return _Frame("change", sign)
    j = bisect_left(clause_breaks, m.start)
    lo = max(0, m.start - WINDOW, clause_breaks[j - 1] + 1 if j else 0)
    if lo == m.start:
        return _LEVEL
    multiple = m.unit in rules.multiple_units
    if not (rules.edges if multiple else rules.edges_no_multiple).may_hold(text, lo, m.start):
        return _LEVEL
    pattern = rules.frames if multiple else rules.frames_no_multiple
    f = pattern.match(text, lo, m.start)  # reverse: the frame ends where the mention starts
    if f is None:
        return _LEVEL
    name = _frame_name(f, _GROUPS if multiple else _GROUPS_NO_MULTIPLE)
    verb, basis = f.group("verb"), f.group("basis")
    direction = ("up" if verb in rules.up else "down" if verb in rules.down else None)
    part_of = f.start() if name == "share" and f.group().startswith("占") else None
    return _Frame(_MEASURE[name], direction, basis or None, part_of,
                  f.start() if basis else None)


def _frame_name(f: regex.Match[str], groups: tuple[tuple[str, str], ...]) -> str:
    """The frame whose group took part in ``f``."""
    for name, group in groups:
        if f.start(group) >= 0:
            return name
    raise ValueError(f"{f.group()!r} matched no frame")


def _bad_object(obj: str, rules: StatRules) -> bool:
    return (obj in rules.reject or obj.startswith(rules.reject_first)
            or obj.endswith(rules.reject_last)
            or rules.time_words.match(obj) is not None
            or not obj.strip(rules.punctuation)
            or obj.count("(") != obj.count(")") or obj.count("（") != obj.count("）"))


def _period_matches(text: str, rules: StatRules,
                    spans: list[tuple[int, int]]) -> list[list[TimeMatch]]:
    """The time expressions of each span (a paragraph or its start), spans in text order."""
    pr = rules.periods
    starts = pr.starts(text, spans[0][0], spans[-1][1]) if spans else []
    return [list(pr.finditer(text, lo, hi, starts)) for lo, hi in spans]


def _period_index(rules: StatRules, published: date | None,
                  found: list[tuple[int, list[TimeMatch]]],
                  years: list[tuple[int, int]]) -> list[Period]:
    """The periods ``found`` (each paragraph's start and its time expressions), resolved,
    in text order (``years``: where the year the article reports on is set,
    ``periods.report_years``)."""
    pr = rules.periods
    set_at = [at for at, _ in years]
    out: list[Period] = []
    holiday: Period | None = None
    """The holiday the article named last (假期期间 takes its dates)."""
    for lo, matches in found:
        own = len(out)  # where this paragraph's periods begin in ``out``
        k = bisect_right(set_at, lo) - 1
        year = years[k][1] if k >= 0 else None
        for m in matches:
            kind = m.kind
            prior: Period | None = None
            if kind == "holiday":
                prior = holiday
            elif kind == "prior":  # the paragraph's last period that is not itself a prior one
                for i in range(len(out) - 1, own - 1, -1):
                    if out[i].kind != "prior":
                        prior = out[i]
                        break
            first, last = resolve(m, pr, published, year, prior)
            period = Period(m.start, m.end, m.text, kind, first, last, kind in pr.windows)
            if kind == "holiday" and "holiday" in m.groups:
                holiday = period
            out.append(period)
    return _holiday_days(out)


HOLIDAY_DAYS = 15
"""The longest stretch of days read as a holiday's own dates."""


def _holiday_days(periods: list[Period]) -> list[Period]:
    """A holiday whose length the text does not state takes the days the article gives
    from its first day (“十一”黄金周期间 … 10月1日-8日: to the 8th), and so do the
    references to it (假期期间)."""
    days = {p.first: p.last for p in periods
            if p.kind == "span" and p.first and p.last
            and 0 < (p.last - p.first).days < HOLIDAY_DAYS}
    if not days:
        return periods
    moved: dict[tuple[date | None, date | None], date] = {
        (p.first, p.last): days[p.first] for p in periods
        if p.kind == "holiday" and "天" not in p.text and p.first in days}
    return [p._replace(last=moved[p.first, p.last])
            if p.kind == "holiday" and (p.first, p.last) in moved else p for p in periods]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _lead_candidates(text: str, paras: list[tuple[int, int]],
                     first_mention: int) -> tuple[list[int], list[int]]:
    """The paragraphs (by index) that may be the lead: those up to the first with a
    figure, and the first ``LEAD_WITHIN`` that hold a whole sentence."""
    before = [k for k, (lo, _) in enumerate(paras) if lo <= first_mention]
    whole = (k for k, (lo, hi) in enumerate(paras) if SENTENCE_END.search(text, lo, hi))
    return before, list(islice(whole, LEAD_WITHIN))


def _lead(text: str, paras: list[tuple[int, int]], before: list[int], whole: list[int],
          found: dict[int, list[TimeMatch]]) -> int | None:
    """The lead (a paragraph's index): of the paragraphs ``before`` the first figure's
    end, the first that opens with a time expression and a comma (2025年以来，…); else
    the first of the ``whole`` ones (not the title, a subtitle or a byline) that holds a
    time expression. ``found``: the time expressions of each whole paragraph."""
    for k in before:
        lo, hi = paras[k]
        start = lo
        while start < hi and text[start].isspace():
            start += 1
        m = found[k][0] if found[k] else None
        if m and m.start == start and m.end < hi and text[m.end] in "，,":
            return k
    return next((k for k in whole if found[k]), None)


def _lead_period(periods: list[Period], lead: tuple[int, int]) -> Period | None:
    """The time expression that frames the report: the lead's first, unless that is a
    single day after which the lead names a period that ended before it (10月24日，
    统计局发布前三季度…: the day the figures came out, not their period)."""
    own = [p for p in periods if lead[0] <= p.start < lead[1]]
    if not own:
        return None
    first = own[0]
    if first.first is not None and first.first == first.last:
        earlier = next((p for p in own[1:] if p.last is not None and p.last < first.first),
                       None)
        if earlier is not None:
            return earlier
    return first


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def annotate(text: str, mentions: list[Found], rules: StatRules,
             published: date | None) -> list[list[Any]]:
    """The rows of ``mentions`` (sorted by start) with their §5 fields: lists of a
    Mention's fields in order; those inside a time window dropped (近5年来: the period of
    the figures it governs, not a figure)."""
    if not mentions:
        return []
    paras = _paragraphs(text)
    starts = [lo for lo, _ in paras]
    para_of = [bisect_right(starts, m.start) - 1 for m in mentions]
    # Only the text before a paragraph's last mention can govern one (a time or place
    # never reaches backwards); the lead sets the article's. Its candidates are read
    # whole, once: the lead is found among their time expressions.
    reach: dict[int, int] = {}
    for m, k in zip(mentions, para_of, strict=True):
        reach[k] = min(paras[k][1], m.end + 8)  # 8: the rest of a window (近5年|来)
    before, whole = _lead_candidates(text, paras, mentions[0].start)
    scan = dict(reach) | {k: paras[k][1] for k in before + whole}
    order = sorted(scan)
    found = dict(zip(order, _period_matches(text, rules, [(paras[k][0], scan[k])
                                                          for k in order]), strict=True))
    k_lead = _lead(text, paras, before, whole, found)
    lead = paras[k_lead] if k_lead is not None else None
    if k_lead is not None:
        reach[k_lead] = paras[k_lead][1]
    used = [(paras[k][0], reach[k]) for k in sorted(reach)]
    periods = _period_index(rules, published,
                            [(paras[k][0], [m for m in found[k] if m.end <= reach[k]])
                             for k in sorted(reach)], report_years(text, paras))
    places = [p for lo, hi in used for p in find_places(text, rules.places, lo, hi)]
    lead_period = _lead_period(periods, lead) if lead else None
    lead_place = next((p for p in places if lead and lead[0] <= p[0] < lead[1]), None)
    windows = [p for p in periods if p.window]
    if windows:
        mentions, para_of = _outside(mentions, para_of, windows)
    clause_breaks = [b.start() for b in CLAUSE_BREAK.finditer(text)]
    breaks = [b for b in clause_breaks if text[b] not in _CLAUSE_ONLY]
    frames = [_frame(text, m, rules, clause_breaks) for m in mentions]
    periods = _outside_bases(periods, [(f.opens, m.start) for f, m in zip(frames, mentions,
                                                                          strict=True)
                                       if f.opens is not None])
    place_names = [text[s:e] for s, e in places]
    named = set(place_names)
    no_object: dict[str, bool] = {}
    """Per text: whether a phrase is refused as an object (they repeat)."""
    period_ends = [p.end for p in periods]
    period_fields: list[PeriodFields] = [(p.text, _iso(p.first), _iso(p.last))
                                         for p in periods]
    lead_fields = ((lead_period.text, _iso(lead_period.first), _iso(lead_period.last))
                   if lead_period else None)
    place_ends = [e for _, e in places]
    surfaces = {m.surface for m in mentions}
    rows: list[list[Any]] = []
    sentence_of: list[tuple[int, int]] = []
    last: Found | None = None
    full_stop = len(text)
    for m, k, f in zip(mentions, para_of, frames, strict=True):
        para_lo = paras[k][0]
        j = bisect_right(period_ends, m.start) - 1
        if j >= 0 and periods[j].start >= para_lo:
            period = period_fields[j]
        elif lead_fields is not None and lead_period is not None and lead_period.end <= m.start:
            period = lead_fields
        else:
            period = _NO_PERIOD
        j = bisect_right(place_ends, m.start) - 1
        if j >= 0 and places[j][0] >= para_lo:
            place: str | None = place_names[j]
        elif lead_place is not None and lead_place[1] <= m.start:
            place = text[lead_place[0]:lead_place[1]]
        else:
            place = None
        j = bisect_right(breaks, m.start)
        sentence_of.append((breaks[j - 1] + 1 if j else 0,
                            breaks[j] if j < len(breaks) else full_stop))
        obj = m.object
        if f.part_of is not None:  # 土地流转面积占承包地面积的三成: the part
            obj = noun_before(text, f.part_of, rules.objects)
        elif obj and f.opens is not None and obj in text[f.opens:m.start]:
            obj = noun_before(text, f.opens, rules.objects)  # 增速比上半年加快0.4个百分点
        if obj:
            refused = no_object.get(obj)
            if refused is None:
                # 车程由两个多小时缩短至50分钟: another figure is no object, nor a time
                # word or a place name
                refused = no_object[obj] = (
                    _bad_object(obj, rules) or obj in surfaces or obj in named
                    or rules.periods.fullmatch(obj) is not None)
            if refused:
                obj = None
        if obj is None and f.measure == "level":
            obj = _noun_after_verbs(text, m.end, rules) or _between(text, last, m, rules)
        rows.append([m.start, m.end, m.surface, m.value, m.lower, m.upper, m.approx,
                     m.qualifier, m.unit, m.dimension, obj, m.rule, f.measure, f.direction,
                     f.basis, *period, place,
                     m.value if m.value is not None else _estimate(m)])
        last = m
    carry(text, rows, sentence_of, rules, places)
    return rows


def _outside(mentions: list[Found], para_of: list[int],
             windows: list[Period]) -> tuple[list[Found], list[int]]:
    """The mentions (and their paragraphs) that no time window overlaps."""
    ends = [p.end for p in windows]
    keep_m, keep_p = [], []
    for m, k in zip(mentions, para_of, strict=True):
        j = bisect_right(ends, m.start)  # the first window that ends after m starts
        if j < len(windows) and windows[j].start < m.end:
            continue
        keep_m.append(m)
        keep_p.append(k)
    return keep_m, keep_p


def _outside_bases(periods: list[Period], bases: list[tuple[int, int]]) -> list[Period]:
    """The periods that stand in no figure's basis (比2012年国庆节假期增长0.7%: that
    holiday is what the figure is compared with, not its period); ``bases``: where each
    basis phrase opens and its figure starts."""
    if not bases:
        return periods
    merged: list[list[int]] = []
    for a, b in sorted(bases):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    opens = [a for a, _ in merged]
    out = []
    for p in periods:
        j = bisect_right(opens, p.start) - 1
        if j < 0 or p.start >= merged[j][1]:
            out.append(p)
    return out


def _between(text: str, prev: Found | None, m: Found, rules: StatRules) -> str | None:
    """The words between a figure and the one before it in its clause, when they are a
    noun (10亿元以上项目136个 → 项目; 医院87家、社区卫生服务中心（站）123个)."""
    if prev is None or m.start - prev.end > MAX_BETWEEN:
        return None
    words = text[prev.end:m.start].lstrip("、")
    if (len(words) < 2 or CLAUSE_BREAK.search(words) or _bad_object(words, rules)
            or any(stop_at(words, j, rules.objects.stops) for j in range(len(words)))):
        return None
    return words


def _estimate(m: Found) -> float | None:
    if m.value is not None:
        return m.value
    if m.lower is not None and m.upper is not None:
        return (m.lower + m.upper) / 2
    return None


