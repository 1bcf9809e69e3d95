"""The ``zhstats extract`` and ``zhstats build`` commands (registered in extractor/cli.py).

Exit status: 0 when every input became an article, 1 when some inputs failed
(they are rows of ``errors.parquet``), 2 for a usage error (including a broken
rule file), 3 when the run stopped on an unexpected error (the output folder is
left as it was; ``--debug`` shows the traceback), 130 when interrupted (Ctrl-C), 143
when terminated (SIGTERM).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from extractor.dataset import RunSummary
    from extractor.ruleset import Ruleset

Progress = Callable[[int, int], None]


class InputFormat(StrEnum):
    """Formats an input can be forced to."""

    txt = "txt"
    html = "html"
    jsonl = "jsonl"
    csv = "csv"


class Engine(StrEnum):
    """Where ``extract`` runs: worker processes on this machine, or a Dask cluster."""

    local = "local"
    dask = "dask"


class PartitionBy(StrEnum):
    """Hive folders of a Dask-written dataset."""

    published_month = "published_month"


Workers = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, help="Worker processes (default: the core count)."),
]
Append = Annotated[
    bool,
    typer.Option("--append/--replace", help="Keep the existing dataset and add only articles "
                 "with a new article_id, or replace it."),
]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar and no summary."),
]
Force = Annotated[
    bool, typer.Option("--force", help="Replace the output even when every input failed "
                       "(by default a dataset that holds articles is then kept)."),
]
Debug = Annotated[
    bool, typer.Option("--debug", help="On an unexpected error, show its traceback (by "
                       "default only its message)."),
]


def extract_command(
    ctx: typer.Context,
    inputs: Annotated[
        list[str],
        typer.Argument(metavar="INPUT", help="Files, folders (searched recursively), "
                       "globs, or - for standard input.", show_default=False),
    ],
    out: Annotated[
        str, typer.Option("--out", "-o", metavar="DIR", help="Dataset folder to write "
                          "(replaced atomically); with --engine dask also an fsspec URL (s3://bucket/out).",
                          show_default=False),
    ],
    text_field: Annotated[
        str, typer.Option(metavar="KEY", help="JSONL key holding the article text.")
    ] = "text",
    text_column: Annotated[
        str, typer.Option(metavar="COLUMN", help="CSV column holding the article text.")
    ] = "text",
    fmt: Annotated[
        InputFormat | None,
        typer.Option("--format", help="Read every input as this format (default: by file "
                     "suffix; txt for stdin).", show_default=False),
    ] = None,
    workers: Workers = None,
    append: Append = False,
    quiet: Quiet = False,
    max_article_mb: Annotated[
        float, typer.Option(min=0.001, metavar="MB", help="Larger articles (a txt or html "
                            "file, a JSONL line, a CSV text field) go to errors instead of "
                            "being extracted.")
    ] = 20.0,
    max_article_seconds: Annotated[
        float, typer.Option(min=0.001, help="An article that takes longer to read and "
                            "extract goes to errors (ArticleTimeout) and the run goes on.")
    ] = 60.0,
    debug: Debug = False,
    force: Force = False,
    engine: Annotated[
        Engine, typer.Option(help="local: worker processes here; dask: a Dask cluster "
                             "(docs/CLUSTER.md).")
    ] = Engine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(metavar="ADDRESS", help="Dask scheduler address (default: a "
                     "LocalCluster of --workers processes).", show_default=False),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option(min=1, help="Dask partitions to cut the inputs into (default: 4 per "
                     "worker thread, at most 32 MB of input each).", show_default=False),
    ] = None,
    partition_by: Annotated[
        PartitionBy | None,
        typer.Option(help="Write articles and indicators in hive folders "
                     "(published_month=2025-09/); Dask only.", show_default=False),
    ] = None,
) -> None:
    """Extract quantity mentions from articles into a dataset folder of Parquet tables."""
    if engine is Engine.local:
        _start_workers_server(workers)
    rules = _check_rules(ctx)
    from extractor.dataset import RunOptions, run
    from extractor.readers import discover

    options = RunOptions(text_field=text_field, text_column=text_column,
                         fmt=fmt.value if fmt else None, workers=workers, append=append,
                         max_article_mb=max_article_mb, max_article_seconds=max_article_seconds,
                         force=force, rules=rules)
    if engine is Engine.local and (scheduler or partitions or partition_by):
        raise typer.BadParameter("needs --engine dask",
                                 param_hint="'--scheduler', '--partitions', '--partition-by'")

    def start(progress: Progress | None) -> RunSummary:
        if engine is Engine.dask:
            from extractor.dask_engine import run_dask

            return run_dask(inputs, out, options, scheduler, partitions,
                            partition_by.value if partition_by else None, progress)
        return run(discover(inputs, options.fmt, skipped=skipped), Path(out), options,
                   progress=progress)

    skipped: list[str] = []
    _execute(start, quiet, debug, skipped)


def build_command(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help="Dataset name (datasets/NAME/dataset.toml, looked "
                       "up under the current directory first) or a dataset folder (default: "
                       "sample).",
                       show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="DIR", help="Write here instead of the dataset's "
                     "own output.",
                     show_default=False),
    ] = None,
    workers: Workers = None,
    append: Annotated[
        bool | None,
        typer.Option("--append/--replace", help="Add to the existing output, or replace it "
                     "(default: as dataset.toml says, else replace).", show_default=False),
    ] = None,
    quiet: Quiet = False,
    debug: Debug = False,
    force: Force = False,
) -> None:
    """Build a dataset defined by datasets/NAME/dataset.toml (default: the bundled sample)."""
    _start_workers_server(workers)
    rules = _check_rules(ctx)
    from extractor.dataset import DatasetConfig, build, find_dataset

    def start(progress: Progress | None) -> RunSummary:
        config = DatasetConfig.load(find_dataset(name))
        return build(config, out=out, workers=workers, append=append, progress=progress,
                     force=force, rules=rules, skipped=skipped)

    skipped: list[str] = []
    _execute(start, quiet, debug, skipped)


def _start_workers_server(workers: int | None) -> None:
    """With ``--workers`` above one, start the server that forks the workers now: it
    loads zhstats while the rules are checked (with the default, the number of workers
    depends on the inputs' size: the run starts it once it knows)."""
    if workers is not None and workers > 1:
        from extractor.pool import pool_context

        pool_context()


def _check_rules(ctx: typer.Context) -> Ruleset:
    """The invocation's rule set; exit with status 2, before any input is read, when a
    rule file is broken or one of the examples of a ``--rules`` folder fails (the
    shipped rules' examples are tests: tests/test_rules.py runs each)."""
    from rich.console import Console
    from rich.markup import escape

    from extractor.cli import ruleset
    from extractor.rulecheck import check_backtracking, failing_examples
    from extractor.rules import RuleError, default_dir

    console = Console(stderr=True)
    try:
        rules = ruleset(ctx)  # the shipped rules are compiled once a process
        check_backtracking(rules)
        failures = failing_examples(rules) if rules.folder != default_dir() else ()
    except RuleError as e:
        console.print(f"[red]Error:[/red] {escape(str(e))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if failures:
        for failure in failures[:10]:
            console.print(f"[red]Error:[/red] {escape(str(failure))}", highlight=False,
                          soft_wrap=True)
        more = f" ({len(failures) - 10} more: zhstats rules check)" if len(failures) > 10 else ""
        console.print(f"{_count(len(failures), 'rule-file example')} "
                      f"fail{'s' if len(failures) == 1 else ''}{more}; fix the rules or the "
                      "examples", highlight=False)
        raise typer.Exit(2)
    return rules


def _execute(
    start: Callable[[Progress | None], RunSummary], quiet: bool, debug: bool = False,
    skipped: Sequence[str] = (),
) -> None:
    """Run with a progress bar (on a terminal), print the summary (with the files of
    unsupported types ``start`` adds to ``skipped``; each with ``debug``), exit with its
    status."""
    from rich.console import Console
    from rich.markup import escape

    from extractor.dask_engine import EngineError
    from extractor.dataset import ConfigError, DatasetNotFound
    from extractor.readers import InputNotFound
    from extractor.writer import OutputError

    console = Console(stderr=True)
    try:
        with _progress(console, enabled=not quiet and console.is_terminal) as progress:
            summary = start(progress)
    except (InputNotFound, OutputError, DatasetNotFound, ConfigError, EngineError) as e:
        console.print(f"[red]Error:[/red] {escape(str(e))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt as stop:
        from extractor.interrupts import exit_code

        console.print("Interrupted: the output folder was left as it was.", highlight=False)
        raise typer.Exit(exit_code(stop)) from None
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except Exception as e:
        if debug:
            raise
        console.print(f"[red]Error:[/red] the run stopped on an unexpected {type(e).__name__}: "
                      f"{escape(str(e))}\nThe output folder was left as it was; rerun with "
                      "--debug for the traceback.", highlight=False, soft_wrap=True)
        raise typer.Exit(3) from None
    if not quiet:
        _print_summary(console, summary)
        _print_skipped(console, skipped, debug)
    raise typer.Exit(summary.exit_code)


@contextmanager
def _progress(console: Console, enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar over the input files, or nothing."""
    if not enabled:
        yield None
        return
    from rich import progress as rp

    with rp.Progress(
        rp.TextColumn("[bold]zhstats[/bold]"), rp.BarColumn(), rp.MofNCompleteColumn(),
        rp.TextColumn("inputs"), rp.TimeElapsedColumn(), rp.TimeRemainingColumn(),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task("inputs", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _print_summary(console: Console, s: RunSummary) -> None:
    from rich.markup import escape

    line = (f"{_count(s.articles, 'article')}, {_count(s.indicators, 'indicator')}, "
            f"{_count(s.errors, 'error')} from {_count(s.inputs, 'input file')} "
            f"in {s.seconds:.1f} s → {escape(str(s.out))}")
    if s.skipped:
        line += f" ({_count(s.skipped, 'unchanged article')} already in the dataset)"
    console.print(line, highlight=False, soft_wrap=True)
    for note in s.notes:
        console.print(f"[yellow]Note:[/yellow] {escape(note)}", highlight=False, soft_wrap=True)
    if s.kept:
        kept = ", ".join(f"{n:,} {table}" for table, n in s.kept.items())
        console.print(f"kept from the previous dataset: {kept}", highlight=False)
    for error in s.first_errors:
        console.print(f"  [red]{escape(error.error_type)}[/red] "
                      f"{escape(error.source)}: {escape(error.message)}",
                      highlight=False, soft_wrap=True)
    if s.errors > len(s.first_errors):
        console.print(f"  … and {s.errors - len(s.first_errors):,} more in errors.parquet",
                      highlight=False)


def _print_skipped(console: Console, skipped: Sequence[str], listed: bool) -> None:
    """The files of unsupported types the inputs' folders held: by suffix, or each."""
    from rich.markup import escape

    from extractor.readers import by_suffix

    if not skipped:
        return
    console.print(f"[yellow]Note:[/yellow] skipped {_count(len(skipped), 'file')} of "
                  f"unsupported types ({escape(by_suffix(skipped))})"
                  + (":" if listed else "; --debug lists them"), highlight=False, soft_wrap=True)
    if listed:
        for name in skipped:
            console.print(f"  skipped {escape(name)}", highlight=False, soft_wrap=True)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
