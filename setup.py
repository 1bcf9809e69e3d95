"""Build: the engine's hot modules compiled by mypyc (from their own type hints) where a C
compiler is present; anywhere else, or with ZHSTATS_PURE_PYTHON=1, the same modules stay
Python.

Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The per-mention path: phase two of the scanner, its tables, the reading of a match, the
# object, and the statistic around it. engine.py, the public API, stays Python: it says
# in its own words what it takes (extract(None) raises its TypeError, not mypyc's).
COMPILED = ("found", "scanner", "grammar", "lexicon", "exclusions", "reading", "forms",
            "numerals", "objects", "statistics", "carry", "periods", "places")
GROUP = "extractor._compiled"
"""The shared library that holds them all (extractor/_compiled__mypyc…so)."""


class OptionalBuildExt(build_ext):
    """Compiles the modules side by side; if any fails (no C compiler, say), none is kept:
    the modules call each other through the shared library, so they stay Python, with a
    warning."""

    def build_extensions(self) -> None:
        self.check_extensions_list(self.extensions)
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            errors = [e for e in pool.map(self._try_build, self.extensions) if e is not None]
        if errors:
            print(f"warning: the engine stays pure Python ({errors[0]})")
            for ext in self.extensions:
                path = self.get_ext_fullpath(ext.name)
                if os.path.exists(path):
                    os.remove(path)
            self.extensions = []

    def _try_build(self, ext: Extension) -> Exception | None:
        try:
            self.build_extension(ext)
        except Exception as err:  # any failure leaves the .py files in place
            return err
        return None


def extensions() -> list[Extension]:
    """The shared library and one small extension per compiled module; none where mypyc
    is missing or cannot compile them."""
    if os.environ.get("ZHSTATS_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify

        # the compiled modules type-check; imports without stubs (regex, cn2an) are Any
        exts = mypycify(["--ignore-missing-imports", "--follow-imports=silent",
                         *(f"extractor/{name}.py" for name in COMPILED)], group_name=GROUP,
                        opt_level="3", debug_level="0")
    except (Exception, SystemExit) as err:  # no mypyc; or it exits on a type error
        print(f"warning: the engine stays pure Python ({err!r})")
        return []
    for ext in exts:
        ext.optional = True
    return exts


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
