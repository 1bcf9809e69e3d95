"""What a run is asked to do: its options, and datasets defined by ``dataset.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractor.readers import FORMATS

if TYPE_CHECKING:
    from extractor.ruleset import Ruleset

DATASETS_DIR = "datasets"
CONFIG_FILE = "dataset.toml"
DEFAULT_DATASET = "sample"
DEFAULT_MAX_ARTICLE_MB = 20.0
"""Largest article extracted by default (the engine reads about 3 MB a second)."""
DEFAULT_MAX_ARTICLE_SECONDS = 60.0
"""Longest an article may take to read and extract by default."""


class DatasetNotFound(Exception):
    """No ``dataset.toml`` for the name given (a usage error)."""


class ConfigError(Exception):
    """A ``dataset.toml`` that cannot be used (a usage error)."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How inputs are read and how the run goes."""

    text_field: str = "text"
    """JSONL key holding the article text."""
    text_column: str = "text"
    """CSV column holding the article text."""
    fmt: str | None = None
    """Read every input as this format (txt, html, jsonl, csv) instead of by suffix."""
    workers: int | None = None
    """Worker processes; None for the core count, 1 to work in this process."""
    append: bool = False
    """Keep the existing dataset: the inputs this run reads replace their earlier rows,
    the rows of other inputs are kept."""
    max_article_mb: float | None = DEFAULT_MAX_ARTICLE_MB
    """An article larger than this (MB, 10⁶ bytes) becomes an ``ArticleTooLarge`` error
    instead of being extracted; None for no limit."""
    max_article_seconds: float | None = DEFAULT_MAX_ARTICLE_SECONDS
    """An article whose reading and extraction take longer (a page that trafilatura
    takes minutes over, a pattern that backtracks) becomes an ``ArticleTimeout`` error;
    None for no limit."""
    force: bool = False
    """Replace the output even when every input failed."""
    rules: Ruleset | None = None
    """The rule set to extract with (None: the shipped rules); workers rebuild it."""

    @property
    def ruleset(self) -> Ruleset:
        """``rules``, or the shipped rules."""
        from extractor.ruleset import default_ruleset

        return self.rules or default_ruleset()

    @property
    def max_bytes(self) -> int | None:
        """``max_article_mb`` in bytes."""
        return None if self.max_article_mb is None else int(self.max_article_mb * 1e6)


@dataclass(frozen=True, slots=True)
class DatasetConfig:
    """A dataset definition; paths are relative to the folder of its ``dataset.toml``."""

    name: str
    folder: Path
    inputs: tuple[str, ...]
    output: Path
    description: str = ""
    options: RunOptions = RunOptions()

    @classmethod
    def load(cls, path: Path) -> DatasetConfig:
        """Read a ``dataset.toml``. Raises ConfigError."""
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{path}: {e}") from None
        section = data.get("dataset", {})
        options = data.get("options", {})
        _only(path, "the file", data, {"dataset", "options"})
        _only(path, "[dataset]", section, {"name", "description", "inputs", "output"})
        _only(path, "[options]", options, {"text_field", "text_column", "format", "append",
                                           "max_article_mb", "max_article_seconds"})
        limit = _positive(path, options, "max_article_mb", DEFAULT_MAX_ARTICLE_MB)
        seconds = _positive(path, options, "max_article_seconds", DEFAULT_MAX_ARTICLE_SECONDS)
        if options.get("format") not in (None, *FORMATS.values()):
            raise ConfigError(f"{path}: [options] format must be one of "
                              f"{', '.join(sorted(set(FORMATS.values())))}")
        inputs = section.get("inputs")
        if not inputs or not isinstance(inputs, list) or not all(
            isinstance(i, str) for i in inputs
        ):
            raise ConfigError(f"{path}: [dataset] inputs must be a non-empty list of paths")
        folder = path.parent.resolve()
        return cls(
            name=str(section.get("name", folder.name)),
            folder=folder,
            inputs=tuple(inputs),
            output=(folder / str(section.get("output", "out"))).resolve(),
            description=str(section.get("description", "")),
            options=RunOptions(
                text_field=str(options.get("text_field", "text")),
                text_column=str(options.get("text_column", "text")),
                fmt=options.get("format"),
                append=bool(options.get("append", False)),
                max_article_mb=limit,
                max_article_seconds=seconds,
            ),
        )


def _positive(path: Path, options: dict[str, Any], key: str, default: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{path}: [options] {key} must be a number above 0")
    return float(value)


def _only(path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in {where}: {', '.join(unknown)} "
                          f"(allowed: {', '.join(sorted(allowed))})")


def find_dataset(name: str | None = None, cwd: Path | None = None) -> Path:
    """The ``dataset.toml`` for ``name`` (default ``sample``).

    ``name`` may be a path to a dataset folder or to its toml file. Otherwise
    it is looked up as ``datasets/NAME/dataset.toml`` under the current
    directory first, then in the source tree this package runs from (if any).
    """
    cwd = cwd or Path.cwd()
    name = name or DEFAULT_DATASET
    given = cwd / name
    candidates = [given if given.suffix == ".toml" else given / CONFIG_FILE,
                  cwd / DATASETS_DIR / name / CONFIG_FILE,
                  Path(__file__).resolve().parent.parent / DATASETS_DIR / name / CONFIG_FILE]
    for path in candidates:
        if path.is_file():
            return path
    raise DatasetNotFound(f"no dataset {name!r}: looked for "
                          + ", ".join(str(p) for p in dict.fromkeys(candidates))
                          + f" (run from a folder that has {DATASETS_DIR}/{name}/{CONFIG_FILE},"
                          " or give the dataset folder's path)")


