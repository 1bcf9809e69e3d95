"""The exclusions of ``rules/exclusions.toml``, compiled for the two-phase scan.

An exclusion can only start at a character of its *first set*, derived here
from the pattern itself (its parse tree). One that can only start on a numeral
(a digit, a Chinese numeral) is tried where the scan stands on a numeral run:
all of those are one alternation, in rule-file order, matched at that position.
The others (one that opens with 第, a Latin letter, a quote, a word) are
searched over the text, each on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import regex

ASCII_DIGITS = frozenset("0123456789")
SPACES = frozenset(" \t\n\r\f\v\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f"
                   "\u3000" + "".join(chr(c) for c in range(0x2000, 0x200B)))
ANY = None  # a first set that may be any character


def spell_lists(source: str, lists: Mapping[str, Iterable[str]]) -> str:
    r"""``\L<name>`` replaced by an alternation of its words, longest first (what the
    ``regex`` module's named lists match)."""
    for name, words in lists.items():
        alternation = "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
        source = source.replace(f"\\L<{name}>", f"(?:{alternation})")
    return source


def expand_lists(source: str, lists: Mapping[str, Iterable[str]]) -> str:
    r"""``spell_lists``, and each Unicode property (``\p{Han}``) replaced by a class wide
    enough to stand for any character, so that the stdlib parser reads the pattern (to
    read its first and last characters, not to match)."""
    return _PROPERTY.sub(r"[\\x01-\\uffff]", spell_lists(source, lists))


_GROUP_NAME = re.compile(r"\(\?P<\w+>")
_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Z]")


def first_set(source: str) -> frozenset[str] | None:
    """The characters a match of ``source`` can start with, or None when that may be
    any character (or the pattern is beyond what this reads)."""
    try:
        tree = sre_parse.parse(source)
    except (re.error, ValueError, TypeError, OverflowError):
        return ANY
    chars, nullable = _first(list(tree))
    return ANY if nullable else chars


def edge_sets(source: str) -> list[tuple[frozenset[str] | None, frozenset[str] | None]]:
    """For each top-level alternative of ``source``: (the characters a match can end
    with, or None for any; characters of which every match holds one, or None when
    none is known). A pattern tried backwards from a place (``regex.REVERSE``) can
    be passed over where neither holds; one beyond what this reads gives (None, None).
    Group names are dropped first (``regex`` allows one name twice, the parser not).
    """
    try:
        items = list(sre_parse.parse(_GROUP_NAME.sub("(?:", source)))
    except (re.error, ValueError, TypeError, OverflowError):
        return [(ANY, ANY)]
    branches = items[0][1][1] if len(items) == 1 and items[0][0] is sre.BRANCH else [items]
    out = []
    for branch in branches:
        last, nullable = _first(_reversed(list(branch)))
        out.append((ANY if nullable else last, _required(list(branch))))
    return out


def follow_set(source: str, run: frozenset[str]) -> frozenset[str] | None:
    """The characters that can stand right after the run of ``run`` characters a
    match of ``source`` opens with, or None when that is not known (the pattern
    may end inside the run, or go on with a run character).

    The pattern's leading parts that only take run characters are skipped; what
    follows must then start on a character outside the run.
    """
    try:
        items = list(sre_parse.parse(source))
    except (re.error, ValueError, TypeError, OverflowError):
        return ANY
    return _follow(items, run)


def lead_split(source: str, run: frozenset[str]
               ) -> tuple[frozenset[str], bool, frozenset[str], frozenset[str] | None] | None:
    """For a pattern that opens with one character outside ``run`` and then a run
    (``第3``, ``（15日``, ``“120”``): (the lead characters, whether the lead is
    optional, the run characters it can go on with, the follow set after the run);
    None for any other pattern."""
    try:
        items = [it for it in sre_parse.parse(source)]
    except (re.error, ValueError, TypeError, OverflowError):
        return None
    while items and items[0][0] in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        items = items[1:]
    if not items:
        return None
    op, arg = items[0]
    optional = False
    if op in (sre.MAX_REPEAT, sre.POSSESSIVE_REPEAT) and arg[1] == 1:
        optional = arg[0] == 0
        body = list(arg[2])
        if len(body) != 1:
            return None
        op, arg = body[0]
    lead = _one_character(op, arg)
    rest, nullable = _first(items[1:])
    if lead is ANY or not lead or lead & run or rest is ANY or nullable or not rest <= run:
        return None
    return lead, optional, rest, _follow(items[1:], run)


