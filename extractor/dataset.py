"""The run: read → extract → assemble → write, for ``zhstats extract`` and ``zhstats build``.

What a run is asked to do is in ``config``; each article goes through
``pipeline.process``, in the worker processes of ``pool``; ``writer`` writes
the results into the dataset folder that ``layout`` claims and replaces.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from extractor import interrupts
from extractor.config import (
    ConfigError,
    DatasetConfig,
    DatasetNotFound,
    RunOptions,
    find_dataset,
)
from extractor.pool import pool_context, process_in_order, worker_pool, workers_for
from extractor.readers import ErrorRow, InputFile, RawArticle, discover, read_input
from extractor.rulecheck import check_backtracking
from extractor.ruleset import Ruleset
from extractor.writer import DatasetWriter

__all__ = ["ConfigError", "DatasetConfig", "DatasetNotFound", "RunOptions", "RunSummary",
           "build", "find_dataset", "run"]


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


def build(
    config: DatasetConfig,
    out: Path | None = None,
    workers: int | None = None,
    append: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    rules: Ruleset | None = None,
    skipped: list[str] | None = None,
) -> RunSummary:
    """Build a dataset from its definition (``out``, ``workers``, ``append`` override it;
    ``force`` and ``rules`` as in RunOptions); files of unsupported types in its input
    folders are added to ``skipped``."""
    files = discover(config.inputs, config.options.fmt, base=config.folder, skipped=skipped)
    options = RunOptions(
        text_field=config.options.text_field,
        text_column=config.options.text_column,
        fmt=config.options.fmt,
        workers=workers,
        append=config.options.append if append is None else append,
        max_article_mb=config.options.max_article_mb,
        max_article_seconds=config.options.max_article_seconds,
        force=force,
        rules=rules,
    )
    return run(files, out or config.output, options, name=config.name, progress=progress)


def run(
    files: Sequence[InputFile],
    out: Path,
    options: RunOptions | None = None,
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    stdin: BinaryIO | None = None,
) -> RunSummary:
    """Read ``files``, extract, and write the dataset to ``out`` atomically.

    ``progress(done, total)`` is called as input files are finished. Raises
    RuleError or OutputError (before any work) when the rule files are broken or
    ``out`` cannot take a dataset (or another run is writing it), and
    AllInputsFailed (an OutputError, after the work) when every input failed and
    ``out`` held articles, unless ``options.force``.
    """
    began = time.perf_counter()
    options = options or RunOptions()
    workers = workers_for(files, options.workers)
    if workers > 1:
        pool_context()  # the workers' server starts now, loading zhstats while we check
    rules = options.ruleset  # a broken rule file stops the run before any input is read
    check_backtracking(rules)
    reread = {f.source for f in files}
    done = 0
    notes = []
    with DatasetWriter(out, name or Path(out).name, append=options.append, reread=reread,
                       force=options.force, rules_digest=rules.digest) as writer:
        previous = writer.existing.metadata if writer.existing and options.append else None
        if previous and previous.get("zhstats.rules_digest") != rules.digest:
            notes.append(f"{out} was built with other rules (rules digest "
                         f"{previous.get('zhstats.rules_digest', '?')[:12]}…); the articles "
                         "of inputs not read again kept their old rows")
        if progress:
            progress(0, len(files))
        with worker_pool(workers) as pool:
            for file_index, result in process_in_order(_read_all(files, options, stdin), pool,
                                                        workers, options.max_article_seconds,
                                                        options.rules):
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


def _read_all(
    files: Sequence[InputFile], options: RunOptions, stdin: BinaryIO | None
) -> Iterator[tuple[int, RawArticle | ErrorRow]]:
    """Every raw article or read error, tagged with its file's 1-based index."""
    for index, item in enumerate(files, 1):
        for raw in read_input(item, options.text_field, options.text_column, stdin,
                              max_bytes=options.max_bytes,
                              max_seconds=options.max_article_seconds):
            yield index, raw
