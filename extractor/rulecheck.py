"""Check the rule files before a run (``validate``) and run their examples (``check_examples``).

``validate`` is cheap (parse, check, compile the scan pattern: a fraction of a
second) and runs before any input is read. Running the examples extracts from
every one of them, so it is a command of its own: ``zhstats rules check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from extractor.rules import RuleError, Rules, label, load_rules, rules_dir

CHECKED = ("surface", "value", "lower", "upper", "approx", "qualifier", "unit", "dimension",
           "object", "measure", "direction", "basis", "period", "period_start", "period_end",
           "place")
"""The fields an example may state; an example states only those it checks."""


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """One rule-file example that the extractor does not reproduce."""

    file: str
    index: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{label(self.file, rules_dir())} [examples[{self.index}]] {self.text!r}: " \
               f"{self.reason}"


def validate() -> Rules:
    """The rules of ``rules_dir()``, parsed, checked and compiled; raises RuleError."""
    rules = load_rules()
    from extractor.patterns import scanner  # imported here: patterns reads no rule at import

    try:
        scanner()
    except (regex.error, ValueError, TypeError, KeyError) as e:
        raise RuleError("exclusions", "patterns",
                        f"the scan pattern built from the rule files does not compile: {e}",
                        rules_dir()) from None
    from extractor.statistics import compile_statistics

    try:
        compile_statistics(rules.raw)  # the §5 rules: frames, periods, places
    except RuleError as e:
        raise RuleError(e.file, e.key, e.reason, rules_dir()) from None
    return rules


def failing_examples() -> tuple[ExampleFailure, ...]:
    """``validate()``, then the examples that fail (run once per process and rule set)."""
    return _failures(validate().digest)


@cache
def _failures(digest: str) -> tuple[ExampleFailure, ...]:
    return tuple(check_examples(load_rules()))


def check_examples(rules: Rules) -> list[ExampleFailure]:
    """Every example of every rule file that ``extract`` gets wrong."""
    from extractor import extract

    failures = []
    counters: dict[str, int] = {}
    for file, example in rules.examples():
        index = counters.get(file, 0)
        counters[file] = index + 1
        try:
            reason = _compare(extract(example["text"], example.get("published")), example)
        except Exception as e:  # an example that makes the engine raise is a failure too
            reason = f"extract raised {type(e).__name__}: {e}"
        if reason:
            failures.append(ExampleFailure(file, index, example["text"], reason))
    return failures


def _compare(got: list[Any], example: dict[str, Any]) -> str | None:
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
