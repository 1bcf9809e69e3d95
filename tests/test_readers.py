"""Input discovery, decoding and the four input formats (extractor/readers.py)."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.readers import (
    ErrorRow,
    InputFile,
    InputNotFound,
    RawArticle,
    ReadFailure,
    decode,
    discover,
    html_to_article,
    read_input,
)

SIMPLIFIED = "今年,我市印发通知,纳入培育企业40家。全市共有2家企业获中国质量奖提名奖。\n"
TRADITIONAL = "臺灣經濟部統計處發布資料顯示，今年前三季出口總額達3,500億美元，較去年同期增長12.5%。\n"  # noqa: E501


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def read_all(path: Path, **kwargs) -> list[RawArticle | ErrorRow]:
    (item,) = discover([str(path)])
    return list(read_input(item, **kwargs))


# -- discovery ---------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("b.txt", "a.TXT", "sub/c.jsonl", "sub/deeper/d.csv", "sub/e.html",
                 "sub/f.htm", ".hidden.txt", ".git/g.txt", "notes.md", "img.png"):
        write(tmp_path / "in" / name, SIMPLIFIED)
    return tmp_path / "in"


def test_folder_is_searched_recursively_sorted_and_filtered(tree: Path) -> None:
    files = discover([str(tree)])
    names = [Path(f.source).relative_to(tree).as_posix() for f in files]
    assert names == ["a.TXT", "b.txt", "sub/c.jsonl", "sub/deeper/d.csv", "sub/e.html",
                     "sub/f.htm"]
    assert [f.fmt for f in files] == ["txt", "txt", "jsonl", "csv", "html", "html"]


def test_order_does_not_depend_on_argument_order(tree: Path) -> None:
    one = discover([str(tree / "sub"), str(tree / "b.txt")])
    two = discover([str(tree / "b.txt"), str(tree / "sub")])
    assert one == two


def test_glob_and_duplicates(tree: Path) -> None:
    files = discover([str(tree / "**" / "*.htm*"), str(tree / "sub" / "e.html")])
    assert [Path(f.source).name for f in files] == ["e.html", "f.htm"]


def test_explicit_file_with_unknown_suffix_becomes_an_error(tree: Path) -> None:
    (item,) = discover([str(tree / "notes.md")])
    assert item.fmt is None
    (row,) = read_input(item)
    assert isinstance(row, ErrorRow)
    assert (row.stage, row.error_type) == ("read", "UnsupportedFormat")


def test_forced_format(tree: Path) -> None:
    (item,) = discover([str(tree / "notes.md")], fmt="txt")
    assert item.fmt == "txt"


def test_glob_skips_unsupported_files(tree: Path) -> None:
    files = discover([str(tree / "*")])
    assert [Path(f.source).name for f in files] == ["a.TXT", "b.txt", "c.jsonl", "d.csv",
                                                    "e.html", "f.htm"]


def test_base_makes_sources_relative(tree: Path) -> None:
    files = discover(["sub", "*.[tT][xX][tT]"], base=tree)
    assert [f.source for f in files] == ["a.TXT", "b.txt", "sub/c.jsonl", "sub/deeper/d.csv",
                                         "sub/e.html", "sub/f.htm"]


@pytest.mark.parametrize("arg", ["missing.txt", "missing/", "*.nothing", "*.md"])
def test_inputs_that_name_nothing_are_usage_errors(tree: Path, arg: str) -> None:
    with pytest.raises(InputNotFound, match=r"missing|nothing|no csv/html/jsonl/txt file"):
        discover([arg], base=tree)


def test_folder_without_supported_files_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", "笔记")
    with pytest.raises(InputNotFound, match="no csv/html/jsonl/txt file"):
        discover([str(tmp_path)])


def test_stdin(tmp_path: Path) -> None:
    (item,) = discover(["-"])
    assert item == InputFile("<stdin>", None, "txt")
    (article,) = read_input(item, stdin=io.BytesIO(SIMPLIFIED.encode("gb18030")))
    assert isinstance(article, RawArticle)
    assert (article.source, article.content, article.encoding) == (
        "<stdin>", SIMPLIFIED, "gb18030")


# -- decoding ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encode", "encoding"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8-sig"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (SIMPLIFIED, "gb2312", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "utf-8", "utf-8"),
    ],
)
def test_encodings_are_detected_and_recorded(text: str, encode: str, encoding: str) -> None:
    assert decode(text.encode(encode)) == (text, encoding)


@pytest.mark.parametrize(("bom", "codec", "encoding"), [
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
])
def test_utf16_with_bom(bom: bytes, codec: str, encoding: str) -> None:
    assert decode(bom + SIMPLIFIED.encode(codec)) == (SIMPLIFIED, encoding)


def test_short_gbk_text_still_decodes() -> None:
    assert decode("短文。".encode("gbk")) == ("短文。", "gb18030")


def test_declared_html_charset_is_tried_first() -> None:
    assert decode(TRADITIONAL.encode("big5"), declared="big5") == (TRADITIONAL, "big5")
    assert decode(SIMPLIFIED.encode("gbk"), declared="GB2312") == (SIMPLIFIED, "gb18030")
    assert decode(SIMPLIFIED.encode("gbk"), declared="no-such-codec")[1] == "gb18030"


def test_line_breaks_are_normalized() -> None:
    assert decode("一\r\n二\r三\n".encode()) == ("一\n二\n三\n", "utf-8")


@pytest.mark.parametrize(
    ("raw", "error_type"),
    [
        (b"", "EmptyInput"),
        (b" \n\t\r\n", "EmptyInput"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "BinaryInput"),
        (bytes(range(1, 9)) * 20 + "文字".encode(), "BinaryInput"),
        (b"\xff\xff\xfe\xfd\xff\xfa" * 30, "UndecodableInput"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xff", "UndecodableInput"),
    ],
)
def test_unreadable_inputs(raw: bytes, error_type: str) -> None:
    with pytest.raises(ReadFailure) as info:
        decode(raw)
    assert info.value.error_type == error_type
    assert info.value.message


HAN_TEXT = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
    | st.sampled_from("，。、 0123456789%\n"),
    min_size=1, max_size=200,
).filter(str.strip)


@given(text=HAN_TEXT, codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_unicode_round_trip(text: str, codec: str) -> None:
    decoded, _ = decode(text.encode(codec))
    assert decoded == text


# -- formats -------------------------------------------------------------------


def test_txt_file(tmp_path: Path) -> None:
    (article,) = read_all(write(tmp_path / "a.txt", SIMPLIFIED.encode("gbk")))
    assert article == RawArticle(str(tmp_path / "a.txt"), "txt", SIMPLIFIED, "gb18030", {})


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02\x03binary\x00"])
def test_bad_txt_file_is_one_error_row(tmp_path: Path, raw: bytes) -> None:
    (row,) = read_all(write(tmp_path / "bad.txt", raw))
    assert isinstance(row, ErrorRow)
    assert row.source == str(tmp_path / "bad.txt")
    assert row.stage == "read"


def test_jsonl_lines_fields_and_errors(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "第一篇。", "title": "标题一", "tags": ["a"]}, ensure_ascii=False),
        "",
        '{"text": "broken',
        json.dumps({"body": "没有text字段"}, ensure_ascii=False),
        "[1, 2]",
        json.dumps({"text": "第二篇。\r\n第二段。"}, ensure_ascii=False),
        json.dumps({"text": "   "}),
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    rows = read_all(path)
    src = str(path)
    assert [(r.source, type(r).__name__) for r in rows] == [
        (f"{src}#line=1", "RawArticle"),
        (f"{src}#line=3", "ErrorRow"),
        (f"{src}#line=4", "ErrorRow"),
        (f"{src}#line=5", "ErrorRow"),
        (f"{src}#line=6", "RawArticle"),
        (f"{src}#line=7", "ErrorRow"),
    ]
    assert rows[0].fields == {"title": "标题一", "tags": ["a"]}
    assert rows[0].content == "第一篇。"
    assert [r.error_type for r in rows if isinstance(r, ErrorRow)] == [
        "MalformedJSON", "MissingTextField", "NotAnObject", "MissingTextField"]
    assert "line 3" in rows[1].message
    assert "'text'" in rows[2].message and "body" in rows[2].message
    assert rows[4].content == "第二篇。\n第二段。"


def test_large_jsonl_is_read_line_by_line(tmp_path: Path) -> None:
    line = json.dumps({"text": SIMPLIFIED * 20}, ensure_ascii=False) + "\n"
    good = 70_000 // len(line.encode("gb18030")) + 1  # past the detection sample
    path = write(tmp_path / "big.jsonl", (line * good).encode("gb18030") + b"\xff\xff\n"
                 + line.encode("gb18030"))
    rows = read_all(path)
    assert len(rows) == good + 2
    assert all(isinstance(r, RawArticle) and r.encoding == "gb18030"
               for r in rows[:good] + rows[-1:])
    assert rows[good] == ErrorRow(f"{path}#line={good + 1}", "read", "UndecodableInput",
                                  rows[good].message)
    assert f"line {good + 1} is not valid gb18030" in rows[good].message


def test_jsonl_in_utf16_and_with_crlf(tmp_path: Path) -> None:
    text = json.dumps({"text": "正文。"}, ensure_ascii=False) + "\r\n"
    path = write(tmp_path / "a.jsonl", codecs.BOM_UTF16_BE + (text * 2).encode("utf-16-be"))
    rows = read_all(path)
    assert [(r.source[-7:], r.content, r.encoding) for r in rows] == [
        ("#line=1", "正文。", "utf-16-be"), ("#line=2", "正文。", "utf-16-be")]


def test_jsonl_text_field_option(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.jsonl", json.dumps({"content": "正文。", "text": "x"}) + "\n")
    (article,) = read_all(path, text_field="content")
    assert article.content == "正文。" and article.fields == {"text": "x"}


def test_csv_rows_and_text_column(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", 'id,body,title\n1,"正文一，含逗号。",标题一\n2,,空\n'
                 '3,"多行\n正文。",\n'.encode("gbk"))
    rows = read_all(path, text_column="body")
    assert [type(r).__name__ for r in rows] == ["RawArticle", "ErrorRow", "RawArticle"]
    first, empty, third = rows
    assert first.source.endswith("t.csv#row=1") and first.encoding == "gb18030"
    assert first.content == "正文一，含逗号。" and first.fields == {"id": "1", "title": "标题一"}
    assert empty.error_type == "MissingTextField" and empty.source.endswith("#row=2")
    assert third.content == "多行\n正文。" and third.fields == {"id": "3"}


def test_csv_without_the_text_column_is_one_error(tmp_path: Path) -> None:
    (row,) = read_all(write(tmp_path / "t.csv", "id,body\n1,正文。\n"))
    assert isinstance(row, ErrorRow)
    assert (row.stage, row.error_type) == ("parse", "MissingColumn")
    assert "'text'" in row.message and "id, body" in row.message


def test_csv_with_header_only_is_an_error(tmp_path: Path) -> None:
    (row,) = read_all(write(tmp_path / "t.csv", "id,text\n"))
    assert row.error_type == "EmptyInput"


PAGE = """<!DOCTYPE html><html><head><meta charset="{charset}">
<title>我市新增市场主体2.3万户 - 青禾日报</title>
<meta property="og:site_name" content="青禾日报">
<meta property="article:published_time" content="2025-10-08T08:00:00+08:00">
</head><body>
<div class="nav"><a href="/">首页</a> | <a href="/news">新闻</a></div>
<article><h1>我市新增市场主体2.3万户</h1>
<p class="info">2025年10月08日 来源：青禾日报 本报记者 李晓燕</p>
<p>记者从市市场监管局获悉，今年前三季度，全市新增各类市场主体2.3万户，同比增长8.6%，其中新增企业6500余户。</p>
<p>截至9月底，全市实有市场主体达32.5万户，比年初增长5.1%，市场活力持续释放。</p>
</article><div class="footer">版权所有 青禾日报社</div></body></html>"""


def test_html_main_text_and_metadata_by_trafilatura(tmp_path: Path) -> None:
    path = write(tmp_path / "p.html", PAGE.format(charset="gbk").encode("gbk"))
    (raw,) = read_all(path)
    assert raw.fmt == "html" and raw.encoding == "gb18030"
    text, values = html_to_article(raw.content)
    assert "全市新增各类市场主体2.3万户" in text
    assert "首页" not in text and "版权所有" not in text
    assert values["title"] == "我市新增市场主体2.3万户"
    assert values["date"] == "2025-10-08"
    assert values["sitename"] == "青禾日报"


def test_html_without_main_text() -> None:
    with pytest.raises(ReadFailure) as info:
        html_to_article("<html><body><div class='nav'><a href='/'>首页</a></div></body></html>")
    assert info.value.error_type == "NoMainText"
