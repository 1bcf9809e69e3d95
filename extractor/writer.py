"""Atomic, streaming writer of a dataset folder (three Parquet tables + datapackage.json).

Rows go into a hidden temp folder next to the output as they arrive, in row
groups; only a finished run replaces the output folder, so an interrupted run
leaves the previous dataset as it was. With ``append`` the previous tables are
copied over first and only articles with a new ``article_id`` are added.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import sqlite3
import sys
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from extractor.readers import ErrorRow
from extractor.schema import (
    ARTICLES,
    ERRORS,
    INDICATORS,
    SCHEMA_VERSION,
    TABLES,
    Columns,
    Table,
    datapackage,
)

DATAPACKAGE = "datapackage.json"
ROW_GROUP_ROWS = {"articles": 8192, "indicators": 65536, "errors": 1024}
"""Rows buffered per table before a row group is written (large row groups: the
writer keeps every row group's metadata until it closes the file, and readers scan
them faster)."""
ROW_GROUP_BYTES = 16 << 20
"""Or fewer rows, once they hold this many bytes of Arrow data (long articles)."""
DICTIONARY_PAGE_BYTES = 4 << 20
"""Room for a column's dictionary in a row group, so that repeated strings (a
sentence for each of its mentions) stay dictionary-encoded: files ~20% smaller."""
FIRST_ERRORS = 10


class OutputError(Exception):
    """The output folder cannot be used (a usage error, raised before any work)."""


def dataset_metadata(rules_digest: str) -> dict[str, str]:
    """The key-value metadata every table of a dataset written now carries."""
    from extractor import __version__

    return {
        "zhstats.schema_version": SCHEMA_VERSION,
        "zhstats.version": __version__,
        "zhstats.rules_digest": rules_digest,
        "zhstats.created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def check_output(out: Path, append: bool = False) -> dict[str, str] | None:
    """Refuse an output folder that holds something other than a zhstats dataset.

    Returns the key-value metadata of the dataset to append to, if any.
    """
    recover(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return None
    package = out / DATAPACKAGE
    if not package.is_file() or not (out / ARTICLES.path).is_file():
        raise OutputError(f"{out} is not empty and holds no zhstats dataset; "
                          "refusing to replace it (choose another --out)")
    if not append:
        return None
    meta = {k.decode(): v.decode()
            for k, v in (pq.read_schema(out / ARTICLES.path).metadata or {}).items()}
    if meta.get("zhstats.schema_version") != SCHEMA_VERSION:
        raise OutputError(f"{out} has schema version {meta.get('zhstats.schema_version')}, "
                          f"this zhstats writes {SCHEMA_VERSION}: rebuild without --append")
    return meta


@dataclass(frozen=True, slots=True)
class Rows:
    """Rows ``start`` to ``start + length`` of an Arrow batch, not yet copied out."""

    batch: pa.RecordBatch
    start: int
    length: int
    nbytes: int
    """About how many bytes of the batch they hold."""


@dataclass(frozen=True, slots=True)
class ArticleBatches:
    """One article ready to write: its id, its source, its row of ``articles`` and
    its rows of ``indicators``."""

    article_id: str
    source: str
    article: Rows
    indicators: Rows


@dataclass
class WriteCounts:
    """What a write added: articles, indicator rows, error rows, unchanged inputs skipped."""

    articles: int = 0
    indicators: int = 0
    errors: int = 0
    skipped: int = 0
    kept: dict[str, int] = field(default_factory=dict)
    """Rows carried over from the previous dataset, per table (append only)."""
    first_errors: list[ErrorRow] = field(default_factory=list)
    """The first few error rows of this run, for the summary."""


class DatasetWriter:
    """Context manager: ``add`` results in order; a clean exit commits, an exception aborts.

    ``reread`` names the input files of this run (sources without ``#...``):
    when appending, previous error rows for those files are dropped, since
    this run has read them again.
    """

    def __init__(
        self,
        out: Path,
        name: str,
        append: bool = False,
        reread: Iterable[str] = (),
        rules_digest: str | None = None,
    ) -> None:
        self.out = out
        self.name = name
        self.append = append
        self.reread = frozenset(reread)
        if rules_digest is None:
            from extractor.ruleset import default_ruleset

            rules_digest = default_ruleset().digest
        self.metadata = dataset_metadata(rules_digest)
        self.counts = WriteCounts()
        self.tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._runs: dict[str, list[Rows]] = {ARTICLES.name: [], INDICATORS.name: []}
        """Rows of articles and indicators until a row group is full, consecutive
        rows of one batch as one run: written as they are, with no copy."""
        self._rows = dict.fromkeys(self._runs, 0)
        self._bytes = dict.fromkeys(self._runs, 0)
        self._errors = Columns(ERRORS)
        self._known = SeenArticles()

    def __enter__(self) -> DatasetWriter:
        try:
            self.tmp.mkdir(parents=True)
        except OSError as e:
            raise OutputError(f"cannot write a dataset to {self.out}: {e.strerror or e}") from None
        try:
            for table in TABLES:
                self._writers[table.name] = pq.ParquetWriter(
                    self.tmp / table.path, table.schema(self.metadata), compression="zstd",
                    dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES)
            if self.append and (self.out / ARTICLES.path).is_file():
                self._carry_over()
        except BaseException:
            self._abort()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._commit()
        else:
            self._abort()

    def add(self, result: ArticleBatches | ErrorRow) -> None:
        """Buffer one result; an article already written becomes a skip or an error."""
        if isinstance(result, ErrorRow):
            self._errors.add(asdict(result))
            if self._errors.rows >= ROW_GROUP_ROWS[ERRORS.name]:
                self._flush(ERRORS)
            self.counts.errors += 1
            if len(self.counts.first_errors) < FIRST_ERRORS:
                self.counts.first_errors.append(result)
            return
        aid, source = result.article_id, result.source
        first = self._known.add(aid, source)
        if first == source:
            self.counts.skipped += 1
        elif first is not None:
            self.add(ErrorRow(source, "write", "DuplicateArticle",
                              f"same text as article {aid} from {first}"))
        else:
            self._buffer(ARTICLES, result.article)
            self._buffer(INDICATORS, result.indicators)
            self.counts.articles += 1
            self.counts.indicators += result.indicators.length

    # -- internals ---------------------------------------------------------

    def _buffer(self, table: Table, rows: Rows) -> None:
        if rows.length:
            runs = self._runs[table.name]
            last = runs[-1] if runs else None
            if last and last.batch is rows.batch and last.start + last.length == rows.start:
                runs[-1] = Rows(last.batch, last.start, last.length + rows.length,
                                last.nbytes + rows.nbytes)
            else:
                runs.append(rows)
            self._rows[table.name] += rows.length
            self._bytes[table.name] += rows.nbytes
            if (self._rows[table.name] >= ROW_GROUP_ROWS[table.name]
                    or self._bytes[table.name] >= ROW_GROUP_BYTES):
                self._flush(table)

    def _flush(self, table: Table) -> None:
        """Write the buffered rows of ``table`` as one row group."""
        writer = self._writers[table.name]
        if table is ERRORS:
            if self._errors.rows:
                writer.write_batch(self._errors.batch(writer.schema))
                self._errors.clear()
        elif runs := self._runs[table.name]:
            writer.write_table(pa.Table.from_batches(
                [run.batch.slice(run.start, run.length) for run in runs]))
            runs.clear()
            self._rows[table.name] = self._bytes[table.name] = 0

    def _carry_over(self) -> None:
        """Copy the previous dataset's rows, remembering its article ids."""
        for table in TABLES:
            path = self.out / table.path
            if not path.is_file():
                continue
            writer = self._writers[table.name]
            kept = 0
            for batch in pq.ParquetFile(path).iter_batches(columns=list(table.column_names)):
                if table is ARTICLES:
                    ids = batch.column("article_id").to_pylist()
                    sources = batch.column("source").to_pylist()
                    self._known.update(zip(ids, sources, strict=True))
                if table is ERRORS and self.reread:
                    files = [s.split("#", 1)[0] for s in batch.column("source").to_pylist()]
                    batch = batch.filter(pa.array([f not in self.reread for f in files]))
                batch = pa.RecordBatch.from_arrays(batch.columns, schema=writer.schema)
                if batch.num_rows:
                    writer.write_batch(batch)
                    kept += batch.num_rows
            self.counts.kept[table.name] = kept

    def _commit(self) -> None:
        try:
            for table in TABLES:
                self._flush(table)
                self._writers[table.name].close()
            package = datapackage(self.name, self.metadata)
            (self.tmp / DATAPACKAGE).write_text(
                json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            _swap(self.tmp, self.out)
        except BaseException:
            self._abort()
            raise
        self._known.close()

    def _abort(self) -> None:
        self._known.close()
        for writer in self._writers.values():
            with suppress(Exception):  # already failing; the temp folder goes anyway
                writer.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class SeenArticles:
    """article_id → source of every article written so far, in a private temporary
    SQLite database (on disk past a 2 MB page cache, deleted when closed): memory
    does not grow with the corpus (a dict held ~200 bytes an article)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, source TEXT) WITHOUT ROWID")

    def add(self, article_id: str, source: str) -> str | None:
        """Remember an article: None if it is new, else the source it came from first
        (one statement for a new article, the common case)."""
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)",
                            (article_id, source)).rowcount:
            return None
        return self._db.execute("SELECT source FROM seen WHERE id = ?",
                                (article_id,)).fetchone()[0]

    def update(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember many articles (the first source of an id wins)."""
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", pairs)

    def close(self) -> None:
        """Drop the database."""
        self._db.close()


def recover(out: Path) -> None:
    """Tidy up after a run that was killed (SIGKILL, power cut) while writing ``out``.

    A previous dataset moved aside by an unfinished swap is put back, and the
    temp folders of runs whose process is gone are removed.
    """
    stale = re.compile(rf"\.{re.escape(out.name)}\.(tmp|old)-(\d+)-[0-9a-f]+")
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:
        return
    for name in names:
        m = stale.fullmatch(name)
        if not m or _alive(int(m[2])):
            continue
        path = out.parent / name
        if m[1] == "old" and not os.path.lexists(out):
            with suppress(OSError):
                path.rename(out)
                continue
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2`` with RENAME_EXCHANGE).

    False where the system or the file system cannot; raises OSError otherwise.
    """
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(new: Path, out: Path) -> None:
    """Put folder ``new`` in place of ``out``, atomically where the system allows (else by
    two renames, undone by ``recover`` if killed between them); the old folder is removed."""
    if not out.exists():
        new.rename(out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # now the previous dataset
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
