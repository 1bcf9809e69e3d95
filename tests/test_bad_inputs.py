"""Bad inputs: a run over every kind of broken input completes, keeps every good row,
and lists each bad input once in ``errors`` with a message a person can act on.

The inputs are generated here (no binary blobs in the repository). One
``zhstats extract`` subprocess reads them all, so what reaches stderr, from the
parent or from its workers, is what a user would see.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from extractor.cli import app

ROOT = Path(__file__).resolve().parent.parent
JSONL_LINES = 100_000
RUN = 100_000
"""Characters of each pathological digit run."""


def zhstats(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh interpreter, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("ZHSTATS_RULES", None)
    return subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def news(i: int) -> str:
    """A short, distinct article with a few mentions."""
    return (f"青禾市第{i}号通报：今年新增企业{i + 10}家，累计为{i * 3 + 100}余家企业"
            f"提供服务，节省费用{i + 2}万元，增长{i % 40 + 1}.5%。")


@dataclass
class Suite:
    """What was written: good sources → their text, bad sources → (error type, phrase)."""

    good: dict[str, str] = field(default_factory=dict)
    bad: dict[str, tuple[str, str]] = field(default_factory=dict)

    def write(self, path: Path, data: bytes | str, expect: str | tuple[str, str]) -> None:
        """Write an input that is one article (its text) or one error (type, phrase)."""
        self.put(path, data)
        self.expect(path, expect)

    @staticmethod
    def put(path: Path, data: bytes | str) -> None:
        """Write an input whose rows are listed one by one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def expect(self, path: Path, expect: str | tuple[str, str]) -> None:
        source = path.relative_to(self.base).as_posix()
        if isinstance(expect, tuple):
            self.bad[source] = expect
        else:
            self.good[source] = expect

    base: Path = Path()


