"""Atomic, streaming writer of a dataset folder (three Parquet tables + datapackage.json).

Rows go into a hidden temp folder next to the output as they arrive, in row
groups; only a finished run replaces the output folder (``extractor.layout``:
the lock, the checks, the swap), so an interrupted run leaves the previous
dataset as it was. With ``append`` the previous tables are copied over first,
except the rows of the inputs this run reads again: each input is represented
by its latest reading, in exactly one table. What is written is counted, and
a text seen before refused, by a ``Ledger``, which the Dask engine uses too.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import ExitStack, suppress
from dataclasses import asdict, astuple, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractor import layout
from extractor.assemble import ArticleRows
from extractor.layout import DATAPACKAGE, Existing, OutputError
from extractor.readers import ErrorRow, file_of, printable
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

__all__ = ["DATAPACKAGE", "OutputError"]  # where the CLI and library users import them

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


class AllInputsFailed(OutputError):
    """Every input of a replacing run failed, and the output held articles: it was kept."""

    def __init__(self, out: Path | str, errors: int, first: ErrorRow, articles: int) -> None:
        super().__init__(
            f"every input failed ({errors:,} error{'s' if errors != 1 else ''}; the first: "
            f"{first.source}: {first.error_type}: {first.message}); {out} was left as it was, "
            f"with its {articles:,} article{'s' if articles != 1 else ''} (--force replaces "
            "it anyway)")


def dataset_metadata(rules_digest: str) -> dict[str, str]:
    """The key-value metadata every table of a dataset written now carries."""
    from extractor import __version__

    return {
        "zhstats.schema_version": SCHEMA_VERSION,
        "zhstats.version": __version__,
        "zhstats.rules_digest": rules_digest,
        "zhstats.created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


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

    @classmethod
    def of(cls, rows: ArticleRows) -> ArticleBatches:
        """An article's rows as ``assemble`` gives them, as batches of their own."""
        article, indicators = Columns(ARTICLES), Columns(INDICATORS)
        article.add(rows.article)
        indicators.extend(rows.indicators)
        a, i = article.batch(ARTICLES.schema()), indicators.batch(INDICATORS.schema())
        return cls(rows.article_id, rows.source, Rows(a, 0, 1, a.nbytes),
                   Rows(i, 0, i.num_rows, i.nbytes))


