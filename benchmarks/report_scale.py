"""Benchmark ``zhstats report`` on generated articles and time opening the page in Chromium.

    python benchmarks/report_scale.py [--articles 10000] [--work DIR]

Writes DIR/articles.jsonl (invented news items about a made-up city, dated over
2025), builds DIR/dataset with ``zhstats extract``, runs ``zhstats report`` in a
subprocess (start-up included) and opens the page in headless Chromium
(/usr/bin/chromium, through Playwright), timing the load event and the first
rendered table row. Targets at 10,000 articles: report < 30 s, page < 5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

CLI = "import sys; from extractor.cli import main; sys.argv[0] = 'zhstats'; main()"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PLACES = ["东城区", "西湖区", "高新区", "临河县", "北山镇", "经开区", "南湖街道", "青禾新区"]
THINGS = [("企业", "家"), ("项目", "个"), ("游客", "人次"), ("农户", "户"), ("学校", "所"),
          ("充电桩", "台"), ("社区", "个"), ("岗位", "个"), ("专利", "件"), ("医院", "家")]
SENTENCES = [
    "{place}新增{thing}{n}{unit}，同比增长{p}%。",
    "截至目前，{place}已有{n}多{unit}{thing}参与，带动投资约{m}亿元。",
    "全年计划完成{thing}建设{n}{unit}以上，资金投入{m}万元左右。",
    "{place}接待{thing}近{n}万{unit}，收入{m}亿元，增长{p}个百分点。",
    "目前共有{thing}{n}余{unit}，占全市总量的{p}%左右。",
    "预计带动{n}至{k}{unit}{thing}受益，覆盖面积{m}平方公里。",
]


def article(i: int, rng: random.Random) -> dict[str, str]:
    """One invented article with 8 to 14 sentences holding numbers."""
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
    place = rng.choice(PLACES)
    body = "".join(
        rng.choice(SENTENCES).format(
            place=rng.choice(PLACES), thing=thing, unit=unit, n=rng.randint(2, 900),
            k=rng.randint(901, 2000), m=round(rng.uniform(0.5, 90), 1),
            p=round(rng.uniform(0.1, 40), 1))
        for thing, unit in (rng.choice(THINGS) for _ in range(rng.randint(8, 14))))
    return {"id": f"bench-{i}", "title": f"{place}第{i}期工作通报", "published": day.isoformat(),
            "text": f"{place}第{i}期工作通报\n\n本报记者 张三\n\n{body}\n"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None, help="default: a temporary folder")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="zhstats-report-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    corpus, dataset, page = work / "articles.jsonl", work / "dataset", work / "report.html"
    with corpus.open("w", encoding="utf-8") as f:
        for i in range(args.articles):
            f.write(json.dumps(article(i, rng), ensure_ascii=False) + "\n")

    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", CLI, "extract", str(corpus), "--out", str(dataset),
                    "--quiet"], check=True)
    extract_s = time.perf_counter() - began
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", CLI, "report", str(dataset), "--out", str(page)],
                   check=True)
    report_s = time.perf_counter() - began

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        began = time.perf_counter()
        tab.goto(page.as_uri(), wait_until="load")
        load_s = time.perf_counter() - began
        tab.wait_for_selector("#ind-table tbody tr")
        table_s = time.perf_counter() - began
        browser.close()

    print(f"articles: {args.articles:,}; work folder: {work}")
    print(f"zhstats extract: {extract_s:.1f} s (not part of the target)")
    print(f"zhstats report:  {report_s:.1f} s (target < 30 s); page "
          f"{page.stat().st_size / 1e6:.1f} MB")
    print(f"Chromium: load event {load_s:.2f} s, table rendered {table_s:.2f} s (target < 5 s); "
          f"console errors: {len(errors)}")
    if errors:
        print("\n".join(errors[:5]))
    if report_s >= 30 or table_s >= 5 or errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
