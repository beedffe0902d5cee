"""Sync a run's results from the warehouse into the app database (patients.RiskResult), one ICP at a time.

Each person's row is replaced by their newest results; people no longer in the results (moved
away, died, opted out) lose their row. Worklist reviews are separate and survive every sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.db import transaction

from icp.audit.events import EventType
from icp.audit.log import record
from icp.partnership.models import Area, Organisation
from icp.patients.models import PatientIndex, RiskResult, RiskRun
from icp.stratify.explain import sentence

BATCH_SIZE = 2000


@dataclass(frozen=True)
class SyncSummary:
    icp: str
    run_id: str
    synced: int
    not_in_index: int


def sync_results(
    icp: Area, table: pa.Table, *, run_detail: dict[str, Any] | None = None, by: Any = None
) -> SyncSummary:
    """Replace the ICP's RiskResult rows with `table` (rows of one run, one ICP) and record the run.

    `run_detail` is the run's batch detail from the warehouse (index date, model and code list
    versions, engine, opt-outs left out).
    """
    detail = run_detail or {}
    run_id = table.column("batch_id")[0].as_py() if table.num_rows else str(detail.get("run_id", ""))
    patients = dict(PatientIndex.objects.filter(icp=icp).values_list("patient_id", "pk"))
    practices = dict(Organisation.objects.filter(type="gp_practice").values_list("code", "pk"))
    rows = []
    missing = 0
    for row in table.to_pylist():
        patient_pk = patients.get(row["patient_id"])
        if patient_pk is None:
            missing += 1
            continue
        rows.append(_model(row, patient_pk, icp, practices.get(row["practice_code"] or "")))
    with transaction.atomic():
        RiskResult.objects.filter(icp=icp).delete()
        RiskResult.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        if table.num_rows:
            RiskRun.objects.update_or_create(
                run_id=run_id,
                icp=icp,
                defaults={
                    "index_date": table.column("index_date")[0].as_py(),
                    "model_version": table.column("model_version")[0].as_py() or "",
                    "codelist_versions": detail.get("codelist_versions", {}),
                    "engine": detail.get("engine", "duckdb"),
                    "people": table.num_rows,
                    "planning_opt_outs_left_out": int(
                        detail.get("planning_opt_outs_by_icp", {}).get(icp.code, 0)
                    ),
                    "synthetic": bool(table.column("synthetic")[0].as_py()),
                },
            )
        record(
            action=EventType.RISK_SYNC,
            actor=by,
            target_type="area",
            target_id=icp.code,
            detail={"run_id": run_id, "synced": len(rows), "not_in_patient_index": missing},
        )
    return SyncSummary(icp.code, run_id, len(rows), missing)


def _model(row: dict[str, Any], patient_pk: int, icp: Area, practice_pk: int | None) -> RiskResult:
    registers = list(row["registers"] or [])
    return RiskResult(
        patient_id=patient_pk,
        icp=icp,
        practice_id=practice_pk,
        run_id=row["batch_id"],
        index_date=row["index_date"],
        model_version=row["model_version"] or "",
        age=row["age"],
        sex=row["sex"] or "",
        deprivation_quintile=row["deprivation_quintile"],
        efi_score=row["efi_score"],
        efi_deficits=row["efi_deficits"],
        efi_category=row["efi_category"],
        efi_in_range=row["efi_in_range"],
        efi_deficit_list=list(row["efi_deficit_list"] or []),
        hfrs_score=row["hfrs_score"],
        hfrs_category=row["hfrs_category"],
        hfrs_in_range=row["hfrs_in_range"],
        hfrs_codes=list(row["hfrs_codes"] or []),
        charlson_score=row["charlson_score"],
        charlson_quan2011=row["charlson_quan2011"],
        charlson_age_points=row["charlson_age_points"],
        charlson_categories=list(row["charlson_categories"] or []),
        registers=registers,
        registers_text="," + ",".join(registers) + "," if registers else "",
        medicines_12m=row["medicines_12m"],
        polypharmacy_review=row["polypharmacy_review"],
        housebound=row["housebound"],
        carer=row["carer"],
        cared_for=row["cared_for"],
        lives_alone=row["lives_alone"],
        falls_12m=row["falls_12m"],
        emergency_admissions_12m=row["emergency_admissions_12m"],
        ae_attendances_12m=row["ae_attendances_12m"],
        model_risk=row["model_risk"],
        risk_rank=row["risk_rank"],
        tier=row["tier"],
        risk_factors=list(row["risk_factors"] or []),
        reasons=sentence(row),
        synthetic=row["synthetic"],
    )
