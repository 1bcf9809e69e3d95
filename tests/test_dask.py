"""The Dask engine (``--engine dask``): the local engine's rows, on a LocalCluster and on a
scheduler with worker processes, through a killed worker, with URLs and hive folders."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import fsspec
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster
from frictionless import validate
from typer.testing import CliRunner

from extractor.cli import app
from extractor.dask_engine import EngineError, find_cuts, run_dask
from extractor.dataset import RunOptions, RunSummary, run
from extractor.readers import discover
from extractor.schema import TABLES, Table

pytestmark = pytest.mark.slow  # clusters of worker processes
SORT = {"articles": ["source"], "indicators": ["article_id", "mention_index"],
        "errors": ["source", "error_type"]}
MONTH = "published_month"
OPTIONS = RunOptions(max_article_mb=0.02)
"""Both engines run with a small article size limit, which two articles go over."""


def news(i: int) -> str:
    date = "" if i % 50 == 0 else f"2025年{i % 12 + 1}月{i % 28 + 1}日\n\n"
    return (f"青禾市第{i}号工作通报\n\n{date}本报记者 张三\n\n今年以来，全市新增企业{i + 10}家，"
            f"同比增长{i % 40 + 1}.5%，累计为{i * 3 + 100}余家企业提供服务，"
            f"节省费用{i + 2}万元。\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """2,001 articles (txt, JSONL, GB18030 CSV, HTML; one file name not UTF-8) and bad inputs;
    the arguments naming them."""
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "in"
    (folder / "txt").mkdir(parents=True)
    for i in range(648):
        (folder / "txt" / f"a{i:04d}.txt").write_text(news(i), encoding="utf-8")
    lines = [json.dumps({"text": news(i), "id": i}, ensure_ascii=False) for i in range(1000, 1700)]
    lines[100:100] = ["{bad json", "", '{"title": "no text"}', "[1, 2]",
                      json.dumps({"text": news(1) * 200}, ensure_ascii=False)]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["id", "text"])
    writer.writerows([i, news(i)] for i in range(2000, 2650))
    writer.writerow([9999, ""])
    (folder / "table.csv").write_bytes(table.getvalue().encode("gb18030"))
    (folder / "pages").mkdir()
    for i in (3000, 3001):
        body = "".join(f"<p>{line}</p>" for line in news(i).split("\n\n"))
        (folder / "pages" / f"p{i}.html").write_text(
            f"<html><head><title>通报{i}</title></head><body><article>{body}</article>"
            "</body></html>", encoding="utf-8")
    (folder / "pages" / "blank.html").write_text("<html><body></body></html>")
    (folder / "bad").mkdir()
    (folder / "bad" / "empty.txt").write_bytes(b"")
    (folder / "bad" / os.fsdecode(b"\xff-not-utf-8.txt")).write_bytes(b"")  # name escaped
    (folder / "bad" / os.fsdecode(b"\xfe-not-utf-8.txt")).write_text(news(4000))
    (folder / "bad" / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "txt" / "dup.txt").write_text(news(1005), encoding="utf-8")
    (folder / "txt" / "huge.txt").write_text(news(2) * 200, encoding="utf-8")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")
    return [str(folder), str(root / "notes.pdf")]


@pytest.fixture(scope="module")
def local(corpus: list[str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunSummary]:
    out = tmp_path_factory.mktemp("local") / "out"
    return out, run(discover(corpus), out, replace(OPTIONS, workers=1))


def rows(out: Path | str, table: str, fs: fsspec.AbstractFileSystem | None = None) -> list[dict]:
    """A table's rows sorted by its key, from a local (one file) or Dask (a folder of files)
    dataset: both under the same name."""
    data = pq.read_table(f"{out}/{table}.parquet", filesystem=fs)
    return data.drop_columns([c for c in data.column_names if c == MONTH]).sort_by(
        [(c, "ascending") for c in SORT[table]]).to_pylist()


def assert_same(dask_out: Path, summary: RunSummary, local: tuple[Path, RunSummary]) -> None:
    local_out, expected = local
    assert (summary.inputs, summary.articles, summary.indicators, summary.errors) == (
        expected.inputs, expected.articles, expected.indicators, expected.errors)
    for table in TABLES:
        assert rows(dask_out, table.name) == rows(local_out, table.name), table.name


def test_local_cluster_matches_the_local_engine(
    corpus: list[str], local: tuple[Path, RunSummary], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    summary = run_dask(corpus, str(out), replace(OPTIONS, workers=2), partitions=12)
    assert_same(out, summary, local)
    assert local[1].articles == 2001
    assert [e["error_type"] for e in rows(out, "errors")
            if e["source"].endswith("/bad/\\xff-not-utf-8.txt")] == ["EmptyInput"]
    assert [a["source"].rsplit("/", 1)[1] for a in rows(out, "articles")
            if "not-utf-8" in a["source"]] == ["\\xfe-not-utf-8.txt"]
    assert {e["error_type"] for e in rows(local[0], "errors")} == {
        "MalformedJSON", "NotAnObject", "MissingTextField", "ArticleTooLarge", "EmptyInput",
        "BinaryInput", "NoMainText", "UnsupportedFormat", "DuplicateArticle"}
    package = json.loads((out / "datapackage.json").read_text())
    local_meta = pq.read_schema(local[0] / "articles.parquet").metadata
    metas = set()
    for resource in package["resources"]:
        assert resource["path"] and all((out / p).is_file() for p in resource["path"])
        expected = pq.read_schema(local[0] / f"{resource['name']}.parquet")
        for path in resource["path"]:
            schema = pq.read_schema(out / path)
            assert schema.equals(expected)
            metas.add(tuple(sorted((k, v) for k, v in schema.metadata.items()
                                   if k != b"zhstats.table")))
    (meta,) = metas  # one run, one set of key-value metadata
    assert {k for k, _ in meta} == set(local_meta) - {b"zhstats.table"}
    assert len(package["resources"][0]["path"]) >= 12
    assert validate(out / "datapackage.json").valid  # Frictionless reads the multipart tables


def test_large_files_are_cut_at_record_boundaries(corpus: list[str]) -> None:
    folder = Path(corpus[0])
    data = (folder / "feed.jsonl").read_bytes()
    layout = find_cuts(str(folder / "feed.jsonl"), "jsonl", 50_000, "text")
    assert layout is not None and len(layout.cuts) > 3 and layout.end == len(data)
    for offset, first in layout.cuts[1:]:
        assert data[offset - 1:offset] == b"\n" and data[:offset].count(b"\n") + 1 == first
    data = (folder / "table.csv").read_bytes()
    layout = find_cuts(str(folder / "table.csv"), "csv", 20_000, "text")
    assert layout is not None and layout.encoding == "gb18030" and len(layout.cuts) > 3
    assert layout.header == b"id,text\r\n"
    for offset, first in layout.cuts[1:]:
        before = data[:offset].decode("gb18030")
        assert len(list(csv.DictReader(io.StringIO(before, newline="")))) + 1 == first
    assert find_cuts(str(folder / "table.csv"), "csv", 20_000, "body") is None  # read whole


# -- a scheduler and worker processes on loopback ------------------------------


class Cluster:
    """`dask scheduler` and `dask worker` processes started for one test."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                   "--no-dashboard", "--dashboard-address", "127.0.0.1:0")
        for _ in range(workers):
            self.start("distributed.cli.dask_worker", "--host", "127.0.0.1", "--nthreads", "1",
                       "--no-nanny", "--no-dashboard", "--memory-limit", "1GiB",
                       "--death-timeout", "30", "--local-directory", str(folder))
        self.client = Client(scheduler_file=str(self.file), timeout="30s")
        self.client.wait_for_workers(workers, timeout=60)
        self.address = self.client.scheduler.address

    def start(self, module: str, *args: str) -> None:
        deadline = time.monotonic() + 30
        while self.processes and not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", module, "--scheduler-file", str(self.file), *args],
            cwd=self.file.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def close(self) -> None:
        if hasattr(self, "client"):
            self.client.close()
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    (tmp_path / "dask").mkdir()
    started = Cluster(tmp_path / "dask", workers=2)
    try:
        yield started
    finally:
        started.close()


