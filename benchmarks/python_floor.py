"""How fast any Python reading of the numeral runs could be, at the bench corpus's density.

    python benchmarks/python_floor.py [--mb 1] [--runs 5]

Phase one of the scan as built (fold, squeeze, the numeral-run pattern), then for
every run a Python function that does N dictionary lookups and builds one row
tuple of a mention's twelve fields, and nothing else: no grammar, no exclusion,
no reading, no object, no statistic. Whatever the engine does per run costs at
least this, so the figures bound what a pure-Python (or compiled, with Python objects)
engine can reach on this corpus. Prints MB/s (CPU time, medians) for N = 0, 10, 40
beside ``Extractor.rows`` and ``Extractor.extract``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import corpus

LOOKUP = {c: i for i, c in enumerate("0123456789万亿千百十元个人家%")}


def _row(t: str, a: int, b: int, lookups: int) -> tuple:
    get = LOOKUP.get
    for _ in range(lookups):
        get(t[a:a + 1], 0)
    return (a, b, t[a:b], 1.0, 1.0, 1.0, "exact", None, "元", "currency", None, "number")


def _mb_per_s(texts: list[str], fn: Callable[[str], object], runs: int) -> float:
    size = sum(len(t.encode()) for t in texts) / 1e6
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        for text in texts:
            fn(text)
        times.append(time.process_time() - t0)
    return size / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from extractor import engine_build
    from extractor.engine import Extractor
    from extractor.lexicon import fold
    from extractor.scanner import squeeze

    texts = corpus(args.mb)
    extractor = Extractor()
    runs = extractor.rules.scanner.runs
    count = sum(len(runs.findall(squeeze(fold(t))[0])) for t in texts)
    mentions = sum(len(extractor.rows(t)) for t in texts)

    def floor(lookups: int) -> Callable[[str], object]:
        def scan(text: str) -> list[tuple]:
            t = squeeze(fold(text))[0]
            return [_row(t, *m.span(), lookups) for m in runs.finditer(t)]
        return scan

    print(f"{args.mb:g} MB of the bench corpus: {count:,} numeral runs, {mentions:,} mentions; "
          f"engine {engine_build()}; CPU MB/s, median of {args.runs}")
    for lookups in (0, 10, 40):
        print(f"phase one + {lookups:2d} lookups and a row tuple per run  "
              f"{_mb_per_s(texts, floor(lookups), args.runs):6.2f}")
    print(f"Extractor.rows (scan, reading, object)           "
          f"{_mb_per_s(texts, extractor.rows, args.runs):6.2f}")
    print(f"Extractor.extract (with the statistic, §5)        "
          f"{_mb_per_s(texts, extractor.extract, args.runs):6.2f}")


if __name__ == "__main__":
    main()
