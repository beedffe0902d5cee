"""What every `icp` command module shares: the console, refusing bad arguments, common options.

Commands are thin: they parse and check their arguments, call an action or the pure core, and
print what happened. Exit status 2 means the arguments were unusable (nothing was done).
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console

from icp.config import data_dir

console = Console()

AREA_HELP = "An ICP code (e.g. NI-NOR-CA) or NI for every ICP in the warehouse"


def refuse(message: str, *, code: int = 2) -> NoReturn:
    """Print `message` in red and stop with `code` (2: unusable arguments, nothing was done)."""
    console.print(f"[red]{message}[/red]", soft_wrap=True)
    raise typer.Exit(code)


def ensure_data_dir() -> None:
    data_dir().mkdir(parents=True, exist_ok=True)


def print_index_sync(summary: Any) -> None:
    """One line for a patient index sync (after `icp ingest` or `icp synth`)."""
    console.print(
        f"Patient index: {summary.upserted:,} upserted, {summary.removed:,} removed"
        + (f", {summary.kept_referenced:,} kept (still referenced)" if summary.kept_referenced else "")
        + "."
    )
