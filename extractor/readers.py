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
import stat
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from functools import cache
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
_NOT_TEXT = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7",
                       "undefined"})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_MAX_CONTROL_SHARE = 0.01
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
"""Unicode category Cc except the whitespace controls \\t \\n \\v \\f \\r."""
SAMPLE_BYTES = 1 << 16
"""Bytes a JSONL or CSV file's encoding is detected on."""
_RECORD = re.compile(r"(.*)#(?:line|row)=\d+", re.S)
"""The source of a JSONL line or CSV row: its file's source, then ``#line=N`` / ``#row=N``."""
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


def file_of(source: str) -> str:
    """The source of the input file a row's ``source`` comes from (``#line=N`` or
    ``#row=N`` removed; a ``#`` elsewhere is part of the file name)."""
    m = _RECORD.fullmatch(source)
    return m[1] if m else source


def printable(name: str) -> str:
    """A file name as text that can be stored: bytes that are not UTF-8 (kept by Python as
    lone surrogates) written as ``\\xNN``."""
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(
    inputs: Sequence[str], fmt: str | None = None, base: Path | None = None,
    skipped: list[str] | None = None,
) -> list[InputFile]:
    """The input files named by files, folders (recursive), globs or ``-``, sorted by source.

    Folders and globs contribute files with a supported suffix (hidden ones
    skipped); a file named explicitly is always included, and fails later if
    its format is unknown. ``fmt`` forces the format of every file; with
    ``base``, relative arguments and sources are taken relative to that folder.
    Files a folder or glob holds with an unsupported suffix are added to ``skipped``.
    Raises InputNotFound when an argument names nothing or no file is found.
    """
    found: dict[str, InputFile] = {}
    seen: set[Path] = set()
    others: list[str] = []

    def add(path: Path, name: PurePath) -> None:
        key = Path(os.path.realpath(path))  # unlike Path.resolve, never raises on a loop
        if key not in seen:
            seen.add(key)
            source = printable(name.as_posix())
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
                    if file.suffix.lower() in FORMATS:
                        add(file, PurePath(name) / file.relative_to(path))
                    else:
                        others.append((PurePath(name) / file.relative_to(path)).as_posix())
            elif ((not pattern and path.exists())  # named on purpose, even a pipe: <(zcat …)
                  or (path.is_file() and (fmt or path.suffix.lower() in FORMATS))):
                add(path, PurePath(name))
            elif not pattern:
                raise InputNotFound(f"{arg}: no such file or folder")
            elif path.is_file():
                others.append(PurePath(name).as_posix())
        if pattern and not names:
            raise InputNotFound(f"{arg}: no file matches this pattern")
    if not found:
        raise InputNotFound(f"no {'/'.join(sorted(set(FORMATS.values())))} file in "
                            f"{', '.join(inputs) or 'no input'}"
                            + (f" (only files of other types: {by_suffix(others)})"
                               if others else ""))
    if skipped is not None:
        skipped.extend(others)
    return sorted(found.values(), key=lambda f: (f.path is not None, f.source))