def _one_character(op: Any, arg: Any) -> frozenset[str] | None:
    """The characters of an element that takes exactly one character, else None."""
    if op is sre.LITERAL:
        return frozenset(chr(arg))
    if op is sre.IN:
        return _in(arg)
    if op is sre.SUBPATTERN and len(arg[-1]) == 1:
        return _one_character(*arg[-1][0])
    if op is sre.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            if len(branch) != 1:
                return ANY
            got = _one_character(*branch[0])
            if got is ANY:
                return ANY
            out |= got
        return frozenset(out)
    return ANY


def _follow(items: list[Any], run: frozenset[str]) -> frozenset[str] | None:
    k = 0
    while k < len(items):
        got, _ = _item(*items[k])
        if got is ANY or not got <= run:
            break
        k += 1
    if k == 0:
        return ANY
    rest, nullable = _first(items[k:])
    if rest is ANY or nullable or rest & run:
        return ANY
    return rest


def _first(items: list[Any]) -> tuple[frozenset[str] | None, bool]:
    """(first set, can the sequence match empty) of a parsed sequence."""
    out: set[str] = set()
    for op, arg in items:
        got, nullable = _item(op, arg)
        if got is ANY:
            return ANY, False
        out |= got
        if not nullable:
            return frozenset(out), False
    return frozenset(out), True


def _item(op: Any, arg: Any) -> tuple[frozenset[str] | None, bool]:
    if op is sre.LITERAL:
        return frozenset(chr(arg)), False
    if op is sre.IN:
        return _in(arg), False
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return frozenset(), True  # zero-width
    if op is sre.SUBPATTERN:
        return _first(list(arg[-1]))
    if op is sre.ATOMIC_GROUP:
        return _first(list(arg))
    if op is sre.BRANCH:
        out: set[str] = set()
        nullable = False
        for branch in arg[1]:
            got, empty = _first(list(branch))
            if got is ANY:
                return ANY, False
            out |= got
            nullable |= empty
        return frozenset(out), nullable
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _, body = arg
        got, empty = _first(list(body))
        return got, empty or low == 0
    return ANY, False  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...


def _reversed(items: list[Any]) -> list[Any]:
    """A parsed sequence read backwards (its nested sequences too), for ``_first``."""
    out = []
    for op, arg in items[::-1]:  # not reversed(): mypyc fails on it over a list of Any
        if op is sre.SUBPATTERN:
            arg = (*arg[:-1], _reversed(list(arg[-1])))
        elif op is sre.ATOMIC_GROUP:
            arg = _reversed(list(arg))
        elif op is sre.BRANCH:
            arg = (arg[0], [_reversed(list(b)) for b in arg[1]])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            arg = (arg[0], arg[1], _reversed(list(arg[2])))
        out.append((op, arg))
    return out


def _required(items: list[Any]) -> frozenset[str] | None:
    """The smallest set found of characters of which every match of a parsed sequence
    holds one, or None."""
    best: frozenset[str] | None = None
    for op, arg in items:
        got = _required_item(op, arg)
        if got is not None and (best is None or len(got) < len(best)):
            best = got
    return best


def _required_item(op: Any, arg: Any) -> frozenset[str] | None:
    if op is sre.LITERAL:
        return frozenset(chr(arg))
    if op is sre.IN:
        return _in(arg) or None
    if op is sre.SUBPATTERN:
        return _required(list(arg[-1]))
    if op is sre.ATOMIC_GROUP:
        return _required(list(arg))
    if op is sre.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            got = _required(list(branch))
            if got is None:
                return None
            out |= got
        return frozenset(out)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and arg[0] >= 1:
        return _required(list(arg[2]))
    return None


