"""Differential run: this checkout's engine against another revision's, on the same texts.

    git worktree add ../zhstats-old REV
    python benchmarks/differential.py ../zhstats-old [--mb 5]

Texts: the development corpus and its parts, the news set, the seed, the sample articles, every
rule-file example, every conformance input and ``--mb`` of the benchmark corpus.
Each side extracts in its own process (``PYTHONPATH`` set to its checkout) and
prints every field of every mention (those both revisions have are compared, the §5
fields included); the script prints, per corpus, how many
texts differ, and the first differences. Exit status 1 when any text differs.
"""

from __future__ import annotations

import argparse
import glob
import json
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

EXTRACT = """
import dataclasses, json, sys
from extractor import extract
texts = json.load(open(sys.argv[1], encoding="utf-8"))
out = [[dataclasses.asdict(m) for m in extract(t)] for _, t in texts]
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
"""


def texts(mb: float) -> list[tuple[str, str]]:
    """(corpus, text) of every text compared."""
    from bench import _sample_articles, corpus

    data = ROOT / "tests" / "data"
    out = [("dev", json.loads(line)["text"])
           for line in (data / "dev_gold.jsonl").read_text("utf-8").splitlines()]
    for path in sorted(glob.glob(str(data / "dev" / "*.jsonl"))):
        out += [("dev parts", json.loads(line)["text"])
                for line in Path(path).read_text("utf-8").splitlines()]
    out += [("news", json.loads(line)["text"])
            for line in (data / "news" / "gold.jsonl").read_text("utf-8").splitlines()]
    out += [("seed", json.loads(line)["text"])
            for line in (data / "seed" / "gold.jsonl").read_text("utf-8").splitlines()]
    out += [("sample", t) for t in _sample_articles()]
    for path in sorted((ROOT / "rules").glob("*.toml")):
        out += [("rule examples", ex["text"])
                for ex in tomllib.loads(path.read_text("utf-8")).get("examples", [])]
    for path in sorted(glob.glob(str(data / "conformance" / "*" / "*.jsonl"))):
        out += [("conformance", case["input"]) for line in Path(path).read_text("utf-8")
                .splitlines() if isinstance((case := json.loads(line)).get("input"), str)]
    out += [("bench", t) for t in corpus(mb)]
    return [(kind, t) for kind, t in out if t]


def run(checkout: Path, source: Path, target: Path) -> list:
    subprocess.run([sys.executable, "-c", EXTRACT, str(source), str(target)], check=True,
                   cwd=checkout, env={"PYTHONPATH": str(checkout), "PATH": ""})
    return json.loads(target.read_text("utf-8"))


def _common_fields(ours: list, theirs: list) -> list[str]:
    """The Mention fields both revisions have (a newer one may add fields), in order."""
    mine = next((list(m) for ms in ours for m in ms), [])
    other = {f for ms in theirs for m in ms for f in m}
    return [f for f in mine if f in other]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other", type=Path, help="a checkout of the revision to compare with")
    ap.add_argument("--mb", type=float, default=5, help="benchmark corpus (MB)")
    ap.add_argument("--show", type=int, default=5, help="differences printed per corpus")
    args = ap.parse_args()
    compared = texts(args.mb)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "texts.json"
        source.write_text(json.dumps(compared, ensure_ascii=False), "utf-8")
        ours = run(ROOT, source, Path(tmp) / "ours.json")
        theirs = run(args.other.resolve(), source, Path(tmp) / "theirs.json")
    common = _common_fields(ours, theirs)
    print(f"fields compared: {', '.join(common)}")
    total, differ, shown = Counter(), Counter(), Counter()
    for (kind, text), mine, other in zip(compared, ours, theirs, strict=True):
        a = [[m[f] for f in common] for m in mine]
        b = [[m[f] for f in common] for m in other]
        total[kind] += 1
        if a == b:
            continue
        differ[kind] += 1
        if shown[kind] < args.show:
            shown[kind] += 1
            print(f"{kind}: {text[:60]!r}")
            for mention in (m for m in a if m not in b):
                print(f"   here  {text[mention[0]:mention[1]]} {mention[2:]}")
            for mention in (m for m in b if m not in a):
                print(f"   there {text[mention[0]:mention[1]]} {mention[2:]}")
    for kind in total:
        print(f"{kind:<14} {differ[kind]:>6} of {total[kind]:>6} texts differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
