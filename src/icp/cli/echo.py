"""`icp echo …`: load ECHO learning-network tables and print their totals."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from icp.cli.help import Typer
from icp.cli.output import console, refuse
from icp.django_setup import setup_django

app = Typer()
echo_app = Typer(
    help="Project ECHO learning networks: load tables, show totals.\n\n"
    "Examples: [bold]icp echo import --seed[/bold] (the 2020 COVID-19 table shipped with icp); "
    "[bold]icp echo totals --start 2020-01-01[/bold].",
    no_args_is_help=True,
)
app.add_typer(echo_app, name="echo", rich_help_panel="Governance")


@echo_app.command("import")
def import_table(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="CSV with network,period_start,period_end,sessions,participants[,topic,hub,audience,source]",
            metavar="FILE",
        ),
    ] = None,
    seed: Annotated[
        bool, typer.Option("--seed", help="Load the 2020 COVID-19 ECHO table shipped with icp")
    ] = False,
) -> None:
    """Load an aggregate ECHO table. All or nothing: if any row is bad, each is listed and nothing loads.

    Example: [bold]icp echo import networks.csv[/bold]  or  [bold]icp echo import --seed[/bold]
    """
    if (file is None) == (not seed):
        refuse("Give a FILE.csv or --seed (not both).")
    setup_django()
    from icp.governance.echo.attendance_import import EchoImportError, load_file, load_seed_table

    try:
        with console.status("Checking and loading the ECHO table…"):
            result = load_seed_table() if seed else load_file(file)  # type: ignore[arg-type]
    except EchoImportError as error:
        console.print(f"[red]✗ {error}[/red]")
        raise typer.Exit(1) from error
    if not result.loaded:
        for problem in result.problems:
            console.print(f"[red]{result.source}, {problem}[/red]", soft_wrap=True)
        console.print(
            f"[red]✗ {len(result.problems)} problem(s); nothing was loaded. "
            "Fix the file and run again.[/red]",
            soft_wrap=True,
        )
        raise typer.Exit(1)
    console.print(
        f"[green]✓ {len(result.rows)} rows loaded from {result.source}: {result.sessions:,} sessions, "
        f"{result.participants:,} participants ({result.networks_created} new networks, "
        f"{result.aggregates_updated} rows replaced).[/green]",
        soft_wrap=True,
    )


@echo_app.command("totals")
def totals(
    start: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD)", metavar="DATE")] = None,
    end: Annotated[str | None, typer.Option(help="To this date (YYYY-MM-DD)", metavar="DATE")] = None,
) -> None:
    """Print sessions and participants per network, over a period if given.

    Example: [bold]icp echo totals --start 2020-01-01 --end 2020-12-31[/bold]
    """
    try:
        start_date = date.fromisoformat(start) if start else None
        end_date = date.fromisoformat(end) if end else None
    except ValueError as error:
        refuse(f"--start/--end: expected YYYY-MM-DD ({error}).")
    setup_django()
    from icp.governance.echo.totals import echo_totals

    result = echo_totals(start_date, end_date)
    table = Table(title="ECHO networks")
    table.add_column("Network")
    table.add_column("Sessions", justify="right")
    table.add_column("Participants", justify="right")
    for row in result.networks:
        table.add_row(row.network.name, f"{row.sessions:,}", f"{row.participants:,}")
    table.add_row(
        "[bold]Total[/bold]", f"[bold]{result.sessions:,}[/bold]", f"[bold]{result.participants:,}[/bold]"
    )
    console.print(table)
