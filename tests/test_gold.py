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
