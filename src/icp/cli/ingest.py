"""`icp ingest` and `icp export fhir`: the command-line edge of `icp.records.ingest` and `.export`.

The pure packages do the work; this module adds what needs the app database: checking --area
against the partnership registry, the practice → ICP map that places registered patients, the
audit event, and the patient index sync after a load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from icp.audit.events import EventType
from icp.cli.help import Typer
from icp.cli.output import console, print_index_sync, refuse
from icp.django_setup import setup_django

app = Typer()
export_app = Typer(
    help="Export the records warehouse.\n\n"
    "Example: [bold]icp export fhir --out export/ --area NI-NOR-CA[/bold] (FHIR R4 Bulk Data NDJSON).",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export", rich_help_panel="Records")

INGEST_HELP = " ".join(
    [
        "Load FHIR R4 records into the warehouse: Bulk Data NDJSON (.ndjson, .ndjson.gz), Bundles (.json:",
        "collection, transaction, searchset) or folders of them.\n\n",
        "Patient, Condition, Observation, MedicationStatement, MedicationRequest, Encounter and Procedure",
        "are mapped; other resource types are counted as skipped. A record that cannot be used is put",
        "aside in a quarantine file with its file, line and reason, and every good record still loads.",
        "Loading the same file again adds nothing; --replace swaps out what earlier loads from the same",
        "--source held.\n\n",
        "Exit status: 0 all loaded, 3 some records put aside, 2 unusable arguments.\n\n",
        "Examples:\n\n",
        "[bold]icp ingest extract/ --area NI-NOR-CA --source causeway-gp[/bold]\n\n",
        "[bold]icp ingest Patient.ndjson Observation.ndjson.gz --area NI-BEL-E --replace[/bold]",
    ]
)


def _areas_and_practices(area: str | None) -> tuple[set[str], dict[str, str]]:
    setup_django()
    from icp.partnership.models import Area, Organisation
    from icp.partnership.roles import AreaLevel, OrganisationType

    icps = set(Area.objects.filter(level=AreaLevel.ICP).values_list("code", flat=True))
    practices = dict(
        Organisation.objects.filter(type=OrganisationType.GP_PRACTICE, icp__isnull=False).values_list(
            "code", "icp__code"
        )
    )
    return icps, practices


def _check_area(area: str | None, icps: set[str]) -> None:
    if area is not None and area not in icps:
        hint = "run `icp load-structure` first?" if not icps else f"known ICPs: {', '.join(sorted(icps))}"
        refuse(f"--area {area!r} is not an ICP code; {hint}")


@app.command(help=INGEST_HELP, rich_help_panel="Records")
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="NDJSON files, Bundle files or folders of them", metavar="PATH...")
    ],
    area: Annotated[
        str | None,
        typer.Option(help="ICP code for patients with no registered practice, e.g. NI-NOR-CA", metavar="ICP"),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(help="Name of where the records came from (default: fhir:<first path>)", metavar="NAME"),
    ] = None,
    replace: Annotated[bool, typer.Option(help="Replace what earlier loads from --source held")] = False,
    synthetic: Annotated[bool, typer.Option(help="Label every loaded row synthetic")] = False,
) -> None:
    from icp.records.ingest import InputError
    from icp.records.ingest import ingest as run_ingest
    from icp.records.ingest.sources import list_inputs

    try:
        list_inputs(paths)  # unusable paths are an argument error (exit 2), before any work
    except InputError as error:
        refuse(str(error))
    icps, practices = _areas_and_practices(area)
    _check_area(area, icps)

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Reading FHIR files", total=None)

        def advance(file: object, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = run_ingest(
            paths,
            area=area,
            source=source,
            replace=replace,
            practices=practices,
            synthetic=synthetic,
            progress=advance,
        )
    _print_report(report)
    if report.batch_id is not None:
        _after_load(report)
    raise typer.Exit(report.exit_status)


def _print_report(report: object) -> None:
    from icp.records.ingest import IngestReport

    assert isinstance(report, IngestReport)
    by_batch: dict[str, list[Path]] = {}
    for path, batch_id in report.already_loaded.items():
        by_batch.setdefault(batch_id, []).append(path)
    for batch_id, paths in by_batch.items():
        named = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files"
        console.print(
            f"[yellow]{named} already loaded in batch {batch_id}: nothing added from them.[/yellow]"
        )
    if report.batch_id is None:
        console.print("Nothing new to load.")
        return
    table = Table(title=f"Ingest {report.batch_id} from {report.source}")
    table.add_column("Resource type")
    for heading in ("Read", "Accepted", "of which uncoded", "Skipped", "Put aside"):
        table.add_column(heading, justify="right")
    for resource_type, counts in sorted(report.by_type.items()):
        style = "red" if counts.put_aside else None
        table.add_row(
            resource_type,
            f"{counts.read:,}",
            f"{counts.accepted:,}",
            f"{counts.uncoded:,}",
            f"{counts.skipped:,}",
            f"{counts.put_aside:,}",
            style=style,
        )
    table.add_section()
    table.add_row(
        "Total",
        f"{report.read:,}",
        f"{report.accepted:,}",
        f"{report.uncoded:,}",
        f"{report.skipped:,}",
        f"{report.put_aside:,}",
    )
    console.print(table)
    rate = report.read / report.seconds if report.seconds else 0.0
    console.print(f"{report.read:,} resources in {report.seconds:.1f} s ({rate:,.0f}/s).")
    if report.replaced_batches:
        console.print(f"Replaced batch(es): {', '.join(report.replaced_batches)}.")
    if report.uncoded:
        console.print(
            f"{report.uncoded:,} record(s) have a code as text only: kept and shown on the shared care "
            "record; scores that need codes leave them out."
        )
    if report.admitted:
        methods = ", ".join(
            f"{method} {count:,}" for method, count in sorted(report.admissions_by_method.items())
        )
        console.print(
            f"Admissions: {report.admitted:,} ({methods or 'none with a method'}); "
            f"{report.admitted_without_method:,} had no admission method."
        )
    if report.unresolved_diagnoses:
        console.print(
            f"[yellow]{report.unresolved_diagnoses:,} encounter(s) name a diagnosis found nowhere in the "
            "load or the warehouse; kept with the diagnoses that were found.[/yellow]"
        )
    if report.unknown_practices:
        console.print(
            f"[yellow]{report.unknown_practices:,} patient(s) named a practice not in the registry; "
            "they are attached to --area as unregistered.[/yellow]"
        )
    if report.quarantine_path:
        console.print(f"[red]{report.put_aside:,} record(s) put aside: see {report.quarantine_path}[/red]")


def _after_load(report: object) -> None:
    """Audit the load and bring the app database's patient index up to date for the ICPs it touched."""
    from icp.audit.log import record
    from icp.records.ingest import IngestReport

    assert isinstance(report, IngestReport)
    record(
        action=EventType.RECORDS_INGEST,
        target_type="records.batch",
        target_id=report.batch_id or "",
        detail={
            "source": report.source,
            "read": report.read,
            "accepted": report.accepted,
            "skipped": report.skipped,
            "put_aside": report.put_aside,
        },
    )
    if report.areas:
        with console.status("Checking data quality…"):
            findings = _quality(report.areas)
        _print_quality(findings, ", ".join(report.areas))
        from icp.patients.sync import sync_patient_index

        with console.status("Syncing the patient index…"):
            summary = sync_patient_index(areas=report.areas)
        print_index_sync(summary)


