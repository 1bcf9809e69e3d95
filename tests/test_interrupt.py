"""Interrupted runs: killing ``zhstats extract`` at any moment leaves the previous output
folder intact and readable, and a rerun completes it.

Each case starts the CLI in its own process group, kills it at one point (a
fixed delay, or once its temp folder exists) with SIGKILL (the whole group, or
the parent alone as the OOM killer would) or SIGINT (Ctrl-C: the whole group),
then checks the previous dataset byte for byte and reruns.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow  # subprocesses, workers, kills: see the README's quick loop
ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 240


def article(i: int) -> str:
    """A long article (many mentions), so that the run takes a few seconds."""
    line = (f"第{i}期：全市新增企业{i + 10}家，累计为{i * 3 + 100}余家企业提供近3万次服务，"
            f"节省费用{i + 2}万元，同比增长{i % 40 + 1}.5%，其中约{i % 9 + 1}成为小微企业。")
    return "\n".join(f"{line}（{k}）" for k in range(60))


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ZHSTATS_RULES", None)
    return subprocess.Popen([sys.executable, "-c", "from extractor.cli import main; main()",
                             *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``old/`` (3 articles) built into ``out/``, and ``new/`` (many articles)."""
    base = tmp_path_factory.mktemp("interrupt")
    (base / "old").mkdir()
    for i in range(3):
        (base / "old" / f"{i}.txt").write_text(article(i), encoding="utf-8")
    (base / "new").mkdir()
    with (base / "new" / "feed.jsonl").open("w", encoding="utf-8") as f:
        for i in range(ARTICLES):
            f.write(json.dumps({"text": article(i + 100)}, ensure_ascii=False) + "\n")
    done = subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()",
                           "extract", "old", "--out", "out", "--workers", "1", "-q"], cwd=base,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0
    return base


def _temp_folders(base: Path) -> list[Path]:
    return [p for p in base.iterdir() if p.name.startswith((".out.tmp-", ".out.old-"))]


def _kill_when(proc: subprocess.Popen[str], base: Path, point: str) -> None:
    """Wait for ``point``: seconds, "started" (+ seconds) once the run holds the lock
    (a Ctrl-C before that, while Python imports zhstats, is Python's own), or
    "writing": the temp folder holds a table.

    The swap itself (about a millisecond) is one atomic ``renameat2`` exchange on
    Linux, and ``recover`` undoes a cut two-rename swap (tested below); polling
    cannot hit it reliably, so it is no kill point here."""
    deadline = time.monotonic() + 120
    if point.startswith("started"):  # the run holds the output's lock: its handlers are set
        while time.monotonic() < deadline and proc.poll() is None:
            with suppress(OSError):  # a killed run's lock file stays, with its pid
                if (base / ".out.lock").read_text().strip() == str(proc.pid):
                    time.sleep(float(point.partition("+")[2] or 0))
                    return
            time.sleep(0.02)
        pytest.fail("the run ended before it started")
    if point == "writing":
        while time.monotonic() < deadline and proc.poll() is None:
            if any((t / "articles.parquet").exists() for t in _temp_folders(base)
                   if f"-{proc.pid}-" in t.name):  # not one a killed run left
                time.sleep(0.3)
                return
            time.sleep(0.02)
        pytest.fail("the run ended before it wrote anything")
    time.sleep(float(point))


@pytest.mark.parametrize(("how", "point"), [
    ("SIGKILL", "0.3"), ("SIGKILL", "1.2"), ("SIGKILL", "writing"),
    ("SIGKILL-parent", "1.2"), ("SIGKILL-parent", "writing"),
    ("SIGINT", "started"), ("SIGINT", "started+1"), ("SIGINT", "writing"),
])
def test_a_killed_run_leaves_the_previous_output(workspace: Path, how: str, point: str) -> None:
    base = workspace
    before = snapshot(base / "out")
    proc = start(["extract", "new", "--out", "out", "--workers", "2", "-q"], base)
    try:
        _kill_when(proc, base, point)
        if proc.poll() is not None:
            pytest.fail(f"the run finished before the kill: {proc.returncode}")
        if how == "SIGKILL":
            os.killpg(proc.pid, signal.SIGKILL)
        elif how == "SIGKILL-parent":
            proc.send_signal(signal.SIGKILL)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)  # orphaned workers end too
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # orphaned workers of a killed parent
        proc.wait(timeout=60)
    if how == "SIGINT":  # a clean stop: no traceback, from the parent or its workers
        assert proc.returncode == 130, stderr
        assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
        assert not [t for t in _temp_folders(base) if f"-{proc.pid}-" in t.name], \
            "Ctrl-C leaves no temp folder"
    else:
        assert proc.returncode == -signal.SIGKILL
    assert snapshot(base / "out") == before, "the previous dataset changed"
    assert pq.read_table(base / "out" / "articles.parquet").num_rows == 3


