"""Schema, assembly, the atomic streaming writer, append, dataset.toml and the run."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import astuple
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractor import writer as writer_module
from extractor.assemble import InvalidMention, article_id, assemble
from extractor.dataset import (
    ConfigError,
    DatasetConfig,
    DatasetNotFound,
    RunOptions,
    build,
    find_dataset,
    run,
)
from extractor.mention import APPROX_FLAGS, DIMENSIONS, Mention
from extractor.metadata import ArticleMeta
from extractor.readers import discover
from extractor.rules import RULE_FILES, default_dir
from extractor.schema import INDICATORS, SCHEMA_VERSION, TABLES
from extractor.writer import OutputError

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "tests" / "data" / "seed"
SEED = SEED_DIR / "quality-month-2025-09-15.txt"
ONE = RunOptions(workers=1)


def read(out: Path, table: str) -> pa.Table:
    return pq.read_table(out / f"{table}.parquet")


def rows(out: Path, table: str) -> list[dict]:
    return read(out, table).to_pylist()


def article(i: int) -> str:
    return (f"青禾市第{i}期工作通报\n\n2025年10月{i % 28 + 1:02d}日\n\n本报记者 张三\n\n"
            f"今年以来，全市新增企业{i + 10}家，同比增长{i % 40 + 1}.5%，累计为{i * 3 + 100}余家"
            f"企业提供服务，节省费用{i + 2}万元。\n")


def corpus(folder: Path, numbers: range) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in numbers:
        (folder / f"a{i:04d}.txt").write_text(article(i), encoding="utf-8")
    return folder


# -- the seed article and the sample dataset ----------------------------------


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "out"
    summary = run(discover([str(SEED)]), out, ONE)
    assert (summary.articles, summary.errors) == (1, 0)
    return out


def test_seed_indicators_are_the_gold_mentions(seed_out: Path) -> None:
    gold = json.loads((SEED_DIR / "gold.jsonl").read_text(encoding="utf-8"))
    required = {(m["start"], m["end"]): m for m in gold["mentions"] if not m["optional"]}
    optional = {(m["start"], m["end"]) for m in gold["mentions"] if m["optional"]}
    found = {(r["start"], r["end"]): r for r in rows(seed_out, "indicators")}
    assert set(found) - optional == set(required)
    for span, want in required.items():
        got = found[span]
        for name in ("surface", "value", "lower", "upper", "approx", "qualifier", "unit",
                     "dimension"):
            assert got[name] == want[name], (want["surface"], name)
        if want["object"] and got["object"]:  # the scorer's rule: containment either way
            assert got["object"] in want["object"] or want["object"] in got["object"], \
                want["surface"]


def test_seed_article_row(seed_out: Path) -> None:
    (row,) = rows(seed_out, "articles")
    text = SEED.read_text(encoding="utf-8")
    assert row["published"] == date(2025, 9, 15)
    assert row["title"] == "聚焦质量提升 赋能创新发展"
    assert row["subtitle"] == "我市倾力推进质量强市工作纪实"
    assert row["author"] == "高小豹"
    assert row["source"] == str(SEED)
    assert row["encoding"] == "utf-8"
    assert row["article_id"] == article_id(text) == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert row["text"] == text and row["n_chars"] == len(text)
    assert row["n_mentions"] == len(rows(seed_out, "indicators"))


def test_sample_dataset(sample_dataset: Path) -> None:
    articles = {Path(r["source"].split("#")[0]).name: r for r in rows(sample_dataset, "articles")}
    assert set(articles) == {
        "quality-month-2025-09-15.txt", "market-entities-2025-10-08.txt",
        "autumn-harvest-2025-10-13.html", "holiday-tourism-2025-10-09.jsonl"}
    seed = articles["quality-month-2025-09-15.txt"]
    assert (seed["source"], seed["published"]) == ("articles/quality-month-2025-09-15.txt",
                                                   date(2025, 9, 15))
    html = articles["autumn-harvest-2025-10-13.html"]
    assert html["title"] == "全市秋粮收获进度过半 玉米亩产同比增加15公斤"
    assert (html["published"], html["outlet"], html["author"]) == (
        date(2025, 10, 13), "青禾日报", "赵一鸣")
    jsonl = articles["holiday-tourism-2025-10-09.jsonl"]
    assert jsonl["source"] == "articles/holiday-tourism-2025-10-09.jsonl#line=1"
    assert json.loads(jsonl["metadata"])["section"] == "文旅"
    txt = articles["market-entities-2025-10-08.txt"]
    assert (txt["author"], txt["outlet"]) == ("李晓燕、王磊", "青禾日报")
    assert all(r["n_mentions"] > 5 for r in articles.values())


def test_types_in_pandas_polars_and_duckdb(sample_dataset: Path) -> None:
    a = pd.read_parquet(sample_dataset / "articles.parquet")
    i = pd.read_parquet(sample_dataset / "indicators.parquet")
    assert str(i["value"].dtype) == "float64"
    assert str(i["lower"].dtype) == str(i["upper"].dtype) == "float64"
    assert isinstance(i["approx"].dtype, pd.CategoricalDtype)
    assert set(i["approx"].unique()) <= set(APPROX_FLAGS)
    assert set(i["dimension"].unique()) <= set(DIMENSIONS)
    assert all(isinstance(d, date) for d in a["published"])

    pi = pl.read_parquet(sample_dataset / "indicators.parquet")
    pa_ = pl.read_parquet(sample_dataset / "articles.parquet")
    assert pi.schema["value"] == pl.Float64
    assert pi.schema["approx"] == pl.Categorical
    assert pa_.schema["published"] == pl.Date
    assert set(pi["approx"].cast(pl.String).to_list()) <= set(APPROX_FLAGS)

    con = duckdb.connect()
    types = {r[0]: r[1] for r in con.sql(
        f"describe select * from '{sample_dataset}/indicators.parquet'").fetchall()}
    assert types["value"] == "DOUBLE"
    atypes = {r[0]: r[1] for r in con.sql(
        f"describe select * from '{sample_dataset}/articles.parquet'").fetchall()}
    assert atypes["published"] == "DATE"
    flags = {r[0] for r in con.sql(
        f"select distinct approx from '{sample_dataset}/indicators.parquet'").fetchall()}
    assert flags <= set(APPROX_FLAGS)
    joined = con.sql(f"""select count(*) from '{sample_dataset}/indicators.parquet' i
                         join '{sample_dataset}/articles.parquet' a using (article_id)"""
                     ).fetchall()
    assert joined == [(len(i),)]


# -- schema and datapackage ---------------------------------------------------


def test_parquet_key_value_metadata(sample_dataset: Path) -> None:
    digest = hashlib.sha256()
    for name in RULE_FILES:
        digest.update(name.encode() + b"\0" + (default_dir() / f"{name}.toml").read_bytes())
    for table in TABLES:
        schema = pq.read_schema(sample_dataset / table.path)
        meta = {k.decode(): v.decode() for k, v in schema.metadata.items()}
        assert meta["zhstats.schema_version"] == SCHEMA_VERSION
        assert meta["zhstats.version"]
        assert meta["zhstats.rules_digest"] == digest.hexdigest()
        assert datetime.fromisoformat(meta["zhstats.created_at"]).tzinfo is not None
        assert meta["zhstats.table"] == table.name
        assert schema.names == list(table.column_names)
        for column in table.columns:
            assert schema.field(column.name).type == column.type
            assert schema.field(column.name).metadata[b"description"].decode() == \
                column.description


def test_datapackage_is_generated_from_the_schema(sample_dataset: Path) -> None:
    package = json.loads((sample_dataset / "datapackage.json").read_text(encoding="utf-8"))
    assert package["name"] == "sample"
    assert [r["name"] for r in package["resources"]] == [t.name for t in TABLES]
    for resource, table in zip(package["resources"], TABLES, strict=True):
        assert resource["path"] == table.path
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == list(table.column_names)
        assert all(f["description"] for f in fields)
        file_types = pq.read_schema(sample_dataset / table.path)
        kinds = {"string": pa.types.is_string, "integer": pa.types.is_int64,
                 "number": pa.types.is_float64, "date": pa.types.is_date32}
        for f in fields:
            arrow = file_types.field(f["name"]).type
            arrow = arrow.value_type if pa.types.is_dictionary(arrow) else arrow
            assert kinds[f["type"]](arrow), f["name"]
    indicators = {f["name"]: f for f in package["resources"][1]["schema"]["fields"]}
    assert indicators["approx"]["constraints"]["enum"] == list(APPROX_FLAGS)
    assert indicators["dimension"]["constraints"]["enum"] == list(DIMENSIONS)
    assert package["zhstats"]["zhstats.schema_version"] == SCHEMA_VERSION


@pytest.mark.slow
def test_frictionless_validates_the_dataset(sample_dataset: Path) -> None:
    from frictionless import validate

    report = validate(str(sample_dataset / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {t.name: t.stats["rows"] for t in report.tasks if t.stats.get("rows")} == {
        "articles": 4, "indicators": len(rows(sample_dataset, "indicators"))}


@pytest.mark.slow
def test_frictionless_catches_values_outside_the_schema(sample_dataset: Path, tmp_path: Path
                                                        ) -> None:
    from frictionless import validate

    bad = tmp_path / "bad"
    shutil.copytree(sample_dataset, bad)
    table = read(bad, "indicators")
    approx = pa.array(["roughly"] * table.num_rows).dictionary_encode()
    table = table.set_column(table.schema.get_field_index("approx"),
                             table.schema.field("approx"), approx.cast(table.schema.field(
                                 "approx").type))
    pq.write_table(table, bad / "indicators.parquet")
    report = validate(str(bad / "datapackage.json"))
    assert not report.valid
    assert "constraint-error" in {e[0] for e in report.flatten(["type"])}


def _doc_rows() -> dict[str, list[str]]:
    """The column tables of docs/DATASET.md, per table file name."""
    doc = (ROOT / "docs" / "DATASET.md").read_text(encoding="utf-8")
    tables: dict[str, list[str]] = {}
    for m in re.finditer(r"^### `(\w+)\.parquet`\n\n.*?\n\n((?:\|.*\n)+)", doc, re.M):
        tables[m[1]] = m[2].strip().split("\n")[2:]
    return tables


def test_docs_column_tables_match_the_schema() -> None:
    documented = _doc_rows()
    assert set(documented) == {t.name for t in TABLES}
    for table in TABLES:
        expected = []
        for c in table.columns:
            kind = "dictionary<string>" if pa.types.is_dictionary(c.type) else str(c.type)
            text = c.description
            if c.enum:
                text += " One of: " + ", ".join(f"`{v}`" for v in c.enum) + "."
            text = text.replace("|", "\\|")
            expected.append(f"| `{c.name}` | {c.descriptor()['type']} ({kind}) | "
                            f"{'yes' if c.required else 'no'} | {text} |")
        assert documented[table.name] == expected, table.name


# -- assembly -----------------------------------------------------------------


def mention(text: str, surface: str, **kw: object) -> Mention:
    start = text.index(surface)
    fields = {"value": 1.0, "lower": 1.0, "upper": 1.0, "approx": "exact", "qualifier": None,
              "unit": None, "dimension": "count", "object": None, "rule": "test"} | kw
    return Mention(start, start + len(surface), surface, **fields)


def test_sentence_and_clause() -> None:
    text = "标题\n他说：“全市新增企业1,200家，增长5%。”下一句有30人！最后\n一行10个"
    ms = [mention(text, "1,200家"), mention(text, "5%"), mention(text, "30人"),
          mention(text, "10个")]
    got = assemble("s", text, "utf-8", ArticleMeta(), {}, list(reversed(ms)))
    assert tuple(got.indicators) == INDICATORS.column_names
    rows = [dict(zip(got.indicators, row, strict=True))
            for row in zip(*got.indicators.values(), strict=True)]
    assert [(r["mention_index"], r["surface"], r["sentence"], r["clause"])
            for r in rows] == [
        (0, "1,200家", "他说：“全市新增企业1,200家，增长5%。”", "“全市新增企业1,200家"),
        (1, "5%", "他说：“全市新增企业1,200家，增长5%。”", "增长5%"),
        (2, "30人", "下一句有30人！", "下一句有30人"),
        (3, "10个", "一行10个", "一行10个"),
    ]
    assert got.article["n_mentions"] == 4 and got.article["metadata"] is None
    assert all(isinstance(r["value"], float) for r in rows)


@pytest.mark.parametrize("bad", [
    {"start": 0}, {"approx": "roughly"}, {"dimension": "weight"},
])
def test_mentions_breaking_the_contract_are_refused(bad: dict) -> None:
    text = "全市新增企业40家。"
    m = mention(text, "40家")
    fields = {f: getattr(m, f) for f in Mention.__dataclass_fields__} | bad
    with pytest.raises(InvalidMention):
        assemble("s", text, "utf-8", ArticleMeta(), {}, [Mention(**fields)])


def test_engine_failures_become_error_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    folder = corpus(tmp_path / "in", range(3))

    def table(self: object, text: str, published: object = None) -> list[tuple[object, ...]]:
        if "第1期" in text:
            raise RuntimeError("engine broke")
        if "第2期" in text:
            return [astuple(Mention(0, 3, "不对的", 1.0, 1.0, 1.0, "exact", None, None, "count",
                                    None, "r"))]
        return []

    monkeypatch.setattr("extractor.engine.Extractor.table", table)
    summary = run(discover([str(folder)]), tmp_path / "out", ONE)
    assert (summary.articles, summary.errors, summary.exit_code) == (1, 2, 1)
    errors = rows(tmp_path / "out", "errors")
    assert [(Path(e["source"]).name, e["stage"], e["error_type"]) for e in errors] == [
        ("a0001.txt", "extract", "RuntimeError"), ("a0002.txt", "assemble", "InvalidMention")]
    assert errors[0]["message"] == "engine broke"


# -- the writer: determinism, streaming, atomicity, append --------------------


def test_chunks_end_at_a_count_of_articles_or_of_characters() -> None:
    from extractor.pool import CHUNK_ARTICLES, CHUNK_CHARS, chunks
    from extractor.readers import ErrorRow, RawArticle

    def raw(n: int) -> RawArticle:
        return RawArticle("s", "txt", "字" * n, "utf-8")

    small = [(1, raw(10))] * (CHUNK_ARTICLES + 3)
    assert [len(c) for c in chunks(small)] == [CHUNK_ARTICLES, 3]
    big = [(1, raw(CHUNK_CHARS // 2 + 1))] * 5
    assert [len(c) for c in chunks(big)] == [2, 2, 1]
    errors = [(1, ErrorRow("s", "read", "E", "m"))] * (CHUNK_ARTICLES + 1)  # no characters
    assert [len(c) for c in chunks(errors)] == [CHUNK_ARTICLES, 1]
    mixed = [(i, raw(i)) for i in range(200)]
    assert [item for c in chunks(mixed) for item in c] == mixed


@pytest.mark.slow
def test_output_does_not_depend_on_workers(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", range(60))
    (folder / "bad.txt").write_bytes(b"")
    (folder / "feed.jsonl").write_text(
        "\n".join(json.dumps({"text": article(i)}, ensure_ascii=False) for i in range(100, 140)),
        encoding="utf-8")
    files = discover([str(folder)])
    run(files, tmp_path / "one", ONE)
    run(files, tmp_path / "two", RunOptions(workers=2))
    for table in TABLES:
        one, two = read(tmp_path / "one", table.name), read(tmp_path / "two", table.name)
        assert one.num_rows > 0
        assert one.equals(two), table.name


def test_rows_are_streamed_in_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    monkeypatch.setattr(writer_module, "ROW_GROUP_ROWS",
                        {"articles": 10, "indicators": 25, "errors": 10})
    folder = corpus(tmp_path / "in", range(45))
    run(discover([str(folder)]), tmp_path / "out", ONE)
    assert pq.ParquetFile(tmp_path / "out" / "articles.parquet").num_row_groups == 5
    assert pq.ParquetFile(tmp_path / "out" / "indicators.parquet").num_row_groups >= 5
    assert read(tmp_path / "out", "articles").num_rows == 45


def test_row_groups_end_at_a_size_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long articles: a row group is written once its rows hold ROW_GROUP_BYTES."""
    folder = corpus(tmp_path / "in", range(12))
    monkeypatch.setattr(writer_module, "ROW_GROUP_BYTES", 1)  # every article its own group
    run(discover([str(folder)]), tmp_path / "out", ONE)
    assert pq.ParquetFile(tmp_path / "out" / "articles.parquet").num_row_groups == 12
    assert read(tmp_path / "out", "articles").num_rows == 12


