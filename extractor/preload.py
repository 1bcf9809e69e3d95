"""Imported by the forkserver that forks the worker processes, before it forks
them: each worker then inherits the compiled shipped rules instead of compiling
them again (a run with ``--rules`` compiles its own once per worker), and pandas,
which pyarrow imports when a worker builds its first batch from Python lists."""

from contextlib import suppress

import pandas  # noqa: F401

from extractor.ruleset import default_ruleset

with suppress(Exception):  # broken rules: the parent reports them
    default_ruleset()
