"""The counted object: the noun phrase a number counts (rules/objects.toml)."""

from __future__ import annotations

from functools import cache

import regex

from extractor.rules import load_rules

CLAUSE_END = "，,。！？!?；;：:\n\r\t 、（）()“”\"《》「」"
SENTENCE_END = "。！？!?；;\n"
MAX_LEN = 16
NUMBER = regex.compile(r"(?<![A-Za-z])[0-9]")  # a phrase holding a number is not an object


@cache
def _stops() -> tuple[regex.Pattern[str], str]:
    r = load_rules().raw["objects"]
    words = r["stops"]["words"]
    return regex.compile(r"(\L<stops>)", stops=words), r["trim"]["chars"]


def _clean(phrase: str) -> str | None:
    _, trim = _stops()
    phrase = phrase.strip(trim + " ")
    return phrase if phrase and not NUMBER.search(phrase) else None


def after(text: str, end: int) -> str | None:
    """The noun phrase right after a mention, up to the first stop."""
    stops, _ = _stops()
    i = end
    limit = min(len(text), end + MAX_LEN)
    depth = 0
    while i < limit:
        ch = text[i]
        if ch in "(（":
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1
        elif depth == 0 and (ch in CLAUSE_END or stops.match(text, i)):
            break
        i += 1
    return _clean(text[end:i]) if i < limit or i == len(text) else None


def before(text: str, start: int) -> str | None:
    """The noun phrase right before a mention, back to the last stop."""
    stops, _ = _stops()
    i = start
    lo = max(0, start - MAX_LEN)
    while i > lo and text[i - 1] not in CLAUSE_END:
        i -= 1
    parts = stops.split(text[i:start])  # chunk, stop, chunk, stop, ..., chunk
    for k in range(len(parts) - 1, -1, -2):
        chunk = _clean(parts[k])
        if chunk:
            return parts[k - 1] + chunk if len(chunk) == 1 and k else chunk
    return None


def find_object(text: str, start: int, end: int) -> str | None:
    """After the unit first (130多家企业), else before the number (企业40家)."""
    return after(text, end) or before(text, start)


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the sentence holding ``pos``."""
    lo = pos
    while lo > 0 and text[lo - 1] not in SENTENCE_END:
        lo -= 1
    hi = pos
    while hi < len(text) and text[hi] not in SENTENCE_END:
        hi += 1
    return lo, hi
