"""Rule files: they parse, compile, stay consistent, and their examples hold."""

from __future__ import annotations

import pickle
import subprocess
import sys
import tomllib

import pytest
import regex

from extractor import Extractor, extract
from extractor.lexicon import fold
from extractor.rulecheck import backtracks, compare
from extractor.rules import RULE_FILES, RuleError, default_dir
from extractor.ruleset import Ruleset, default_ruleset

RULES = default_ruleset()
EXAMPLES = RULES.examples()


@pytest.mark.parametrize(("file", "example"), EXAMPLES,
                         ids=[f"{f}:{e['text']}" for f, e in EXAMPLES])
def test_rule_example(file: str, example: dict) -> None:
    assert compare(extract(example["text"], example.get("published")), example) is None


def test_enough_examples() -> None:
    assert len(EXAMPLES) >= 400


def test_every_rule_file_parses() -> None:
    for name in RULE_FILES:
        with open(default_dir() / f"{name}.toml", "rb") as fh:
            assert tomllib.load(fh)


def test_every_exclusion_pattern_compiles_alone() -> None:
    lists = {"cn_num": ["一"], "cn_digit": ["一"], "units": ["个"]}
    for name, source in RULES.raw["exclusions"]["patterns"].items():
        assert regex.compile(source, ignore_unused=True, **lists), name


def test_shipped_rules_compile_once() -> None:
    assert default_ruleset() is default_ruleset()


def test_a_pickled_shipped_rule_set_is_the_process_own(tmp_path) -> None:
    """A worker forked from the server that compiled the shipped rules compiles nothing;
    another folder is compiled once a process."""
    assert pickle.loads(pickle.dumps(default_ruleset())) is default_ruleset()
    for name in RULE_FILES:
        (tmp_path / f"{name}.toml").write_bytes((default_dir() / f"{name}.toml").read_bytes())
    other = Ruleset.load(tmp_path)
    again = pickle.loads(pickle.dumps(other))
    assert again is not other and again is pickle.loads(pickle.dumps(other))
    assert again.digest == default_ruleset().digest and again.folder == tmp_path.resolve()


def test_two_rule_sets_in_one_process(tmp_path) -> None:
    for name in RULE_FILES:
        (tmp_path / f"{name}.toml").write_bytes((default_dir() / f"{name}.toml").read_bytes())
    units = tmp_path / "units.toml"
    units.write_text(units.read_text(encoding="utf-8").replace(
        '[units]\n', '[units]\n"篓" = "count"\n', 1), encoding="utf-8")
    other = Ruleset.load(tmp_path)
    assert other.digest != default_ruleset().digest
    assert [m.unit for m in Extractor(other).extract("收了3篓")] == ["篓"]
    assert [m.unit for m in extract("收了3篓")] == [None]


def test_no_exclusion_pattern_backtracks() -> None:
    assert {name: why for name, source in RULES.raw["exclusions"]["patterns"].items()
            if (why := backtracks(source))} == {}


@pytest.mark.parametrize("pattern", [r"(?:龘|龘)+x", r"(?:\d|\d)+年", r"(?:第\d|第\d)+期"])
def test_a_backtracking_pattern_is_rejected(pattern: str) -> None:
    why = backtracks(pattern)
    assert why is not None and why.startswith("backtracks: searching ")
    assert "make its repeats possessive" in why


@pytest.mark.slow
def test_rules_check_names_the_backtracking_pattern(tmp_path) -> None:
    """A catastrophic pattern in a rule file passed ``rules check`` and hung extraction
    (170 s on a 70-character article); now the check rejects it, with file and key."""
    for name in RULE_FILES:
        (tmp_path / f"{name}.toml").write_bytes((default_dir() / f"{name}.toml").read_bytes())
    text = (tmp_path / "exclusions.toml").read_text(encoding="utf-8")
    text = text.replace("[patterns]\n", "[patterns]\nslow = '(?:龘|龘)+x'\n", 1)
    (tmp_path / "exclusions.toml").write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()",
                           "rules", "check", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "exclusions.toml [patterns.slow]: backtracks: searching '龘龘龘龘龘龘'…" in done.stderr



def test_units_have_one_dimension_unless_ambiguous() -> None:
    ambiguous = RULES.raw["units"]["ambiguous"]
    folded: dict[str, str] = {}
    for unit, dim in RULES.raw["units"]["units"].items():
        key = fold(unit)
        if key in folded and folded[key] != dim:
            assert unit in ambiguous, f"{unit} has two dimensions"
        folded[key] = dim
    for unit, dims in ambiguous.items():
        assert RULES.raw["units"]["units"][unit] == dims[0]


def test_at_least_250_units() -> None:
    assert len(RULES.raw["units"]["units"]) >= 250


def test_broken_rule_file_is_reported_with_file_and_key(tmp_path) -> None:
    for name in RULE_FILES:
        (tmp_path / f"{name}.toml").write_bytes((default_dir() / f"{name}.toml").read_bytes())
    (tmp_path / "units.toml").write_text('[units]\n"家" = "counts"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=r"units.toml \[units.家\]: unknown dimension"):
        Ruleset.load(tmp_path)
    (tmp_path / "units.toml").write_text("[units\n", encoding="utf-8")
    with pytest.raises(RuleError, match="not valid TOML"):
        Ruleset.load(tmp_path)
