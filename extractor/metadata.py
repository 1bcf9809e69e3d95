"""Article metadata (title, subtitle, date, author, outlet) from input fields and text.

The patterns are data, in ``rules/metadata.toml``; this module only applies
them to the article's head (the lines before the first body paragraph).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """Descriptive metadata of one article; None where unknown."""

    title: str | None = None
    subtitle: str | None = None
    published: date | None = None
    author: str | None = None
    outlet: str | None = None

    def fill(self, other: ArticleMeta) -> ArticleMeta:
        """This metadata with its gaps filled from ``other``."""
        return ArticleMeta(
            **{
                f.name: getattr(other, f.name) if getattr(self, f.name) is None
                else getattr(self, f.name)
                for f in fields(self)
            }
        )


META_FIELDS = tuple(f.name for f in fields(ArticleMeta))


@dataclass(frozen=True)
class MetadataRules:
    """The compiled contents of ``rules/metadata.toml``."""

    body_min_chars: int
    max_lines: int
    sentence_endings: str
    dateline_chars: int
    dates: tuple[re.Pattern[str], ...]
    markers: re.Pattern[str]
    photo: re.Pattern[str]
    name: re.Pattern[str]
    name_split: re.Pattern[str]
    name_stop_words: frozenset[str]
    bracketed: re.Pattern[str]
    outlets: tuple[re.Pattern[str], ...]
    subtitle_prefixes: tuple[str, ...]
    boilerplate: frozenset[str]
    boilerplate_patterns: tuple[re.Pattern[str], ...]
    title_max_chars: int
    field_names: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_rules(cls, data: dict[str, Any]) -> MetadataRules:
        """Compile the parsed ``metadata.toml``."""
        head, author, title = data["head"], data["author"], data["title"]
        for key, group in (("date", "y"), ("date", "m"), ("date", "d"), ("outlet", "outlet")):
            for pattern in data[key]["patterns"]:
                if group not in re.compile(pattern).groupindex:
                    raise ValueError(f"[{key}.patterns] {pattern!r} has no group named {group!r}")
        markers = "|".join(
            re.escape(m) for m in sorted(author["markers"], key=len, reverse=True)
        )
        photo = "|".join(re.escape(m) for m in author["photo_markers"])
        return cls(
            body_min_chars=head["body_min_chars"],
            max_lines=head["max_lines"],
            sentence_endings=head["sentence_endings"],
            dateline_chars=head["dateline_chars"],
            dates=tuple(re.compile(p) for p in data["date"]["patterns"]),
            markers=re.compile(markers),
            photo=re.compile(rf"(?:{photo})\s*[)）]?$"),
            name=re.compile(author["name"]),
            name_split=re.compile(rf"[\s{re.escape(author['name_separators'])}:：]+"),
            name_stop_words=frozenset(author["name_stop_words"]),
            bracketed=re.compile(author["bracketed"].replace("{markers}", markers)),
            outlets=tuple(re.compile(p) for p in data["outlet"]["patterns"]),
            subtitle_prefixes=tuple(title["subtitle_prefixes"]),
            boilerplate=frozenset(title["boilerplate"]),
            boilerplate_patterns=tuple(re.compile(p) for p in title["boilerplate_patterns"]),
            title_max_chars=title["max_chars"],
            field_names={k: tuple(v) for k, v in data["fields"].items()},
        )


def default_rules() -> MetadataRules:
    """The metadata rules of the shipped rule set."""
    from extractor.ruleset import default_ruleset

    return default_ruleset().metadata


def parse_date(value: Any, rules: MetadataRules | None = None) -> date | None:
    """A calendar date from a date/datetime or a string in any of the rule formats."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    return _find_date(value, rules or default_rules())


def from_fields(
    values: Mapping[str, Any], rules: MetadataRules | None = None
) -> tuple[ArticleMeta, dict[str, Any]]:
    """Metadata given by input fields, and the fields left over (kept as extra metadata)."""
    rules = rules or default_rules()
    extra = dict(values)
    found: dict[str, Any] = {}
    for column in META_FIELDS:
        for key in rules.field_names.get(column, (column,)):
            if (raw := extra.get(key)) is None:
                continue
            value = parse_date(raw, rules) if column == "published" else _clean_field(raw)
            if value is not None:
                found[column] = value
                del extra[key]
                break
    return ArticleMeta(**found), extra