def table_file(out: Path, table: Table) -> Path:
    """The first file of a table written as a folder of files."""
    return sorted((out / table.path).rglob("*.parquet"))[0]


def test_report_and_append_take_a_folder_the_dask_engine_wrote(
    corpus: list[str], local: tuple[Path, RunSummary], tmp_path: Path
) -> None:
    """The two engines wrote different layouts, so ``zhstats report`` and ``--append``
    refused a Dask-written folder. Now both read it, as they read a local one."""
    out = tmp_path / "out"
    run_dask(corpus, str(out), replace(OPTIONS, workers=2), partitions=6)
    def plain(path: Path, table: str) -> pa.Table:
        """A table sorted by its key, categories as strings (their codes depend on order)."""
        data = pq.read_table(path).sort_by([(c, "ascending") for c in SORT[table]])
        return pa.table({name: column.cast(column.type.value_type)
                         if pa.types.is_dictionary(column.type) else column
                         for name, column in zip(data.column_names, data.columns, strict=True)})

    for table in TABLES:  # the same Arrow data once sorted: types, values, nulls
        assert plain(out / table.path, table.name).equals(
            plain(local[0] / table.path, table.name)), table.name
        assert pq.read_schema(table_file(out, table)).remove_metadata() == \
            pq.read_schema(local[0] / table.path).remove_metadata()
    result = CliRunner().invoke(app, ["report", str(out), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert f"{local[1].articles:,} articles" in result.output
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "new.txt").write_text(news(9001), encoding="utf-8")
    summary = run(discover([str(extra)]), out, RunOptions(workers=1, append=True))
    assert (summary.articles, summary.kept["articles"]) == (1, local[1].articles)
    assert pq.read_table(out / "articles.parquet").num_rows == local[1].articles + 1
    assert (out / "articles.parquet").is_file(), "appending writes the local layout"


def test_scheduler_and_workers_match_the_local_engine_in_hive_folders(
    corpus: list[str], local: tuple[Path, RunSummary], cluster: Cluster, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", *corpus, "--out", str(out), "--engine", "dask",
                                      "--scheduler", cluster.address, "--partitions", "12",
                                      "--partition-by", MONTH, "--max-article-mb", "0.02",
                                      "--quiet"])
    assert result.exit_code == 1, result.output  # some inputs failed
    for table in TABLES:
        assert rows(out, table.name) == rows(local[0], table.name), table.name
    assert (out / "articles.parquet" / f"{MONTH}=2025-09").is_dir()
    assert (out / "articles.parquet" / f"{MONTH}=__HIVE_DEFAULT_PARTITION__").is_dir()
    assert not any(p.name.startswith(MONTH) for p in (out / "errors.parquet").iterdir())
    expected = (pl.read_parquet(local[0] / "articles.parquet")
                .group_by(pl.col("published").dt.strftime("%Y-%m").alias(MONTH)).len()
                .sort(MONTH, nulls_last=True).rows())
    by_duckdb = duckdb.sql(f"SELECT {MONTH}, count(*) FROM read_parquet("
                           f"'{out}/articles.parquet/**/*.parquet', hive_partitioning = true) "
                           "GROUP BY 1 "
                           "ORDER BY 1 NULLS LAST").fetchall()
    assert by_duckdb == expected
    by_polars = (pl.scan_parquet(out / "indicators.parquet", hive_partitioning=True)
                 .filter(pl.col(MONTH) == "2025-09").select(pl.len()).collect().item())
    local_articles = pl.read_parquet(local[0] / "articles.parquet")
    assert by_polars == (pl.read_parquet(local[0] / "indicators.parquet")
                         .join(local_articles, on="article_id")
                         .filter(pl.col("published").dt.strftime("%Y-%m") == "2025-09")
                         .height) > 0


