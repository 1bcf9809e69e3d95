"""Bounded work per article, and every input in exactly one table (also under --append).

Each test does what a user did when a run hung, grew without bound, or lost track
of an input.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extractor.dataset import RunOptions, run
from extractor.pipeline import process
from extractor.readers import InputFile, RawArticle, discover, file_of, read_input

ROOT = Path(__file__).resolve().parent.parent
ONE = RunOptions(workers=1)
APPEND = RunOptions(workers=1, append=True)


def table(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def sources(out: Path, name: str) -> list[str]:
    return [Path(r["source"]).name for r in table(out, name)]


class Endless(io.RawIOBase):
    """A stream that never ends a line: counts what was read from it."""

    def __init__(self, head: bytes, limit: int) -> None:
        self.head, self.limit, self.read_bytes = head, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        if self.read_bytes >= self.limit:
            return 0
        chunk = (self.head if self.read_bytes == 0 else b"9" * len(buffer))[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.read_bytes += len(chunk)
        return len(chunk)


# -- bounded reading ------------------------------------------------------------------


def test_a_huge_jsonl_line_is_not_held(tmp_path: Path) -> None:
    """A 150 MB JSONL line was read whole before --max-article-mb was checked (526 MB
    peak). Now the line is read in pieces and dropped: the peak stays near the start."""
    path = tmp_path / "feed.jsonl"
    with path.open("wb") as f:
        f.write(b'{"text": "' + "新增企业3家".encode() * 1_000_000 + b'"}\n')  # 16 MB
        f.write(json.dumps({"text": "又新增企业5家"}, ensure_ascii=False).encode() + b"\n")
    code = ("import resource, sys\n"
            "from extractor.readers import discover, read_input\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            f"rows = list(read_input(discover([{str(path)!r}])[0], max_bytes=1_000_000))\n"
            "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
            "print(grown // 1024, [type(r).__name__ for r in rows], rows[0].error_type)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    grown, kinds, error = done.stdout.split(" ", 1)[0], *done.stdout.split(" ", 1)[1].rsplit(
        " ", 1)
    assert kinds == "['ErrorRow', 'RawArticle']" and error.strip() == "ArticleTooLarge"
    assert int(grown) < 8, f"memory grew {grown} MB reading a 16 MB line under a 1 MB limit"


def test_an_endless_line_stops_at_the_time_limit() -> None:
    """An endless line grew to 3 GB in 8 s. Now memory stays flat and the reading stops
    after --max-article-seconds, with the rest of the input unread."""
    stream = Endless(b'{"text": "', limit=1 << 40)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = list(read_input(InputFile("<stdin>", None, "jsonl"), stdin=stream,
                           max_bytes=1000, max_seconds=0.5))
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20_000  # KB
    assert [(r.source, r.error_type) for r in rows] == [("<stdin>#line=1", "ArticleTimeout")]
    assert "after 0.5 s of reading; the rest of the input was not read" in rows[0].message


def test_a_csv_field_over_the_limit_stops_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write('text\n"新增企业3家"\n"' + "新增企业3家\n" * 200_000 + '"\n"不再读到"\n')
    rows = list(read_input(discover([str(path)])[0], max_bytes=100_000))
    assert [(Path(r.source).name, type(r).__name__) for r in rows] == [
        ("t.csv#row=1", "RawArticle"), ("t.csv#row=2", "ErrorRow")]
    assert rows[1].error_type == "ArticleTooLarge"


def test_only_text_encodings_from_meta_charset(tmp_path: Path) -> None:
    """``<meta charset="zlib">`` inflated a 1.3 MB page to 200 MB. A charset that is not
    a text encoding is now ignored; the page is read as UTF-8 or fails as undecodable."""
    import zlib

    body = zlib.compress(b"<p>" + b"0" * 5_000_000 + b"</p>")
    page = b'<html><head><meta charset="zlib"></head><body>' + body + b"</body></html>"
    (tmp_path / "p.html").write_bytes(page)
    (error,) = read_input(discover([str(tmp_path / "p.html")])[0])
    assert error.error_type in ("UndecodableInput", "BinaryInput")
    good = '<html><head><meta charset="gbk"></head><body><p>新增企业3家</p></body></html>'
    (tmp_path / "g.html").write_bytes(good.encode("gbk"))
    (article,) = read_input(discover([str(tmp_path / "g.html")])[0])
    assert article.encoding == "gb18030" and "新增企业3家" in article.content


def test_an_article_past_its_time_limit_is_an_error_row() -> None:
    """A page trafilatura takes minutes over (or a pattern that backtracks) held the run;
    now the article becomes an ``ArticleTimeout`` row after --max-article-seconds."""
    process(RawArticle("warm.txt", "txt", "新增企业30家", "utf-8"))  # the rules compiled
    page = "<html><body><article>" + "<div><p>新增企业30家</p></div>" * 30_000 + \
        "</article></body></html>"
    error = process(RawArticle("slow.html", "html", page, "utf-8"), max_seconds=0.05)
    assert (error.source, error.stage, error.error_type) == ("slow.html", "parse",
                                                            "ArticleTimeout")
    assert error.message.startswith("stopped after 0.05 s in the parse stage")
    fast = process(RawArticle("a.txt", "txt", "新增企业30家", "utf-8"), max_seconds=5)
    assert fast.n_mentions == 1


def test_the_run_goes_on_after_a_timeout(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "slow.html").write_text(
        "<html><body><article>" + "<div><p>新增企业30家</p></div>" * 30_000
        + "</article></body></html>", encoding="utf-8")
    (tmp_path / "in" / "z.txt").write_text("新增企业30家", encoding="utf-8")
    summary = run(discover([str(tmp_path / "in")]), tmp_path / "out",
                  RunOptions(workers=1, max_article_seconds=0.05))
    assert (summary.articles, summary.errors) == (1, 1)
    assert [(Path(e["source"]).name, e["error_type"]) for e in table(tmp_path / "out",
                                                                    "errors")] == [
        ("slow.html", "ArticleTimeout")]


# -- every input in exactly one table --------------------------------------------------


def test_a_name_with_a_hash_leaves_no_stale_error(tmp_path: Path) -> None:
    """Under --append, a file with ``#`` in its name kept its stale error rows, and sat
    in both tables once fixed."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "issue#3.txt").write_bytes(b"")
    (folder / "feed#2.jsonl").write_text('{"text": "未完\n', encoding="utf-8")
    out = tmp_path / "out"
    run(discover([str(folder)]), out, APPEND)
    assert sorted(sources(out, "errors")) == ["feed#2.jsonl#line=1", "issue#3.txt"]
    (folder / "issue#3.txt").write_text("新增企业3家", encoding="utf-8")
    (folder / "feed#2.jsonl").write_text('{"text": "新增企业5家"}\n', encoding="utf-8")
    summary = run(discover([str(folder)]), out, APPEND)
    assert (summary.articles, summary.errors) == (2, 0)
    assert table(out, "errors") == []
    assert sorted(sources(out, "articles")) == ["feed#2.jsonl#line=1", "issue#3.txt"]
    assert file_of("in/feed#2.jsonl#line=1") == "in/feed#2.jsonl"
    assert file_of("in/issue#3.txt") == "in/issue#3.txt"


