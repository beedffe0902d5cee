"""`icp stratify` and `icp model …`: run risk stratification and report on the admission model.

The use case (the ICPs in scope, the planning opt-outs left out, the run, the sync) lives in
`icp.care.stratification`; these commands check their arguments, call it and print the result.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from icp.cli.help import Typer
from icp.cli.output import AREA_HELP, console, refuse
from icp.config import models_dir
from icp.django_setup import setup_django

app = Typer()
model_app = Typer(
    help="The emergency-admission risk model: train it, or reproduce its card.\n\n"
    "Examples: [bold]icp model train --area NI-NOR-CA --as-of 2025-06-01[/bold]; "
    "[bold]icp model report --area NI-NOR-CA --as-of 2025-06-01 --out docs/images[/bold].",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model", rich_help_panel="Risk stratification (R)")

AS_OF_HELP = (
    "The index date, YYYY-MM-DD (default: the newest record in the warehouse). Scores use records up to it."
)


def _as_of(value: str | None) -> dt.date | None:
    """None means the newest record in the warehouse (worked out by the scope)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        refuse(f"--as-of {value!r}: expected a date as YYYY-MM-DD, e.g. 2025-06-01")


def _areas(area: str) -> list[str] | None:
    """None means every ICP in the warehouse."""
    from icp.partnership.models import Area
    from icp.partnership.roles import AreaLevel

    if area.upper() == "NI":
        return None
    if not Area.objects.filter(code=area, level=AreaLevel.ICP).exists():
        refuse(f"--area {area!r} is not an ICP code (e.g. NI-NOR-CA) or NI.")
    return [area]


def _scope(area: str, as_of: str | None) -> Any:
    setup_django()
    from icp.care.stratification import NothingToStratify, scope

    areas = _areas(area)
    index_date = _as_of(as_of)
    try:
        return scope(areas=areas, index_date=index_date)
    except NothingToStratify as error:
        refuse(str(error))


@app.command(rich_help_panel="Risk stratification (R)")
def stratify(
    area: Annotated[str, typer.Option(help=AREA_HELP, metavar="AREA")] = "NI",
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP, metavar="DATE")] = None,
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark", metavar="ENGINE")] = "duckdb",
    pyramid: Annotated[
        str,
        typer.Option(
            help="Percent in very high, high, moderate tiers; low takes the rest", metavar="PERCENTS"
        ),
    ] = "0.5,4.5,15",
    retrain: Annotated[bool, typer.Option(help="Fit a new model even if one is saved")] = False,
    sync: Annotated[bool, typer.Option("--sync/--no-sync", help="Sync results to the app database")] = True,
) -> None:
    """Compute every score and the admission model for everyone, write the run and sync the results.

    People with a planning opt-out in force on the index date are left out of everything and counted.

    Example: [bold]icp stratify --area NI-NOR-CA --as-of 2025-06-01[/bold]
    """
    from icp.stratify.tiers import parse_pyramid

    if engine not in ("duckdb", "spark"):
        refuse(f"--engine {engine!r}: choose duckdb or spark")
    try:
        tiers = parse_pyramid(pyramid)
    except ValueError as error:
        refuse(f"--pyramid: {error}")
    population = _scope(area, as_of)
    from icp.care import stratification

    with console.status("Stratifying…") as status:
        options: dict[str, Any] = dict(
            models_dir=models_dir(),
            engine=engine,
            pyramid=tiers,
            retrain=retrain,
            progress=lambda message: status.update(message),
        )
        if sync:
            summary, synced = stratification.stratify_and_sync(population, **options)
        else:
            summary = stratification.stratify(population, **options)
    _print_summary(summary)
    if sync:
        print_sync(synced)


