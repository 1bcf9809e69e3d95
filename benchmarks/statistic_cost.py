"""What the statistic around each mention (§5) costs: ``extract`` against ``rows``.

    python benchmarks/statistic_cost.py [--mb 1] [--runs 5]

``Extractor.rows`` is the scan and reading alone; ``Extractor.extract`` adds the
Mention objects and ``statistics.annotate`` (measure, direction, basis, period,
place, the carried object). Both run over ``bench.py``'s corpus in one process,
text by text in turn, so that a load that comes and goes on a shared machine
weighs on both alike. Prints CPU time (``time.process_time``) per run and the
medians. The first run fills the reading's cache of surfaces and is left out of
the medians. (Issue 15's own measure is ``extract`` against the engine before §5:
``benchmarks/versus.py`` with a checkout of that revision.)
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from extractor.engine import Extractor

    texts = corpus(args.mb)
    extractor = Extractor()
    clock = time.process_time
    rows_s, extract_s = [], []
    gc.disable()
    for _ in range(args.runs + 1):
        rows = extract = 0.0
        for text in texts:
            t0 = clock()
            extractor.rows(text)
            t1 = clock()
            extractor.extract(text)
            t2 = clock()
            rows, extract = rows + t1 - t0, extract + t2 - t1
        gc.collect()
        rows_s.append(rows)
        extract_s.append(extract)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    for i, (r, e) in enumerate(zip(rows_s, extract_s, strict=True)):
        print(f"run {i}{' (cold)' if i == 0 else ''}: rows {r:.3f} s, extract {e:.3f} s, "
              f"ratio {e / r:.3f}")
    r = statistics.median(rows_s[1:])
    e = statistics.median(extract_s[1:])
    ratio = statistics.median(x / y for x, y in zip(extract_s[1:], rows_s[1:], strict=True))
    print(f"{mb:.2f} MB: rows {mb / r:.2f} MB/s, extract {mb / e:.2f} MB/s, "
          f"median ratio extract/rows {ratio:.3f}")


if __name__ == "__main__":
    main()
