"""Places: the area a figure is about (rules/places.toml, MENTIONS.md §5)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import regex

CLAUSE_BREAKS = "，,。！？!?；;：:\n、“”\"（）()《》 　\t"
_BREAK_BEFORE = regex.compile("[" + regex.escape(CLAUSE_BREAKS) + "]", regex.REVERSE)
"""Searched backwards: the last clause break before a position."""


@dataclass(frozen=True)
class PlaceRules:
    """rules/places.toml, compiled."""

    words: re.Pattern[str]
    """Whole-area words (全市, 我市), longest first: a place wherever they stand, but
    after a basis word (``basis_before``); a name holding one is not a name
    (增速高于全省)."""
    name: regex.Pattern[str]
    """A named place (武陟县, 宜昌高新区), matched where a clause opens."""
    opener: regex.Pattern[str]
    """The ``before`` words a clause may open with, before its place."""
    suffix_end: re.Pattern[str]
    """Where a name can end (the cheap anchor): the last character of a suffix, before
    a character that can follow a name (a clause break, the first of an ``after``
    word, a digit) or the end."""
    reach: int
    """How far before its suffix a named place's clause can open."""
    not_areas: tuple[str, ...]
    basis_before: tuple[str, ...]


def compile_places(raw: dict[str, Any], stops: list[str]) -> PlaceRules:
    """Compile rules/places.toml; ``stops`` (rules/objects.toml) may follow a place too."""
    names = raw["names"]
    after = sorted(set(names["after"]) | set(stops), key=len, reverse=True)
    breaks = regex.escape(CLAUSE_BREAKS)
    ends = re.escape("".join(sorted({x[-1] for x in names["suffixes"]})))
    follow = re.escape("".join(sorted(set(CLAUSE_BREAKS) | {w[0] for w in after})))
    return PlaceRules(
        words=re.compile("|".join(re.escape(w) for w in sorted(
            raw["words"]["list"], key=len, reverse=True))),
        name=regex.compile(
            rf"[^{breaks}\d]{{1,{names['max_name']}}}?(?:\L<suffixes>)"
            rf"(?=[\d{breaks}]|\L<after>|$)",
            suffixes=names["suffixes"], after=after),
        opener=regex.compile(r"(?:\L<before>)*", before=names["before"]),
        suffix_end=re.compile(rf"[{ends}](?=[{follow}]|\d|\Z)"),
        reach=names["max_name"] + max(map(len, names["suffixes"]))
        + 2 * max(map(len, names["before"])),
        not_areas=tuple(names["not_areas"]),
        basis_before=tuple(names["basis_before"]),
    )


def find_places(text: str, rules: PlaceRules, start: int, end: int) -> list[tuple[int, int]]:
    """The places of ``text[start:end]`` as (start, end), in text order."""
    found: dict[int, int] = {}
    words, basis = rules.words, rules.basis_before
    m = words.search(text, start, end)
    while m is not None:
        s = m.start()
        if text.endswith(basis, 0, s):  # 高于全省: the basis, not the place
            m = words.search(text, s + 1, end)
        else:
            found[s] = m.end()
            m = words.search(text, m.end(), end)
    tried: set[int] = set()
    for suffix in rules.suffix_end.finditer(text, start, end):
        lo = max(start, suffix.start() - rules.reach)
        brk = _BREAK_BEFORE.search(text, lo, suffix.start())
        if brk is None and lo > start:
            continue  # no clause opens near enough before this suffix
        opens = brk.end() if brk else start
        if opens in tried:
            continue
        tried.add(opens)
        m = rules.name.match(text, rules.opener.match(text, opens, end).end(), end)
        if (m and m.start() not in found and not m.group().endswith(rules.not_areas)
                and not m.group().startswith(rules.basis_before)
                and not rules.words.search(m.group())):
            found[m.start()] = m.end()
    return sorted(found.items())