def _print_summary(summary: Any) -> None:
    from icp.stratify.tiers import RULE_BASED_ORDER

    table = Table(title=f"Run {summary.run_id}: risk tiers at {summary.index_date:%d %B %Y}")
    table.add_column("ICP")
    for label in ("Very high", "High", "Moderate", "Low", "Opted out (left out)"):
        table.add_column(label, justify="right")
    for icp, counts in sorted(summary.tier_counts.items()):
        left_out = summary.opted_out_by_icp.get(icp, 0)
        table.add_row(
            icp,
            *[f"{counts.get(t, 0):,}" for t in ("very_high", "high", "moderate", "low")],
            f"{left_out:,}",
        )
    console.print(table)
    efi = summary.efi_65_plus
    older = sum(efi.values()) or 1
    console.print(
        "eFI among people aged 65+: "
        + ", ".join(f"{c} {100 * efi.get(c, 0) / older:.1f}%" for c in ("fit", "mild", "moderate", "severe"))
    )
    if summary.model_not_used:
        console.print(f"[yellow]Ranked without the model: {summary.model_not_used}.[/yellow]")
        ranking = "Rule-based ranking (" + ", then ".join(words for _c, words in RULE_BASED_ORDER) + ")"
    else:
        metrics = summary.model_card.get("metrics", {}).get("lightgbm", {})
        ranking = f"Model {summary.model_version} (hold-out AUROC {metrics.get('auroc', '?')})"
    console.print(
        f"{ranking}; {summary.people:,} people scored, {summary.opted_out:,} left out for a planning "
        "opt-out; timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in summary.timings.items())
    )
    if summary.uncoded_left_out:
        console.print(
            "Entries with text but no code, left out by every score: "
            + ", ".join(f"{table} {count:,}" for table, count in sorted(summary.uncoded_left_out.items()))
            + "."
        )


def print_sync(synced: list[Any]) -> None:
    for outcome in synced:
        if outcome.summary is None:
            console.print(f"[yellow]{outcome.icp}: not in the app database's areas; not synced[/yellow]")
            continue
        missing = outcome.summary.not_in_index
        note = f" ({missing:,} not in the patient index)" if missing else ""
        console.print(
            f"{outcome.icp}: {outcome.summary.synced:,} people's results synced to the app database{note}: "
            f"{outcome.summary.listed:,} in the tiers worklists list, everyone counted for the population."
        )


@model_app.command("report")
def model_report(
    area: Annotated[str, typer.Option(help=AREA_HELP, metavar="AREA")] = "NI",
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP, metavar="DATE")] = None,
    out: Annotated[
        Path, typer.Option(help="Folder for the calibration plot and metrics", metavar="FOLDER")
    ] = Path("docs/images"),
) -> None:
    """Fit the model as `icp stratify` would and write the model card's figures (metrics, calibration PNG).

    Example: [bold]icp model report --area NI-NOR-CA --as-of 2025-06-01 --out docs/images[/bold]
    """
    population = _scope(area, as_of)
    from icp.care.stratification import train
    from icp.stratify import report

    with console.status("Fitting the model…") as status:
        fitted, _gbm, _baseline = train(population, progress=lambda m: status.update(m))
    png = report.calibration_png(fitted.card, out / "model-calibration.png")
    markdown = report.metrics_markdown(fitted.card)
    (out / "model-card-metrics.md").write_text(markdown + "\n", encoding="utf-8")
    console.print(markdown)
    console.print(f"Calibration plot: {png}; metrics: {out / 'model-card-metrics.md'}")


@model_app.command("train")
def model_train(
    area: Annotated[str, typer.Option(help=AREA_HELP, metavar="AREA")] = "NI",
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP, metavar="DATE")] = None,
) -> None:
    """Fit and save a new model version (used by the next `icp stratify`).

    Example: [bold]icp model train --area NI-NOR-CA --as-of 2025-06-01[/bold]
    """
    population = _scope(area, as_of)
    from icp.care.stratification import train

    with console.status("Fitting the model…") as status:
        fitted, gbm, baseline = train(population, progress=lambda m: status.update(m))
    folder = fitted.save(models_dir())
    console.print(
        f"Saved model {fitted.version} to {folder}: hold-out AUROC {gbm.auroc:.3f} "
        f"(logistic baseline {baseline.auroc:.3f})."
    )
