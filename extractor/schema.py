"""The dataset's tables, defined once: pyarrow schemas, column docs, datapackage.json.

Every table's Parquet schema, its key-value metadata and the Frictionless Data
Package descriptor are generated from the definitions in this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from extractor.mention import APPROX_FLAGS, DIMENSIONS, DIRECTIONS, MEASURES

SCHEMA_VERSION = "2"
"""Bumped whenever a table gains, loses or retypes a column."""

STAGES = ("read", "parse", "metadata", "extract", "assemble", "write")
"""Where an input can fail: see the ``errors`` table."""

_CATEGORY = pa.dictionary(pa.int32(), pa.string())

_FRICTIONLESS_TYPES = {
    pa.string(): "string",
    pa.int64(): "integer",
    pa.float64(): "number",
    pa.date32(): "date",
    _CATEGORY: "string",
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its Arrow type, its meaning and, for a category, its allowed values."""

    name: str
    type: pa.DataType
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None

    def field(self) -> pa.Field:
        """The Arrow field, its description kept in the field metadata."""
        return pa.field(
            self.name, self.type, nullable=not self.required,
            metadata={"description": self.description},
        )

    def descriptor(self) -> dict[str, Any]:
        """The Frictionless Table Schema field descriptor."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": _FRICTIONLESS_TYPES[self.type],
            "description": self.description,
        }
        if self.type == pa.date32():
            out["format"] = "default"
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True, slots=True)
class Table:
    """One table of the dataset, stored as ``<name>.parquet``."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str], ...] = ()
    """(column, referenced table) pairs; the referenced column has the same name."""

    @property
    def path(self) -> str:
        """File name inside the dataset folder."""
        return f"{self.name}.parquet"

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    def schema(self, metadata: Mapping[str, str] | None = None) -> pa.Schema:
        """The Arrow schema, with the dataset's key-value metadata attached."""
        return pa.schema(
            [c.field() for c in self.columns],
            metadata={"zhstats.table": self.name, **(metadata or {})},
        )

    def descriptor(self) -> dict[str, Any]:
        """The Frictionless Data Resource descriptor."""
        schema: dict[str, Any] = {"fields": [c.descriptor() for c in self.columns]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": table, "fields": column}}
                for column, table in self.foreign_keys
            ]
        return {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "parquet",
            "mediatype": "application/vnd.apache.parquet",
            "description": self.description,
            "schema": schema,
        }


class Columns:
    """Rows of one table gathered column by column: they become an Arrow batch
    several times faster than one dict per row does."""

    def __init__(self, table: Table) -> None:
        self.data: dict[str, list[Any]] = {name: [] for name in table.column_names}
        self.rows = 0

    def add(self, row: Mapping[str, Any]) -> None:
        """Append one row given as a dict."""
        for name, column in self.data.items():
            column.append(row[name])
        self.rows += 1

    def extend(self, columns: Mapping[str, Sequence[Any]]) -> None:
        """Append rows given as columns of equal length."""
        for name, column in self.data.items():
            column.extend(columns[name])
        self.rows = len(column) if self.data else 0

    def batch(self, schema: pa.Schema) -> pa.RecordBatch:
        """The rows as one Arrow batch of ``schema``."""
        return pa.RecordBatch.from_pydict(self.data, schema=schema)

    def clear(self) -> None:
        """Drop the rows."""
        for column in self.data.values():
            column.clear()
        self.rows = 0


ARTICLES = Table(
    name="articles",
    description="One row per article read without error, in input order.",
    primary_key=("article_id",),
    columns=(
        Column("article_id", pa.string(), "Stable id: the first 16 hex digits of the SHA-256 "
               "of the article text (UTF-8).", required=True),
        Column("source", pa.string(), "Where the article came from: the file path (relative to "
               "the dataset folder or as given on the command line), with `#line=N` (JSONL) or "
               "`#row=N` (CSV data row) appended; `<stdin>` for standard input.", required=True),
        Column("id", pa.string(), "The input's own id: the `id` key of a JSONL line or the `id` "
               "column of a CSV row (also kept in `metadata`); null when the input has none."),
        Column("title", pa.string(), "Headline, from an input field or the article's head lines."),
        Column("subtitle", pa.string(), "Subtitle (副题, the `——` line under the headline)."),
        Column("published", pa.date32(), "Publication date, from an input field or the "
               "article's head (e.g. `2025年09月15日`)."),
        Column("author", pa.string(), "Credited reporters and correspondents, joined by `、` "
               "(e.g. `高小豹` from `本报记者 高小豹`); photo credits excluded."),
        Column("outlet", pa.string(), "Publishing outlet where the input or the page names it."),
        Column("encoding", pa.string(), "Character encoding the input was decoded from "
               "(utf-8, utf-8-sig, utf-16-le, utf-16-be, gb18030, big5, ...).", required=True),
        Column("metadata", pa.string(), "Other input fields (JSONL keys, CSV columns, HTML "
               "metadata) as a JSON object; null when there are none."),
        Column("n_chars", pa.int64(), "Length of `text` in characters.", required=True),
        Column("n_mentions", pa.int64(), "Number of rows for this article in `indicators`.",
               required=True),
        Column("text", pa.string(), "The decoded article text that mention offsets index into "
               "(line breaks normalized to `\\n`; for HTML, the main text).", required=True),
    ),
)

