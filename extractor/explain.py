"""Why each number was (or was not) taken: the fragments of every scan match."""

from __future__ import annotations

from dataclasses import dataclass

from extractor.engine import extract, read, scan
from extractor.mention import Mention

FRAGMENTS = ("pre", "vidiom", "fan", "den", "numer", "cheng", "vmark", "vplace", "n1", "u1",
             "conn", "num", "few", "q1", "mag", "cls", "q3", "unit")


@dataclass(frozen=True)
class Trace:
    """One scan match: an exclusion, a rejected candidate, or a mention."""

    start: int
    end: int
    surface: str
    verdict: str
    fragments: tuple[tuple[str, str], ...]
    mention: Mention | None = None


def explain(text: str) -> list[Trace]:
    """Every match of the scan over ``text``, with the fragments that fired."""
    mentions = {(m.start, m.end): m for m in extract(text)}
    traces = []
    for name, m, _, start, end in scan(text):
        if name is not None:
            traces.append(Trace(start, end, text[start:end], f"excluded: {name}", ()))
            continue
        frags = [(k, m.group(k)) for k in FRAGMENTS if m.group(k)]
        frags += [("post", w) for w in m.captures("post")]
        got = read(m)
        mention = mentions.get((start, end))
        verdict = f"mention: {mention.rule}" if mention and got else "rejected: not a quantity"
        traces.append(Trace(start, end, text[start:end], verdict, tuple(frags), mention))
    return traces