def test_interrupted_run_leaves_the_previous_dataset(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", range(5))
    out = tmp_path / "out"
    run(discover([str(folder)]), out, ONE)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    corpus(folder, range(5, 40))

    def interrupt(done: int, total: int) -> None:
        if done >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(discover([str(folder)]), out, ONE, progress=interrupt)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_refuses_to_replace_a_folder_that_is_not_a_dataset(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", range(2))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.md").write_text("mine")
    with pytest.raises(OutputError, match=r"not part of a zhstats dataset \(keep\.md\)"):
        run(discover([str(folder)]), tmp_path / "notes", ONE)
    assert (tmp_path / "notes" / "keep.md").read_text() == "mine"
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        run(discover([str(folder)]), tmp_path / "file", ONE)


def test_append_over_a_grown_folder(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", range(3))
    out = tmp_path / "out"
    append = RunOptions(workers=1, append=True)
    first = run(discover([str(folder)]), out, append)
    assert (first.articles, first.skipped) == (3, 0)
    before = rows(out, "indicators")

    corpus(folder, range(3, 5))
    (folder / "broken.jsonl").write_text('{"text": "未完', encoding="utf-8")
    second = run(discover([str(folder)]), out, append)
    assert (second.articles, second.skipped, second.errors) == (2, 3, 1)
    articles = rows(out, "articles")
    assert [Path(a["source"]).name for a in articles] == [f"a{i:04d}.txt" for i in range(5)]
    assert rows(out, "indicators")[: len(before)] == before
    assert len({a["article_id"] for a in articles}) == 5

    third = run(discover([str(folder)]), out, append)
    assert (third.articles, third.skipped, third.errors) == (0, 5, 1)
    assert len(rows(out, "articles")) == 5
    assert len(rows(out, "errors")) == 1

    (folder / "broken.jsonl").write_text('{"text": "修好了，新增企业7家。"}\n', encoding="utf-8")
    fourth = run(discover([str(folder)]), out, append)
    assert (fourth.articles, fourth.errors, fourth.exit_code) == (1, 0, 0)
    assert rows(out, "errors") == []
    assert len(rows(out, "articles")) == 6

    # a different folder appended to the same dataset keeps the earlier errors
    other = corpus(tmp_path / "other", range(10, 11))
    (other / "empty.txt").write_bytes(b"")
    run(discover([str(other)]), out, append)
    run(discover([str(folder)]), out, append)
    assert [Path(e["source"]).name for e in rows(out, "errors")] == ["empty.txt"]


def test_append_notes_other_rules(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = discover([str(corpus(tmp_path / "in", range(2)))])
    run(files, out, ONE)
    table = read(out, "articles")
    meta = dict(table.schema.metadata) | {b"zhstats.rules_digest": b"0" * 64}
    pq.write_table(table.replace_schema_metadata(meta), out / "articles.parquet")
    summary = run(files, out, RunOptions(workers=1, append=True))
    assert (summary.articles, summary.skipped) == (0, 2)
    assert len(summary.notes) == 1 and "other rules" in summary.notes[0]
    assert run(files, out, RunOptions(workers=1, append=True)).notes == ()


def test_without_append_the_dataset_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(discover([str(corpus(tmp_path / "a", range(3)))]), out, ONE)
    run(discover([str(corpus(tmp_path / "b", range(3, 4)))]), out, ONE)
    assert len(rows(out, "articles")) == 1


def test_duplicate_texts_are_errors(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", range(2))
    shutil.copy(folder / "a0000.txt", folder / "copy.txt")
    summary = run(discover([str(folder)]), tmp_path / "out", ONE)
    assert (summary.articles, summary.errors) == (2, 1)
    (error,) = rows(tmp_path / "out", "errors")
    assert (Path(error["source"]).name, error["stage"], error["error_type"]) == (
        "copy.txt", "write", "DuplicateArticle")
    assert "a0000.txt" in error["message"]


def test_the_ledger_counts_for_both_engines() -> None:
    """The writer's counting, which the Dask engine's client uses as partitions finish."""
    from extractor.layout import Existing
    from extractor.readers import ErrorRow
    from extractor.writer import AllInputsFailed, Ledger

    ledger = Ledger()
    assert ledger.article("a1", "x.txt", 3) is None
    duplicate = ledger.article("a1", "y.txt", 2)
    assert duplicate == ErrorRow("y.txt", "write", "DuplicateArticle",
                                 "same text as article a1 from x.txt")
    empty = ledger.error(ErrorRow("\udcff.txt", "read", "EmptyInput", "empty"))
    assert empty.source == "\\xff.txt"  # stored escaped
    counts = ledger.counts
    assert (counts.articles, counts.indicators, counts.errors, counts.skipped) == (1, 3, 2, 0)
    assert counts.first_errors == [duplicate, empty]
    ledger.check_commit("out", Existing({}, 5), force=False)  # an article: it may replace
    ledger.close()

    again = Ledger(append=True)
    again.seen.expect([("a1", "x.txt")])
    assert again.article("a1", "x.txt", 3) is None
    assert (again.counts.articles, again.counts.skipped) == (0, 1)
    again.close()

    failed = Ledger()
    failed.error(ErrorRow("z.txt", "read", "EmptyInput", "empty"))
    with pytest.raises(AllInputsFailed, match=r"every input failed \(1 error; the first: "
                       r"z.txt: EmptyInput: empty\); out was left as it was, with its 5 "):
        failed.check_commit("out", Existing({}, 5), force=False)
    failed.check_commit("out", Existing({}, 5), force=True)
    failed.check_commit("out", None, force=False)
    failed.close()


def test_append_refuses_another_schema_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = discover([str(corpus(tmp_path / "in", range(2)))])
    run(files, out, ONE)
    table = read(out, "articles")
    meta = dict(table.schema.metadata) | {b"zhstats.schema_version": b"0"}
    pq.write_table(table.replace_schema_metadata(meta), out / "articles.parquet")
    with pytest.raises(OutputError, match="schema version 0"):
        run(files, out, RunOptions(workers=1, append=True))


# -- dataset.toml -------------------------------------------------------------


def test_dataset_toml_paths_are_relative_to_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "datasets" / "news"
    corpus(folder / "raw", range(3))
    (folder / "dataset.toml").write_text(
        '[dataset]\ninputs = ["raw"]\noutput = "../../built"\n'
        '[options]\ntext_field = "body"\n', encoding="utf-8")
    config = DatasetConfig.load(folder / "dataset.toml")
    assert (config.name, config.inputs) == ("news", ("raw",))
    assert config.output == (tmp_path / "built").resolve()
    assert config.options.text_field == "body"
    summary = build(config, workers=1)
    assert summary.out == config.output and summary.articles == 3
    assert rows(config.output, "articles")[0]["source"] == "raw/a0000.txt"


@pytest.mark.parametrize(("toml", "message"), [
    ('[dataset]\ninputs = ["a"]\nouput = "x"\n', "unknown key"),
    ('[dataset]\ninputs = []\n', "non-empty list"),
    ('[dataset]\ninputs = "a"\n', "non-empty list"),
    ('[dataset\n', "dataset.toml"),
    ('[dataset]\ninputs = ["a"]\n[options]\nworkers = 3\n', "unknown key"),
    ('[dataset]\ninputs = ["a"]\n[options]\nformat = "pdf"\n', "format must be one of"),
])
def test_bad_dataset_toml(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "dataset.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        DatasetConfig.load(tmp_path / "dataset.toml")


def test_find_dataset_looks_under_the_current_directory_first(tmp_path: Path) -> None:
    local = tmp_path / "datasets" / "sample" / "dataset.toml"
    local.parent.mkdir(parents=True)
    local.write_text('[dataset]\ninputs = ["x"]\n')
    assert find_dataset(None, tmp_path) == local
    assert find_dataset("sample", tmp_path) == local
    assert find_dataset("datasets/sample", tmp_path) == local
    assert find_dataset(str(local), tmp_path) == local
    # not under the current directory: the source tree's datasets/ (a checkout)
    assert find_dataset("sample", tmp_path / "elsewhere") == ROOT / "datasets" / "sample" / \
        "dataset.toml"
    with pytest.raises(DatasetNotFound, match="no dataset 'nope'"):
        find_dataset("nope", tmp_path)


def test_assemble_takes_rows_of_a_mentions_fields_as_it_takes_mentions() -> None:
    from extractor.engine import Extractor

    text = "今年，全市新增企业64家，比上年增长12.5%。"
    ours = Extractor()
    by_rows = assemble("s", text, "utf-8", ArticleMeta(), {}, ours.table(text, "2025-09-15"))
    by_mentions = assemble("s", text, "utf-8", ArticleMeta(), {},
                           ours.extract(text, "2025-09-15"))
    assert by_rows == by_mentions
    assert by_rows.indicators["surface"] == ["64家", "12.5%"]
    assert by_rows.indicators["period_start"] == [date(2025, 1, 1)] * 2


def test_a_rules_folder_reaches_the_metadata_too(tmp_path: Path) -> None:
    from extractor.ruleset import Ruleset

    mine = tmp_path / "rules"
    shutil.copytree(default_dir(), mine)
    meta = mine / "metadata.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "patterns = [\n    '(?:来源", "patterns = [\n    '^(?P<outlet>本台)讯',\n    '(?:来源", 1),
        encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("标题\n本台讯 今年全市新增企业64家，比上年增长。"
                                  + "今年全市新增企业64家，比上年增长。" * 2 + "\n",
                                  encoding="utf-8")
    files = discover([str(folder)])
    run(files, tmp_path / "shipped", ONE)
    run(files, tmp_path / "mine", RunOptions(workers=1, rules=Ruleset.load(mine)))
    assert [r["outlet"] for r in rows(tmp_path / "shipped", "articles")] == [None]
    assert [r["outlet"] for r in rows(tmp_path / "mine", "articles")] == ["本台"]
