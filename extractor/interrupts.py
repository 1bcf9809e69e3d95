"""Ctrl-C and SIGTERM that cannot be lost.

Python raises KeyboardInterrupt wherever the main thread is when SIGINT comes;
inside a ``__del__`` (the ``regex`` module has some) the exception is only
printed ("Exception ignored in …") and the program goes on, so a run could
finish and replace its output although the user stopped it. The handler that
``install`` sets also records the interrupt, and ``check`` (called by the run
between results and before it commits) raises it again. SIGTERM (a service
manager, ``kill``) is handled the same way and raises ``Terminated``, a kind of
KeyboardInterrupt, so that the CLI can exit 143 instead of 130. Library use
without ``install`` is unaffected: ``check`` does nothing, ``deferred`` defers
nothing.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_interrupted: int | None = None
"""The signal received, if any."""
_deferred = False


class Terminated(KeyboardInterrupt):
    """SIGTERM: stop as for Ctrl-C."""


def install() -> None:
    """Record every Ctrl-C and SIGTERM (and still raise); hide the lost ones' noise."""
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)
    sys.unraisablehook = _unraisable


def exit_code(stop: KeyboardInterrupt) -> int:
    """The exit status for a run stopped by ``stop``: 143 for SIGTERM, 130 for Ctrl-C."""
    return 128 + (signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT)


def check() -> None:
    """Raise KeyboardInterrupt (Terminated) if Ctrl-C (SIGTERM) came, even if swallowed."""
    if _interrupted is not None:
        raise _stop(_interrupted)


def _stop(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


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
    if _interrupted != signal.SIGTERM:  # SIGTERM wins: a service stopping says so
        _interrupted = signum
    if not _deferred:
        raise _stop(signum)


def _unraisable(unraisable: Any) -> None:
    kind = unraisable.exc_type
    if kind is not None and issubclass(kind, KeyboardInterrupt):
        return  # recorded: check() raises it at the next safe point
    sys.__unraisablehook__(unraisable)
