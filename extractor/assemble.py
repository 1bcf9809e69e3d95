"""One article and its mentions → its row in ``articles`` and its rows in ``indicators``."""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter, itemgetter
from typing import Any

from extractor.mention import APPROX_FLAGS, DIMENSIONS, FIELDS, Mention
from extractor.metadata import ArticleMeta

SENTENCE_BREAKS = "。！？!?；;…\n"
CLAUSE_BREAKS = SENTENCE_BREAKS + "，,：:"
_BREAKS = re.compile(f"[{CLAUSE_BREAKS}]")
_CLAUSE_ONLY = frozenset(CLAUSE_BREAKS) - frozenset(SENTENCE_BREAKS)
_CLOSERS = frozenset("”’」』）)】》\"'")
"""Closing quotes and brackets that stay with the sentence they end."""
CONTEXT_CHARS = 1000
"""A longer sentence or clause is cut to this many characters around the mention (with …),
so that the indicators table stays linear in the text (a run of numbers with no break)."""

_FLOATS = ("value", "lower", "upper", "estimate")
_DATES = ("period_start", "period_end")
_COLUMNS = (*(f for f in FIELDS if f != "rule"), "sentence", "clause", "rule")
"""The indicators columns after ``article_id`` and ``mention_index``, in order."""
_row = attrgetter(*FIELDS)
"""A Mention as a row of its fields, in order."""
_span = itemgetter(FIELDS.index("start"), FIELDS.index("end"))
_START, _END, _SURFACE, _APPROX, _DIMENSION, _RULE = map(FIELDS.index, (
    "start", "end", "surface", "approx", "dimension", "rule"))


def article_id(text: str) -> str:
    """Stable id of an article: the first 16 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ArticleRows:
    """An article's row for ``articles`` and its rows for ``indicators``, as columns
    (column name → one value per mention, in mention order)."""

    article: dict[str, Any]
    indicators: dict[str, list[Any]]

    @property
    def article_id(self) -> str:
        """The article's id."""
        return self.article["article_id"]

    @property
    def source(self) -> str:
        """Where the article came from."""
        return self.article["source"]

    @property
    def n_mentions(self) -> int:
        """The number of its indicator rows."""
        return self.article["n_mentions"]


class InvalidMention(ValueError):
    """The engine returned a mention that breaks the contract (offsets or flags)."""


class _Segmenter:
    """Finds the sentence or clause around each span, ignoring breaks inside the span."""

    def __init__(self, text: str, positions: list[int], keep_break: bool) -> None:
        self.text = text
        self.positions = positions
        self.keep_break = keep_break

    def around(self, spans: Sequence[tuple[int, int]]) -> list[str]:
        """The segment around each (start, end); segments of one (break, break) pair are
        found and made once: mentions of one sentence share the string."""
        positions, found = self.positions, {}
        out = []
        for start, end in spans:
            key = bisect_left(positions, start), bisect_left(positions, end)
            if (got := found.get(key)) is None:
                got = found[key] = self._bounds(*key)
            left, right, segment = got
            if segment is None or left > start:  # a long one, or closers into the span
                segment = self._cut(min(left, start), right, start, end)
            out.append(segment)
        return out

    def _bounds(self, i: int, j: int) -> tuple[int, int, str | None]:
        """The segment between the breaks before break ``i`` and at break ``j``: its
        bounds, and its string unless it is longer than CONTEXT_CHARS."""
        text, positions = self.text, self.positions
        left = positions[i - 1] + 1 if i else 0
        while left < len(text) and text[left] in _CLOSERS:
            left += 1
        if j == len(positions):
            right = len(text)
        else:
            right = positions[j]
            if self.keep_break and text[right] != "\n":
                right += 1
                while right < len(text) and text[right] in _CLOSERS:
                    right += 1
        return left, right, text[left:right].strip() if right - left <= CONTEXT_CHARS else None

    def _cut(self, left: int, right: int, start: int, end: int) -> str:
        """The segment [left, right) around [start, end): whole when short, else cut to
        CONTEXT_CHARS around the span, with … where cut."""
        text = self.text
        if right - left <= CONTEXT_CHARS:
            return text[left:right].strip()
        room = max(0, CONTEXT_CHARS - (end - start))
        lo = max(left, start - room // 2)
        hi = min(right, end + room - (start - lo))
        lo = max(left, start - (room - (hi - end)))
        return ("…" if lo > left else "") + text[lo:hi].strip() + ("…" if hi < right else "")


def assemble(
    source: str,
    text: str,
    encoding: str,
    meta: ArticleMeta,
    extra: Mapping[str, Any],
    mentions: Sequence[Mention] | Sequence[Sequence[Any]],
) -> ArticleRows:
    """The rows of one article: ``mentions`` are Mentions or rows of a Mention's fields in
    order (``Extractor.table``), ordered here by position. Raises InvalidMention."""
    aid = article_id(text)
    rows = [_row(m) if isinstance(m, Mention) else m for m in mentions]
    ordered = sorted(rows, key=_span)
    for row in ordered:
        _check(text, row)
    n = len(ordered)
    columns = (dict(zip(FIELDS, map(list, zip(*ordered, strict=True)), strict=True)) if n
               else {name: [] for name in FIELDS})
    for name in _FLOATS:
        columns[name] = [None if x is None else float(x) for x in columns[name]]
    for name in _DATES:
        columns[name] = [date.fromisoformat(x) if isinstance(x, str) else x
                         for x in columns[name]]
    columns["sentence"], columns["clause"] = _segments(
        text, list(zip(columns["start"], columns["end"], strict=True)))
    indicators = {"article_id": [aid] * n, "mention_index": list(range(n)),
                  **{name: columns[name] for name in _COLUMNS}}
    article = {
        "article_id": aid,
        "source": source,
        "id": _own_id(extra.get("id")),
        "title": meta.title,
        "subtitle": meta.subtitle,
        "published": meta.published,
        "author": meta.author,
        "outlet": meta.outlet,
        "encoding": encoding,
        "metadata": json.dumps(dict(extra), ensure_ascii=False, sort_keys=True, default=str)
        if extra else None,
        "n_chars": len(text),
        "n_mentions": n,
        "text": text,
    }
    return ArticleRows(article, indicators)


def _segments(text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
    """The sentence and the clause around each span."""
    if not spans:
        return [], []
    clause_breaks = [m.start() for m in _BREAKS.finditer(text)]
    sentence_breaks = [p for p in clause_breaks if text[p] not in _CLAUSE_ONLY]
    return (_Segmenter(text, sentence_breaks, keep_break=True).around(spans),
            _Segmenter(text, clause_breaks, keep_break=False).around(spans))


def _own_id(value: Any) -> str | None:
    """The input's ``id`` field as a string (a JSON number as written), or None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _check(text: str, row: Sequence[Any]) -> None:
    start, end, surface = row[_START], row[_END], row[_SURFACE]
    if not (0 <= start < end <= len(text)) or text[start:end] != surface:
        raise InvalidMention(f"mention {surface!r} at [{start}, {end}) does not match "
                             f"the text there ({text[start:end]!r}); rule {row[_RULE]}")
    if row[_APPROX] not in APPROX_FLAGS:
        raise InvalidMention(f"mention {surface!r}: approx {row[_APPROX]!r} is not one of "
                             f"{', '.join(APPROX_FLAGS)}")
    if row[_DIMENSION] not in DIMENSIONS:
        raise InvalidMention(f"mention {surface!r}: dimension {row[_DIMENSION]!r} is not one "
                             f"of {', '.join(DIMENSIONS)}")
