"""Properties of ``extract`` over arbitrary strings and over strings built from the rule
vocabularies, and the guard that extraction stays linear in the text's length.

For every input: ``extract`` returns (never raises); each mention's surface is
``text[start:end]``; mentions are sorted and do not overlap; bounds agree with
``approx`` (MENTIONS.md §4); values are finite; the same input gives the same output.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from legacy_scan import legacy_scan

from extractor import APPROX_FLAGS, DIMENSIONS, Mention, extract
from extractor.lexicon import fold
from extractor.ruleset import default_ruleset
from extractor.scanner import squeeze, unsqueeze

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = 2000
"""Examples per property (CI runs every one)."""
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def vocabulary() -> list[str]:
    """The words of the rule files (numerals, qualifiers, units, …) and characters that
    sit in and around numbers in real text, including marks that should not."""
    r = default_ruleset().raw
    num, q = r["numerals"], r["qualifiers"]
    words = {
        *num["digits"], *num["places"], *num["magnitudes"], *num["points"]["words"],
        *num["separators"]["chars"], num["fractions"]["connector"], num["fractions"]["mixed"],
        *num["multipliers"]["doubling"], num["multipliers"]["doubling_suffix"],
        *num["multipliers"]["negative"], *num["multipliers"]["percent_tenths"],
        *q["pre"], *q["mid"], *q["post"], *q["range"]["connectors"], *q["vague"]["markers"],
        *q["vague"]["trailing"], *q["vague"]["idioms"],
        *(w for ws in q["post_options"].values() for w in ws),
        *r["units"]["units"], *r["units"]["options"]["subunits"],
        *r["exclusions"]["words"]["list"][:40], *r["objects"]["stops"]["words"][:40],
    }
    words.update("0123456789")
    words.update(["0", "1", "00", "12", "3.5", "1,000", ".", ",", "%", "e", "E", "-", "+", "~",
                  " ", "，", "。", "、", "\n", "第", "年", "月", "日", "号", "企业", "增长",
                  "１", "２", "％", "．", "😀", "\u200b", "\u200d", "\u202e", "\u2067", "\ufe0f",
                  "\u3000", "\x00", "\ud800", "（", "）", "“", "”", "k", "w", "/",
                  "e9", "e-9", "E+30", "e308", "e999", "e-999"])  # scientific notation
    return sorted(words)


VOCAB = vocabulary()
TOKENS = st.one_of(st.sampled_from(VOCAB), st.text(max_size=2))
VOCAB_TEXT = st.lists(TOKENS, max_size=40).map("".join)
ANY_TEXT = st.text(st.characters(codec=None), max_size=200)


def check(text: str, mentions: list[Mention]) -> None:
    """Every invariant of the contract for ``extract(text)``."""
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text), m
        assert text[m.start:m.end] == m.surface, m
        assert m.start >= previous_end, f"{m} overlaps or is out of order"
        previous_end = m.end
        assert m.approx in APPROX_FLAGS and m.dimension in DIMENSIONS, m
        for x in (m.value, m.lower, m.upper):
            assert x is None or (isinstance(x, float) and math.isfinite(x)), m
        v, lo, hi = m.value, m.lower, m.upper
        if m.dimension == "ratio":  # 1:5 has no value; its flag says more or less
            assert v is None and lo is None and hi is None and m.unit is None, m
            continue
        if m.approx == "exact":
            assert v is not None and v == lo == hi, m
        elif m.approx == "about":
            assert v is not None and lo is None and hi is None, m
        elif m.approx == "over":
            assert v is not None and lo == v and (hi is None or hi > v), m
        elif m.approx == "under":
            assert v is not None and hi == v and lo is None, m
        else:  # range, vague
            assert v is None, m
            assert lo is None or hi is None or lo < hi, m


@pytest.mark.slow
@PROPERTY
@given(ANY_TEXT)
def test_any_text(text: str) -> None:
    check(text, extract(text))


@pytest.mark.slow
@PROPERTY
@given(VOCAB_TEXT)
def test_text_from_the_rule_vocabularies(text: str) -> None:
    check(text, extract(text))


def spans(text: str) -> list[tuple[str | None, tuple[int, int]]]:
    """(exclusion name or None, span in the scanned text) of every hit of the scan."""
    return [(hit.name, hit.scanned) for hit in default_ruleset().scanner.scan(text)]


def reference(text: str) -> list[tuple[str | None, tuple[int, int]]]:
    return legacy_scan(squeeze(fold(text))[0])


@pytest.mark.parametrize("text", ["1000 万元", "百分之 2", "59. 4亿元和11.1 %", "三千 九百  人",
                                  "没有空格的句子", "a  b 1 万 2 亿"])
def test_squeeze_maps_every_offset_back(text: str) -> None:
    folded = fold(text)
    squeezed, cuts, shifts = squeeze(folded)
    assert [folded[unsqueeze(x, cuts, shifts)] for x in range(len(squeezed))] == list(squeezed)
    assert len(folded) - len(squeezed) == (shifts[-1] if shifts else 0)


def _new_forms() -> tuple[str, ...]:
    """What the forms added since the old scan open with (ratio marks, 一半/半数/半):
    texts holding them are read differently on purpose."""
    num = default_ruleset().raw["numerals"]
    return (*num["ratios"]["marks"], *num["halves"]["alone"], *num["halves"]["qualified"])


@pytest.mark.slow
@PROPERTY
@given(st.one_of(VOCAB_TEXT, ANY_TEXT))
def test_scan_finds_what_the_old_alternation_found(text: str) -> None:
    assume(not any(w in fold(text) for w in _new_forms()))
    assert spans(text) == reference(text)


@pytest.mark.slow
def test_scan_finds_what_the_old_alternation_found_on_the_corpora() -> None:
    texts = [ex["text"] for _, ex in default_ruleset().examples()]
    for line in (ROOT / "tests" / "data" / "dev_gold.jsonl").read_text("utf-8").splitlines():
        texts.append(json.loads(line)["text"])
    texts.append((ROOT / "tests" / "data" / "seed" / "quality-month-2025-09-15.txt")
                 .read_text("utf-8"))
    texts = [t for t in texts if not any(w in fold(t) for w in _new_forms())]
    mismatched = [t[:40] for t in texts if spans(t) != reference(t)]
    assert not mismatched and len(texts) > 780


@pytest.mark.slow
@PROPERTY
@given(st.one_of(VOCAB_TEXT, ANY_TEXT))
def test_same_input_same_output(text: str) -> None:
    assert extract(text) == extract(text)


@pytest.mark.slow
def test_same_output_in_another_process() -> None:
    """No dependence on hash seeds or call history: two fresh processes agree."""
    rng = random.Random(7)
    texts = ["".join(rng.choice(VOCAB) for _ in range(rng.randrange(1, 40)))
             for _ in range(400)]
    code = ("import json, sys; from extractor import extract; "
            "print(json.dumps([[m.to_dict() for m in extract(t)] "
            "for t in json.load(sys.stdin)]))")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        env.pop("ZHSTATS_RULES", None)
        done = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts),
                              capture_output=True, text=True, env=env, timeout=300, check=True)
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0] == [[m.to_dict() for m in extract(t)] for t in texts]


# -- linear time ---------------------------------------------------------------

GUARD_KINDS = {"1": "1", "一": "一", "万": "万", "多": "多", "十": "十", "1.": "1."}
"""Pathological runs checked at 10⁶ characters (benchmarks/linear_time.py has them all)."""
DENSE_KINDS = {"1,": "1,", "3家企业，4%，": "3家企业，4%，"}
"""Runs with a mention every few characters, checked from 10⁴ to 10⁵ (10⁶ takes too long)."""


def _seconds(text: str) -> float:
    began = time.perf_counter()
    extract(text)
    return time.perf_counter() - began


@pytest.mark.slow
@pytest.mark.parametrize("unit", list(GUARD_KINDS.values()), ids=list(GUARD_KINDS))
def test_a_million_character_run_takes_linear_time(unit: str) -> None:
    """10⁶ characters take at most 25× the time of 10⁵ (linear: 10×; quadratic: 100×),
    and under a minute whatever the machine."""
    extract(unit * 10)  # compile outside the timing
    small = min(_seconds(unit * 100_000) for _ in range(2))
    big = _seconds(unit * 1_000_000)
    assert big < 60
    assert big < 25 * small + 0.5, f"10⁵: {small:.2f} s, 10⁶: {big:.2f} s"


@pytest.mark.slow
@pytest.mark.parametrize("unit", list(DENSE_KINDS.values()), ids=list(DENSE_KINDS))
def test_a_run_of_mentions_takes_linear_time(unit: str) -> None:
    """10⁵ characters thick with mentions take at most 25× the time of 10⁴."""
    extract(unit * 10)
    size = 10_000 // len(unit)
    small = min(_seconds(unit * size) for _ in range(3))
    big = _seconds(unit * size * 10)
    assert big < 25 * small + 0.5, f"10⁴: {small:.2f} s, 10⁵: {big:.2f} s"


@pytest.mark.slow
def test_paragraphs_each_with_a_period_take_linear_time() -> None:
    """2·10⁵ characters of short paragraphs, each with its period and a figure (each
    figure's period is looked up in its own paragraph), take at most 25× the time of 2·10⁴."""
    unit = "2024年3家。\n"
    extract(unit * 10)
    size = 20_000 // len(unit)
    small = min(_seconds(unit * size) for _ in range(3))
    big = _seconds(unit * size * 10)
    assert big < 25 * small + 0.5, f"2·10⁴: {small:.2f} s, 2·10⁵: {big:.2f} s"
