"""``Ruleset``: every rule file of a folder, checked and compiled once, as one value.

Everything that extracts takes a ``Ruleset`` (or uses ``default_ruleset()``,
the shipped rules); no module reads the environment or compiles rules at
import. A ``Ruleset`` pickles as its folder and digest, so worker processes
rebuild the same one (once per process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import regex

from extractor.exclusions import Exclusions
from extractor.forms import FORMS
from extractor.grammar import DIGITS, Grammar
from extractor.lexicon import Lexicon
from extractor.metadata import MetadataRules
from extractor.numerals import Numerals
from extractor.objects import ObjectRules
from extractor.reading import Reader
from extractor.rules import RuleError, default_dir, read_rule_files
from extractor.scanner import Scanner
from extractor.statistics import StatRules, compile_statistics


@dataclass(frozen=True, eq=False)
class Ruleset:
    """The rule files of one folder, parsed, checked and compiled."""

    folder: Path
    raw: dict[str, dict[str, Any]] = field(repr=False)
    digest: str
    lexicon: Lexicon = field(repr=False)
    numerals: Numerals = field(repr=False)
    objects: ObjectRules = field(repr=False)
    metadata: MetadataRules = field(repr=False)
    scanner: Scanner = field(repr=False)
    reader: Reader = field(repr=False)
    statistics: StatRules = field(repr=False)

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Ruleset:
        """Read, check and compile the rule folder (default: the shipped rules);
        raise RuleError naming the file, key and reason of the first problem."""
        base = Path(folder).resolve() if folder is not None else default_dir()
        raw, digest = read_rule_files(base)
        return cls._compile(base, raw, digest)

    @classmethod
    def _compile(cls, base: Path, raw: dict[str, dict[str, Any]], digest: str) -> Ruleset:
        try:
            metadata = MetadataRules.from_rules(raw["metadata"])
        except (re.error, KeyError, ValueError) as e:
            raise RuleError("metadata", "-", f"a pattern does not compile: {e}", base) from None
        lexicon = Lexicon.from_rules(raw)
        numerals = Numerals.from_rules(raw["numerals"])
        tens = frozenset(k for k, v in numerals.places.items() if v == 10)
        grammar = Grammar(lexicon, FORMS, tens)
        excl = raw["exclusions"]
        try:
            exclusions = Exclusions.compile(
                excl["patterns"], excl["words"]["list"], _named_lists(lexicon),
                DIGITS | lexicon.cn_num)
        except (regex.error, re.error, ValueError, TypeError) as e:
            raise RuleError("exclusions", "patterns", f"does not compile: {e}", base) from None
        try:
            statistics = compile_statistics(raw)
        except RuleError as e:
            raise RuleError(e.file, e.key, e.reason, base) from None
        return cls(folder=base, raw=raw, digest=digest, lexicon=lexicon, numerals=numerals,
                   objects=ObjectRules.from_rules(raw["objects"]), metadata=metadata,
                   scanner=Scanner(lexicon, grammar, exclusions),
                   reader=Reader(lexicon, numerals), statistics=statistics)

    def examples(self) -> list[tuple[str, dict[str, Any]]]:
        """Every example of every rule file, as (file, example)."""
        return [(name, ex) for name, data in self.raw.items() for ex in data.get("examples", [])]

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore, (str(self.folder), self.digest)


def _named_lists(lex: Lexicon) -> dict[str, list[str]]:
    r"""The named lists an exclusion pattern may use (``\L<cn_num>``...)."""
    return {"cn_digit": sorted(lex.cn_digit), "cn_num": sorted(lex.cn_num),
            "units": sorted(lex.units.words)}


@cache
def _restore(folder: str, digest: str) -> Ruleset:
    """A pickled Ruleset, rebuilt once per process (the shipped rules: this process's
    ``default_ruleset()``, which a pool worker inherits compiled); the files must not
    have changed."""
    rules = default_ruleset() if Path(folder) == default_dir() else Ruleset.load(folder)
    if rules.digest != digest:
        raise RuleError("-", "-", "the rule files changed while they were in use",
                        Path(folder))
    return rules


@cache
def default_ruleset() -> Ruleset:
    """The shipped rules, compiled on first use."""
    return Ruleset.load()
