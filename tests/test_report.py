"""``zhstats report``: the bundled sample's page in headless Chromium, sampling, escaping."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from extractor.cli import app

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def zhstats(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def embedded_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="indicator-data">(.*?)'
                                r"</script>", page, re.S).group(1))


@pytest.mark.slow
def test_the_sample_report_in_chromium(chromium: str, sample_dataset: Path, tmp_path: Path
                                       ) -> None:
    from playwright.sync_api import expect, sync_playwright

    report = tmp_path / "report.html"
    result = zhstats("report", str(sample_dataset), "--out", str(report))
    assert result.exit_code == 0, result.output
    assert "4 articles (all shown), 65 indicators, 0 errors" in result.stderr
    seed = next(a for a in pq.read_table(sample_dataset / "articles.parquet").to_pylist()
                if a["source"].endswith("quality-month-2025-09-15.txt"))
    article = f"#a-{seed['article_id']}"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri(), wait_until="load")

        assert page.locator("#charts svg").count() == 4
        assert page.locator("#status").text_content() == "rows 1–65 of 65"
        # The text shows as decoded (no mojibake), the marks adding no characters.
        assert page.locator(f"{article} .text").text_content() == seed["text"]
        assert page.locator(f"{article} h3").text_content() == "聚焦质量提升 赋能创新发展"

        mark = page.locator(f"{article} mark.m", has_text="130多家")
        assert mark.count() == 1
        assert mark.get_attribute("class") == "m f-over"
        assert [mark.get_attribute(f"data-{k}") for k in ("value", "lower", "upper")] == [
            "130", "130", "140"]
        mark.hover()
        tip = mark.evaluate("el => getComputedStyle(el, '::after').content")
        assert "value 130 · bounds 130–140" in tip and "规模以上企业" in tip
        colors = mark.evaluate("el => getComputedStyle(el).borderBottomColor")
        assert colors == "rgb(84, 162, 75)"  # the `over` colour
        page.screenshot(path=tmp_path / "highlight.png")

        # Filter the table down to the mention, follow its link to the highlight.
        page.fill("#q", "130多家")
        expect(page.locator("#status")).to_have_text("rows 1–1 of 1 (filtered from 65)")
        page.locator("#ind-table tbody a").click()
        assert page.evaluate("location.hash") == f"#m-{seed['article_id']}-9"
        assert mark.evaluate("el => el.matches(':target') && el.getBoundingClientRect().top > 0"
                             " && el.getBoundingClientRect().bottom < innerHeight")

        # Sort by value, largest first; filter by flag.
        page.fill("#q", "")
        page.select_option("#f-approx", "over")
        expect(page.locator("#status")).to_have_text("rows 1–13 of 13 (filtered from 65)")
        page.click("th[data-key=value]")
        page.click("th[data-key=value]")
        values = page.locator("#ind-table tbody td:nth-child(2)").all_text_contents()
        numbers = [float(v.replace(",", "")) for v in values]
        assert numbers == sorted(numbers, reverse=True) and numbers[0] == 25_000_000

        page.screenshot(path=tmp_path / "report.png", full_page=True)
        browser.close()

    assert problems == []
    assert requests and all(u.startswith(("file:", "data:")) for u in requests), requests
    assert (tmp_path / "report.png").stat().st_size > 10_000


@pytest.mark.slow
def test_large_datasets_show_a_sample_of_articles(sample_dataset: Path, tmp_path: Path
                                                  ) -> None:
    report = tmp_path / "report.html"
    result = zhstats("report", str(sample_dataset), "--out", str(report), "--max-articles", "2")
    assert result.exit_code == 0, result.output
    assert "4 articles (a sample of 2 shown)" in result.stderr
    page = report.read_text("utf-8")
    assert "shows\n    the text of a fixed random sample of 2" in page
    assert page.count('<article id="a-') == 2
    data = embedded_data(page)
    assert len(data["rows"]["index"]) == 65 and sum(data["articles"]["shown"]) == 2
    assert "<b>65</b> indicators" in page


def test_article_text_is_escaped_and_numbers_are_json(tmp_path: Path) -> None:
    text = ("今年新增企业<b>40家</b>。</script><script>alert(1)</script>节省费用2万元&amp;。"
            "读数2e308。\n")
    (tmp_path / "a.txt").write_text(text, "utf-8")
    assert zhstats("extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "ds"),
                   "-w", "1", "-q").exit_code == 0
    assert zhstats("report", str(tmp_path / "ds"), "--out", str(tmp_path / "r.html")).exit_code == 0
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "<script>alert" not in page and "<b>40" not in page
    assert "&lt;b&gt;<mark" in page and "&amp;amp;" in page
    data = embedded_data(page)
    assert any("</script><script>alert(1)" in s for s in data["rows"]["sentence"]["values"])


def test_not_a_dataset_exits_2(tmp_path: Path) -> None:
    result = zhstats("report", str(tmp_path), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert "is not a zhstats dataset" in result.stderr
    assert not (tmp_path / "r.html").exists()


@pytest.mark.slow  # a fresh process
def test_help_does_not_import_the_report_libraries() -> None:
    code = ("import sys, extractor.cli; heavy = {'pandas', 'altair', 'vl_convert', 'jinja2'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


# -- statistics, the indicator chart, escaping and CSP (issues 13.7 and 15) ------


def _jsonl_dataset(tmp_path: Path, articles: list[dict]) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), "utf-8")
    out = tmp_path / "ds"
    result = zhstats("extract", str(src), "--out", str(out), "-w", "1", "-q")
    assert result.exit_code == 0, result.output
    return out


def _report(ds: Path, tmp_path: Path) -> str:
    result = zhstats("report", str(ds), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 0, result.output
    return (tmp_path / "r.html").read_text("utf-8")


def test_each_article_has_its_statistics_table(tmp_path: Path) -> None:
    ds = _jsonl_dataset(tmp_path, [{
        "title": "统计公报", "published": "2025-03-20",
        "text": "2024年，全县地区生产总值386.5亿元，比上年增长5.9%，"
                "高于全省平均水平0.6个百分点。"}])
    page = _report(ds, tmp_path)
    table = re.search(r'<table class="stats".*?</table>', page, re.S).group()
    cells = [re.sub(r"<[^>]+>", "", c).strip()
             for c in re.findall(r"<td>(.*?)</td>", table, re.S)]
    assert cells == ["地区生产总值", "386.5亿元",
                     "▲ 5.9% vs 上年▲ 0.6个百分点 vs 全省平均水平",
                     "2024年2024-01-01 – 2024-12-31", "全县"]


@pytest.mark.slow  # renders every chart of two series to SVG
def test_the_indicator_chart_one_unit_per_chart_integer_ticks_for_counts(
        tmp_path: Path) -> None:
    ds = _jsonl_dataset(tmp_path, [
        {"title": "一", "published": "2025-03-01", "text": "今年，全市新增企业2家，新增企业3个。"},
        {"title": "二", "published": "2025-06-01", "text": "今年，全市新增企业3家，新增企业5个。"},
    ])
    page = _report(ds, tmp_path)
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', page)
    assert [o for _, o in options] == ["企业 · level · 个", "企业 · level · 家"]
    figures = re.findall(r'<figure class="series wide" data-series="(\d+)"( hidden)?>(.*?)'
                         r"</figure>", page, re.S)
    assert [(i, bool(h)) for i, h, _ in figures] == [("0", False), ("1", True)]
    for _, _, svg in figures:
        numbers = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)
                   if re.fullmatch(r"[0-9.]+", t)]
        assert numbers and all("." not in t for t in numbers), numbers
    # the values-over-time chart puts one unit on each axis: a row per unit
    over_time = re.search(r"<b>Values over publication date</b>.*?</figure>", page, re.S).group()
    assert "one axis each" in over_time
    assert {"家", "个"} <= set(re.findall(r"<text[^>]*>([^<]*)</text>", over_time))


def test_every_value_is_escaped_and_the_csp_allows_only_our_script(tmp_path: Path) -> None:
    import pyarrow as pa

    ds = _jsonl_dataset(tmp_path, [{"published": "2025-09-15", "text": "今年，全市新增企业40家。"}])
    hostile = '"><img src=x onerror=alert(1)>'
    for name, columns in (("articles", ("article_id", "title", "source")),
                          ("indicators", ("article_id", "approx", "object", "period",
                                          "basis", "place", "measure", "unit"))):
        table = pq.read_table(ds / f"{name}.parquet")
        for c in columns:
            i = table.schema.get_field_index(c)
            table = table.set_column(i, pa.field(c, pa.string()),
                                     pa.array([hostile] * len(table), pa.string()))
        pq.write_table(table, ds / f"{name}.parquet")
    page = _report(ds, tmp_path)

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.attrs: set[str] = set()
            self.values: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)
            self.attrs |= {k for k, _ in attrs}
            self.values += [v or "" for _, v in attrs]

    parsed = Tags()
    parsed.feed(page)
    assert "img" not in parsed.tags and not any(a.startswith("on") for a in parsed.attrs)
    assert any(hostile in v for v in parsed.values)  # kept, as an attribute's value
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page  # and as escaped text
    csp = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]*)"', page).group(1)
    script_src = re.search(r"script-src ([^;]*)", csp).group(1).split()
    assert "'unsafe-inline'" not in script_src and len(script_src) == 1
    inline = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(inline) == 1
    from extractor.report import script_hash

    assert script_src == [script_hash(inline[0])]