def _descendants(pid: int) -> set[int]:
    """The processes under ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with suppress(OSError, IndexError):
                stat = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()
                parents[int(entry)] = int(stat[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds workers in /proc")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_ends_busy_workers_at_once(workspace: Path, signum: int, code: int) -> None:
    """Ctrl-C with two workers waited for the work in hand (76 s on a page with 10⁶ tags);
    SIGTERM had no handler. Now either ends the run within 2 s, the dataset as it was."""
    base = workspace
    pages = base / "pages"
    pages.mkdir(exist_ok=True)
    for i in range(2):  # trafilatura takes tens of seconds on each
        (pages / f"p{i}.html").write_text(
            f"<html><body><article><h1>第{i}页</h1>"
            + "<div><p>新增企业30家</p></div>" * 40_000 + "</article></body></html>",
            encoding="utf-8")
    before = snapshot(base / "out")
    proc = start(["extract", "pages", "--out", "out", "--workers", "2", "-q"], base)
    try:
        deadline = time.monotonic() + 120
        while len(_descendants(proc.pid)) < 3:  # the forkserver and two workers
            assert time.monotonic() < deadline and proc.poll() is None, "no workers started"
            time.sleep(0.05)
        time.sleep(2)  # both workers deep in a page
        assert proc.poll() is None
        os.killpg(proc.pid, signum) if signum == signal.SIGINT else proc.send_signal(signum)
        sent = time.monotonic()
        _, stderr = proc.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == code, stderr
    assert took < 2, f"the run took {took:.1f} s to stop"
    assert "Interrupted: the output folder was left as it was." in stderr
    assert "Traceback" not in stderr, stderr
    assert snapshot(base / "out") == before


def test_a_rerun_completes_and_tidies_up(workspace: Path) -> None:
    base = workspace
    done = subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()",
                           "extract", "new", "--out", "out", "--workers", "2", "-q"], cwd=base,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert pq.read_table(base / "out" / "articles.parquet").num_rows == ARTICLES
    assert not _temp_folders(base), "temp folders of killed runs are removed"


def test_a_swap_cut_between_its_renames_is_undone(tmp_path: Path) -> None:
    """Where there is no atomic exchange, the swap is two renames; a run killed between
    them leaves the old dataset at .out.old-PID-…, which the next run (holding the lock,
    so every temp folder there is a dead run's) puts back."""
    from extractor.layout import recover

    out = tmp_path / "out"
    out.mkdir()
    (out / "datapackage.json").write_text("{}")
    moved = tmp_path / f".out.old-{os.getpid()}-0a1b2c3d"
    out.rename(moved)
    (tmp_path / f".out.tmp-{os.getpid()}-4e5f6a7b").mkdir()  # the new one, half written
    (tmp_path / ".other.tmp-1-00000000").mkdir()  # another output's: left alone
    recover(out)
    assert (out / "datapackage.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.tmp-1-00000000", "out"]


def tables(folder: Path) -> dict[str, list[dict]]:
    """The rows of a dataset's tables (bytes differ from run to run: created_at)."""
    return {name: pq.read_table(folder / f"{name}.parquet").to_pylist()
            for name in ("articles", "indicators", "errors")}


@pytest.mark.parametrize("mode", ["replace", "append"])
def test_kill_9_at_random_points_leaves_the_old_or_the_new_dataset(
    tmp_path: Path, mode: str
) -> None:
    """20 runs killed (SIGKILL, the whole group) at random moments of a replace or an
    append: the output is always the complete old or the complete new dataset."""
    base = tmp_path
    (base / "old").mkdir()
    for i in range(3):
        (base / "old" / f"{i}.txt").write_text(article(i), encoding="utf-8")
    (base / "new").mkdir()
    with (base / "new" / "feed.jsonl").open("w", encoding="utf-8") as f:
        for i in range(40):
            f.write(json.dumps({"text": article(i + 500)}, ensure_ascii=False) + "\n")
    flags = ["--append"] if mode == "append" else []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def cli(*args: str) -> float:
        began = time.monotonic()
        done = subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()",
                               *args, "-q"], cwd=base, env=env, timeout=300,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return time.monotonic() - began

    cli("extract", "old", "--out", "out", "--workers", "1")
    shutil.copytree(base / "out", base / "old-copy")
    old = tables(base / "out")
    took = cli("extract", "new", "--out", "out", "--workers", "2", *flags)
    new = tables(base / "out")
    assert new != old
    rng = random.Random(f"kill-9-{mode}")
    outcomes = []
    for _ in range(20):
        shutil.rmtree(base / "out")
        shutil.copytree(base / "old-copy", base / "out")
        proc = start(["extract", "new", "--out", "out", "--workers", "2", "-q", *flags], base)
        time.sleep(rng.uniform(0, took * 1.1))
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        now = tables(base / "out")
        assert now in (old, new), "a killed run left a dataset that is neither old nor new"
        outcomes.append("new" if now == new else "old")
    assert "old" in outcomes, outcomes  # some kills landed before the swap
    cli("extract", "new", "--out", "out", "--workers", "1", *flags)  # a rerun tidies up
    assert not _temp_folders(base)
