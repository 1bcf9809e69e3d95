"""Build: the engine's hot modules compiled by Cython (pure-Python mode) where a C compiler
is present; anywhere else, or with ZHSTATS_PURE_PYTHON=1, the same modules stay Python.

Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The per-mention path: phase two of the scanner, its tables, the reading of a match, the
# object, and the statistic around it.
COMPILED = ("scanner", "grammar", "lexicon", "exclusions", "reading", "forms", "numerals",
            "objects", "statistics", "carry", "periods", "places", "engine")


class OptionalBuildExt(build_ext):
    """Compiles the modules side by side; one that fails to compile (no C compiler, say)
    stays Python, with a warning, and is left out of what the install copies."""

    def build_extensions(self) -> None:
        self.check_extensions_list(self.extensions)
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            built = list(pool.map(self._try_build, self.extensions))
        self.extensions = [ext for ext, ok in zip(self.extensions, built, strict=True) if ok]

    def _try_build(self, ext: Extension) -> bool:
        try:
            self.build_extension(ext)
        except Exception as err:  # any failure leaves the .py in place
            print(f"warning: {ext.name} stays pure Python ({err})")
            return False
        return True


def extensions() -> list[Extension]:
    """One optional extension per compiled module, built from its own .py file."""
    if os.environ.get("ZHSTATS_PURE_PYTHON"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    # -O1: a quarter of -O3's compile time; most of the work is calls into CPython's API
    modules = [Extension(f"extractor.{name}", [f"extractor/{name}.py"], optional=True,
                         extra_compile_args=["-O1", "-g0"]) for name in COMPILED]
    # Type hints type the arguments (a str is sliced and indexed as one) in the modules the
    # engine alone calls; in engine, the public API, they stay hints, so that a compiled
    # module behaves as its .py (extract(None) raises the same TypeError in both).
    return [ext for public, part in ((False, modules[:-1]), (True, modules[-1:]))
            for ext in cythonize(part, language_level=3, quiet=True,
                                 compiler_directives={"annotation_typing": not public})]


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
