"""``zhstats report``: one self-contained HTML page for reviewing a dataset.

The page holds a summary, charts (Vega-Lite specs built with Altair, rendered to
inline SVG by vl-convert: no script, no network), a sortable, filterable table
of every indicator (a small inline script over embedded JSON) and the articles'
text with each mention highlighted. Above ``max_articles`` articles the article
view shows a fixed random sample; everything else covers the whole dataset.

pandas, Altair, vl-convert and Jinja are imported inside the functions that use
them (the ``report`` extra), so that ``zhstats --help`` stays fast.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from extractor.mention import APPROX_FLAGS, DIMENSIONS

if TYPE_CHECKING:
    import pandas as pd

FLAG_COLORS = dict(zip(APPROX_FLAGS, (
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#9d755d"), strict=True))
"""One colour per approximation flag, shared by the charts and the highlights."""

FLAG_NOTES = {
    "exact": "as stated (40家)",
    "about": "approximate: 约, 左右 (约5万元)",
    "over": "at least: 多, 余, 超过, 以上 (130多家)",
    "under": "at most: 近, 不到, 以下 (近3万次)",
    "range": "a range (3至5万元)",
    "vague": "a vague amount (数百家, 上千人)",
}

CJK_FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
             '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", sans-serif')
"""Font stack naming common Simplified Chinese fonts on Linux, macOS and Windows."""

MAX_ARTICLES = 2000
"""Above this many articles the article view shows a sample of this many."""
MAX_POINTS = 4000
"""Points drawn in the values-over-time chart; a larger dataset is sampled."""
MAX_SERIES = 12
"""Indicators offered in the indicator chart (those stated most often)."""
CHART_WIDTH = 1000
"""Width charts are drawn at; the page scales them to its full width."""
COUNT_AXIS = {"tickMinStep": 1, "format": "d"}
"""Axis of a count: integer ticks only."""


class NotADataset(Exception):
    """The folder lacks a table of a zhstats dataset."""


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset folder's tables and the ``zhstats`` metadata of its datapackage.json."""

    name: str
    meta: dict[str, str]
    articles: pd.DataFrame
    indicators: pd.DataFrame
    errors: pd.DataFrame


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart rendered to SVG, with a line saying what it shows."""

    title: str
    note: str
    svg: str


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What ``write_report`` wrote."""

    articles: int
    shown: int
    indicators: int
    errors: int
    bytes: int
    seconds: float


def load_dataset(folder: Path) -> Dataset:
    """Read a dataset folder written by ``zhstats extract`` or ``zhstats build``."""
    import pandas as pd

    from extractor.schema import TABLES

    missing = [t.path for t in TABLES if not (folder / t.path).exists()]  # file or folder
    if missing:
        raise NotADataset(f"{folder} is not a zhstats dataset: no {', '.join(missing)}")
    package_file = folder / "datapackage.json"
    package = json.loads(package_file.read_text("utf-8")) if package_file.is_file() else {}
    tables = {t.name: pd.read_parquet(folder / t.path) for t in TABLES}
    return Dataset(name=package.get("name", folder.name), meta=package.get("zhstats", {}),
                   **tables)


