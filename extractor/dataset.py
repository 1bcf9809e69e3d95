"""Datasets (``datasets/NAME/dataset.toml``) and the run: read → extract → assemble → write.

The parent process discovers and reads the inputs in sorted order, hands the
raw articles in chunks to a process pool (HTML main text, metadata,
extraction, rows assembled into Arrow batches), and writes the results in input
order as they come back, so the output does not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
import tomllib
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyarrow as pa

from extractor import extract, interrupts
from extractor.assemble import ArticleRows, assemble
from extractor.metadata import extract_metadata
from extractor.readers import (
    FORMATS,
    ErrorRow,
    InputFile,
    RawArticle,
    ReadFailure,
    discover,
    html_to_article,
    read_input,
)
from extractor.rulecheck import validate
from extractor.schema import ARTICLES, INDICATORS, Columns
from extractor.writer import ArticleBatches, DatasetWriter, Rows, check_output, rules_digest

DATASETS_DIR = "datasets"
CONFIG_FILE = "dataset.toml"
DEFAULT_DATASET = "sample"
CHUNK_ARTICLES = 64
CHUNK_CHARS = 1 << 18
"""A chunk of work for a worker: this many articles, or fewer that reach this many
characters (a chunk costs two pickles and a few wake-ups, whatever its size)."""
ORPHAN_POLL_SECONDS = 0.5
"""How often a worker checks that its parent is still there."""
DEFAULT_MAX_ARTICLE_MB = 20.0
"""Largest article extracted by default (the engine reads about 3 MB a second)."""

T = TypeVar("T")
R = TypeVar("R")


class DatasetNotFound(Exception):
    """No ``dataset.toml`` for the name given (a usage error)."""


class ConfigError(Exception):
    """A ``dataset.toml`` that cannot be used (a usage error)."""


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How inputs are read and how the run goes."""

    text_field: str = "text"
    """JSONL key holding the article text."""
    text_column: str = "text"
    """CSV column holding the article text."""
    fmt: str | None = None
    """Read every input as this format (txt, html, jsonl, csv) instead of by suffix."""
    workers: int | None = None
    """Worker processes; None for the core count, 1 to work in this process."""
    append: bool = False
    """Keep the existing dataset and add only articles with a new id."""
    max_article_mb: float | None = DEFAULT_MAX_ARTICLE_MB
    """An article larger than this (MB, 10⁶ bytes) becomes an ``ArticleTooLarge`` error
    instead of being extracted; None for no limit."""

    @property
    def max_bytes(self) -> int | None:
        """``max_article_mb`` in bytes."""
        return None if self.max_article_mb is None else int(self.max_article_mb * 1e6)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did."""

    out: Path | str
    """The dataset folder (a URL string for a Dask run writing to an fsspec store)."""
    inputs: int
    articles: int
    indicators: int
    errors: int
    skipped: int
    seconds: float
    kept: dict[str, int] = field(default_factory=dict)
    """Rows carried over from the previous dataset (append), per table."""
    first_errors: tuple[ErrorRow, ...] = ()
    """The first few inputs that failed."""
    notes: tuple[str, ...] = ()
    """Warnings for the person running it (e.g. appending to a dataset built with other rules)."""

    @property
    def exit_code(self) -> int:
        """0 when every input was read, 1 when some are listed in ``errors``."""
        return 1 if self.errors else 0


@dataclass(frozen=True, slots=True)
class DatasetConfig:
    """A dataset definition; paths are relative to the folder of its ``dataset.toml``."""

    name: str
    folder: Path
    inputs: tuple[str, ...]
    output: Path
    description: str = ""
    options: RunOptions = RunOptions()

    @classmethod
    def load(cls, path: Path) -> DatasetConfig:
        """Read a ``dataset.toml``. Raises ConfigError."""
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{path}: {e}") from None
        section = data.get("dataset", {})
        options = data.get("options", {})
        _only(path, "the file", data, {"dataset", "options"})
        _only(path, "[dataset]", section, {"name", "description", "inputs", "output"})
        _only(path, "[options]", options, {"text_field", "text_column", "format", "append",
                                           "max_article_mb"})
        limit = options.get("max_article_mb", DEFAULT_MAX_ARTICLE_MB)
        if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0:
            raise ConfigError(f"{path}: [options] max_article_mb must be a number above 0")
        if options.get("format") not in (None, *FORMATS.values()):
            raise ConfigError(f"{path}: [options] format must be one of "
                              f"{', '.join(sorted(set(FORMATS.values())))}")
        inputs = section.get("inputs")
        if not inputs or not isinstance(inputs, list) or not all(
            isinstance(i, str) for i in inputs
        ):
            raise ConfigError(f"{path}: [dataset] inputs must be a non-empty list of paths")
        folder = path.parent.resolve()
        return cls(
            name=str(section.get("name", folder.name)),
            folder=folder,
            inputs=tuple(inputs),
            output=(folder / str(section.get("output", "out"))).resolve(),
            description=str(section.get("description", "")),
            options=RunOptions(
                text_field=str(options.get("text_field", "text")),
                text_column=str(options.get("text_column", "text")),
                fmt=options.get("format"),
                append=bool(options.get("append", False)),
                max_article_mb=float(limit),
            ),
        )


def _only(path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in {where}: {', '.join(unknown)} "
                          f"(allowed: {', '.join(sorted(allowed))})")


def find_dataset(name: str | None = None, cwd: Path | None = None) -> Path:
    """The ``dataset.toml`` for ``name`` (default ``sample``).

    ``name`` may be a path to a dataset folder or to its toml file. Otherwise
    it is looked up as ``datasets/NAME/dataset.toml`` under the current
    directory first, then in the source tree this package runs from (if any).
    """
    cwd = cwd or Path.cwd()
    name = name or DEFAULT_DATASET
    given = cwd / name
    candidates = [given if given.suffix == ".toml" else given / CONFIG_FILE,
                  cwd / DATASETS_DIR / name / CONFIG_FILE,
                  Path(__file__).resolve().parent.parent / DATASETS_DIR / name / CONFIG_FILE]
    for path in candidates:
        if path.is_file():
            return path
    raise DatasetNotFound(f"no dataset {name!r}: looked for "
                          + ", ".join(str(p) for p in dict.fromkeys(candidates))
                          + f" (run from a folder that has {DATASETS_DIR}/{name}/{CONFIG_FILE},"
                          " or give the dataset folder's path)")


def build(
    config: DatasetConfig,
    out: Path | None = None,
    workers: int | None = None,
    append: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Build a dataset from its definition (``out``, ``workers``, ``append`` override it)."""
    files = discover(config.inputs, config.options.fmt, base=config.folder)
    options = RunOptions(
        text_field=config.options.text_field,
        text_column=config.options.text_column,
        fmt=config.options.fmt,
        workers=workers,
        append=config.options.append if append is None else append,
        max_article_mb=config.options.max_article_mb,
    )
    return run(files, out or config.output, options, name=config.name, progress=progress)


