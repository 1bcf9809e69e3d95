"""Extraction speed of this checkout against another revision's checkout, on the same text.

    git worktree add ../zhstats-old REV
    python benchmarks/versus.py ../zhstats-old [--mb 1] [--rounds 3] [--runs 3]

Both sides run ``extract`` from their own checkout (``PYTHONPATH`` set to it, each in
its own process, so a compiled engine in a checkout counts) over the same
``bench.py`` corpora: ``--runs`` fresh corpora of ``--mb`` each (each with its own
digit permutations, so no run reads surfaces an earlier one cached). A round runs
the two sides at the same time, one per core, so that a load that comes and goes
on a shared machine weighs on both alike. Prints each side's MB/s per round (CPU
time, median of its runs) and the median ratio this/other.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

TIME = """
import json, statistics, sys, time
from extractor import extract
corpora = json.load(open(sys.argv[1], encoding="utf-8"))
extract("预热1个")
times = []
for texts in corpora:
    t0 = time.process_time()
    for t in texts:
        extract(t)
    times.append(time.process_time() - t0)
print(sum(len(t.encode()) for t in corpora[0]) / 1e6 / statistics.median(times))
"""


def _start(checkout: Path, path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", TIME, str(path)], cwd=checkout,
                            env={"PYTHONPATH": str(checkout), "PATH": ""},
                            stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="the other revision's checkout")
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from bench import fresh_corpora

    from extractor import engine_build

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpora.json"
        path.write_text(json.dumps(fresh_corpora(args.mb, False, args.runs),
                                   ensure_ascii=False), "utf-8")
        ratios = []
        print(f"{args.runs} fresh corpora of {args.mb:g} MB; this checkout's engine "
              f"{engine_build()}; MB/s (CPU time, median of runs)")
        for k in range(args.rounds):
            this, other = _start(ROOT, path), _start(args.other.resolve(), path)
            ours, theirs = (float(p.communicate()[0]) for p in (this, other))
            ratios.append(ours / theirs)
            print(f"round {k + 1}: this {ours:.2f}  other {theirs:.2f}  ratio {ours / theirs:.2f}")
    print(f"median ratio this/other: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
