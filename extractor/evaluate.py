"""Score the extractor against a gold file in the contract's format (§5)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.engine import Extractor
from extractor.ruleset import Ruleset

FIELDS = ("value", "bounds", "approx", "unit", "dimension", "object")
STAT_FIELDS = ("measure", "direction", "basis", "period", "place")
"""The §5 fields: scored on the matched spans whose gold states them."""
REL = 1e-9


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL * max(abs(a), abs(b), 1.0)


def field_ok(name: str, pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Whether one normalized field of a matched pair is right."""
    if name == "value":
        return _close(pred["value"], gold["value"])
    if name == "bounds":
        return _close(pred["lower"], gold["lower"]) and _close(pred["upper"], gold["upper"])
    if name in ("object", "place"):
        p, g = pred[name], gold[name]
        if not p or not g:
            return not p and not g
        return p in g or g in p
    if name == "period":
        return (pred["period_start"] == gold["period_start"]
                and pred["period_end"] == gold["period_end"])
    return pred[name] == gold[name]


def all_fields_ok(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Span (given) + value + approx + unit: the headline correctness."""
    return all(field_ok(f, pred, gold) for f in ("value", "approx", "unit"))


@dataclass
class Score:
    """Counts behind every figure ``zhstats eval`` prints."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    full_tp: int = 0
    field_right: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(FIELDS + STAT_FIELDS, 0))
    object_gold: int = 0
    stat_gold: int = 0
    """Matched spans whose gold carries the §5 fields."""
    misses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    false_alarms: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    wrong: list[tuple[str, dict[str, Any], dict[str, Any], list[str]]] = field(
        default_factory=list)

    @staticmethod
    def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def span(self) -> tuple[float, float, float]:
        """Span precision, recall, F1."""
        return self._f1(self.tp, self.fp, self.fn)

    @property
    def full(self) -> tuple[float, float, float]:
        """All-fields-correct precision, recall, F1 (a wrong field is a miss and a false alarm)."""
        bad = self.tp - self.full_tp
        return self._f1(self.full_tp, self.fp + bad, self.fn + bad)

    def accuracy(self, name: str) -> float:
        """Share of matched spans whose field ``name`` is right."""
        total = (self.object_gold if name == "object"
                 else self.stat_gold if name in STAT_FIELDS else self.tp)
        return self.field_right[name] / total if total else 1.0


def score_records(records: list[dict[str, Any]], rules: Ruleset | None = None) -> Score:
    """Match predictions to gold by exact span; optional gold neither helps nor hurts."""
    extract = Extractor(rules).extract
    s = Score()
    for rec in records:
        doc = rec.get("id", "?")
        gold = {(g["start"], g["end"]): g for g in rec["mentions"]}
        published = rec.get("meta", {}).get("published")
        pred = {(m.start, m.end): m.to_dict() for m in extract(rec["text"], published)}
        for key, g in gold.items():
            p = pred.get(key)
            if p is None:
                if not g.get("optional"):
                    s.fn += 1
                    s.misses.append((doc, g))
                continue
            if g.get("optional"):
                continue
            s.tp += 1
            bad = [f for f in FIELDS if f != "object" and not field_ok(f, p, g)]
            if g.get("object"):
                s.object_gold += 1
                if field_ok("object", p, g):
                    s.field_right["object"] += 1
                else:
                    bad.append("object")
            for f in FIELDS:
                if f != "object" and f not in bad:
                    s.field_right[f] += 1
            if "measure" in g:
                s.stat_gold += 1
                for f in STAT_FIELDS:
                    if field_ok(f, p, g):
                        s.field_right[f] += 1
                    else:
                        bad.append(f)
            if all_fields_ok(p, g):
                s.full_tp += 1
            if bad:
                s.wrong.append((doc, p, g, bad))
        for key, p in pred.items():
            if key not in gold:
                s.fp += 1
                s.false_alarms.append((doc, p))
    return s


GOLD_KEYS = ("text", "mentions")
MENTION_KEYS = ("start", "end", "surface", "value", "lower", "upper", "approx", "unit",
                "dimension")
"""What scoring reads of a gold line and of each of its mentions."""


class GoldError(ValueError):
    """A gold file line that is not an article in the contract's format."""


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Read a gold JSONL file (one article a line). Raises GoldError naming the line and
    what it lacks."""
    records = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                records.append(_gold_line(line, f"{path}, line {number}"))
    return records


def _gold_line(line: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise GoldError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
    except ValueError as e:  # a number too long to read
        raise GoldError(f"{where}: cannot be read as JSON ({e})") from None
    if not isinstance(record, dict):
        raise GoldError(f"{where}: a JSON {type(record).__name__}, not an object")
    missing = [k for k in GOLD_KEYS if k not in record]
    if missing or not isinstance(record["text"], str) or not isinstance(record["mentions"], list):
        raise GoldError(f"{where}: a gold line needs \"text\" (a string) and \"mentions\" "
                        f"(a list); it has {', '.join(map(repr, record)) or 'no keys'}")
    for i, mention in enumerate(record["mentions"]):
        lacks = ([] if not isinstance(mention, dict) else
                 [k for k in MENTION_KEYS if k not in mention])
        if not isinstance(mention, dict) or lacks:
            raise GoldError(f"{where}: mention {i} " + (
                f"lacks {', '.join(map(repr, lacks))}" if isinstance(mention, dict)
                else "is not an object"))
    return record


def report(s: Score, errors: bool = False) -> str:
    """The printed scorecard."""
    sp, sr, sf = s.span
    fp_, fr, ff = s.full
    lines = [
        f"gold mentions {s.tp + s.fn}, predicted {s.tp + s.fp}, matched {s.tp}",
        f"span            P {sp:.4f}  R {sr:.4f}  F1 {sf:.4f}",
        f"all-fields      P {fp_:.4f}  R {fr:.4f}  F1 {ff:.4f}",
        "field accuracy on matched spans:",
    ]
    lines += [f"  {name:<10} {s.accuracy(name):.4f}" for name in FIELDS]
    if s.stat_gold:
        lines.append(f"statistic fields (§5) on {s.stat_gold} matched spans:")
        lines += [f"  {name:<10} {s.accuracy(name):.4f}" for name in STAT_FIELDS]
    if errors:
        lines.append("misses:")
        lines += [f"  {doc} [{g['start']}:{g['end']}] {g['surface']}" for doc, g in s.misses]
        lines.append("false alarms:")
        lines += [f"  {doc} [{p['start']}:{p['end']}] {p['surface']} ({p['rule']})"
                  for doc, p in s.false_alarms]
        lines.append("wrong fields:")
        for doc, p, g, bad in s.wrong:
            diffs = ", ".join(
                f"{f}: {_show(p, f)} != {_show(g, f)}" for f in bad)
            lines.append(f"  {doc} {g['surface']}: {diffs}")
    return "\n".join(lines)


def _show(m: dict[str, Any], name: str) -> str:
    if name == "bounds":
        return f"[{m['lower']}, {m['upper']}]"
    if name == "period":
        return f"{m['period']!r} [{m['period_start']}, {m['period_end']}]"
    return repr(m[name])