def generate(base: Path) -> Suite:
    """Write every kind of input, good and bad, under ``base/in`` (sources start with in/)."""
    s = Suite(base=base)
    d = base / "in"
    rng = random.Random(20250915)

    # good inputs, some in hard encodings
    s.write(d / "good.txt", news(1), news(1))
    s.write(d / "enc" / "gbk.txt", news(2).encode("gbk"), news(2))
    beyond_gbk = news(3) + "𠀀㐀€"  # four-byte GB18030 characters
    s.write(d / "enc" / "gb18030.txt", beyond_gbk.encode("gb18030"), beyond_gbk)
    big5 = "青禾市第4號通報：今年新增企業14家，累計為112餘家企業提供服務，增長4.5%。"
    s.write(d / "enc" / "big5.txt", big5.encode("big5"), big5)
    s.write(d / "enc" / "utf16le.txt", codecs.BOM_UTF16_LE + news(5).encode("utf-16-le"),
            news(5))
    s.write(d / "enc" / "utf16be.txt", codecs.BOM_UTF16_BE + news(6).encode("utf-16-be"),
            news(6))
    s.write(d / "enc" / "crlf.txt", news(7).replace("，", "\r\n"), news(7).replace("，", "\n"))
    for name, unit in [("ones", "1"), ("yi", "一"), ("wan", "万"), ("commas", "1,"),
                       ("duo", "多")]:
        text = (unit * RUN)[:RUN]
        s.write(d / "runs" / f"{name}.txt", text, text)
    marks = ("增长1😀2%，新增1\u200b000家，收入3\u202e5万元，4\u200d5\ufe0f个，"
             "\u2067120\u2069家，约\u200c3万人，1\u20612亿元")
    s.write(d / "marks.txt", marks, marks)

    # JSONL: 10⁵ lines, some malformed, some without text, a few subtly broken
    lines, good_lines = [], {}
    for i in range(JSONL_LINES):
        n = i + 1
        where = f"in/feed.jsonl#line={n}"
        if i % 1000 == 7:
            lines.append('{"text": "unterminated')
            s.bad[where] = ("MalformedJSON", "not valid JSON")
        elif i % 1000 == 507:
            lines.append(json.dumps({"body": news(i), "id": i}, ensure_ascii=False))
            s.bad[where] = ("MissingTextField", "no text in field 'text'")
        else:
            lines.append(json.dumps({"text": news(i + 100), "id": i}, ensure_ascii=False))
            good_lines[where] = news(i + 100)
    for line, expect in [
        ('{"text": "新增\\ud800企业3家"}', ("InvalidUnicode", "surrogate")),  # lone surrogate
        ("[" * 100_000 + "]" * 100_000, ("MalformedJSON", "cannot be read as JSON")),  # deep
        ('{"text": "新增3家", "n": ' + "9" * 5000 + "}",
         ("MalformedJSON", "cannot be read as JSON")),  # an int Python will not parse
        ("[1, 2]", ("NotAnObject", "not an object")),
        ('{"text": null}', ("MissingTextField", "no text")),
    ]:
        lines.append(line)
        s.bad[f"in/feed.jsonl#line={len(lines)}"] = expect
    s.put(d / "feed.jsonl", "\n".join(lines) + "\n")
    s.good.update(good_lines)

    # CSV: a quoted newline, ragged rows; a CSV without the text column
    rows = ['id,title,text', f'1,a,"{news(8)}"', f'2,b,"{news(9)}\n第二段：新增3家"',
            '3,c,"新增5家",extra,fields', "4", f'5,e,"{news(10)}"', "6,f,"]
    s.put(d / "table.csv", "\n".join(rows) + "\n")
    s.good.update({"in/table.csv#row=1": news(8), "in/table.csv#row=5": news(10),
                   "in/table.csv#row=2": f"{news(9)}\n第二段：新增3家"})
    s.bad.update({"in/table.csv#row=3": ("RaggedRow", "5 fields but the header has 3"),
                  "in/table.csv#row=4": ("MissingTextField", "only 1 of the header's 3"),
                  "in/table.csv#row=6": ("MissingTextField", "no text in column 'text'")})
    s.write(d / "notext.csv", "id,body\n1,新增3家\n", ("MissingColumn", "no column 'text'"))

    # bad files
    b = d / "bad"
    s.write(b / "empty.txt", b"", ("EmptyInput", "empty"))
    s.write(b / "blank.txt", " \n\t\u3000\r\n  ", ("EmptyInput", "only whitespace"))
    s.write(b / "random.txt", rng.randbytes(4096), ("BinaryInput", "not a text file"))
    s.write(b / "random-high.txt", bytes(rng.randrange(0x80, 0x100) for _ in range(4096)),
            ("UndecodableInput", "not valid UTF-8"))
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(2000)
    s.write(b / "scan.txt", png, ("BinaryInput", "NUL"))
    s.write(b / "nul.txt", news(11).encode()[:30] + b"\x00" + news(11).encode()[30:],
            ("BinaryInput", "NUL"))
    s.write(b / "invalid-utf8.txt", news(12).encode() + b"\xff\xfe" + news(13).encode(),
            ("UndecodableInput", "not valid UTF-8"))
    s.write(b / "truncated-utf8.txt", news(14).encode()[:-2],
            ("UndecodableInput", "not valid UTF-8"))
    s.write(b / "scripts.html", "<html><head><script>var n = 130;</script></head><body>"
            "<script>document.write('新增企业130多家')</script><noscript></noscript>"
            "</body></html>", ("NoMainText", "no main text"))
    huge = b / "huge.txt"  # 100 MB of text; its size alone rules it out
    with huge.open("wb") as f:
        block = (news(15) * 8000).encode()[:1_000_000]
        for _ in range(100):
            f.write(block)
    s.expect(huge, ("ArticleTooLarge", "over the limit of 20 MB"))

    # unreadable files and symlink loops (chmod cannot lock root out, so only as non-root)
    os.symlink("missing.txt", b / "dangling.txt")
    s.expect(b / "dangling.txt", ("FileNotFoundError", "symbolic link to missing.txt"))
    os.symlink("loop.txt", b / "loop.txt")
    s.expect(b / "loop.txt", ("OSError", "symbolic links"))
    os.symlink("loop-b.txt", b / "loop-a.txt")
    os.symlink("loop-a.txt", b / "loop-b.txt")
    s.expect(b / "loop-a.txt", ("OSError", "symbolic links"))
    s.expect(b / "loop-b.txt", ("OSError", "symbolic links"))
    os.symlink("..", d / "enc" / "up")  # a folder loop: walked once, no error, no hang
    os.mkfifo(b / "pipe.txt")  # a pipe in a folder is not read (it would block)
    if os.geteuid() != 0:
        s.write(b / "locked.txt", news(16), ("PermissionError", "Permission denied"))
        (b / "locked.txt").chmod(0)
    # a file named on the command line with a format zhstats does not read
    s.write(base / "photo.png", png, ("UnsupportedFormat", "unsupported file type '.png'"))
    return s


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Suite, subprocess.CompletedProcess[str],
                                                           Path]:
    base = tmp_path_factory.mktemp("bad")
    suite = generate(base)
    result = zhstats("extract", "in", "photo.png", "--out", "out", "--workers", "2", cwd=base)
    return suite, result, base / "out"


@pytest.mark.slow
def test_the_run_completes_without_a_traceback(run) -> None:
    _, result, out = run
    assert result.returncode == 1, result.stderr[-3000:]  # 1: some inputs are in errors
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "Error:" not in result.stderr, result.stderr[-3000:]
    assert (out / "datapackage.json").is_file()


