"""Broken rule files are reported with their file, key and reason before any input is
read, and rule files are data: nothing in them is ever executed.

Each case copies the shipped rules to a temp folder and breaks one thing. The
command-line cases point zhstats at that folder (``--rules`` or
``ZHSTATS_RULES``) in a fresh process, and give it a named pipe as input: a
run that read its input before checking the rules would block on it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import rulecheck
from extractor.cli import app
from extractor.rules import RULE_FILES, RuleError, default_dir
from extractor.ruleset import Ruleset, default_ruleset

ROOT = Path(__file__).resolve().parent.parent

Edit = Callable[[str], str]


def _sub(pattern: str, repl: str, count: int = 1) -> Edit:
    def edit(text: str) -> str:
        new, n = re.subn(pattern, repl, text, count=count, flags=re.M | re.S)
        assert n, f"{pattern!r} not found: the rule file changed, update this test"
        return new
    return edit


# (file, edit, key, reason)
BROKEN: dict[str, tuple[str, Edit, str, str]] = {
    "bad TOML": ("units", lambda t: t + "\n[units\n", "-", "not valid TOML"),
    "not UTF-8": ("objects", lambda t: t + "\n# \udcff\n", "-", "not valid TOML"),
    "unknown key": ("qualifiers", lambda t: t + "\n[colours]\nred = 1\n", "colours",
                    "unknown key"),
    "unknown nested key": ("numerals", _sub(r"^\[limits\]\n", "[limits]\nmax_lenth = 5\n"),
                           "limits.max_lenth", "unknown key"),
    "missing table": ("objects", _sub(r"^\[trim\]\n.*?(?=^\[|\Z)", ""), "trim", "missing"),
    "wrong type": ("numerals", _sub(r"^max_length = \d+", 'max_length = "ten"'),
                   "limits.max_length", "expected an integer, got text"),
    "empty word": ("qualifiers", _sub(r'^connectors = \[', 'connectors = ["", '),
                   "range.connectors[0]", "empty text"),
    "unknown dimension": ("units", _sub(r'^"家" = "count"', '"家" = "counts"'), "units.家",
                          "unknown dimension 'counts'"),
    "pattern does not compile": ("exclusions", _sub(r"^wanfen = '万分\(\?!之\)'",
                                                    "wanfen = '万分(?!之'"),
                                 "patterns.wanfen", "does not compile"),
    "pattern matches nothing": ("exclusions", _sub(r"^wanfen = '万分\(\?!之\)'",
                                                   "wanfen = '(?:万分)?'"),
                                "patterns.wanfen", "matches the empty string"),
    "metadata typo": ("metadata", _sub(r"^max_lines = ", "max_line = "), "head.max_line",
                      "unknown key"),
    "metadata unknown table": ("metadata", _sub(r"^max_chars = 60", "max_chars = 60\n\n[oops]"),
                             "oops", "unknown key"),
    "two-character digit": ("numerals", _sub(r'^"一" = 1', '"一一" = 1'), "digits.一一",
                            "must be one character"),
}


def broken_rules(folder: Path, file: str, edit: Edit) -> Path:
    """A copy of the shipped rules with ``file`` edited."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (p.name for p in default_dir().glob("*.toml")):
        shutil.copyfile(default_dir() / name, folder / name)
    path = folder / f"{file}.toml"
    text = edit(path.read_text(encoding="utf-8"))
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return folder


def zhstats(*args: str, cwd: Path, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    if not env:
        full.pop("ZHSTATS_RULES", None)
    return subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()",
                           *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("case", list(BROKEN))
def test_load_names_file_key_and_reason(tmp_path: Path, case: str) -> None:
    file, edit, key, reason = BROKEN[case]
    folder = broken_rules(tmp_path / "rules", file, edit)
    with pytest.raises(RuleError) as caught:
        Ruleset.load(folder)
    e = caught.value
    assert (e.file, e.key) == (file, key), str(e)
    assert reason in e.reason
    assert str(e).startswith(f"{folder / file}.toml [{key}]: "), str(e)


def test_the_shipped_rules_load() -> None:
    assert {name for name, _ in default_ruleset().examples()} <= set(RULE_FILES)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["bad TOML", "missing table", "pattern does not compile"])
