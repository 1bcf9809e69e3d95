"""What a dataset folder holds, and how a run claims, checks, recovers and replaces one.

A dataset folder holds ``datapackage.json`` and one entry per table, named
``<table>.parquet``: a Parquet file (the local engine) or a folder of Parquet
files (the Dask engine, hive folders inside with ``--partition-by``); pyarrow,
pandas, polars and DuckDB read either by that name. Nothing else: a folder
holding anything more is never replaced, since replacing it would delete the rest.

A run writes its dataset into a hidden temp folder beside the output
(``.<name>.tmp-<pid>-<hex>``) and, once finished and synced to disk, swaps it
into place. The whole run holds an exclusive lock (``.<name>.lock`` beside the
output), so two runs never write one dataset at once, and the run that holds it
may remove every temp folder a dead run left there.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from extractor.schema import ARTICLES, TABLES, Table

DATAPACKAGE = "datapackage.json"
ENTRIES = frozenset({DATAPACKAGE, *(table.path for table in TABLES)})
"""The names a dataset folder may hold."""


class OutputError(Exception):
    """The output folder cannot be used (a usage error, raised before any work)."""


@dataclass(frozen=True, slots=True)
class Existing:
    """The dataset already in an output folder."""

    metadata: dict[str, str]
    """The ``zhstats.*`` key-value metadata of its ``articles`` table."""
    articles: int
    """How many articles it holds."""


def target(out: Path) -> Path:
    """The folder a run given ``--out out`` writes: absolute, symbolic links followed (the
    dataset goes where the link points; the link stays). Raises OutputError for the
    current folder or one that holds it, which a swap cannot replace."""
    path = Path(os.path.realpath(out))
    here = Path(os.path.realpath(Path.cwd()))
    if path == here or path in here.parents:
        raise OutputError(f"{out} is the current folder or holds it: a dataset needs a folder "
                          "of its own (e.g. --out out)")
    return path


def temp_folder(out: Path, kind: str = "tmp") -> Path:
    """A new hidden name beside ``out`` for this process (``kind`` tmp or old)."""
    return out.parent / f".{out.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the lock of the output folder ``out`` (absolute) for the block.

    Raises OutputError at once when another run holds it. The lock file is removed
    when the block ends; a run that locked a file removed meanwhile locks again.
    """
    path = out.parent / f".{out.name}.lock"
    while True:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(f"cannot write a dataset to {out}: {e.strerror or e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise OutputError(f"another zhstats run (process {holder or '?'}) is writing "
                              f"{out}; wait for it to finish, or write elsewhere") from None
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(fd).st_ino:
            break
        os.close(fd)  # its holder removed it as we opened it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with suppress(OSError):
            os.unlink(path)
        os.close(fd)


def check(out: Path) -> Existing | None:
    """The dataset in ``out``, None if there is none yet; call it holding the lock.

    Tidies up after dead runs first (``recover``). Raises OutputError when ``out``
    is not a folder, or holds anything besides a zhstats dataset (naming it).
    """
    recover(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if not out.is_dir():
        return None
    names = os.listdir(out)
    if not names:
        return None
    check_names(out, names)
    if not table_files(out, ARTICLES):
        raise OutputError(f"{out} is not empty and holds no zhstats dataset; "
                          "refusing to replace it (choose another --out)")
    return Existing(metadata(out), sum(pq.read_metadata(f).num_rows
                                       for f in table_files(out, ARTICLES)))


def check_names(out: Path | str, names: Iterable[str]) -> None:
    """Raise OutputError unless ``names``, the entries of the folder ``out`` (not empty),
    are those of a zhstats dataset: any other file would be deleted by a swap."""
    names = sorted(names)
    foreign = [name for name in names if name not in ENTRIES]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more"
                                          if len(foreign) > 5 else "")
        raise OutputError(f"{out} holds files that are not part of a zhstats dataset "
                          f"({shown}); refusing to replace it, which would delete them "
                          "(move them away, or choose another --out)")
    if DATAPACKAGE not in names:
        raise OutputError(f"{out} is not empty and holds no zhstats dataset; "
                          "refusing to replace it (choose another --out)")


def table_files(out: Path, table: Table) -> list[Path]:
    """The Parquet files of ``table`` in the dataset folder ``out``, in order."""
    path = out / table.path
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*.parquet") if p.is_file())
    return []


def metadata(out: Path) -> dict[str, str]:
    """The ``zhstats.*`` key-value metadata of the dataset in ``out``."""
    files = table_files(out, ARTICLES)
    raw = (pq.read_schema(files[0]).metadata or {}) if files else {}
    return {k.decode(): v.decode() for k, v in raw.items() if k.startswith(b"zhstats.")}


def recover(out: Path) -> None:
    """Tidy up after runs that were killed (SIGKILL, power cut) while writing ``out``:
    call it holding the lock, so that every temp folder found is a dead run's.

    A previous dataset moved aside by an unfinished swap is put back; the other
    temp folders are removed.
    """
    stale = re.compile(rf"\.{re.escape(out.name)}\.(tmp|old)-\d+-[0-9a-f]+")
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:
        return
    for name in names:
        if not (m := stale.fullmatch(name)):
            continue
        path = out.parent / name
        if m[1] == "old" and not os.path.lexists(out):
            with suppress(OSError):
                path.rename(out)
                continue
        shutil.rmtree(path, ignore_errors=True)


def sync(folder: Path) -> None:
    """Flush every file under ``folder``, and the folders themselves, to disk."""
    for root, _, files in os.walk(folder, topdown=False):
        for name in files:
            _fsync(os.path.join(root, name))
        _fsync(root)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap(new: Path, out: Path) -> None:
    """Put the finished folder ``new`` in place of ``out`` (synced to disk first, so that a
    power cut leaves the old or the whole new dataset), atomically where the system
    allows (else by two renames, undone by ``recover`` if cut between them); the old
    folder is removed."""
    sync(new)
    if not out.exists():
        new.rename(out)
    elif _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # now the previous dataset
    else:
        old = temp_folder(out, "old")
        out.rename(old)
        try:
            new.rename(out)
        except BaseException:
            old.rename(out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    _fsync(str(out.parent))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2`` with RENAME_EXCHANGE).

    False where the system or the file system cannot; raises OSError otherwise.
    """
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
