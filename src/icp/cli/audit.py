"""`icp audit …`: verify the chain, anchor a legacy chain, re-anchor after a restore, rotate the key
(the command-line edge of icp.audit.verify and icp.audit.operations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from icp.cli.help import Typer
from icp.cli.output import console
from icp.django_setup import setup_django

if TYPE_CHECKING:
    from icp.audit.operations import Done

app = Typer()
audit_app = Typer(
    help="Check and maintain the audit trail.\n\n"
    "Examples: [bold]icp audit verify[/bold] (check the hash chain and its checkpoints); "
    "[bold]icp audit rotate-key[/bold] (start signing with a new key).",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit", rich_help_panel="Information sharing (I) and audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit chain: keyed hashes, unbroken sequence numbers, and that it reaches the newest
    signed checkpoint. Exit 1 and list the breaks if any row was altered, removed or added.

    Example: [bold]icp audit verify[/bold]
    """
    setup_django()
    from icp.audit.checkpoints import checkpoint_log
    from icp.audit.verify import verify

    report = verify()
    for chain_break in report.breaks[:50]:
        where = f"sequence {chain_break.sequence}" if chain_break.sequence is not None else "checkpoints"
        console.print(f"[red]{where}: {chain_break.problem}[/red]")
    checked = (
        f"{report.events} events (sequence 1 to {report.last_sequence}, {report.legacy_events} legacy), "
        f"{report.checkpoint_lines} checkpoint lines in {checkpoint_log()}"
    )
    if report.breaks:
        console.print(f"[red]✗ audit chain broken in {len(report.breaks)} place(s): {checked}[/red]")
        raise typer.Exit(1)
    console.print(f"[green]✓ audit chain intact: {checked}[/green]")


def _run(operation: str, reason: str) -> None:
    setup_django()
    from icp.audit import operations
    from icp.audit.keys import AuditKeyError

    operations_by_name: dict[str, Callable[..., Done]] = {
        "upgrade": operations.anchor_legacy_chain,
        "restored": operations.reanchor_after_restore,
        "rotate-key": operations.rotate_key,
    }
    chosen = operations_by_name[operation]
    try:
        done = chosen(reason=reason)
    except (operations.ChainOperationRefused, AuditKeyError) as error:
        console.print(f"[red]✗ {error}[/red]")
        raise typer.Exit(1) from error
    console.print(f"[green]✓ {done.message}[/green]")


@audit_app.command("upgrade")
def audit_upgrade(
    reason: Annotated[
        str, typer.Option(help="Recorded on the event", metavar="REASON")
    ] = "upgrade to the keyed chain",
) -> None:
    """Anchor a chain written before audit keys (plain SHA-256) with a keyed event. Safe to repeat.

    Example: [bold]icp migrate && icp audit upgrade[/bold]
    """
    _run("upgrade", reason)


@audit_app.command("restored")
def audit_restored(
    reason: Annotated[
        str, typer.Option(help="Why the backup was restored; recorded on the event", metavar="REASON")
    ],
) -> None:
    """After restoring a backup: record "restored to sequence N" so the chain verifies again, and keep
    the number of events lost on the record. Refuses if the restored chain itself does not verify.

    Example: [bold]icp audit restored --reason "disk failure; restored the 02:00 backup"[/bold]
    """
    _run("restored", reason)


@audit_app.command("rotate-key")
def audit_rotate_key(
    reason: Annotated[
        str, typer.Option(help="Recorded on the event", metavar="REASON")
    ] = "scheduled key rotation",
) -> None:
    """Switch the chain to a new audit key, recorded by an event signed with the old key. With the key
    file, a new key is added to it; with ICP_AUDIT_KEY, append the new key to it first (comma-separated).

    Example: [bold]icp audit rotate-key[/bold]
    """
    _run("rotate-key", reason)
