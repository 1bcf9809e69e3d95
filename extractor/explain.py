"""Why each number was (or was not) taken: the parts of every scan hit."""

from __future__ import annotations

from dataclasses import dataclass

from extractor.engine import Extractor
from extractor.forms import FORMS, TAIL_FRAGMENTS
from extractor.mention import Mention
from extractor.ruleset import Ruleset, default_ruleset

_FRAGMENTS = {form.name: ("pre", "sign", *form.fragments, *TAIL_FRAGMENTS) for form in FORMS}


@dataclass(frozen=True)
class Trace:
    """One scan hit: an exclusion, a rejected candidate, or a mention."""

    start: int
    end: int
    surface: str
    verdict: str
    fragments: tuple[tuple[str, str], ...]
    mention: Mention | None = None


def explain(text: str, rules: Ruleset | None = None) -> list[Trace]:
    """Every hit of the scan over ``text``, with the form and parts that fired."""
    rules = rules or default_ruleset()
    mentions = {(m.start, m.end): m for m in Extractor(rules).extract(text)}
    traces = []
    for hit in rules.scanner.scan(text):
        surface = text[hit.start:hit.end]
        if hit.match is None:
            traces.append(Trace(hit.start, hit.end, surface, f"excluded: {hit.name}", ()))
            continue
        m = hit.match
        frags = [(k, m.groups[k]) for k in _FRAGMENTS[m.form] if m.groups.get(k)]
        frags += [("post", w) for w in m.posts]
        mention = mentions.get((hit.start, hit.end))
        verdict = f"mention: {mention.rule}" if mention else "rejected: not a quantity"
        traces.append(Trace(hit.start, hit.end, surface, verdict, tuple(frags), mention))
    return traces
