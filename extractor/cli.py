"""The ``zhstats`` command line: a thin layer over the library.

Imports of the engine are inside the commands so that ``zhstats --help``
starts without compiling the rules.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from extractor import __version__, cli_dataset, conformance, engine_build
from extractor.cli_help import Command, Group
from extractor.report import report_command

if TYPE_CHECKING:
    from extractor.ruleset import Ruleset

app = typer.Typer(
    name="zhstats",
    help="Find and normalize quantity mentions in Chinese news text; build Parquet datasets.",
    no_args_is_help=True,
    add_completion=False,
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Example: zhstats show --text 累计为900余家企业提供近3万次服务",
)


rules_app = typer.Typer(help="Check the rule files.", no_args_is_help=True, cls=Group,
                        epilog="Example: zhstats rules check")
app.add_typer(rules_app, name="rules")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``Error: message`` to standard error (never wrapped) and exit with ``code``."""
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True).print(f"[red]Error:[/red] {escape(message)}", highlight=False,
                               soft_wrap=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zhstats {__version__} (engine: {engine_build()})")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", envvar="ZHSTATS_RULES", file_okay=False,
                     help="Use the rule files (*.toml) of this folder instead of the shipped "
                     "ones.", show_default=False, metavar="DIR"),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Print the version and exit."),
    ] = False,
) -> None:
    """Find and normalize quantity mentions in Chinese news text; build Parquet datasets."""
    ctx.obj = rules  # the folder; each command builds its Ruleset when it needs one


def ruleset(ctx: typer.Context) -> Ruleset:
    """The rule set of this invocation (``--rules``, else the shipped rules)."""
    from extractor.ruleset import Ruleset, default_ruleset

    root = ctx.find_root()
    return Ruleset.load(root.obj) if root.obj is not None else default_ruleset()


@rules_app.command("check", cls=Command, epilog="Example: zhstats rules check my-rules/")
def rules_check_command(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(file_okay=False, metavar="DIR", help="Rule folder to check (default: "
                       "--rules, $ZHSTATS_RULES, or the shipped rules).", show_default=False),
    ] = None,
) -> None:
    """Validate the rule files and run every example they hold; exit 1 if one fails."""
    from extractor.rulecheck import check_examples, validate
    from extractor.rules import RuleError, default_dir

    try:
        rules = validate(folder if folder is not None else ruleset(ctx).folder)
    except RuleError as e:
        typer.echo(f"Error: {e}", err=True)
        raise typer.Exit(2) from None
    failures = check_examples(rules)
    for failure in failures:
        typer.echo(str(failure))
    total = len(rules.examples())
    where = "rules" if rules.folder == default_dir() else str(rules.folder)
    typer.echo(f"{where}: {len(rules.raw)} rule files, {total} examples, "
               + (f"{len(failures)} fail" if failures else "all pass"))
    raise typer.Exit(1 if failures else 0)


AsText = Annotated[
    bool, typer.Option("--text", help="Read ARTICLE as text even when it names a file."),
]
Number = Annotated[
    int | None,
    typer.Option("--line", "--row", min=1, metavar="N", help="The JSONL line or CSV row to "
                 "read (needed when the file holds more than one article).",
                 show_default=False),
]
Format = Annotated[
    cli_dataset.InputFormat | None,
    typer.Option("--format", help="Read the file as this format (default: by file suffix; "
                 "txt for -).", show_default=False),
]
TextField = Annotated[
    str, typer.Option(metavar="KEY", help="JSONL key holding the article text."),
]
TextColumn = Annotated[
    str, typer.Option(metavar="COLUMN", help="CSV column holding the article text."),
]
ArticleArg = Annotated[
    str, typer.Argument(metavar="ARTICLE", help="A file (txt, html, jsonl, csv; read as "
                        "extract reads it), - for standard input, or the text itself.",
                        show_default=False),
]


def _article(arg: str, literal: bool, number: int | None, fmt: cli_dataset.InputFormat | None,
             text_field: str, text_column: str) -> str:
    """The text of the article ``arg`` names; exits 2 on a usage error, 1 when the input
    cannot be read."""
    from extractor.one_article import ArticleUnreadable, UsageError, read_article

    try:
        return read_article(arg, literal=literal, number=number, fmt=fmt.value if fmt else None,
                            text_field=text_field, text_column=text_column).text
    except UsageError as e:
        fail(str(e), 2)
    except ArticleUnreadable as e:
        fail(str(e), 1)