def test_extract_stops_before_reading_any_input(tmp_path: Path, case: str) -> None:
    file, edit, key, reason = BROKEN[case]
    folder = broken_rules(tmp_path / "rules", file, edit)
    os.mkfifo(tmp_path / "input.txt")  # blocks whoever opens it to read
    result = zhstats("--rules", str(folder), "extract", "input.txt", "--out", "out",
                     cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"{file}.toml [{key}]" in result.stderr and reason in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_environment_variable_names_the_rules_too(tmp_path: Path) -> None:
    file, edit, key, _ = BROKEN["unknown dimension"]
    folder = broken_rules(tmp_path / "rules", file, edit)
    os.mkfifo(tmp_path / "input.txt")
    result = zhstats("extract", "input.txt", "--out", "out", cwd=tmp_path,
                     env={"ZHSTATS_RULES": str(folder)})
    assert result.returncode == 2 and f"units.toml [{key}]" in result.stderr, result.stderr
    result = zhstats("show", "新增3家", cwd=tmp_path, env={"ZHSTATS_RULES": str(folder)})
    assert result.returncode == 2 and f"units.toml [{key}]" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def failing_example(folder: Path) -> Path:
    """Rules whose first units example expects a wrong value."""
    return broken_rules(folder, "units", _sub(r'^text = "11个线下服务站"\n(.*?)^value = 11$',
                                               r'text = "11个线下服务站"\n\1value = 12'))


@pytest.mark.slow
def test_a_failing_example_stops_a_run(tmp_path: Path) -> None:
    folder = failing_example(tmp_path / "rules")
    os.mkfifo(tmp_path / "input.txt")
    result = zhstats("--rules", str(folder), "extract", "input.txt", "--out", "out",
                     cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"{folder}/units.toml [examples[0]] '11个线下服务站'" in result.stderr, result.stderr
    assert "value is 11.0, expected 12" in result.stderr
    assert "1 rule-file example fails" in result.stderr


def test_a_run_checks_the_examples_of_a_rules_folder_only(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped rules' examples are tests (tests/test_rules.py): a run with them does
    not run them again; a run with ``--rules`` runs its folder's before reading any text."""
    checked: list[Path] = []
    monkeypatch.setattr(rulecheck, "failing_examples",
                        lambda rules: checked.append(rules.folder) or ())
    monkeypatch.delenv("ZHSTATS_RULES", raising=False)
    copy = broken_rules(tmp_path / "rules", "units", lambda text: text)
    (tmp_path / "a.txt").write_text("新增企业40家", encoding="utf-8")
    for options in ([], ["--rules", str(copy)]):
        result = CliRunner().invoke(app, [*options, "extract", str(tmp_path / "a.txt"),
                                          "--out", str(tmp_path / "out"), "--quiet"])
        assert result.exit_code == 0, result.output
    assert checked == [copy.resolve()]


@pytest.mark.slow
def test_rules_check(tmp_path: Path) -> None:
    result = zhstats("rules", "check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(rf"rules: {len(RULE_FILES)} rule files, \d+ examples, all pass",
                     result.stdout)

    failing = failing_example(tmp_path / "failing")
    result = zhstats("rules", "check", str(failing), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(f"{failing}/units.toml [examples[0]]")
    assert result.stdout.rstrip().endswith("1 fail")

    file, edit, key, reason = BROKEN["wrong type"]
    broken = broken_rules(tmp_path / "broken", file, edit)
    result = zhstats("--rules", str(broken), "rules", "check", cwd=tmp_path)
    assert result.returncode == 2
    assert f"numerals.toml [{key}]: {reason}" in result.stderr


@pytest.mark.parametrize(("file", "edit", "key"), [
    ("statistics", _sub(r"^share = '占", "share = '(占"), "frames.share"),
    ("periods", _sub(r"^pattern = '截至\(\?:目前", "pattern = '截至(?:(目前"),
     "patterns[0]"),
    ("periods", _sub(r'^resolve = "until"', 'resolve = "sometime"'), "patterns[0].resolve"),
])
def test_rules_check_compiles_the_statistics_rules(tmp_path: Path, file: str, edit: Edit,
                                                   key: str) -> None:
    broken = broken_rules(tmp_path / "broken", file, edit)
    result = CliRunner().invoke(app, ["--rules", str(broken), "rules", "check"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {broken / file}.toml [{key}]: "), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.slow
def test_rule_files_are_never_executed(tmp_path: Path) -> None:
    """Strings that would run code if a loader evaluated them stay strings."""
    marker = tmp_path / "executed"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    folder = broken_rules(tmp_path / "rules", "units", _sub(
        r'^"家" = "count"', f'"家" = "count"\n"{payload}" = "count"'))
    text = (folder / "objects.toml").read_text(encoding="utf-8")
    (folder / "objects.toml").write_text(text.replace(
        "[stops]", f"[stops]\n# {payload}", 1), encoding="utf-8")
    result = zhstats("--rules", str(folder), "show", f"新增3家，{payload}12个", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    source = "\n".join(p.read_text(encoding="utf-8")
                       for p in (ROOT / "extractor").glob("*.py"))
    assert not re.search(r"\b(eval|exec)\(|pickle\.loads?\(|yaml\.load\(", source)