def _in(items: list[Any]) -> frozenset[str] | None:
    out: set[str] = set()
    for op, arg in items:
        if op is sre.LITERAL:
            out.add(chr(arg))
        elif op is sre.RANGE:
            if arg[1] - arg[0] > 0x2000:
                return ANY
            out.update(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            out |= ASCII_DIGITS
        elif op is sre.CATEGORY and arg is sre.CATEGORY_SPACE:
            out |= SPACES
        else:
            return ANY  # NEGATE, other categories
    return frozenset(out)


RunEntry = tuple[int, str, Any, frozenset[str] | None]
"""(rank, name, compiled pattern, follow set) of an exclusion tried at numeral runs."""


@dataclass(frozen=True)
class Exclusions:
    """The compiled exclusions: tried at numeral runs, or searched."""

    by_first: dict[str, tuple[RunEntry, ...]]
    """Exclusions tried at a run, by the character they can start with, in rank order."""
    by_lead: dict[str, tuple[RunEntry, ...]]
    """Exclusions tried one character before a run (第3, （15日), by that character."""
    words: dict[tuple[str, str | None], tuple[str, ...]]
    """Exclusion words that open on a numeral, by (first character, the character
    after their numeral run, or None when the word is all numerals), longest first."""
    words_rank: int
    run_chars: frozenset[str]
    """The characters of a numeral run (digits, Chinese numerals)."""
    searched: tuple[tuple[int, str, Any], ...]
    """(rank, name, compiled pattern) of the exclusions searched over the text."""
    word_firsts: frozenset[str] = frozenset()
    tries: dict[tuple[str, str], tuple[tuple[int, str, Any, str], ...]] = field(
        default_factory=dict, repr=False, compare=False)
    """What to try at a run, by its first character and the one after it (memo)."""

    @classmethod
    def compile(cls, patterns: dict[str, str], words: list[str],
                lists: dict[str, list[str]], run_chars: frozenset[str]) -> Exclusions:
        """Split and compile; ``lists`` are the named lists a pattern may use."""
        by_first: dict[str, list[RunEntry]] = {}
        by_lead: dict[str, list[RunEntry]] = {}
        searched: list[tuple[int, str, Any]] = []
        for rank, (name, src) in enumerate(patterns.items()):
            used = {k: v for k, v in lists.items() if f"\\L<{k}>" in src}
            compiled = regex.compile(src, regex.V0, **used)
            expanded = expand_lists(src, lists)
            firsts = first_set(expanded)
            lead = lead_split(expanded, run_chars)
            if firsts is not ANY and firsts and firsts <= run_chars:
                entry = (rank, name, compiled, follow_set(expanded, run_chars))
                for c in firsts:
                    by_first.setdefault(c, []).append(entry)
            elif lead is not None:
                chars, optional, rest, follow = lead
                entry = (rank, name, compiled, follow)
                for c in chars:
                    by_lead.setdefault(c, []).append(entry)
                for c in rest if optional else ():
                    by_first.setdefault(c, []).append(entry)
            else:
                searched.append((rank, name, compiled))
        words_rank = len(patterns)
        by_word: dict[tuple[str, str | None], list[str]] = {}
        other_words = []
        for w in sorted(set(words), key=lambda w: (-len(w), w)):
            if w[0] not in run_chars:
                other_words.append(w)
                continue
            n = next((k for k, c in enumerate(w) if c not in run_chars), None)
            by_word.setdefault((w[0], None if n is None else w[n]), []).append(w)
        if other_words:  # one plain alternation: the stdlib engine searches it fast
            searched.append((words_rank, "words",
                             re.compile("|".join(re.escape(w) for w in other_words))))
        return cls({c: tuple(es) for c, es in by_first.items()},
                   {c: tuple(es) for c, es in by_lead.items()},
                   {k: tuple(ws) for k, ws in by_word.items()}, words_rank, run_chars,
                   tuple(searched), frozenset(c for c, _ in by_word))

    def before(self, text: str, i: int) -> tuple[int, str, int] | None:
        """(rank, name, end) of the first exclusion opening on the character before the
        run at ``i`` (in rank order)."""
        entries = self.by_lead.get(text[i - 1:i])
        if not entries:
            return None
        q = self._run_end(text, i)
        after = text[q:q + 1]
        for rank, name, pattern, follow in entries:
            if follow is not None and after not in follow:
                continue
            m = pattern.match(text, i - 1)
            if m is not None and m.end() > i - 1:
                return rank, name, m.end()
        return None

    def _run_end(self, text: str, i: int) -> int:
        """The end of the numeral run at ``i`` (a loop: cheaper than a pattern call for
        the few characters of a run)."""
        run, n = self.run_chars, len(text)
        while i < n and text[i] in run:
            i += 1
        return i

    def at(self, text: str, i: int) -> tuple[int, str, int] | None:
        """(rank, name, end) of the first exclusion (in rank order) matching at ``i``."""
        c = text[i]
        if c not in self.by_first and c not in self.word_firsts:
            return None
        q = self._run_end(text, i)
        after = text[q:q + 1]
        tries = self.tries.get((c, after))
        if tries is None:
            tries = self.tries[c, after] = self._tries(c, after)
        for rank, name, pattern, word in tries:
            if word:
                if text.startswith(word, i):
                    return rank, name, i + len(word)
                continue
            m = pattern.match(text, i)
            if m is not None and m.end() > i:
                return rank, name, m.end()
        return None

    def _tries(self, c: str, after: str) -> tuple[tuple[int, str, Any, str], ...]:
        """What can match at a run that opens with ``c`` and is followed by ``after``,
        in rank order (words longest first)."""
        out: list[tuple[int, str, Any, str]] = [
            (rank, name, pattern, "") for rank, name, pattern, follow in self.by_first.get(c, ())
            if follow is None or after in follow]
        words = sorted(self.words.get((c, after), ()) + self.words.get((c, None), ()),
                       key=len, reverse=True)
        out += [(self.words_rank, "words", None, w) for w in words]
        return tuple(out)
