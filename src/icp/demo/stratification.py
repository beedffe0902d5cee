"""The demo's stratification step: stratify the demo ICP once its synthetic records exist.

It calls the same use case as `icp stratify` (`icp.care.stratification`). Idempotent: a run
already synced for the newest records is reused.
"""

from __future__ import annotations

from icp.care import stratification
from icp.config import models_dir
from icp.partnership.models import User
from icp.patients.models import RiskRun
from icp.records.warehouse import Warehouse
from icp.stratify import run as runs


def stratify_demo_icp(icp_code: str) -> str:
    """Stratify `icp_code` unless its newest records already have a synced run; a line for the demo."""
    warehouse = Warehouse()
    if icp_code not in runs.areas_in(warehouse):
        return f"Risk stratification: no records for {icp_code} in the warehouse yet; skipped."
    population = stratification.scope(areas=[icp_code], warehouse=warehouse)
    index_date = population.index_date
    latest = runs.latest_run(warehouse, icp_code)
    if latest and RiskRun.objects.filter(run_id=latest, icp__code=icp_code, index_date=index_date).exists():
        return f"Risk stratification: reusing run {latest} ({index_date:%d %b %Y}). " + _demo_pages(icp_code)
    summary, _synced = stratification.stratify_and_sync(population, models_dir=models_dir())
    auroc = summary.model_card.get("metrics", {}).get("lightgbm", {}).get("auroc", "?")
    return (
        f"Risk stratification: {summary.people:,} people scored at {index_date:%d %b %Y} "
        f"(model {summary.model_version}, hold-out AUROC {auroc}). " + _demo_pages(icp_code)
    )


def _demo_pages(icp_code: str) -> str:
    gp = User.objects.filter(username="demo-gp").select_related("organisation").first()
    pages = f"ICP pyramid: /care/icp/{icp_code}/population/ (demo-manager)"
    if gp is not None and gp.organisation is not None:
        pages += f"; worklist: /care/practice/{gp.organisation.code}/worklist/ (demo-gp)"
    return pages + "."
