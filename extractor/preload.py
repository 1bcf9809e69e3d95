"""Imported by the forkserver that forks the worker processes, before it forks
them: each worker then inherits the compiled scan instead of compiling it again."""

from contextlib import suppress

from extractor.patterns import scanner

with suppress(Exception):  # broken rules: the parent reports them, a worker compiles on use
    scanner()
