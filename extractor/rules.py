"""Read and validate the rule files of a folder (TOML, data only).

``read_rule_files`` parses and shape-checks every file; ``Ruleset`` (in
``extractor.ruleset``) compiles them. Nothing here reads the environment or
caches: a rule folder is a value passed in.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

import regex

from extractor.mention import APPROX_FLAGS, DIMENSIONS

RULE_FILES = ("numerals", "qualifiers", "units", "exclusions", "objects", "metadata",
              "statistics", "periods", "places")

# Keys each rule file may hold at its top level; anything else is a typo.
ALLOWED_KEYS = {
    "numerals": {"digits", "places", "magnitudes", "limits", "points", "separators",
                 "fractions", "multipliers", "ratios", "halves", "examples"},
    "qualifiers": {"pre", "mid", "post", "post_options", "range", "vague", "examples"},
    "units": {"units", "options", "context", "ambiguous", "examples"},
    "exclusions": {"patterns", "words", "examples"},
    "objects": {"stops", "trim", "examples"},
    "metadata": {"head", "date", "author", "outlet", "title", "fields"},
    "statistics": {"changes", "frames", "bases", "objects", "examples"},
    "periods": {"years", "plans", "spans", "parts_of_month", "holidays", "fragments",
                "options", "patterns", "examples"},
    "places": {"words", "names", "examples"},
}
MEANINGS = {"about", "over", "under", "over_open", "exact"}

# What the code reads from each file. A dict with named keys is a table that
# must have exactly those keys ("key?" optional); {str: T} is a table of any
# keys with values T; [T] a list of T; float accepts integers too. Strings
# must not be empty (an empty word would match everywhere).
SHAPES: dict[str, dict[str, Any]] = {
    "numerals": {
        "digits": {str: int}, "places": {str: int}, "magnitudes": {str: int},
        "ratios": {"marks": [str]},
        "halves": {"alone": [str], "qualified": [str], "percent": float},
        "limits": {"max_length": int}, "points": {"words": [str]},
        "separators": {"chars": [str]},
        "fractions": {"connector": str, "percent_denominator": int, "mixed": str},
        "multipliers": {"doubling": [str], "doubling_suffix": str, "doubling_unit": str,
                        "tenths_not_before": str, "negative": [str],
                        "percent_tenths": {str: float}},
    },
    "qualifiers": {
        "pre": {str: str}, "mid": {str: str}, "post": {str: str},
        "post_options": {"tight": [str], "block": [str], "inclusive": [str]},
        "range": {"connectors": [str]},
        "vague": {"markers": {str: str}, "trailing": [str], "idioms": {str: [float]}},
    },
    "units": {
        "units": {str: str},
        "options": {"subunits": {str: float}, "subunit_of": [str], "arabic_only?": [str],
                    "per_marks?": [str], "per?": [str]},
        "context": {"window": int, "currency": [str], "count": [str], "list?": [str],
                    "list_unit?": [str]},
        "ambiguous?": {str: [str]},
    },
    "exclusions": {"patterns": {str: str}, "words": {"list": [str]}},
    "objects": {"stops": {"words": [str], "not_stops": [str], "verb_preps": [str],
                          "noun_suffixes": [str]},
                "trim": {"chars": str}},
    "metadata": {
        "head": {"body_min_chars": int, "max_lines": int, "sentence_endings": str,
                 "dateline_chars": int},
        "date": {"patterns": [str]},
        "author": {"markers": [str], "photo_markers": [str], "name": str,
                   "name_separators": str, "name_stop_words": [str], "bracketed": str},
        "outlet": {"patterns": [str]},
        "title": {"subtitle_prefixes": [str], "boilerplate": [str],
                  "boilerplate_patterns": [str], "max_chars": int},
        "fields": {str: [str]},
    },
    "statistics": {
        "changes": {"up": [str], "down": [str], "up_after_basis": [str],
                    "down_after_basis": [str], "flows": [str], "links": [str],
                    "surface": {str: str}},
        "frames": {"level_to": str, "comparative": str, "multiple": str, "change": str,
                   "share": str},
        "bases": {"sentence": str, "multiple_units": [str]},
        "objects": {"reject": [str], "reject_first": [str], "reject_last": [str],
                    "time_words": str,
                    "punctuation": str,
                    "respectively": [str], "list_separators": [str], "shared_tails": [str],
                    "of_which": [str]},
    },
    "periods": {
        "years": {str: int}, "plans": {str: int}, "spans": {str: [int]},
        "parts_of_month": {str: [int]}, "holidays": {str: [int]},
        "fragments": {str: str},
        "options": {"windows": [str], "prefilter": str, "basis_before": [str],
                    "scene_before": [str], "inside_range": str},
        "patterns": [{"name": str, "pattern": str, "resolve": str}],
    },
    "places": {
        "words": {"list": [str]},
        "names": {"suffixes": [str], "not_areas": [str], "max_name": int, "before": [str],
                  "after": [str], "basis_before": [str]},
    },
}
ONE_CHARACTER = {"numerals": ("digits", "places", "magnitudes")}
"""Tables whose keys the scanner reads as single characters."""
EXCLUSION_LISTS = {"cn_digit": ["一"], "cn_num": ["一"], "units": ["个"]}
"""The named lists an exclusion pattern may use (stand-ins, to compile it alone)."""


class RuleError(ValueError):
    """A rule file is broken: names the file, the key and the reason."""

    def __init__(self, file: str, key: str, reason: str, folder: Path | None = None) -> None:
        super().__init__(f"{label(file, folder)} [{key}]: {reason}")
        self.file, self.key, self.reason, self.folder = file, key, reason, folder


def label(file: str, folder: Path | None = None) -> str:
    """How messages name a rule file: ``rules/units.toml``, or its path in another folder."""
    if folder is None or folder == default_dir():
        return f"rules/{file}.toml"
    return str(folder / f"{file}.toml")


def default_dir() -> Path:
    """The shipped rule folder: the one inside the wheel, or ``rules/`` of a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "rule_files"
    return packaged if packaged.is_dir() else here.parent / "rules"


