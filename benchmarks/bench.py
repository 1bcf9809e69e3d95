"""zhstats benchmark: prints a table of speed, memory and start-up figures.

    python benchmarks/bench.py [--mb 50] [--runs 3] [--memory-mb 500] [--peer-mb 1]

The corpus is deterministic and has the density of news: each copy holds the
bundled sample articles and one article made of twenty rule-file examples (the
next twenty in each copy, so every example comes round), shuffled with a fixed
seed and repeated up to ``--mb`` megabytes of UTF-8. Each copy has its Arabic
and Chinese digits permuted, so a cache of repeated surfaces cannot turn
repetition into free work, and a unique article code, so no article is a
duplicate. Each timed run of the in-process figures reads its own corpus (its own
seed, so its own permutations): a run never finds the surfaces of an earlier run
in the engine's caches. ``--dense`` puts every example article in every copy instead (about
four times the mentions per kilobyte: a stress test, not news).

With ``pip install '.[bench]'`` the peers (JioNLP's money extraction,
Recognizers-Text's Chinese number and number-with-unit models) run on a slice of
the same corpus in the same process, and the ratios zhstats/peer are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20250915


def _sample_articles() -> list[str]:
    from extractor.readers import RawArticle, discover, html_to_article, read_input

    texts = []
    for item in discover([str(ROOT / "datasets" / "sample" / "articles")]):
        for got in read_input(item, text_field="text", text_column="text"):
            assert isinstance(got, RawArticle), got
            texts.append(html_to_article(got.content)[0] if got.fmt == "html" else got.content)
    assert texts, "no sample article read"
    return texts


def _example_articles(per_article: int = 20) -> list[str]:
    from extractor.ruleset import default_ruleset

    texts = [ex["text"] for _, ex in default_ruleset().examples()]
    return ["，".join(texts[i:i + per_article]) + "。" for i in range(0, len(texts), per_article)]


def corpus(megabytes: float, dense: bool = False, seed: int = SEED) -> list[str]:
    """Articles totalling ``megabytes`` of UTF-8, digits permuted in each copy (all but
    the first with the default seed)."""
    articles, examples = _sample_articles(), _example_articles()
    rng = random.Random(seed)
    out, size, copy = [], 0, 0
    while size < megabytes * 1e6:
        order = articles + (examples if dense else [examples[copy % len(examples)]])
        rng.shuffle(order)
        perm = list(range(9))
        rng.shuffle(perm)
        table = str.maketrans("123456789" + "一二三四五六七八九",
                              "".join(str(p + 1) for p in perm)
                              + "".join("一二三四五六七八九"[p] for p in perm)
                              ) if copy or seed != SEED else {}
        for i, text in enumerate(order):
            varied = f"稿件ZH{copy:05d}X{i:04d}\n" + text.translate(table)  # unique: no duplicates
            out.append(varied)
            size += len(varied.encode())
        copy += 1
    return out


def _median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fresh_corpora(megabytes: float, dense: bool, runs: int, first: int = 0) -> list[list[str]]:
    """One corpus per timed run, each with its own digit permutations (seeds ``first``
    onwards), so that no run reads surfaces an earlier run left in the engine's caches
    (as new text would)."""
    return [corpus(megabytes, dense, SEED + first + run) for run in range(runs)]


def _timed(fn, corpora: list[list[str]]) -> tuple[float, int]:
    """Median seconds of ``fn`` over each corpus in turn, and its mentions on the first."""
    times, found = [], []
    for texts in corpora:
        t0 = time.perf_counter()
        found.append(sum(len(fn(t)) for t in texts))
        times.append(time.perf_counter() - t0)
    return statistics.median(times), found[0]


def bench_extract(corpora: list[list[str]]) -> dict[str, float]:
    from extractor import extract

    extract("预热1个")
    seconds, count = _timed(extract, corpora)
    texts = corpora[0]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    return {"MB": mb, "mentions/KB": count / mb / 1000, "seconds": seconds,
            "MB/s": mb / seconds, "articles/s": len(texts) / seconds,
            "mentions/s": count / seconds}


def bench_scan_only(corpora: list[list[str]]) -> float:
    """MB/s of the scan and reading alone (``Extractor.rows``: no §5 statistic, no
    Mention objects): what the statistic around each mention costs is the rest."""
    from extractor.engine import Extractor

    extractor = Extractor()
    extractor.rows("预热1个")
    seconds, _ = _timed(extractor.rows, corpora)
    return sum(len(t.encode()) for t in corpora[0]) / 1e6 / seconds


def _write_jsonl(texts: list[str], folder: Path) -> Path:
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
    return path


def _zhstats(*args: str) -> list[str]:
    exe = shutil.which("zhstats")
    if exe is None:
        sys.exit("zhstats is not on PATH: pip install '.[bench]' first")
    return [exe, *args]


def run_end_to_end(path: Path, workers: int, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, largest process) of one ``zhstats extract``."""
    if out.exists():
        shutil.rmtree(out)
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    cmd = [sys.executable, "-c", probe,
           *_zhstats("extract", str(path), "--out", str(out), "--workers", str(workers),
                     "--quiet")]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    return seconds, int(done.stdout.split()[-1]) / 1024


def bench_end_to_end(path: Path, mb: float, runs: int, tmp: Path) -> dict[str, float]:
    cores = os.cpu_count() or 1
    one = statistics.median(run_end_to_end(path, 1, tmp / "out1")[0] for _ in range(runs))
    many = statistics.median(run_end_to_end(path, cores, tmp / "outn")[0] for _ in range(runs))
    return {"cores": cores, "MB/s 1 worker": mb / one, f"MB/s {cores} workers": mb / many,
            "speed-up": one / many}