def test_a_worker_killed_mid_run(
    corpus: list[str], local: tuple[Path, RunSummary], cluster: Cluster, tmp_path: Path
) -> None:
    pids = cluster.client.run(os.getpid)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if done and not killed:
            busy = max(cluster.client.processing().items(), key=lambda item: len(item[1]))
            assert busy[1], "no task in flight to interrupt"
            victim = pids[busy[0]]
            assert victim in {p.pid for p in cluster.processes}
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    out = tmp_path / "out"
    summary = run_dask(corpus, str(out), OPTIONS, scheduler=cluster.address, partitions=24,
                       progress=kill_one)
    assert killed
    assert_same(out, summary, local)
    sources = [r["source"] for r in rows(out, "articles")]
    assert len(sources) == len(set(sources)) == 2001


# -- URLs, usage errors ---------------------------------------------------------


def test_memory_urls(tmp_path: Path) -> None:
    fs = fsspec.filesystem("memory")
    for i in range(20):
        fs.pipe_file(f"/zh/in/a{i:02d}.txt", news(i).encode())
    fs.pipe_file("/zh/in/.hidden.txt", news(99).encode())
    fs.pipe_file("/zh/in/feed.jsonl", "\n".join(
        json.dumps({"text": news(i)}, ensure_ascii=False) for i in range(20, 30)).encode())
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=":0") as cluster:
        summary = run_dask(["memory://zh/in"], "memory://zh/out",
                           scheduler=cluster.scheduler_address, partition_by=MONTH)
    assert (summary.articles, summary.errors) == (30, 0)
    articles = rows("/zh/out", "articles", fs)
    assert len(articles) == 30 and all(a["source"].startswith("memory://") for a in articles)
    assert articles[20]["source"].endswith("feed.jsonl#line=1")
    assert fs.isfile("/zh/out/datapackage.json")
    assert fs.ls("/zh", detail=False) == ["/zh/in", "/zh/out"]  # no temp folder left
    assert fs.isfile("/zh/out/errors.parquet/part-00000-0.parquet")  # no errors: one empty file
    assert rows("/zh/out", "errors", fs) == []
    fs.rm("/zh", recursive=True)


@pytest.mark.parametrize(("args", "message"), [
    (["-", "--engine", "dask"], "standard input"),
    (["{seed}", "--engine", "dask", "--append"], "--append"),
    (["{seed}", "--scheduler", "tcp://127.0.0.1:1"], "needs --engine dask"),
    (["{seed}", "--engine", "dask", "--out", "{tmp}"], "not part of a zhstats dataset (keep.txt)"),
])
def test_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("not a dataset")
    seed = str(Path(__file__).parent / "data" / "seed" / "quality-month-2025-09-15.txt")
    args = [a.format(seed=seed, tmp=tmp_path) for a in args]
    out = [] if "--out" in args else ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, ["extract", *args, *out])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.replace("│", " ").split())


def test_without_dask(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(EngineError, match=r"pip install 'zhstats\[dask\]'"):
        run_dask([str(tmp_path)], str(tmp_path / "out"))
