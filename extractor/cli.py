"""The ``zhstats`` command line: a thin layer over the library.

Imports of the engine are inside the commands so that ``zhstats --help``
starts without compiling the rules.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from extractor import cli_dataset, conformance
from extractor.report import report_command

app = typer.Typer(
    name="zhstats",
    help="Find and normalize quantity mentions in Chinese news text; build Parquet datasets.",
    no_args_is_help=True,
    add_completion=False,
)


rules_app = typer.Typer(help="Check the rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@app.callback()
def main_options(
    rules: Annotated[
        Path | None,
        typer.Option("--rules", envvar="ZHSTATS_RULES", file_okay=False,
                     help="Use the rule files (*.toml) of this folder instead of the shipped "
                     "ones.", show_default=False),
    ] = None,
) -> None:
    """Find and normalize quantity mentions in Chinese news text; build Parquet datasets."""
    if rules is not None:
        from extractor.rules import RULES_ENV

        os.environ[RULES_ENV] = str(rules.resolve())  # read by the engine and its workers


@rules_app.command("check")
def rules_check_command(
    folder: Annotated[
        Path | None,
        typer.Argument(file_okay=False, help="Rule folder to check (default: --rules, "
                       "$ZHSTATS_RULES, or the shipped rules).", show_default=False),
    ] = None,
) -> None:
    """Validate the rule files and run every example they hold; exit 1 if one fails."""
    from extractor.rules import RULES_ENV, RuleError, rules_dir

    if folder is not None:
        os.environ[RULES_ENV] = str(folder.resolve())
    from extractor.rulecheck import check_examples, validate

    try:
        rules = validate()
    except RuleError as e:
        typer.echo(f"Error: {e}", err=True)
        raise typer.Exit(2) from None
    failures = check_examples(rules)
    for failure in failures:
        typer.echo(str(failure))
    total = len(rules.examples())
    typer.echo(f"{rules_dir()}: {len(rules.raw)} rule files, {total} examples, "
               + (f"{len(failures)} fail" if failures else "all pass"))
    raise typer.Exit(1 if failures else 0)


def _text_arg(text: str) -> str:
    path = Path(text)
    if len(text) < 4096 and path.is_file():
        return path.read_text(encoding="utf-8-sig")
    return text


@app.command("show")
def show_command(
    text: Annotated[str, typer.Argument(help="Text, or the path of a UTF-8 text file.")],
    published: Annotated[str | None, typer.Option(
        "--published", help="Publication date (YYYY-MM-DD): resolves 今年, 近5年 …")] = None,
) -> None:
    """Print the mentions of one article as a table, with the statistic around each."""
    from rich.console import Console
    from rich.table import Table

    from extractor.engine import extract

    table = Table(show_lines=False)
    columns = ("start", "end", "surface", "value", "lower", "upper", "approx", "qualifier",
               "unit", "dimension", "object", "measure", "direction", "basis", "period",
               "period_start", "period_end", "place")
    for col in columns:
        table.add_column(col)
    for m in extract(_text_arg(text), published):
        table.add_row(*("" if v is None else f"{v:g}" if isinstance(v, float) else str(v)
                        for v in (getattr(m, c) for c in columns)))
    Console().print(table)


@app.command("explain")
def explain_command(
    text: Annotated[str, typer.Argument(help="Text, or the path of a UTF-8 text file.")],
) -> None:
    """Show, for each numeral, which rules and fragments fired and the value computed."""
    from extractor.explain import explain

    for t in explain(_text_arg(text)):
        typer.echo(f"[{t.start}:{t.end}] {t.surface}  → {t.verdict}")
        for name, frag in t.fragments:
            typer.echo(f"    {name:<7} {frag}")
        if t.mention:
            m = t.mention
            typer.echo(f"    = value {m.value} bounds [{m.lower}, {m.upper}] {m.approx}"
                       f" unit {m.unit} ({m.dimension}) qualifier {m.qualifier}"
                       f" object {m.object}")


@app.command("eval")
def eval_command(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL file in the contract's format.",
                                         exists=True, dir_okay=False)],
    errors: Annotated[bool, typer.Option("--errors", help="List misses, false alarms "
                                         "and wrong fields.")] = False,
) -> None:
    """Score the extractor on a gold file: span and all-fields P/R/F1, field accuracy."""
    from extractor.evaluate import load_gold, report, score_records

    typer.echo(report(score_records(load_gold(gold)), errors=errors))


app.command("extract")(cli_dataset.extract_command)
app.command("build")(cli_dataset.build_command)
app.command("conformance")(conformance.conformance_command)
app.command("report")(report_command)


def main() -> None:
    """Entry point of the ``zhstats`` script."""
    from extractor import interrupts
    from extractor.rules import RuleError

    interrupts.install()
    try:
        app()
    except RuleError as e:  # a command that reads the rules (show, explain, …) met a broken file
        print(f"Error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:  # before a run has started (a run reports its own)
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
