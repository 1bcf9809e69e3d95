"""Exact behaviour of extract(): values, spans, flags, and the mention invariants."""

from __future__ import annotations

from itertools import pairwise

import pytest

from extractor import Mention, extract

SEED_SENTENCE = "累计为900余家企业提供近3万次服务，节省费用260余万元。"


def test_seed_sentence_exact_rows() -> None:
    got = extract(SEED_SENTENCE)
    assert [(m.start, m.end, m.surface) for m in got] == [
        (3, 8, "900余家"), (12, 16, "近3万次"), (23, 29, "260余万元")]
    assert got[0] == Mention(3, 8, "900余家", 900.0, 900.0, 1000.0, "over", "余", "家", "count",
                             "企业", "number", measure="level", estimate=900.0)
    assert (got[1].value, got[1].lower, got[1].upper, got[1].approx) == (
        30000, None, 30000, "under")
    assert (got[2].value, got[2].upper, got[2].unit, got[2].object) == (
        2600000, 2700000, "元", "费用")


def test_decimal_magnitudes_are_exact() -> None:
    (m,) = extract("营收16.4亿元")
    assert m.value == 1640000000.0
    (m,) = extract("十六点四亿元")
    assert m.value == 1640000000.0


def test_full_width_digits_keep_offsets() -> None:
    text = "新增１２３家，增长１２．５％"
    got = extract(text)
    assert [text[m.start:m.end] for m in got] == ["１２３家", "１２．５％"]
    assert [m.value for m in got] == [123, 12.5]
    assert got[1].unit == "%"


def test_longest_unit_wins() -> None:
    assert [m.unit for m in extract("发电3万千瓦时，面积5平方公里，重5千克")] == [
        "千瓦时", "平方公里", "千克"]
    (m,) = extract("装机3万千瓦")
    assert (m.value, m.unit, m.dimension) == (30000, "千瓦", "power")


def test_traditional_units_kept_as_written() -> None:
    got = extract("約2,350萬港元，客房1,200間，車程100分鐘左右")
    assert [(m.value, m.unit, m.approx) for m in got] == [
        (23500000, "港元", "about"), (1200, "間", "exact"), (100, "分鐘", "about")]


@pytest.mark.parametrize("text", [
    "三心二意", "全国两会", "年过半百", "统一零售价", "切两半", "李四人民币", "七上八下",
    "2025年09月15日", "9月9日", "今年1至10月", "2025年以来", "上午9时", "第48个",
    "第三季度", "一站式", "一年一度", "十四五", "三农", "一带一路", "双碳", "百城",
    "双轮驱动", "四面八方", "热线12315", "0391-1234567", "GB/T 19001-2016", "V2.0",
    "https://www.example.gov.cn/a/1.html", "交出了一份亮眼的成绩单", "5G网络",
])
def test_negative_corpus(text: str) -> None:
    assert extract(text) == []


def test_mentions_sorted_disjoint_and_surfaces() -> None:
    text = "全年接待游客3000万人次，增长12.5%，其中境外游客约20万人次，收入近3至5亿元。"
    got = extract(text)
    assert len(got) == 4
    for a, b in pairwise(got):
        assert a.end <= b.start
    for m in got:
        assert text[m.start:m.end] == m.surface


def test_same_input_same_output() -> None:
    assert extract(SEED_SENTENCE) == extract(SEED_SENTENCE)


def test_empty_text() -> None:
    assert extract("") == []


def test_table_rows_are_the_mentions_fields_in_order() -> None:
    from extractor.engine import Extractor

    text = "今年，全市新增企业64家，比上年增长12.5%"
    rows = Extractor().table(text, "2025-09-15")
    assert rows == [
        [9, 12, "64家", 64.0, 64.0, 64.0, "exact", None, "家", "count", "企业", "number",
         "level", None, None, "今年", "2025-01-01", "2025-12-31", "全市", 64.0],
        [18, 23, "12.5%", 12.5, 12.5, 12.5, "exact", None, "%", "percent", "企业", "number",
         "change", "up", "上年", "今年", "2025-01-01", "2025-12-31", "全市", 12.5],
    ]
    assert [Mention(*row) for row in rows] == extract(text, "2025-09-15")
    with pytest.raises(TypeError, match="not bytes"):
        Extractor().table(b"64\xe5\xae\xb6")


def test_found_is_a_mentions_fields_up_to_its_rule() -> None:
    """The scan's tuple and the public record spell their shared fields alike, in order
    (Found is written out for the compiled build, which needs its field types)."""
    from typing import get_type_hints

    from extractor.mention import FIELDS, Found

    assert Found._fields == FIELDS[:FIELDS.index("rule") + 1]
    types = get_type_hints(Mention)
    assert get_type_hints(Found) == {name: types[name] for name in Found._fields}


def test_plain_numbers_read_without_decimal_as_the_general_path_reads_them() -> None:
    """The fast reading of a plain number (digits, one point, whole magnitudes, a unit)
    gives the very fields of the general Decimal path, float for float."""
    from itertools import product

    from extractor.reading import _PLAIN_PARTS
    from extractor.ruleset import default_ruleset

    rules = default_ruleset()
    grammar, reader = rules.scanner.grammar, rules.reader
    numbers = ("0", "7", "007", "12.5", "0.1", "3.14159", "123456789012", "1.005", "99.99")
    tails = ("", "万", "亿", "万亿", "千万", "k", "%", "家", "万元", "亿美元", "平方米", "个百分点")
    read = 0
    for number, tail in product(numbers, tails):
        m = grammar.match(number + tail, 0)
        assert m is not None
        plain = reader._plain(m.groups) if m.groups.keys() <= _PLAIN_PARTS else None
        if plain is not None:
            read += 1
            assert plain == reader._general(m), number + tail
    assert read >= len(numbers) * (len(tails) - 1)