def by_suffix(names: Sequence[str]) -> str:
    """How many of ``names`` have each suffix, most first: ``2 .pdf, 1 .docx, 1 without``."""
    counts = Counter(PurePath(n).suffix.lower() or "without suffix" for n in names)
    return ", ".join(f"{n:,} {suffix}" for suffix, n in
                     sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _walk(folder: Path) -> Iterator[Path]:
    """Regular files under ``folder``, skipping hidden files and folders.

    Links to folders are followed, except to a folder already walked (a loop).
    """
    walked = {os.path.realpath(folder)}
    for root, dirs, files in os.walk(folder, followlinks=True):
        keep = []
        for d in sorted(dirs, key=lambda d: (os.path.islink(os.path.join(root, d)), d)):
            real = os.path.realpath(os.path.join(root, d))  # real folders claim before links
            if not d.startswith(".") and real not in walked:
                walked.add(real)
                keep.append(d)
        dirs[:] = sorted(keep)
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(root) / name
                try:  # like grep -r: a pipe, socket or device found in a folder is not read
                    if not stat.S_ISREG(path.stat().st_mode):
                        continue
                except OSError:
                    pass  # a dangling link or a loop: reported when it is opened
                yield path


def decode(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """The text of ``raw`` and the encoding it was decoded from.

    Order: byte-order mark, NUL bytes (binary), strict UTF-8, a charset the
    document declares, then charset-normalizer limited to GB18030 and Big5.
    Line breaks are normalized to ``\n``. Raises ReadFailure.
    """
    codec, encoding, skip = detect(raw, complete=True, declared=declared)
    text = _normalize(decode_sample(raw[skip:], codec, encoding, complete=True))
    if not text.strip():  # also U+3000 and other Unicode spaces
        raise ReadFailure("EmptyInput", "the input holds only whitespace")
    return text, encoding


def detect(head: bytes, complete: bool, declared: str | None = None) -> tuple[str, str, int]:
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
    why = ""
    for name in dict.fromkeys(_candidates(head, declared)):
        try:
            _incremental(head, name, complete)
        except UnicodeDecodeError as e:
            if name == "utf-8":
                why = f" ({e.reason}: byte 0x{head[e.start]:02x} at offset {e.start})"
            continue
        return name, name, 0
    raise ReadFailure("UndecodableInput",
                      f"not valid UTF-8{why}, nor GB18030/GBK, Big5, or UTF-16 with a "
                      "byte-order mark")


def _candidates(head: bytes, declared: str | None) -> Iterator[str]:
    """Encodings to try, most likely first (charset-normalizer only if UTF-8 fails)."""
    yield "utf-8"
    if declared and (name := _text_encoding(declared)):
        yield name
    best = from_bytes(head, cp_isolation=list(_CANDIDATES)).best()
    if best is not None:
        yield codecs.lookup(best.encoding).name
    yield from _CANDIDATES


def _text_encoding(declared: str) -> str | None:
    """The codec a page's ``<meta charset>`` names, if it is a text encoding (not
    ``zlib``, ``base64``, ``rot13``… which Python's codecs also accept, nor an escape
    codec that turns a few bytes into many characters)."""
    try:
        info = codecs.lookup(declared)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_TEXT:
        return None
    return _GB_ALIASES.get(info.name, info.name)


def _incremental(data: bytes, codec: str, complete: bool) -> str:
    return codecs.getincrementaldecoder(codec)(errors="strict").decode(data, final=complete)


def decode_sample(data: bytes, codec: str, encoding: str, complete: bool) -> str:
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
    return len(_CONTROLS.findall(text)) > _MAX_CONTROL_SHARE * len(text)


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


Line = tuple[int, str | None, "ReadFailure | None"]
"""(number, text, None) for a line read, or (number, None, why) for one that was not."""


def _open_lines(handle: BinaryIO, max_bytes: int | None = None,
                max_seconds: float | None = None) -> tuple[Iterator[Line], str]:
    """The decoded lines of a JSONL or CSV input, read as they are needed, and its encoding.

    The encoding is detected on the first ``SAMPLE_BYTES`` bytes, so a large file is
    never held whole; nor is a line: see ``_lines``. Raises ReadFailure.
    """
    head = handle.read(SAMPLE_BYTES)
    complete = len(head) < SAMPLE_BYTES
    codec, encoding, skip = detect(head, complete)
    decode_sample(head[skip:], codec, encoding, complete)
    raw = io.BufferedReader(_Prefixed(head[skip:], handle))
    lines = decoded_lines(raw, codec, encoding, max_bytes=max_bytes, max_seconds=max_seconds)
    return lines, encoding


def decoded_lines(
    raw: BinaryIO, codec: str, encoding: str, first: int = 1, max_bytes: int | None = None,
    max_seconds: float | None = None,
) -> Iterator[Line]:
    """Each line, numbered from ``first`` (a block of a file starts further in).

    A line over ``max_bytes`` is not held: the rest of it is read and dropped, and it
    comes as an ``ArticleTooLarge`` failure; one that takes over ``max_seconds`` to
    read (an endless stream) as an ``ArticleTimeout`` failure, and reading stops.
    """
    if codec.startswith("utf-16"):
        yield from _utf16_lines(raw, codec, encoding, first, max_bytes)
        return
    # GB18030, Big5 and UTF-8 never use byte 0x0A inside a character
    size = -1 if max_bytes is None else max_bytes + 2  # the content, \r\n, one more
    number = first - 1
    while line := raw.readline(size):
        number += 1
        if size > 0 and len(line) == size and not line.endswith(b"\n"):
            began = time.monotonic()
            while (rest := raw.readline(1 << 20)) and not rest.endswith(b"\n"):
                if max_seconds is not None and time.monotonic() - began > max_seconds:
                    yield number, None, ReadFailure(
                        "ArticleTimeout", f"line {number} was still not at its end after "
                        f"{max_seconds:g} s of reading; the rest of the input was not read")
                    return
            yield number, None, _too_large(None, max_bytes or 0)
            continue
        try:
            yield number, line.decode(codec), None
        except UnicodeDecodeError as e:
            yield number, None, ReadFailure(
                "UndecodableInput", f"line {number} is not valid {encoding}: {e.reason}")


def _utf16_lines(raw: BinaryIO, codec: str, encoding: str, first: int,
                 max_bytes: int | None) -> Iterator[Line]:
    stream = io.TextIOWrapper(raw, encoding=codec, errors="strict", newline="")
    size = -1 if max_bytes is None else max_bytes // 2 + 2  # characters of two bytes or more
    number = first - 1
    try:
        while line := stream.readline(size):
            number += 1
            if size > 0 and len(line) == size and not line.endswith("\n"):
                while (rest := stream.readline(1 << 20)) and not rest.endswith("\n"):
                    pass
                yield number, None, _too_large(None, max_bytes or 0)
                continue
            yield number, line, None
    except UnicodeDecodeError as e:
        yield number + 1, None, ReadFailure(
            "UndecodableInput", f"not valid {encoding} after line {number}: {e.reason}")


def read_input(
    item: InputFile,
    text_field: str = "text",
    text_column: str = "text",
    stdin: BinaryIO | None = None,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
) -> Iterator[RawArticle | ErrorRow]:
    """The articles of one input, in order; failures come as ErrorRow, never as exceptions.

    An article over ``max_bytes`` (a txt or html file, a JSONL line, a CSV field)
    is an ``ArticleTooLarge`` error; neither a large file nor a long line is read
    whole to find that (``max_seconds`` bounds the reading of one line).
    """
    if item.fmt is None:
        yield ErrorRow(item.source, "read", "UnsupportedFormat",
                       f"unsupported file type {item.path.suffix if item.path else ''!r}; "
                       f"expected one of {', '.join(FORMATS)}")
        return
    try:
        with (item.path.open("rb") if item.path else nullcontext(stdin or sys.stdin.buffer)
              ) as handle:
            if item.fmt in ("jsonl", "csv"):
                lines, encoding = _open_lines(handle, max_bytes, max_seconds)
                if item.fmt == "jsonl":
                    yield from jsonl_records(item.source, lines, encoding, text_field,
                                      max_bytes=max_bytes)
                else:
                    yield from csv_records(item.source, lines, encoding, text_column,
                                    max_bytes=max_bytes)
                return
            if max_bytes is not None and item.path is not None:
                size = os.fstat(handle.fileno()).st_size
                if size > max_bytes:
                    raise _too_large(size, max_bytes)
            raw = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
            if max_bytes is not None and len(raw) > max_bytes:
                raise _too_large(None, max_bytes)
        declared = None
        if item.fmt == "html" and (m := _META_CHARSET.search(raw[:4096])):
            declared = m[1].decode("ascii")
        text, encoding = decode(raw, declared)
    except ReadFailure as e:
        yield ErrorRow(item.source, "read", e.error_type, e.message)
        return
    except OSError as e:
        why = f"cannot read it: {e.strerror or e}"
        if item.path is not None and item.path.is_symlink():
            why += f" (it is a symbolic link to {os.readlink(item.path)})"
        yield ErrorRow(item.source, "read", type(e).__name__, why)
        return
    except Exception as e:  # a reader bug must not end the run: the rest of the file is lost
        yield ErrorRow(item.source, "read", type(e).__name__,
                       f"reading stopped at an unexpected error: {e}")
        return
    yield RawArticle(item.source, item.fmt, text, encoding)


def _too_large(size: int | None, limit: int) -> ReadFailure:
    """The error for an article over the size limit (``size`` None when not known)."""
    what = "" if size is None else f" {size / 1e6:,.1f} MB,"
    return ReadFailure("ArticleTooLarge",
                       f"the article is{what} over the limit of {limit / 1e6:g} MB per "
                       "article (raise it with --max-article-mb, or max_article_mb in "
                       "dataset.toml)")


def _over(text: str, limit: int | None) -> int | None:
    """The UTF-8 size of ``text`` when it is over ``limit`` bytes, else None."""
    if limit is None or 4 * len(text) <= limit:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def jsonl_records(source: str, lines: Iterator[Line], encoding: str, text_field: str,
                  max_bytes: int | None = None, whole: bool = True
                  ) -> Iterator[RawArticle | ErrorRow]:
    """The records of JSONL ``lines``; a file with none is an error (if ``whole``: not a
    block of a file)."""
    records = 0
    for number, line, why in lines:
        if line is None:
            records += 1
            message = why.message if why.message.startswith("line") else \
                f"line {number}: {why.message}"
            yield ErrorRow(f"{source}#line={number}", "read", why.error_type, message)
            if why.error_type == "ArticleTimeout":
                return
            continue
        if not line.strip():
            continue
        records += 1
        where = f"{source}#line={number}"
        if (size := _over(line, max_bytes)) is not None:
            e = _too_large(size, max_bytes or 0)
            yield ErrorRow(where, "read", e.error_type, f"line {number}: {e.message}")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield ErrorRow(where, "parse", "MalformedJSON", f"line {number} is not valid JSON: {e}")
            continue
        except (ValueError, RecursionError) as e:  # a 5000-digit number, [[[[…]]]] nested deep
            yield ErrorRow(where, "parse", "MalformedJSON",
                           f"line {number} cannot be read as JSON: {e}")
            continue
        if not isinstance(record, dict):
            yield ErrorRow(where, "parse", "NotAnObject",
                           f"line {number} is a JSON {type(record).__name__}, not an object")
            continue
        if "\\u" in line and (bad := _surrogate(record)) is not None:  # \uXXXX only
            yield ErrorRow(where, "parse", "InvalidUnicode",
                           f"line {number}: {bad} holds an unpaired surrogate escape "
                           "(such as \\ud800), which is not valid Unicode")
            continue
        body = record.pop(text_field, None)
        if not isinstance(body, str) or not body.strip():
            yield ErrorRow(where, "parse", "MissingTextField",
                           f"line {number} has no text in field {text_field!r} "
                           f"(fields: {', '.join(map(str, record)) or 'none'})")
            continue
        yield RawArticle(where, "txt", _normalize(body), encoding, record)
    if not records and whole:
        yield ErrorRow(source, "parse", "EmptyInput", "the JSONL file holds only blank lines")


def _surrogate(record: dict[str, Any]) -> str | None:
    """The field of a JSON record that holds a lone surrogate (valid JSON, but not Unicode)."""
    def bad(value: Any) -> bool:
        if isinstance(value, str):
            return _SURROGATES.search(value) is not None
        if isinstance(value, dict):
            return any(bad(k) or bad(v) for k, v in value.items())
        return isinstance(value, list) and any(bad(v) for v in value)

    return next((f"field {key!r}" for key, value in record.items()
                 if bad(key) or bad(value)), None)


def csv_records(source: str, lines: Iterator[Line], encoding: str, text_column: str,
                first: int = 1, max_bytes: int | None = None) -> Iterator[RawArticle | ErrorRow]:
    """Rows numbered from ``first``; ``lines`` start with the header (a block of a file
    gets its file's header put in front). A field over ``max_bytes`` stops the reading
    of the file there (a quoted field cannot be skipped without reading it)."""
    def text() -> Iterator[str]:
        for _, line, why in lines:
            if line is None:
                raise why
            yield line

    csv.field_size_limit(2**31 - 1 if max_bytes is None else max_bytes)
    reader = csv.DictReader(text())
    number = first - 1
    try:
        header = reader.fieldnames or []
        if text_column not in header:
            yield ErrorRow(source, "parse", "MissingColumn",
                           f"no column {text_column!r}; the header has: "
                           f"{', '.join(header) or 'nothing'}")
            return
        number = first - 1
        for number, row in enumerate(reader, first):
            where = f"{source}#row={number}"
            if None in row:  # DictReader's key for the fields beyond the header
                yield ErrorRow(where, "parse", "RaggedRow",
                               f"row {number} has {len(header) + len(row[None])} fields but "
                               f"the header has {len(header)}: its values cannot be matched "
                               "to the columns (is a comma in a field not quoted?)")
                continue
            body = row.pop(text_column)
            if body is None:
                yield ErrorRow(where, "parse", "MissingTextField",
                               f"row {number} has only {sum(v is not None for v in row.values())}"
                               f" of the header's {len(header)} fields, and no "
                               f"{text_column!r} column")
                continue
            if not body.strip():
                yield ErrorRow(where, "parse", "MissingTextField",
                               f"row {number} has no text in column {text_column!r}")
                continue
            if (size := _over(body, max_bytes)) is not None:
                e = _too_large(size, max_bytes or 0)
                yield ErrorRow(where, "read", e.error_type, f"row {number}: {e.message}")
                continue
            values = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            yield RawArticle(where, "txt", _normalize(body), encoding, values)
        if number == first - 1:
            yield ErrorRow(source, "parse", "EmptyInput", "the CSV file has a header but no rows")
    except csv.Error as e:
        if max_bytes is not None and "field larger than field limit" in str(e):
            yield _rest_too_large(source, number + 1, max_bytes)
            return
        yield ErrorRow(source, "parse", "MalformedCSV", f"line {reader.line_num}: {e}")
    except ReadFailure as e:
        if e.error_type == "ArticleTooLarge":
            yield _rest_too_large(source, number + 1, max_bytes or 0)
            return
        yield ErrorRow(source, "read", e.error_type, e.message)


def _rest_too_large(source: str, number: int, limit: int) -> ErrorRow:
    e = _too_large(None, limit)
    return ErrorRow(f"{source}#row={number}", "read", e.error_type,
                    f"row {number}: {e.message}; the rest of the file was not read")


@cache
def prepare_html() -> None:
    """Import trafilatura and run it once on a tiny page (once per process): the modules
    it loads on first use are then whole before any time limit can cut an import."""
    with suppress(Exception):
        html_to_article("<html><body><article><p>预热一下，新增企业3家。</p></article></body></html>")


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
