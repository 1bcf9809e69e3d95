"""The Dask engine: the local run's read → extract → assemble, spread over a Dask cluster.

The inputs are cut into partitions in input order: runs of whole files, and
byte blocks of each large JSONL or CSV file (cut at record boundaries by one
sequential index pass, so lines and rows keep the numbers the local engine
gives them). A task per partition runs the local pool's chunk work
(:func:`extractor.pool.process_here`) and keeps the rows in worker memory; as
partitions finish, the client counts their results in input order with the
writer's :class:`~extractor.writer.Ledger` (texts already seen become
``DuplicateArticle`` errors, as in a local run) and a second task writes the
partition's files with ``pyarrow.dataset``. File names are fixed per partition,
so a task that Dask reruns after a worker died overwrites its own files: each
article is written once. The output is built in a hidden folder next to ``out`` and moved into
place at the end.

Dask and fsspec are imported when a run starts, so the base install needs neither
(and the CLI does not pay for importing them, nor pyarrow.dataset, on local runs).
"""

from __future__ import annotations

import csv
import io
import json
import math
import posixpath
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager, suppress
from dataclasses import asdict, dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from extractor import layout
from extractor.config import RunOptions
from extractor.dataset import RunSummary
from extractor.layout import DATAPACKAGE, OutputError
from extractor.pool import Chunk, default_workers, process_here
from extractor.readers import (
    FORMATS,
    SAMPLE_BYTES,
    STDIN,
    ErrorRow,
    InputFile,
    InputNotFound,
    RawArticle,
    ReadFailure,
    csv_records,
    decode_sample,
    decoded_lines,
    detect,
    discover,
    jsonl_records,
    read_input,
)
from extractor.schema import ARTICLES, ERRORS, INDICATORS, TABLES, Columns, Table, datapackage
from extractor.writer import Ledger, dataset_metadata

if TYPE_CHECKING:
    from distributed import Client, Future
    from fsspec import AbstractFileSystem

INSTALL_HINT = ("--engine dask needs Dask: pip install 'zhstats[dask]' "
                "(in a checkout: pip install '.[dask]')")
PARTITION_KEYS = ("published_month",)
"""Columns ``--partition-by`` accepts (hive folders of ``articles`` and ``indicators``)."""
PARTITION_BYTES = 32 << 20
"""Input bytes per partition at most, unless ``partitions`` is given."""
TASKS_PER_THREAD = 4
"""Partitions per worker thread at least, unless ``partitions`` is given."""
_NULL_FOLDER = "__HIVE_DEFAULT_PARTITION__"


class EngineError(Exception):
    """The Dask engine cannot run as asked (a usage error, raised before any work)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """A whole input file (``end`` None), or the bytes ``[start, end)`` of a JSONL/CSV file."""

    item: InputFile
    url: str
    """Where workers open it: an absolute local path or an fsspec URL."""
    size: int
    start: int = 0
    end: int | None = None
    first: int = 1
    """Number of the block's first line (JSONL) or data row (CSV)."""
    codec: str = ""
    encoding: str = ""
    header: bytes = b""
    """A CSV block's header record."""


@dataclass(frozen=True, slots=True)
class Cuts:
    """Where a large JSONL or CSV file is cut: ``cuts`` are (offset, first number) pairs."""

    codec: str
    encoding: str
    header: bytes
    cuts: tuple[tuple[int, int], ...]
    end: int


