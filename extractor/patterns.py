"""Compile the rule files into one scanning pattern (``regex`` named lists).

Word lists become ``\\L<name>`` named lists, so longest-first ordering and
escaping are the library's job. Fragments are composed by name; every
repetition is possessive or bounded, so no input makes the scan backtrack.
The scan is one alternation: exclusions first (skipped whole), then mentions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import regex

from extractor.rules import Rules, load_rules


@cache
def fold_table() -> dict[int, str]:
    """NFKC for every BMP character whose NFKC form is one character.

    Folding through this table keeps string length, so offsets in the folded
    text are offsets in the original (full-width digits, ，％～ and so on).
    """
    table = {}
    for code in range(0x80, 0x10000):
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch and len(folded) == 1:
            table[code] = folded
    return table


def fold(text: str) -> str:
    """Length-preserving NFKC fold of ``text``."""
    return text.translate(fold_table())


@dataclass(frozen=True)
class Scanner:
    """The compiled scan pattern and the word lists it was built from."""

    pattern: regex.Pattern[str]
    exclusion_names: tuple[str, ...]


def _fold_keys(words) -> list[str]:
    return sorted({fold(w) for w in words})


def _fragments(r: Rules) -> dict[str, str]:
    """Named regex fragments, composed into larger ones by name."""
    f: dict[str, str] = {}
    f["arabic"] = r"[0-9]++(?:,[0-9]{3}+(?![0-9]))*+(?:\.[0-9]++)?"
    f["mag"] = r"(?:(?!\L<units>)\L<mag>){0,3}+"
    f["arabic_num"] = r"(?<![0-9A-Za-z.])" + f["arabic"] + f["mag"]
    f["cn_num"] = (
        r"(?:\L<cn_digit>|(?!\L<units>)\L<cn_place>)++"
        r"(?:\L<cn_point>\L<cn_digit>++(?:(?!\L<units>)\L<cn_big>){0,3}+)?"
    )
    f["num"] = "(?:" + f["arabic_num"] + "|" + f["cn_num"] + ")"
    # a second number of a range, or a plain number
    f["main"] = (
        r"(?:(?P<n1>{num})(?P<u1>\L<units>)?(?P<conn>\L<conn>))?"
        r"(?P<num>{num})(?P<few>\L<few>)?"
    ).format(num=f["num"])
    f["forms"] = "|".join([
        r"(?P<vidiom>\L<vague_idioms>)",
        r"(?P<fan>\L<double>(?P<fan_n>[0-9]|\L<cn_digit>)\L<double_suffix>)",
        r"(?P<den>{num})\L<frac>(?P<numer>{num})".format(num=f["num"]),
        r"(?P<cheng>\L<cn_digit>(?:\L<cn_point>\L<cn_digit>)?)\L<cheng>(?![本功立交员果绩效])",
        r"(?P<vmark>\L<vague_marker>)(?P<vplace>(?:(?!\L<units>)\L<cn_place>){1,3}+)",
        f["main"],
    ])
    f["tail"] = (
        r"(?P<q1>\L<mid_q>)?(?P<mag>{mag})"
        r"(?:(?P<cls>[个個])(?P<q3>[多余餘])(?=\L<units>))?"
        r"(?P<unit>\L<units>)?"
        r"(?:(?:(?P<post>\L<post_tight>)(?!\L<units>)|(?P<post>\L<post_q>))(?!\L<post_block>)){{0,2}}+"
    ).format(mag=f["mag"])
    f["end"] = r"(?:(?<![0-9A-Za-z])|(?![0-9A-Za-z]))"
    f["mention"] = r"(?P<pre>\L<pre_q>)?(?:{forms}){tail}{end}".format(
        forms=f["forms"], tail=f["tail"], end=f["end"])
    return f


def _lists(r: Rules) -> dict[str, list[str]]:
    num = r.raw["numerals"]
    q = r.raw["qualifiers"]
    mags = num["magnitudes"]
    return {
        "units": _fold_keys(r.units),
        "mag": _fold_keys(mags),
        "cn_digit": list(num["digits"]),
        "cn_place": list(num["places"]) + [k for k in mags if not k.isascii()
                                           and k not in num["places"]],
        "cn_big": [k for k, v in mags.items() if v >= 10000 and not k.isascii()],
        "cn_point": num["points"]["words"],
        "frac": [num["fractions"]["connector"]],
        "double": num["multipliers"]["doubling"],
        "double_suffix": [num["multipliers"]["doubling_suffix"]],
        "cheng": [num["multipliers"]["percent_tenths"]],
        "pre_q": _fold_keys(q["pre"]),
        "mid_q": _fold_keys(q["mid"]),
        "post_q": _fold_keys(set(q["post"]) - set(q["post_options"]["tight"])),
        "post_tight": _fold_keys(q["post_options"]["tight"]),
        "post_block": _fold_keys(q["post_options"]["block"]),
        "conn": _fold_keys(q["range"]["connectors"]),
        "few": q["vague"]["trailing"],
        "vague_marker": list(q["vague"]["markers"]),
        "vague_idioms": _fold_keys(q["vague"]["idioms"]),
        "cn_num": list(num["digits"]) + list(num["places"]) + [k for k in mags if not k.isascii()],
        "excl_words": _fold_keys(r.raw["exclusions"]["words"]["list"]),
    }


@cache
def scanner() -> Scanner:
    """The one compiled scan pattern (built once per process)."""
    r = load_rules()
    frags = _fragments(r)
    excl = r.raw["exclusions"]["patterns"]
    names = tuple(excl)
    alts = [f"(?P<x_{name}>{excl[name]})" for name in names]
    alts.append(r"(?P<x_words>\L<excl_words>)")
    source = "(?P<x>{})|(?P<m>{})".format("|".join(alts), frags["mention"])
    pattern = regex.compile(source, regex.V0, **_lists(r))
    return Scanner(pattern=pattern, exclusion_names=(*names, "words"))
