"""Mentions as a pandas DataFrame, typed like the ``indicators`` Parquet table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import TYPE_CHECKING

import pyarrow as pa

from extractor.mention import Mention
from extractor.schema import INDICATORS, Columns

if TYPE_CHECKING:
    import pandas as pd

MENTION_COLUMNS = tuple(f.name for f in fields(Mention))


def to_frame(texts_or_mentions: str | Iterable[str] | Iterable[Mention]) -> pd.DataFrame:
    """One row per mention, with the ``indicators`` table's columns and types.

    Takes one text, texts, or Mentions (from ``extract``). From text, every column of
    ``indicators.parquet``: ``article_id`` (which text; the same id as in a dataset),
    ``mention_index``, the mention's fields, ``sentence`` and ``clause``. From Mentions,
    the mention's fields only. Offsets are ``int64``, numbers ``float64`` (NaN where
    null), ``approx``, ``unit`` and ``dimension`` ``category``, the rest strings.

    >>> from extractor import to_frame
    >>> to_frame(["新增企业40家", "投资约3.5亿元"])[["surface", "value", "approx"]]
      surface        value approx
    0     40家         40.0  exact
    1  约3.5亿元  350000000.0  about
    """
    given = texts_or_mentions
    if isinstance(given, str):
        return _text_frame([given])
    if isinstance(given, bytes | bytearray) or not isinstance(given, Iterable):
        raise TypeError(f"to_frame() takes a str, texts, or Mentions, not {type(given).__name__}")
    items = list(given)
    if all(isinstance(i, str) for i in items):
        return _text_frame(items)
    if all(isinstance(i, Mention) for i in items):
        return _mention_frame(items)
    wrong = next((i for i in items if not isinstance(i, str | Mention)), None)
    raise TypeError("to_frame() takes a str, texts, or Mentions, not "
                    + ("a mix of texts and Mentions" if wrong is None
                       else f"an item of type {type(wrong).__name__}"))


def _text_frame(texts: list[str]) -> pd.DataFrame:
    from extractor.assemble import assemble
    from extractor.engine import extract
    from extractor.metadata import ArticleMeta

    rows = Columns(INDICATORS)
    for text in texts:
        rows.extend(assemble("", text, "utf-8", ArticleMeta(), {}, extract(text)).indicators)
    return rows.batch(INDICATORS.schema()).to_pandas()


def _mention_frame(mentions: list[Mention]) -> pd.DataFrame:
    schema = pa.schema([INDICATORS.schema().field(name) for name in MENTION_COLUMNS])
    columns = {name: [getattr(m, name) for m in mentions] for name in MENTION_COLUMNS}
    columns.update({name: [None if v is None else float(v) for v in columns[name]]
                    for name in ("value", "lower", "upper")})
    return pa.RecordBatch.from_pydict(columns, schema=schema).to_pandas()
