"""Load and validate the rule files in ``rules/`` (TOML, data only)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from extractor.mention import APPROX_FLAGS, DIMENSIONS

RULE_FILES = ("numerals", "qualifiers", "units", "exclusions", "objects")

# Keys each rule file may hold at its top level; anything else is a typo.
ALLOWED_KEYS = {
    "numerals": {"digits", "places", "magnitudes", "limits", "points", "separators",
                 "fractions", "multipliers", "examples"},
    "qualifiers": {"pre", "mid", "post", "post_options", "range", "vague", "examples"},
    "units": {"units", "options", "context", "ambiguous", "examples"},
    "exclusions": {"patterns", "words", "examples"},
    "objects": {"stops", "trim", "examples"},
}
MEANINGS = {"about", "over", "under", "over_open", "exact"}


class RuleError(ValueError):
    """A rule file is broken: names the file, the key and the reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"rules/{file}.toml [{key}]: {reason}")
        self.file, self.key, self.reason = file, key, reason


def rules_dir() -> Path:
    """The rule folder: shipped inside the wheel, or ``rules/`` of a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


@dataclass(frozen=True)
class Rules:
    """All rule files, parsed and checked."""

    raw: dict[str, dict[str, Any]]
    digest: str
    units: dict[str, str] = field(repr=False)
    arabic_only: frozenset[str] = field(repr=False)

    def examples(self) -> list[tuple[str, dict[str, Any]]]:
        """Every example of every rule file, as (file, example)."""
        return [(name, ex) for name, data in self.raw.items() for ex in data.get("examples", [])]


def _check(name: str, data: dict[str, Any]) -> None:
    unknown = set(data) - ALLOWED_KEYS[name]
    if unknown:
        raise RuleError(name, sorted(unknown)[0], "unknown key")
    for i, ex in enumerate(data.get("examples", [])):
        if "text" not in ex:
            raise RuleError(name, f"examples[{i}]", "example without text")
        if ex.get("approx", "exact") not in APPROX_FLAGS:
            raise RuleError(name, f"examples[{i}]", f"unknown approx {ex['approx']!r}")
        if ex.get("dimension", "count") not in DIMENSIONS:
            raise RuleError(name, f"examples[{i}]", f"unknown dimension {ex['dimension']!r}")
    if name == "units":
        for unit, dim in data["units"].items():
            if dim not in DIMENSIONS:
                raise RuleError(name, f"units.{unit}", f"unknown dimension {dim!r}")
        for unit, dims in data.get("ambiguous", {}).items():
            if unit not in data["units"] or data["units"][unit] not in dims:
                raise RuleError(name, f"ambiguous.{unit}", "default dimension not listed")
        for unit in data.get("options", {}).get("arabic_only", []):
            if unit not in data["units"]:
                raise RuleError(name, "options.arabic_only", f"{unit!r} is not a unit")
    if name == "qualifiers":
        for pos in ("pre", "mid", "post"):
            for word, meaning in data[pos].items():
                if meaning not in MEANINGS:
                    raise RuleError(name, f"{pos}.{word}", f"unknown meaning {meaning!r}")


@cache
def load_rules(folder: str | None = None) -> Rules:
    """Parse every rule file once; raise RuleError on the first broken one."""
    base = Path(folder) if folder else rules_dir()
    raw: dict[str, dict[str, Any]] = {}
    sha = hashlib.sha256()
    for name in RULE_FILES:
        path = base / f"{name}.toml"
        try:
            blob = path.read_bytes()
        except OSError as exc:
            raise RuleError(name, "-", f"cannot read: {exc.strerror}") from exc
        try:
            data = tomllib.loads(blob.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RuleError(name, "-", f"not valid TOML: {exc}") from exc
        _check(name, data)
        raw[name] = data
        sha.update(name.encode() + b"\0" + blob)
    units = dict(raw["units"]["units"])
    arabic_only = frozenset(raw["units"].get("options", {}).get("arabic_only", []))
    return Rules(raw=raw, digest=sha.hexdigest(), units=units, arabic_only=arabic_only)
