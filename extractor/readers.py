"""Find the inputs, decode them, and split them into raw articles or read errors.

Formats: ``.txt`` (one article a file), ``.html``/``.htm`` (main text by
trafilatura), ``.jsonl`` (one article a line) and ``.csv`` (one article a row).
Encodings: UTF-8 with or without BOM, UTF-16 with BOM, GB18030 (and so GBK,
GB2312) and Big5, detected with charset-normalizer.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from charset_normalizer import from_bytes

FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".csv": "csv"}
"""File suffix (lower case) → format."""

STDIN = "-"
STDIN_SOURCE = "<stdin>"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CANDIDATES = ("gb18030", "big5")
"""Legacy encodings tried when the input is not UTF-8 (GB18030 covers GBK and GB2312)."""
_GB_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030"}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_MAX_CONTROL_SHARE = 0.01
_SAMPLE = 1 << 16
"""Bytes a JSONL or CSV file's encoding is detected on."""
_HTML_FIELDS = ("title", "author", "date", "sitename", "description", "url", "hostname",
                "categories", "tags", "language")


class InputNotFound(Exception):
    """An input argument names no file, folder or glob match (a usage error)."""


class ReadFailure(Exception):
    """An input that cannot be read as text; becomes a row in ``errors``."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file (``path`` None for standard input) and the format to read it as."""

    source: str
    path: Path | None
    fmt: str | None
    """None when the suffix names no supported format."""


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as read: decoded content plus the fields its input gave."""

    source: str
    fmt: str
    """``html`` when ``content`` is markup still to be reduced to its main text, else ``txt``."""
    content: str
    encoding: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ErrorRow:
    """One input that produced no article (a row of the ``errors`` table)."""

    source: str
    stage: str
    error_type: str
    message: str


def discover(
    inputs: Sequence[str], fmt: str | None = None, base: Path | None = None
) -> list[InputFile]:
    """The input files named by files, folders (recursive), globs or ``-``, sorted by source.

    Folders and globs contribute files with a supported suffix (hidden ones
    skipped); a file named explicitly is always included, and fails later if
    its format is unknown. ``fmt`` forces the format of every file; with
    ``base``, relative arguments and sources are taken relative to that folder.
    Raises InputNotFound when an argument names nothing or no file is found.
    """
    found: dict[str, InputFile] = {}
    seen: set[Path] = set()

    def add(path: Path, name: PurePath) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            source = name.as_posix()
            found[source] = InputFile(source, path, fmt or FORMATS.get(path.suffix.lower()))

    for arg in inputs:
        if arg == STDIN:
            found[STDIN_SOURCE] = InputFile(STDIN_SOURCE, None, fmt or "txt")
            continue
        pattern = any(c in arg for c in "*?[")
        names = sorted(glob(arg, root_dir=base, recursive=True)) if pattern else [arg]
        for name in names:
            path = base / name if base is not None else Path(name)
            if path.is_dir():
                for file in _walk(path):
                    add(file, PurePath(name) / file.relative_to(path))
            elif path.is_file() and (not pattern or fmt or path.suffix.lower() in FORMATS):
                add(path, PurePath(name))
            elif not pattern:
                raise InputNotFound(f"{arg}: no such file or folder")
        if pattern and not names:
            raise InputNotFound(f"{arg}: no file matches this pattern")
    if not found:
        raise InputNotFound(f"no {'/'.join(sorted(set(FORMATS.values())))} file in "
                            f"{', '.join(inputs) or 'no input'}")
    return sorted(found.values(), key=lambda f: (f.path is not None, f.source))


def _walk(folder: Path) -> Iterator[Path]:
    """Supported files under ``folder``, skipping hidden files and folders."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in FORMATS:
                yield Path(root) / name


