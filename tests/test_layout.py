"""The dataset folder: the lock, what may be replaced, failed runs, sync, odd --out paths,
the temp folders of dead runs (each test does what a user did when data was lost)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from extractor import layout
from extractor.cli import app
from extractor.dataset import DatasetConfig, RunOptions, build, run
from extractor.readers import discover
from extractor.writer import AllInputsFailed, OutputError

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
ONE = RunOptions(workers=1)


def corpus(folder: Path, numbers: range) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in numbers:
        text = f"第{i}期：全市新增企业{i + 10}家，同比增长{i}.5%。\n"
        (folder / f"a{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def articles(out: Path) -> int:
    return pq.read_table(out / "articles.parquet").num_rows


def said(done: subprocess.CompletedProcess[str]) -> str:
    """What a command wrote to stderr, as one line (the console wraps long messages)."""
    return " ".join(done.stderr.split())


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


# -- the lock -------------------------------------------------------------------


def test_a_second_run_into_a_folder_being_written_stops(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with layout.locked(out), pytest.raises(OutputError, match=r"another zhstats run \(process "
                                           rf"{os.getpid()}\) is writing"):
        run(discover([str(corpus(tmp_path / "in", range(2)))]), out, ONE)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"], "the lock file is removed"


@pytest.mark.slow
def test_two_appends_at_once_never_interleave(tmp_path: Path) -> None:
    """Two ``--append`` runs into one folder at once: before the lock both exited 0 and
    the dataset missed one run's articles; now the second stops (exit 2) and says why.
    The first run reads a named pipe, so that it is still writing while the second starts."""
    corpus(tmp_path / "a", range(0, 3))
    os.mkfifo(tmp_path / "feed.jsonl")
    first = subprocess.Popen(
        [sys.executable, "-c", "from extractor.cli import main; main()", "extract",
         "feed.jsonl", "--out", "out", "--append", "-w", "1", "-q"], cwd=tmp_path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    with (tmp_path / "feed.jsonl").open("w", encoding="utf-8") as feed:
        feed.write('{"text": "全市新增企业30家。"}\n')
        feed.flush()
        deadline = time.monotonic() + 60
        while not (tmp_path / ".out.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        second = cli("extract", "a", "--out", "out", "--append", "-w", "1", "-q", cwd=tmp_path)
        feed.write('{"text": "同比增长4.5%。"}\n')
    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert second.returncode == 2
    assert "another zhstats run (process" in said(second) and "is writing" in said(second)
    assert articles(tmp_path / "out") == 2
    again = cli("extract", "a", "--out", "out", "--append", "-w", "1", "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert articles(tmp_path / "out") == 5


# -- what a run may replace -------------------------------------------------------


def test_files_beside_a_dataset_are_never_deleted(tmp_path: Path) -> None:
    """A dataset folder that also held README.md and raw/interview.txt was replaced
    without a word, and the files were gone."""
    files = discover([str(corpus(tmp_path / "in", range(2)))])
    out = tmp_path / "out"
    run(files, out, ONE)
    (out / "README.md").write_text("my notes")
    (out / "raw").mkdir()
    (out / "raw" / "interview.txt").write_text("采访记录")
    before = snapshot(out)
    for options in (ONE, RunOptions(workers=1, append=True)):
        with pytest.raises(OutputError, match=r"not part of a zhstats dataset \(README\.md, raw\)"):
            run(files, out, options)
        assert snapshot(out) == before


@pytest.mark.slow
def test_a_report_saved_into_the_dataset_folder_is_kept(tmp_path: Path) -> None:
    files = discover([str(corpus(tmp_path / "in", range(2)))])
    run(files, tmp_path / "out", ONE)
    (tmp_path / "out" / "report.html").write_text("<html></html>")
    done = cli("extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-w", "1", "-q")
    assert done.returncode == 2
    assert "(report.html); refusing to replace it" in said(done)
    assert (tmp_path / "out" / "report.html").read_text() == "<html></html>"


def test_a_dataset_toml_cannot_point_its_output_at_a_victim(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "NOTES.md").write_text("years of work")
    folder = tmp_path / "a" / "b" / "c"
    corpus(folder / "in", range(1))
    (folder / "dataset.toml").write_text('[dataset]\ninputs = ["in"]\noutput = "../../../victim"\n')
    with pytest.raises(OutputError, match=r"NOTES\.md"):
        build(DatasetConfig.load(folder / "dataset.toml"), workers=1)
    assert (victim / "NOTES.md").read_text() == "years of work"


@pytest.mark.slow
def test_a_run_where_every_input_failed_keeps_the_dataset(tmp_path: Path) -> None:
    """``--rules DIR`` without ``metadata.toml`` passed ``rules check``, turned every input
    into an error row and replaced a good dataset with them: now the rule set is refused
    before any input is read, and a run whose every input fails keeps the dataset."""
    rules = tmp_path / "rules"
    rules.mkdir()
    for path in RULES.glob("*.toml"):
        if path.name != "metadata.toml":
            (rules / path.name).write_bytes(path.read_bytes())
    corpus(tmp_path / "in", range(3))
    assert cli("extract", "in", "--out", "out", "-w", "1", "-q", cwd=tmp_path).returncode == 0
    before = snapshot(tmp_path / "out")
    done = cli("--rules", str(rules), "extract", "in", "--out", "out", "-w", "1", "-q",
               cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "metadata.toml [-]: cannot read" in said(done)
    assert snapshot(tmp_path / "out") == before
    (tmp_path / "bad").mkdir()
    for k in range(3):
        (tmp_path / "bad" / f"empty{k}.txt").write_bytes(b"")
    done = cli("extract", "bad", "--out", "out", "-w", "1", "-q", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "every input failed (3 errors" in said(done)
    assert "was left as it was, with its 3 articles (--force" in said(done)
    assert snapshot(tmp_path / "out") == before
    forced = cli("extract", "bad", "--out", "out", "-w", "1", "-q", "--force", cwd=tmp_path)
    assert forced.returncode == 1, forced.stderr
    assert articles(tmp_path / "out") == 0
    assert pq.read_table(tmp_path / "out" / "errors.parquet").num_rows == 3


def test_a_failed_run_into_an_empty_place_still_writes_its_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    summary = run(discover([str(tmp_path / "empty.txt")]), tmp_path / "out", ONE)
    assert (summary.articles, summary.errors) == (0, 1)
    with pytest.raises(AllInputsFailed):  # now it holds no article... but an old one did
        run(discover([str(corpus(tmp_path / "in", range(1)))]), tmp_path / "out", ONE)
        run(discover([str(tmp_path / "empty.txt")]), tmp_path / "out", ONE)
    assert articles(tmp_path / "out") == 1


# -- where the dataset goes --------------------------------------------------------


@pytest.mark.slow
def test_out_dot_is_refused_clearly(tmp_path: Path) -> None:
    corpus(tmp_path / "in", range(1))
    for out in (".", str(tmp_path), ".."):
        done = cli("extract", "in", "--out", out, "-w", "1", "-q", cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "is the current folder or holds it" in said(done)
        assert "Traceback" not in done.stderr


def test_out_inside_the_current_folder_works(tmp_path: Path) -> None:
    corpus(tmp_path / "in", range(1))
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--out",
                                      str(tmp_path / "out"), "-w", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert articles(tmp_path / "out") == 1


def test_a_symlinked_output_is_written_where_it_points(tmp_path: Path) -> None:
    files = discover([str(corpus(tmp_path / "in", range(2)))])
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    run(files, tmp_path / "link", ONE)
    run(files, tmp_path / "link", ONE)
    assert (tmp_path / "link").is_symlink(), "the link stays a link"
    assert articles(tmp_path / "real") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "link", "real"]


def test_temp_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    """Under the lock every temp folder beside the output is a dead run's, even one whose
    process id now belongs to a live process (ids are reused)."""
    files = discover([str(corpus(tmp_path / "in", range(1)))])
    for name in (f".out.tmp-{os.getpid()}-0a1b2c3d", ".out.tmp-1-00000000",
                 f".out.tmp-{os.getppid()}-deadbeef"):  # Dask's are named alike
        (tmp_path / name / "articles.parquet").mkdir(parents=True)
    run(files, tmp_path / "out", ONE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_the_new_dataset_is_on_disk_before_it_replaces_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    fsync = layout._fsync
    rename = Path.rename

    def record_fsync(path: str) -> None:
        events.append(("fsync", Path(path).name))
        fsync(path)

    def record_rename(self: Path, target: Path) -> Path:
        events.append(("rename", Path(target).name))
        return rename(self, target)

    monkeypatch.setattr(layout, "_fsync", record_fsync)
    monkeypatch.setattr(Path, "rename", record_rename)
    monkeypatch.setattr(layout, "_exchange", lambda a, b: False)  # the two-rename swap
    files = discover([str(corpus(tmp_path / "in", range(2)))])
    run(files, tmp_path / "out", ONE)
    run(files, tmp_path / "out", ONE)
    second = events[len(events) // 2:]
    synced = {name for kind, name in second[:second.index(("rename", "out"))] if kind == "fsync"}
    assert {"articles.parquet", "indicators.parquet", "errors.parquet",
            "datapackage.json"} <= synced
    assert any(name.startswith(".out.tmp-") for name in synced), "the folder itself"
    assert second[-1] == ("fsync", tmp_path.name), "the parent folder after the rename"


def test_a_library_user_writes_the_rows_assemble_gives(tmp_path: Path) -> None:
    """One row shape from ``assemble`` to the writer: plain article rows are accepted."""
    from extractor import extract
    from extractor.assemble import assemble
    from extractor.metadata import extract_metadata
    from extractor.readers import ErrorRow
    from extractor.writer import DatasetWriter

    text = "今年新增企业30家，同比增长4.5%。"
    meta, extra = extract_metadata(text, {"id": 7})
    rows = assemble("mine/1", text, "utf-8", meta, extra, extract(text))
    with DatasetWriter(tmp_path / "out", "mine") as writer:
        writer.add(rows)
        writer.add(rows)  # the same text again: a duplicate
        writer.add(ErrorRow("mine/2", "read", "EmptyInput", "nothing there"))
    assert (writer.counts.articles, writer.counts.indicators, writer.counts.errors) == (1, 2, 2)
    (article,) = pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()
    assert (article["source"], article["text"], article["n_mentions"]) == ("mine/1", text, 2)
    assert [r["surface"] for r in pq.read_table(tmp_path / "out" / "indicators.parquet")
            .to_pylist()] == ["30家", "4.5%"]
    assert [e["error_type"] for e in pq.read_table(tmp_path / "out" / "errors.parquet")
            .to_pylist()] == ["DuplicateArticle", "EmptyInput"]


def test_workers_start_only_for_a_large_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    """With the default worker count, 9 small files took 4.5 s against 1.3 s with -w 1:
    starting the workers cost more than they saved."""
    from extractor import pool

    monkeypatch.setattr(pool, "default_workers", lambda: 4)
    small = discover([str(corpus(tmp_path / "in", range(9)))])
    assert pool.workers_for(small, None) == 1
    assert pool.workers_for(small, 3) == 3, "a count asked for is kept"
    with (tmp_path / "in" / "big.txt").open("wb") as f:
        f.truncate(pool.POOL_MIN_BYTES)  # sparse: its size is what counts
    assert pool.workers_for(discover([str(tmp_path / "in")]), None) == 4
    assert pool.workers_for(discover(["-"]), None) == 4, "standard input: size unknown"
