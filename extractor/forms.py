"""The kinds of mention: one ``Form`` each, in the order they are tried.

A form says which characters can start it, how the grammar reads it (the
named parts it yields, best first), how its parts become a value, and which
parts ``zhstats explain`` shows. Adding a kind of mention is one entry here
plus its words in the rule files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from extractor.grammar import DIGITS, HALF, Grammar, Groups

if TYPE_CHECKING:
    from extractor.reading import Reader, Reading

Getter = Callable[[str], str | None]


@dataclass(frozen=True)
class Form:
    """One kind of mention."""

    name: str
    first: Callable[[Grammar], frozenset[str]]
    """The characters the form can start with."""
    read: Callable[[Grammar, str, int], Iterator[tuple[int, Groups]]]
    """(end, parts) of each way the form can be read at a position, best first."""
    value: Callable[[Reader, Getter, Decimal], Reading | None]
    """The form's parts → a reading (before the tail's qualifiers and unit apply)."""
    fragments: tuple[str, ...]
    """The parts ``explain`` shows, in text order."""


# -- vague idioms: 成千上万, 数以万计 --------------------------------------------

def _idiom(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    w = gr.lex.vague_idioms.at(t, i)
    if w:
        yield i + len(w), {"vidiom": w}


def _idiom_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    lo, hi = rd.lex.vague_idiom_bounds[g("vidiom") or ""]
    return rd.reading(lower=Decimal(lo) * tail_mult, upper=Decimal(hi) * tail_mult or None,
                      approx="vague", rule="vague idiom")


# -- doubling: 翻一番, 翻了两番 ---------------------------------------------------

def _doubling(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    lex = gr.lex
    for w in lex.double.all_at(t, i):
        k = i + len(w)
        c = t[k:k + 1]
        if (c in DIGITS or c in lex.cn_digit) and t.startswith(lex.double_suffix, k + 1):
            end = k + 1 + len(lex.double_suffix)
            yield end, {"fan": t[i:end], "fan_n": c}


def _doubling_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    n = rd.number(g("fan_n") or "")
    if n is None:
        return None
    return rd.reading(value=Decimal(2) ** int(n[0]), unit=rd.numerals.doubling_unit,
                      dimension="multiple", rule="doubling (翻N番)")


# -- fractions: 三分之一, 百分之五, 2又3分之1 ---------------------------------------

def _fraction(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    lex = gr.lex
    if not gr.frac_near.match(t, i):
        return
    starts: list[tuple[int, Groups]] = []
    for whole in gr.nums(t, i):
        if t.startswith(lex.mixed, whole):
            starts.append((whole + len(lex.mixed), {"whole": t[i:whole]}))
    starts.append((i, {}))
    for p, g in starts:
        d = gr.sign(t, p)
        for q in ((d, p) if d > 0 else (p,)):
            for den in gr.nums(t, q):
                if not t.startswith(lex.frac, den):
                    continue
                k = den + len(lex.frac)
                n = gr.sign(t, k)
                for r in ((n, k) if n > 0 else (k,)):
                    for numer in gr.nums(t, r):
                        parts = {**g, "den": t[q:den], "numer": t[r:numer]}
                        if q > p:
                            parts["dsign"] = t[p:q]
                        if r > k:
                            parts["nsign"] = t[k:r]
                        yield numer, parts


def _fraction_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    den = rd.signed(rd.number(g("den") or ""), g("dsign"))
    numer = rd.signed(rd.number(g("numer") or ""), g("nsign"))
    whole = rd.number(g("whole") or "") if g("whole") else (Decimal(0), Decimal(1))
    if den is None or numer is None or whole is None or den[0] * den[1] == 0:
        return None
    d, n = den[0] * den[1], numer[0] * numer[1]
    if d == 100 and not g("whole"):
        return rd.reading(value=n, unit="%", dimension="percent", rule="percent (百分之N)")
    return rd.reading(value=whole[0] * whole[1] + n / d, dimension="other",
                      rule="fraction (A分之B)")


# -- tenths: 三成, 9.5成, 十成, 七五折, 三成半 ------------------------------------

def _tenths(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    lex = gr.lex
    c = t[i:i + 1]
    ends: list[int] = []
    if c in DIGITS and not (i and t[i - 1] in DIGITS | {"."}):
        j = i + 1 + (t[i + 1:i + 2] in DIGITS)
        ends = [j + 2, j] if t[j:j + 1] == "." and t[j + 1:j + 2] in DIGITS else [j]
    elif c in lex.cn_digit:
        j = i + 1 + (t[i + 1:i + 2] in lex.cn_digit)
        point = t[j:j + 1] in lex.cn_point and t[j + 1:j + 2] in lex.cn_digit
        ends = [j + 2, j] if point else [j]
    elif c in gr.tens:
        ends = [i + 1]
    for e in ends:
        w = lex.cheng.at(t, e)
        if not w:
            continue
        k = e + len(w)
        for kk in ((k + 1, k) if t[k:k + 1] == HALF else (k,)):
            if t[kk:kk + 1] not in lex.tenths_not_before:
                g = {"cheng": t[i:e], "tenth": w}
                if kk > k:
                    g["chalf"] = HALF
                yield kk, g


def _tenths_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    digits, word = g("cheng") or "", g("tenth") or ""
    top = rd.numerals.tenths[word]
    pair = rd.numerals.parse_pair(digits)
    if pair is not None:
        return rd.reading(lower=pair[0] * 10, upper=pair[1] * 10, approx="range", unit="%",
                          dimension="percent", rule="tenths range (七八成)")
    n = rd.number(digits)
    if n is None:
        return None
    tenths = n[0] * n[1]
    if tenths > top and len(digits) == 2 and all(
            c.isdigit() or c in rd.numerals.digits for c in digits):
        tenths /= 10  # 七五折 = 7.5折
    tenths += Decimal("0.5") if g("chalf") else 0  # 三成半
    if not 0 < tenths <= top:
        return None
    return rd.reading(value=tenths * 10, unit="%", dimension="percent",
                      rule="tenths (N成, N折)")


# -- vague amounts: 几十, 数百, 上千 ---------------------------------------------

def _vague(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    lex = gr.lex
    w = lex.vague_marker.at(t, i)
    if not w:
        return
    k = j = i + len(w)
    while j - k < 3 and t[j:j + 1] in lex.vague_place and gr.no_unit(t, j):
        j += 1
    if j > k:
        yield j, {"vmark": w, "vplace": t[k:j]}


def _vague_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    lower = rd.numerals.magnitude(g("vplace") or "") * tail_mult
    open_ = rd.lex.vague_markers[g("vmark") or ""] == "open"
    return rd.reading(lower=lower, upper=None if open_ else lower * 10, approx="vague",
                      rule="vague amount (几十/数百/上千)")


# -- half of a unit: 半斤, 半小时 ------------------------------------------------

def _half(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    if t[i:i + 1] == HALF and gr.units.at(t, i + 1) is not None:
        yield i + 1, {"halfn": HALF}


def _half_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    return rd.reading(value=Decimal("0.5"), rule="half (半斤)")


# -- halves of a whole: 一半, 半数, 过半 (50 %) ------------------------------------

def _halves(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    lex = gr.lex
    w = lex.halves_alone.at(t, i) or lex.halves_qualified.at(t, i)
    if w and gr.units.at(t, i + len(w)) is None:
        yield i + len(w), {"halfw": w}


def _halves_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    if g("unit") or g("mag"):
        return None  # 一半斤: not a share
    if g("halfw") not in rd.lex.halves_alone and not (g("pre") or g("posts")):
        return None  # 半 alone (半导体) is no quantity
    return rd.reading(value=Decimal(str(rd.lex.half_percent)), unit="%", dimension="percent",
                      rule="half (一半, 半数)")


# -- ratios: 1:5, 6.1:38.2:55.7 ---------------------------------------------------

def _ratio(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    if i and t[i - 1] in DIGITS | {"."}:
        return
    marks = gr.lex.ratio_marks
    e = gr.arabic_core(t, i)
    parts = 1
    while True:
        mark = marks.at(t, e)
        if not mark or t[e + len(mark):e + len(mark) + 1] not in DIGITS:
            break
        e = gr.arabic_core(t, e + len(mark))
        parts += 1
    if parts > 1:
        yield e, {"ratio": t[i:e]}


def _ratio_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    if g("unit") or g("mag"):
        return None
    return rd.reading(dimension="ratio", rule="ratio (A:B)")


# -- numbers and ranges: 130, 3.5万, 三千五, 3至5万, 十几 --------------------------

def _number(gr: Grammar, t: str, i: int) -> Iterator[tuple[int, Groups]]:
    lex = gr.lex
    if gr.conn_near.match(t, i):
        for e1 in gr.nums(t, i):
            for u1 in [*lex.units.all_at(t, e1), ""]:
                k = e1 + len(u1)
                inc = lex.inclusive.at(t, k)
                k += len(inc) if inc else 0
                for conn in lex.conn.all_at(t, k):
                    c2 = k + len(conn)
                    s2 = gr.sign(t, c2)
                    for n in ((s2, c2) if s2 > 0 else (c2,)):
                        for e2 in gr.nums(t, n):
                            g = {"n1": t[i:e1], "conn": conn, "num": t[n:e2]}
                            if u1:
                                g["u1"] = u1
                            if n > c2:
                                g["sign2"] = t[c2:n]
                            yield _few(gr, t, e2, g)
    for e in gr.nums(t, i):
        yield _few(gr, t, e, {"num": t[i:e]})


def _few(gr: Grammar, t: str, e: int, g: Groups) -> tuple[int, Groups]:
    few = gr.lex.few.at(t, e)
    if few:
        return e + len(few), {**g, "few": few}
    return e, g


def _number_value(rd: Reader, g: Getter, tail_mult: Decimal) -> Reading | None:
    return rd.main(g, tail_mult)


FORMS: tuple[Form, ...] = (
    Form("vague idiom", lambda gr: gr.lex.vague_idioms.first, _idiom, _idiom_value,
         ("vidiom",)),
    Form("doubling", lambda gr: gr.lex.double.first, _doubling, _doubling_value,
         ("fan",)),
    Form("fraction", lambda gr: gr.num_first | gr.lex.negative.first, _fraction,
         _fraction_value, ("whole", "dsign", "den", "nsign", "numer")),
    Form("tenths", lambda gr: DIGITS | gr.lex.cn_digit | gr.tens, _tenths, _tenths_value,
         ("cheng", "tenth", "chalf")),
    Form("vague amount", lambda gr: gr.lex.vague_marker.first, _vague, _vague_value,
         ("vmark", "vplace")),
    Form("half", lambda gr: frozenset(HALF), _half, _half_value, ("halfn",)),
    Form("halves", lambda gr: gr.lex.halves_alone.first | gr.lex.halves_qualified.first,
         _halves, _halves_value, ("halfw",)),
    Form("ratio", lambda gr: DIGITS if gr.lex.ratio_marks.words else frozenset(), _ratio,
         _ratio_value, ("ratio",)),
    Form("number", lambda gr: gr.num_first, _number, _number_value,
         ("n1", "u1", "conn", "sign2", "num", "few")),
)
TAIL_FRAGMENTS = ("q1", "mag", "cls", "q3", "half", "unit", "tenths", "hundredths")
