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

``--interleaved`` runs both in one process instead, text by text, each going first
in turn (the other's pure-Python modules copied under another package name, so its
compiled modules, if any, do not count): a machine whose speed drifts, or two
processes that slow each other unevenly, then weigh on both alike. The first corpus
warms both up and is left out; prints the ratio per corpus and its median. With
``--compiled`` the other's copy is compiled as this checkout's is (its setup.py, run
on the renamed copy): compiled against compiled, the measure for a change within the
compiled engine (two copies of one revision measure 0.98 to 1.00).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
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


INTERLEAVED = """
import json, statistics, sys, time
sys.path.insert(0, sys.argv[2])
from extractor import extract
from zhstats_other import extract as other
corpora = json.load(open(sys.argv[1], encoding="utf-8"))
ratios = []
for k, texts in enumerate(corpora):
    ours = theirs = 0.0
    for i, t in enumerate(texts):  # in turn which goes first: the second finds caches warm
        first, second = (extract, other) if i % 2 else (other, extract)
        t0 = time.process_time()
        first(t)
        t1 = time.process_time()
        second(t)
        t2 = time.process_time()
        a, b = (t1 - t0, t2 - t1) if i % 2 else (t2 - t1, t1 - t0)
        ours += a
        theirs += b
    if k:
        mb = sum(len(t.encode()) for t in texts) / 1e6
        ratios.append(theirs / ours)
        print(f"corpus {k}: this {mb / ours:.2f}  other {mb / theirs:.2f}  "
              f"ratio {theirs / ours:.3f}")
print(f"median ratio this/other: {statistics.median(ratios):.3f}")
"""


def _renamed(checkout: Path, into: Path, compiled: bool = False) -> Path:
    """A copy of ``checkout``'s package as ``zhstats_other`` (its .py files, imports
    renamed) beside its rules, compiled by its own setup.py if ``compiled``; returns
    the folder to put on ``sys.path``."""
    pkg = into / "zhstats_other"
    shutil.copytree(checkout / "extractor", pkg,
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "*.c", "__pycache__"))
    sources = list(pkg.rglob("*.py"))
    if compiled:
        shutil.copy(checkout / "setup.py", into / "setup.py")
        sources.append(into / "setup.py")
    for py in sources:
        py.write_text(re.sub(r"\bextractor\b", "zhstats_other", py.read_text("utf-8")),
                      "utf-8")
    shutil.copytree(checkout / "rules", into / "rules")
    if compiled:
        subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                       cwd=into, check=True, stdout=subprocess.DEVNULL)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="the other revision's checkout")
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interleaved", action="store_true",
                        help="both in one process, text by text in turn")
    parser.add_argument("--compiled", action="store_true",
                        help="with --interleaved: the other's copy compiled too")
    args = parser.parse_args()

    from bench import fresh_corpora

    from extractor import engine_build

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpora.json"
        path.write_text(json.dumps(fresh_corpora(args.mb, False, args.runs),
                                   ensure_ascii=False), "utf-8")
        if args.interleaved:
            compiled = args.compiled and (args.other / "setup.py").exists()
            other = _renamed(args.other.resolve(), Path(tmp) / "other", compiled)
            print(f"{args.runs} fresh corpora of {args.mb:g} MB after one to warm up, "
                  f"interleaved; this checkout's engine {engine_build()}, the other's "
                  f"{'compiled' if compiled else 'pure Python'}; MB/s (CPU time)", flush=True)
            path.write_text(json.dumps(fresh_corpora(args.mb, False, args.runs + 1),
                                       ensure_ascii=False), "utf-8")
            subprocess.run([sys.executable, "-c", INTERLEAVED, str(path), str(other)],
                           cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True)
            return
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
