"""A new user's first hour: every command reads inputs as ``extract`` does, says plainly
what went wrong (exit 2 for a usage error, never a traceback), and prints numbers for
people. Each test runs the command as a user would."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from browsers import find_chromium
from typer.testing import CliRunner, Result

import extractor
from extractor import conformance, extract, to_frame
from extractor.cli import app
from extractor.display import number
from extractor.schema import INDICATORS

ROOT = Path(__file__).resolve().parent.parent
NEWS = "全市新增企业260万家，总投资约3.5亿元。"
PAGE = ("<html><head><title>通报</title></head><body><nav>首页 | 新闻</nav><article><h1>青禾市"
        "经济运行通报</h1><p>今年以来，全市新增企业260万家，总投资约3.5亿元，同比增长12.5%，"
        "各项指标稳中向好，服务企业的能力进一步提升。</p><p>下一步，全市将继续优化营商环境，"
        "推动高质量发展，为企业提供更多便利。</p></article><footer>版权所有 © 2025 青禾市"
        "融媒体中心 备案号 00000000</footer></body></html>")
COMMANDS = (["show"], ["explain"], ["eval"], ["extract"], ["build"], ["conformance"],
            ["report"], ["rules"], ["rules", "check"])


def zhstats(*args: str, stdin: bytes | str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


# 1. show and explain read a file exactly as extract does


def test_show_reads_a_gbk_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(NEWS.encode("gbk"))
    result = zhstats("show", str(path))
    assert result.exit_code == 0, result.output
    assert "260万家" in result.stdout and "约3.5亿元" in result.stdout
    assert result.stderr == ""


def test_show_takes_the_main_text_of_a_page(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    result = zhstats("show", str(path))
    assert result.exit_code == 0, result.output
    assert "260万家" in result.stdout and "12.5%" in result.stdout
    assert "2025" not in result.stdout and "00000000" not in result.stdout


def test_show_a_missing_file_is_an_error(tmp_path: Path) -> None:
    result = zhstats("show", str(tmp_path / "nosuchfile.txt"))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {tmp_path / 'nosuchfile.txt'}: no such file (to read it "
                             "as text, add --text)\n")
    assert result.stdout == ""
    for arg in ("news/today", "./a"):
        assert zhstats("explain", arg).exit_code == 2


def test_text_that_is_not_a_path_is_read_as_text() -> None:
    result = zhstats("show", "每吨3000元/吨，共30吨")
    assert result.exit_code == 0, result.output
    assert "30吨" in result.stdout


def test_text_flag_forces_literal_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("新增企业3家", encoding="utf-8")
    assert "3家" in zhstats("show", str(path)).stdout
    result = zhstats("show", "--text", str(path))
    assert result.exit_code == 0, result.output
    assert "3家" not in result.stdout
    assert zhstats("show", "--text", "新增企业3家").stdout.count("3家") == 1


def test_show_reads_standard_input() -> None:
    result = zhstats("show", "-", stdin=NEWS.encode("gb18030"))
    assert result.exit_code == 0, result.output
    assert "260万家" in result.stdout and "2,600,000" in result.stdout


def test_a_jsonl_line_or_csv_row_by_number(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "新增企业3家"}\n\n{"body": "x"}\n{"text": "新增企业5家"}\n',
                    encoding="utf-8")
    result = zhstats("show", str(feed))
    assert result.exit_code == 2
    assert "holds more than one article: choose one with --line N (the first is line 1)" \
        in result.stderr
    result = zhstats("show", str(feed), "--line", "4")
    assert result.exit_code == 0, result.output
    assert "5家" in result.stdout and "3家" not in result.stdout
    result = zhstats("show", str(feed), "--line", "2")
    assert (result.exit_code, result.stderr) == (2, f"Error: {feed} has no article on line 2\n")
    result = zhstats("show", str(feed), "--line", "3")
    assert result.exit_code == 1
    assert "line 3 has no text in field 'text' (fields: body)" in result.stderr

    table = tmp_path / "t.csv"
    table.write_text("id,text\n1,新增企业3家\n2,新增企业7家\n", encoding="utf-8")
    result = zhstats("explain", str(table), "--row", "2")
    assert result.exit_code == 0, result.output
    assert "7家" in result.stdout and "3家" not in result.stdout
    result = zhstats("show", "--line", "2", "新增企业7家")
    assert result.exit_code == 2 and "not of text" in result.stderr


def test_an_unreadable_file_exits_1_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"\x00\x01\x02" * 50)
    result = zhstats("explain", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: holds NUL bytes")
    result = zhstats("show", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.stderr


def test_explain_reads_the_file_and_prints_numbers_for_people(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(NEWS.encode("gbk"))
    result = zhstats("explain", str(path))
    assert result.exit_code == 0, result.output
    assert "[6:11] 260万家  → mention: number" in result.stdout
    assert "value 2,600,000 bounds [2,600,000, 2,600,000] exact" in result.stdout
    assert "value 350,000,000 bounds [-, -] about" in result.stdout


# 2. report works after the Quickstart's install; conformance says how to get it


def test_report_needs_no_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = {d.split(">")[0].split("[")[0] for d in project["dependencies"]}
    assert {"altair", "vl-convert-python", "jinja2", "markupsafe"} <= names
    assert "report" not in project["optional-dependencies"]


def test_report_says_how_to_get_a_missing_library(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "jinja2" else real(name, *a))
    result = zhstats("report", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: zhstats report needs jinja2, which zhstats "
                                    "installs: reinstall it")


def test_conformance_without_its_data_says_where_it_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(conformance, "DATA", tmp_path / "nowhere")
    monkeypatch.chdir(tmp_path)
    result = zhstats("conformance")
    assert result.exit_code == 2
    assert "tests/data/conformance" in result.stderr and "clone" in result.stderr


# 3. the browser test: skipped with its reason without Chromium, required under CI


@pytest.mark.parametrize("ci", [None, "1"])
def test_without_chromium_the_browser_test_is_skipped_unless_ci(ci: str | None,
                                                               tmp_path: Path) -> None:
    environ = {"CI": ci} if ci else {}
    with pytest.raises(pytest.fail.Exception if ci else pytest.skip.Exception) as caught:
        find_chromium(environ, path=str(tmp_path))  # no chromium there
    message = str(caught.value)
    assert "no Chromium on PATH (chromium or chromium-browser)" in message
    assert ("CI is set, so it is required" in message) == bool(ci)
    browser = tmp_path / "chromium-browser"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    assert find_chromium(environ, path=str(tmp_path)) == str(browser)


@pytest.mark.slow
@pytest.mark.parametrize("ci", [None, "1"])
def test_browser_test_without_chromium(ci: str | None) -> None:
    """The same through pytest itself, in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(Path(sys.executable).parent)  # no chromium there
    if ci:
        env["CI"] = ci
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider",
         "tests/test_report.py::test_the_sample_report_in_chromium"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if ci:
        assert run.returncode == 1, run.stdout
        assert "CI is set, so it is required" in run.stdout
    else:
        assert run.returncode == 0, run.stdout
        assert "1 skipped" in run.stdout
        assert "no Chromium on PATH (chromium or chromium-browser)" in run.stdout


