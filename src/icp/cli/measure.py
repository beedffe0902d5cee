"""`icp measure`, `icp evaluate` and `icp publish-care`: indicators and impact evaluation over the
warehouse (Evaluation), and the care app's tables published to it.

`measure` and `evaluate` read only the warehouse: the care app's enrolments, referrals and care plans
where `icp publish-care` has published them, a synthetic history (`icp synth`) for any other ICP.
The app database is asked only for the planning opt-outs in force, which are left out before
anything is counted.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from icp.cli.help import Typer

console = Console()
app = Typer()

AREA_HELP = "An ICP code (e.g. NI-NOR-CA) or NI for every ICP in the warehouse"
ENGINE_HELP = "duckdb (embedded, default) or spark"


def _month(value: str | None, option: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        console.print(f"[red]{option} {value!r}: expected a month as YYYY-MM, e.g. 2024-04[/red]")
        raise typer.Exit(2) from None


def _areas(area: str, known: list[str]) -> list[str]:
    if not known:
        console.print("[red]The warehouse holds nobody yet: run `icp synth` or `icp ingest` first.[/red]")
        raise typer.Exit(2)
    if area.upper() == "NI":
        return known
    if area not in known:
        console.print(
            f"[red]--area {area!r} is not in the warehouse; choose NI or one of: {', '.join(known)}[/red]"
        )
        raise typer.Exit(2)
    return [area]


def _opted_out(areas: list[str], on: dt.date) -> set[str]:
    from icp.django_setup import setup_django

    setup_django()
    from icp.sharing.policy import planning_opt_outs

    excluded: set[str] = set()
    for icp in areas:
        excluded |= set(planning_opt_outs(icp, on=on).patient_ids)
    return excluded


@app.command(rich_help_panel="Evaluation (E)")
def measure(
    area: Annotated[str, typer.Option(help=AREA_HELP, metavar="AREA")] = "NI",
    start: Annotated[
        str | None, typer.Option("--from", help="First month, YYYY-MM (default: April 2022)", metavar="MONTH")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last month, YYYY-MM (default: March 2026)", metavar="MONTH")
    ] = None,
    engine: Annotated[str, typer.Option(help=ENGINE_HELP, metavar="ENGINE")] = "duckdb",
    out: Annotated[Path, typer.Option(help="Folder for the Parquet and CSV tables", metavar="FOLDER")] = Path(
        "indicators"
    ),
) -> None:
    """Compute every indicator (month x ICP, month x practice, year x ICP x deprivation quintile,
    year x ICP x age band x sex), disclosure-controlled, as Parquet and CSV, and print a summary.

    Example: [bold]icp measure --area NI-NOR-CA --from 2023-04 --to 2025-03 --out indicators/[/bold]
    """
    from icp.measure.indicators.cells import Months
    from icp.measure.indicators.run import MEMORY_LIMIT, write
    from icp.measure.indicators.run import measure as run_measure
    from icp.records.engine import connect, open_tables
    from icp.records.persons import by_person
    from icp.records.warehouse import Warehouse
    from icp.stratify.run import areas_in

    if engine not in ("duckdb", "spark"):
        console.print(f"[red]--engine {engine!r}: choose duckdb or spark[/red]")
        raise typer.Exit(2)
    months = Months(_month(start, "--from", dt.date(2022, 4, 1)), _month(end, "--to", dt.date(2026, 3, 1)))
    if months.start > months.end:
        console.print("[red]--from is after --to[/red]")
        raise typer.Exit(2)
    warehouse = Warehouse()
    areas = _areas(area, areas_in(warehouse))
    excluded = _opted_out(areas, months.end)
    _say_care_source(warehouse, areas)
    con = connect("duckdb", memory_limit=MEMORY_LIMIT) if engine == "duckdb" else None
    tables = by_person(open_tables(warehouse, engine=engine, areas=areas, con=con))  # type: ignore[arg-type]
    began = time.perf_counter()
    with console.status("Measuring…") as status:
        result = run_measure(
            tables, months, excluded=excluded, progress=lambda step: status.update(f"Measuring: {step}")
        )
        published = write(result, out, progress=lambda step: status.update(f"Publishing: {step}"))
    _summary(published, result.opted_out, out, result.synthetic, time.perf_counter() - began)
    _say_incomplete(result)


def _say_incomplete(result: Any) -> None:
    """Name the months an indicator leaves out because the records do not yet cover them whole."""
    from icp.measure.indicators.definition import indicator

    every = result.months.firsts()
    followed = result.data_end.isoformat() if result.data_end else "nowhere (no records)"
    for indicator_id, reported in sorted(result.reported.items()):
        missing = [month for month in every if month not in set(reported)]
        if not missing:
            continue
        months = f"{missing[0]:%Y-%m}" + (f" to {missing[-1]:%Y-%m}" if len(missing) > 1 else "")
        why = (
            "too soon to follow every discharge for its 30 days"
            if indicator(indicator_id).measure == "readmission"
            else "the records stop before the month's end"
        )
        console.print(
            f"{indicator_id}: {months} not reported (the records end on {followed}, {why}); "
            "a financial year missing a month has no year row."
        )


def _say_care_source(warehouse: Any, areas: list[str]) -> None:
    """Say where the enrolments, referrals and care plans come from, ICP by ICP."""
    published = warehouse.published_care_areas()
    from_app = [icp for icp in areas if icp in published]
    history = [icp for icp in areas if icp not in published]
    if from_app:
        console.print(
            f"Enrolments, referrals and care plans: published by the care app for {', '.join(from_app)}."
        )
    if history:
        console.print(
            f"Enrolments, referrals and care plans: the warehouse's own history (`icp synth`) for "
            f"{', '.join(history)} (not published by the care app: `icp publish-care`)."
        )


def _summary(published: dict[str, Any], opted_out: int, out: Path, synthetic: bool, seconds: float) -> None:
    from icp.measure.disclosure import shown

    monthly = published.get("month_icp")
    label = " (synthetic data)" if synthetic else ""
    table = Table(title=f"Indicators, latest month per ICP{label}")
    for heading in ("Indicator", "ICP", "Month", "Numerator", "Denominator", "Rate", "95% CI"):
        table.add_column(heading, justify="left" if heading in ("Indicator", "ICP", "Month") else "right")
    if monthly is not None:
        latest = monthly.sort_values("period").groupby(["indicator", "icp"]).tail(1)
        for row in latest.itertuples():
            hidden = bool(row.suppressed)
            table.add_row(
                str(row.indicator),
                str(row.icp),
                str(row.period),
                _number(row.numerator, hidden),
                _number(row.denominator, hidden),
                _number(row.rate, hidden, places=2),
                "" if hidden or pd.isna(row.ci_low) else f"{row.ci_low:,.2f} to {row.ci_high:,.2f}",
            )
    console.print(table)
    console.print(
        f"People left out for a planning opt-out: {shown(opted_out) if opted_out else 0}. "
        f"Tables written to {out}/ (Parquet and CSV) in {seconds:.1f} s."
    )


def _number(value: Any, hidden: bool, *, places: int = 0) -> str:
    if hidden:
        return "<8"
    return "" if pd.isna(value) else f"{float(value):,.{places}f}"


@app.command(rich_help_panel="Evaluation (E)")
def evaluate(
    pathway: Annotated[str, typer.Option(help="Pathway id, e.g. falls", metavar="PATHWAY")],
    area: Annotated[str, typer.Option(help=AREA_HELP, metavar="AREA")],
    outcome: Annotated[
        str, typer.Option(help="Outcome indicator id, e.g. falls_admissions_65", metavar="INDICATOR")
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the result as JSON here", metavar="FILE")
    ] = None,
    engine: Annotated[str, typer.Option(help=ENGINE_HELP, metavar="ENGINE")] = "duckdb",
    seed: Annotated[int, typer.Option(help="Seed for choosing among tied matches", metavar="SEED")] = 1,
) -> None:
    """Did enrolment in a pathway change an outcome? Matched comparison, then difference in
    differences in a Poisson model with person-time offset and person-clustered errors.

    Example:
    [bold]icp evaluate --pathway falls --area NI-NOR-CA --outcome falls_admissions_65 --json out.json[/bold]
    """
    from icp.measure.impact import EvaluationError
    from icp.measure.impact_data import evaluate as run_evaluation
    from icp.records.engine import open_tables
    from icp.records.persons import by_person
    from icp.records.warehouse import Warehouse
    from icp.stratify.run import areas_in

    warehouse = Warehouse()
    areas = _areas(area, areas_in(warehouse))
    excluded = _opted_out(areas, dt.date.today())
    _say_care_source(warehouse, areas)
    tables = by_person(open_tables(warehouse, engine=engine, areas=areas))  # type: ignore[arg-type]
    try:
        with console.status("Matching and modelling…"):
            result = run_evaluation(tables, pathway=pathway, outcome=outcome, excluded=excluded, seed=seed)
    except EvaluationError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    document = result.as_json()
    effect = document["effect"]
    console.print(
        f"{pathway} → {outcome}: relative change {effect['relative_change']:+.1%} "
        f"(95% CI {effect['ci_low']:+.1%} to {effect['ci_high']:+.1%}, p = {effect['p_value']:.3g}); "
        f"{document['people']['enrolled']:,} enrolled, {document['people']['matched']:,} matched pairs."
    )
    worst = max((abs(row["smd_after"]) for row in document["balance"]), default=0.0)
    console.print(f"Largest standardised mean difference after matching: {worst:.3f} (aim: under 0.1).")
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(document, indent=2), encoding="utf-8")
        console.print(f"Written to {json_out}")


@app.command("publish-care", rich_help_panel="Evaluation (E)")
def publish_care(
    area: Annotated[
        str,
        typer.Option(
            help="An ICP code (e.g. NI-NOR-CA) or NI for every ICP in the warehouse", metavar="AREA"
        ),
    ],
) -> None:
    """Publish the care app's pathway enrolments, referrals (with the dates of their moves) and care
    plans to the warehouse, where `icp measure` and `icp evaluate` read them (pseudonymous; audited).

    The ICP's earlier publication is replaced; from now on its care tables come from the app, not
    from a synthetic history.

    Example: [bold]icp publish-care --area NI-NOR-CA[/bold]
    """
    from icp.django_setup import setup_django
    from icp.records.warehouse import Warehouse
    from icp.stratify.run import areas_in

    warehouse = Warehouse()
    areas = _areas(area, areas_in(warehouse))
    setup_django()
    from icp.care.publish import PublishError, publish_care_tables

    try:
        done = publish_care_tables(areas=areas, warehouse=warehouse)
    except PublishError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    counts = done.counts
    console.print(
        f"Published for {', '.join(done.areas)}: {counts['enrolment']:,} enrolments, "
        f"{counts['referral']:,} referrals, {counts['care_plan']:,} care plans (batch {done.batch_id}"
        + (f", replacing {', '.join(done.replaced)}" if done.replaced else "")
        + ")."
    )
