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

    words: regex.Pattern[str]
    """Whole-area words (全市, 我市): a place wherever they stand, but after a basis word."""
    any_word: regex.Pattern[str]
    """The same words anywhere (a name holding one is not a name: 增速高于全省)."""
    name: regex.Pattern[str]
    """A named place (武陟县, 宜昌高新区), matched where a clause opens."""
    opener: regex.Pattern[str]
    """The ``before`` words a clause may open with, before its place."""
    suffix_end: re.Pattern[str]
    """The last characters of the suffixes: where a name can end (the cheap anchor)."""
    may_follow: frozenset[str]
    """The characters that can stand right after a name (a clause break, the first of an
    ``after`` word; or a digit, or the end): a suffix before any other ends no name."""
    reach: int
    """How far before its suffix a named place's clause can open."""
    not_areas: tuple[str, ...]
    basis_before: tuple[str, ...]


def compile_places(raw: dict[str, Any], stops: list[str]) -> PlaceRules:
    """Compile rules/places.toml; ``stops`` (rules/objects.toml) may follow a place too."""
    names = raw["names"]
    after = sorted(set(names["after"]) | set(stops), key=len, reverse=True)
    breaks = regex.escape(CLAUSE_BREAKS)
    not_basis = "|".join(regex.escape(w) for w in names["basis_before"])
    return PlaceRules(
        words=regex.compile(rf"(?<!{not_basis})\L<words>", words=raw["words"]["list"]),
        any_word=regex.compile(r"\L<words>", words=raw["words"]["list"]),
        name=regex.compile(
            rf"[^{breaks}\d]{{1,{names['max_name']}}}?(?:\L<suffixes>)"
            rf"(?=[\d{breaks}]|\L<after>|$)",
            suffixes=names["suffixes"], after=after),
        opener=regex.compile(r"(?:\L<before>)*", before=names["before"]),
        suffix_end=re.compile(
            "[" + regex.escape("".join({x[-1] for x in names["suffixes"]})) + "]"),
        may_follow=frozenset(CLAUSE_BREAKS) | {w[0] for w in after},
        reach=names["max_name"] + max(map(len, names["suffixes"]))
        + 2 * max(map(len, names["before"])),
        not_areas=tuple(names["not_areas"]),
        basis_before=tuple(names["basis_before"]),
    )


def find_places(text: str, rules: PlaceRules, start: int, end: int) -> list[tuple[int, int]]:
    """The places of ``text[start:end]`` as (start, end), in text order."""
    found: dict[int, int] = {}
    for m in rules.words.finditer(text, start, end):
        found[m.start()] = m.end()
    tried: set[int] = set()
    may_follow = rules.may_follow
    for suffix in rules.suffix_end.finditer(text, start, end):
        if (e := suffix.end()) < end and not (text[e] in may_follow or text[e].isdecimal()):
            continue  # 市场, 社区内: no name ends here
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
                and not rules.any_word.search(m.group())):
            found[m.start()] = m.end()
    return sorted(found.items())