def decode(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """The text of ``raw`` and the encoding it was decoded from.

    Order: byte-order mark, NUL bytes (binary), strict UTF-8, a charset the
    document declares, then charset-normalizer limited to GB18030 and Big5.
    Line breaks are normalized to ``\n``. Raises ReadFailure.
    """
    codec, encoding, skip = _detect(raw, complete=True, declared=declared)
    return _normalize(_decode_sample(raw[skip:], codec, encoding, complete=True)), encoding


def _detect(head: bytes, complete: bool, declared: str | None = None) -> tuple[str, str, int]:
    """(codec, encoding to record, BOM length) of an input that starts with ``head``.

    ``complete`` says whether ``head`` is the whole input; if not, a character
    cut at its end is no error.
    """
    if complete and not head.strip():
        raise ReadFailure("EmptyInput", "the input is empty" if not head else
                          "the input holds only whitespace")
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name.removesuffix("-sig"), name, len(bom)
    if b"\x00" in head:
        raise ReadFailure("BinaryInput", "holds NUL bytes and no UTF-16 byte-order mark: "
                          "not a text file")
    for name in dict.fromkeys(_candidates(head, declared)):
        try:
            _incremental(head, name, complete)
        except UnicodeDecodeError:
            continue
        return name, name, 0
    raise ReadFailure("UndecodableInput",
                      "not valid UTF-8, UTF-16 (with BOM), GB18030/GBK or Big5")


def _candidates(head: bytes, declared: str | None) -> Iterator[str]:
    """Encodings to try, most likely first (charset-normalizer only if UTF-8 fails)."""
    yield "utf-8"
    if declared:
        try:
            name = codecs.lookup(declared).name
            yield _GB_ALIASES.get(name, name)
        except LookupError:
            pass
    best = from_bytes(head, cp_isolation=list(_CANDIDATES)).best()
    if best is not None:
        yield codecs.lookup(best.encoding).name
    yield from _CANDIDATES


def _incremental(data: bytes, codec: str, complete: bool) -> str:
    return codecs.getincrementaldecoder(codec)(errors="strict").decode(data, final=complete)


def _decode_sample(data: bytes, codec: str, encoding: str, complete: bool) -> str:
    """``data`` decoded; raises ReadFailure when it is not text in that encoding."""
    try:
        text = _incremental(data, codec, complete)
    except UnicodeDecodeError as e:
        raise ReadFailure("UndecodableInput", f"not valid {encoding}: {e}") from None
    if _looks_binary(text):
        raise ReadFailure("BinaryInput", f"decodes ({encoding}) to mostly control characters: "
                          "not a text file")
    return text


def _normalize(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    return controls > _MAX_CONTROL_SHARE * len(text)


class _Prefixed(io.RawIOBase):
    """A binary stream: bytes already read (``head``), then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _open_lines(handle: BinaryIO) -> tuple[Iterator[tuple[int, str | None, str]], str]:
    """The decoded lines of a JSONL or CSV input, read as they are needed, and its encoding.

    The encoding is detected on the first ``_SAMPLE`` bytes, so a large file is
    never held whole. Raises ReadFailure.
    """
    head = handle.read(_SAMPLE)
    complete = len(head) < _SAMPLE
    codec, encoding, skip = _detect(head, complete)
    _decode_sample(head[skip:], codec, encoding, complete)
    raw = io.BufferedReader(_Prefixed(head[skip:], handle))
    return _lines(raw, codec, encoding), encoding


def _lines(raw: BinaryIO, codec: str, encoding: str) -> Iterator[tuple[int, str | None, str]]:
    """(number, text, "") per line, or (number, None, why) for a line that does not decode."""
    if not codec.startswith("utf-16"):
        # GB18030, Big5 and UTF-8 never use byte 0x0A inside a character
        for number, line in enumerate(raw, 1):
            try:
                yield number, line.decode(codec), ""
            except UnicodeDecodeError as e:
                yield number, None, f"line {number} is not valid {encoding}: {e.reason}"
        return
    stream = io.TextIOWrapper(raw, encoding=codec, errors="strict", newline="")
    number = 0
    try:
        for number, line in enumerate(stream, 1):
            yield number, line, ""
    except UnicodeDecodeError as e:
        yield number + 1, None, f"not valid {encoding} after line {number}: {e.reason}"


def read_input(
    item: InputFile,
    text_field: str = "text",
    text_column: str = "text",
    stdin: BinaryIO | None = None,
) -> Iterator[RawArticle | ErrorRow]:
    """The articles of one input, in order; failures come as ErrorRow, never as exceptions."""
    if item.fmt is None:
        yield ErrorRow(item.source, "read", "UnsupportedFormat",
                       f"unsupported file type {item.path.suffix if item.path else ''!r}; "
                       f"expected one of {', '.join(FORMATS)}")
        return
    try:
        with (item.path.open("rb") if item.path else nullcontext(stdin or sys.stdin.buffer)
              ) as handle:
            if item.fmt in ("jsonl", "csv"):
                lines, encoding = _open_lines(handle)
                if item.fmt == "jsonl":
                    yield from _jsonl(item.source, lines, encoding, text_field)
                else:
                    yield from _csv(item.source, lines, encoding, text_column)
                return
            raw = handle.read()
        declared = None
        if item.fmt == "html" and (m := _META_CHARSET.search(raw[:4096])):
            declared = m[1].decode("ascii")
        text, encoding = decode(raw, declared)
    except ReadFailure as e:
        yield ErrorRow(item.source, "read", e.error_type, e.message)
        return
    except OSError as e:
        yield ErrorRow(item.source, "read", type(e).__name__, e.strerror or str(e))
        return
    yield RawArticle(item.source, item.fmt, text, encoding)


def _jsonl(source: str, lines: Iterator[tuple[int, str | None, str]], encoding: str,
           text_field: str) -> Iterator[RawArticle | ErrorRow]:
    for number, line, why in lines:
        if line is None:
            yield ErrorRow(f"{source}#line={number}", "read", "UndecodableInput", why)
            continue
        if not line.strip():
            continue
        where = f"{source}#line={number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield ErrorRow(where, "parse", "MalformedJSON", f"line {number} is not valid JSON: {e}")
            continue
        if not isinstance(record, dict):
            yield ErrorRow(where, "parse", "NotAnObject",
                           f"line {number} is a JSON {type(record).__name__}, not an object")
            continue
        body = record.pop(text_field, None)
        if not isinstance(body, str) or not body.strip():
            yield ErrorRow(where, "parse", "MissingTextField",
                           f"line {number} has no text in field {text_field!r} "
                           f"(fields: {', '.join(map(str, record)) or 'none'})")
            continue
        yield RawArticle(where, "txt", _normalize(body), encoding, record)


def _csv(source: str, lines: Iterator[tuple[int, str | None, str]], encoding: str,
         text_column: str) -> Iterator[RawArticle | ErrorRow]:
    def text() -> Iterator[str]:
        for _, line, why in lines:
            if line is None:
                raise ReadFailure("UndecodableInput", why)
            yield line

    csv.field_size_limit(2**31 - 1)
    reader = csv.DictReader(text())
    try:
        header = reader.fieldnames or []
        if text_column not in header:
            yield ErrorRow(source, "parse", "MissingColumn",
                           f"no column {text_column!r}; the header has: "
                           f"{', '.join(header) or 'nothing'}")
            return
        number = 0
        for number, row in enumerate(reader, 1):
            where = f"{source}#row={number}"
            body = row.pop(text_column)
            if not body or not body.strip():
                yield ErrorRow(where, "parse", "MissingTextField",
                               f"row {number} has no text in column {text_column!r}")
                continue
            values = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            yield RawArticle(where, "txt", _normalize(body), encoding, values)
        if number == 0:
            yield ErrorRow(source, "parse", "EmptyInput", "the CSV file has a header but no rows")
    except csv.Error as e:
        yield ErrorRow(source, "parse", "MalformedCSV", f"line {reader.line_num}: {e}")
    except ReadFailure as e:
        yield ErrorRow(source, "read", e.error_type, e.message)


def html_to_article(markup: str) -> tuple[str, dict[str, Any]]:
    """The main text of an HTML page and its metadata fields, by trafilatura.

    Raises ReadFailure when the page has no main text.
    """
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(
            markup, with_metadata=True, include_comments=False, include_tables=True,
            favor_precision=True,
        )
    text = getattr(doc, "text", None) or ""
    if not text.strip():
        raise ReadFailure("NoMainText", "trafilatura found no main text in the page")
    values = {name: value for name in _HTML_FIELDS if (value := getattr(doc, name, None))}
    return text.replace("\r\n", "\n").replace("\r", "\n"), values
