"""Run the peers' test suites (tests/data/conformance) against ``extract``.

Each suite's expected output is compared with a mapping of our mentions
(MENTIONS.md wins where the conventions differ):

- Recognizers-Text: every expected result needs a mention of ours that
  overlaps its span and whose number matches (a value or a bound; a percent
  as a ratio, a currency by ISO code, a dimension in its base unit, a range
  by its interval bounds with open/closed ignored). A case that expects
  nothing fails if we emit a mention of the suite's kind. Results with no
  value (a currency name alone) state no quantity: out of scope.
- JioNLP money parser: our longest mention, its value or bounds and its
  approx against ``num`` and ``definition``, its unit against ``case``.
- JioNLP money extractor: every expected money span overlaps a currency
  mention of ours, and every currency mention of ours overlaps one.
- cn2an: ``extract(input)`` gives one mention with the expected value.
  In scope: numeral → value conversions in strict, normal and smart mode
  (the same input counts once per mode, as upstream asserts it), and the
  error cases that every mode rejects (we pass them if no mention spans the
  whole input). Out of scope: ``direct`` mode (digit strings with leading
  zeros kept), and strict-only errors that normal or smart mode read (we read
  numerals like smart mode). transform.jsonl: sentences in ``cn2an`` direction
  without ``direct`` are a separate suite (our values against the numbers of
  the rewritten sentence); ``an2cn`` and ``direct`` are out of scope.

A failing case listed in ``exceptions.toml`` (suite + input [+ index] +
reason) is a documented difference, not a failure; at most 10% of a suite.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from extractor.mention import Mention

if TYPE_CHECKING:
    from extractor.ruleset import Ruleset

DATA = Path(__file__).parent.parent / "tests/data/conformance"
EXCEPTIONS = "exceptions.toml"
MAX_DOCUMENTED = 0.10
REL = 1e-9

# (suite, file, target pass rate or None)
RT_SUITES = (
    ("Number", "NumberModel", 0.90),
    ("Percent", "PercentModel", 0.90),
    ("Ordinal", "OrdinalModel", None),
    ("NumberRange", "NumberRangeModel", None),
    ("Currency", "CurrencyModel", 0.90),
    ("Dimension", "DimensionModel", 0.90),
)
TARGETS = {name: target for name, _, target in RT_SUITES} | {
    "money_parser": 0.95, "money_extractor": None, "cn2an": 1.0, "cn2an_transform": None}

# Our currency units → (ISO code, factor); a unit not listed is its own code.
CURRENCY = {
    "元": ("CNY", 1), "圆": ("CNY", 1), "圓": ("CNY", 1), "块": ("CNY", 1), "塊": ("CNY", 1),
    "块钱": ("CNY", 1), "塊錢": ("CNY", 1), "元钱": ("CNY", 1), "人民币": ("CNY", 1),
    "人民幣": ("CNY", 1), "角": ("CNY", 0.1), "美元": ("USD", 1), "美金": ("USD", 1),
    "美圆": ("USD", 1), "欧元": ("EUR", 1), "歐元": ("EUR", 1), "港元": ("HKD", 1),
    "港币": ("HKD", 1), "港幣": ("HKD", 1), "新台币": ("TWD", 1), "新台幣": ("TWD", 1),
    "台币": ("TWD", 1), "台幣": ("TWD", 1), "日元": ("JPY", 1), "日圆": ("JPY", 1),
    "日圓": ("JPY", 1), "瑞士法郎": ("CHF", 1), "奈拉": ("NGN", 1), "比特币": ("BTC", 1),
    "英镑": ("GBP", 1), "韩元": ("KRW", 1), "泰铢": ("THB", 1), "卢布": ("RUB", 1),
    "澳元": ("AUD", 1), "加元": ("CAD", 1),
}
RT_CURRENCY = {"Bitcoin": "BTC"}  # RT currency units that carry no ISO code
# JioNLP ``case`` names of our currency codes (元 is its default).
JIO_CASE = {"CNY": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元", "TWD": "新台币",
            "JPY": "日元", "THB": "泰铢", "RUB": "卢布", "KRW": "韩元", "AUD": "澳元"}

# Units → (base unit, factor): ours by their written form, RT's by name.
MEASURES = {
    "米": ("m", 1), "m": ("m", 1), "千米": ("m", 1e3), "公里": ("m", 1e3), "km": ("m", 1e3),
    "厘米": ("m", 1e-2), "公分": ("m", 1e-2), "cm": ("m", 1e-2), "CM": ("m", 1e-2),
    "毫米": ("m", 1e-3), "mm": ("m", 1e-3), "克": ("g", 1), "g": ("g", 1),
    "千克": ("g", 1e3), "公斤": ("g", 1e3), "kg": ("g", 1e3), "KG": ("g", 1e3),
    "吨": ("g", 1e6), "t": ("g", 1e6), "毫克": ("g", 1e-3), "微克": ("g", 1e-6),
    "斤": ("g", 500), "两": ("g", 50), "亩": ("mu", 1), "比特": ("bit", 1),
    "千比特": ("bit", 1e3), "兆比特": ("bit", 1e6), "字节": ("B", 1), "千字节": ("B", 1e3),
    "兆字节": ("B", 1e6), "赫兹": ("Hz", 1), "Hz": ("Hz", 1), "兆赫": ("Hz", 1e6),
    "兆赫兹": ("Hz", 1e6), "瓦": ("W", 1), "千瓦": ("W", 1e3), "kW": ("W", 1e3),
    "卡": ("cal", 1), "千卡": ("cal", 1e3), "大卡": ("cal", 1e3),
}
RT_MEASURES = {
    "Meter": ("m", 1), "Kilometer": ("m", 1e3), "Centimeter": ("m", 1e-2), "Gram": ("g", 1),
    "Kilogram": ("g", 1e3), "Ton": ("g", 1e6), "Microgram": ("g", 1e-6), "Jin": ("g", 500),
    "Liang": ("g", 50), "Mu": ("mu", 1), "Bit": ("bit", 1), "Kilobit": ("bit", 1e3),
    "Byte": ("B", 1), "Kilobyte": ("B", 1e3), "Megabyte": ("B", 1e6), "Hertz": ("Hz", 1),
    "Megahertz": ("Hz", 1e6), "Kilowatt": ("W", 1e3), "Kilocalorie": ("cal", 1e3),
}
MEASURE_DIMENSIONS = frozenset({"area", "mass", "length", "volume", "energy", "power", "other"})
OUT_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?")


@dataclass(frozen=True)
class Case:
    """One test case of a peer suite."""

    suite: str
    index: int
    input: str
    expected: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class CaseResult:
    """A case's outcome: ``error`` is None when it passed; ``reason`` when documented."""

    case: Case
    error: str | None
    reason: str | None = None
    got: str = ""


