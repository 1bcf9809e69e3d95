"""Find and normalize every quantity mention: ``Extractor(ruleset).extract(text)``.

The scan (``scanner``) finds mentions and exclusions; each mention is read
into value, bounds and flag (``reading``, cached by surface), then given its
dimension from context where its unit gives none, and its counted object; then
the statistic around it (``statistics.annotate``: measure, direction, basis,
period, place, and the object carried through its sentence).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from extractor.lexicon import Lexicon
from extractor.mention import Found, Mention
from extractor.ruleset import Ruleset, default_ruleset
from extractor.statistics import annotate


class Extractor:
    """Extraction with one rule set."""

    def __init__(self, rules: Ruleset | None = None) -> None:
        self.rules = rules or default_ruleset()

    def rows(self, text: str) -> list[Found]:
        """Every quantity mention of ``text`` as tuples (Mention's fields up to ``rule``,
        without the statistic around it), sorted by start, never overlapping."""
        rules = self.rules
        reader, objects = rules.reader, rules.objects
        lex = rules.lexicon
        context = lex.context
        out: list[Found] = []
        for hit in rules.scanner.scan(text):
            if hit.match is None:
                continue
            got = reader.fields(hit.match, hit.surface)
            if got is None:
                continue
            value, lower, upper, approx, qualifier, unit, dimension, rule = got
            start, end = hit.start, hit.end
            if dimension is None:
                dimension = _context_dimension(text, start, end, lex)
                prev = out[-1] if out else None
                if (dimension == "other" and prev is not None and prev.qualifier is None
                        and text[prev.end:start] in context.get("list", ())):
                    dimension = prev.dimension  # 998514、16648: one list, one dimension
            out.append(Found(start, end, text[start:end], value, lower, upper, approx,
                             qualifier, unit, dimension, objects.find(text, start, end), rule))
        if len(out) > 1 and context.get("list_unit"):
            _share_units(text, out, lex)
        return out

    def extract(self, text: str, published: date | str | None = None) -> list[Mention]:
        """Every quantity mention of ``text``, sorted by start, never overlapping, with the
        statistic around it (§5; ``published``, a date or ISO string, resolves 今年,
        近5年); raises TypeError when ``text`` is not a str."""
        return [Mention(*row) for row in self.table(text, published)]

    def table(self, text: str, published: date | str | None = None) -> list[list[Any]]:
        """What ``extract`` returns as rows (lists of a Mention's fields, in order), without
        building Mention objects: the pipeline's path to the indicators table."""
        if not isinstance(text, str):
            raise TypeError(f"extract() takes the article text as a str, not "
                            f"{type(text).__name__}")
        if isinstance(published, str):
            published = date.fromisoformat(published)
        return annotate(text, self.rows(text), self.rules.statistics, published)


def _share_units(text: str, out: list[Found], lex: Lexicon) -> None:
    """A bare number listed right before a figure whose unit has no magnitude takes that
    unit and dimension (上升2.7和1.9个百分点), from the end of a list back to its start."""
    separators = lex.context["list_unit"]
    for i in range(len(out) - 2, -1, -1):
        row, after = out[i], out[i + 1]
        if (row.unit is None and row.rule == "number" and after.unit is not None
                and text[row.end:after.start] in separators
                and lex.mags.isdisjoint(after.surface.replace(after.unit, ""))):
            out[i] = row._replace(unit=after.unit, dimension=after.dimension)


def _context_dimension(text: str, start: int, end: int, lex: Lexicon) -> str:
    """The dimension a bare number takes from cue words just before it (月薪15k), else
    just after it (960多万贫困人口)."""
    size = lex.context["window"]
    for a, b in ((max(0, start - size), start), (end, end + size)):
        for dim, cues in lex.cues:
            if cues.search(text, a, b):
                return dim
    return "other"


def extract(text: str, published: date | str | None = None,
            rules: Ruleset | None = None) -> list[Mention]:
    """Every quantity mention of ``text`` (with the shipped rules unless ``rules``), sorted
    by start, never overlapping, with the statistic around each; raises TypeError when
    ``text`` is not a str."""
    return Extractor(rules).extract(text, published)