def _print_quality(findings: list[Any], scope: str) -> None:
    table = Table(title=f"Data quality: {scope}")
    table.add_column("Conflict")
    table.add_column("Records", justify="right")
    table.add_column("Examples (opaque ids)")
    for finding in findings:
        table.add_row(
            f"{finding.kind}\n[dim]{finding.description}[/dim]",
            f"{finding.count:,}",
            "\n".join(finding.examples),
            style="yellow" if finding.count else None,
        )
    console.print(table)
    total = sum(f.count for f in findings)
    console.print(
        f"{total:,} record(s) in conflict: reported for the sources to correct, never put aside."
        if total
        else "No conflicts found."
    )


def _quality(areas: list[str] | None, examples: int = 5) -> list[Any]:
    """The data-quality findings for these ICPs (all when None), on the warehouse as it is now."""
    import datetime as dt

    from icp.records import quality
    from icp.records.engine import open_tables

    return quality.check(open_tables(areas=areas), today=dt.date.today(), examples=examples)


@app.command("check-data", rich_help_panel="Records")
def check_data(
    area: Annotated[
        str, typer.Option(help="An ICP code (e.g. NI-NOR-CA), or NI for every ICP", metavar="AREA")
    ],
    examples: Annotated[
        int, typer.Option(min=0, max=50, help="Examples shown per kind", metavar="COUNT")
    ] = 5,
) -> None:
    """Find records that cannot be true as they stand: sex- or age-specific codes for the wrong
    person, entries after death or before birth, impossible ages and measurements.

    Conflicts are reported by kind with counts and a few examples (opaque ids only); nothing is
    changed or put aside. docs/ingest-and-export.md lists the rules and their sources.

    Example: [bold]icp check-data --area NI-NOR-CA[/bold]
    """
    icps, _ = _areas_and_practices(None)
    areas = None if area.upper() == "NI" else [area]
    if areas is not None:
        _check_area(area, icps)
    with console.status("Checking…"):
        findings = _quality(areas, examples)
    from icp.audit.log import record

    record(
        action=EventType.RECORDS_CHECK_DATA,
        target_type="records.warehouse",
        target_id=area,
        detail={f.kind: f.count for f in findings},
    )
    _print_quality(findings, area)


@export_app.command("fhir")
def export_fhir(
    out: Annotated[
        Path, typer.Option(help="Folder to write the NDJSON files and manifest.json into", metavar="FOLDER")
    ],
    area: Annotated[
        list[str] | None, typer.Option(help="ICP code(s) to export (default: all)", metavar="ICP")
    ] = None,
) -> None:
    """Export the warehouse as FHIR R4 Bulk Data NDJSON, one file per resource type, with a manifest.

    Example: [bold]icp export fhir --out export/ --area NI-NOR-CA[/bold]
    """
    from icp.fhir.bulk import export_fhir as run_export

    icps, _ = _areas_and_practices(None)
    for code in area or []:
        _check_area(code, icps)
    with console.status("Exporting…") as status:
        result = run_export(
            out,
            areas=area or None,
            progress=lambda table, n: status.update(f"Exported {n:,} resources ({table})"),
        )
    from icp.audit.log import record

    record(
        action=EventType.RECORDS_EXPORT_FHIR,
        target_type="records.warehouse",
        target_id=",".join(area or ["all"]),
        detail={"counts": result.counts},
    )
    table = Table(title=f"FHIR export to {result.out}")
    table.add_column("Resource type")
    table.add_column("Resources", justify="right")
    for resource_type, count in result.counts.items():
        table.add_row(resource_type, f"{count:,}")
    console.print(table)
    console.print(f"Manifest: {result.manifest}")
