"""Where extraction time goes: a table of the share of each stage.

    python benchmarks/where_time_goes.py [--mb 2] [--dense] [--patterns]

Runs extraction over the benchmark corpus (benchmarks/bench.py) under cProfile
and prints, for each stage, the seconds spent in it and its share of the run.
Shares are cumulative times of the functions named, so a stage nested in another
is also counted there. The last lines time phase one alone (folding and the
numeral-run pattern, no Python work around them) and the searched exclusions
alone, one pass each and as one alternation: the most any extraction built on
them could reach.

``--patterns`` instead times the calls into the pattern engines (``re``,
``regex``): every compiled pattern of the rule set and of the engine's modules
is wrapped, and the time inside its calls (the timer's own cost taken off) is
printed per MB, in all and by pattern, beside what a whole extraction may take
per MB at 10 MB/s, with the speed an engine making the same calls could reach if
its own work took no time, and how many rule patterns hold a lookaround (which
the DFA engines do not run). That time stays the same however the Python around
the calls is compiled.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import importlib
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any

import regex

sys.path.insert(0, str(Path(__file__).resolve().parent))

STAGES = {
    "extract (all, without Mention objects)": ("engine.py", "table"),
    "  rows: scan, read, object": ("engine.py", "rows"),
    "    scan (both phases, exclusions)": ("scanner.py", "scan"),
    "      fold (NFKC, length-preserving)": ("lexicon.py", "fold"),
    "      phase 2: the grammar at a run": ("grammar.py", "match"),
    "        the general path (fall-backs)": ("grammar.py", "_match"),
    "        the tail (qualifiers, unit)": ("grammar.py", "greedy_tail"),
    "      exclusions tried at a run": ("exclusions.py", "at"),
    "    read: a match → value, bounds, flag": ("reading.py", "fields"),
    "    objects: the counted noun": ("objects.py", "find"),
    "  the statistic around each mention (§5)": ("statistics.py", "annotate"),
    "    time expressions found": ("statistics.py", "_period_matches"),
    "      where they can start (prefilter)": ("periods.py", "starts"),
    "    time expressions resolved to dates": ("statistics.py", "_period_index"),
    "    places found": ("places.py", "find_places"),
    "    frames: measure, direction, basis": ("statistics.py", "_frame"),
    "    objects carried through a sentence": ("carry.py", "carry"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=2, help="corpus size (MB)")
    ap.add_argument("--dense", action="store_true", help="the dense corpus (bench --dense)")
    ap.add_argument("--patterns", action="store_true", help="time inside pattern calls")
    args = ap.parse_args()

    import bench

    from extractor import engine_build
    from extractor.engine import Extractor

    if engine_build() == "compiled":
        sys.exit("cProfile does not see inside the compiled engine: run this from a checkout "
                 "without extractor/*.so (or one installed with ZHSTATS_PURE_PYTHON=1)")

    texts = bench.corpus(args.mb, args.dense)
    if args.patterns:
        _pattern_time(texts)
        return
    extractor = Extractor()
    extractor.table("预热1个")
    profile = cProfile.Profile()
    profile.runcall(lambda: [extractor.table(t) for t in texts])
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(ct for (file, _, name), (_, _, _, ct, _) in stats.items()
                if file.endswith("engine.py") and name == "table")
    print(f"extract over {args.mb:g} MB: {total:.2f} s under cProfile")
    print(f"{'stage':<42} {'seconds':>8} {'share':>6}")
    for label, (suffix, name) in STAGES.items():
        seconds = sum(ct for (file, _, fn), (_, _, _, ct, _) in stats.items()
                      if file.endswith(suffix) and fn == name)
        print(f"{label:<42} {seconds:>8.3f} {seconds / total:>6.0%}")
    phase_one, searched, as_one = _alone(texts)
    print(f"phase one alone (fold, squeeze, numeral runs): {phase_one:.1f} MB/s")
    print(f"searched exclusions alone: {searched:.1f} MB/s (one pass each); "
          f"as one alternation, one pass in all: {as_one:.1f} MB/s")


def _alone(texts: list[str]) -> tuple[float, float, float]:
    """MB/s of phase one with no Python work around it, of the searched exclusions, and
    of the same as one alternation (the design of one pass over the text for all)."""
    from extractor.lexicon import fold
    from extractor.ruleset import default_ruleset
    from extractor.scanner import squeeze

    scanner = default_ruleset().scanner
    mb = sum(len(t.encode()) for t in texts) / 1e6
    began = time.perf_counter()
    scanned = [squeeze(fold(t))[0] for t in texts]
    for text in scanned:
        for _ in scanner.runs.finditer(text):
            pass
    phase_one = time.perf_counter() - began
    began = time.perf_counter()
    for _, _, pattern in scanner.exclusions.searched:
        for text in scanned:
            for _ in pattern.finditer(text):
                pass
    searched = time.perf_counter() - began
    one = _one_alternation([p for _, _, p in scanner.exclusions.searched])
    began = time.perf_counter()
    for text in scanned:
        for _ in one.finditer(text):
            pass
    return mb / phase_one, mb / searched, mb / (time.perf_counter() - began)


def _one_alternation(patterns: list[Any]) -> Any:
    """``patterns`` as one alternation on the ``regex`` engine (each keeps its multiline
    flag and named lists)."""
    lists: dict[str, Any] = {}
    parts = []
    for p in patterns:
        lists.update(getattr(p, "named_lists", {}))
        parts.append(f"(?m:{p.pattern})" if p.flags & re.MULTILINE else f"(?:{p.pattern})")
    return regex.compile("|".join(parts), regex.V0, **lists)


PATTERN_TYPES = (re.Pattern, type(regex.compile("")))
STATISTIC = ("rules.statistics", "statistics.", "periods.", "places.", "carry.")
"""The owners of the patterns of the statistic around each mention (§5)."""
_CLOCK = time.perf_counter


class _Timed:
    """A compiled pattern that adds the time and count of its calls to ``spent``."""

    def __init__(self, pattern: Any, name: str, spent: dict[str, list[float]]) -> None:
        self._pattern, self._spent = pattern, spent.setdefault(name, [0, 0.0])

    def __getattr__(self, attr: str) -> Any:
        method = getattr(self._pattern, attr)
        if attr not in ("match", "fullmatch", "search", "finditer", "sub", "split", "findall"):
            return method

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = _CLOCK()
            got = method(*args, **kwargs)
            if attr == "finditer":
                got = iter(list(got))
            self._spent[1] += _CLOCK() - began
            self._spent[0] += 1
            return got
        return timed


def _wrap(obj: Any, name: str, spent: dict[str, list[float]], seen: set[int]) -> Any:
    """``obj`` with every compiled pattern reachable from it wrapped (in place where it
    can be; a tuple is rebuilt)."""
    if isinstance(obj, PATTERN_TYPES):
        return _Timed(obj, name, spent)
    if id(obj) in seen or isinstance(obj, (str, int, float, frozenset, _Timed)):
        return obj
    seen.add(id(obj))
    if isinstance(obj, dict):
        for key in list(obj):
            obj[key] = _wrap(obj[key], f"{name}[{key!r:.20}]", spent, seen)
    elif isinstance(obj, list):
        obj[:] = [_wrap(v, f"{name}[{i}]", spent, seen) for i, v in enumerate(obj)]
    elif isinstance(obj, tuple):
        label = next((v for v in obj if isinstance(v, str)), None)  # (rank, name, pattern)
        items = [_wrap(v, f"{name}[{label or i}]", spent, seen) for i, v in enumerate(obj)]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    elif dataclasses.is_dataclass(obj) or hasattr(obj, "__dict__"):
        names = ([f.name for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj)
                 else list(vars(obj)))
        for attr in names:
            value = getattr(obj, attr)
            wrapped = _wrap(value, f"{name}.{attr}", spent, seen)
            if wrapped is not value:
                object.__setattr__(obj, attr, wrapped)
    return obj


def _pattern_time(texts: list[str]) -> None:
    """Print the time inside pattern calls during extraction, per MB."""
    from extractor.engine import Extractor
    from extractor.ruleset import Ruleset

    spent: dict[str, list[float]] = {}
    rules = _wrap(Ruleset.load(), "rules", spent, set())
    for module in ("scanner", "grammar", "exclusions", "lexicon", "forms", "reading",
                   "objects", "statistics", "periods", "places", "carry", "found"):
        mod = importlib.import_module(f"extractor.{module}")
        for attr, value in list(vars(mod).items()):
            if isinstance(value, PATTERN_TYPES):
                setattr(mod, attr, _Timed(value, f"{module}.{attr}", spent))
    extractor = Extractor(rules)
    for text in texts:  # the first pass compiles the patterns built on first use
        extractor.table(text)
    for tally in spent.values():
        tally[:] = [0, 0.0]
    began = _CLOCK()
    for text in texts:
        extractor.table(text)
    total = _CLOCK() - began
    mb = sum(len(t.encode()) for t in texts) / 1e6
    dummy: dict[str, list[float]] = {}
    probe = _Timed(re.compile("(?!)"), "probe", dummy)
    for _ in range(100_000):
        probe.match("")
    overhead = dummy["probe"][1] / dummy["probe"][0] - 0.1e-6  # less the (?!) match itself
    calls = sum(int(n) for n, _ in spent.values())
    inside = sum(s for _, s in spent.values()) - calls * max(overhead, 0.0)
    print(f"extract over {mb:.2f} MB (pure Python, patterns timed): {total / mb * 1e3:.0f} ms "
          f"per MB; {calls / mb:,.0f} pattern calls per MB")
    print(f"inside pattern calls: {inside / mb * 1e3:.0f} ms per MB "
          f"(timer overhead of {overhead * 1e6:.2f} us a call taken off); "
          f"a whole extraction at 10 MB/s may take 100 ms per MB")
    own = {name: (n, s - n * max(overhead, 0.0)) for name, (n, s) in spent.items() if n}
    statistic = sum(s for name, (_, s) in own.items() if name.startswith(STATISTIC))
    print(f"  of which the statistic around each mention (§5): {statistic / mb * 1e3:.0f} ms; "
          f"the scan, reading and object: {(inside - statistic) / mb * 1e3:.0f} ms")
    print(f"  an engine whose own work took no time, with these calls: at most "
          f"{mb / inside:.1f} MB/s")
    rule_patterns = _rule_patterns()
    around = sum(1 for _, source in rule_patterns if _LOOKAROUND.search(source))
    print(f"rule patterns with a lookaround, which DFA engines (RE2, Hyperscan, Rust's regex) "
          f"do not run: {around} of {len(rule_patterns)}; the frames match backwards")
    print(f"{'pattern':<58} {'ms/MB':>7} {'calls/MB':>9} {'us/call':>8}")
    for name, (n, s) in sorted(own.items(), key=lambda kv: -kv[1][1])[:20]:
        print(f"{name:<58.58} {s / mb * 1e3:>7.1f} {n / mb:>9,.0f} {s / n * 1e6:>8.2f}")


_LOOKAROUND = re.compile(r"\(\?<?[=!]")


def _rule_patterns() -> list[tuple[str, str]]:
    """The sources of the patterns written in the rule files: every exclusion (searched,
    or tried at runs), the frames, sentence bases, time words, and time expressions."""
    from extractor.ruleset import default_ruleset

    rules = default_ruleset()
    stats, excl = rules.statistics, rules.scanner.exclusions
    exclusions = {name: p.pattern for _, name, p in excl.searched}
    for entries in (*excl.by_first.values(), *excl.by_lead.values()):
        exclusions.update((name, p.pattern) for _, name, p, _ in entries)
    return (sorted(exclusions.items())
            + [(name, p.pattern) for name, p in (
                ("frames", stats.frames), ("bases", stats.sentence_basis),
                ("time_words", stats.time_words), ("after_basis", stats.periods.after_basis))]
            + [(f"period {i}", src) for i, src in enumerate(stats.periods.sources)])


if __name__ == "__main__":
    main()
