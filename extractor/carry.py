"""The object and basis carried through a sentence (MENTIONS.md §5 "How to decide"):
the subject through the clauses of its sentence, ``分别`` and ``其中`` lists item by
item, a figure listed after a change, and a stated basis through the changes after it.
Works in place on the rows ``statistics.annotate`` builds (a Mention's fields, in order).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractor.statistics import StatRules

CLAUSE_BREAK_CHARS = "，,。！？!?；;：:\n"
CLAUSE_BREAK = re.compile("[" + re.escape(CLAUSE_BREAK_CHARS) + "]")
"""Character sets: the standard engine finds them about twice as fast as ``regex``."""
REACH = 80
"""How far back in its sentence a mention looks for 分别, 其中 or a stated basis."""
LIST = 20
"""The most figures a 分别 or 其中 list is taken to hold."""
RATES = frozenset({"percent", "percentage_point", "multiple"})
START, END, OBJECT, UNIT, DIMENSION = 0, 1, 10, 8, 9
MEASURE, DIRECTION, BASIS, PLACE = 12, 13, 14, 18
"""Where the fields of a Mention stand in the rows ``annotate`` builds (its order)."""


def carry(text: str, rows: list[list[Any]], sents: list[tuple[int, int]],
          rules: StatRules, places: list[tuple[int, int]]) -> None:
    """The subject through the clauses of its sentence, 分别 and 其中 lists, and a
    stated basis through the changes after it (§5 "How to decide"), in place on the
    rows of ``annotate``. Each looks back at most ``REACH`` characters, so a sentence of
    a thousand figures stays linear; 分别 and 其中 are found once in the whole text."""
    place_at = {e: s for s, e in places}
    marks = sorted(i for w in (*rules.respectively, *rules.of_which)
                   for i in _occurrences(text, w))
    own = [row[OBJECT] for row in rows]  # 分别 reads the objects before carrying
    for i, row in enumerate(rows):
        start = row[START]
        lo, _ = sents[i]
        near = max(lo, start - REACH)
        prev = rows[i - 1] if i and sents[i - 1] == sents[i] else None
        if bisect_left(marks, near) < bisect_left(marks, start):  # a 分别 or 其中 before
            head = text[near:start]
            listed = _respectively(text, rows, own, sents, i, rules)
            if listed is not None:
                row[OBJECT] = listed
            elif (of := _of_which(head, rules)) is not None:
                place = place_at.get(start)
                if place is not None and place >= near + of:
                    earlier = rows[max(0, i - LIST):i][::-1]  # not reversed(): mypyc fails on it
                    head_object = next((x[OBJECT] for x in earlier
                                        if lo <= x[START] < near + of and x[OBJECT]), None)
                    if head_object:
                        row[OBJECT], row[PLACE] = head_object, text[place:start]
        if prev is not None:
            if (row[MEASURE] == "level" and prev[MEASURE] != "level"
                    and text[prev[END]:start] in rules.list_words):
                # 分别增长18.6%和22.4%: a figure listed after a change is one too
                row[MEASURE], row[DIRECTION], row[BASIS] = (prev[MEASURE], prev[DIRECTION],
                                                            prev[BASIS])
            if row[OBJECT] is None and prev[OBJECT] and (
                    row[MEASURE] in ("change", "share") or row[UNIT] == prev[UNIT]
                    or row[DIMENSION] in RATES
                    or not CLAUSE_BREAK.search(text, prev[END], start)):
                row[OBJECT] = prev[OBJECT]
        if row[MEASURE] == "change" and row[BASIS] is None:
            stated = None
            for b in rules.sentence_basis.finditer(text, near, start):
                stated = b["basis"]
            if stated is None and prev is not None and prev[MEASURE] == "change":
                stated = prev[BASIS]
            row[BASIS] = stated


def _occurrences(text: str, word: str) -> list[int]:
    """Where ``word`` starts in ``text``, every time."""
    out, i = [], text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out


def _of_which(head: str, rules: StatRules) -> int | None:
    """Where the last 其中 of ``head`` ends, if any."""
    return max((head.rfind(w) + len(w) for w in rules.of_which if w in head), default=None)


def _respectively(text: str, ms: list[list[Any]], objects: list[str | None],
                  sents: list[tuple[int, int]], i: int, rules: StatRules) -> str | None:
    """The item of a 分别 list that row ``i`` of ``ms`` stands for, if it is in one
    (``objects``: the rows' own objects, before any carried)."""
    start = ms[i][START]
    near = max(sents[i][0], start - REACH)
    head = text[near:start]
    at = max((head.rfind(w) for w in rules.respectively if w in head), default=-1)
    if at < 0:
        return None
    word_at = near + at
    first_k = i
    while first_k > 0 and i - first_k < LIST and sents[first_k - 1] == sents[i] \
            and ms[first_k - 1][START] > word_at:
        first_k -= 1
    last_k = i
    while (last_k + 1 < len(ms) and last_k - first_k < LIST
           and sents[last_k + 1] == sents[i]
           and not CLAUSE_BREAK.search(text, ms[last_k][END], ms[last_k + 1][START])):
        last_k += 1  # the list's figures: one clause (13.4%、10.2%和6.7%)
    figures = last_k - first_k + 1
    clause = text[max(sents[i][0], word_at - REACH):word_at]
    cut = max(clause.rfind(c) for c in CLAUSE_BREAK_CHARS)
    items = [x for x in rules.list_split.split(clause[cut + 1:]) if x]
    if len(items) != figures:
        # 医师1.46万名、护士1.72万名，分别增长…: the figures before name the items
        before = objects[first_k - figures:first_k] if first_k >= figures else []
        if (figures >= 2 and before and all(before)
                and sents[first_k - figures] == sents[i]):
            return before[i - first_k]
        return None
    first = items[0]
    while cut := _place_or_time_end(first, rules):
        first = first[cut:]  # 全市猪 → 猪
    items[0] = first or items[0]
    last = items[-1]
    for tail in rules.shared_tails:
        if last.endswith(tail) and len(last) > len(tail):
            items[-1] = last[:-len(tail)]
            break
    return items[i - first_k]


def _place_or_time_end(phrase: str, rules: StatRules) -> int:
    """Where a place word or time expression that opens ``phrase`` ends (0: none)."""
    if (word := rules.places.words.match(phrase)) is not None:
        return word.end()
    time = rules.periods.match(phrase, 0)
    return time.end if time is not None else 0
