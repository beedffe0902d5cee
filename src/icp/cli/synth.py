"""`icp synth`: the command-line edge of `icp.records.synth`.

The pure package writes the synthetic population into the warehouse; this module adds what needs
the app database: the audit event and the patient index sync (`icp.patients.sync`). It lives outside
`icp.records` because the pure packages never import Django.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from icp.audit.events import EventType
from icp.cli.help import Typer
from icp.cli.output import console, print_index_sync, refuse
from icp.django_setup import setup_django

app = Typer()

SYNTH_HELP = " ".join(
    [
        "Write a synthetic Northern Ireland population into the records warehouse, labelled synthetic",
        "in every row, then sync the app database's patient index.\n\n",
        "People are registered at the reference NI practices with their BSO list sizes (or --people",
        "shared out in proportion), with NI's age, sex and deprivation structure, long-term conditions",
        "calibrated to NI QOF prevalence, eFI frailty deficits, medicines, observations, four years of",
        "GP, A&E, outpatient and hospital activity, and deaths (docs/synthetic-population.md).",
        "Synthesising an ICP again replaces its earlier synthetic population.\n\n",
        "Examples:\n\n",
        "[bold]icp synth --area NI-NOR-CA --seed 42[/bold]\n\n",
        "[bold]icp synth --area NI --seed 1 --people 200000[/bold]\n\n",
        "[bold]icp synth --area NI --seed 1 --people 10254435 --no-sync[/bold] (five times NI)",
    ]
)


@app.command(help=SYNTH_HELP, rich_help_panel="Records")
def synth(
    area: Annotated[
        str, typer.Option(help="An NI ICP code (e.g. NI-NOR-CA), or NI for all 17 ICPs", metavar="AREA")
    ],
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same population", metavar="SEED")
    ] = 42,
    people: Annotated[
        int | None,
        typer.Option(
            help="Total people, shared out by list size (default: the practices' real list sizes; "
            "up to 4,000,000 an ICP, e.g. 10254435 for five times NI)",
            min=1,
            metavar="COUNT",
        ),
    ] = None,
    sync: Annotated[bool, typer.Option("--sync/--no-sync", help="Sync the patient index afterwards")] = True,
    workers: Annotated[
        int, typer.Option(help="ICPs synthesised at once (processes)", min=1, metavar="COUNT")
    ] = 2,
    intervention_effect: Annotated[
        float,
        typer.Option(
            help="Proportion by which enrolment in the falls pathway lowers an enrolled person's "
            "falls-admission rate from enrolment (0 for none)",
            min=0.0,
            max=1.0,
            metavar="PROPORTION",
        ),
    ] = 0.2,
) -> None:
    from icp.records.synth.run import resolve_areas, synthesise
    from icp.records.warehouse import Warehouse

    try:
        areas = resolve_areas(area)
    except ValueError as error:
        refuse(str(error))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        overall = progress.add_task("Synthesising ICPs", total=len(areas))
        current = progress.add_task("Calibrating", total=None)

        def on_progress(icp: str, step: str) -> None:
            progress.update(current, description=f"{icp} {step}".strip())
            if step == "done":
                progress.advance(overall)

        try:
            results = synthesise(
                Warehouse(),
                area=area,
                seed=seed,
                people=people,
                on_progress=on_progress,
                workers=workers,
                intervention_effect=intervention_effect,
            )
        except ValueError as error:
            progress.stop()
            refuse(str(error))
        progress.update(current, visible=False)

    table = Table(title=f"Synthetic population written (seed {seed}) — every row is labelled synthetic")
    for heading in ("ICP", "People", "Conditions", "Medicines", "Observations", "Encounters", "Seconds"):
        table.add_column(heading, justify="left" if heading == "ICP" else "right")
    for result in results:
        rows = result.rows
        table.add_row(
            result.icp,
            f"{result.people:,}",
            f"{rows.get('condition', 0):,}",
            f"{rows.get('medication', 0):,}",
            f"{rows.get('observation', 0):,}",
            f"{rows.get('encounter', 0):,}",
            f"{result.seconds:.1f}",
        )
    console.print(table)
    if not sync:
        return
    setup_django()
    from icp.audit.log import record
    from icp.patients.sync import sync_patient_index

    for result in results:
        record(
            action=EventType.RECORDS_SYNTH,
            target_type="records.batch",
            target_id=result.batch_id,
            detail={"area": result.icp, "seed": seed, "people": result.people, "replaced": result.replaced},
        )
    with console.status("Syncing the patient index…"):
        summary = sync_patient_index(areas=areas)
    print_index_sync(summary)
