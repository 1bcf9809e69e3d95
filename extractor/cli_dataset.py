"""The ``zhstats extract`` and ``zhstats build`` commands (registered in extractor/cli.py).

Exit status: 0 when every input became an article, 1 when some inputs failed
(they are rows of ``errors.parquet``), 2 for a usage error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from extractor.dataset import RunSummary

Progress = Callable[[int, int], None]


class InputFormat(StrEnum):
    """Formats an input can be forced to."""

    txt = "txt"
    html = "html"
    jsonl = "jsonl"
    csv = "csv"


Workers = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, help="Worker processes (default: the core count)."),
]
Append = Annotated[
    bool,
    typer.Option("--append", help="Keep the existing dataset; add only articles with a new "
                 "article_id."),
]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar and no summary."),
]


def extract_command(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files, folders (searched recursively), globs, or - for stdin.",
                       show_default=False),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Dataset folder to write (replaced atomically).",
                           show_default=False),
    ],
    text_field: Annotated[str, typer.Option(help="JSONL key holding the article text.")] = "text",
    text_column: Annotated[
        str, typer.Option(help="CSV column holding the article text.")
    ] = "text",
    fmt: Annotated[
        InputFormat | None,
        typer.Option("--format", help="Read every input as this format (default: by file "
                     "suffix; txt for stdin).", show_default=False),
    ] = None,
    workers: Workers = None,
    append: Append = False,
    quiet: Quiet = False,
) -> None:
    """Extract quantity mentions from articles into a dataset folder of Parquet tables."""
    from extractor.dataset import RunOptions, run
    from extractor.readers import discover

    options = RunOptions(text_field=text_field, text_column=text_column,
                         fmt=fmt.value if fmt else None, workers=workers, append=append)

    def start(progress: Progress | None) -> RunSummary:
        return run(discover(inputs, options.fmt), out, options, progress=progress)

    _execute(start, quiet)


def build_command(
    name: Annotated[
        str | None,
        typer.Argument(help="Dataset name (datasets/NAME/dataset.toml, looked up under the "
                       "current directory first) or a dataset folder (default: sample).",
                       show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here instead of the dataset's own output.",
                     show_default=False),
    ] = None,
    workers: Workers = None,
    append: Annotated[
        bool | None,
        typer.Option("--append/--replace", help="Add to the existing output, or replace it "
                     "(default: as dataset.toml says, else replace).", show_default=False),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Build a dataset defined by datasets/NAME/dataset.toml (default: the bundled sample)."""
    from extractor.dataset import DatasetConfig, build, find_dataset

    def start(progress: Progress | None) -> RunSummary:
        config = DatasetConfig.load(find_dataset(name))
        return build(config, out=out, workers=workers, append=append, progress=progress)

    _execute(start, quiet)


def _execute(start: Callable[[Progress | None], RunSummary], quiet: bool) -> None:
    """Run with a progress bar (on a terminal), print the summary, exit with its status."""
    from rich.console import Console
    from rich.markup import escape

    from extractor.dataset import ConfigError, DatasetNotFound
    from extractor.readers import InputNotFound
    from extractor.writer import OutputError

    console = Console(stderr=True)
    try:
        with _progress(console, enabled=not quiet and console.is_terminal) as progress:
            summary = start(progress)
    except (InputNotFound, OutputError, DatasetNotFound, ConfigError) as e:
        console.print(f"[red]Error:[/red] {escape(str(e))}", highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print("Interrupted: the output folder was left as it was.", highlight=False)
        raise typer.Exit(130) from None
    if not quiet:
        _print_summary(console, summary)
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


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
