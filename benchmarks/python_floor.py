"""How fast any Python reading of the numeral runs could be, at the bench corpus's density.

    python benchmarks/python_floor.py [--mb 1] [--runs 5]

Phase one of the scan as built (fold, squeeze, the numeral-run pattern), then for
every run a function (``floor_row.py``: as Python, and compiled by mypyc where mypy is
installed) that does N dictionary lookups and builds one row tuple of a mention's
twelve fields, and nothing else: no grammar, no exclusion, no reading, no object, no
statistic. Whatever the engine does per run costs at least this, so the figures bound
what an engine of Python objects, compiled or not, can reach on this corpus. Prints
MB/s (CPU time, medians) for N = 0, 10, 40 beside ``Extractor.rows`` and
``Extractor.extract``.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor_row
from bench import corpus


def _compiled_rows(into: Path) -> ModuleType | None:
    """``floor_row`` compiled by mypyc in ``into``, or None where mypyc is missing."""
    source = into / "floor_row_compiled.py"
    shutil.copy(Path(__file__).with_name("floor_row.py"), source)
    done = subprocess.run([sys.executable, "-m", "mypyc", source.name], cwd=into,
                          capture_output=True)
    if done.returncode:
        return None
    sys.path.insert(0, str(into))
    return importlib.import_module("floor_row_compiled")


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

    def floor(module: ModuleType, lookups: int) -> Callable[[str], object]:
        return lambda text: module.rows(squeeze(fold(text))[0], runs, lookups)

    print(f"{args.mb:g} MB of the bench corpus: {count:,} numeral runs, {mentions:,} mentions; "
          f"engine {engine_build()}; CPU MB/s, median of {args.runs}")
    with tempfile.TemporaryDirectory() as tmp:
        compiled = _compiled_rows(Path(tmp))
        for lookups in (0, 10, 40):
            for name, module in (("Python", floor_row), ("mypyc", compiled)):
                if module is not None:
                    print(f"phase one + {lookups:2d} lookups and a row tuple per run, {name:6s} "
                          f"{_mb_per_s(texts, floor(module, lookups), args.runs):6.2f}")
    print(f"Extractor.rows (scan, reading, object)           "
          f"{_mb_per_s(texts, extractor.rows, args.runs):6.2f}")
    print(f"Extractor.extract (with the statistic, §5)        "
          f"{_mb_per_s(texts, extractor.extract, args.runs):6.2f}")


if __name__ == "__main__":
    main()
