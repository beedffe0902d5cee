"""How `icp … --help` names what each option takes: a word in capitals (USERNAME, DATE, FILE).

Typer writes a Python type beside every parameter (`--icp <str>`, `--token <bool>`, `--help
<bool>`), which reads as code. Every option that takes a value here sets its own `metavar` (a
test holds every command to it); this module's command and group classes show nothing beside a flag
(it takes no value) and show an argument's metavar alone, in the name column, instead of its type
again. Every command module makes its app with `Typer` from here, so the classes apply everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType


class NamedArgument(TyperArgument):
    """An argument whose metavar (USERNAME) is already its name in the help: no type beside it."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _readable(param: Any) -> Any:
    if isinstance(param, TyperOption) and param.is_flag:
        param.metavar = ""  # a flag takes no value: nothing to name
    elif isinstance(param, TyperArgument) and param.metavar:
        # Typer builds its own argument objects; the subclass only changes how help shows the type.
        param.__class__ = NamedArgument
    return param


class Command(TyperCommand):
    """A command whose help names values by their metavars and shows no type for flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        return [_readable(param) for param in super().get_params(ctx)]


class Group(TyperGroup):
    """A group of commands whose own help shows no type beside its flags (--help, --install-completion)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return [_readable(param) for param in super().get_params(ctx)]


class Typer(typer.Typer):
    """typer's app, making its groups and commands with the classes above."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        super().__init__(**kwargs)

    def command(
        self, name: str | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", Command)
        return super().command(name, **kwargs)