@dataclass
class WriteCounts:
    """What a write added: new articles, their indicator rows, error rows, and articles
    read again unchanged (``skipped``: rewritten, not counted as new)."""

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

    Entering it claims the output folder (``layout.locked``: OutputError at once if
    another run writes it, or if it holds anything besides a zhstats dataset).
    ``reread`` names the input files of this run: when appending, the previous
    rows of those files (articles, their indicators, errors) are not carried
    over, since this run has read them again. Unless ``force``, a replacing run in
    which every input failed keeps an output that held articles (AllInputsFailed).
    """

    def __init__(
        self,
        out: Path,
        name: str,
        append: bool = False,
        reread: Iterable[str] = (),
        force: bool = False,
        rules_digest: str | None = None,
    ) -> None:
        self.out = layout.target(out)
        self.name = name
        self.append = append
        self.force = force
        self.reread = frozenset(reread)
        if rules_digest is None:
            from extractor.ruleset import default_ruleset

            rules_digest = default_ruleset().digest
        self.metadata = dataset_metadata(rules_digest)
        self.ledger = Ledger(append)
        self.existing: Existing | None = None
        """The dataset the output folder held when the run began."""
        self.tmp = layout.temp_folder(self.out)
        self._hold = ExitStack()
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._runs: dict[str, list[Rows]] = {ARTICLES.name: [], INDICATORS.name: []}
        """Rows of articles and indicators until a row group is full, consecutive
        rows of one batch as one run: written as they are, with no copy."""
        self._rows = dict.fromkeys(self._runs, 0)
        self._bytes = dict.fromkeys(self._runs, 0)
        self._errors = Columns(ERRORS)

    @property
    def counts(self) -> WriteCounts:
        """What the run has written so far."""
        return self.ledger.counts

    def __enter__(self) -> DatasetWriter:
        try:
            self._hold.enter_context(layout.locked(self.out))
            self.existing = layout.check(self.out)
            if self.append and self.existing:
                version = self.existing.metadata.get("zhstats.schema_version")
                if version != SCHEMA_VERSION:
                    raise OutputError(f"{self.out} has schema version {version}, this zhstats "
                                      f"writes {SCHEMA_VERSION}: rebuild without --append")
            try:
                self.tmp.mkdir()
            except OSError as e:
                raise OutputError(f"cannot write a dataset to {self.out}: "
                                  f"{e.strerror or e}") from None
            for table in TABLES:
                self._writers[table.name] = pq.ParquetWriter(
                    self.tmp / table.path, table.schema(self.metadata), compression="zstd",
                    dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES)
            if self.append and self.existing:
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

    def add(self, result: ArticleRows | ArticleBatches | ErrorRow) -> None:
        """Buffer one result: an article's rows (as ``assemble`` gives them, or as ranges
        of Arrow batches) or an error row. An article whose text is already in the
        dataset becomes a ``DuplicateArticle`` error."""
        if isinstance(result, ErrorRow):
            self._error(self.ledger.error(result))
            return
        if isinstance(result, ArticleRows):
            result = ArticleBatches.of(result)
        duplicate = self.ledger.article(result.article_id, result.source,
                                        result.indicators.length)
        if duplicate is not None:
            self._error(duplicate)
            return
        self._buffer(ARTICLES, result.article)
        self._buffer(INDICATORS, result.indicators)

    # -- internals ---------------------------------------------------------

    def _error(self, row: ErrorRow) -> None:
        self._errors.add(asdict(row))
        if self._errors.rows >= ROW_GROUP_ROWS[ERRORS.name]:
            self._flush(ERRORS)

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
        """Copy the previous dataset's rows, remembering its article ids; the rows of
        the inputs this run reads again stay behind."""
        dropped: list[str] = []
        for table in TABLES:
            writer = self._writers[table.name]
            kept = 0
            if table is INDICATORS:
                gone = pa.array(dropped, pa.string())
            for path in layout.table_files(self.out, table):
                for batch in pq.ParquetFile(path).iter_batches(
                        columns=list(table.column_names)):
                    if table is INDICATORS:
                        keep = pc.invert(pc.is_in(batch.column("article_id"), value_set=gone))
                    else:
                        sources = batch.column("source").to_pylist()
                        keep = pa.array([file_of(s) not in self.reread for s in sources])
                    if table is ARTICLES:
                        ids = batch.column("article_id").to_pylist()
                        pairs = list(zip(ids, sources, strict=True))
                        flags = keep.to_pylist()
                        self.ledger.seen.update(
                            p for p, k in zip(pairs, flags, strict=True) if k)
                        again = [p for p, k in zip(pairs, flags, strict=True) if not k]
                        self.ledger.seen.expect(again)
                        dropped += [aid for aid, _ in again]
                    batch = pa.RecordBatch.from_arrays(batch.filter(keep).columns,
                                                       schema=writer.schema)
                    if batch.num_rows:
                        writer.write_batch(batch)
                        kept += batch.num_rows
            self.counts.kept[table.name] = kept

    def _commit(self) -> None:
        try:
            self.ledger.check_commit(self.out, self.existing, self.force)
            for table in TABLES:
                self._flush(table)
                self._writers[table.name].close()
            package = datapackage(self.name, self.metadata)
            (self.tmp / DATAPACKAGE).write_text(
                json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            layout.swap(self.tmp, self.out)
        except BaseException:
            self._abort()
            raise
        self.ledger.close()
        self._hold.close()

    def _abort(self) -> None:
        self.ledger.close()
        for writer in self._writers.values():
            with suppress(Exception):  # already failing; the temp folder goes anyway
                writer.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self._hold.close()


class Ledger:
    """The counting half of writing a dataset, for any engine: every result is counted
    here in input order, and an article whose text came before becomes a
    ``DuplicateArticle`` error row. ``DatasetWriter`` keeps one; the Dask engine's
    client keeps one while the partitions' files are written on the workers."""

    def __init__(self, append: bool = False) -> None:
        self.append = append
        self.counts = WriteCounts()
        self.seen = SeenArticles()
        """Every article id kept so far (and, when appending, the previous dataset's)."""

    def error(self, row: ErrorRow) -> ErrorRow:
        """Count an error row; the row to write (every value printable)."""
        row = ErrorRow(*(printable(v) for v in astuple(row)))
        self.counts.errors += 1
        if len(self.counts.first_errors) < FIRST_ERRORS:
            self.counts.first_errors.append(row)
        return row

    def article(self, article_id: str, source: str, indicators: int) -> ErrorRow | None:
        """Count an article with its number of indicator rows: None when it is to be
        written, else the (counted) ``DuplicateArticle`` error row that replaces it."""
        first = self.seen.add(article_id, source)
        if first is not None:
            return self.error(ErrorRow(source, "write", "DuplicateArticle",
                                       f"same text as article {article_id} from {first}"))
        if self.append and self.seen.again(article_id, source):
            self.counts.skipped += 1
        else:
            self.counts.articles += 1
            self.counts.indicators += indicators
        return None

    def check_commit(self, out: Path | str, existing: Existing | None, force: bool) -> None:
        """Raise AllInputsFailed when a replacing run in which every input failed would
        replace a dataset that held articles (unless ``force``)."""
        counts = self.counts
        if (not self.append and not force and existing and existing.articles
                and counts.errors and not counts.articles and not counts.skipped):
            raise AllInputsFailed(out, counts.errors, counts.first_errors[0],
                                  existing.articles)

    def close(self) -> None:
        """Drop the article ids."""
        self.seen.close()


class SeenArticles:
    """article_id → source of every article written so far, in a private temporary
    SQLite database (on disk past a 2 MB page cache, deleted when closed): memory
    does not grow with the corpus (a dict held ~200 bytes an article)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, source TEXT) WITHOUT ROWID")
        self._db.execute("CREATE TABLE again (id TEXT, source TEXT, PRIMARY KEY (id, source))"
                         " WITHOUT ROWID")

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

    def expect(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember the previous articles of inputs read again (not written yet)."""
        self._db.executemany("INSERT OR IGNORE INTO again VALUES (?, ?)", pairs)

    def again(self, article_id: str, source: str) -> bool:
        """Whether this article was in the previous dataset, from the same input."""
        return self._db.execute("SELECT 1 FROM again WHERE id = ? AND source = ?",
                                (article_id, source)).fetchone() is not None

    def close(self) -> None:
        """Drop the database."""
        self._db.close()