def run(
    files: Sequence[InputFile],
    out: Path,
    options: RunOptions = RunOptions(),
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    stdin: BinaryIO | None = None,
) -> RunSummary:
    """Read ``files``, extract, and write the dataset to ``out`` atomically.

    ``progress(done, total)`` is called as input files are finished. Raises
    RuleError or OutputError (before any work) when the rule files are broken or
    ``out`` cannot take a dataset.
    """
    began = time.perf_counter()
    workers = options.workers or default_workers()
    if workers > 1:
        _pool_context()  # the workers' server starts now, loading zhstats while we check
    validate()  # a broken rule file stops the run before any input is read
    previous = check_output(out, options.append)
    notes = []
    if previous and previous.get("zhstats.rules_digest") != rules_digest():
        notes.append(f"{out} was built with other rules (rules digest "
                     f"{previous.get('zhstats.rules_digest', '?')[:12]}…); "
                     "its old rows were kept as they were")
    reread = {f.source for f in files}
    done = 0
    if progress:
        progress(0, len(files))
    with (DatasetWriter(out, name or out.name, append=options.append, reread=reread) as writer,
          _worker_pool(workers) as pool):
        for file_index, result in _process_in_order(_read_all(files, options, stdin), pool,
                                                     workers):
            if file_index - 1 > done:
                done = file_index - 1
                if progress:
                    progress(done, len(files))
            interrupts.check()
            writer.add(result)
        if progress:
            progress(len(files), len(files))
        interrupts.check()  # a Ctrl-C swallowed anywhere must not let the run commit
    counts = writer.counts
    return RunSummary(
        out=out, inputs=len(files), articles=counts.articles, indicators=counts.indicators,
        errors=counts.errors, skipped=counts.skipped,
        seconds=time.perf_counter() - began, kept=dict(counts.kept),
        first_errors=tuple(counts.first_errors), notes=tuple(notes),
    )