@dataclass
class SuiteResult:
    """Pass counts of one suite (documented exceptions are not failures)."""

    name: str
    source: str
    target: float | None
    passed: int = 0
    documented: int = 0
    skipped: int = 0
    failures: list[CaseResult] = field(default_factory=list)
    exceptions: list[CaseResult] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def total(self) -> int:
        """Cases in scope."""
        return self.passed + self.documented + self.failed

    @property
    def rate(self) -> float:
        """(passed + documented) / in scope."""
        return (self.passed + self.documented) / self.total if self.total else 1.0

    @property
    def strict_rate(self) -> float:
        """passed / in scope."""
        return self.passed / self.total if self.total else 1.0


@dataclass(frozen=True)
class Documented:
    """One entry of exceptions.toml: a case where our contract rightly differs."""

    suite: str
    input: str
    reason: str
    index: int | None = None

    def matches(self, case: Case) -> bool:
        """Whether the entry names this case (any index when it gives none)."""
        return (case.suite == self.suite and case.input == self.input
                and (self.index is None or self.index == case.index))


# ---------------------------------------------------------------- values


def close(a: float | None, b: float | None, abs_tol: float = 1e-15) -> bool:
    """Equal within 1e-9 relative (or ``abs_tol``); None only equals None."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(REL * max(abs(a), abs(b)), abs_tol)


def _numbers(m: Mention) -> list[float]:
    return [v for v in (m.value, m.lower, m.upper) if v is not None]


def _shipped() -> Ruleset:
    """The shipped rules, imported on first use (``zhstats --help`` loads no engine)."""
    from extractor.ruleset import default_ruleset

    return default_ruleset()


def _magnitudes() -> dict[str, float]:
    return {k: float(v) for k, v in _shipped().numerals.magnitudes.items()}


def stated(m: Mention) -> list[float]:
    """The numbers a mention states: its value, else its bounds; a unit that starts
    with a magnitude resolved to its base unit (2 千米 → 2000 米)."""
    nums = [m.value] if m.value is not None else [v for v in (m.lower, m.upper) if v is not None]
    unit, mags = m.unit, _magnitudes()
    if unit and len(unit) > 1 and unit[0] in mags and unit[1:] in _shipped().lexicon.units:
        return [v * mags[unit[0]] for v in nums]
    return nums


def ratio(m: Mention) -> list[float]:
    """A share as a ratio: 50 % → 0.5, 3 个百分点 → 0.03, 2 ‰ → 0.002, 1/3 → 0.333."""
    if m.unit == "‰":
        return [v / 1000 for v in _numbers(m)]
    if m.dimension in ("percent", "percentage_point"):
        return [v / 100 for v in _numbers(m)]
    if m.rule.startswith("fraction"):
        return _numbers(m)
    return []


def _overlaps(m: Mention, start: int, end: int) -> bool:
    return m.start < end and start < m.end


def _show(ms: Iterable[Mention]) -> str:
    out = []
    for m in ms:
        nums = f"{m.value:g}" if m.value is not None else f"[{m.lower}, {m.upper}]"
        out.append(f"{m.surface}={nums}{m.unit or ''} {m.approx}")
    return "; ".join(out) or "(none)"


# ---------------------------------------------------------------- loading


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _rt_cases(name: str, file: str, base: Path) -> list[Case]:
    return [Case(name, d["index"], d["input"], d)
            for d in _jsonl(base / "recognizers-text" / f"{file}.jsonl")]


@cache
def load_exceptions(base: Path = DATA) -> tuple[Documented, ...]:
    """The documented exceptions (empty if the file is missing)."""
    path = base / EXCEPTIONS
    if not path.is_file():
        return ()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(Documented(e["suite"], e["input"], e["reason"], e.get("index"))
                 for e in data.get("exception", []))


# ---------------------------------------------------------------- judges
# A judge takes a case and our mentions; it returns None (pass), an error
# message (fail) or SKIP (out of scope).

SKIP = "\0skip"
Judge = Callable[[Case, list[Mention]], str | None]


def _rt_value(r: dict[str, Any]) -> float:
    return float(str(r["value"]).rstrip("%"))


def _interval(v: str) -> tuple[float | None, float | None]:
    lo, hi = v[1:-1].split(",")
    return (float(lo) if lo else None), (float(hi) if hi else None)


def _rt_match(suite: str, m: Mention, r: dict[str, Any]) -> bool:
    if suite == "Number":
        want = _rt_value(r)
        shares = [v / 100 for v in _numbers(m)] if m.unit == "%" else []
        return any(close(v, want) for v in _numbers(m) + shares)
    if suite == "Percent":
        want = _rt_value(r) / 100
        return any(close(v, want) for v in ratio(m))
    if suite == "Currency":
        code, factor = CURRENCY.get(m.unit or "", (m.unit, 1))
        want_code = r.get("iso_currency") or RT_CURRENCY.get(r.get("unit", ""))
        return code == want_code and any(close(v * factor, _rt_value(r)) for v in _numbers(m))
    if suite == "Dimension":
        ours, theirs = MEASURES.get(m.unit or ""), RT_MEASURES.get(r.get("unit", ""))
        if ours is None or theirs is None or ours[0] != theirs[0]:
            return False
        return any(close(v * ours[1], _rt_value(r) * theirs[1]) for v in _numbers(m))
    if suite == "NumberRange":
        lo, hi = _interval(r["value"])
        if m.approx == "exact":
            return close(m.value, lo) and close(m.value, hi)
        return close(m.lower, lo) and close(m.upper, hi)
    if suite == "Ordinal":
        return close(m.value, _rt_value(r))
    raise ValueError(suite)


def _rt_kind(suite: str, m: Mention) -> bool:
    """Whether a mention is of the kind a suite's model extracts."""
    if suite == "Percent":
        return bool(ratio(m))
    if suite == "Currency":
        return m.dimension == "currency"
    if suite == "Dimension":
        return m.dimension in MEASURE_DIMENSIONS and m.unit is not None
    return True


