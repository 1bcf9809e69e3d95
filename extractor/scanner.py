"""The scan of a text: every mention and every exclusion, leftmost first.

Phase one finds the runs of characters a mention can start with (digits,
Chinese numerals, the first characters of the other forms) with one small
pattern. Phase two reads a mention at each run with the grammar (and at a
pre-qualifier or sign just before it), and tries the exclusions that open on
a numeral there. Exclusions that open otherwise are searched over the text.
All are merged as one alternation would take them: the leftmost wins, at one
start an exclusion wins over a mention (and an earlier exclusion over a later
one), and the scan goes on after the winner.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections.abc import Iterator

import regex

from extractor.exclusions import Exclusions
from extractor.grammar import DIGITS, Grammar, Match
from extractor.lexicon import Lexicon, fold

SPACES = regex.compile(r"(?<=\p{Han}) ++(?=[\p{Han}0-9])|(?<=[0-9%]) ++(?=\p{Han})"
                       r"|(?<=[0-9]\.) (?=[0-9])|(?<=[0-9]) ++(?=%)")
"""Spaces a PDF or table paste leaves inside a figure: 1000 万, 百分之 2, 59. 4亿元,
11.1 % (％ is folded to % before)."""
MENTION_RANK = 1 << 30
"""Mentions rank after every exclusion at the same start."""


class Hit:
    """One winner of the scan: an exclusion (``name``) or a mention (``match``).

    ``start``/``end`` are offsets in the text; ``match`` offsets are in the
    scanned (folded, squeezed) text, where the hit spans ``scanned``; ``surface`` is
    the scanned text of the hit (folded). A plain class: compiled, its constructor is
    native, where a dataclass's is interpreted.
    """

    __slots__ = ("end", "match", "name", "scanned", "start", "surface")

    def __init__(self, start: int, end: int, name: str | None, match: Match | None,
                 surface: str, scanned: tuple[int, int]) -> None:
        self.start = start
        self.end = end
        self.name = name
        self.match = match
        self.surface = surface
        self.scanned = scanned


def squeeze(folded: str) -> tuple[str, list[int], list[int]]:
    """Drop the spaces next to Chinese characters (1000 万, 百分之 2, 三千 九百: text
    pasted from PDFs and tables). Returns the squeezed text and where it was cut: an
    offset ``x`` of it at or after ``cuts[k]`` (the last such) is ``x + shifts[k]`` in
    ``folded``."""
    if " " not in folded:
        return folded, [], []
    parts: list[str] = []
    cuts: list[int] = []
    shifts: list[int] = []
    pos = shift = 0
    for m in SPACES.finditer(folded):
        a, b = m.span()
        parts.append(folded[pos:a])
        shift += b - a
        cuts.append(b - shift)
        shifts.append(shift)
        pos = b
    if not cuts:
        return folded, [], []
    parts.append(folded[pos:])
    return "".join(parts), cuts, shifts


def unsqueeze(x: int, cuts: list[int], shifts: list[int]) -> int:
    """The offset in the folded text of offset ``x`` of the squeezed one."""
    k = bisect_right(cuts, x)
    return x + shifts[k - 1] if k else x


class Scanner:
    """The compiled two-phase scan of one rule set."""

    def __init__(self, lex: Lexicon, grammar: Grammar, exclusions: Exclusions) -> None:
        self.lex = lex
        self.grammar = grammar
        self.exclusions = exclusions
        starters = frozenset().union(*(first for _, first in grammar.forms))
        singles = sorted(c for c in starters)
        self.runs = re.compile("[" + "".join(re.escape(c) for c in singles) + "]+")
        self.run_chars = DIGITS | lex.cn_num
        pre_last = {w[-1] for w in lex.pre_q.words}
        sign_last = {w[-1] for w in lex.negative.words}
        self.lead_last = frozenset(pre_last | sign_last)

    def _lead_starts(self, t: str, p: int, pos: int) -> list[int]:
        """Starts before ``p`` of a pre-qualifier and/or sign that ends at ``p``."""
        lex = self.lex
        starts: set[int] = set()
        for sign in lex.negative.ending_at(t, p, pos):
            q = p - len(sign)
            starts.add(q)
            starts.update(q - len(w) for w in lex.pre_q.ending_at(t, q, pos))
        starts.update(p - len(w) for w in lex.pre_q.ending_at(t, p, pos))
        return sorted(s for s in starts if s >= pos)

    def _candidate(self, t: str, runs: list[tuple[int, int]], cursor: list[int],
                   pos: int) -> tuple[int, int, str | None, Match | None, int] | None:
        """The leftmost mention or numeral-run exclusion starting at or after ``pos``:
        (start, end, exclusion name or None, match, rank)."""
        grammar, exclusions, run_chars = self.grammar, self.exclusions, self.run_chars
        lead_last, by_lead = self.lead_last, exclusions.by_lead
        k = cursor[0]
        while k < len(runs):
            a, b = runs[k]
            if b <= pos:
                k += 1
                continue
            cursor[0] = k
            p = max(a, pos)
            while p < b:
                c = t[p]
                inside = p > a and c in DIGITS and t[p - 1] in DIGITS
                if not inside:  # no mention opens inside a run of digits
                    for s in self._lead_starts(t, p, pos) if t[p - 1:p] in lead_last else ():
                        m = grammar.match(t, s)
                        if m is not None:
                            return s, m.end, None, m, MENTION_RANK
                    if p > pos and t[p - 1:p] in by_lead:
                        x = exclusions.before(t, p)
                        if x is not None:
                            return p - 1, x[2], x[1], None, x[0]
                if c in run_chars:
                    x = exclusions.at(t, p)
                    if x is not None:
                        return p, x[2], x[1], None, x[0]
                if inside:
                    p += 1
                    continue
                m = grammar.match(t, p)
                if m is not None:
                    return p, m.end, None, m, MENTION_RANK
                p += 1
            k += 1
        cursor[0] = k
        return None

    def scan(self, text: str) -> Iterator[Hit]:
        """Every winner of the scan over ``text``, in text order."""
        t, cuts, shifts = squeeze(fold(text))
        runs = [m.span() for m in self.runs.finditer(t)]
        heap: list[tuple[int, int, int, str, object]] = []
        for rank, name, pattern in self.exclusions.searched:
            m = pattern.search(t)
            if m is not None:
                heap.append((m.start(), rank, m.end(), name, pattern))
        heapq.heapify(heap)
        cursor = [0]
        pos = 0
        cand = None
        while True:
            if cand is None or cand[0] < pos:
                cand = self._candidate(t, runs, cursor, pos)
            while heap and (heap[0][0] < pos or heap[0][2] == heap[0][0]):
                start, rank, end, name, pattern = heap[0]
                m = pattern.search(t, max(pos, start + 1) if end == start else pos)  # type: ignore[attr-defined]
                if m is None:
                    heapq.heappop(heap)
                else:
                    heapq.heapreplace(heap, (m.start(), rank, m.end(), name, pattern))
            if heap and (cand is None or (heap[0][0], heap[0][1]) < (cand[0], cand[4])):
                start, rank, end, name, pattern = heap[0]
                yield self._hit(t, cuts, shifts, start, end, name, None)
                pos = end
                continue
            if cand is None:
                return
            start, end, excluded, match, _ = cand
            yield self._hit(t, cuts, shifts, start, end, excluded, match)
            pos = end

    @staticmethod
    def _hit(t: str, cuts: list[int], shifts: list[int], start: int, end: int,
             name: str | None, match: Match | None) -> Hit:
        if cuts:
            a, b = unsqueeze(start, cuts, shifts), unsqueeze(end - 1, cuts, shifts) + 1
        else:
            a, b = start, end
        return Hit(a, b, name, match, t[start:end], (start, end))