def process(item: RawArticle | ErrorRow) -> ArticleRows | ErrorRow:
    """One raw article → its rows, or the error that stopped it (at any stage)."""
    if isinstance(item, ErrorRow):
        return item
    stage = "parse"
    try:
        text, values = item.content, item.fields
        if item.fmt == "html":
            text, found = html_to_article(item.content)
            values = {**found, **values}
        stage = "metadata"
        meta, extra = extract_metadata(text, values)
        stage = "extract"
        mentions = extract(text, published=meta.published)
        stage = "assemble"
        return assemble(item.source, text, item.encoding, meta, extra, mentions)
    except ReadFailure as e:
        return ErrorRow(item.source, stage, e.error_type, e.message)
    except Exception as e:
        return ErrorRow(item.source, stage, type(e).__name__, str(e) or repr(e))


def _read_all(
    files: Sequence[InputFile], options: RunOptions, stdin: BinaryIO | None
) -> Iterator[tuple[int, RawArticle | ErrorRow]]:
    """Every raw article or read error, tagged with its file's 1-based index."""
    for index, item in enumerate(files, 1):
        for raw in read_input(item, options.text_field, options.text_column, stdin,
                              max_bytes=options.max_bytes):
            yield index, raw


@dataclass(frozen=True, slots=True)
class Chunk:
    """The results of consecutive inputs, as a worker sends them back: each input's
    key (article id, source, number of indicators) or error, and the rows of its
    articles in two Arrow batches, article after article (batches pickle and become
    Parquet row groups several times faster than rows as Python objects)."""

    results: list[tuple[str, str, int] | ErrorRow]
    articles: pa.RecordBatch
    indicators: pa.RecordBatch

    def split(self) -> Iterator[ArticleBatches | ErrorRow]:
        """Each input's result; an article's rows are ranges of the batches."""
        article_bytes = self.articles.nbytes / max(1, self.articles.num_rows)
        indicator_bytes = self.indicators.nbytes / max(1, self.indicators.num_rows)
        row = offset = 0
        for result in self.results:
            if isinstance(result, ErrorRow):
                yield result
                continue
            aid, source, n = result
            yield ArticleBatches(aid, source, Rows(self.articles, row, 1, round(article_bytes)),
                                 Rows(self.indicators, offset, n, round(indicator_bytes * n)))
            row += 1
            offset += n


def _process_chunk(items: list[RawArticle | ErrorRow]) -> Chunk:
    results: list[tuple[str, str, int] | ErrorRow] = []
    articles, indicators = Columns(ARTICLES), Columns(INDICATORS)
    for item in items:
        result = process(item)
        if isinstance(result, ArticleRows):
            articles.add(result.article)
            indicators.extend(result.indicators)
            result = (result.article_id, result.source, result.n_mentions)
        results.append(result)
    return Chunk(results, articles.batch(ARTICLES.schema()),
                 indicators.batch(INDICATORS.schema()))


def _process_in_order(
    items: Iterable[tuple[int, RawArticle | ErrorRow]], pool: ProcessPoolExecutor | None,
    workers: int,
) -> Iterator[tuple[int, ArticleBatches | ErrorRow]]:
    """Process items (in ``pool`` of ``workers``, else here), yielding results in input order."""
    chunks = _chunks(items)
    for chunk, done in _ordered_map(_process_chunk, chunks, pool, 4 * workers, _payload):
        yield from zip((index for index, _ in chunk), done.split(), strict=True)


