"""Check the rule files before a run (``validate``) and run their examples (``check_examples``).

``validate`` is cheap (parse, check, compile: a fraction of a second) and runs
before any input is read. Running the examples extracts from every one of
them, so it is a command of its own: ``zhstats rules check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from extractor.rules import label
from extractor.ruleset import Ruleset

CHECKED = ("surface", "value", "lower", "upper", "approx", "qualifier", "unit", "dimension",
           "object")
"""The fields an example may state; an example states only those it checks."""


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
    compiled; raises RuleError."""
    return Ruleset.load(folder)


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
            reason = _compare(extract(example["text"]), example)
        except Exception as e:  # an example that makes the engine raise is a failure too
            reason = f"extract raised {type(e).__name__}: {e}"
        if reason:
            failures.append(ExampleFailure(file, index, example["text"], reason, rules.folder))
    return failures


def _compare(got: list[Any], example: dict[str, Any]) -> str | None:
    """Why the mentions ``got`` do not match the example, or None."""
    if example.get("none"):
        want: list[dict[str, Any]] = []
    elif "mentions" in example:
        want = example["mentions"]
    else:
        want = [{"surface": example["text"], **{k: v for k, v in example.items() if k != "text"}}]
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
