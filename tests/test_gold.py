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
    assert s.accuracy("object") >= 0.95


def test_seed_gold_statistic_fields() -> None:
    s = score_records(load_gold(DATA / "seed" / "gold.jsonl"))
    assert s.stat_gold == 29
    for name in STAT_FIELDS:
        assert s.accuracy(name) >= 0.95, name


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
    """Floors under today's figures on the development corpus's §5 fields (issue 15's
    targets are measure 0.95, direction 0.95, basis 0.90, period 0.85, place 0.85,
    object 0.90: period and object are not there yet)."""
    s = score_records(load_gold(DATA / "dev_gold.jsonl"))
    floors = {"measure": 0.95, "direction": 0.95, "basis": 0.95, "period": 0.65,
              "place": 0.85, "object": 0.85}
    assert {k: round(s.accuracy(k), 3) for k in floors if s.accuracy(k) < floors[k]} == {}


def test_news_dev_set_scores() -> None:
    """The development set written from real published pages (tests/data/news):
    issue 14's targets, span F1 ≥ 0.97 and all-fields F1 ≥ 0.95."""
    records = load_gold(DATA / "news" / "gold.jsonl")
    s = score_records(records)
    assert len(records) >= 8 and sum(len(r["mentions"]) for r in records) >= 300
    assert s.span[2] >= 0.97
    assert s.full[2] >= 0.95
