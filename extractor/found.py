"""The mentions of a text as the scan reads them (``found``): each hit of the scan read
into value, bounds and flag, given a dimension from context where its unit gives none,
and its counted object. Compiled with the engine's hot modules (setup.py)."""

from __future__ import annotations

from extractor.lexicon import Lexicon
from extractor.mention import Found
from extractor.objects import ObjectRules
from extractor.reading import Reader
from extractor.scanner import Scanner


def found(text: str, scanner: Scanner, reader: Reader, objects: ObjectRules,
          lex: Lexicon) -> list[Found]:
    """Every quantity mention of ``text`` as tuples (Mention's fields up to ``rule``),
    sorted by start, never overlapping."""
    context = lex.context
    out: list[Found] = []
    for hit in scanner.scan(text):
        if hit.match is None:
            continue
        got = reader.fields(hit.match, hit.surface)
        if got is None:
            continue
        value, lower, upper, approx, qualifier, unit, dimension, rule = got
        start, end = hit.start, hit.end
        if dimension is None:
            dimension = _context_dimension(text, start, end, lex)
            prev = out[-1] if out else None
            if (dimension == "other" and prev is not None and prev.qualifier is None
                    and text[prev.end:start] in context.get("list", ())):
                dimension = prev.dimension  # 998514、16648: one list, one dimension
        out.append(Found(start, end, text[start:end], value, lower, upper, approx,
                         qualifier, unit, dimension, objects.find(text, start, end), rule))
    if len(out) > 1 and context.get("list_unit"):
        _share_units(text, out, lex)
    return out


def _share_units(text: str, out: list[Found], lex: Lexicon) -> None:
    """A bare number listed right before a figure whose unit has no magnitude takes that
    unit and dimension (上升2.7和1.9个百分点), from the end of a list back to its start."""
    separators = lex.context["list_unit"]
    for i in range(len(out) - 2, -1, -1):
        row, after = out[i], out[i + 1]
        if (row.unit is None and row.rule == "number" and after.unit is not None
                and text[row.end:after.start] in separators
                and lex.mags.isdisjoint(after.surface.replace(after.unit, ""))):
            out[i] = row._replace(unit=after.unit, dimension=after.dimension)


def _context_dimension(text: str, start: int, end: int, lex: Lexicon) -> str:
    """The dimension a bare number takes from cue words just before it (月薪15k), else
    just after it (960多万贫困人口)."""
    size = lex.context["window"]
    for a, b in ((max(0, start - size), start), (end, end + size)):
        for dim, cues in lex.cues:
            if cues.search(text, a, b):
                return dim
    return "other"
