"""The scan of the engine before its redesign, kept only as a test oracle.

It compiled the rule files into one ``regex`` alternation (each exclusion,
then one mention pattern). ``tests/test_scanner.py`` checks that the two-phase
scanner finds the same spans on generated text; the recorded output of the old
engine (``tests/data/legacy/``) checks every field on the corpora.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import regex

from extractor.lexicon import fold
from extractor.ruleset import default_ruleset


def _fold_keys(words) -> list[str]:
    return sorted({fold(w) for w in words})


def _first_chars(words) -> str:
    """A character class of the first characters of ``words``: a cheap test that
    lets the scan skip a position before it tries any named list."""
    return "[" + "".join(regex.escape(c) for c in sorted({fold(w)[0] for w in words})) + "]"


def _fragments(r: Any) -> dict[str, str]:
    """Named regex fragments, composed into larger ones by name."""
    lists = _lists(r)
    num_first = _first_chars([*"0123456789", *lists["cn_num"]])
    mention_first = _first_chars([*"0123456789半", *lists["cn_num"], *lists["pre_q"],
                                  *lists["negative"], *lists["vague_idioms"],
                                  *lists["double"], *lists["vague_marker"]])
    near = r"[^，。；！？\n]{0,16}?"  # a few characters ahead, within the clause
    f: dict[str, str] = {}
    f["arabic"] = r"[0-9]++(?:,[0-9]{3}+(?![0-9]))*+(?:\.[0-9]++)?(?:[eE][-+]?[0-9]++)?"
    f["mag"] = r"(?:(?!\L<units>)\L<mag>){0,3}+"
    f["arabic_num"] = r"(?<![0-9A-Za-z.])" + f["arabic"] + f["mag"]
    # Arabic digits between place words: 3万4000, 1千零1, 5亿1万4千6百, 100万三千
    f["mixed_num"] = (
        r"(?<![0-9A-Za-z.])(?:[0-9]{1,3}+(?:,[0-9]{3}+)++(?![0-9])|[0-9]++)"
        r"(?:(?!\L<units>)\L<cn_place>[零〇]?+(?:[0-9]++|\L<cn_digit>++))++"
        r"(?:(?!\L<units>)\L<cn_place>)*+"
    )
    # a digit that is also a unit (两: 2, or the weight liang) is a digit only
    # before more of the number or a unit: 两千, 两个, 一两天, but 三十两
    follows = (r"\L<cn_num>|\L<cn_point>|\L<units>|\L<mid_q>|\L<few>|\L<conn>"
               r"|\L<mixed>|[0-9]")
    f["cn_num"] = (
        rf"(?:\L<cn_digit_free>|\L<cn_digit_unit>(?={follows})|(?!\L<units>)\L<cn_place>)++"
        r"(?:\L<cn_point>(?:\L<cn_digit>++|[0-9]++)(?:(?!\L<units>)\L<cn_big>){0,3}+)?"
    )
    f["num"] = (f"(?={num_first})(?:"
                + "|".join([f["mixed_num"], f["arabic_num"], f["cn_num"]]) + ")")
    # 负3.9%, -22.2%, 零下四度; not the hyphen of 3-5 or 第3-5名
    f["sign"] = r"(?<![0-9A-Za-z)\]%.\-])\L<negative>(?=[0-9]|\L<cn_num>)"
    # a second number of a range, or a plain number
    f["main"] = (
        r"(?:(?={near}{conn_first})(?P<n1>{num})(?P<u1>\L<units>)?\L<inclusive>?(?P<conn>\L<conn>)"
        r"(?P<sign2>{sign})?)?"
        r"(?P<num>{num})(?P<few>\L<few>)?"
    ).format(num=f["num"], sign=f["sign"], near=near, conn_first=_first_chars(lists["conn"]))
    digit = r"(?:[0-9]|\L<cn_digit>)"
    f["forms"] = "|".join([
        r"(?P<vidiom>\L<vague_idioms>)",
        r"(?P<fan>\L<double>(?P<fan_n>[0-9]|\L<cn_digit>)\L<double_suffix>)",
        # (a fraction is tried only where its connector follows soon: numbers are read once)
        (r"(?={near}\L<frac>)(?:(?P<whole>{num})\L<mixed>)?(?P<dsign>{sign})?(?P<den>{num})\L<frac>"
         r"(?P<nsign>{sign})?(?P<numer>{num})").format(num=f["num"], sign=f["sign"], near=near),
        # 三成, 9.5成, 十成, 七五折, 三成半
        (r"(?P<cheng>(?<![0-9.])[0-9]{1,2}+(?:\.[0-9])?|\L<cn_digit>{1,2}+"
         r"(?:\L<cn_point>\L<cn_digit>)?|[十拾])(?P<tenth>\L<cheng>)(?P<chalf>半)?"
         r"(?![" + regex.escape(r.raw["numerals"]["multipliers"]["tenths_not_before"]) + "])"),
        r"(?P<vmark>\L<vague_marker>)(?P<vplace>(?:(?!\L<units>)\L<vague_place>){1,3}+)",
        r"(?P<halfn>半)(?=\L<units>)",
        f["main"],
    ])
    # a compound unit: 元/平方米, 元每吨 (not 3年每年)
    f["per"] = (r"(?:\L<per_mark>(?!(?P=unit_base))\L<per_unit>)?"
                if lists["per_mark"] and lists["per_unit"] else "")
    f["tail"] = (
        r"(?P<q1>\L<mid_q>)?(?:[个個](?=\L<cn_big>|\L<currencies>))?(?P<mag>{mag})"
        r"(?:(?P<cls>[个個])(?:(?P<q3>[多余餘])|(?P<half>半))(?=\L<units>))?"
        r"(?P<unit>(?P<unit_base>\L<units>){per})?(?(unit)(?P<half>半(?!\L<units>|月))?)"
        r"(?:(?<=\L<subunit_of>)(?:(?P<tenths>{digit})\L<sub_tenth>)?"
        r"(?:[零〇]?(?P<hundredths>{digit})\L<sub_hundredth>(?![钟鐘之]))?"
        r"(?<=\L<sub_tenth>|\L<sub_hundredth>)[钱錢]?)?"
        r"\L<inclusive>?"
        r"(?:(?:(?P<post>\L<post_tight>)(?!\L<units>)|(?P<post>\L<post_q>))(?!\L<post_block>)){{0,2}}+"
    ).format(mag=f["mag"], digit=digit, per=f["per"])
    f["end"] = r"(?:(?<![0-9A-Za-z])|(?![0-9A-Za-z]))"
    f["mention"] = r"(?={first})(?P<pre>\L<pre_q>)?(?P<sign>{sign})?(?:{forms}){tail}{end}".format(
        first=mention_first, sign=f["sign"], forms=f["forms"], tail=f["tail"], end=f["end"])
    return f


def _lists(r: Any) -> dict[str, list[str]]:
    num = r.raw["numerals"]
    q = r.raw["qualifiers"]
    mags = num["magnitudes"]
    opts = r.raw["units"]["options"]
    subunits = opts["subunits"]
    return {
        "units": _fold_keys(r.raw["units"]["units"]),
        "currencies": _fold_keys(u for u, dim in r.raw["units"]["units"].items()
                                 if dim == "currency"),
        "subunit_of": _fold_keys(opts["subunit_of"]),
        "per_mark": _fold_keys(opts.get("per_marks", [])),
        "per_unit": _fold_keys(opts.get("per", [])),
        "sub_tenth": _fold_keys(k for k, v in subunits.items() if v == 0.1),
        "sub_hundredth": _fold_keys(k for k, v in subunits.items() if v == 0.01),
        "mag": _fold_keys(mags),
        "cn_digit": list(num["digits"]),
        "cn_digit_free": [d for d in num["digits"] if d not in r.raw["units"]["units"]],
        "cn_digit_unit": [d for d in num["digits"] if d in r.raw["units"]["units"]],
        "negative": _fold_keys(num["multipliers"]["negative"]),
        "mixed": [num["fractions"]["mixed"]],
        "inclusive": _fold_keys(q["post_options"]["inclusive"]),
        "cn_place": list(num["places"]) + [k for k in mags if not k.isascii()
                                           and k not in num["places"]],
        "cn_big": [k for k, v in mags.items() if v >= 10000 and not k.isascii()],
        "cn_point": num["points"]["words"],
        "frac": [num["fractions"]["connector"]],
        "double": num["multipliers"]["doubling"],
        "double_suffix": [num["multipliers"]["doubling_suffix"]],
        "cheng": list(num["multipliers"]["percent_tenths"]),
        "pre_q": _fold_keys(q["pre"]),
        "mid_q": _fold_keys(q["mid"]),
        "post_q": _fold_keys(set(q["post"]) - set(q["post_options"]["tight"])),
        "post_tight": _fold_keys(q["post_options"]["tight"]),
        "post_block": _fold_keys(q["post_options"]["block"]),
        "conn": _fold_keys(q["range"]["connectors"]),
        "few": q["vague"]["trailing"],
        "vague_marker": list(q["vague"]["markers"]),
        "vague_place": [k for k in mags if not k.isascii()],  # 上千, not 上拾
        "vague_idioms": _fold_keys(q["vague"]["idioms"]),
        "cn_num": list(num["digits"]) + list(num["places"]) + [k for k in mags if not k.isascii()],
        "excl_words": _fold_keys(r.raw["exclusions"]["words"]["list"]),
    }


def _classes(source: str, lists: dict[str, list[str]]) -> str:
    """Write each list of single characters as a character class, tested before
    the unit lookahead that guards it: a class test is far cheaper than a named
    list, and most positions fail it."""
    for name, words in lists.items():
        if not words or any(len(w) != 1 for w in words):
            continue
        cls = "[" + "".join(regex.escape(c) for c in sorted(words)) + "]"
        source = source.replace(rf"(?!\L<units>)\L<{name}>", rf"(?={cls})(?!\L<units>){cls}")
        source = source.replace(rf"\L<{name}>", cls)
    return source


@cache
def one_alternation() -> tuple[regex.Pattern[str], tuple[str, ...]]:
    """The old scan as one alternation (each exclusion, then the mention), and the
    exclusion names in order."""
    r = default_ruleset()
    lists = _lists(r)
    patterns = r.raw["exclusions"]["patterns"]
    words = sorted(lists["excl_words"], key=lambda w: (-len(w), w))
    sources = [*patterns.values(), "|".join(map(regex.escape, words))]
    names = (*patterns, "words")
    alts = [f"(?P<x{k}>{src})" for k, src in enumerate(sources)]
    source = _classes("|".join([*alts, f"(?P<m>{_fragments(r)['mention']})"]), lists)
    return regex.compile(source, regex.V0, ignore_unused=True, **lists), names


def legacy_scan(folded: str) -> list[tuple[str | None, tuple[int, int]]]:
    """(exclusion name or None for a mention, span) of every match of the old scan."""
    pattern, names = one_alternation()
    out = []
    for m in pattern.finditer(folded):
        if m.end() == m.start():
            continue
        k = next((k for k in range(len(names)) if m.start(f"x{k}") >= 0), None)
        out.append((None if k is None else names[k], m.span()))
    return out
