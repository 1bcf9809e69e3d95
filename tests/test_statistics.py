"""The statistic around each mention (MENTIONS.md §5): measure, direction, basis,
period and its dates, place, the object carried through a sentence, estimate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import regex

from extractor import extract
from extractor.exclusions import edge_sets
from extractor.mention import Found, Mention
from extractor.periods import compile_periods, small_number
from extractor.rules import RuleError
from extractor.ruleset import default_ruleset
from extractor.statistics import annotate, compile_statistics

STAT = ("object", "measure", "direction", "basis", "period", "period_start", "period_end",
        "place")


def fields(m: Mention, names: tuple[str, ...] = STAT) -> dict[str, Any]:
    return {k: getattr(m, k) for k in names}


def by_surface(text: str, published: str | None = None) -> dict[str, Mention]:
    return {m.surface: m for m in extract(text, published)}


# -- the examples of issue 15 --------------------------------------------------


def test_one_indicator_a_level_and_two_changes_against_two_bases() -> None:
    text = ("2024年某县国民经济和社会发展统计公报\n"
            "全年，全县地区生产总值386.5亿元，比上年增长5.9%，高于全省平均水平0.6个百分点。")
    got = by_surface(text, "2025-03-20")
    year = {"period": "全年", "period_start": "2024-01-01", "period_end": "2024-12-31",
            "place": "全县", "object": "地区生产总值"}
    assert fields(got["386.5亿元"]) == {**year, "measure": "level", "direction": None,
                                        "basis": None}
    assert fields(got["5.9%"]) == {**year, "measure": "change", "direction": "up",
                                   "basis": "上年"}
    assert fields(got["0.6个百分点"]) == {**year, "measure": "change", "direction": "up",
                                         "basis": "全省平均水平"}


def test_the_subject_carries_through_the_comparison_clauses() -> None:
    got = extract("全国粮食播种面积11.7亿亩，比上年减少9.5万公顷，下降0.8%。")
    assert [(m.surface, m.object, m.measure, m.direction, m.basis) for m in got] == [
        ("11.7亿亩", "粮食播种面积", "level", None, None),
        ("9.5万公顷", "粮食播种面积", "change", "down", "上年"),
        ("0.8%", "粮食播种面积", "change", "down", "上年"),
    ]
    assert got[2].value == 0.8  # the value stays as written
    assert {m.place for m in got} == {"全国"}


def test_months_and_the_same_period_a_year_earlier() -> None:
    got = extract("1-8月，全省规模以上工业增加值同比增长6.1%，去年同期为4.2%。", "2025-09-15")
    assert [(m.surface, m.basis, m.period, m.period_start, m.period_end) for m in got] == [
        ("6.1%", "同比", "1-8月", "2025-01-01", "2025-08-31"),
        ("4.2%", None, "去年同期", "2024-01-01", "2024-08-31"),
    ]
    assert got[0].measure == "change" and got[1].measure == "level"


def test_a_basis_is_never_the_period() -> None:
    got = by_surface("今年以来，全市财政收入比去年同期增长7.5%。", "2025-06-30")
    assert fields(got["7.5%"], ("basis", "period", "period_start", "period_end")) == {
        "basis": "去年同期", "period": "今年以来", "period_start": "2025-01-01",
        "period_end": "2025-06-30"}


@pytest.mark.parametrize("text", [
    "近5年来，全市新增企业300家。",
    "过去五年，全市新增企业300家。",
    "国庆假期前4天累计，全市新增企业300家。",
])
def test_a_time_window_is_the_period_not_a_mention(text: str) -> None:
    got = extract(text, "2025-09-15")
    assert [m.surface for m in got] == ["300家"]
    window = text.split("，")[0].removeprefix("国庆假期")
    assert got[0].period == window.removesuffix("累计")


def test_a_measured_duration_stays_a_mention() -> None:
    got = extract("这项工程用了近3年时间，历时23分钟完成合龙。")
    assert [m.surface for m in got] == ["近3年", "23分钟"]


def test_respectively_lists_item_by_item() -> None:
    got = extract("全市猪、牛、羊出栏分别为73万头、6.4万头、12万只。")
    assert [(m.surface, m.object) for m in got] == [
        ("73万头", "猪"), ("6.4万头", "牛"), ("12万只", "羊")]


def test_of_which_lists_take_the_head_noun_and_the_place() -> None:
    got = extract("全市共有省级开发区13个，其中，宜昌高新区10个，宜都市3个。")
    assert [(m.surface, m.object, m.place) for m in got] == [
        ("13个", "省级开发区", "全市"), ("10个", "省级开发区", "宜昌高新区"),
        ("3个", "省级开发区", "宜都市")]


@pytest.mark.parametrize(("text", "surface", "bad"), [
    ("二季度末，全市住户存款余额高于1万亿元，高于同月水平3个百分点", "3个百分点", "高于"),
    ("这组数据说明，企业增加12家没问题", "12家", "没问题"),
    ("辖区还有一些城中村，共500户", "500户", "些城中村"),
    ("推荐21家企业(产品申报", "21家", "企业(产品"),
    ("……120家", "120家", "……"),
])
def test_never_a_verb_a_comparison_word_or_punctuation_as_object(
        text: str, surface: str, bad: str) -> None:
    got = by_surface(text)
    assert got[surface].object != bad


def test_never_a_time_word_or_a_place_as_object() -> None:
    got = by_surface("全市旅游收入同月增长12%，十年增长3倍，武陟县3个")
    assert got["12%"].object != "同月"
    assert got["3倍"].object != "十年"
    assert got["3个"].object != "武陟县"


# -- measure, direction, basis (§5 table and "How to decide") -------------------


@pytest.mark.parametrize(("text", "surface", "measure", "direction", "basis"), [
    ("地区生产总值1234.5亿元", "1234.5亿元", "level", None, None),
    ("同比增长5.6%", "5.6%", "change", "up", "同比"),
    ("环比下降0.8个百分点", "0.8个百分点", "change", "down", "环比"),
    ("耕地减少97.5万公顷", "97.5万公顷", "change", "down", None),
    ("农民收入翻一番", "翻一番", "change", "up", None),
    ("全市出口额是去年的1.2倍", "1.2倍", "change", None, "去年"),
    ("占全省的38.5%", "38.5%", "share", None, None),
    ("服务业比重达60%", "60%", "share", None, None),
    ("产品合格率98.2%", "98.2%", "level", None, None),
    ("纳入培育企业40家", "40家", "level", None, None),
    ("新增64家企业", "64家", "level", None, None),
    ("比上年增长7%", "7%", "change", "up", "上年"),
    ("较上年末增加1200户", "1200户", "change", "up", "上年末"),
    ("比2018年减少97.5万公顷", "97.5万公顷", "change", "down", "2018年"),
    ("比上年同月回落0.3个百分点", "0.3个百分点", "change", "down", "上年同月"),
    ("高于全省4.1个百分点", "4.1个百分点", "change", "up", "全省"),
    ("低于全国平均0.2个百分点", "0.2个百分点", "change", "down", "全国平均"),
    ("与上年相比，税收收入增长7%", "7%", "change", "up", "上年"),
    ("进出口总额增长至1200亿元", "1200亿元", "level", None, None),
    ("比上年多1500元", "1500元", "change", "up", "上年"),
])
def test_measure_direction_basis(text: str, surface: str, measure: str,
                                 direction: str | None, basis: str | None) -> None:
    m = by_surface(text)[surface]
    assert (m.measure, m.direction, m.basis) == (measure, direction, basis)


# -- periods and their dates (published 2025-09-15 unless said) ----------------


@pytest.mark.parametrize(("lead", "start", "end"), [
    ("今年前三季度", "2025-01-01", "2025-09-30"),
    ("2025年以来", "2025-01-01", "2025-09-15"),
    ("截至9月末", None, "2025-09-30"),
    ("截至目前", None, "2025-09-15"),
    ("去年", "2024-01-01", "2024-12-31"),
    ("近5年", "2020-09-15", "2025-09-15"),
    ("1-8月", "2025-01-01", "2025-08-31"),
    ("上半年", "2025-01-01", "2025-06-30"),
    ("一季度", "2025-01-01", "2025-03-31"),
    ("今年以来", "2025-01-01", "2025-09-15"),
    ("“十四五”以来", "2021-01-01", "2025-09-15"),
    ("“十四五”期间", "2021-01-01", "2025-12-31"),
    ("2024年", "2024-01-01", "2024-12-31"),
    ("今年", "2025-01-01", "2025-12-31"),
    ("全年", "2025-01-01", "2025-12-31"),
    ("年末", "2025-12-31", "2025-12-31"),
    ("2024年末", "2024-12-31", "2024-12-31"),
    ("截至2024年底", None, "2024-12-31"),
    ("9月9日", "2025-09-09", "2025-09-09"),
    ("年初以来", "2025-01-01", "2025-09-15"),
    ("2024年上半年", "2024-01-01", "2024-06-30"),
    ("近三个月", "2025-06-15", "2025-09-15"),
    ("截至9月15日", None, "2025-09-15"),
])
def test_period_dates(lead: str, start: str | None, end: str | None) -> None:
    m = extract(f"{lead}，全市新增企业64家。", "2025-09-15")[0]
    assert (m.surface, m.period, m.period_start, m.period_end) == ("64家", lead, start, end)


def test_published_unknown_resolves_only_absolute_periods() -> None:
    assert fields(extract("2024年，全市新增企业64家。")[0], ("period_start", "period_end")) \
        == {"period_start": "2024-01-01", "period_end": "2024-12-31"}
    assert fields(extract("今年，全市新增企业64家。")[0], ("period", "period_start",
                                                          "period_end")) == {
        "period": "今年", "period_start": None, "period_end": None}


def test_a_bulletin_about_last_year_takes_its_year() -> None:
    text = "2024年焦作市统计公报\n全年新增企业64家，年末共有企业1200家。"
    got = by_surface(text, "2025-03-20")
    assert (got["64家"].period_start, got["64家"].period_end) == ("2024-01-01", "2024-12-31")
    assert (got["1200家"].period_start, got["1200家"].period_end) == ("2024-12-31",
                                                                     "2024-12-31")
    # 今年 is always the year of publication
    assert extract("今年新增企业64家", "2025-03-20")[0].period_start == "2025-01-01"


def test_a_period_holds_in_its_paragraph_never_reaches_back_and_the_lead_applies() -> None:
    text = ("2025年以来，我市深入实施质量强市战略。\n"
            "今年，我市纳入培育企业40家。截至目前，全市共有2家企业获奖。\n"
            "同时，我市新增64家企业聘任首席质量官。迄今，全市已有130多家企业建立制度。\n")
    got = by_surface(text, "2025-09-15")
    assert [(s, got[s].period, got[s].place) for s in ("40家", "2家", "64家", "130多家")] == [
        ("40家", "今年", "我市"), ("2家", "截至目前", "全市"), ("64家", "2025年以来", "我市"),
        ("130多家", "迄今", "全市")]


def test_a_date_is_the_period_of_what_the_event_produced() -> None:
    m = extract("9月9日，全市质量月活动启动，发放宣传资料150余份。", "2025-09-15")[0]
    assert (m.period, m.period_start, m.period_end) == ("9月9日", "2025-09-09", "2025-09-09")


# -- places ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "place"), [
    ("全市新增企业64家", "全市"),
    ("我市新增企业64家", "我市"),
    ("全国新增企业64家", "全国"),
    ("武陟县新增企业64家", "武陟县"),
    ("河南省新增企业64家", "河南省"),
    ("城关镇新增企业64家", "城关镇"),
    ("东风乡新增企业64家", "东风乡"),
    ("小岗村新增企业64家", "小岗村"),
    ("宜昌高新区新增企业64家", "宜昌高新区"),
    ("粤港澳大湾区新增企业64家", "粤港澳大湾区"),
    ("2025襄阳汽车博览会吸引观众5万人次", None),
    ("市民在市体育中心观看比赛，观众5万人次", None),
    ("温县铁棍山药等特产参与申报，7家企业获授权", None),
    ("高于全省4.1个百分点", None),
])
def test_places(text: str, place: str | None) -> None:
    assert extract(text)[-1].place == place


# -- estimate, fields, rules ----------------------------------------------------


@pytest.mark.parametrize(("text", "estimate"), [
    ("40家", 40.0), ("130多家", 130.0), ("3至5万元", 40000.0), ("数百家", 550.0),
    ("上千人", None), ("约5万元", 50000.0),
])
def test_estimate_is_value_else_the_midpoint_of_bounds(text: str, estimate: float | None
                                                        ) -> None:
    assert extract(text)[0].estimate == estimate


def test_new_fields_come_last_with_defaults() -> None:
    m = Mention(0, 3, "40家", 40.0, 40.0, 40.0, "exact", None, "家", "count", None, "number")
    assert fields(m) == dict.fromkeys(STAT) and m.estimate is None
    assert list(m.to_dict())[-8:] == ["measure", "direction", "basis", "period",
                                      "period_start", "period_end", "place", "estimate"]


def test_annotate_takes_compiled_rules_and_a_date() -> None:
    rules = compile_statistics(default_ruleset().raw)
    text = "今年，全市新增企业64家"
    mentions = [Found(8, 11, "64家", 64.0, 64.0, 64.0, "exact", None, "家", "count", "企业",
                      "number")]
    got = [Mention(*row) for row in annotate(text, mentions, rules, date(2025, 9, 15))]
    assert fields(got[0]) == {"object": "企业", "measure": "level", "direction": None,
                              "basis": None, "period": "今年", "period_start": "2025-01-01",
                              "period_end": "2025-12-31", "place": "全市"}
    assert extract(text, date(2025, 9, 15)) == extract(text, "2025-09-15")


def test_a_bad_resolve_kind_is_a_rule_error() -> None:
    raw = default_ruleset().raw
    periods = {**raw["periods"], "patterns": [
        {"name": "x", "pattern": "今年", "resolve": "sometime"}]}
    with pytest.raises(RuleError, match="unknown kind 'sometime'"):
        compile_periods(periods, raw["numerals"])


@pytest.mark.parametrize(("s", "n"), [("5", 5), ("五", 5), ("十", 10), ("十二", 12),
                                      ("二十", 20), ("两", 2), ("x", None)])
def test_small_numbers(s: str, n: int | None) -> None:
    assert small_number(s, compile_statistics(default_ruleset().raw).periods.numbers) == n



def test_a_heading_sets_the_year_its_section_reports_on() -> None:
    text = ("政府工作报告（摘要）\n一、2024 年工作回顾\n全年接待游客突破2000万。\n"
            "二、2025年主要目标任务\n全年新增就业6万人以上。\n"
            "今年以来，我们的工作得到了广大群众的肯定，全年增长5%。")
    got = [(m.surface, m.period, m.period_start, m.period_end)
           for m in extract(text, "2025-01-16")]
    assert got == [("突破2000万", "全年", "2024-01-01", "2024-12-31"),
                   ("6万人以上", "全年", "2025-01-01", "2025-12-31"),
                   ("5%", "全年", "2025-01-01", "2025-12-31")]
    # a long line or one with a sentence break is no heading: 2020年 there sets nothing
    text = "概况\n2020年，全市新增企业500家，比上年增长5%。\n全年新增就业6万人。"
    assert [m.period_start for m in extract(text, "2025-01-16")][-1] == "2025-01-01"


def _whole_period_pattern(raw: dict) -> tuple[regex.Pattern[str], list[str]]:
    """rules/periods.toml as one alternation read by the ``regex`` module, behind its
    prefilter and basis lookbehind: the meaning the narrowed scan must keep."""
    from extractor.periods import LISTS, _expand

    p = raw["periods"]
    options = p["options"]
    not_basis = "|".join([regex.escape(w) for w in options["basis_before"]
                          + options["scene_before"]] + [options["inside_range"]])
    alternatives = [f"(?P<_{i}>{_expand(e['pattern'], p['fragments'])})"
                    for i, e in enumerate(p["patterns"])]
    head = f"(?={options['prefilter']})(?<!{not_basis})(?:"
    return (regex.compile(head + "|".join(alternatives) + ")",
                          **{name: list(p[name]) for name in LISTS}),
            [e["resolve"] for e in p["patterns"]])


def test_period_scan_narrowed_by_first_character_finds_what_the_whole_pattern_does() -> None:
    """The scan tries at each prefilter start only the alternatives that can begin with
    its character, by the standard engine; over the development and news texts,
    paragraph by paragraph and in halves of each, it finds exactly what the whole
    alternation finds as the ``regex`` module reads it: spans, groups and kinds."""
    import json
    from pathlib import Path

    from extractor.statistics import _paragraphs

    data = Path(__file__).parent / "data"
    texts = [json.loads(line)["text"] for gold in (data / "dev_gold.jsonl",
                                                    data / "news" / "gold.jsonl")
             for line in gold.read_text(encoding="utf-8").splitlines()]
    rules = default_ruleset()
    pr = rules.statistics.periods
    whole_pattern, kinds = _whole_period_pattern(rules.raw)

    def read(m: regex.Match[str]) -> tuple[tuple[int, int], dict[str, str], str]:
        groups = {k: v for k, v in m.groupdict().items() if v is not None}
        i = next(int(k[1:]) for k in groups if k.startswith("_"))
        return m.span(), {k: v for k, v in groups.items() if not k.startswith("_")}, kinds[i]

    found = 0
    for text in texts:
        spans = [s for lo, hi in _paragraphs(text) for s in ((lo, (lo + hi) // 2), (lo, hi))]
        starts = pr.starts(text, 0, len(text))
        for lo, hi in spans:
            whole = [read(m) for m in whole_pattern.finditer(text, lo, hi)]
            assert [((m.start, m.end), m.groups, m.kind)
                    for m in pr.finditer(text, lo, hi, starts)] == whole
            found += len(whole)
    assert found > 100


# -- where the frames are tried -------------------------------------------------


def test_edge_sets_read_the_last_characters_and_a_required_class() -> None:
    assert edge_sets("(?:增长|下降)(?:了)?$|占[^，]{0,3}$") == [
        (frozenset("长降了"), frozenset("增下")), (None, frozenset("占"))]
    # one group name twice (the regex module allows it): read, not given up
    assert edge_sets("(?P<b>同比)?(?P<v>升)$|比(?P<b>[^，]{1,3})(?P<v>高)$") == [
        (frozenset("升"), frozenset("升")), (frozenset("高"), frozenset("比"))]
    assert edge_sets(".+$") == [(None, None)]


WINDOWS = ["比上年增长", "同比下降", "占全市的", "比重为", "是2020年的", "高于全省平均水平",
           "其中工业", "较去年同期多", "达", "全年共", "增至", "完成投资", "分别增长", "占比达",
           "可比价格", "约", "比", "新增"]


@pytest.mark.parametrize("multiple", [True, False])
def test_the_frames_are_passed_over_only_where_none_can_hold(multiple: bool) -> None:
    rules = compile_statistics(default_ruleset().raw)
    pattern = rules.frames if multiple else rules.frames_no_multiple
    edges = rules.edges if multiple else rules.edges_no_multiple
    examples = WINDOWS + [a + b for a in WINDOWS for b in WINDOWS]
    held = 0
    for text in examples:
        for lo in range(len(text)):
            found = pattern.match(text, lo, len(text)) is not None
            assert not found or edges.may_hold(text, lo, len(text)), (text, lo)
            held += found
    assert held > 100  # the examples do hold frames
    assert not edges.may_hold("全年共", 0, 3) and not edges.may_hold("完成投资", 0, 4)