def write_report(folder: Path, out: Path, max_articles: int = MAX_ARTICLES) -> ReportSummary:
    """Write the report of the dataset in ``folder`` to ``out``."""
    from jinja2 import Environment
    from markupsafe import Markup

    started = time.perf_counter()
    ds = load_dataset(folder)
    shown = ds.articles
    if len(shown) > max_articles:
        shown = shown.sample(n=max_articles, random_state=0).sort_index()
    templates = resources.files("extractor") / "templates"
    page = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
        (templates / "report.html").read_text("utf-8"))
    script = (templates / "report.js").read_text("utf-8")
    text = page.render(
        name=ds.name, meta=ds.meta, summary=_summary(ds), charts=_charts(ds),
        series=_series_charts(ds),
        articles=_article_views(ds, shown), n_articles=len(ds.articles),
        flags=[(f, FLAG_COLORS[f], FLAG_NOTES[f]) for f in APPROX_FLAGS],
        fonts=Markup(CJK_FONTS),
        css=Markup((templates / "report.css").read_text("utf-8")),
        script=Markup(script), script_hash=Markup(script_hash(script)),
        data=Markup(_json_for_script(_table_data(ds, set(shown["article_id"])))),
    )
    out.write_text(text, encoding="utf-8")
    return ReportSummary(articles=len(ds.articles), shown=len(shown),
                         indicators=len(ds.indicators), errors=len(ds.errors),
                         bytes=out.stat().st_size, seconds=time.perf_counter() - started)


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script (``'sha256-…'``)."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _summary(ds: Dataset) -> dict[str, Any]:
    """Counts for the summary section: totals, dates, dimension × flag, errors."""
    import pandas as pd

    ind, published = ds.indicators, ds.articles["published"].dropna()
    cross = pd.crosstab(ind["dimension"].astype(str), ind["approx"].astype(str))
    cross = cross.reindex(index=[d for d in DIMENSIONS if d in cross.index],
                          columns=list(APPROX_FLAGS), fill_value=0)
    errors = (ds.errors.groupby(["stage", "error_type"], observed=True).size()
              .sort_values(ascending=False))
    return {
        "articles": len(ds.articles),
        "indicators": len(ind),
        "errors": len(ds.errors),
        "first": published.min() if len(published) else None,
        "last": published.max() if len(published) else None,
        "undated": len(ds.articles) - len(published),
        "by_dimension": [(d, row.tolist(), int(row.sum())) for d, row in cross.iterrows()],
        "by_flag": [int(cross[f].sum()) for f in APPROX_FLAGS],
        "error_kinds": [(stage, kind, int(n)) for (stage, kind), n in errors.items()],
        "error_rows": ds.errors.head(200).to_dict("records"),
    }


def _charts(ds: Dataset) -> list[Chart]:
    """The charts, each left out when it would have no data."""
    import altair as alt
    import pandas as pd

    ind = ds.indicators.assign(dimension=ds.indicators["dimension"].astype(str),
                               approx=ds.indicators["approx"].astype(str))
    flags = list(APPROX_FLAGS)
    by_flag = alt.Color("approx:N", title="flag", sort=flags,
                        scale=alt.Scale(domain=flags, range=list(FLAG_COLORS.values())))
    charts: list[tuple[str, str, alt.TopLevelMixin]] = []
    if len(ind):
        per_dim = ind.groupby(["dimension", "approx"]).size().rename("n").reset_index()
        charts.append(("Indicators per dimension",
                       "Mentions by kind of quantity, stacked by approximation flag.",
                       alt.Chart(per_dim).mark_bar().encode(
                           x=alt.X("n:Q", title="indicators", axis=alt.Axis(**COUNT_AXIS)),
                           y=alt.Y("dimension:N", title=None,
                                   sort=ind["dimension"].value_counts().index.tolist()),
                           color=by_flag, order=alt.Order("approx:N"))))
        per_flag = ind["approx"].value_counts().rename_axis("approx").rename("n").reset_index()
        charts.append(("Indicators per approximation flag", "How exact the numbers are.",
                       alt.Chart(per_flag).mark_bar().encode(
                           x=alt.X("n:Q", title="indicators", axis=alt.Axis(**COUNT_AXIS)),
                           y=alt.Y("approx:N", sort=flags, title=None), color=by_flag)))
    objects = ind.loc[ind["dimension"] == "count", "object"].dropna().value_counts().head(20)
    if len(objects):
        top = objects.rename_axis("object").rename("n").reset_index()
        charts.append(("Top counted objects",
                       "The 20 things counted most often (dimension count), by mentions.",
                       alt.Chart(top).mark_bar().encode(
                           x=alt.X("n:Q", title="mentions", axis=alt.Axis(**COUNT_AXIS)),
                           y=alt.Y("object:N", sort="-x", title=None))))
    dated = ind.merge(ds.articles[["article_id", "published"]].dropna(), on="article_id")
    dated = dated[(dated["value"] > 0) & (dated["value"] < math.inf)]
    dated = dated[dated["unit"].notna()]
    if len(dated):
        units = dated["unit"].astype(str).value_counts().index[:4].tolist()
        dated = dated[dated["unit"].astype(str).isin(units)]
        note = (f"Stated values > 0 in dated articles, the {len(units)} most frequent "
                "units, one axis each, log scale")
        if len(dated) > MAX_POINTS:
            note += f"; a random sample of {MAX_POINTS:,} of {len(dated):,} mentions"
            dated = dated.sample(n=MAX_POINTS, random_state=0)
        points = dated[["value", "approx"]].assign(
            unit=dated["unit"].astype(str),
            published=pd.to_datetime(dated["published"]).dt.strftime("%Y-%m-%d"))
        scatter = alt.Chart(points).mark_circle(size=28, opacity=0.7).encode(
            x=alt.X("published:T", title="published", scale=alt.Scale(type="utc"),
                    axis=alt.Axis(format="%Y-%m-%d", labelAngle=-30)),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(type="log"),
                    axis=alt.Axis(tickCount=4, format="~s")),
            color=by_flag,
        ).properties(height=140)
        row = alt.Row("unit:N", sort=units, title=None, header=alt.Header(
            labelOrient="top", labelAnchor="start", labelFontWeight="bold"))
        charts.append(("Values over publication date", note + ".",
                       scatter.facet(row=row).resolve_scale(y="independent")))
    return [Chart(title, note, _svg(chart)) for title, note, chart in charts]