def judge_rt(case: Case, ms: list[Mention]) -> str | None:
    """Recognizers-Text: each result overlapped by a matching mention."""
    results = case.expected["results"]
    if not results:
        extra = [m for m in ms if _rt_kind(case.suite, m)]
        return f"expected nothing, got {_show(extra)}" if extra else None
    results = [r for r in results if r.get("value") is not None]
    if not results:
        return SKIP
    for r in results:
        span = [m for m in ms if _overlaps(m, r["start"], r["end"] + 1)]
        if not any(_rt_match(case.suite, m, r) for m in span):
            return f"missing {r['text']}={r['value']}"
    return None


def judge_money_parser(case: Case, ms: list[Mention]) -> str | None:
    """JioNLP parse_money: amount, definition and currency of our longest mention."""
    if not ms:
        return "no mention"
    m = max(ms, key=lambda x: x.end - x.start)
    d = case.expected
    code = CURRENCY.get(m.unit or "元", (m.unit, 1))[0]
    if JIO_CASE.get(code or "", m.unit) != d["case"]:
        return f"currency {m.unit} is not {d['case']}"
    tol = 0.005  # JioNLP rounds to two decimals
    num, definition = d["num"], d["definition"]
    if isinstance(num, list):
        lo, hi = (float(x) for x in num)
        ok = (m.approx in ("range", "vague", "over") and close(m.lower, lo, tol)
              and close(m.upper, hi, tol))
    else:
        want = float(num)
        approx, number = {
            "accurate": ("exact", m.value), "blur": ("about", m.value),
            "blur+": ("over", m.lower), "blur-": ("under", m.upper),
        }[definition]
        ok = m.approx == approx and close(number, want, tol)
    return None if ok else f"{definition} {num} vs {m.approx}"