def _extract_all(texts: list[str]) -> float:
    from extractor import extract

    extract("预热1个")
    t0 = time.perf_counter()
    for text in texts:
        extract(text)
    return time.perf_counter() - t0


def bench_ceiling(texts: list[str], runs: int) -> dict[str, float]:
    """What this machine gives to processes that share nothing: the same extraction
    in one process, then in one per core at once (speed-up = cores × alone / together).
    No run of zhstats can scale past it."""
    from concurrent.futures import ProcessPoolExecutor

    cores = os.cpu_count() or 1
    alone, together = [], []
    with ProcessPoolExecutor(cores) as pool:
        for _ in range(runs):
            alone.append(pool.submit(_extract_all, texts).result())
            together.append(max(pool.map(_extract_all, [texts] * cores)))
    return {"speed-up of independent processes": cores * statistics.median(alone)
            / statistics.median(together)}


def bench_memory(small_mb: float, big_mb: float, tmp: Path, dense: bool) -> dict[str, float]:
    """Peak RSS of a run over the speed corpus and over the large one (keys by role, so
    that equal sizes do not collide)."""
    cores = os.cpu_count() or 1
    peaks = []
    for label, mb in (("small", small_mb), ("big", big_mb)):
        path = _write_jsonl(corpus(mb, dense), tmp)
        peaks.append(run_end_to_end(path, cores, tmp / f"m{label}")[1])
        path.unlink()
    return {f"peak RSS MB, speed corpus ({small_mb:g} MB)": peaks[0],
            f"peak RSS MB, large corpus ({big_mb:g} MB)": peaks[1],
            "ratio large/speed": peaks[1] / peaks[0]}


def bench_startup(runs: int) -> float:
    return _median_time(lambda: subprocess.run(_zhstats("--help"), check=True,
                                               capture_output=True), runs)


def bench_peers(texts: list[str], ours_mb_s: float) -> dict[str, float]:
    """Peers on the same text, in this process; ratio = zhstats MB/s / peer MB/s."""
    out: dict[str, float] = {}
    mb = sum(len(t.encode()) for t in texts) / 1e6
    try:
        import jionlp

        seconds = _median_time(
            lambda: [jionlp.ner.extract_money(t, with_parsing=True) for t in texts], 3)
        out["JioNLP money MB/s"] = mb / seconds
        out["ratio zhstats/JioNLP"] = ours_mb_s / (mb / seconds)
    except ImportError:
        out["JioNLP"] = float("nan")
    try:
        from recognizers_number import Culture, recognize_number
        from recognizers_number_with_unit import recognize_currency, recognize_dimension

        def rt() -> None:
            for t in texts:
                recognize_number(t, Culture.Chinese)
                recognize_currency(t, Culture.Chinese)
                recognize_dimension(t, Culture.Chinese)

        seconds = _median_time(rt, 1)
        out["Recognizers-Text MB/s"] = mb / seconds
        out["ratio zhstats/Recognizers-Text"] = ours_mb_s / (mb / seconds)
    except ImportError:
        out["Recognizers-Text"] = float("nan")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50, help="corpus size for speed (MB)")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    ap.add_argument("--memory-mb", type=float, default=500,
                    help="large corpus for the memory check (MB); 0 skips it")
    ap.add_argument("--peer-mb", type=float, default=1,
                    help="corpus slice for the peers (MB); 0 skips them")
    ap.add_argument("--dense", action="store_true",
                    help="every rule-example article in every copy (a stress test)")
    args = ap.parse_args()

    corpora = fresh_corpora(args.mb, args.dense, args.runs)
    texts = corpora[0]
    rows: list[tuple[str, str]] = []
    ex = bench_extract(corpora)
    rows += [(f"extract, 1 core: {k}", f"{v:,.2f}") for k, v in ex.items()]
    scan_only = bench_scan_only(fresh_corpora(args.mb, args.dense, args.runs, args.runs))
    rows.append(("scan and reading alone (no §5), 1 core: MB/s", f"{scan_only:,.2f}"))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = _write_jsonl(texts, tmp)
        e2e = bench_end_to_end(path, ex["MB"], args.runs, tmp)
        rows += [(f"end to end: {k}", f"{v:,.2f}") for k, v in e2e.items()]
        ceiling = bench_ceiling(texts[: max(1, len(texts) // 10)], args.runs)
        rows += [(f"machine ceiling: {k}", f"{v:,.2f}") for k, v in ceiling.items()]
        path.unlink()
        if args.memory_mb:
            mem = bench_memory(args.mb, args.memory_mb, tmp, args.dense)
            rows += [(f"memory: {k}", f"{v:,.2f}") for k, v in mem.items()]
    rows.append(("start-up: zhstats --help (s)", f"{bench_startup(max(args.runs, 5)):.3f}"))
    if args.peer_mb:
        peer_corpora = fresh_corpora(args.peer_mb, args.dense, args.runs, 2 * args.runs)
        ours = bench_extract(peer_corpora)["MB/s"]
        rows.append(("extract on the peer slice: MB/s", f"{ours:,.2f}"))
        rows += [(f"peers: {k}", f"{v:,.3f}")
                 for k, v in bench_peers(peer_corpora[0], ours).items()]

    width = max(len(k) for k, _ in rows)
    kind = "dense" if args.dense else "news"
    import extractor

    build = getattr(extractor, "engine_build", lambda: "pure Python")()  # older checkouts
    print(f"zhstats benchmark: {kind} corpus {args.mb:g} MB, median of {args.runs} runs, "
          f"engine {build}")
    for key, value in rows:
        print(f"{key:<{width}}  {value:>14}")


if __name__ == "__main__":
    main()