def _svg(chart: Any) -> str:
    """A chart as SVG, drawn wide (the page scales it to the full width)."""
    import vl_convert as vlc

    config = {"font": CJK_FONTS, "view": {"continuousWidth": CHART_WIDTH},
              "background": "white"}
    return vlc.vegalite_to_svg({**chart.to_dict(), "config": config})


def _series_charts(ds: Dataset) -> list[Chart]:
    """One chart per indicator (object, measure, unit) stated more than once: its values
    across articles and periods, over the period's last day (else the article's date).

    One unit per chart, so no axis mixes units; counts get integer ticks."""
    import altair as alt
    import pandas as pd

    ind = ds.indicators
    ind = ind[ind["object"].notna() & ind["estimate"].notna() & ind["measure"].notna()]
    ind = ind.merge(ds.articles[["article_id", "published", "title", "source"]],
                    on="article_id")
    when = ind["period_end"].fillna(ind["period_start"]).fillna(ind["published"])
    ind = ind.assign(when=pd.to_datetime(when), unit=ind["unit"].astype(str),
                     measure=ind["measure"].astype(str),
                     dimension=ind["dimension"].astype(str),
                     article=ind["title"].fillna(ind["source"]).astype(str))
    ind = ind[ind["when"].notna()]
    keys = ind.groupby(["object", "measure", "unit"]).size()
    keys = keys[keys >= 2]
    keys = keys.iloc[sorted(range(len(keys)), key=lambda i: (-keys.iloc[i], keys.index[i]))]
    keys = keys.head(MAX_SERIES)
    out = []
    for (obj, measure, unit), n in keys.items():
        rows = ind[(ind["object"] == obj) & (ind["measure"] == measure) & (ind["unit"] == unit)]
        counts = (rows["dimension"] == "count").all()
        points = pd.DataFrame({
            "when": rows["when"].dt.strftime("%Y-%m-%d"), "estimate": rows["estimate"],
            "article": rows["article"], "period": rows["period"].fillna("(article date)")})
        chart = alt.Chart(points).mark_line(point=alt.OverlayMarkDef(size=60)).encode(
            x=alt.X("when:T", title="period end (else published)", scale=alt.Scale(type="utc"),
                    axis=alt.Axis(format="%Y-%m-%d", labelAngle=-30)),
            y=alt.Y("estimate:Q", title=f"{measure} ({unit})",
                    axis=alt.Axis(**COUNT_AXIS) if counts else alt.Axis(format="~s")),
            color=alt.Color("article:N", title="article",
                            legend=alt.Legend(orient="bottom", columns=2, labelLimit=400)),
        ).properties(height=260)
        out.append(Chart(f"{obj} · {measure} · {unit}",
                         f"{n} figures across {rows['article_id'].nunique()} articles.",
                         _svg(chart)))
    return out


