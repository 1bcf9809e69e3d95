"""One article and its mentions → its row in ``articles`` and its rows in ``indicators``."""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import regex

from extractor.mention import APPROX_FLAGS, DIMENSIONS, Mention
from extractor.metadata import ArticleMeta

SENTENCE_BREAKS = regex.compile(r"[。！？!?；;…\n]")
CLAUSE_BREAKS = regex.compile(r"[。！？!?；;…\n，,：:]")
_CLOSERS = frozenset("”’」』）)】》\"'")
"""Closing quotes and brackets that stay with the sentence they end."""
CONTEXT_CHARS = 1000
"""A longer sentence or clause is cut to this many characters around the mention (with …),
so that the indicators table stays linear in the text (a run of numbers with no break)."""


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
    """Finds the sentence or clause around a span, ignoring breaks inside the span."""

    def __init__(self, text: str, breaks: regex.Pattern[str], keep_break: bool) -> None:
        self.text = text
        self.keep_break = keep_break
        self.positions = [m.start() for m in breaks.finditer(text)]
        self._lefts: dict[int, int] = {}
        self._rights: dict[int, int] = {}
        """Segment bounds by break index, each found once (closers are skipped once)."""
        self._segments: dict[tuple[int, int], str] = {}
        """Each segment's string, made once: mentions of one sentence share it."""

    def around(self, start: int, end: int) -> str:
        text, positions = self.text, self.positions
        i = bisect_left(positions, start)
        if (left := self._lefts.get(i)) is None:
            left = positions[i - 1] + 1 if i else 0
            while left < len(text) and text[left] in _CLOSERS:
                left += 1
            self._lefts[i] = left
        left = min(left, start)
        j = bisect_left(positions, end)
        if (right := self._rights.get(j)) is None:
            if j == len(positions):
                right = len(text)
            else:
                right = positions[j]
                if self.keep_break and text[right] != "\n":
                    right += 1
                    while right < len(text) and text[right] in _CLOSERS:
                        right += 1
            self._rights[j] = right
        if right - left <= CONTEXT_CHARS:
            if (segment := self._segments.get((left, right))) is None:
                segment = self._segments[left, right] = text[left:right].strip()
            return segment
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
    mentions: Sequence[Mention],
) -> ArticleRows:
    """The rows of one article; mentions ordered by position. Raises InvalidMention."""
    aid = article_id(text)
    sentences = _Segmenter(text, SENTENCE_BREAKS, keep_break=True)
    clauses = _Segmenter(text, CLAUSE_BREAKS, keep_break=False)
    ordered = sorted(mentions, key=lambda m: (m.start, m.end))
    for m in ordered:
        _check(text, m)
    n = len(ordered)
    indicators = {
        "article_id": [aid] * n,
        "mention_index": list(range(n)),
        "start": [m.start for m in ordered],
        "end": [m.end for m in ordered],
        "surface": [m.surface for m in ordered],
        "value": [_float(m.value) for m in ordered],
        "lower": [_float(m.lower) for m in ordered],
        "upper": [_float(m.upper) for m in ordered],
        "approx": [m.approx for m in ordered],
        "qualifier": [m.qualifier for m in ordered],
        "unit": [m.unit for m in ordered],
        "dimension": [m.dimension for m in ordered],
        "object": [m.object for m in ordered],
        "measure": [m.measure for m in ordered],
        "direction": [m.direction for m in ordered],
        "basis": [m.basis for m in ordered],
        "period": [m.period for m in ordered],
        "period_start": [_date(m.period_start) for m in ordered],
        "period_end": [_date(m.period_end) for m in ordered],
        "place": [m.place for m in ordered],
        "estimate": [_float(m.estimate) for m in ordered],
        "sentence": [sentences.around(m.start, m.end) for m in ordered],
        "clause": [clauses.around(m.start, m.end) for m in ordered],
        "rule": [m.rule for m in ordered],
    }
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


def _own_id(value: Any) -> str | None:
    """The input's ``id`` field as a string (a JSON number as written), or None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _float(x: float | None) -> float | None:
    return None if x is None else float(x)


def _date(x: str | date | None) -> date | None:
    """A Mention's ISO date string as a date (the Parquet column is a date)."""
    return date.fromisoformat(x) if isinstance(x, str) else x


def _check(text: str, m: Mention) -> None:
    if not (0 <= m.start < m.end <= len(text)) or text[m.start:m.end] != m.surface:
        raise InvalidMention(f"mention {m.surface!r} at [{m.start}, {m.end}) does not match "
                             f"the text there ({text[m.start:m.end]!r}); rule {m.rule}")
    if m.approx not in APPROX_FLAGS:
        raise InvalidMention(f"mention {m.surface!r}: approx {m.approx!r} is not one of "
                             f"{', '.join(APPROX_FLAGS)}")
    if m.dimension not in DIMENSIONS:
        raise InvalidMention(f"mention {m.surface!r}: dimension {m.dimension!r} is not one of "
                             f"{', '.join(DIMENSIONS)}")
