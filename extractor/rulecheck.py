"""Check the rule files before a run (``validate``) and run their examples (``check_examples``).

``validate`` is cheap (parse, check, compile, try each exclusion pattern on
adversarial strings: a fraction of a second) and runs before any input is read.
Running the examples extracts from every one of them, so it is a command of its
own: ``zhstats rules check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import regex

from extractor.rules import EXCLUSION_LISTS, RuleError, label
from extractor.ruleset import Ruleset

CHECKED = ("surface", "value", "lower", "upper", "approx", "qualifier", "unit", "dimension",
           "object", "measure", "direction", "basis", "period", "period_start", "period_end",
           "place")
"""The fields an example may state; an example states only those it checks."""
BACKTRACK_SECONDS = 0.2
"""Longest a search of one adversarial string may take before its pattern is rejected
(a pattern that does not backtrack takes microseconds)."""
ADVERSARIAL_LENGTH = 40
"""Characters of each adversarial string: enough for 2⁴⁰ paths through a nested repeat."""
_SYNTAX = set("\\()[]{}?*+|^$.-:=!<>,")
_CLASSES = {r"\d": "1", r"\w": "a", r"\s": " ", "A-Z": "A", "a-z": "a", "0-9": "1"}


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """One rule-file example that the extractor does not reproduce."""

    file: str
    index: int
    text: str
    reason: str
    folder: Path | None = None

    def __str__(self) -> str:
        return f"{label(self.file, self.folder)} [examples[{self.index}]] {self.text!r}: " \
               f"{self.reason}"


def validate(folder: str | Path | None = None) -> Ruleset:
    """The rules of ``folder`` (default: the shipped ones), parsed, checked and
    compiled, with no exclusion pattern that backtracks; raises RuleError."""
    rules = Ruleset.load(folder)
    check_backtracking(rules)
    return rules


@cache
def check_backtracking(rules: Ruleset) -> None:
    """Raise RuleError for the first exclusion pattern that backtracks (once per rule set)."""
    for key, source in rules.raw["exclusions"].get("patterns", {}).items():
        if (reason := backtracks(source)) is not None:
            raise RuleError("exclusions", f"patterns.{key}", reason, rules.folder)


def backtracks(source: str) -> str | None:
    """Why the exclusion pattern ``source`` is too slow to run on any text, or None.

    It is searched in strings built from its own characters (each repeated, each
    pair alternated, then all of them), each stopped by a character it does not
    hold: a nested or overlapping repeat (``(?:a|a)+x``, ``(a+)+b``) explores
    exponentially many ways through such a string before it fails.
    """
    pattern = regex.compile(source, ignore_unused=True, **EXCLUSION_LISTS)
    for text in adversarial(source):
        try:
            pattern.search(text, timeout=BACKTRACK_SECONDS)
        except TimeoutError:
            return (f"backtracks: searching {text[:6]!r}… ({len(text)} characters) takes over "
                    f"{BACKTRACK_SECONDS:g} s; make its repeats possessive (++, *+) or atomic "
                    "((?>…)), and never repeat a group whose branches overlap")
    return None


def adversarial(source: str) -> list[str]:
    """Strings built from the characters of a pattern, then one it does not use (then,
    again, all of its characters)."""
    chars = [c for c in dict.fromkeys(source) if c not in _SYNTAX and not c.isspace()]
    chars += [c for cls, c in _CLASSES.items() if cls in source and c not in chars]
    chars = chars[:16]
    end = next(c for c in "\x00。#~" if c not in chars)
    n = ADVERSARIAL_LENGTH
    texts = [c * n for c in chars]
    texts += [((a + b) * n)[:n] for i, a in enumerate(chars) for b in chars[i + 1:]]
    texts.append(("".join(chars) * n)[: n * 2])
    every = "".join(chars)  # what a pattern requires after its repeat, past the stop
    return [text + end + tail for tail in ("", every) for text in texts]


def failing_examples(rules: Ruleset) -> tuple[ExampleFailure, ...]:
    """The examples of ``rules`` that fail (run once per process and rule set)."""
    return _failures(rules)


@cache
def _failures(rules: Ruleset) -> tuple[ExampleFailure, ...]:
    return tuple(check_examples(rules))


def check_examples(rules: Ruleset) -> list[ExampleFailure]:
    """Every example of every rule file that the extractor gets wrong."""
    from extractor.engine import Extractor

    extract = Extractor(rules).extract
    failures = []
    counters: dict[str, int] = {}
    for file, example in rules.examples():
        index = counters.get(file, 0)
        counters[file] = index + 1
        try:
            reason = compare(extract(example["text"], example.get("published")), example)
        except Exception as e:  # an example that makes the engine raise is a failure too
            reason = f"extract raised {type(e).__name__}: {e}"
        if reason:
            failures.append(ExampleFailure(file, index, example["text"], reason, rules.folder))
    return failures


def compare(got: list[Any], example: dict[str, Any]) -> str | None:
    """Why the mentions ``got`` do not match the example, or None."""
    if example.get("none"):
        want: list[dict[str, Any]] = []
    elif "mentions" in example:
        want = example["mentions"]
    else:
        stated = {k: v for k, v in example.items() if k not in ("text", "published")}
        want = [{"surface": example["text"], **stated}]
    surfaces = [m.surface for m in got]
    if surfaces != [w.get("surface") for w in want]:
        return f"found {surfaces}, expected {[w.get('surface') for w in want]}"
    for mention, wanted in zip(got, want, strict=True):
        for key in CHECKED:
            if key not in wanted:
                continue
            expect, actual = wanted[key], getattr(mention, key)
            if expect == "":
                ok = actual is None
            elif isinstance(expect, int | float) and not isinstance(expect, bool):
                ok = actual is not None and abs(actual - expect) <= 1e-9 * max(1, abs(expect))
            else:
                ok = actual == expect
            if not ok:
                return f"{mention.surface}: {key} is {actual!r}, expected {expect!r}"
    return None
