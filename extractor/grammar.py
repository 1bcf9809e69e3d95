"""Phase two of the scan: the grammar of a mention, read at one position.

A mention is ``[pre-qualifier] [sign] FORM TAIL``: the form is one of the
kinds of ``forms.FORMS`` (a plain number or range, a fraction, 三成, 翻两番,
几十, 成千上万…), the tail its mid-qualifier, magnitude, unit, sub-units and
post-qualifiers. Each part is a longest-first lookup in the word tables of
the ``Lexicon``; where a part fails, the reader falls back as a backtracking
regex would (a shorter word, then none), so the grammar is the one the rule
files describe and no input makes it search more than a few fall-backs.

Every reader returns the end of what it read, or -1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from extractor.lexicon import Lexicon

if TYPE_CHECKING:
    from extractor.forms import Form

Groups = dict[str, str]
ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
DIGITS = frozenset("0123456789")
NEAR = 16
"""How far ahead (within the clause) a range connector or 分之 is looked for."""
CLAUSE_BREAKS = frozenset("，。；！？\n")
_ARABIC = re.compile(r"[0-9]++(?:,[0-9]{3}+(?![0-9]))*+(?:\.[0-9]++)?(?:[eE][-+]?[0-9]++)?")
_ARABIC_PARTS = re.compile(r"[0-9]++(?:,[0-9]{3}+(?![0-9]))*+(?P<dec>\.[0-9]++)?"
                           r"(?P<exp>[eE][-+]?[0-9]++)?")
_DIGIT_RUN = re.compile(r"[0-9]+")
_LEAD_RUN = re.compile(r"[0-9]{1,3}+(?:,[0-9]{3}+)++(?![0-9])|[0-9]+")
"""The digits before a mixed number's first place word, thousands separators allowed
(1,126万7千)."""
_NO_ARABIC_BEFORE = ALNUM | {"."}
_NO_SIGN_AFTER = ALNUM | frozenset(")]%.-")
_CHENG_NOT_AFTER = DIGITS | {"."}
_ZERO = frozenset("零〇")
_SKIP_ZERO, _NO_SKIP = (1, 0), (0,)  # a zero may stand before the hundredths digit
_GE = frozenset("个個")
_NOT_AFTER_FEN = frozenset("钟鐘之")
_QIAN = frozenset("钱錢")
HALF = "半"


class Match:
    """What the grammar read at one position: its span, form and named parts (a plain
    class: compiled, its constructor is native, where a dataclass's is interpreted)."""

    __slots__ = ("end", "form", "groups", "posts", "start")

    def __init__(self, start: int, end: int, form: str, groups: Groups,
                 posts: tuple[str, ...] = ()) -> None:
        self.start = start
        self.end = end
        self.form = form
        self.groups = groups
        self.posts = posts


class Grammar:
    """The readers of each part of a mention, over one ``Lexicon``."""

    def __init__(self, lex: Lexicon, forms: Sequence[Form], ten_places: frozenset[str]) -> None:
        self.lex = lex
        self.tens = ten_places
        self.units = lex.units
        self.unit_first = lex.units.first
        self.cn_digit = lex.cn_digit
        self.cn_digit_free = lex.cn_digit - lex.cn_digit_unit
        self.cn_digit_unit = lex.cn_digit_unit
        self.cn_place = lex.cn_place
        self.cn_big = lex.cn_big
        self.cn_num = lex.cn_num
        self.mags = lex.mags
        self.num_first = DIGITS | lex.cn_num
        self.conn_first = lex.conn.first
        self.forms = tuple((form, form.first(self)) for form in forms)
        # a range connector (or 分之) ahead within the clause; the connector as a possessive
        # run of what it is not, then it (a lazy run retries at every character)
        breaks = "".join(sorted(CLAUSE_BREAKS))
        conns = "".join(re.escape(c) for c in sorted(self.conn_first))
        self.conn_near = re.compile(f"[^{breaks}{conns}]{{0,{NEAR}}}+[{conns}]")
        self.frac_near = re.compile(f"[^{breaks}]{{0,{NEAR}}}?{re.escape(lex.frac)}")
        # where only a plain number can start (no pre-qualifier, sign or other form)
        others = (lex.pre_q.first | lex.negative.first | lex.vague_idioms.first
                  | lex.double.first | lex.vague_marker.first | {HALF}
                  | lex.halves_alone.first | lex.halves_qualified.first)
        self.plain_first = self.num_first - others
        self.pre_first = lex.pre_q.first
        cheng = "|".join(re.escape(w) for w in sorted(lex.cheng.words, key=len, reverse=True))
        digit_class = "[" + "".join(re.escape(c) for c in sorted(lex.cn_digit)) + "]"
        point_class = "[" + "".join(re.escape(c) for c in sorted(lex.cn_point)) + "]"
        tens_class = "[" + "".join(re.escape(c) for c in sorted(ten_places)) + "]"
        marks = "|".join(re.escape(w) for w in sorted(lex.ratio_marks.words, key=len, reverse=True))
        ratio_hint = rf"{_ARABIC.pattern}(?:{marks})[0-9]" if marks else "(?!)"
        tenths_hint = (
            rf"(?:[0-9]{{1,2}}(?:\.[0-9])?|{digit_class}{{1,2}}(?:{point_class}{digit_class})?"
            rf"|{tens_class})(?:{cheng})")
        # one test for every reason the plain-number path does not apply: 三成, 1:5,
        # 三分之一 ahead, or a range connector ahead (named, for a closer look)
        self.not_plain = re.compile(
            f"(?P<tenths>{tenths_hint})|(?P<ratio>{ratio_hint})|(?P<frac>{self.frac_near.pattern})"
            f"|(?P<conn>{self.conn_near.pattern})")

    # -- the parts ---------------------------------------------------------

    def no_unit(self, t: str, i: int) -> bool:
        """No unit word starts at ``i`` (the guard on a place word: 千 but not 千克)."""
        return t[i:i + 1] not in self.unit_first or self.units.at(t, i) is None

    def nums(self, t: str, i: int) -> Iterator[int]:
        """Ends of a number at ``i``: mixed (3万4000), Arabic (3.5万), Chinese (三千五)."""
        c = t[i:i + 1]
        if c in DIGITS:
            if i and t[i - 1] in _NO_ARABIC_BEFORE:
                return
            mixed = self._mixed(t, i)
            if mixed > 0:
                yield mixed
            yield from self._arabics(t, i)
        elif c in self.cn_num:
            end = self._chinese(t, i)
            if end > 0:
                yield end

    def num(self, t: str, i: int) -> int:
        """The first reading of ``nums``, or -1."""
        c = t[i:i + 1]
        if c in DIGITS:
            if i and t[i - 1] in _NO_ARABIC_BEFORE:
                return -1
            mixed = self._mixed(t, i)
            return mixed if mixed > 0 else self._arabic(t, i)
        return self._chinese(t, i) if c in self.cn_num else -1

    def arabic_core(self, t: str, i: int) -> int:
        """The end of the Arabic digits (with separators and a decimal part) at ``i``."""
        return _ARABIC.match(t, i).end()  # type: ignore[union-attr]

    def _arabics(self, t: str, i: int) -> Iterator[int]:
        """Ends of an Arabic number at ``i``: whole, then without its exponent, then
        without its decimal part (as the optional groups of a regex give way)."""
        m = _ARABIC_PARTS.match(t, i)
        assert m is not None
        yield self._mags(t, m.end())
        if m.group("exp"):
            yield self._mags(t, m.start("exp"))
        if m.group("dec"):
            yield self._mags(t, m.start("dec"))

    def _arabic(self, t: str, i: int) -> int:
        j = _ARABIC.match(t, i).end()  # type: ignore[union-attr]
        return self._mags(t, j)

    def _mags(self, t: str, j: int, chars: frozenset[str] | None = None) -> int:
        """Up to three magnitude words (of ``chars``, default all; none opening a unit)
        from ``j``."""
        chars = self.mags if chars is None else chars
        for _ in range(3):
            if t[j:j + 1] in chars and self.no_unit(t, j):
                j += 1
            else:
                break
        return j

    def _mixed(self, t: str, i: int) -> int:
        """Arabic digits between place words: 3万4000, 1千零1, 5亿1万4千6百, 100万三千,
        1,126万7千."""
        places, cn_digit = self.cn_place, self.cn_digit
        j, n = i, len(t)
        while j < n and t[j] in DIGITS:
            j += 1
        c = t[j:j + 1]
        if c != "," and c not in places:
            return -1  # most numbers: no place word after the digits (a loop, no pattern)
        j = _LEAD_RUN.match(t, i).end()  # type: ignore[union-attr]
        steps = 0
        while t[j:j + 1] in places and self.no_unit(t, j):
            k = j + 1
            if t[k:k + 1] in _ZERO:
                k += 1
            c = t[k:k + 1]
            if c in DIGITS:
                k = _DIGIT_RUN.match(t, k).end()  # type: ignore[union-attr]
            elif c in cn_digit:
                while t[k:k + 1] in cn_digit:
                    k += 1
            else:
                break
            j, steps = k, steps + 1
        if not steps:
            return -1
        while t[j:j + 1] in places and self.no_unit(t, j):
            j += 1
        return j

    def _follows(self, t: str, k: int) -> bool:
        """Whether more of a number (or its unit) follows a digit that is also a unit (两)."""
        c = t[k:k + 1]
        lex = self.lex
        return bool(c) and (
            c in self.cn_num or c in lex.cn_point or c in DIGITS
            or any(w.at(t, k) is not None for w in (lex.mid_q, lex.few, lex.units, lex.conn))
            or t.startswith(lex.mixed, k))

    def _chinese(self, t: str, i: int) -> int:
        free, unit_digits, places = self.cn_digit_free, self.cn_digit_unit, self.cn_place
        j = i
        while True:
            c = t[j:j + 1]
            if c in free or (c in unit_digits and self._follows(t, j + 1)) or (
                    c in places and self.no_unit(t, j)):
                j += 1
            else:
                break
        if j == i:
            return -1
        if t[j:j + 1] in self.lex.cn_point:
            k = j + 1
            c = t[k:k + 1]
            if c in self.cn_digit:
                while t[k:k + 1] in self.cn_digit:
                    k += 1
            elif c in DIGITS:
                k = _DIGIT_RUN.match(t, k).end()  # type: ignore[union-attr]
            else:
                return j
            return self._mags(t, k, self.cn_big)
        return j

    def sign(self, t: str, i: int) -> int:
        """A negative sign (负3.9%, -22.2%, 零下四度); not the hyphen of 3-5."""
        if i and t[i - 1] in _NO_SIGN_AFTER:
            return -1
        for w in self.lex.negative.all_at(t, i):
            k = i + len(w)
            c = t[k:k + 1]
            if c in DIGITS or c in self.cn_num:
                return k
        return -1

    # -- the tail ------------------------------------------------------------

    def tail(self, t: str, k: int, g: Groups) -> Iterator[tuple[int, Groups, tuple[str, ...]]]:
        """(end, groups, post-qualifiers) of the tail after a form, greedy first."""
        g = dict(g)
        k = self._tail_head(t, k, g)
        bases = self.lex.units.all_at(t, k) if t[k:k + 1] in self.unit_first else []
        for base in bases:
            for unit in self._compounds(t, k, base):
                end, after, posts = self._after_unit(t, k + len(unit))
                yield end, {**g, "unit": unit, "unit_base": base, **after}, posts
        end, after, posts = self._after_unit(t, k, unit=False)
        yield end, {**g, **after}, posts

    def greedy_tail(self, t: str, k: int, g: Groups) -> tuple[int, tuple[str, ...]]:
        """The first reading of ``tail`` (its parts written into ``g``): (end, posts)."""
        k = self._tail_head(t, k, g)
        base = self.lex.units.at(t, k) if t[k:k + 1] in self.unit_first else None
        unit = None
        if base:
            unit = self._compounds(t, k, base)[0]
            g["unit"], g["unit_base"] = unit, base
            k += len(unit)
        end, after, posts = self._after_unit(t, k, unit=unit is not None)
        if after:
            g.update(after)
        return end, posts

    def _tail_head(self, t: str, k: int, g: Groups) -> int:
        """The tail's parts before the unit (mid-qualifier, 个 of 一个亿, magnitude,
        个多/个半), written into ``g``; returns where the unit may start."""
        lex = self.lex
        q1 = lex.mid_q.at(t, k)
        if q1:
            g["q1"] = q1
            k += len(q1)
        if t[k:k + 1] in _GE and (t[k + 1:k + 2] in self.cn_big or any(
                u in lex.currencies for u in lex.units.all_at(t, k + 1))):
            k += 1  # 一个亿, 3个亿元
        j = self._mags(t, k)
        if j > k:
            g["mag"] = t[k:j]
            k = j
        if (t[k:k + 1] in _GE and (t[k + 1:k + 2] in lex.stepped or t[k + 1:k + 2] == HALF)
                and lex.units.at(t, k + 2) is not None):
            q3 = t[k + 1]
            g["cls"] = t[k]
            g["half" if q3 == HALF else "q3"] = q3
            k += 2
        return k

    def _compounds(self, t: str, k: int, base: str) -> list[str]:
        """The unit ``base`` at ``k`` as a compound A/B or A每B (元/平方米; not 3年每年),
        then alone."""
        lex = self.lex
        j = k + len(base)
        mark = lex.per_mark.at(t, j)
        if mark and not t.startswith(base, j + len(mark)):
            per = lex.per_unit.at(t, j + len(mark))
            if per:
                return [t[k:j + len(mark) + len(per)], base]
        return [base]

    def _after_unit(self, t: str, k: int, unit: bool = True) -> tuple[int, Groups, tuple[str, ...]]:
        lex = self.lex
        g: Groups = {}
        if unit and t[k:k + 1] == HALF and self.no_unit(t, k + 1) and t[k + 1:k + 2] != "月":
            g["half"] = HALF  # 一吨半 (not 3年半月)
            k += 1
        if t[k - 1:k] in lex.subunit_of:
            k = self._subunits(t, k, g)
        inc = lex.inclusive.at(t, k)
        if inc:
            k += len(inc)
        posts: list[str] = []
        while len(posts) < 2:
            w = self._post(t, k)
            if w is None:
                break
            posts.append(w)
            k += len(w)
        return k, g, tuple(posts)

    def _digit(self, c: str) -> bool:
        return c in DIGITS or c in self.cn_digit

    def _subunits(self, t: str, k: int, g: Groups) -> int:
        """元 followed by 角 and 分: 3元5角, 3元5角6分, 3元零5分."""
        lex = self.lex
        j = k
        tenths = None
        if self._digit(t[j:j + 1]) and t[j + 1:j + 2] in lex.sub_tenth:
            tenths = t[j]
            j += 2
        hundredths = None
        for skip in (_SKIP_ZERO if t[j:j + 1] in _ZERO else _NO_SKIP):
            d = j + skip
            if (self._digit(t[d:d + 1]) and t[d + 1:d + 2] in lex.sub_hundredth
                    and t[d + 2:d + 3] not in _NOT_AFTER_FEN):
                hundredths = t[d]
                j = d + 2
                break
        if tenths is None and hundredths is None:
            return k
        if tenths:
            g["tenths"] = tenths
        if hundredths:
            g["hundredths"] = hundredths
        if t[j:j + 1] in _QIAN:
            j += 1
        return j

    def _post(self, t: str, k: int) -> str | None:
        lex = self.lex
        tight = lex.post_tight.at(t, k)
        if tight and self.no_unit(t, k + len(tight)) and lex.post_block.at(
                t, k + len(tight)) is None:
            return tight
        for w in lex.post_q.all_at(t, k):
            if lex.post_block.at(t, k + len(w)) is None:
                return w
        return None

    # -- a whole mention ---------------------------------------------------

    def match(self, t: str, s: int) -> Match | None:
        """The mention starting at ``s`` as the rule files describe it, or None."""
        p, pre = s, None
        if t[s:s + 1] in self.pre_first:
            pre = self.lex.pre_q.at(t, s)
            if pre:
                p = s + len(pre)
        plain = t[p:p + 1] in self.plain_first
        hint = self.not_plain.match(t, p) if plain else None
        if (plain and hint is None) or (hint is not None and hint.lastgroup == "conn"
                                        and not self._may_range(t, p)):
            # the common case: a plain number, read once with its greedy tail
            e = self.num(t, p)
            if e > 0:
                g = {"num": t[p:e]}
                if pre:
                    g["pre"] = pre
                few = self.lex.few.at(t, e)
                if few:
                    g["few"] = few
                    e += len(few)
                end, posts = self.greedy_tail(t, e, g)
                if not (t[end - 1:end] in ALNUM and t[end:end + 1] in ALNUM):
                    return Match(s, end, "number", g, posts)
        return self._match(t, s)

    def _may_range(self, t: str, i: int) -> bool:
        """Whether a range connector follows a number at ``i`` (after its unit, if any)."""
        lex = self.lex
        for e in self.nums(t, i):
            for u in (*lex.units.all_at(t, e), ""):
                k = e + len(u)
                inc = lex.inclusive.at(t, k)
                if lex.conn.at(t, k + len(inc) if inc else k) is not None:
                    return True
        return False

    def _match(self, t: str, s: int) -> Match | None:
        """``match`` with every fall-back a backtracking regex would try."""
        lex = self.lex
        pres = lex.pre_q.all_at(t, s) if t[s:s + 1] in lex.pre_q.first else []
        for pre in [*pres, None]:
            p = s + len(pre) if pre else s
            signs = [self.sign(t, p), -1]
            for q in signs if signs[0] > 0 else signs[1:]:
                r = q if q > 0 else p
                head: Groups = {"pre": pre} if pre else {}
                if q > 0:
                    head["sign"] = t[p:q]
                c = t[r:r + 1]
                for form, first in self.forms:
                    if c not in first:
                        continue
                    for end, g in form.read(self, t, r):
                        for tail_end, groups, posts in self.tail(t, end, {**head, **g}):
                            if not (t[tail_end - 1:tail_end] in ALNUM
                                    and t[tail_end:tail_end + 1] in ALNUM):
                                return Match(s, tail_end, form.name, groups, posts)
        return None
