"""The `icp` command. `icp --help` lists the commands; each has --help with an example."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from icp import audit_cli, ingest_cli, spc_cli, stratify_cli, synth_cli
from icp.config import data_dir
from icp.django_setup import setup_django
from icp.governance.cli import echo_app

app = typer.Typer(
    help="icp: run an Integrated Care Partnership (RICE work and governance).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(audit_cli.audit_app, name="audit")
app.command("ingest", help=ingest_cli.INGEST_HELP)(ingest_cli.ingest)
app.command("synth", help=synth_cli.SYNTH_HELP)(synth_cli.synth)
app.add_typer(ingest_cli.export_app, name="export")
app.add_typer(echo_app, name="echo")
app.command("stratify")(stratify_cli.stratify)
app.add_typer(stratify_cli.model_app, name="model")
app.command("spc", help=spc_cli.SPC_HELP)(spc_cli.spc)
console = Console()

# The demo's shared password: printed by `make demo`, for synthetic demo logins only.
DEMO_PASSWORD_DEFAULT = "synthetic-demo-2026"  # noqa: S105


def _ensure_data_dir() -> None:
    data_dir().mkdir(parents=True, exist_ok=True)


@app.command()
def migrate() -> None:
    """Create or upgrade the app database.

    Example: [bold]icp migrate[/bold]
    """
    _ensure_data_dir()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    console.print("[green]App database is up to date; static files collected.[/green]")


@app.command("load-structure")
def load_structure() -> None:
    """Load NI's LCG areas, 17 ICPs and 314 practices, England's 42 ICBs and the committee templates.

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


@app.command()
def createuser(
    username: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help="Login role, e.g. icp_manager, gp, ig_lead")] = "committee_member",
    icp: Annotated[str | None, typer.Option(help="Home ICP code, e.g. NI-NOR-CA")] = None,
    organisation: Annotated[str | None, typer.Option(help="Organisation code")] = None,
    superuser: Annotated[bool, typer.Option(help="Give every permission")] = False,
    token: Annotated[bool, typer.Option(help="Also issue an API token and print it once")] = False,
) -> None:
    """Create a login. The password is read from ICP_PASSWORD or asked for.

    Example: [bold]icp createuser jo --role icp_manager --icp NI-NOR-CA[/bold]
    """
    setup_django()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from icp.partnership.demo import grant_manager_permissions
    from icp.partnership.models import ApiToken, Area, Organisation, User
    from icp.partnership.roles import UserRole

    if role not in UserRole.values:
        console.print(
            f"[red]--role {role!r} is not a role; choose one of: {', '.join(UserRole.values)}[/red]"
        )
        raise typer.Exit(2)
    if User.objects.filter(username=username).exists():
        console.print(f"[red]A user called {username!r} already exists.[/red]")
        raise typer.Exit(2)
    home = Area.objects.filter(code=icp).first() if icp else None
    if icp and home is None:
        console.print(f"[red]--icp {icp!r}: no such area; run `icp load-structure` first?[/red]")
        raise typer.Exit(2)
    org = Organisation.objects.filter(code=organisation).first() if organisation else None
    if organisation and org is None:
        console.print(f"[red]--organisation {organisation!r}: no such organisation.[/red]")
        raise typer.Exit(2)
    password = os.environ.get("ICP_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    user = User(username=username, role=role, home_area=home, organisation=org)
    try:
        validate_password(password, user)
    except ValidationError as error:
        console.print("[red]Password refused: " + " ".join(error.messages) + "[/red]")
        raise typer.Exit(2) from error
    user.set_password(password)
    user.is_superuser = superuser
    user.is_staff = superuser or role == UserRole.ICP_MANAGER
    user.save()
    if role == UserRole.ICP_MANAGER:
        grant_manager_permissions(user)
    console.print(f"[green]Created {username} ({user.get_role_display()}).[/green]")
    if token:
        _, key = ApiToken.issue(user, "created by icp createuser")
        console.print(f"API token (shown once): {key}")


@app.command()
def check() -> None:
    """Check configuration and database health; exit 1 if anything is wrong.

    Example: [bold]icp check[/bold]
    """
    _ensure_data_dir()
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


@app.command()
def serve(
    address: Annotated[
        str, typer.Option(help="host:port to listen on (loopback by default)")
    ] = "127.0.0.1:8000",
) -> None:
    """Serve the site (Django's server; use a WSGI server such as gunicorn in production).

    Example: [bold]icp serve --address 127.0.0.1:8000[/bold]
    """
    # A server needs an explicit SECRET_KEY unless it is a local demo (ICP_DEBUG=1); batch
    # commands use the key kept in the data folder instead (icp.site.settings).
    os.environ["ICP_SERVE"] = "1"
    if not os.environ.get("SECRET_KEY") and os.environ.get("ICP_DEBUG") != "1":
        console.print(
            "[red]SECRET_KEY is not set. A production server needs an explicit key: set the SECRET_KEY "
            "environment variable (or ICP_DEBUG=1 for a local demo).[/red]"
        )
        raise typer.Exit(2)
    setup_django()
    from django.core.management import call_command

    call_command("runserver", address, use_reloader=False)


@app.command()
def demo(
    serve_site: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the site when ready")] = True,
) -> None:
    """Set up the demo on the embedded defaults with synthetic data, print the logins and serve.

    Example: [bold]icp demo[/bold] (what `make demo` runs)
    """
    os.environ.setdefault("ICP_DEBUG", "1")
    from icp.demo import run_demo

    run_demo(console=console, password=os.environ.get("ICP_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT))
    if serve_site:
        serve()


def main() -> None:
    app(prog_name="icp")


if __name__ == "__main__":
    main()
