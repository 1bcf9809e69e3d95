"""Rule files: they parse, compile, stay consistent, and their examples hold."""

from __future__ import annotations

import tomllib

import pytest
import regex

from extractor import extract
from extractor.patterns import fold, scanner
from extractor.rules import RULE_FILES, RuleError, load_rules, rules_dir

RULES = load_rules()
EXAMPLES = RULES.examples()
CHECKED = ("surface", "value", "lower", "upper", "approx", "qualifier", "unit", "dimension",
           "object", "measure", "direction", "basis", "period", "period_start", "period_end",
           "place")


def _expected(ex: dict) -> list[dict]:
    if ex.get("none"):
        return []
    if "mentions" in ex:
        return ex["mentions"]
    stated = {k: v for k, v in ex.items() if k not in ("text", "published")}
    return [{"surface": ex["text"], **stated}]


def _check(got, want: dict) -> None:
    for key in CHECKED:
        if key not in want:
            continue
        expect = want[key]
        actual = getattr(got, key)
        if expect == "":
            assert actual is None, f"{key}: {actual!r} should be null"
        elif isinstance(expect, float | int) and not isinstance(expect, bool):
            assert actual is not None and abs(actual - expect) <= 1e-9 * max(1, abs(expect)), (
                f"{key}: {actual!r} != {expect!r}")
        else:
            assert actual == expect, f"{key}: {actual!r} != {expect!r}"


@pytest.mark.parametrize(("file", "example"), EXAMPLES,
                         ids=[f"{f}:{e['text']}" for f, e in EXAMPLES])
def test_rule_example(file: str, example: dict) -> None:
    got = extract(example["text"], example.get("published"))
    want = _expected(example)
    if "mentions" in example or example.get("none"):
        assert [m.surface for m in got] == [w["surface"] for w in want]
    else:
        assert [m.surface for m in got] == [want[0]["surface"]]
    for m, w in zip(got, want, strict=True):
        _check(m, w)


def test_enough_examples() -> None:
    assert len(EXAMPLES) >= 400


def test_every_rule_file_parses() -> None:
    for name in RULE_FILES:
        with open(rules_dir() / f"{name}.toml", "rb") as fh:
            assert tomllib.load(fh)


def test_every_exclusion_pattern_compiles_alone() -> None:
    lists = {"cn_num": ["一"], "cn_digit": ["一"], "units": ["个"]}
    for name, source in RULES.raw["exclusions"]["patterns"].items():
        assert regex.compile(source, ignore_unused=True, **lists), name


def test_scanner_compiles_once() -> None:
    assert scanner() is scanner()


def test_units_have_one_dimension_unless_ambiguous() -> None:
    ambiguous = RULES.raw["units"]["ambiguous"]
    folded: dict[str, str] = {}
    for unit, dim in RULES.units.items():
        key = fold(unit)
        if key in folded and folded[key] != dim:
            assert unit in ambiguous, f"{unit} has two dimensions"
        folded[key] = dim
    for unit, dims in ambiguous.items():
        assert RULES.units[unit] == dims[0]


def test_at_least_250_units() -> None:
    assert len(RULES.units) >= 250


def test_broken_rule_file_is_reported_with_file_and_key(tmp_path) -> None:
    for name in RULE_FILES:
        (tmp_path / f"{name}.toml").write_bytes((rules_dir() / f"{name}.toml").read_bytes())
    (tmp_path / "units.toml").write_text('[units]\n"家" = "counts"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=r"units.toml \[units.家\]: unknown dimension"):
        load_rules(str(tmp_path))
    (tmp_path / "units.toml").write_text("[units\n", encoding="utf-8")
    with pytest.raises(RuleError, match="not valid TOML"):
        load_rules(str(tmp_path))