def judge_money_extractor(case: Case, ms: list[Mention]) -> str | None:
    """JioNLP extract_money: the money spans and our currency mentions overlap one-to-one."""
    money = [m for m in ms if m.dimension == "currency"]
    spans = [tuple(e["offset"]) for e in case.expected["expected"]]
    for start, end in spans:
        if not any(_overlaps(m, start, end) for m in money):
            return f"missing {case.input[start:end]}"
    extra = [m for m in money if not any(_overlaps(m, s, e) for s, e in spans)]
    return f"unexpected {_show(extra)}" if extra else None


def judge_cn2an(case: Case, ms: list[Mention]) -> str | None:
    """cn2an: one mention with the value; an error case: no mention of the whole input."""
    d = case.expected
    if d["error"]:
        whole = [m for m in ms if m.start == 0 and m.end == len(case.input)]
        return f"read the malformed {case.input!r}" if whole else None
    if len(ms) != 1:
        return f"{len(ms)} mentions"
    return None if close(ms[0].value, float(d["output"])) else f"value is not {d['output']}"


def _out_number(s: str) -> float:
    if "/" in s:
        a, b = s.split("/")
        return float(a) / float(b)
    return float(s)


def judge_transform(case: Case, ms: list[Mention]) -> str | None:
    """cn2an transform: our values are the numbers of the rewritten sentence."""
    want = sorted(_out_number(s) for s in OUT_NUMBER.findall(case.expected["output"]))
    got = sorted(v for m in ms for v in stated(m))
    if len(got) == len(want) and all(close(a, b) for a, b in zip(got, want, strict=True)):
        return None
    return f"numbers {want}"


# ---------------------------------------------------------------- suites


def _cn2an_cases(base: Path) -> tuple[list[Case], set[int]]:
    """cn2an.jsonl cases and the indexes that are out of scope."""
    rows = _jsonl(base / "cn2an" / "cn2an.jsonl")
    readable = {d["input"] for d in rows if not d["error"]}
    cases = [Case("cn2an", i, d["input"], d) for i, d in enumerate(rows)]
    skip = {i for i, d in enumerate(rows)
            if d["mode"] == "direct" or (d["error"] and d["input"] in readable)}
    return cases, skip