def run_dask(
    inputs: Sequence[str],
    out: str,
    options: RunOptions | None = None,
    scheduler: str | None = None,
    partitions: int | None = None,
    partition_by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Extract ``inputs`` (paths or fsspec URLs) on a Dask cluster into the dataset ``out``.

    Without ``scheduler`` a LocalCluster of ``options.workers`` (default: the
    core count) single-threaded worker processes runs the work. Raises
    EngineError, InputNotFound or OutputError before any work.
    """
    began = time.perf_counter()
    options = options or RunOptions()
    if options.append:
        raise EngineError("--append is not supported with --engine dask")
    if scheduler and options.workers:
        raise EngineError("--workers sizes the local cluster; with --scheduler the "
                          "cluster's own workers do the work")
    if partition_by not in (None, *PARTITION_KEYS):
        raise EngineError(f"--partition-by must be one of {', '.join(PARTITION_KEYS)}")
    if STDIN in inputs:
        raise EngineError("standard input (-) cannot be read by --engine dask")
    try:
        import distributed  # noqa: F401
        import fsspec
    except ImportError:
        raise EngineError(INSTALL_HINT) from None
    from fsspec.implementations.local import LocalFileSystem

    fs, root = fsspec.core.url_to_fs(out)
    with ExitStack() as hold:
        existing = None
        if isinstance(fs, LocalFileSystem):  # the local engine's lock and checks
            root = str(layout.target(Path(root)))
            hold.enter_context(layout.locked(Path(root)))
            existing = layout.check(Path(root))
        else:
            _check_remote(fs, root, out)
        files = _discover(inputs, options.fmt)
        if not files:
            raise InputNotFound(f"no {'/'.join(sorted(set(FORMATS.values())))} file in "
                                f"{', '.join(inputs)}")
        tmp = str(layout.temp_folder(Path(root.rstrip("/"))))
        metadata = dataset_metadata(options.ruleset.digest)
        ledger = hold.enter_context(closing(Ledger()))
        with _connect(scheduler, options.workers) as client:
            plan = _plan(client, files, partitions, options)
            try:
                fs.makedirs(tmp, exist_ok=True)
                written: list[str] = []
                for done in _run_plan(client, plan, options, fs.unstrip_protocol(tmp),
                                      partition_by, metadata, ledger, written):
                    if progress:
                        progress(done, len(files))
                ledger.check_commit(out, existing, options.force)
                written += _fill_empty(fs, tmp, written, partition_by, metadata)
                _commit(fs, tmp, root, written, metadata)
            except BaseException:
                with suppress(Exception):  # already failing; the temp folder goes if it can
                    fs.rm(tmp, recursive=True)
                raise
    counts = ledger.counts
    return RunSummary(
        out=out, inputs=len(files), articles=counts.articles, indicators=counts.indicators,
        errors=counts.errors, skipped=0, seconds=time.perf_counter() - began,
        first_errors=tuple(counts.first_errors),
    )


def _run_plan(
    client: Client, plan: list[tuple[list[Piece], int]], options: RunOptions, tmp: str,
    partition_by: str | None, metadata: dict[str, str], ledger: Ledger, written: list[str],
) -> Iterator[int]:
    """Extract every partition, then write each once those before it are counted.

    Yields the number of input files done (0 first) as partitions are written, whose
    files (relative to the dataset folder) it adds to ``written``.
    """
    from distributed import as_completed

    run = secrets.token_hex(4)
    rows = [client.submit(_extract, pieces, options, retries=2,
                          key=f"zhstats-extract-{k}-{run}") for k, (pieces, _) in enumerate(plan)]
    results = {client.submit(_results, future, key=f"zhstats-results-{k}-{run}"): k
               for k, future in enumerate(rows)}
    writes: dict[Future, int] = {}
    ready: dict[int, list[tuple[str, str, int] | ErrorRow]] = {}
    done = 0
    yield done
    pending = as_completed(results)
    for future in pending:
        if future in writes:
            written += future.result()
            done += plan[writes[future]][1]
            yield done
            continue
        ready[results[future]] = future.result()
        while (k := len(writes)) in ready:  # the next partition in input order
            drops, errors = _count(ready.pop(k), ledger)
            write = client.submit(_write, rows[k], k, drops, errors, tmp, partition_by,
                                  metadata, retries=2, key=f"zhstats-write-{k}-{run}")
            rows[k] = write  # the write now holds the rows: the client lets them go
            writes[write] = k
            pending.add(write)


@contextmanager
def _connect(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new LocalCluster sized to the machine."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler is None:
        with LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                          processes=True, dashboard_address=":0",
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout="10s")
        client.wait_for_workers(1, timeout=60)
    except (OSError, TimeoutError) as e:
        raise EngineError(f"cannot use the Dask scheduler at {scheduler}: {e}") from None
    with client:
        yield client


# -- inputs and partitions ---------------------------------------------------


def _discover(inputs: Sequence[str], fmt: str | None) -> list[tuple[InputFile, str, int]]:
    """(input, URL for workers, size) of every input file, sorted by source like ``discover``."""
    local = [arg for arg in inputs if "://" not in arg]
    found = [(f, str(f.path.resolve()), f.path.stat().st_size)
             for f in (discover(local, fmt) if local else []) if f.path is not None]
    for arg in inputs:
        if "://" in arg:
            found += _discover_url(arg, fmt)
    return sorted(found, key=lambda f: f[0].source)


def _discover_url(arg: str, fmt: str | None) -> list[tuple[InputFile, str, int]]:
    """Files named by an fsspec URL: a file, a folder (recursive, hidden skipped) or a glob."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(arg)
    if any(c in path for c in "*?["):
        infos = fs.glob(path, detail=True)
        if not infos:
            raise InputNotFound(f"{arg}: no file matches this pattern")
    elif fs.isdir(path):
        infos = {p: info for p, info in fs.find(path, detail=True).items()
                 if not any(part.startswith(".")
                            for part in posixpath.relpath(p, path).split("/"))}
    elif fs.isfile(path):
        return [(InputFile(arg, Path(path), fmt or FORMATS.get(_suffix(path))), arg,
                 fs.size(path))]
    else:
        raise InputNotFound(f"{arg}: no such file or folder")
    return [(InputFile(fs.unstrip_protocol(p), Path(p), fmt or FORMATS.get(_suffix(p))),
             fs.unstrip_protocol(p), int(info["size"]))
            for p, info in sorted(infos.items())
            if info["type"] == "file" and (fmt or _suffix(p) in FORMATS)]


def _suffix(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


def _plan(
    client: Client, files: list[tuple[InputFile, str, int]], partitions: int | None,
    options: RunOptions,
) -> list[tuple[list[Piece], int]]:
    """The partitions, in input order, each with the number of input files it completes."""
    total = sum(size for _, _, size in files)
    threads = sum(client.nthreads().values())
    target = partitions or max(TASKS_PER_THREAD * threads, math.ceil(total / PARTITION_BYTES))
    block = max(1, math.ceil(total / target))
    large = {url: client.submit(find_cuts, url, item.fmt, block, options.text_column,
                                pure=False)
             for item, url, size in files if item.fmt in ("jsonl", "csv") and size > block}
    found = dict(zip(large, client.gather(list(large.values())), strict=True))
    plan: list[tuple[list[Piece], int]] = []
    group: list[Piece] = []
    for item, url, size in files:
        if (cut := found.get(url)) is None:
            if group and sum(p.size for p in group) + size > block:
                plan.append((group, len(group)))
                group = []
            group.append(Piece(item, url, size))
            continue
        if group:
            plan.append((group, len(group)))
            group = []
        ends = [offset for offset, _ in cut.cuts[1:]] + [cut.end]
        for (start, first), end in zip(cut.cuts, ends, strict=True):
            piece = Piece(item, url, end - start, start, end, first, cut.codec, cut.encoding,
                          cut.header)
            plan.append(([piece], int(end == cut.end)))
    if group:
        plan.append((group, len(group)))
    return plan


def find_cuts(url: str, fmt: str, block: int, text_column: str) -> Cuts | None:
    """Cuts of about ``block`` bytes through a JSONL or CSV file, at record boundaries.

    None when the file is to be read whole: it is small, UTF-16, or something
    the local reader rejects as a whole (bad encoding, a CSV error, no text
    column), so that it fails exactly as it does there.
    """
    import fsspec

    csv.field_size_limit(2**31 - 1)
    with fsspec.open(url, "rb") as f:
        head = f.read(SAMPLE_BYTES)
        if len(head) < SAMPLE_BYTES:
            return None
        try:
            codec, encoding, skip = detect(head, complete=False)
            decode_sample(head[skip:], codec, encoding, complete=False)
        except ReadFailure:
            return None
        if codec.startswith("utf-16"):
            return None
        f.seek(skip)
        try:
            if fmt == "jsonl":
                start, ends = skip, _line_ends(f, skip)
            else:
                counter = _Counted(f, codec, skip)
                reader = csv.reader(counter)
                if text_column not in next(reader, []):
                    return None
                start, ends = counter.offset, _record_ends(reader, counter)
            cuts, end = _cuts(ends, start, block)
        except (csv.Error, UnicodeDecodeError):
            return None
        f.seek(skip)
        header = f.read(start - skip)
    return Cuts(codec, encoding, header, cuts, end)


def _cuts(ends: Iterable[tuple[int, int]], start: int, block: int
          ) -> tuple[tuple[tuple[int, int], ...], int]:
    """Cuts every ``block`` bytes or more, from (end offset, next number) of each record."""
    cuts = [(start, 1)]
    end = start
    for end, following in ends:
        if end - cuts[-1][0] >= block:
            cuts.append((end, following))
    if len(cuts) > 1 and cuts[-1][0] == end:
        cuts.pop()
    return tuple(cuts), end


def _line_ends(f: BinaryIO, offset: int) -> Iterator[tuple[int, int]]:
    for number, line in enumerate(f, 1):
        offset += len(line)
        yield offset, number + 1


class _Counted:
    """The decoded lines of a binary file, counting the bytes handed out."""

    def __init__(self, f: BinaryIO, codec: str, offset: int) -> None:
        self.lines = iter(f)
        self.codec = codec
        self.offset = offset

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.offset += len(line)
        return line.decode(self.codec)


def _record_ends(reader: Iterator[list[str]], counter: _Counted) -> Iterator[tuple[int, int]]:
    """CSV record ends; the csv module reads a record's lines and no more."""
    row = 0
    for record in reader:
        row += bool(record)  # DictReader skips blank lines without counting them
        yield counter.offset, row + 1


# -- the tasks ---------------------------------------------------------------


def _read(piece: Piece, options: RunOptions) -> Iterator[RawArticle | ErrorRow]:
    """The raw articles of a piece, as the local readers give them."""
    import fsspec

    item = piece.item
    if piece.end is not None:
        with fsspec.open(piece.url, "rb") as f:
            f.seek(piece.start)
            data = f.read(piece.end - piece.start)
        lines = decoded_lines(io.BytesIO(data), piece.codec, piece.encoding, piece.first,
                       max_bytes=options.max_bytes)
        if item.fmt == "jsonl":
            yield from jsonl_records(item.source, lines, piece.encoding, options.text_field,
                              max_bytes=options.max_bytes, whole=False)
        else:
            header = decoded_lines(io.BytesIO(piece.header), piece.codec, piece.encoding)
            yield from csv_records(item.source, chain(header, lines), piece.encoding,
                            options.text_column, piece.first, max_bytes=options.max_bytes)
        return
    if "://" not in piece.url:  # a local file, read as the local engine reads it
        yield from read_input(InputFile(item.source, Path(piece.url), item.fmt),
                              options.text_field, options.text_column,
                              max_bytes=options.max_bytes)
        return
    if item.fmt is None:
        yield from read_input(item)  # UnsupportedFormat, without opening it
        return
    try:
        handle = fsspec.open(piece.url, "rb").open()
    except OSError as e:
        yield ErrorRow(item.source, "read", type(e).__name__, f"cannot open it: {e}")
        return
    with handle:
        yield from read_input(InputFile(item.source, None, item.fmt), options.text_field,
                              options.text_column, handle, max_bytes=options.max_bytes)


def _extract(pieces: list[Piece], options: RunOptions) -> list[Chunk]:
    """Task: a partition's results, by the local pool's chunk work."""
    items = (raw for piece in pieces for raw in _read(piece, options))
    return list(process_here(items, options.max_article_seconds, options.rules))


def _results(chunks: list[Chunk]) -> list[tuple[str, str, int] | ErrorRow]:
    """Task: the small part of an extracted partition, for the client: each input's
    key (article id, source, number of indicators) or error row."""
    return [result for chunk in chunks for result in chunk.results]


def _count(results: list[tuple[str, str, int] | ErrorRow], ledger: Ledger
           ) -> tuple[list[int], list[ErrorRow]]:
    """Count a partition's results (client side): the positions of its articles whose
    text came earlier, and its error rows to write (theirs included)."""
    drops: list[int] = []
    errors: list[ErrorRow] = []
    index = 0
    for result in results:
        if isinstance(result, ErrorRow):
            errors.append(ledger.error(result))
            continue
        if (duplicate := ledger.article(*result)) is not None:
            drops.append(index)
            errors.append(duplicate)
        index += 1
    return drops, errors


def _table(table: Table, batches: list[pa.RecordBatch], metadata: dict[str, str]) -> pa.Table:
    """Batches of ``table`` as one Arrow table carrying the dataset's metadata."""
    return pa.Table.from_batches(batches, schema=table.schema()).replace_schema_metadata(
        table.schema(metadata).metadata)


def _write(chunks: list[Chunk], k: int, drops: list[int], errors: list[ErrorRow], tmp: str,
           partition_by: str | None, metadata: dict[str, str]) -> list[str]:
    """Task: write a partition's files with pyarrow.dataset; their paths under ``tmp``."""
    import fsspec
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    articles = _table(ARTICLES, [chunk.articles for chunk in chunks], metadata)
    indicators = _table(INDICATORS, [chunk.indicators for chunk in chunks], metadata)
    sizes = [r[2] for chunk in chunks for r in chunk.results if not isinstance(r, ErrorRow)]
    # the position in ``articles`` of each indicator row's article
    owners = pa.array([i for i, n in enumerate(sizes) for _ in range(n)], pa.int64())
    if partition_by:
        month = pc.strftime(articles["published"].cast(pa.timestamp("s")), format="%Y-%m")
        articles = articles.append_column(partition_by, month)
        indicators = indicators.append_column(partition_by, pc.take(month, owners))
    if drops:
        dropped = set(drops)
        articles = articles.filter(pa.array([i not in dropped for i in range(len(articles))]))
        indicators = indicators.filter(pc.invert(pc.is_in(
            owners, value_set=pa.array(drops, pa.int64()))))
    rows = Columns(ERRORS)
    for error in errors:
        rows.add(asdict(error))
    errors_table = pa.Table.from_batches([rows.batch(ERRORS.schema(metadata))])
    fs, root = fsspec.core.url_to_fs(tmp)
    written: list[str] = []
    for table, data in ((ARTICLES, articles), (INDICATORS, indicators), (ERRORS, errors_table)):
        hive = partition_by if table is not ERRORS else None
        ds.write_dataset(
            data, posixpath.join(root, table.path), filesystem=fs, format="parquet",
            basename_template=f"part-{k:05d}-{{i}}.parquet",
            partitioning=[hive] if hive else None, partitioning_flavor="hive" if hive else None,
            existing_data_behavior="overwrite_or_ignore", use_threads=False,
            file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
            file_visitor=lambda f: written.append(posixpath.relpath(f.path, root)),
        )
    return written


# -- the output --------------------------------------------------------------


def _check_remote(fs: AbstractFileSystem, root: str, out: str) -> None:
    """Refuse a remote output that holds anything besides a zhstats dataset (there is no
    lock on a remote store: one run at a time is the user's to ensure)."""
    if not fs.exists(root):
        return
    if not fs.isdir(root):
        raise OutputError(f"{out} exists and is not a folder")
    if names := [posixpath.basename(p.rstrip("/")) for p in fs.ls(root, detail=False)]:
        layout.check_names(out, names)


def _fill_empty(fs: AbstractFileSystem, tmp: str, written: list[str], partition_by: str | None,
                metadata: dict[str, str]) -> list[str]:
    """An empty file for each table without rows, so that every table can be read."""
    added = []
    for table in TABLES:
        if not any(path.startswith(f"{table.path}/") for path in written):
            hive = partition_by if table is not ERRORS else None
            path = posixpath.join(table.path, f"{hive}={_NULL_FOLDER}" if hive else "",
                                  "part-00000-0.parquet")
            fs.makedirs(posixpath.dirname(posixpath.join(tmp, path)), exist_ok=True)
            pq.write_table(table.schema(metadata).empty_table(), posixpath.join(tmp, path),
                           filesystem=fs)
            added.append(path)
    return added


def _commit(fs: AbstractFileSystem, tmp: str, root: str, written: list[str],
            metadata: dict[str, str]) -> None:
    """Write ``datapackage.json`` (each resource listing its files) and move ``tmp`` to ``root``."""
    from fsspec.implementations.local import LocalFileSystem

    package = datapackage(posixpath.basename(root.rstrip("/")) or "zhstats", metadata)
    for resource in package["resources"]:
        resource["path"] = sorted(p for p in written if p.startswith(f"{resource['path']}/"))
    fs.pipe_file(posixpath.join(tmp, DATAPACKAGE),
                 (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode())
    if isinstance(fs, LocalFileSystem):
        layout.swap(Path(tmp), Path(root))
        return
    if fs.exists(root):
        fs.rm(root, recursive=True)
    fs.mv(tmp, root, recursive=True)
