"""Where extraction time goes: a table of the share of each stage.

    python benchmarks/where_time_goes.py [--mb 2] [--dense]

Runs extraction over the benchmark corpus (benchmarks/bench.py) under cProfile
and prints, for each stage, the seconds spent in it and its share of the run.
Shares are cumulative times of the functions named, so a stage nested in another
is also counted there. The last lines time phase one alone (folding and the
numeral-run pattern, no Python work around them) and the searched exclusions
alone: the most any extraction built on them could reach.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

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
    args = ap.parse_args()

    import bench

    from extractor import engine_build
    from extractor.engine import Extractor

    if engine_build() == "compiled":
        sys.exit("cProfile does not see inside the compiled engine: run this from a checkout "
                 "without extractor/*.so (or one installed with ZHSTATS_PURE_PYTHON=1)")

    texts = bench.corpus(args.mb, args.dense)
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
    phase_one, searched = _alone(texts)
    print(f"phase one alone (fold, squeeze, numeral runs): {phase_one:.1f} MB/s")
    print(f"searched exclusions alone: {searched:.1f} MB/s")


def _alone(texts: list[str]) -> tuple[float, float]:
    """MB/s of phase one with no Python work around it, and of the searched exclusions."""
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
    return mb / phase_one, mb / (time.perf_counter() - began)


if __name__ == "__main__":
    main()
