"""`icp audit verify`: check the tamper-evident audit trail."""

from __future__ import annotations

import typer

from icp.cli.output import console
from icp.django_setup import setup_django

app = typer.Typer()
audit_app = typer.Typer(help="Check the audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit", rich_help_panel="Information sharing (I) and audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 and list the breaks if any row was altered or removed.

    Example: [bold]icp audit verify[/bold]
    """
    setup_django()
    from icp.audit.log import verify
    from icp.audit.models import AuditEvent

    breaks = list(verify())
    total = AuditEvent.objects.count()
    if breaks:
        for chain_break in breaks[:50]:
            console.print(f"[red]event {chain_break.event_id}: {chain_break.problem}[/red]")
        console.print(f"[red]✗ audit chain broken in {len(breaks)} place(s) across {total} events[/red]")
        raise typer.Exit(1)
    console.print(f"[green]✓ audit chain intact: {total} events[/green]")