def _payload(chunk: list[tuple[int, RawArticle | ErrorRow]]) -> list[RawArticle | ErrorRow]:
    return [item for _, item in chunk]


def _chunks(items: Iterable[tuple[int, RawArticle | ErrorRow]]
            ) -> Iterator[list[tuple[int, RawArticle | ErrorRow]]]:
    chunk: list[tuple[int, RawArticle | ErrorRow]] = []
    chars = 0
    for item in items:
        chunk.append(item)
        chars += len(item[1].content) if isinstance(item[1], RawArticle) else 0
        if len(chunk) == CHUNK_ARTICLES or chars >= CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def _ordered_map(
    fn: Callable[[Any], R], chunks: Iterator[T], pool: ProcessPoolExecutor | None,
    in_flight: int, key: Callable[[T], Any],
) -> Iterator[tuple[T, R]]:
    """(chunk, fn(key(chunk))) in order; at most ``in_flight`` chunks in the pool."""
    if pool is None:
        for chunk in chunks:
            yield chunk, fn(key(chunk))
        return
    pending: deque[tuple[T, Future[R]]] = deque()
    for chunk in chunks:
        with interrupts.deferred():  # submit may start a worker: not cut halfway
            pending.append((chunk, pool.submit(fn, key(chunk))))
        if len(pending) >= in_flight:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


@contextmanager
def _worker_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``workers`` processes (None for one), shut down when the block ends,
    however it ends: a pool left running at exit races its own exit hook, which
    then prints a traceback after a Ctrl-C."""
    pool = _start_pool(workers) if workers > 1 else None
    try:
        yield pool
    finally:
        if pool is not None:
            with interrupts.deferred():
                pool.shutdown(wait=True, cancel_futures=True)


def _start_pool(workers: int) -> ProcessPoolExecutor | None:
    """A started process pool, or None (with a warning) when workers cannot start."""
    pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_ignore_sigint,
                               initargs=(os.getpid(),))
    try:
        with interrupts.deferred():  # a worker cut halfway through its start prints a traceback
            pool.submit(int).result()
    except BrokenProcessPool:
        pool.shutdown(wait=True, cancel_futures=True)
        warnings.warn("worker processes could not start (a script that runs zhstats needs "
                      "an `if __name__ == '__main__':` guard); working in this process",
                      RuntimeWarning, stacklevel=2)
        return None
    except BaseException:  # Ctrl-C while it started: shut it down now, not at exit
        with interrupts.deferred():
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    return pool


def _pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one (no fork of a threaded parent), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["extractor.dataset", "extractor.preload"])
        _start_forkserver()
        return context
    return multiprocessing.get_context("spawn")


def _start_forkserver() -> None:
    """Start the forkserver with Ctrl-C ignored, a disposition it keeps across exec and
    hands to the workers it forks: else a Ctrl-C while it imports zhstats (its first
    half second) prints its traceback. Here Ctrl-C is blocked meanwhile, so that one
    pressed during the spawn is held (Linux keeps a blocked signal pending even when
    ignored) and arrives once the handler is back, instead of being lost."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()  # signal handlers can only be set in the main thread
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _ignore_sigint(main: int | None = None) -> None:
    """Workers leave Ctrl-C to the parent, which aborts the write cleanly, and end when
    the ``main`` process is gone: killed outright, it would leave them (and the
    forkserver, which waits for them) blocked for good."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if main is not None:
        threading.Thread(target=_exit_without, args=(main,), daemon=True,
                         name="zhstats-orphan-watch").start()


def _exit_without(main: int) -> None:
    try:  # Linux ≥ 5.3: readable once ``main`` has exited (reaped or not, never reused)
        handle = os.pidfd_open(main)
    except (AttributeError, OSError):
        while not _gone(main):
            time.sleep(ORPHAN_POLL_SECONDS)
    else:
        select.select([handle], [], [])
    os._exit(1)


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie not yet reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # EPERM: alive
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return False
