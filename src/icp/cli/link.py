"""`icp link`: link one ICP's records from every source into persons (docs/linkage.md).

The use case lives in `icp.patients.linkage.run_linkage`; this command checks its arguments,
calls it and prints the persons, the links each rule made and the pairs waiting for review.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from icp.cli.help import Typer
from icp.cli.output import console, refuse
from icp.django_setup import setup_django

app = Typer()


@app.command(rich_help_panel="Records")
def link(
    area: Annotated[
        str, typer.Option(help="The ICP code whose records to link (e.g. NI-NOR-CA)", metavar="ICP")
    ],
    link_threshold: Annotated[
        float,
        typer.Option(
            "--link-threshold",
            help="Match probability at or above which a pair is linked",
            metavar="PROBABILITY",
        ),
    ] = 0.99,
    review_threshold: Annotated[
        float,
        typer.Option(
            "--review-threshold",
            help="Match probability at or above which a pair goes to review",
            metavar="PROBABILITY",
        ),
    ] = 0.5,
    seed: Annotated[
        int, typer.Option(help="Seed of the model's random sampling (same seed, same result)", metavar="SEED")
    ] = 42,
) -> None:
    """Give every record of one ICP the person it belongs to, across all its sources.

    Records sharing a valid NHS or H&C number are linked; the rest are scored by a probabilistic
    model (Splink) on name, date of birth, sex and postcode district. Pairs between the two
    thresholds wait for an information-governance lead on the review page (/sharing/linkage/).
    Decisions made there are kept by every later run.

    Example: [bold]icp link --area NI-NOR-CA[/bold]
    """
    from icp.records.linkage.run import Thresholds

    try:
        thresholds = Thresholds(link=link_threshold, review=review_threshold)
    except ValueError as error:
        refuse(f"--link-threshold / --review-threshold: {error}")
    setup_django()
    from icp.patients.linkage import LinkageError, run_linkage

    try:
        with console.status(f"Linking the records of {area}…"):
            summary = run_linkage(area=area, thresholds=thresholds, seed=seed)
    except LinkageError as error:
        refuse(f"--area: {error}")
    table = Table(title=f"Record linkage of {summary.area}")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("Source records", f"{summary.records:,}")
    table.add_row("Persons", f"{summary.persons:,}")
    for rule in ("national number", "probabilistic", "reviewer"):
        table.add_row(f"Links by {rule}", f"{summary.links_by_rule.get(rule, 0):,}")
    table.add_row("Pairs waiting for review", f"{summary.waiting:,}")
    console.print(table)
    if not summary.model_card.get("trained"):
        console.print(
            f"Probabilistic model not used: {summary.model_card.get('reason')}; only the number rule linked."
        )
    console.print(
        f"Thresholds: link at match probability ≥ {summary.thresholds.link}, review at ≥ "
        f"{summary.thresholds.review}. {summary.decided:,} reviewer decisions applied. "
        f"Warehouse batch {summary.batch_id}."
    )