# 4. no traceback for an ordinary mistake


def test_report_on_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = zhstats("report", str(tmp_path / "nothing"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {tmp_path / 'nothing'} does not exist")


def test_report_into_the_dataset_or_a_missing_folder(sample_dataset: Path, tmp_path: Path
                                                      ) -> None:
    result = zhstats("report", str(sample_dataset), "--out", str(sample_dataset / "report.html"))
    assert result.exit_code == 2
    assert "is inside the dataset folder" in result.stderr
    assert not (sample_dataset / "report.html").exists()
    missing = tmp_path / "no" / "report.html"
    result = zhstats("report", str(sample_dataset), "--out", str(missing))
    assert result.exit_code == 2
    assert f"the folder {missing.parent} does not exist" in result.stderr
    result = zhstats("report", str(sample_dataset), "--out", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.stderr
    for r in (result,):
        assert "Traceback" not in r.output


@pytest.mark.parametrize(("content", "message"), [
    ('{"text": "a", "mentions": []}\nnot json\n',
     "line 2: not valid JSON (Expecting value at column 1)"),
    ('{"id": "x", "text": "a"}\n', """line 1: a gold line needs "text" (a string) and """
     """"mentions" (a list); it has 'id', 'text'"""),
    ('[1, 2]\n', "line 1: a JSON list, not an object"),
    ('{"text": "3家", "mentions": [{"start": 0, "end": 2, "surface": "3家"}]}\n',
     "line 1: mention 0 lacks 'value', 'lower', 'upper', 'approx', 'unit', 'dimension'"),
])
def test_eval_names_the_line_and_what_is_missing(tmp_path: Path, content: str,
                                                 message: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(content, encoding="utf-8")
    result = zhstats("eval", str(gold))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {gold}, {message}\n"


@pytest.mark.parametrize(("value", "name"), [(None, "NoneType"), (math.nan, "float"),
                                             (b"3\xe5\xae\xb6", "bytes")])
def test_extract_takes_a_str(value: object, name: str) -> None:
    with pytest.raises(TypeError, match=f"^extract\\(\\) takes the article text as a str, "
                                        f"not {name}$"):
        extract(value)  # type: ignore[arg-type]


# 5. help that reads like a good CLI's


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help(command: list[str]) -> None:
    long, short = zhstats(*command, "--help"), zhstats(*command, "-h")
    assert long.exit_code == short.exit_code == 0
    assert long.stdout == short.stdout
    assert "<" not in long.stdout and "{" not in long.stdout
    assert long.stdout.count("Example: zhstats ") == 1
    assert f"Example: zhstats {' '.join(command)}" in long.stdout or command == ["rules"]


def test_top_level_help_and_version() -> None:
    result = zhstats("-h")
    assert result.exit_code == 0
    assert "<" not in result.stdout and "--version" in result.stdout
    assert "Example: zhstats show --text" in result.stdout
    result = zhstats("--version")
    build = extractor.engine_build()
    assert build in ("compiled", "pure Python")
    assert (result.exit_code, result.stdout) == (
        0, f"zhstats {extractor.__version__} (engine: {build})\n")


def test_append_and_replace_on_both_commands(tmp_path: Path) -> None:
    for command in ("extract", "build"):
        assert "--append" in zhstats(command, "-h").stdout
        assert "--replace" in zhstats(command, "-h").stdout
    path = tmp_path / "a.txt"
    path.write_text(NEWS, encoding="utf-8")
    out = tmp_path / "out"
    assert zhstats("extract", str(path), "--out", str(out), "-w", "1").exit_code == 0
    result = zhstats("extract", str(path), "--out", str(out), "-w", "1", "--append")
    assert result.exit_code == 0 and "1 unchanged article" in result.stderr
    result = zhstats("extract", str(path), "--out", str(out), "-w", "1", "--replace")
    assert result.exit_code == 0 and "unchanged" not in result.stderr


def test_usage_errors_are_one_plain_line(tmp_path: Path) -> None:
    long = tmp_path / ("a-rather-long-folder-name-for-a-corpus-of-news" * 2) / "gold.jsonl"
    result = zhstats("eval", str(long))
    assert result.exit_code == 2
    assert f"Error: Invalid value for 'GOLD': file '{long}' does not exist.\n" in result.stderr
    assert "╭" not in result.stderr
    result = zhstats("extrct")
    assert result.exit_code == 2
    assert "Error: No such command 'extrct'. Did you mean 'extract'?" in result.stderr
    result = zhstats("show", "--lines", "2", "a.jsonl")
    assert result.exit_code == 2 and "(Possible options: --line)" in result.stderr


# 6. numbers for people


@pytest.mark.parametrize(("value", "shown"), [
    (2.6e6, "2,600,000"), (3.5e8, "350,000,000"), (0.035, "0.035"), (12.5, "12.5"),
    (1e20, "100,000,000,000,000,000,000"), (-3.0, "-3"), (1234.5678, "1,234.5678"),
    (0.0, "0"), (None, ""), (math.inf, "inf"),
])
def test_number(value: float | None, shown: str) -> None:
    assert number(value) == shown


def test_show_prints_numbers_for_people() -> None:
    result = zhstats("show", "--text", NEWS)
    assert result.exit_code == 0
    assert "2,600,000" in result.stdout and "350,000,000" in result.stdout
    assert "e+" not in result.stdout and "…" not in result.stdout


# 8. say what was skipped


def test_skipped_files_are_counted_and_listed(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(NEWS, encoding="utf-8")
    for name in ("b.pdf", "sub/c.pdf", "d.docx", ".hidden.pdf"):
        (folder / name).write_bytes(b"%PDF")
    out = tmp_path / "out"
    result = zhstats("extract", str(folder), "--out", str(out), "-w", "1")
    assert result.exit_code == 0, result.output
    assert ("Note: skipped 3 files of unsupported types (2 .pdf, 1 .docx); --debug lists "
            "them\n") in result.stderr
    result = zhstats("extract", str(folder), "--out", str(out), "-w", "1", "--debug")
    assert (f"(2 .pdf, 1 .docx):\n  skipped {folder}/b.pdf\n  skipped {folder}/d.docx\n"
            f"  skipped {folder}/sub/c.pdf\n") in result.stderr

    (folder / "dataset.toml").write_text('[dataset]\ninputs = ["."]\n', encoding="utf-8")
    result = zhstats("build", str(folder), "--out", str(out), "-w", "1")
    assert result.exit_code == 0, result.output
    assert "skipped 4 files of unsupported types (2 .pdf, 1 .docx, 1 .toml)" in result.stderr

    only = tmp_path / "only"
    only.mkdir()
    (only / "x.pdf").write_bytes(b"%PDF")
    result = zhstats("extract", str(only), "--out", str(out))
    assert result.exit_code == 2
    assert "only files of other types: 1 .pdf" in result.stderr


# 9. pandas at the API; the input's own id


def test_to_frame_matches_the_indicators_table(tmp_path: Path) -> None:
    texts = [NEWS, "累计为900余家企业提供近3万次服务", "没有数字"]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts),
                    encoding="utf-8")
    result = zhstats("extract", str(feed), "--out", str(tmp_path / "out"), "-w", "1")
    assert result.exit_code == 0, result.output
    stored = pd.read_parquet(tmp_path / "out" / "indicators.parquet")
    frame = to_frame(texts)
    assert tuple(frame.columns) == INDICATORS.column_names
    assert dict(frame.dtypes.astype(str)) == dict(stored.dtypes.astype(str))
    pd.testing.assert_frame_equal(frame, stored, check_categorical=False)
    assert len(to_frame(NEWS)) == 2


def test_to_frame_of_mentions() -> None:
    frame = to_frame(extract(NEWS))
    assert list(frame.columns) == ["start", "end", "surface", "value", "lower", "upper",
                                   "approx", "qualifier", "unit", "dimension", "object", "rule",
                                   "measure", "direction", "basis", "period", "period_start",
                                   "period_end", "place", "estimate"]
    assert frame["value"].tolist() == [2_600_000.0, 350_000_000.0]
    assert math.isnan(frame["lower"][1])
    assert str(frame["approx"].dtype) == "category" and str(frame["end"].dtype) == "int64"
    assert to_frame([]).empty
    with pytest.raises(TypeError, match="not NoneType"):
        to_frame(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a mix of texts and Mentions"):
        to_frame([NEWS, *extract(NEWS)])  # type: ignore[list-item]


def test_to_frame_docstring_example_runs() -> None:
    import doctest

    import extractor.frame

    assert doctest.testmod(extractor.frame).failed == 0


def test_the_input_id_is_a_column(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": 7, "text": NEWS}, ensure_ascii=False) + "\n"
                    + json.dumps({"text": "新增企业3家"}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_text("id,text\nq-1,新增企业5家\n", encoding="utf-8")
    out = tmp_path / "out"
    result = zhstats("extract", str(feed), str(table), "--out", str(out), "-w", "1")
    assert result.exit_code == 0, result.output
    rows = pq.read_table(out / "articles.parquet").to_pylist()
    assert [(r["source"].rsplit("/", 1)[1], r["id"]) for r in rows] == [
        ("feed.jsonl#line=1", "7"), ("feed.jsonl#line=2", None), ("t.csv#row=1", "q-1")]
    assert json.loads(rows[0]["metadata"]) == {"id": 7}
