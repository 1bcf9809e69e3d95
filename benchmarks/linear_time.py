"""Extraction time per MB on pathological strings of 10⁴ to 10⁶ characters.

Each kind is one short unit repeated (a run of digits, of numeral characters,
of mentions with no sentence break, of marks inside numbers). Linear time
means the seconds per MB stay flat as the size grows; the script prints one
row per kind and exits with status 1 when a kind's slowest size is more than
``--max-ratio`` (default 2) times its fastest.

    python benchmarks/linear_time.py                  # all kinds, 10⁴ 10⁵ 10⁶
    python benchmarks/linear_time.py --sizes 1e4 1e5 --kinds 1 一
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor import extract

KINDS = {
    "1": "1",  # 1111…
    "一": "一",  # 一一一…
    "万": "万",  # 万万万…
    "1,": "1,",  # 1,1,1,…
    "多": "多",  # 多多多…
    "十": "十",
    "1.": "1.",
    "1%": "1%",  # a mention every two characters
    "1 ": "1 ",
    "一 万 ": "一 万 ",  # spaces squeezed between Chinese numerals
    "几十": "几十",
    "三成": "三成",
    "1至": "1至",
    "-1": "-1",
    "1😀": "1😀",  # emoji inside numbers
    "1\u200b": "1\u200b",  # zero-width space inside numbers
    "1\u202e": "1\u202e",  # bidi mark inside numbers
    "」": "」",  # closing quotes (kept with a sentence)
    "3家企业，4%，": "3家企业，4%，",  # mentions in one endless sentence
}
SIZES = (10_000, 100_000, 1_000_000)
MIN_SECONDS = 0.3
"""Small sizes are repeated until they take this long, and the mean is taken."""


def seconds(text: str) -> float:
    """Mean seconds of ``extract(text)`` over enough repeats to measure."""
    runs, began = 0, time.perf_counter()
    while True:
        extract(text)
        runs += 1
        spent = time.perf_counter() - began
        if spent >= MIN_SECONDS:
            return spent / runs


def main() -> int:
    """Print the table; 1 if some kind is not flat within ``--max-ratio``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=SIZES,
                        help="characters per string (default: 1e4 1e5 1e6)")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS),
                        metavar="KIND", help="which strings (default: all)")
    parser.add_argument("--max-ratio", type=float, default=2.0,
                        help="largest allowed slowest/fastest seconds per MB (default 2)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes]
    extract("预热：新增企业130多家，增长12.5%")  # compile the rules outside the timings

    head = "| kind | " + " | ".join(f"{n:,} chars s/MB" for n in sizes) + " | max/min |"
    print(head)
    print("|" + " --- |" * (len(sizes) + 2))
    bad = []
    for name in args.kinds:
        unit = KINDS[name]
        per_mb = []
        for n in sizes:
            text = (unit * (n // len(unit) + 1))[:n]
            per_mb.append(seconds(text) / (len(text.encode("utf-8")) / 1e6))
        ratio = max(per_mb) / min(per_mb)
        if ratio > args.max_ratio:
            bad.append(name)
        cells = " | ".join(f"{x:.2f}" for x in per_mb)
        print(f"| `{name!r}` | {cells} | {ratio:.2f}{' ✗' if ratio > args.max_ratio else ''} |",
              flush=True)
    if bad:
        print(f"not flat within {args.max_ratio}×: {', '.join(map(repr, bad))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
