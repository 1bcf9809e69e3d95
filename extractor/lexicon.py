"""The word lists of the rule files as lookup tables for the scanner.

Every list is folded (NFKC, length-preserving) like the text it is looked up
in. A ``Words`` answers "which word of the list starts here, longest first"
with one dict lookup on the first character and one set lookup per length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any


@cache
def fold_table() -> dict[int, str]:
    """NFKC for every BMP character whose NFKC form is one character.

    Folding through this table keeps string length, so offsets in the folded
    text are offsets in the original (full-width digits, ，％～ and so on).
    """
    table = {}
    for code in range(0x80, 0x10000):
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch and len(folded) == 1:
            table[code] = folded
    return table


@cache
def _folder() -> tuple[re.Pattern[str], dict[str, str]]:
    table = fold_table()
    chars = "".join(re.escape(chr(c)) for c in sorted(table))
    return re.compile(f"[{chars}]+"), {chr(k): v for k, v in table.items()}


def fold(text: str) -> str:
    """Length-preserving NFKC fold of ``text`` (only the runs that change are rebuilt)."""
    pattern, table = _folder()

    def run(m: re.Match[str]) -> str:
        got = m.group()
        return table[got] if len(got) == 1 else "".join(map(table.__getitem__, got))
    return pattern.sub(run, text)


@dataclass(frozen=True, slots=True)
class Words:
    """A word list for longest-first lookups at a position of a text."""

    words: frozenset[str]
    lengths: dict[str, tuple[int, ...]]
    """Word lengths by first character, longest first."""
    longest: int
    first: frozenset[str]
    """The characters a word can start with."""

    @classmethod
    def of(cls, words: Iterable[str]) -> Words:
        """The folded words as a lookup table."""
        folded = frozenset(fold(w) for w in words)
        by_first: dict[str, set[int]] = {}
        for w in folded:
            by_first.setdefault(w[0], set()).add(len(w))
        return cls(folded, {c: tuple(sorted(ns, reverse=True)) for c, ns in by_first.items()},
                   max(map(len, folded), default=0), frozenset(by_first))

    def at(self, text: str, i: int) -> str | None:
        """The longest word starting at ``text[i]``, or None."""
        lengths = self.lengths.get(text[i:i + 1])
        if lengths:
            for n in lengths:
                w = text[i:i + n]
                if w in self.words:
                    return w
        return None

    def all_at(self, text: str, i: int) -> list[str]:
        """Every word starting at ``text[i]``, longest first."""
        lengths = self.lengths.get(text[i:i + 1], ())
        return [w for n in lengths if (w := text[i:i + n]) in self.words]

    def ending_at(self, text: str, end: int, start_min: int) -> list[str]:
        """Every word ending at ``end`` and starting at or after ``start_min``."""
        return [w for n in range(min(self.longest, end - start_min), 0, -1)
                if (w := text[end - n:end]) in self.words]

    def __contains__(self, word: object) -> bool:
        return word in self.words


def chars(words: Iterable[str]) -> frozenset[str]:
    """A set of single characters (folded)."""
    return frozenset(fold(w) for w in words)


@dataclass(frozen=True)
class Lexicon:
    """Every word list the scanner looks up, from the parsed rule files."""

    units: Words
    unit_dimension: dict[str, str]
    arabic_only: frozenset[str]
    currencies: frozenset[str]
    subunit_of: frozenset[str]
    per_mark: Words
    per_unit: Words
    sub_tenth: frozenset[str]
    sub_hundredth: frozenset[str]
    mags: frozenset[str]
    cn_digit: frozenset[str]
    cn_digit_unit: frozenset[str]
    cn_place: frozenset[str]
    cn_big: frozenset[str]
    cn_num: frozenset[str]
    cn_point: frozenset[str]
    negative: Words
    mixed: str
    inclusive: Words
    frac: str
    double: Words
    double_suffix: str
    cheng: Words
    tenths_not_before: frozenset[str]
    pre_q: Words
    mid_q: Words
    post_q: Words
    post_tight: Words
    post_block: Words
    conn: Words
    few: Words
    vague_marker: Words
    vague_place: frozenset[str]
    vague_idioms: Words
    ratio_marks: Words
    halves_alone: Words
    halves_qualified: Words
    half_percent: float
    qualifier_meanings: dict[str, dict[str, str]]
    stepped: frozenset[str]
    vague_markers: dict[str, str]
    vague_idiom_bounds: dict[str, tuple[float, float]]
    context: dict[str, Any]
    cues: tuple[tuple[str, re.Pattern[str]], ...]
    """(dimension, pattern of its cue words) for a bare number's context, in order."""

    @classmethod
    def from_rules(cls, raw: dict[str, dict[str, Any]]) -> Lexicon:
        """Build from the parsed rule files (numerals, qualifiers, units)."""
        num, q, u = raw["numerals"], raw["qualifiers"], raw["units"]
        mags = num["magnitudes"]
        opts = u["options"]
        units = {fold(k): v for k, v in u["units"].items()}
        cn_mags = [k for k in mags if not k.isascii()]
        tight = q["post_options"]["tight"]
        return cls(
            units=Words.of(units), unit_dimension=units,
            arabic_only=chars(opts.get("arabic_only", [])),
            currencies=frozenset(k for k, v in units.items() if v == "currency"),
            subunit_of=chars(opts["subunit_of"]),
            per_mark=Words.of(opts.get("per_marks", [])),
            per_unit=Words.of(opts.get("per", [])),
            sub_tenth=chars(k for k, v in opts["subunits"].items() if v == 0.1),
            sub_hundredth=chars(k for k, v in opts["subunits"].items() if v == 0.01),
            mags=chars(mags),
            cn_digit=frozenset(num["digits"]),
            cn_digit_unit=frozenset(d for d in num["digits"] if d in u["units"]),
            cn_place=frozenset(list(num["places"]) + cn_mags),
            cn_big=frozenset(k for k in cn_mags if mags[k] >= 10000),
            cn_num=frozenset(list(num["digits"]) + list(num["places"]) + cn_mags),
            cn_point=frozenset(num["points"]["words"]),
            negative=Words.of(num["multipliers"]["negative"]),
            mixed=num["fractions"]["mixed"],
            inclusive=Words.of(q["post_options"]["inclusive"]),
            frac=num["fractions"]["connector"],
            double=Words.of(num["multipliers"]["doubling"]),
            double_suffix=num["multipliers"]["doubling_suffix"],
            cheng=Words.of(num["multipliers"]["percent_tenths"]),
            tenths_not_before=frozenset(num["multipliers"]["tenths_not_before"]),
            pre_q=Words.of(q["pre"]),
            mid_q=Words.of(q["mid"]),
            post_q=Words.of(set(q["post"]) - set(tight)),
            post_tight=Words.of(tight),
            post_block=Words.of(q["post_options"]["block"]),
            conn=Words.of(q["range"]["connectors"]),
            few=Words.of(q["vague"]["trailing"]),
            vague_marker=Words.of(q["vague"]["markers"]),
            vague_place=frozenset(cn_mags),
            vague_idioms=Words.of(q["vague"]["idioms"]),
            ratio_marks=Words.of(num["ratios"]["marks"]),
            halves_alone=Words.of(num["halves"]["alone"]),
            halves_qualified=Words.of(num["halves"]["qualified"]),
            half_percent=num["halves"]["percent"],
            qualifier_meanings={pos: {fold(k): v for k, v in q[pos].items()}
                                for pos in ("pre", "mid", "post")},
            stepped=frozenset(tight),
            vague_markers=dict(q["vague"]["markers"]),
            vague_idiom_bounds={fold(k): (v[0], v[1]) for k, v in q["vague"]["idioms"].items()},
            context=u["context"],
            cues=tuple((dim, re.compile("|".join(re.escape(w) for w in sorted(
                u["context"][dim], key=len, reverse=True)))) for dim in ("currency", "count")
                if u["context"][dim]),
        )

    def __hash__(self) -> int:
        return id(self)
