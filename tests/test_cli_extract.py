"""The ``zhstats extract`` and ``zhstats build`` commands: exit codes, output, scale."""

from __future__ import annotations

import codecs
import json
import re
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from extractor.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "seed" / "quality-month-2025-09-15.txt"


def zhstats(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def table(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def news(i: int) -> str:
    return (f"青禾市第{i}号工作通报\n\n2025年{i % 12 + 1}月{i % 28 + 1}日\n\n本报记者 张三\n\n"
            f"今年以来，全市新增企业{i + 10}家，同比增长{i % 40 + 1}.5%，累计为{i * 3 + 100}余家"
            f"企业提供服务，节省费用{i + 2}万元。\n")


@pytest.mark.slow
def test_extract_the_seed(tmp_path: Path) -> None:
    result = zhstats("extract", str(SEED), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "1 article," in result.stderr and "0 errors" in result.stderr
    assert result.stdout == ""
    (article,) = table(tmp_path / "out", "articles")
    assert article["title"] == "聚焦质量提升 赋能创新发展"
    assert len(table(tmp_path / "out", "indicators")) == article["n_mentions"] > 20
    assert (tmp_path / "out" / "datapackage.json").is_file()


def test_quiet(tmp_path: Path) -> None:
    result = zhstats("extract", str(SEED), "--out", str(tmp_path / "out"), "--quiet")
    assert (result.exit_code, result.output) == (0, "")


@pytest.mark.parametrize("args", [
    ["extract", "nothing-here.txt", "--out", "{tmp}/out"],
    ["extract", "{tmp}/*.nothing", "--out", "{tmp}/out"],
    ["extract", str(SEED)],
    ["extract", "--out", "{tmp}/out"],
    ["extract", str(SEED), "--out", "{tmp}/out", "--workers", "0"],
    ["extract", str(SEED), "--out", "{tmp}/out", "--format", "pdf"],
    ["extract", str(SEED), "--out", "{tmp}"],
    ["build", "no-such-dataset"],
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "mine.txt").write_text("not a dataset")
    result = zhstats(*(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 2, result.output
    assert (tmp_path / "mine.txt").read_text() == "not a dataset"


@pytest.mark.slow
def test_stdin_and_formats(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = zhstats("extract", "-", "--out", str(out), stdin=news(1).encode("gb18030"))
    assert result.exit_code == 0, result.output
    (article,) = table(out, "articles")
    assert (article["source"], article["encoding"]) == ("<stdin>", "gb18030")

    feed = "\n".join(json.dumps({"body": news(i), "id": i}, ensure_ascii=False)
                     for i in range(3))
    result = zhstats("extract", "-", "--format", "jsonl", "--text-field", "body",
                     "--out", str(out), stdin=feed.encode())
    assert result.exit_code == 0, result.output
    assert [a["source"] for a in table(out, "articles")] == [
        "<stdin>#line=1", "<stdin>#line=2", "<stdin>#line=3"]

    csv = tmp_path / "t.csv"
    csv.write_text("id,content\n1,\"" + news(5) + "\"\n", encoding="utf-8")
    result = zhstats("extract", str(csv), "--text-column", "content", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(table(out, "articles")[0]["metadata"]) == {"id": "1"}


def test_append(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(news(i), encoding="utf-8")
    assert zhstats("extract", str(folder), "--out", str(out), "--append").exit_code == 0
    (folder / "3.txt").write_text(news(3), encoding="utf-8")
    result = zhstats("extract", str(folder), "--out", str(out), "--append")
    assert result.exit_code == 0, result.output
    assert "1 article," in result.stderr and "3 unchanged articles" in result.stderr
    assert len(table(out, "articles")) == 4


@pytest.mark.slow
def test_build_the_sample_from_the_current_directory(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "datasets" / "sample", tmp_path / "datasets" / "sample",
                    ignore=shutil.ignore_patterns("out"))
    monkeypatch.chdir(tmp_path)
    result = zhstats("build", "--workers", "1")
    assert result.exit_code == 0, result.output
    out = tmp_path / "datasets" / "sample" / "out"
    assert len(table(out, "articles")) == 4
    assert "4 articles" in result.stderr
    result = zhstats("build", "sample", "--out", str(tmp_path / "elsewhere"), "-q")
    assert (result.exit_code, result.output) == (0, "")
    assert table(tmp_path / "elsewhere", "articles") == table(out, "articles")


def write_corpus(folder: Path, good: int) -> list[str]:
    """``good`` valid articles in mixed formats and encodings, plus 20 bad files."""
    folder.mkdir()
    for i in range(good):
        sub = folder / f"part{i % 7}"
        sub.mkdir(exist_ok=True)
        text = news(i)
        match i % 10:
            case 0:
                (sub / f"{i}.jsonl").write_text(
                    json.dumps({"text": text, "n": i}, ensure_ascii=False) + "\n", "utf-8")
            case 1:
                (sub / f"{i}.csv").write_text(f'n,text\n{i},"{text}"\n', "utf-8")
            case 2:
                (sub / f"{i}.txt").write_bytes(text.encode("gbk"))
            case 3:
                (sub / f"{i}.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
            case 4 if i < 200:
                (sub / f"{i}.html").write_text(
                    f"<html><head><title>通报{i}</title></head><body><article>"
                    + "".join(f"<p>{p}</p>" for p in text.split("\n") if p)
                    + "</article></body></html>", "utf-8")
            case _:
                (sub / f"{i}.txt").write_text(text, "utf-8")
    bad = folder / "bad"
    bad.mkdir()
    for j in range(4):
        (bad / f"empty{j}.txt").write_bytes(b"")
        (bad / f"binary{j}.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
        (bad / f"undecodable{j}.txt").write_bytes(b"\xff\xfe\xfd\xff" * 50 + b"\x80")
        (bad / f"malformed{j}.jsonl").write_text('{"text": "缺了引号}\n', "utf-8")
        (bad / f"nocolumn{j}.csv").write_text("id,body\n1,正文。\n", "utf-8")
    return sorted(p.relative_to(folder).as_posix() for p in bad.iterdir())


@pytest.mark.slow
def test_two_thousand_files_with_twenty_bad_ones(tmp_path: Path) -> None:
    folder, out = tmp_path / "corpus", tmp_path / "out"
    bad = write_corpus(folder, 1980)
    began = time.perf_counter()
    result = zhstats("extract", str(folder), "--out", str(out), "--workers", "2")
    seconds = time.perf_counter() - began
    print(f"2000 files in {seconds:.1f} s")
    assert result.exit_code == 1, result.output
    assert "1,980 articles" in result.stderr and "20 errors" in result.stderr
    articles, errors = table(out, "articles"), table(out, "errors")
    assert len(articles) == 1980 and len(errors) == 20
    assert len({a["article_id"] for a in articles}) == 1980
    assert sorted(Path(e["source"].split("#")[0]).relative_to(folder).as_posix()
                  for e in errors) == bad
    assert {e["error_type"] for e in errors} == {
        "EmptyInput", "BinaryInput", "UndecodableInput", "MalformedJSON", "MissingColumn"}
    sources = [a["source"] for a in articles]
    assert sources == sorted(sources)
    # every input file is in exactly one of the two tables
    files = sorted(p.as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(s.split("#")[0] for s in sources + [e["source"] for e in errors]) == files
    assert {a["encoding"] for a in articles} == {"utf-8", "gb18030", "utf-16-le"}
    assert all(a["n_mentions"] >= 3 and a["author"] == "张三" for a in articles)
    assert sum(a["n_mentions"] for a in articles) == len(table(out, "indicators"))


@pytest.mark.slow
def test_progress_bar_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rich.console.Console.is_terminal", property(lambda self: True))
    result = zhstats("extract", str(SEED), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)
    assert "zhstats" in shown and "inputs" in shown
    quiet = zhstats("extract", str(SEED), "--out", str(tmp_path / "out"), "--quiet")
    assert quiet.output == ""


def test_ctrl_c_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("extractor.dataset.run", interrupted)
    result = zhstats("extract", str(SEED), "--out", str(tmp_path / "out"))
    assert result.exit_code == 130
    assert "left as it was" in result.stderr
