"""Ctrl-C that cannot be lost.

Python raises KeyboardInterrupt wherever the main thread is when SIGINT comes;
inside a ``__del__`` (the ``regex`` module has some) the exception is only
printed ("Exception ignored in …") and the program goes on, so a run could
finish and replace its output although the user stopped it. The handler that
``install`` sets also records the interrupt, and ``check`` (called by the run
between results and before it commits) raises it again. Library use without
``install`` is unaffected: ``check`` does nothing, ``deferred`` defers nothing.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_interrupted = False
_deferred = False


def install() -> None:
    """Record every Ctrl-C (and still raise KeyboardInterrupt); hide the lost ones' noise."""
    signal.signal(signal.SIGINT, _handler)
    sys.unraisablehook = _unraisable


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed, even if that one was swallowed."""
    if _interrupted:
        raise KeyboardInterrupt


@contextmanager
def deferred() -> Iterator[None]:
    """A block that Ctrl-C does not cut: an interrupt during it is raised at its end."""
    global _deferred
    outer, _deferred = _deferred, True
    try:
        yield
    finally:
        _deferred = outer
    if not outer:
        check()


def _handler(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    _interrupted = True
    if not _deferred:
        raise KeyboardInterrupt


def _unraisable(unraisable: Any) -> None:
    kind = unraisable.exc_type
    if kind is not None and issubclass(kind, KeyboardInterrupt):
        return  # recorded: check() raises it at the next safe point
    sys.__unraisablehook__(unraisable)
