"""One article for ``zhstats show`` and ``zhstats explain``: literal text, or a file (or
standard input) read exactly as ``zhstats extract`` reads it, one JSONL line or CSV row
chosen by number."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from extractor.readers import (
    STDIN,
    STDIN_SOURCE,
    ErrorRow,
    InputFile,
    RawArticle,
    ReadFailure,
    discover,
    html_to_article,
    read_input,
)

_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,7}$")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_MAX_PATH = 4096


class UsageError(Exception):
    """The argument names no article (a usage error: exit 2)."""


class ArticleUnreadable(Exception):
    """The input was found but holds no readable article (exit 1, as for ``extract``)."""


@dataclass(frozen=True, slots=True)
class Article:
    """The text of one article and where it came from (``<text>`` for literal text)."""

    source: str
    text: str


def looks_like_path(arg: str) -> bool:
    """Whether ``arg`` reads as a file name rather than as text: one word that ends in a
    file suffix (``news.txt``), or holds a ``/`` and no Chinese character (``news/a``)."""
    if not arg or len(arg) > _MAX_PATH or any(c.isspace() for c in arg):
        return False
    return bool(_SUFFIX.search(arg)) or (("/" in arg or "\\" in arg) and not _HAN.search(arg))


def read_article(
    arg: str,
    *,
    literal: bool = False,
    number: int | None = None,
    fmt: str | None = None,
    text_field: str = "text",
    text_column: str = "text",
    stdin: BinaryIO | None = None,
) -> Article:
    """The article ``arg`` names: ``-`` for standard input, an existing file, else the
    text itself. ``number`` picks a JSONL line or CSV row. Raises UsageError (a path that
    does not exist, a folder, a number with no article) or ArticleUnreadable."""
    if literal or (arg != STDIN and not _exists(arg)):
        if not literal and looks_like_path(arg):
            raise UsageError(f"{arg}: no such file (to read it as text, add --text)")
        if number is not None:
            raise UsageError("--line and --row choose a record of a JSONL or CSV file, "
                             "not of text")
        return Article("<text>", arg)
    if arg == STDIN:
        item = InputFile(STDIN_SOURCE, None, fmt or "txt")
    elif Path(arg).is_dir():
        raise UsageError(f"{arg} is a folder: give one file (zhstats extract reads folders)")
    else:
        (item,) = discover([arg], fmt)
    if number is not None and item.fmt not in ("jsonl", "csv"):
        raise UsageError(f"--line and --row choose a record of a JSONL or CSV file; "
                         f"{item.source} is read as {item.fmt or 'an unsupported type'}")
    chosen = _choose(item, read_input(item, text_field, text_column, stdin), number)
    if isinstance(chosen, ErrorRow):
        hint = " (force a format with --format)" if chosen.error_type == "UnsupportedFormat" else ""
        raise ArticleUnreadable(f"{chosen.source}: {chosen.message}{hint}")
    if chosen.fmt != "html":
        return Article(chosen.source, chosen.content)
    try:
        text, _ = html_to_article(chosen.content)
    except ReadFailure as e:
        raise ArticleUnreadable(f"{chosen.source}: {e.message}") from None
    return Article(chosen.source, text)


def _exists(arg: str) -> bool:
    try:
        return len(arg) <= _MAX_PATH and "\n" not in arg and Path(arg).exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL character
        return False


def _choose(
    item: InputFile, records: Iterable[RawArticle | ErrorRow], number: int | None
) -> RawArticle | ErrorRow:
    """The record numbered ``number`` (a JSONL line or CSV data row), or the only one."""
    marker = "#line=" if item.fmt == "jsonl" else "#row="
    first: RawArticle | ErrorRow | None = None
    for record in records:
        where = record.source.rpartition(marker)
        if number is None:
            if first is None:
                first = record
                continue
            flag = "--line" if item.fmt == "jsonl" else "--row"
            raise UsageError(f"{item.source} holds more than one article: choose one with "
                             f"{flag} N (the first is {_what(first, marker)})")
        if not where[1]:  # a whole-file error: no header column, an empty file
            return record
        if int(where[2]) == number:
            return record
        if int(where[2]) > number:
            break
    if first is not None:
        return first
    what = "line" if item.fmt == "jsonl" else "row"
    raise UsageError(f"{item.source} has no article on {what} {number}"
                     if number is not None else f"{item.source} holds no article")


def _what(record: RawArticle | ErrorRow, marker: str) -> str:
    number = record.source.rpartition(marker)[2]
    return f"{marker.strip('#=')} {number}" if number else "the whole file"
