"""`icp stratify` and `icp model …`: run risk stratification and report on the admission model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from icp.config import data_dir

console = Console()
model_app = typer.Typer(
    help="The emergency-admission risk model: train it, or reproduce its card.", no_args_is_help=True
)

AREA_HELP = "An ICP code (e.g. NI-NOR-CA) or NI for every ICP in the warehouse"
AS_OF_HELP = (
    "The index date, YYYY-MM-DD (default: the newest record in the warehouse). Scores use records up to it."
)


def models_dir() -> Path:
    return data_dir() / "models"


def _as_of(value: str | None, areas: list[str] | None = None) -> dt.date:
    if not value:
        from icp.records.warehouse import Warehouse
        from icp.stratify.run import latest_record_date

        return latest_record_date(Warehouse(), areas) or dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        console.print(f"[red]--as-of {value!r}: expected a date as YYYY-MM-DD, e.g. 2025-06-01[/red]")
        raise typer.Exit(2) from None


def _areas(area: str) -> list[str] | None:
    """None means every ICP in the warehouse."""
    from icp.partnership.models import Area
    from icp.partnership.roles import AreaLevel

    if area.upper() == "NI":
        return None
    if not Area.objects.filter(code=area, level=AreaLevel.ICP).exists():
        console.print(f"[red]--area {area!r} is not an ICP code (e.g. NI-NOR-CA) or NI.[/red]")
        raise typer.Exit(2)
    return [area]


def stratify(
    area: Annotated[str, typer.Option(help=AREA_HELP)] = "NI",
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark")] = "duckdb",
    pyramid: Annotated[
        str, typer.Option(help="Percent in very high, high, moderate tiers; low takes the rest")
    ] = "0.5,4.5,15",
    retrain: Annotated[bool, typer.Option(help="Fit a new model even if one is saved")] = False,
    sync: Annotated[bool, typer.Option("--sync/--no-sync", help="Sync results to the app database")] = True,
) -> None:
    """Compute every score and the admission model for everyone, write the run and sync the results.

    Example: [bold]icp stratify --area NI-NOR-CA --as-of 2025-06-01[/bold]
    """
    from icp.django_setup import setup_django

    setup_django()
    from icp.records.warehouse import Warehouse
    from icp.sharing.policy import planning_opt_outs
    from icp.stratify import run as runs
    from icp.stratify.tiers import parse_pyramid

    if engine not in ("duckdb", "spark"):
        console.print(f"[red]--engine {engine!r}: choose duckdb or spark[/red]")
        raise typer.Exit(2)
    try:
        tiers = parse_pyramid(pyramid)
    except ValueError as error:
        console.print(f"[red]--pyramid: {error}[/red]")
        raise typer.Exit(2) from error
    areas = _areas(area)
    warehouse = Warehouse()
    icps = areas or runs._areas_in(warehouse)
    index_date = _as_of(as_of, areas)
    if not icps:
        console.print("[red]The warehouse holds nobody yet: run `icp synth` or `icp ingest` first.[/red]")
        raise typer.Exit(2)
    opted_out = {icp: planning_opt_outs(icp, on=index_date).patient_ids for icp in icps}
    with console.status("Stratifying…") as status:
        summary = runs.run(
            warehouse,
            index_date=index_date,
            areas=areas,
            engine=engine,  # type: ignore[arg-type]
            models_dir=models_dir(),
            pyramid=tiers,
            opted_out_by_icp=opted_out,
            retrain=retrain,
            progress=lambda message: status.update(message),
        )
    _print_summary(summary)
    if sync:
        _sync(warehouse, summary)


def _print_summary(summary: Any) -> None:
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
    metrics = summary.model_card.get("metrics", {}).get("lightgbm", {})
    console.print(
        f"Model {summary.model_version} (hold-out AUROC {metrics.get('auroc', '?')}); "
        f"{summary.people:,} people scored, {summary.opted_out:,} left out for a planning opt-out; "
        "timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in summary.timings.items())
    )


def _sync(warehouse: Any, summary: Any) -> None:
    from icp.partnership.models import Area
    from icp.patients.risk_sync import sync_results
    from icp.stratify import run as runs

    detail = runs.run_detail(warehouse, summary.run_id)
    for icp in summary.areas:
        area = Area.objects.filter(code=icp).first()
        if area is None:
            console.print(f"[yellow]{icp}: not in the app database's areas; not synced[/yellow]")
            continue
        synced = sync_results(area, runs.run_results(warehouse, icp, summary.run_id), run_detail=detail)
        note = f" ({synced.not_in_index:,} not in the patient index)" if synced.not_in_index else ""
        console.print(f"{icp}: {synced.synced:,} people's results synced to the app database{note}.")


@model_app.command("report")
def model_report(
    area: Annotated[str, typer.Option(help=AREA_HELP)] = "NI",
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    out: Annotated[Path, typer.Option(help="Folder for the calibration plot and metrics")] = Path(
        "docs/images"
    ),
) -> None:
    """Fit the model as `icp stratify` would and write the model card's figures (metrics, calibration PNG).

    Example: [bold]icp model report --area NI-NOR-CA --as-of 2025-06-01 --out docs/images[/bold]
    """
    from icp.django_setup import setup_django

    setup_django()
    from icp.records.engine import open_tables
    from icp.records.warehouse import Warehouse
    from icp.sharing.policy import planning_opt_outs
    from icp.stratify import report
    from icp.stratify import run as runs

    areas = _areas(area)
    index_date = _as_of(as_of, areas)
    warehouse = Warehouse()
    icps = areas or runs._areas_in(warehouse)
    excluded: set[str] = set()
    for icp in icps:
        excluded |= planning_opt_outs(icp, on=index_date).patient_ids
    tables = open_tables(warehouse, areas=areas)
    with console.status("Fitting the model…") as status:
        fitted, _gbm, _baseline = runs.train(
            tables, index_date, areas=icps, excluded=excluded, progress=lambda m: status.update(m)
        )
    png = report.calibration_png(fitted.card, out / "model-calibration.png")
    markdown = report.metrics_markdown(fitted.card)
    (out / "model-card-metrics.md").write_text(markdown + "\n", encoding="utf-8")
    console.print(markdown)
    console.print(f"Calibration plot: {png}; metrics: {out / 'model-card-metrics.md'}")


@model_app.command("train")
def model_train(
    area: Annotated[str, typer.Option(help=AREA_HELP)] = "NI",
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Fit and save a new model version (used by the next `icp stratify`).

    Example: [bold]icp model train --area NI-NOR-CA --as-of 2025-06-01[/bold]
    """
    from icp.django_setup import setup_django

    setup_django()
    from icp.records.engine import open_tables
    from icp.records.warehouse import Warehouse
    from icp.stratify import run as runs

    areas = _areas(area)
    index_date = _as_of(as_of, areas)
    warehouse = Warehouse()
    icps = areas or runs._areas_in(warehouse)
    from icp.sharing.policy import planning_opt_outs

    excluded: set[str] = set()
    for icp in icps:
        excluded |= planning_opt_outs(icp, on=index_date).patient_ids
    with console.status("Fitting the model…") as status:
        fitted, gbm, baseline = runs.train(
            open_tables(warehouse, areas=areas),
            index_date,
            areas=icps,
            excluded=excluded,
            progress=lambda m: status.update(m),
        )
    folder = fitted.save(models_dir())
    console.print(
        f"Saved model {fitted.version} to {folder}: hold-out AUROC {gbm.auroc:.3f} "
        f"(logistic baseline {baseline.auroc:.3f})."
    )