def from_text(text: str, rules: MetadataRules | None = None) -> ArticleMeta:
    """Metadata found in the article's own head lines (and its dateline)."""
    rules = rules or default_rules()
    head, opening = _split_head(text, rules)
    kinds = [_kind(line, rules) for line in head]
    info = [
        line for line, kind in zip(head, kinds, strict=True)
        if kind not in ("photo", "sentence", "subtitle")
    ]
    published = next((d for line in info if (d := _find_date(line, rules))), None)
    names: list[str] = []
    for line, kind in zip(head, kinds, strict=True):
        if kind == "credit":
            names += _credit_names(line, rules)
    if not names and (m := rules.bracketed.search(opening)):
        names = _credit_names(m["credit"], rules)
    outlet = next(
        (o for line in [*info, opening] if (o := _find_outlet(line, rules))), None
    )
    title, subtitle = _title(head, kinds, rules)
    return ArticleMeta(
        title=title,
        subtitle=subtitle,
        published=published,
        author="、".join(dict.fromkeys(names)) or None,
        outlet=outlet,
    )


def extract_metadata(
    text: str, values: Mapping[str, Any] | None = None, rules: MetadataRules | None = None
) -> tuple[ArticleMeta, dict[str, Any]]:
    """Fields first, gaps filled from the text; returns the metadata and the extra fields."""
    given, extra = from_fields(values or {}, rules)
    return given.fill(from_text(text, rules)), extra


# -- helpers ---------------------------------------------------------------


def _clean_field(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = "、".join(str(v).strip() for v in value if str(v).strip())
    if value is None or isinstance(value, dict):
        return None
    text = " ".join(str(value).split())
    return text or None


def _split_head(text: str, rules: MetadataRules) -> tuple[list[str], str]:
    """The head lines (whitespace collapsed) and the opening of the first body line."""
    head: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        if len(line) >= rules.body_min_chars:
            return head, line[: rules.dateline_chars]
        if len(head) == rules.max_lines:
            break
        head.append(line)
    return head, ""


def _kind(line: str, rules: MetadataRules) -> str:
    """What a head line is: boilerplate, subtitle, photo, credit, sentence or text."""
    if line in rules.boilerplate or any(p.search(line) for p in rules.boilerplate_patterns):
        return "boilerplate"
    if line.startswith(rules.subtitle_prefixes):
        return "subtitle"
    if rules.photo.search(line):
        return "photo"
    if _credit_names(line, rules):
        return "credit"
    if line[-1] in rules.sentence_endings:
        return "sentence"
    return "text"


def _credit_names(credit: str, rules: MetadataRules) -> list[str]:
    """The names listed after the author markers in ``credit``."""
    names: list[str] = []
    pieces = rules.markers.split(credit)
    for piece in pieces[1:]:
        for token in rules.name_split.split(piece.strip()):
            if not token:
                continue
            if token in rules.name_stop_words or not rules.name.fullmatch(token):
                break
            names.append(token)
    return names


def _find_date(line: str, rules: MetadataRules) -> date | None:
    for pattern in rules.dates:
        for m in pattern.finditer(line):
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
    return None


def _find_outlet(line: str, rules: MetadataRules) -> str | None:
    for pattern in rules.outlets:
        if m := pattern.search(line):
            return m["outlet"]
    return None


def _is_meta(line: str, rules: MetadataRules) -> bool:
    return _find_date(line, rules) is not None or _find_outlet(line, rules) is not None


def _title(
    head: list[str], kinds: list[str], rules: MetadataRules
) -> tuple[str | None, str | None]:
    """Title and subtitle: the candidate before the subtitle, else before the byline."""
    candidates = [
        i for i, (line, kind) in enumerate(zip(head, kinds, strict=True))
        if kind == "text" and len(line) <= rules.title_max_chars and not _is_meta(line, rules)
    ]
    if not candidates:
        return None, None
    subtitle_at = next((i for i, k in enumerate(kinds) if k == "subtitle"), None)
    byline_at = next((i for i, k in enumerate(kinds) if k == "credit"), None)
    title_at = next(
        (
            max(i for i in candidates if i < limit)
            for limit in (subtitle_at, byline_at)
            if limit is not None and candidates[0] < limit
        ),
        candidates[-1],
    )
    subtitle = None
    if subtitle_at is not None and subtitle_at > title_at:
        subtitle = head[subtitle_at].lstrip("".join(rules.subtitle_prefixes)).strip() or None
    return head[title_at], subtitle
