"""The local pool: raw articles in chunks to worker processes, results back in input order.

The parent reads the inputs and hands the raw articles in chunks to a process
pool (forkserver: workers start from a server that has imported zhstats and
compiled the scan); each worker runs ``pipeline.process`` on its chunk's
articles and sends their rows back as Arrow batches. Results are yielded in
input order, so the output does not depend on the number of workers. With one
worker everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import stat
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from extractor import interrupts
from extractor.assemble import ArticleRows
from extractor.pipeline import process
from extractor.readers import ErrorRow, InputFile, RawArticle
from extractor.schema import ARTICLES, INDICATORS, Columns
from extractor.writer import ArticleBatches, Rows

if TYPE_CHECKING:
    from extractor.ruleset import Ruleset

CHUNK_ARTICLES = 64
CHUNK_CHARS = 1 << 18
"""A chunk of work for a worker: this many articles, or fewer that reach this many
characters (a chunk costs two pickles and a few wake-ups, whatever its size)."""
ORPHAN_POLL_SECONDS = 0.5
"""How often a worker checks that its parent is still there."""
POOL_MIN_BYTES = 16 << 20
"""Less input than this is done in this process unless workers are asked for: starting
them (a server importing zhstats and compiling the scan, then each worker: ~3 s) costs
more than they save (1 worker 2.06 MB/s, 2 workers 3.53 MB/s end to end: 3 s are
won back at about 15 MB)."""

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def workers_for(files: Sequence[InputFile], asked: int | None) -> int:
    """The worker processes a run uses: ``asked`` if given, else the core count, or one
    when the inputs hold less than ``POOL_MIN_BYTES`` (standard input and pipes, whose
    size is not known beforehand, count as large)."""
    if asked is not None:
        return asked
    cores = default_workers()
    if cores == 1:
        return 1
    total = 0
    for item in files:
        try:
            info = os.stat(item.path) if item.path is not None else None
        except OSError:
            continue  # fails when read, in no time
        if info is None or not stat.S_ISREG(info.st_mode):
            return cores
        total += info.st_size
        if total >= POOL_MIN_BYTES:
            return cores
    return 1


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


def process_here(items: Iterable[RawArticle | ErrorRow], max_seconds: float | None = None,
                 rules: Ruleset | None = None) -> Iterator[Chunk]:
    """Process items in this process, chunk by chunk, in order (a Dask task's work)."""
    for chunk in chunks((0, item) for item in items):
        yield process_chunk(_payload(chunk), max_seconds, rules)


def process_chunk(items: list[RawArticle | ErrorRow], max_seconds: float | None = None,
                  rules: Ruleset | None = None) -> Chunk:
    """A worker's job: ``pipeline.process`` on each item, the rows gathered as a Chunk."""
    results: list[tuple[str, str, int] | ErrorRow] = []
    articles, indicators = Columns(ARTICLES), Columns(INDICATORS)
    for item in items:
        result = process(item, max_seconds, rules)
        if isinstance(result, ArticleRows):
            articles.add(result.article)
            indicators.extend(result.indicators)
            result = (result.article_id, result.source, result.n_mentions)
        results.append(result)
    return Chunk(results, articles.batch(ARTICLES.schema()),
                 indicators.batch(INDICATORS.schema()))


def process_in_order(
    items: Iterable[tuple[int, RawArticle | ErrorRow]], pool: ProcessPoolExecutor | None,
    workers: int, max_seconds: float | None = None, rules: Ruleset | None = None,
) -> Iterator[tuple[int, ArticleBatches | ErrorRow]]:
    """Process items (in ``pool`` of ``workers``, else here), yielding results in input order;
    ``max_seconds`` limits each article (``pipeline.process``); ``rules`` pickles as its
    folder and digest."""
    work = partial(process_chunk, max_seconds=max_seconds, rules=rules)
    for chunk, done in _ordered_map(work, chunks(items), pool, 4 * workers, _payload):
        yield from zip((index for index, _ in chunk), done.split(), strict=True)


def _payload(chunk: list[tuple[int, RawArticle | ErrorRow]]) -> list[RawArticle | ErrorRow]:
    return [item for _, item in chunk]


def chunks(items: Iterable[tuple[int, RawArticle | ErrorRow]]
           ) -> Iterator[list[tuple[int, RawArticle | ErrorRow]]]:
    """Tagged items in lists of ``CHUNK_ARTICLES``, or fewer holding ``CHUNK_CHARS``."""
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
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``workers`` processes (None for one), shut down when the block ends,
    however it ends: a pool left running at exit races its own exit hook, which
    then prints a traceback after a Ctrl-C. When the block fails (Ctrl-C, SIGTERM)
    the workers are killed first, so that the run ends at once, not after the
    articles in hand (a page can take a worker minutes)."""
    pool = _start_pool(workers) if workers > 1 else None
    try:
        yield pool
    except BrokenProcessPool:
        interrupts.check()  # workers killed with the parent's group (SIGTERM): say so
        raise
    except BaseException:
        if pool is not None:  # Ctrl-C, SIGTERM, an error: the work in hand is not awaited
            _kill_workers(pool)
        raise
    finally:
        if pool is not None:
            with interrupts.deferred():
                pool.shutdown(wait=True, cancel_futures=True)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers now (Python 3.11's executor has no public way)."""
    for worker in list((pool._processes or {}).values()):
        with suppress(OSError, ValueError):
            worker.kill()


def _start_pool(workers: int) -> ProcessPoolExecutor | None:
    """A started process pool, or None (with a warning) when workers cannot start."""
    pool = ProcessPoolExecutor(workers, mp_context=pool_context(), initializer=_ignore_sigint,
                               initargs=(os.getpid(),))
    try:
        with interrupts.deferred():  # the spawn, cut halfway, prints a traceback
            started = pool.submit(int)
        started.result()  # the workers' start (seconds on a busy machine) can be cut
    except BrokenProcessPool:
        pool.shutdown(wait=True, cancel_futures=True)
        warnings.warn("worker processes could not start (a script that runs zhstats needs "
                      "an `if __name__ == '__main__':` guard); working in this process",
                      RuntimeWarning, stacklevel=2)
        return None
    except BaseException:  # Ctrl-C while it started: shut it down now, not at exit
        _kill_workers(pool)
        with interrupts.deferred():
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    return pool


def pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one (no fork of a threaded parent), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["extractor.pool", "extractor.preload"])
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
