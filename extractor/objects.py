"""The counted object: the noun phrase a number counts (rules/objects.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex

CLAUSE_END = "，,。！？!?；;：:\n\r\t 、（）()“”\"《》「」"
SENTENCE_END = "。！？!?；;\n"
MAX_LEN = 16
LEADING_PAREN = regex.compile(r"[（(][^（()）]{1,4}[）)]")
# a phrase holding a number is not an object (2020年); a code is (5G基站, PM2.5浓度)
NUMBER = regex.compile(r"(?<![A-Za-z0-9.])[0-9]++(?![A-Za-z])")
_SENTENCE_BREAK = regex.compile("[" + regex.escape(SENTENCE_END) + "]")
_CLAUSE_ENDS = frozenset(CLAUSE_END)
_DIGITS = frozenset("0123456789")
_OPENING = frozenset("（(")


@dataclass(frozen=True)
class ObjectRules:
    """rules/objects.toml, compiled; ``find`` reads the object of a mention."""

    stops: dict[str, tuple[str, ...]]
    """Stop words by first character, longest first (a dict lookup per character
    is far cheaper than a regex named list tried there)."""
    not_stops: dict[str, tuple[str, ...]]
    """Words that hold a stop word but belong to a noun (各项, 其他), the same way."""
    trim: str
    verb_preps: frozenset[str]
    noun_suffixes: frozenset[str]

    @classmethod
    def from_rules(cls, r: dict[str, Any]) -> ObjectRules:
        """Build from the parsed ``objects.toml``."""
        return cls(by_first(r["stops"]["words"]), by_first(r["stops"]["not_stops"]),
                   r["trim"]["chars"] + " ", frozenset(r["stops"]["verb_preps"]),
                   frozenset(r["stops"]["noun_suffixes"]))

    def find(self, text: str, start: int, end: int) -> str | None:
        """After the unit first (130多家企业), else before the number (企业40家)."""
        return after(text, end, self) or before(text, start, self)


def by_first(words: list[str]) -> dict[str, tuple[str, ...]]:
    """Words by first character, longest first."""
    out: dict[str, list[str]] = {}
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        out.setdefault(word[0], []).append(word)
    return {c: tuple(ws) for c, ws in out.items()}


def stop_at(text: str, i: int, stops: dict[str, tuple[str, ...]]) -> str | None:
    """The longest stop word starting at ``text[i]``, if any."""
    for word in stops.get(text[i], ()):
        if text.startswith(word, i):
            return word
    return None


def _split(segment: str, rules: ObjectRules) -> list[str]:
    """chunk, stop, chunk, stop, ..., chunk (leftmost, longest stop first)."""
    stops, keep = rules.stops, rules.not_stops
    parts, last, j = [], 0, 0
    while j < len(segment):
        if segment[j] in keep and (noun := stop_at(segment, j, keep)):
            j += len(noun)
            continue
        word = stop_at(segment, j, stops) if segment[j] in stops else None
        if word is None:
            j += 1
            continue
        parts += [segment[last:j], word]
        j = last = j + len(word)
    parts.append(segment[last:])
    return parts


def _clean(phrase: str, rules: ObjectRules) -> str | None:
    phrase = phrase.strip(rules.trim)
    for c in phrase:
        if c.isalnum():
            break
    else:
        return None  # punctuation only (45万千瓦/90万千瓦时)
    return phrase if _DIGITS.isdisjoint(phrase) or not NUMBER.search(phrase) else None


def after(text: str, end: int, rules: ObjectRules) -> str | None:
    """The noun phrase right after a mention, up to the first stop."""
    stops, keep = rules.stops, rules.not_stops
    if text[end:end + 1] in _OPENING:  # 1.2万余台（套）：another unit, not the object
        paren = LEADING_PAREN.match(text, end)
        end = paren.end() if paren else end
    i = end
    limit = min(len(text), end + MAX_LEN)
    depth = 0
    while i < limit:
        ch = text[i]
        if ch in "(（":
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1
        elif ch in keep and (noun := stop_at(text, i, keep)):
            i += len(noun)
            continue
        elif depth == 0 and (ch in CLAUSE_END or (ch in stops and stop_at(text, i, stops))
                             or (ch in _DIGITS and NUMBER.match(text, i))):
            break  # a number starts the next figure (10亿元以上项目136个 → 项目)
        i += 1
    return _clean(text[end:i], rules) if i < limit or i == len(text) else None


def before(text: str, start: int, rules: ObjectRules) -> str | None:
    """The noun phrase right before a mention, back to the last stop."""
    i = lo = max(0, start - MAX_LEN)
    for j in range(start - 1, lo - 1, -1):  # back to the last clause break
        if text[j] in _CLAUSE_ENDS:
            i = j + 1
            break
    parts = _split(text[i:start], rules)  # chunk, stop, chunk, stop, ..., chunk
    for k in range(len(parts) - 1, -1, -2):
        chunk = _clean(parts[k], rules)
        if not chunk or (k + 1 < len(parts) and parts[k + 1] in rules.verb_preps):
            continue
        if len(chunk) > 1:
            return chunk
        if k and chunk in rules.noun_suffixes:
            return parts[k - 1] + chunk
    return None


def same_sentence(text: str, a: int, b: int) -> bool:
    """Whether positions ``a <= b`` lie in one sentence (O(b - a), so a long
    sentence full of mentions stays linear)."""
    return _SENTENCE_BREAK.search(text, a, b) is None