@pytest.mark.slow
def test_every_good_input_is_an_article(run) -> None:
    suite, _, out = run
    articles = pq.read_table(out / "articles.parquet", columns=["source", "text"]).to_pylist()
    got = {a["source"]: a["text"] for a in articles}
    assert len(got) == len(articles)
    missing = sorted(set(suite.good) - set(got))
    assert not missing, missing[:20]
    extra = sorted(set(got) - set(suite.good))
    assert not extra, extra[:20]
    wrong = [s for s, text in suite.good.items() if got[s] != text]
    assert not wrong, wrong[:20]


@pytest.mark.slow
def test_every_bad_input_is_one_error_a_person_can_read(run) -> None:
    suite, _, out = run
    errors = pq.read_table(out / "errors.parquet").to_pylist()
    sources = [e["source"] for e in errors]
    assert len(sources) == len(set(sources)), "an input is listed twice"
    assert set(sources) == set(suite.bad), (sorted(set(sources) - set(suite.bad))[:10],
                                            sorted(set(suite.bad) - set(sources))[:10])
    for e in errors:
        kind, phrase = suite.bad[e["source"]]
        assert e["error_type"] == kind, e
        assert phrase in e["message"], e
        assert "Traceback" not in e["message"] and len(e["message"]) < 400, e


@pytest.mark.slow
def test_indicators_belong_to_articles_and_match_their_text(run) -> None:
    _, _, out = run
    articles = pq.read_table(out / "articles.parquet",
                             columns=["article_id", "text", "n_mentions"]).to_pylist()
    by_id = {a["article_id"]: a for a in articles}
    indicators = pq.read_table(out / "indicators.parquet",
                               columns=["article_id", "start", "end", "surface"]).to_pylist()
    counts: dict[str, int] = {}
    for row in indicators:
        text = by_id[row["article_id"]]["text"]
        assert text[row["start"]:row["end"]] == row["surface"]
        counts[row["article_id"]] = counts.get(row["article_id"], 0) + 1
    assert all(counts.get(aid, 0) == a["n_mentions"] for aid, a in by_id.items())
    assert sum(counts.values()) > JSONL_LINES  # the good JSONL lines alone hold more


@pytest.mark.slow
def test_a_lower_size_limit_applies_to_each_format(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    big = news(1) * 200  # about 16 KB of UTF-8
    (tmp_path / "in" / "a.txt").write_text(big)
    (tmp_path / "in" / "b.jsonl").write_text(
        json.dumps({"text": big}, ensure_ascii=False) + "\n"
        + json.dumps({"text": news(2)}, ensure_ascii=False) + "\n")
    # a CSV field cannot be skipped without reading it: the file's reading stops there
    (tmp_path / "in" / "c.csv").write_text(f'text\n"{news(3)}"\n"{big}"\n"{news(4)}"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--out", str(out),
                                      "--max-article-mb", "0.01", "--workers", "1"])
    assert result.exit_code == 1, result.output
    errors = pq.read_table(out / "errors.parquet").to_pylist()
    assert [(e["source"].split("/in/")[1], e["error_type"]) for e in errors] == [
        ("a.txt", "ArticleTooLarge"), ("b.jsonl#line=1", "ArticleTooLarge"),
        ("c.csv#row=2", "ArticleTooLarge")]
    assert all("over the limit of 0.01 MB" in e["message"] for e in errors)
    assert errors[2]["message"].endswith("; the rest of the file was not read")
    assert pq.read_table(out / "articles.parquet").num_rows == 2


def test_the_size_limit_applies_to_stdin(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", "-", "--out", str(out), "--max-article-mb",
                                      "0.001", "--workers", "1"], input=news(1) * 100)
    assert result.exit_code == 1, result.output
    (error,) = pq.read_table(out / "errors.parquet").to_pylist()
    assert error["error_type"] == "ArticleTooLarge"
    assert error["message"].startswith("the article is over the limit of 0.001 MB")


def test_max_article_mb_in_dataset_toml(tmp_path: Path) -> None:
    from extractor.dataset import ConfigError, DatasetConfig

    (tmp_path / "dataset.toml").write_text('[dataset]\ninputs = ["a"]\n[options]\n'
                                           "max_article_mb = 0.5\n")
    assert DatasetConfig.load(tmp_path / "dataset.toml").options.max_article_mb == 0.5
    (tmp_path / "dataset.toml").write_text('[dataset]\ninputs = ["a"]\n[options]\n'
                                           'max_article_mb = "big"\n')
    with pytest.raises(ConfigError, match="max_article_mb must be a number above 0"):
        DatasetConfig.load(tmp_path / "dataset.toml")


def test_an_unexpected_error_is_one_line_unless_debug(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.dataset

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(extractor.dataset, "run", broken)
    (tmp_path / "a.txt").write_text(news(1))
    args = ["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3
    assert "unexpected RuntimeError: the disk caught fire" in result.stderr
    assert "--debug" in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(app, [*args, "--debug"])
    assert isinstance(result.exception, RuntimeError)
