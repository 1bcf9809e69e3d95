"""The per-article pipeline: one raw article → its rows, or the error that stopped it.

Workers (and a run with one worker) call ``process`` on each article. The
extraction itself is one call, ``extract_mentions``, with the run's ``Ruleset``
(passed to the workers with each chunk; a worker rebuilds it once).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from types import FrameType
from typing import Any

from extractor.assemble import ArticleRows, assemble
from extractor.metadata import extract_metadata
from extractor.readers import ErrorRow, RawArticle, ReadFailure, html_to_article, prepare_html
from extractor.ruleset import Ruleset


class ArticleTimeout(BaseException):
    """An article took longer than its time limit to read and extract (a BaseException,
    like KeyboardInterrupt, so that no ``except Exception`` in a library swallows it)."""


def extract_mentions(text: str, rules: Ruleset | None = None,
                     published: date | None = None) -> list[list[Any]]:
    """The mentions of an article's text as rows of a Mention's fields (no Mention objects
    on the way to Arrow): the pipeline's only call into the engine."""
    from extractor.engine import Extractor

    return Extractor(rules).table(text, published)


def process(item: RawArticle | ErrorRow, max_seconds: float | None = None,
            rules: Ruleset | None = None) -> ArticleRows | ErrorRow:
    """One raw article → its rows, or the error that stopped it (at any stage); one that
    takes over ``max_seconds`` is an ``ArticleTimeout`` error."""
    if isinstance(item, ErrorRow):
        return item
    stage = "parse"
    if item.fmt == "html":
        prepare_html()  # never let the time limit cut trafilatura's first imports
    try:
        with time_limit(max_seconds):
            text, values = item.content, item.fields
            if item.fmt == "html":
                text, found = html_to_article(item.content)
                values = {**found, **values}
            stage = "metadata"
            meta, extra = extract_metadata(text, values, rules.metadata if rules else None)
            stage = "extract"
            mentions = extract_mentions(text, rules, meta.published)
            stage = "assemble"
            return assemble(item.source, text, item.encoding, meta, extra, mentions)
    except ArticleTimeout:
        return ErrorRow(item.source, stage, "ArticleTimeout",
                        f"stopped after {max_seconds:g} s in the {stage} stage (the limit per "
                        "article: --max-article-seconds, or max_article_seconds in "
                        "dataset.toml)")
    except ReadFailure as e:
        return ErrorRow(item.source, stage, e.error_type, e.message)
    except Exception as e:
        return ErrorRow(item.source, stage, type(e).__name__, str(e) or repr(e))


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ArticleTimeout in the block once it has run ``seconds`` (a SIGALRM timer:
    it stops Python code and ``regex`` searches alike). No limit outside the main
    thread, where no signal handler can be set."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _expired(signum: int, frame: FrameType | None) -> None:
    raise ArticleTimeout
