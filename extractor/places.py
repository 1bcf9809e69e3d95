"""Places: the area a figure is about (rules/places.toml, MENTIONS.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex

CLAUSE_BREAKS = "，,。！？!?；;：:\n、“”\"（）()《》 　\t"


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
    """Where a clause opens: after a break, then any of the ``before`` words."""
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
        opener=regex.compile(rf"(?:^|(?<=[{breaks}]))(?:\L<before>)*", regex.MULTILINE,
                             before=names["before"]),
        not_areas=tuple(names["not_areas"]),
        basis_before=tuple(names["basis_before"]),
    )


def find_places(text: str, rules: PlaceRules, start: int, end: int) -> list[tuple[int, int]]:
    """The places of ``text[start:end]`` as (start, end), in text order."""
    found: dict[int, int] = {}
    for m in rules.words.finditer(text, start, end):
        found[m.start()] = m.end()
    for op in rules.opener.finditer(text, start, end):
        m = rules.name.match(text, op.end(), end)
        if (m and m.start() not in found and not m.group().endswith(rules.not_areas)
                and not m.group().startswith(rules.basis_before)
                and not rules.any_word.search(m.group())):
            found[m.start()] = m.end()
    return sorted(found.items())
