"""Throughput of ``--engine dask`` on a LocalCluster of 1 and of 2 worker processes.

    python benchmarks/dask_scaling.py --mb 200            # the issue's 200 MB
    python benchmarks/dask_scaling.py --mb 20 --workers 1,2,4

Generates a corpus of JSONL files (the seed and development articles, each
copy given its own headline so that no text repeats), runs the Dask engine on
it once per worker count, and prints the MB/s of each run (cluster start
included) and the speed-up over the first, with the load average before each
run (other work on the machine skews them). Not a test: the figures depend on
the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from extractor.dask_engine import run_dask
from extractor.dataset import RunOptions

ROOT = Path(__file__).resolve().parent.parent
FILES = 8
"""JSONL files the corpus is written as (each is cut into blocks)."""


def texts() -> list[str]:
    """The seed article and the development articles."""
    found = [(ROOT / "tests/data/seed/quality-month-2025-09-15.txt").read_text(encoding="utf-8")]
    for path in sorted((ROOT / "tests/data/dev").glob("*.jsonl")):
        found += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    return found


def make_corpus(folder: Path, megabytes: float) -> int:
    """JSONL files holding about ``megabytes`` MB of article text; returns the byte count."""
    folder.mkdir(parents=True, exist_ok=True)
    bodies = texts()
    target = megabytes * 1e6
    handles = [(folder / f"part-{n}.jsonl").open("w", encoding="utf-8") for n in range(FILES)]
    written = i = 0
    while written < target:
        text = f"第{i}期\n\n{bodies[i % len(bodies)]}"
        line = json.dumps({"text": text}, ensure_ascii=False) + "\n"
        handles[i % FILES].write(line)
        written += len(line.encode("utf-8"))
        i += 1
    for handle in handles:
        handle.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=200, help="corpus size in MB (default 200)")
    parser.add_argument("--workers", default="1,2", help="worker counts to run (default 1,2)")
    parser.add_argument("--corpus", type=Path, help="keep the corpus here (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp) / "corpus"
        size = make_corpus(corpus, args.mb)
        print(f"corpus: {size / 1e6:.1f} MB in {FILES} JSONL files")
        first = None
        for workers in (int(w) for w in args.workers.split(",")):
            load = os.getloadavg()[0]
            began = time.perf_counter()
            summary = run_dask([str(corpus)], str(Path(tmp) / f"out-{workers}"),
                               RunOptions(workers=workers))
            seconds = time.perf_counter() - began
            rate = size / 1e6 / seconds
            first = first or rate
            print(f"{workers} worker(s): {summary.articles:,} articles, "
                  f"{summary.indicators:,} indicators in {seconds:.1f} s = {rate:.2f} MB/s, "
                  f"×{rate / first:.2f} (load average before: {load:.1f})", flush=True)


if __name__ == "__main__":
    main()