INDICATORS = Table(
    name="indicators",
    description="One row per quantity mention found in an article (see MENTIONS.md).",
    primary_key=("article_id", "mention_index"),
    foreign_keys=(("article_id", "articles"),),
    columns=(
        Column("article_id", pa.string(), "The article (`articles.article_id`).", required=True),
        Column("mention_index", pa.int64(), "0-based position of the mention in its article.",
               required=True),
        Column("start", pa.int64(), "Start offset in `articles.text` (Python string index).",
               required=True),
        Column("end", pa.int64(), "End offset (exclusive): `text[start:end] == surface`.",
               required=True),
        Column("surface", pa.string(), "The mention as written, e.g. `130多家`.", required=True),
        Column("value", pa.float64(), "The number as stated, magnitude applied, in `unit`; "
               "null for a range or a vague amount."),
        Column("lower", pa.float64(), "Lower bound implied by the wording, or null."),
        Column("upper", pa.float64(), "Upper bound implied by the wording, or null."),
        Column("approx", _CATEGORY, "How exact the number is.", required=True,
               enum=APPROX_FLAGS),
        Column("qualifier", pa.string(), "Marker words as written, joined by `|` "
               "(e.g. `约|左右`)."),
        Column("unit", _CATEGORY, "Unit or measure word, magnitude removed (`家`, `元`, `%`)."),
        Column("dimension", _CATEGORY, "What kind of quantity the unit measures.",
               required=True, enum=DIMENSIONS),
        Column("object", pa.string(), "The thing counted or measured, where the sentence "
               "names it."),
        Column("measure", _CATEGORY, "What the figure states: an amount as it stands "
               "(`level`), an increase, decrease or multiple of an earlier amount (`change`), "
               "or a part of a whole (`share`).", enum=MEASURES),
        Column("direction", _CATEGORY, "For a change: `up` or `down` (the value stays as "
               "written); null for a level, a share or a change whose sign the text does not "
               "give.", enum=DIRECTIONS),
        Column("basis", pa.string(), "What a change is measured against, as written, without "
               "its frame (`同比`, `上年`, `去年同期`, `全省平均水平`)."),
        Column("period", pa.string(), "The time the figure refers to, as written (`今年前三季度`, "
               "`截至9月末`): its clause's or sentence's time expression, else the nearest "
               "earlier one in its paragraph, else the article lead's."),
        Column("period_start", pa.date32(), "First day of `period`, relative words resolved "
               "against `articles.published`; null when open (`截至9月末`) or unknown."),
        Column("period_end", pa.date32(), "Last day of `period` (equal to `period_start` for a "
               "point in time); null when open or unknown."),
        Column("place", pa.string(), "The area the figure is about, as written (`全市`, "
               "`武陟县`, `全国`), found the way `period` is."),
        Column("estimate", pa.float64(), "Derived, for dashboards: `value` where there is one, "
               "else the midpoint of `lower` and `upper` (a range or a bounded vague amount), "
               "else null."),
        Column("sentence", pa.string(), "The sentence holding the mention (split at 。！？!?；; "
               "…… and line breaks); one longer than 1,000 characters is cut to the 1,000 "
               "around the mention, with … where cut.", required=True),
        Column("clause", pa.string(), "The clause holding the mention (the sentence split "
               "further at ，,：:), cut like `sentence`.", required=True),
        Column("rule", pa.string(), "Id of the extraction rule that produced the mention.",
               required=True),
    ),
)

ERRORS = Table(
    name="errors",
    description="One row per input (file, JSONL line or CSV row) that produced no article.",
    columns=(
        Column("source", pa.string(), "The input, named as in `articles.source`.", required=True),
        Column("stage", _CATEGORY, "Where it failed: read (I/O, decoding), parse (JSONL, CSV, "
               "HTML), metadata, extract (the engine), assemble (rows), write (duplicates).",
               required=True, enum=STAGES),
        Column("error_type", pa.string(), "Kind of failure, e.g. EmptyInput, BinaryInput, "
               "UndecodableInput, UnsupportedFormat, MalformedJSON, MissingTextField, "
               "MissingColumn, NoMainText, DuplicateArticle, or an exception class name.",
               required=True),
        Column("message", pa.string(), "What went wrong, for a person to read.", required=True),
    ),
)

TABLES = (ARTICLES, INDICATORS, ERRORS)


def datapackage(name: str, metadata: Mapping[str, str]) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of a dataset folder."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-.") or "zhstats"
    descriptor = {
        "profile": "tabular-data-package",
        "name": slug,
        "title": f"zhstats dataset {name}",
        "description": "Quantity mentions extracted from Chinese news text by zhstats: "
                       "articles, the indicators found in them, and the inputs that failed.",
        "version": metadata.get("zhstats.schema_version", SCHEMA_VERSION),
        "created": metadata.get("zhstats.created_at"),
        "zhstats": dict(metadata),
        "resources": [table.descriptor() for table in TABLES],
    }
    return {k: v for k, v in descriptor.items() if v is not None}