@app.command("show", cls=Command, epilog="Example: zhstats show news/article.html")
def show_command(
    ctx: typer.Context,
    article: ArticleArg,
    literal: AsText = False,
    number: Number = None,
    fmt: Format = None,
    text_field: TextField = "text",
    text_column: TextColumn = "text",
    published: Annotated[str | None, typer.Option(
        "--published", metavar="DATE", help="Publication date (YYYY-MM-DD): resolves 今年, "
        "近5年 …", show_default=False)] = None,
) -> None:
    """Print the mentions of one article as a table, with the statistic around each."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from extractor.display import number as shown
    from extractor.engine import Extractor

    extract = Extractor(ruleset(ctx)).extract
    columns = ("start", "end", "surface", "value", "lower", "upper", "approx", "qualifier",
               "unit", "dimension", "object", "measure", "direction", "basis", "period",
               "period_start", "period_end", "place")
    text = _article(article, literal, number, fmt, text_field, text_column)
    try:
        mentions = extract(text, published)
    except ValueError:
        fail(f"--published {published!r} is not a date (YYYY-MM-DD)")
    rows = [(str(m.start), str(m.end), m.surface, shown(m.value), shown(m.lower),
             shown(m.upper), *("" if v is None else str(v) for v in (
                 getattr(m, c) for c in columns[6:])))
            for m in mentions]
    table = Table(box=box.SIMPLE_HEAD)
    for i, name in enumerate(columns):
        table.add_column(name, justify="right" if 3 <= i <= 5 else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    console = Console()  # never narrower than the table: a cut number would mislead
    console.width = max(console.width, Console(width=1 << 16).measure(table).maximum)
    console.print(table)


@app.command("explain", cls=Command,
             epilog="Example: zhstats explain --text 累计为900余家企业提供近3万次服务")
def explain_command(
    ctx: typer.Context,
    article: ArticleArg,
    literal: AsText = False,
    number: Number = None,
    fmt: Format = None,
    text_field: TextField = "text",
    text_column: TextColumn = "text",
) -> None:
    """Show, for each numeral, which rules and fragments fired and the value computed."""
    from extractor.display import number as shown
    from extractor.explain import explain

    for t in explain(_article(article, literal, number, fmt, text_field, text_column),
                     ruleset(ctx)):
        typer.echo(f"[{t.start}:{t.end}] {t.surface}  → {t.verdict}")
        for name, frag in t.fragments:
            typer.echo(f"    {name:<7} {frag}")
        if t.mention:
            m = t.mention
            typer.echo(f"    = value {shown(m.value) or '-'} bounds [{shown(m.lower) or '-'}, "
                       f"{shown(m.upper) or '-'}] {m.approx} unit {m.unit} ({m.dimension}) "
                       f"qualifier {m.qualifier} object {m.object}")


@app.command("eval", cls=Command, epilog="Example: zhstats eval tests/data/dev_gold.jsonl --errors")
def eval_command(
    ctx: typer.Context,
    gold: Annotated[Path, typer.Argument(metavar="GOLD", help="Gold JSONL file in the "
                                         "contract's format.", exists=True, dir_okay=False)],
    errors: Annotated[bool, typer.Option("--errors", help="List misses, false alarms "
                                         "and wrong fields.")] = False,
) -> None:
    """Score the extractor on a gold file: span and all-fields P/R/F1, field accuracy."""
    from extractor.evaluate import GoldError, load_gold, report, score_records

    try:
        records = load_gold(gold)
    except GoldError as e:
        fail(str(e))
    except UnicodeDecodeError as e:
        fail(f"{gold}: not UTF-8 text ({e.reason} at byte {e.start})")
    typer.echo(report(score_records(records, ruleset(ctx)), errors=errors))


@functools.wraps(conformance.conformance_command)
def conformance_cli(**params: object) -> None:
    """``conformance`` where its data is: the source tree zhstats runs from, else the current
    folder's ``tests/data/conformance`` (a clone with zhstats installed from it)."""
    here = Path.cwd() / "tests" / "data" / "conformance"
    if conformance.DATA.is_dir():
        conformance.conformance_command(**params)
    elif here.is_dir():
        typer.echo(conformance.format_table(conformance.run_all(here),
                                            failures=bool(params.get("failures"))))
    else:
        fail("zhstats conformance runs the peers' test suites kept in the source tree "
             "(tests/data/conformance), which the installed package does not hold: run it "
             "in a clone of the zhstats repository")


REPORT_MODULES = ("jinja2", "markupsafe", "altair", "vl_convert")
"""What ``report`` imports beyond the extractor's own needs."""


@functools.wraps(report_command)
def report_cli(**params: object) -> None:
    """``report`` after the checks of its arguments that need no dataset read."""
    from importlib.util import find_spec

    missing = [name for name in REPORT_MODULES if find_spec(name) is None]
    if missing:
        fail(f"zhstats report needs {', '.join(missing)}, which zhstats installs: reinstall "
             "it (python3 -m pip install . in its source folder)")
    dataset, out = params.get("dataset"), params.get("out")
    if isinstance(dataset, Path) and isinstance(out, Path):
        _check_report(dataset, out)
    report_command(**params)


def _check_report(dataset: Path, out: Path) -> None:
    """Exit 2 with a plain message when the dataset folder or the page's folder is wrong."""
    if not dataset.exists():
        fail(f"{dataset} does not exist (give the folder that zhstats extract or zhstats "
             "build wrote)")
    if not dataset.is_dir():
        fail(f"{dataset} is a file, not a dataset folder")
    if out.is_dir():
        fail(f"--out {out} is a folder: give the HTML file to write (like {out / 'report.html'})")
    if (dataset / "articles.parquet").is_file() and dataset.resolve() in out.resolve().parents:
        fail(f"--out {out} is inside the dataset folder, which extract and build replace "
             f"whole: write the page elsewhere (like --out {dataset.name}-report.html)")
    if not out.parent.is_dir():
        fail(f"--out {out}: the folder {out.parent} does not exist (create it first)")


app.command("extract", cls=Command, epilog="Example: zhstats extract news/ feed.jsonl --out "
            "out/")(cli_dataset.extract_command)
app.command("build", cls=Command, epilog="Example: zhstats build sample")(
    cli_dataset.build_command)
app.command("conformance", cls=Command, epilog="Example: zhstats conformance --failures")(
    conformance_cli)
app.command("report", cls=Command, epilog="Example: zhstats report datasets/sample/out "
            "--out sample.html")(report_cli)


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
    except KeyboardInterrupt as stop:  # before a run has started (a run reports its own)
        print("Interrupted.", file=sys.stderr)
        sys.exit(interrupts.exit_code(stop))
