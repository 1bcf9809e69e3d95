"""What ``zhstats extract`` spends around the engine: start-up steps, then seconds per MB
of each stage of the run with the engine's work taken out.

    python benchmarks/around_engine.py [--mb 2] [--runs 5]

Start-up: each step timed in a fresh interpreter, in the order a run takes them
(pandas is imported by pyarrow when the first batch is built from Python lists),
then the wall time of ``zhstats extract`` of one short article (median of
``--runs``). Per MB: the benchmark corpus (benchmarks/bench.py) read and processed
in this process with the engine's mentions computed once and then served from a
dict, so that each figure is the work around the engine (median of ``--runs``).
Runs against another checkout with ``PYTHONPATH=OTHER_CHECKOUT``.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

STARTUP = """
import time
t = time.perf_counter()
steps = []
def mark(name):
    global t
    now = time.perf_counter()
    steps.append((name, now - t))
    t = now
import extractor.cli
mark("import extractor.cli (typer, rich)")
from extractor.ruleset import default_ruleset
rules = default_ruleset()
mark("Ruleset.load: the shipped rules")
from extractor.rulecheck import check_backtracking, failing_examples
check_backtracking(rules)
mark("check_backtracking")
failing_examples(rules)
mark("the rule-file examples")
import extractor.dataset
mark("import extractor.dataset (pool, writer, pyarrow)")
import pandas
mark("pandas (pyarrow's first batch imports it)")
print(repr(steps))
"""


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def startup(runs: int, tmp: Path) -> list[tuple[str, float]]:
    """Seconds of each start-up step (medians over fresh interpreters), then the wall
    time of a whole ``zhstats extract`` of one short article."""
    command = [sys.executable, "-c", STARTUP]
    samples = [dict(ast.literal_eval(subprocess.run(command, check=True, capture_output=True,
                                                    text=True).stdout))
               for _ in range(runs)]
    rows = [(name, statistics.median(s[name] for s in samples)) for name in samples[0]]
    article = tmp / "one.jsonl"
    article.write_text(json.dumps({"text": "今年以来新增企业40家"}, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    cmd = [sys.executable, "-c", "from extractor.cli import main; main()", "extract",
           str(article), "--out", str(tmp / "out"), "--quiet"]
    wall, _ = _median(lambda: subprocess.run(cmd, check=True), runs)
    return [*rows, ("zhstats extract of one short article (wall)", wall)]


def per_mb(mb: float, runs: int, tmp: Path) -> list[tuple[str, float]]:
    """Seconds per MB of each stage around the engine on ``mb`` MB of the corpus."""
    import bench

    from extractor import assemble, metadata, pipeline, pool
    from extractor.readers import discover, read_input
    from extractor.ruleset import default_ruleset
    from extractor.schema import ARTICLES, INDICATORS, Columns
    from extractor.writer import DatasetWriter

    path = bench._write_jsonl(bench.corpus(mb), tmp)
    rules = default_ruleset()

    def read() -> list[Any]:
        return [raw for item in discover([str(path)]) for raw in read_input(item, "text", "text")]

    items = read()
    size = sum(len(item.content.encode()) for item in items) / 1e6
    metas = [metadata.extract_metadata(item.content, item.fields) for item in items]
    t0 = time.perf_counter()
    found = {item.content: pipeline.extract_mentions(item.content, rules, meta.published)
             for item, (meta, _) in zip(items, metas, strict=True)}
    engine = time.perf_counter() - t0
    pipeline.extract_mentions = lambda text, rules=None, published=None: found[text]

    t_read, _ = _median(read, runs)
    t_meta, _ = _median(lambda: [metadata.extract_metadata(i.content, i.fields) for i in items],
                        runs)
    t_asm, rows = _median(lambda: [assemble.assemble(i.source, i.content, i.encoding, *m,
                                                     found[i.content])
                                   for i, m in zip(items, metas, strict=True)], runs)

    def gather() -> tuple[Columns, Columns]:
        articles, indicators = Columns(ARTICLES), Columns(INDICATORS)
        for r in rows:
            articles.add(r.article)
            indicators.extend(r.indicators)
        return articles, indicators

    t_gather, (articles, indicators) = _median(gather, runs)
    t_batch, _ = _median(lambda: (articles.batch(ARTICLES.schema()),
                                  indicators.batch(INDICATORS.schema())), runs)
    t_chunks, chunks = _median(lambda: list(pool.process_here(items, 60.0, rules)), runs)

    def write() -> None:
        out = tmp / "written"
        with DatasetWriter(out, "out", rules_digest=rules.digest) as writer:
            for chunk in chunks:
                for result in chunk.split():
                    writer.add(result)
        shutil.rmtree(out)

    t_write, _ = _median(write, runs)
    rest = t_chunks - t_meta - t_asm - t_gather - t_batch
    return [(f"corpus: {size:.2f} MB, {len(items):,} articles, "
             f"{sum(map(len, found.values())):,} mentions; the engine once", engine / size),
            ("read (JSONL lines → raw articles)", t_read / size),
            ("metadata.extract_metadata", t_meta / size),
            ("assemble.assemble", t_asm / size),
            ("Columns.add / extend (a chunk's rows)", t_gather / size),
            ("Columns.batch (Arrow)", t_batch / size),
            ("the rest of pipeline.process and process_chunk", rest / size),
            ("DatasetWriter (Parquet, zstd)", t_write / size),
            ("all of it: read + process_chunk + write", (t_read + t_chunks + t_write) / size)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=2, help="corpus size (MB)")
    ap.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        first = startup(args.runs, tmp)
        second = per_mb(args.mb, args.runs, tmp)
    width = max(len(k) for k, _ in first + second)
    print(f"start-up (s, median of {args.runs} fresh interpreters)")
    for key, value in first:
        print(f"  {key:<{width}}  {value:6.3f}")
    print(f"per MB (s/MB, engine results served from a dict, median of {args.runs})")
    for key, value in second:
        print(f"  {key:<{width}}  {value:6.3f}")


if __name__ == "__main__":
    main()
