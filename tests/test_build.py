"""The compiled engine (setup.py) is never older than its source: an editable install
compiles the hot modules in place, and a later edit of one of them must be rebuilt."""

from __future__ import annotations

from pathlib import Path

import extractor

PACKAGE = Path(extractor.__file__).parent


def test_compiled_modules_are_not_older_than_their_source() -> None:
    built = {so.name.split(".")[0]: so.stat().st_mtime for so in PACKAGE.glob("*.so")}
    # mypyc puts the code of every module in one shared library; each module's own .so
    # only loads it
    library = [t for name, t in built.items() if name.endswith("__mypyc")]
    stale = [name for name, t in built.items() if not name.endswith("__mypyc")
             and (PACKAGE / f"{name}.py").stat().st_mtime > (library[0] if library else t)]
    assert not stale, (f"{', '.join(stale)} compiled before its .py was last changed: run "
                       "`pip install -e .` again (or delete extractor/*.so to run pure Python)")


def test_engine_build_names_what_is_imported() -> None:
    import extractor.scanner as scanner

    compiled = not scanner.__file__.endswith(".py")
    assert extractor.engine_build() == ("compiled" if compiled else "pure Python")