def demo_step(icp_code: str) -> str:
    """The demo's stratification step: stratify the demo ICP once its synthetic records exist.

    Idempotent: a run already synced for the newest records is reused. Returns a line for the demo.
    """
    from icp.patients.models import RiskRun
    from icp.records.warehouse import Warehouse
    from icp.sharing.policy import planning_opt_outs
    from icp.stratify import run as runs

    warehouse = Warehouse()
    if icp_code not in runs._areas_in(warehouse):
        return f"Risk stratification: no records for {icp_code} in the warehouse yet; skipped."
    index_date = runs.latest_record_date(warehouse, [icp_code]) or dt.date.today()
    latest = runs.latest_run(warehouse, icp_code)
    if latest and RiskRun.objects.filter(run_id=latest, icp__code=icp_code, index_date=index_date).exists():
        return f"Risk stratification: reusing run {latest} ({index_date:%d %b %Y}). " + _demo_pages(icp_code)
    summary = runs.run(
        warehouse,
        index_date=index_date,
        areas=[icp_code],
        models_dir=models_dir(),
        opted_out_by_icp={icp_code: planning_opt_outs(icp_code, on=index_date).patient_ids},
    )
    _sync(warehouse, summary)
    auroc = summary.model_card.get("metrics", {}).get("lightgbm", {}).get("auroc", "?")
    return (
        f"Risk stratification: {summary.people:,} people scored at {index_date:%d %b %Y} "
        f"(model {summary.model_version}, hold-out AUROC {auroc}). " + _demo_pages(icp_code)
    )


def _demo_pages(icp_code: str) -> str:
    from icp.partnership.models import User

    gp = User.objects.filter(username="demo-gp").select_related("organisation").first()
    pages = f"ICP pyramid: /care/icp/{icp_code}/population/ (demo-manager)"
    if gp is not None and gp.organisation is not None:
        pages += f"; worklist: /care/practice/{gp.organisation.code}/worklist/ (demo-gp)"
    return pages + "."
