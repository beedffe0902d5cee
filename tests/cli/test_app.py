"""The one `icp` app: it gathers every module of `icp.cli`, its help starts with what to run first and
an example per group, and every command has help with an example."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
import typer.main
from typer.core import TyperArgument, TyperOption
from typer.testing import CliRunner

import icp.cli
from icp.cli import app

runner = CliRunner()
GROUP_MODULES = sorted(
    name for _, name, _ in pkgutil.iter_modules(icp.cli.__path__) if name not in ("app", "help", "output")
)


def command_names() -> list[list[str]]:
    group = typer.main.get_command(app)
    names: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            names.extend([name, child] for child in sub)
        else:
            names.append([name])
    return names


def test_icp_help_starts_with_what_to_run_first_then_an_example_per_group() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    output = result.output
    assert output.index("Start here") < output.index("icp migrate") < output.index("icp load-structure")
    for group in ("Set up and run", "Logins", "Records", "Risk stratification (R)", "Governance"):
        assert f"- {group}: icp " in output


def test_icp_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    for command in ("migrate", "load-structure", "createuser", "token", "serve", "check", "demo", "audit"):
        assert f" {command} " in result.output
    for command in ("synth", "ingest", "export", "stratify", "model", "echo"):
        assert f" {command} " in result.output


@pytest.mark.parametrize("module", GROUP_MODULES)
def test_every_command_module_is_part_of_the_one_app(module: str) -> None:
    group = typer.main.get_command(app)
    module_app = importlib.import_module(f"icp.cli.{module}").app
    own = typer.main.get_command(module_app)
    names = set(getattr(own, "commands", {})) or {own.name}
    assert names and names <= set(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", command_names(), ids=" ".join)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def group_names() -> list[str]:
    group = typer.main.get_command(app)
    return [name for name, command in group.commands.items() if getattr(command, "commands", None)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("group", group_names())
def test_every_group_of_commands_shows_examples_in_its_own_help(group: str) -> None:
    result = runner.invoke(app, [group, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example" in result.output and f"icp {group} " in result.output


def test_createuser_help_lists_every_role_with_its_name() -> None:
    from icp.partnership.roles import UserRole

    result = runner.invoke(app, ["createuser", "--help"], env={"COLUMNS": "300"})
    text = " ".join(result.output.split())
    for role in UserRole:
        assert role.value in text, role


def every_command() -> list[tuple[str, object]]:
    """Every command and group of `icp`, by its path (`icp token create`), the root included."""
    found: list[tuple[str, object]] = []

    def walk(path: str, command: object) -> None:
        found.append((path, command))
        for name, child in getattr(command, "commands", {}).items():
            walk(f"{path} {name}", child)

    walk("icp", typer.main.get_command(app))
    return found


def test_every_value_an_option_or_argument_takes_is_named_in_capitals() -> None:
    unnamed = []
    for path, command in every_command():
        for param in command.params:  # type: ignore[attr-defined]
            takes_a_value = isinstance(param, TyperArgument) or (
                isinstance(param, TyperOption) and not param.is_flag
            )
            metavar = param.metavar or ""
            if takes_a_value and not re.fullmatch(r"[A-Z][A-Z:|_]*(\.\.\.)?", metavar):
                unnamed.append(f"{path} {param.opts[0]}: {metavar!r}")
    assert not unnamed, (
        "options and arguments without a metavar in capitals (USERNAME, DATE, FILE): " + ", ".join(unnamed)
    )


@pytest.mark.parametrize("path", [path for path, _ in every_command()])
def test_help_shows_no_python_type_beside_an_option(path: str) -> None:
    result = runner.invoke(app, [*path.split()[1:], "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert not re.findall(r"<(?:str|bool|int|float|Path|list\[[^]]*\])>", result.output), result.output


def test_createuser_help_names_what_each_option_takes() -> None:
    result = runner.invoke(app, ["createuser", "--help"], env={"COLUMNS": "200"})
    rows = {
        line.split()[1]: line
        for line in result.output.splitlines()
        if line.startswith("│ ") and len(line.split()) > 2
    }
    assert "USERNAME" in result.output.splitlines()[1]  # the usage line: icp createuser [OPTIONS] {USERNAME}
    assert rows["--icp"].split()[2] == "ICP"
    assert rows["--organisation"].split()[2] == "CODE"
    assert rows["--superuser"].split()[3] == "Give"  # a flag: its help follows, no type between
