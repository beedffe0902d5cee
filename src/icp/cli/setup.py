"""`icp migrate`, `icp load-structure`, `icp check`, `icp serve`: set the site up and run it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from icp.cli.help import Typer
from icp.cli.output import console, ensure_data_dir, refuse
from icp.config import data_dir
from icp.django_setup import setup_django

app = Typer()
PANEL = "Set up and run"


@app.command(rich_help_panel=PANEL)
def migrate() -> None:
    """Create or upgrade the app database and collect the static files.

    Example: [bold]icp migrate[/bold]
    """
    ensure_data_dir()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    console.print("[green]App database is up to date; static files collected.[/green]")


@app.command("load-structure", rich_help_panel=PANEL)
def load_structure() -> None:
    """Load NI's LCG areas, 17 ICPs and 314 practices, England's 42 ICBs and the committee templates.

    Idempotent: a second run updates in place. Audited.

    Example: [bold]icp load-structure[/bold]
    """
    setup_django()
    from icp.partnership.reference import load_structure as load

    summary = load()
    table = Table(title="Reference structure loaded")
    table.add_column("ICP")
    table.add_column("Practices", justify="right")
    for code, count in summary.practices_per_icp.items():
        table.add_row(code, str(count))
    console.print(table)
    console.print(
        f"{summary.areas} areas, {summary.practices} NI practices, {summary.icbs} England ICBs, "
        f"{summary.templates} committee templates."
    )


@app.command(rich_help_panel=PANEL)
def check() -> None:
    """Check configuration and database health; exit 1 if anything is wrong.

    Example: [bold]icp check[/bold]
    """
    ensure_data_dir()
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    problems = []
    try:
        call_command("check", verbosity=0)
    except Exception as error:  # the system check framework raises on errors
        problems.append(f"Django system check: {error}")
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            problems.append(f"{len(pending)} migrations not applied: run `icp migrate`")
    except Exception as error:
        problems.append(f"database {connection.vendor} unreachable: {error}")
    from icp.records.warehouse import Warehouse

    warehouse = Warehouse()
    try:
        batches = len(warehouse.manifest()["batches"])
        warehouse_state = f"{warehouse.root} ({batches} committed batches)"
    except (OSError, ValueError) as error:
        warehouse_state = str(warehouse.root)
        problems.append(f"warehouse manifest unreadable: {error}")
    if not os.access(data_dir(), os.W_OK):
        problems.append(f"data folder {data_dir()} is not writable")
    table = Table(title="icp check")
    table.add_column("Item")
    table.add_column("Value")
    table.add_row("Database", f"{connection.vendor} ({connection.settings_dict.get('NAME')})")
    table.add_row("Data folder", str(data_dir()))
    table.add_row("Warehouse", warehouse_state)
    table.add_row("Debug", str(os.environ.get("ICP_DEBUG") == "1"))
    console.print(table)
    for problem in problems:
        console.print(f"[red]✗ {problem}[/red]")
    if problems:
        raise typer.Exit(1)
    console.print("[green]✓ configuration and database are healthy[/green]")


@app.command(rich_help_panel=PANEL)
def serve(
    address: Annotated[
        str, typer.Option(help="host:port to listen on (loopback by default)", metavar="HOST:PORT")
    ] = "127.0.0.1:8000",
    dev: Annotated[bool, typer.Option("--dev", help="Django's development server instead")] = False,
) -> None:
    """Serve the site with the production server (gunicorn, threaded workers; ADR 0131).

    Workers from ICP_WEB_WORKERS (default 2 a core + 1, at most 8), threads each from ICP_WEB_THREADS
    (default 4). Runs on whatever DATABASE_URL names; on SQLite it warns that production wants
    PostgreSQL. Without ICP_DEBUG=1 it needs SECRET_KEY. `--dev` runs Django's development server.

    Example: [bold]icp serve --address 127.0.0.1:8000[/bold]
    """
    # A server needs an explicit SECRET_KEY unless it is a local demo (ICP_DEBUG=1); batch
    # commands use the key kept in the data folder instead (icp.site.settings).
    os.environ["ICP_SERVE"] = "1"
    if not os.environ.get("SECRET_KEY") and os.environ.get("ICP_DEBUG") != "1":
        refuse(
            "SECRET_KEY is not set. A production server needs an explicit key: set the SECRET_KEY "
            "environment variable (or ICP_DEBUG=1 for a local demo)."
        )
    ensure_data_dir()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if dev:
        call_command("runserver", address, use_reloader=False)
        return
    from icp.site.server import ProductionServer, server_options

    if connection.vendor == "sqlite":
        console.print(
            "[yellow]Serving from SQLite: fine for a demo or a pilot on one machine; production wants "
            "PostgreSQL (DATABASE_URL=postgresql://…).[/yellow]"
        )
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    options = server_options(address)
    console.print(
        f"Serving on http://{address} with {options['workers']} workers x {options['threads']} threads "
        f"({connection.vendor}; debug {'on' if settings.DEBUG else 'off'})."
    )
    ProductionServer(options).run()