def _transform_cases(base: Path) -> tuple[list[Case], set[int]]:
    rows = _jsonl(base / "cn2an" / "transform.jsonl")
    cases = [Case("cn2an_transform", i, d["input"], d) for i, d in enumerate(rows)]
    return cases, {i for i, d in enumerate(rows) if d["method"] != "cn2an" or d["direct"]}


def suites(base: Path = DATA) -> list[tuple[str, str, list[Case], set[int], Judge]]:
    """(name, source file, cases, out-of-scope indexes, judge) of every suite."""
    out: list[tuple[str, str, list[Case], set[int], Judge]] = [
        (name, f"recognizers-text/{file}.jsonl", _rt_cases(name, file, base), set(), judge_rt)
        for name, file, _ in RT_SUITES]
    for name, judge in (("money_parser", judge_money_parser),
                        ("money_extractor", judge_money_extractor)):
        rows = _jsonl(base / "jionlp" / f"{name}.jsonl")
        out.append((name, f"jionlp/{name}.jsonl",
                    [Case(name, d["index"], d["input"], d) for d in rows], set(), judge))
    out.append(("cn2an", "cn2an/cn2an.jsonl", *_cn2an_cases(base), judge_cn2an))
    out.append(("cn2an_transform", "cn2an/transform.jsonl", *_transform_cases(base),
                judge_transform))
    return out


def run_suite(name: str, source: str, cases: list[Case], skip: set[int], judge: Judge,
              exceptions: Iterable[Documented] = ()) -> SuiteResult:
    """Judge every case of one suite."""
    from extractor.engine import extract  # compiles the rules: not at import time

    result = SuiteResult(name, source, TARGETS.get(name))
    documented = [e for e in exceptions if e.suite == name]
    memo: dict[str, list[Mention]] = {}
    for case in cases:
        if case.index in skip:
            result.skipped += 1
            continue
        if case.input not in memo:
            memo[case.input] = extract(case.input)
        ms = memo[case.input]
        error = judge(case, ms)
        if error == SKIP:
            result.skipped += 1
        elif error is None:
            result.passed += 1
        else:
            reason = next((e.reason for e in documented if e.matches(case)), None)
            outcome = CaseResult(case, error, reason, _show(ms))
            if reason is None:
                result.failures.append(outcome)
            else:
                result.documented += 1
                result.exceptions.append(outcome)
    return result


def run_all(base: Path = DATA) -> list[SuiteResult]:
    """Every suite's result, with the documented exceptions applied."""
    if not base.is_dir():
        raise FileNotFoundError(f"conformance data not found: {base}")
    exceptions = load_exceptions(base)
    return [run_suite(*s, exceptions=exceptions) for s in suites(base)]


def format_table(results: list[SuiteResult], failures: bool = False) -> str:
    """A plain-text table: pass rate per suite (and the failing cases)."""
    head = (f"{'suite':<16} {'passed':>6} {'documented':>10} {'failed':>6} {'in scope':>8} "
            f"{'skipped':>7} {'strict':>7} {'rate':>7} {'target':>7}")
    lines = [head, "-" * len(head)]
    for r in results:
        target = f"{r.target:.0%}" if r.target is not None else "-"
        mark = "" if r.target is None or r.rate >= r.target else "  below target"
        lines.append(f"{r.name:<16} {r.passed:>6} {r.documented:>10} {r.failed:>6} "
                     f"{r.total:>8} {r.skipped:>7} {r.strict_rate:>7.1%} {r.rate:>7.1%} "
                     f"{target:>7}{mark}")
    lines.append("strict = passed / in scope; rate = (passed + documented) / in scope; "
                 "documented exceptions: tests/data/conformance/exceptions.toml")
    if failures:
        for r in results:
            for f in r.failures:
                lines.append(f"FAIL {r.name}#{f.case.index} {f.case.input!r}: {f.error}"
                             f" | got {f.got}")
    return "\n".join(lines)


def conformance_command(
    failures: Annotated[bool, typer.Option("--failures", help="List every failing case.")]
    = False,
) -> None:
    """Pass rate of the extractor on each peer test suite (tests/data/conformance)."""
    if not DATA.is_dir():
        typer.echo(f"conformance data not found: {DATA} (it ships with the source "
                   "checkout, not the wheel)", err=True)
        raise typer.Exit(1)
    typer.echo(format_table(run_all(), failures=failures))