_TYPE_NAMES = {str: "text", int: "an integer", float: "a number", dict: "a table"}


def _shape(name: str, key: str, value: Any, shape: Any) -> None:
    """Check ``value`` against ``shape`` (see SHAPES); raise RuleError at the first misfit."""
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise RuleError(name, key, f"expected a list, got {_kind(value)}")
        for i, item in enumerate(value):
            _shape(name, f"{key}[{i}]", item, shape[0])
    elif isinstance(shape, dict):
        if not isinstance(value, dict):
            raise RuleError(name, key, f"expected a table, got {_kind(value)}")
        if str in shape:
            for k, item in value.items():
                if not k:
                    raise RuleError(name, key, "empty key")
                _shape(name, f"{key}.{k}", item, shape[str])
            return
        fields = {k.rstrip("?"): k.endswith("?") for k in shape}
        for k in value:
            if k not in fields:
                raise RuleError(name, f"{key}.{k}", "unknown key (allowed: "
                                f"{', '.join(sorted(fields))})")
        for k, optional in fields.items():
            if k in value:
                _shape(name, f"{key}.{k}", value[k], shape[k + "?" if optional else k])
            elif not optional:
                raise RuleError(name, f"{key}.{k}", "missing")
    else:
        ok = (isinstance(value, int | float) if shape is float else isinstance(value, shape))
        if not ok or isinstance(value, bool):
            raise RuleError(name, key, f"expected {_TYPE_NAMES[shape]}, got {_kind(value)}")
        if shape is str and not value:
            raise RuleError(name, key, "empty text")


def _kind(value: Any) -> str:
    return {str: "text", bool: "true/false", int: "an integer", float: "a number",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _check(name: str, data: dict[str, Any]) -> None:
    unknown = set(data) - ALLOWED_KEYS[name]
    if unknown:
        raise RuleError(name, sorted(unknown)[0], "unknown key")
    for key, shape in SHAPES[name].items():
        if key.rstrip("?") in data:
            _shape(name, key.rstrip("?"), data[key.rstrip("?")], shape)
    _shape(name, "examples", data.get("examples", []), [dict])
    for i, ex in enumerate(data.get("examples", [])):
        if "text" not in ex:
            raise RuleError(name, f"examples[{i}]", "example without text")
        if ex.get("approx", "exact") not in APPROX_FLAGS:
            raise RuleError(name, f"examples[{i}]", f"unknown approx {ex['approx']!r}")
        if ex.get("dimension", "count") not in DIMENSIONS:
            raise RuleError(name, f"examples[{i}]", f"unknown dimension {ex['dimension']!r}")
    if name == "units":
        units = data.get("units", {})
        for unit, dim in units.items():
            if dim not in DIMENSIONS:
                raise RuleError(name, f"units.{unit}", f"unknown dimension {dim!r}")
        for unit, dims in data.get("ambiguous", {}).items():
            if unit not in units or units[unit] not in dims:
                raise RuleError(name, f"ambiguous.{unit}", "default dimension not listed")
        for unit in data.get("options", {}).get("arabic_only", []):
            if unit not in units:
                raise RuleError(name, "options.arabic_only", f"{unit!r} is not a unit")
    if name == "qualifiers":
        for pos in ("pre", "mid", "post"):
            for word, meaning in data.get(pos, {}).items():
                if meaning not in MEANINGS:
                    raise RuleError(name, f"{pos}.{word}", f"unknown meaning {meaning!r}")
    if name == "exclusions":
        for key, source in data.get("patterns", {}).items():
            try:
                compiled = regex.compile(source, ignore_unused=True, **EXCLUSION_LISTS)
            except (regex.error, ValueError, TypeError) as exc:
                raise RuleError(name, f"patterns.{key}", f"does not compile: {exc}") from None
            if compiled.match("") is not None:
                raise RuleError(name, f"patterns.{key}", "matches the empty string")
    for key in SHAPES[name]:
        if not key.endswith("?") and key not in data:
            raise RuleError(name, key, "missing")
    for key in ONE_CHARACTER.get(name, ()):
        for word in data[key]:
            if len(word) != 1:
                raise RuleError(name, f"{key}.{word}", "must be one character")


def read_rule_files(folder: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """Every rule file of ``folder`` parsed and shape-checked, and one digest of them
    all; raise RuleError on the first broken one."""
    raw: dict[str, dict[str, Any]] = {}
    sha = hashlib.sha256()
    for name in RULE_FILES:
        path = folder / f"{name}.toml"
        try:
            blob = path.read_bytes()
        except OSError as exc:
            raise RuleError(name, "-", f"cannot read: {exc.strerror}", folder) from exc
        try:
            data = tomllib.loads(blob.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RuleError(name, "-", f"not valid TOML: {exc}", folder) from exc
        try:
            _check(name, data)
        except RuleError as exc:
            raise RuleError(name, exc.key, exc.reason, folder) from None
        raw[name] = data
        sha.update(name.encode() + b"\0" + blob)
    return raw, sha.hexdigest()
