"""Rows of a run's results (warehouse table risk_result), written out for page tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from icp.partnership.models import Area
from icp.patients.models import RiskResult, RiskRun
from icp.patients.risk_detail import FIELDS, RiskDetail
from icp.records.schema import RISK_RESULT

RUN_ID = "20251101T000000-stratify-test"


def result_row(patient_id: str, practice_code: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "patient_id": patient_id,
        "practice_code": practice_code,
        "index_date": dt.date(2025, 11, 1),
        "model_version": "ea-20231101-test",
        "age": 84,
        "sex": "female",
        "deprivation_quintile": 2,
        "planning_opt_out": False,
        "efi_score": 11 / 36,
        "efi_deficits": 11,
        "efi_category": "moderate",
        "efi_in_range": True,
        "efi_deficit_list": ["falls", "polypharmacy", "heart_failure", "diabetes"],
        "hfrs_score": 7.1,
        "hfrs_category": "intermediate",
        "hfrs_in_range": True,
        "hfrs_codes": ["F00"],
        "charlson_score": 3,
        "charlson_quan2011": 3,
        "charlson_age_points": 4,
        "charlson_categories": ["chf", "diab"],
        "registers": ["heart_failure", "diabetes"],
        "medicines_12m": 9,
        "polypharmacy_review": False,
        "housebound": True,
        "carer": False,
        "cared_for": False,
        "lives_alone": None,
        "falls_12m": True,
        "emergency_admissions_12m": 2,
        "ae_attendances_12m": 0,
        "model_risk": 0.41,
        "risk_rank": 1,
        "tier": "very_high",
        "risk_factors": ["emergency_admissions_12m=+0.80", "age=+0.30"],
        "icp": "NI-NOR-CA",
        "source": "icp stratify",
        "batch_id": RUN_ID,
        "synthetic": True,
    }
    row.update(changes)
    return row


def results_table(*rows: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=RISK_RESULT)


def app_values(row: dict[str, Any], icp: Area) -> dict[str, Any]:
    """The RiskResult fields a sync writes for `row` (but the person, ICP and practice keys), naming
    the ICP's RiskRun of the row's batch (recorded as a sync records it, once per batch and ICP)."""
    columns = {f.name for f in RiskResult._meta.concrete_fields} - {
        "id",
        "patient",
        "icp",
        "practice",
        "run",
        "detail",
    }
    values = {name: row[name] for name in columns if name in row}
    values["run"], _created = RiskRun.objects.get_or_create(
        run_id=row["batch_id"],
        icp=icp,
        defaults={
            "index_date": row["index_date"],
            "model_version": row["model_version"],
            "people": 1,
            "synthetic": row["synthetic"],
        },
    )
    values["registers_text"] = "," + ",".join(row["registers"]) + "," if row["registers"] else ""
    values["detail"] = RiskDetail(**{name: row[name] for name in FIELDS})
    return values
