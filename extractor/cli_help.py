"""How ``zhstats`` help and usage errors read: names in capitals (``FILE``, ``N``) instead
of Python type names, no ``<bool>`` after a flag, no braces around a required argument;
a usage error as ``Error: ...`` on one line, like every other error, never wrapped in
the middle of a path.

``Command`` and ``Group`` are typer's own classes with the parameters' display
names set once, when the command is built.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from typer import _click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.exceptions import Abort

_NAMES = {str: "TEXT", int: "N", float: "NUMBER", Path: "PATH"}
"""Display name of an option's value by its type, where the option names none."""


class _Argument(TyperArgument):
    """An argument whose help shows its name only (``FILE``), not also its type."""

    def display_type_rich(self, ctx: _click.Context) -> str | None:
        return None

    def get_usage_pieces(self, ctx: _click.Context) -> list[str]:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return [name + ("..." if self.nargs != 1 else "")]


def _plain(param: _click.Parameter) -> None:
    """Give ``param`` a display name for help (``FILE``, ``N``, ``txt|html``, none for a flag)."""
    if isinstance(param, TyperArgument):
        param.__class__ = _Argument
        if param.metavar is None:
            param.metavar = (param.name or "value").upper()
    elif isinstance(param, TyperOption) and param.metavar is None:
        if param.is_flag:
            param.metavar = ""
            return
        annotation = param.type_descriptor.annotation
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            param.metavar = "|".join(str(m.value) for m in annotation)
        else:
            param.metavar = _NAMES.get(annotation, "VALUE")


class _PlainParams:
    """Help that shows display names, not Python types, for every parameter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:  # type: ignore[attr-defined]
            _plain(param)

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:  # the help option is made on first use
            _plain(param)
        return params


class Command(_PlainParams, TyperCommand):
    """A typer command whose help shows display names, not Python types."""


class Group(_PlainParams, TyperGroup):
    """A typer group whose help shows display names, not Python types, and whose usage
    errors are plain lines."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except _click.exceptions.ClickException as e:
            if type(e).__name__ != "NoArgsIsHelpError":  # the help was shown
                e.show()  # usage, the -h hint, then "Error: ..." unwrapped
            sys.exit(e.exit_code)
        except Abort:
            print("Aborted.", file=sys.stderr)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