def _article_views(ds: Dataset, shown: pd.DataFrame) -> list[dict[str, Any]]:
    """The shown articles' header fields and their text as highlighted HTML."""
    from markupsafe import Markup

    ind = ds.indicators[ds.indicators["article_id"].isin(shown["article_id"])]
    by_article: dict[str, list[Any]] = {}
    for m in ind.sort_values(["article_id", "start"]).itertuples(index=False):
        by_article.setdefault(m.article_id, []).append(m)
    return [{
        "id": a.article_id, "title": _opt(a.title) or a.source, "source": a.source,
        "published": _opt(a.published), "author": _opt(a.author), "outlet": _opt(a.outlet),
        "n_mentions": a.n_mentions,
        "html": Markup(_highlight(a.article_id, a.text, by_article.get(a.article_id, []))),
        "stats": _statistics_rows(by_article.get(a.article_id, [])),
    } for a in shown.itertuples(index=False)]


ARROWS = {"up": "▲", "down": "▼"}


def _statistics_rows(mentions: list[Any]) -> list[dict[str, Any]]:
    """An article's statistics, one row per indicator, period and place, in text order:
    its levels (and shares) and its changes with their basis. Values are plain text
    (the template escapes them); each item keeps its mention's anchor."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for m in mentions:
        key = (_opt(m.object), _opt(m.period), _opt(m.place))
        row = rows.setdefault(key, {
            "indicator": key[0] or "—", "levels": [], "changes": [],
            "period": key[1] or "", "dates": _dates(m), "place": key[2] or ""})
        measure = _opt(m.measure)
        if measure == "change":
            arrow = ARROWS.get(_opt(m.direction), "×" if _opt(m.unit) == "倍" else "±")
            basis = _opt(m.basis)
            row["changes"].append((m.mention_index, f"{arrow} {m.surface}"
                                   + (f" vs {basis}" if basis else "")))
        else:
            row["levels"].append((m.mention_index,
                                  m.surface + (" (share)" if measure == "share" else "")))
    return list(rows.values())


def _dates(m: Any) -> str:
    first, last = _opt(m.period_start), _opt(m.period_end)
    if first is None and last is None:
        return ""
    if first == last:
        return str(first)
    return f"{first or '…'} – {last or '…'}"


def _highlight(article_id: str, text: str, mentions: list[Any]) -> str:
    """The article text as HTML, each mention (sorted by start) a ``<mark>`` with its fields.
    Every value written into an attribute or the text is escaped (a dataset may come
    from elsewhere)."""
    parts, pos = [], 0
    for m in mentions:
        if m.start < pos:
            continue
        value, lower, upper = (_opt(v) for v in (m.value, m.lower, m.upper))
        stat = " ".join(str(x) for x in (_opt(m.measure), _opt(m.direction),
                                         _opt(m.basis) and f"vs {m.basis}") if x)
        where = " · ".join(str(x) for x in (_opt(m.period), _dates(m), _opt(m.place)) if x)
        tip = (f"{m.surface} · {m.approx}" + (f" ({m.qualifier})" if _opt(m.qualifier) else "")
               + f"\nvalue {_fmt(value)} · bounds {_bounds(lower, upper)}"
               + f"\n{_opt(m.unit) or 'no unit'} · {m.dimension}"
               + (f" · {m.object}" if _opt(m.object) else "")
               + (f"\n{stat}" if stat else "") + (f"\n{where}" if where else ""))
        attrs = {"class": f"m f-{m.approx}", "id": f"m-{article_id}-{m.mention_index}",
                 "tabindex": "0", "data-value": _raw(value), "data-lower": _raw(lower),
                 "data-upper": _raw(upper), "data-tip": tip}
        parts += [html.escape(text[pos:m.start], quote=False),
                  "<mark " + " ".join(f'{k}="{html.escape(str(v))}"' for k, v in attrs.items())
                  + f">{html.escape(text[m.start:m.end], quote=False)}</mark>"]
        pos = m.end
    parts.append(html.escape(text[pos:], quote=False))
    return "".join(parts)


def _table_data(ds: Dataset, shown: set[str]) -> dict[str, Any]:
    """The indicators table as columns; strings factorized to codes into a value list."""
    import pandas as pd

    arts, ind = ds.articles, ds.indicators
    published = pd.to_datetime(arts["published"]).dt.strftime("%Y-%m-%d")

    def codes(column: pd.Series) -> dict[str, list[Any]]:
        index, values = pd.factorize(column)
        return {"codes": index.tolist(), "values": [str(v) for v in values]}

    def numbers(column: pd.Series) -> list[float | None]:  # JSON has no NaN or Infinity
        return [v if math.isfinite(v) else None for v in column.tolist()]

    return {
        "articles": {
            "id": arts["article_id"].tolist(),
            "label": [_opt(t) or s for t, s in zip(arts["title"], arts["source"], strict=True)],
            "published": [_opt(d) for d in published],
            "shown": [a in shown for a in arts["article_id"]],
        },
        "rows": {
            "article": pd.Index(arts["article_id"]).get_indexer(ind["article_id"]).tolist(),
            "index": ind["mention_index"].tolist(),
            **{c: numbers(ind[c]) for c in ("value", "lower", "upper")},
            **{c: codes(ind[c]) for c in ("surface", "approx", "unit", "dimension", "object",
                                          "sentence", "measure", "direction", "basis",
                                          "period", "place")},
        },
    }


def _json_for_script(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``<`` at all)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c")


def _opt(value: Any) -> Any:
    """None for a missing value (None, NaN, NaT), else the value."""
    return None if value is None or (not isinstance(value, str) and value != value) else value


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.10g}"


def _raw(value: float | None) -> str:
    return "" if value is None else f"{value:.15g}"


def _bounds(lower: float | None, upper: float | None) -> str:
    if lower is None and upper is None:
        return "none"
    if lower == upper:
        return f"exactly {_fmt(lower)}"
    if upper is None:
        return f"≥ {_fmt(lower)}"
    if lower is None:
        return f"≤ {_fmt(upper)}"
    return f"{_fmt(lower)}–{_fmt(upper)}"


def report_command(
    dataset: Annotated[Path, typer.Argument(help="A dataset folder (from extract or build).",
                                            show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"),
    max_articles: Annotated[int, typer.Option(
        min=1, help="Show at most this many articles' text (a fixed random sample above it); "
        "the summary, charts and table always cover the whole dataset.")] = MAX_ARTICLES,
) -> None:
    """Write one self-contained HTML page to review a dataset: summary, charts, table, text."""
    try:
        summary = write_report(dataset, out, max_articles)
    except NotADataset as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except ModuleNotFoundError as exc:
        typer.echo(f"error: {exc.name} is missing: install zhstats[report]", err=True)
        raise typer.Exit(2) from None
    shown = ("all shown" if summary.shown == summary.articles
             else f"a sample of {summary.shown:,} shown")
    typer.echo(f"{out}: {summary.articles:,} articles ({shown}), {summary.indicators:,} "
               f"indicators, {summary.errors:,} errors; {summary.bytes / 1e6:.1f} MB in "
               f"{summary.seconds:.1f} s", err=True)
