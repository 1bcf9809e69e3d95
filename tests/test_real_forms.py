"""Forms of real published text (MENTIONS.md §4a) that need more than a rule-file
line: ratios, mixed magnitudes, a decimal broken by a space, halves as 50 %, the
dimension of a bare number from the words after it and across a list."""

from __future__ import annotations

from typing import Any

import pytest

from extractor import extract

CASES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    # a ratio is one mention: value and unit null, dimension ratio; a qualifier applies
    "ratio": ("城乡收入比缩小到1:5以内", [
        {"surface": "1:5以内", "value": None, "unit": None, "dimension": "ratio",
         "approx": "under", "qualifier": "以内"}]),
    "ratio with a qualifier": ("超过1:5", [
        {"surface": "超过1:5", "value": None, "unit": None, "dimension": "ratio",
         "approx": "over", "qualifier": "超过"}]),
    "ratio of three": ("三次产业结构为6.1:38.2:55.7", [
        {"surface": "6.1:38.2:55.7", "value": None, "unit": None, "dimension": "ratio",
         "approx": "exact", "qualifier": None}]),
    "ratio with the ratio sign": ("调整为6.01∶55.04∶38.95", [
        {"surface": "6.01∶55.04∶38.95", "value": None, "unit": None, "dimension": "ratio"}]),
    # a mixed-magnitude numeral is one number
    "mixed magnitudes": ("惠及1亿3千多万人", [
        {"surface": "1亿3千多万人", "value": 130_000_000, "lower": 130_000_000,
         "upper": 140_000_000, "approx": "over", "qualifier": "多", "unit": "人",
         "dimension": "count"}]),
    # a decimal broken by a stray space is read without the space
    "decimal broken by a space": ("实现营业收入59. 4亿元", [
        {"surface": "59. 4亿元", "value": 5_940_000_000, "unit": "元",
         "dimension": "currency", "approx": "exact"}]),
    # 半, 一半, 半数 are 50 %
    "half, under (近一半)": ("成本减少近一半", [
        {"surface": "近一半", "value": 50, "lower": None, "upper": 50, "approx": "under",
         "qualifier": "近", "unit": "%", "dimension": "percent"}]),
    "half, over (超过一半)": ("超过一半的企业", [
        {"surface": "超过一半", "value": 50, "lower": 50, "upper": None, "approx": "over",
         "qualifier": "超过", "unit": "%", "dimension": "percent"}]),
    "half (一半)": ("能耗减少一半", [
        {"surface": "一半", "value": 50, "lower": 50, "upper": 50, "approx": "exact",
         "unit": "%", "dimension": "percent"}]),
    "half, over (半数以上)": ("半数以上的村", [
        {"surface": "半数以上", "value": 50, "lower": 50, "upper": None, "approx": "over",
         "qualifier": "以上", "unit": "%", "dimension": "percent"}]),
    "half, over (过半)": ("占比过半", [
        {"surface": "过半", "value": 50, "lower": 50, "upper": None, "approx": "over",
         "qualifier": "过", "unit": "%", "dimension": "percent"}]),
    # a bare number takes its dimension from the words on either side
    "dimension from the words after": ("帮助960多万贫困人口搬迁", [
        {"surface": "960多万", "value": 9_600_000, "approx": "over", "unit": None,
         "dimension": "count"}]),
    "one dimension across a parallel list": ("门急诊人次、出院病人数分别为998514、16648", [
        {"surface": "998514", "value": 998514, "dimension": "count"},
        {"surface": "16648", "value": 16648, "dimension": "count"}]),
}


@pytest.mark.parametrize(("text", "want"), CASES.values(), ids=CASES.keys())
def test_real_form(text: str, want: list[dict[str, Any]]) -> None:
    got = extract(text)
    assert [m.surface for m in got] == [w["surface"] for w in want]
    for mention, wanted in zip(got, want, strict=True):
        for key, expect in wanted.items():
            actual = getattr(mention, key)
            if isinstance(expect, int | float):
                assert actual == pytest.approx(expect), (mention.surface, key)
            else:
                assert actual == expect, (mention.surface, key)