def test_a_file_emptied_after_it_was_read_is_only_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("新增企业3家", encoding="utf-8")
    (folder / "b.txt").write_text("新增企业4家", encoding="utf-8")
    out = tmp_path / "out"
    run(discover([str(folder)]), out, APPEND)
    (folder / "a.txt").write_bytes(b"")
    summary = run(discover([str(folder)]), out, APPEND)
    assert (summary.articles, summary.skipped, summary.errors) == (0, 1, 1)
    assert sources(out, "articles") == ["b.txt"]
    assert sources(out, "errors") == ["a.txt"]
    assert {r["article_id"] for r in table(out, "indicators")} == {
        table(out, "articles")[0]["article_id"]}, "the emptied file's indicators went too"
    (folder / "a.txt").write_text("新增企业3家", encoding="utf-8")
    run(discover([str(folder)]), out, APPEND)
    assert sorted(sources(out, "articles")) == ["a.txt", "b.txt"]
    assert table(out, "errors") == []


def test_a_changed_file_replaces_its_article(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("新增企业3家", encoding="utf-8")
    out = tmp_path / "out"
    run(discover([str(folder)]), out, APPEND)
    (folder / "a.txt").write_text("新增企业7家", encoding="utf-8")
    summary = run(discover([str(folder)]), out, APPEND)
    assert (summary.articles, summary.skipped) == (1, 0)
    assert [r["text"] for r in table(out, "articles")] == ["新增企业7家"]
    assert [r["surface"] for r in table(out, "indicators")] == ["7家"]


def test_a_blank_only_jsonl_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "blank.jsonl").write_bytes(b"\n   \n" * 40_000)  # past the encoding sample
    summary = run(discover([str(tmp_path / "blank.jsonl")]), tmp_path / "out", ONE)
    assert (summary.articles, summary.errors) == (0, 1)
    (error,) = table(tmp_path / "out", "errors")
    assert (Path(error["source"]).name, error["error_type"], error["message"]) == (
        "blank.jsonl", "EmptyInput", "the JSONL file holds only blank lines")


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses names that are not UTF-8")
def test_a_name_that_is_not_utf8_is_stored_escaped(tmp_path: Path) -> None:
    """One file name that was not valid UTF-8 ended the whole run (exit 3)."""
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.fsdecode(b"\xb9\xfa\xbc\xd2.txt")  # 国家 in GBK, as an old archive names it
    (folder / odd).write_text("新增企业3家", encoding="utf-8")
    (folder / os.fsdecode(b"\xff.txt")).write_bytes(b"")
    (folder / "ok.txt").write_text("新增企业4家", encoding="utf-8")
    summary = run(discover([str(folder)]), tmp_path / "out", ONE)
    assert (summary.articles, summary.errors) == (2, 1)
    assert sorted(sources(tmp_path / "out", "articles")) == ["\\xb9\\xfa\\xbc\\xd2.txt",
                                                           "ok.txt"]
    assert sources(tmp_path / "out", "errors") == ["\\xff.txt"]


def test_max_article_seconds_in_dataset_toml(tmp_path: Path) -> None:
    from extractor.config import ConfigError, DatasetConfig

    toml = tmp_path / "dataset.toml"
    toml.write_text('[dataset]\ninputs = ["a"]\n[options]\nmax_article_seconds = 5\n')
    assert DatasetConfig.load(toml).options.max_article_seconds == 5.0
    assert RunOptions().max_article_seconds == 60.0
    toml.write_text('[dataset]\ninputs = ["a"]\n[options]\nmax_article_seconds = 0\n')
    with pytest.raises(ConfigError, match="max_article_seconds must be a number above 0"):
        DatasetConfig.load(toml)
