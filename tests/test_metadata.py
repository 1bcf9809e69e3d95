"""Article metadata from input fields and from the article's head (extractor/metadata.py)."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.metadata import (
    ArticleMeta,
    MetadataRules,
    default_rules,
    extract_metadata,
    from_fields,
    from_text,
    parse_date,
)
from extractor.rules import default_dir

SEED = Path(__file__).parent / "data" / "seed" / "quality-month-2025-09-15.txt"
BODY = ("记者从市市场监管局获悉，今年前三季度，全市新增各类市场主体2.3万户，同比增长8.6%，"
        "其中新增企业6500余户，新增个体工商户1.6万户。")


def test_seed_article() -> None:
    meta = from_text(SEED.read_text(encoding="utf-8"))
    assert meta == ArticleMeta(
        title="聚焦质量提升 赋能创新发展",
        subtitle="我市倾力推进质量强市工作纪实",
        published=date(2025, 9, 15),
        author="高小豹",
        outlet=None,
    )


def test_rule_file_is_data() -> None:
    data = tomllib.loads((default_dir() / "metadata.toml").read_text(encoding="utf-8"))
    assert {"head", "date", "author", "outlet", "title", "fields"} <= set(data)
    for pattern in data["date"]["patterns"]:
        assert {"y", "m", "d"} <= set(re.compile(pattern).groupindex)
    for pattern in data["outlet"]["patterns"]:
        assert "outlet" in re.compile(pattern).groupindex
    assert {"本报记者", "记者", "通讯员"} <= set(data["author"]["markers"])


def test_rules_come_from_the_file_not_the_code(tmp_path: Path) -> None:
    text = (default_dir() / "metadata.toml").read_text(encoding="utf-8")
    text = text.replace('"本报特约记者",', '"本报特约记者", "主笔",')
    custom = MetadataRules.from_rules(tomllib.loads(text))
    article = f"标题\n主笔 钱七\n{BODY}"
    assert from_text(article).author is None
    assert from_text(article, custom).author == "钱七"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2025年09月15日", date(2025, 9, 15)),
        ("2025年9月5日 星期五", date(2025, 9, 5)),
        ("发布时间：2025-09-05 08:30", date(2025, 9, 5)),
        ("2025/9/5", date(2025, 9, 5)),
        ("2025.09.05 来源：青禾日报", date(2025, 9, 5)),
        ("20250905", date(2025, 9, 5)),
        ("2025年13月40日", None),
        ("9月9日", None),
    ],
)
def test_published_date_formats(line: str, expected: date | None) -> None:
    assert from_text(f"某某标题\n{line}\n{BODY}").published == expected


def test_dates_in_the_body_are_not_publication_dates() -> None:
    text = f"标题\n2024年12月31日，全市完成了全年的各项工作目标任务，{BODY}"
    assert from_text(text).published is None


@pytest.mark.parametrize(
    ("head", "author"),
    [
        ("本报记者 高小豹", "高小豹"),
        ("记者 张三 李四", "张三、李四"),
        ("本报记者 张三 通讯员 李四、王五", "张三、李四、王五"),
        ("记者张三", "张三"),
        ("文/王五", "王五"),
        ("记者 张三 报道", "张三"),
        ("2025年04月20日 来源：焦作日报 本报记者 李明", "李明"),
        ("特约记者 阿依古丽·买买提", "阿依古丽·买买提"),
        ("活动现场。 本报记者 高小豹 摄", None),
        ("（本报记者 高小豹 摄）", None),
    ],
)
def test_authors(head: str, author: str | None) -> None:
    assert from_text(f"标题\n{head}\n{BODY}").author == author


def test_photo_credit_and_byline_together() -> None:
    text = f"标题\n活动现场。 本报记者 高小豹 摄\n本报记者 赵六\n{BODY}"
    assert from_text(text).author == "赵六"


def test_bracketed_credit_and_agency_dateline() -> None:
    meta = from_text(f"标题\n新华社北京9月15日电（记者 张三 通讯员 李四）{BODY}")
    assert (meta.author, meta.outlet) == ("张三、李四", "新华社")
    assert from_text(f"标题\n本报讯（记者 王五）{BODY}").author == "王五"


@pytest.mark.parametrize(
    ("head", "outlet"),
    [
        ("来源：焦作日报", "焦作日报"),
        ("2025-10-08 来源: 青禾日报 编辑：某某", "青禾日报"),
        ("青禾日报数字报", "青禾日报"),
        ("青禾日报 2025年10月08日 第03版", "青禾日报"),
        ("云报平台", None),
    ],
)
def test_outlets(head: str, outlet: str | None) -> None:
    meta = from_text(f"{head}\n标题\n{BODY}")
    assert meta.outlet == outlet
    assert meta.title == "标题"


def test_title_rules() -> None:
    kicker = "坚持高质量发展"
    text = f"内容详情\n{kicker}\n我市新增市场主体2.3万户\n——营商环境持续优化\n本报记者 张三\n{BODY}"
    meta = from_text(text)
    assert (meta.title, meta.subtitle) == ("我市新增市场主体2.3万户", "营商环境持续优化")
    assert from_text(f"我市新增市场主体2.3万户\n\n{BODY}").title == "我市新增市场主体2.3万户"
    # a byline after the title, a caption after the byline
    text = f"云报平台\n标题甲\n本报记者 张三\n图为活动现场\n{BODY}"
    assert from_text(text).title == "标题甲"


def test_no_head_no_guessing() -> None:
    assert from_text(BODY) == ArticleMeta()
    assert from_text("企业兴衰系于质量。\n" + BODY).title is None
    assert from_text("") == ArticleMeta()


def test_fields_come_first_and_the_rest_is_kept() -> None:
    values = {"headline": "字段标题", "date": "2025-10-09T08:00:00+08:00",
              "authors": ["陈静", "王磊"], "sitename": "青禾日报", "url": "https://example.org/a"}
    meta, extra = extract_metadata(f"正文标题\n本报记者 赵六\n{BODY}", values)
    assert meta == ArticleMeta(title="字段标题", published=date(2025, 10, 9),
                               author="陈静、王磊", outlet="青禾日报")
    assert extra == {"url": "https://example.org/a"}


def test_text_fills_what_fields_lack() -> None:
    meta, extra = extract_metadata(f"正文标题\n2025年01月02日\n本报记者 赵六\n{BODY}",
                                   {"title": "字段标题", "published": "not a date", "n": 3})
    assert meta == ArticleMeta(title="字段标题", published=date(2025, 1, 2), author="赵六")
    assert extra == {"published": "not a date", "n": 3}


def test_from_fields_ignores_empty_values() -> None:
    meta, extra = from_fields({"title": "  ", "author": None, "outlet": "青禾日报"})
    assert meta == ArticleMeta(outlet="青禾日报")
    assert extra == {"title": "  ", "author": None}


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}",
                        "{y}.{m:02d}.{d:02d}", "{y}{m:02d}{d:02d}",
                        "{y}-{m:02d}-{d:02d}T12:00:00Z"]))
def test_parse_date_round_trip(day: date, form: str) -> None:
    assert parse_date(form.format(y=day.year, m=day.month, d=day.day)) == day


def test_default_rules_are_cached() -> None:
    assert default_rules() is default_rules()
