"""Find and normalize every quantity mention: ``Extractor(ruleset).extract(text)``.

The scan (``scanner``) finds mentions and exclusions; each mention is read
into value, bounds and flag (``reading``, cached by surface), then given its
dimension from context where its unit gives none, and its counted object
(``found``); then the statistic around it (``statistics.annotate``: measure,
direction, basis, period, place, and the object carried through its sentence).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from extractor.found import found
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
        return found(text, rules.scanner, rules.reader, rules.objects, rules.lexicon)

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


def extract(text: str, published: date | str | None = None,
            rules: Ruleset | None = None) -> list[Mention]:
    """Every quantity mention of ``text`` (with the shipped rules unless ``rules``), sorted
    by start, never overlapping, with the statistic around each; raises TypeError when
    ``text`` is not a str."""
    return Extractor(rules).extract(text, published)
