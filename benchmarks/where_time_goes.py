"""Where extraction time goes: a table of the share of each stage.

    python benchmarks/where_time_goes.py [--mb 2] [--dense]

Runs ``extract`` over the benchmark corpus (benchmarks/bench.py) under cProfile
and prints, for each stage, the seconds spent in it and its share of the run.
Shares are cumulative times of the functions named, so a stage nested in another
is also counted there; "regex searches" is the time inside the compiled scan and
object patterns, in C. The last line times the scan patterns' own searches with
no Python work around them: the most any extraction built on them could reach.
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
    "extract (all)": ("engine.py", "extract"),
    "  scan: merged search of the patterns": ("engine.py", "scan"),
    "    regex searches (C)": ("~", "<method 'search' of '_regex.Pattern' objects>"),
    "  fold (NFKC, length-preserving)": ("patterns.py", "fold"),
    "  read: a match → value, bounds, flag": ("engine.py", "read"),
    "  objects: the counted noun": ("objects.py", "find_object"),
    "  objects inherited in a sentence": ("engine.py", "_inherit_objects"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=2, help="corpus size (MB)")
    ap.add_argument("--dense", action="store_true", help="the dense corpus (bench --dense)")
    args = ap.parse_args()

    import bench

    from extractor import extract

    texts = bench.corpus(args.mb, args.dense)
    extract("预热1个")
    profile = cProfile.Profile()
    profile.runcall(lambda: [extract(t) for t in texts])
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(ct for (file, _, name), (_, _, _, ct, _) in stats.items()
                if file.endswith("engine.py") and name == "extract")
    print(f"extract over {args.mb:g} MB: {total:.2f} s under cProfile")
    print(f"{'stage':<42} {'seconds':>8} {'share':>6}")
    for label, (suffix, name) in STAGES.items():
        seconds = sum(ct for (file, _, fn), (_, _, _, ct, _) in stats.items()
                      if file.endswith(suffix) and fn == name)
        print(f"{label:<42} {seconds:>8.3f} {seconds / total:>6.0%}")
    print(f"regex alone, no Python work: {_regex_only(texts):.2f} MB/s")


def _regex_only(texts: list[str]) -> float:
    """MB/s of the scan patterns' own searches: every match of each pattern, on its own."""
    from extractor.engine import _squeeze
    from extractor.patterns import fold, scanner

    sc = scanner()
    patterns = [p for _, p in sc.exclusions] + [sc.mention]
    folded = [_squeeze(fold(t))[0] for t in texts]
    began = time.perf_counter()
    for pattern in patterns:
        for text in folded:
            for _ in pattern.finditer(text):
                pass
    seconds = time.perf_counter() - began
    return sum(len(t.encode()) for t in texts) / 1e6 / seconds


if __name__ == "__main__":
    main()
