"""The extractor against the seed gold and the development corpus (figures of issue 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.evaluate import STAT_FIELDS, load_gold, score_records

DATA = Path(__file__).parent / "data"


def test_seed_gold_every_field_right() -> None:
    s = score_records(load_gold(DATA / "seed" / "gold.jsonl"))
    assert s.fp == 0 and s.fn == 0
    assert s.span[2] == 1.0
    assert s.full[2] == 1.0
    assert s.accuracy("object") == 1.0


def test_seed_gold_statistic_fields() -> None:
    s = score_records(load_gold(DATA / "seed" / "gold.jsonl"))
    assert s.stat_gold == 29
    for name in STAT_FIELDS:
        assert s.accuracy(name) == 1.0, name


def test_dev_corpus_scores() -> None:
    s = score_records(load_gold(DATA / "dev_gold.jsonl"))
    assert len(load_gold(DATA / "dev_gold.jsonl")) >= 12
    assert s.span[2] >= 0.97
    assert s.full[2] >= 0.93


@pytest.mark.parametrize("record", load_gold(DATA / "dev_gold.jsonl"), ids=lambda r: r["id"])
def test_dev_gold_offsets_are_surfaces(record: dict) -> None:
    for m in record["mentions"]:
        assert record["text"][m["start"]:m["end"]] == m["surface"]


def test_dev_corpus_statistic_fields() -> None:
    """Floors just under today's figures on the development corpus's §5 fields and
    objects (issue 15's targets: measure 0.95, direction 0.95, basis 0.90, period 0.85,
    place 0.85, object 0.90; today 0.972, 0.988, 0.990, 0.970, 0.948, 0.920), and its span
    F1 (issue 12: 0.999 or better; today 1.0)."""
    s = score_records(load_gold(DATA / "dev_gold.jsonl"))
    floors = {"measure": 0.97, "direction": 0.985, "basis": 0.985, "period": 0.965,
              "place": 0.94, "object": 0.915}
    assert {k: round(s.accuracy(k), 3) for k in floors if s.accuracy(k) < floors[k]} == {}
    assert s.span[2] >= 0.999


def test_news_statistic_fields() -> None:
    """Floors just under today's §5 and object figures on the news set, text the rules
    were not written against (today 0.953, 0.985, 0.985, 0.950, 0.891, 0.898; period
    was 0.873 before a heading's year, 7月起 and 全年目标 were read, fixes it showed): a rule
    that helps the development corpus must not cost these."""
    s = score_records(load_gold(DATA / "news" / "gold.jsonl"))
    floors = {"measure": 0.95, "direction": 0.98, "basis": 0.98, "period": 0.945,
              "place": 0.89, "object": 0.895}
    assert {k: round(s.accuracy(k), 3) for k in floors if s.accuracy(k) < floors[k]} == {}


def test_news_dev_set_scores() -> None:
    """The development set written from real published pages (tests/data/news):
    issue 14's targets, span F1 ≥ 0.97 and all-fields F1 ≥ 0.95."""
    records = load_gold(DATA / "news" / "gold.jsonl")
    s = score_records(records)
    assert len(records) >= 8 and sum(len(r["mentions"]) for r in records) >= 300
    assert s.span[2] >= 0.97
    assert s.full[2] >= 0.95
