"""Anyone's latest risk: the app database's row, or the person's row of the run's warehouse file.

The app database holds a row only for people in the listed tiers (ADR 0212); everyone else's
result stays in the warehouse, one Parquet file per ICP and run. `risk_of` is the one way a page,
an export or a pathway reads one person's risk; `unlisted` gives the people without a row to
those that must see everyone (emergency lists). Both are read after the access decision, by the
caller that made it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from icp.partnership.models import Area
from icp.patients.models import LISTED_TIERS, PatientIndex, RiskResult, RiskRun
from icp.patients.risk_sync import unsaved_result
from icp.records.schema import RISK_RESULT
from icp.records.warehouse import Warehouse
from icp.stratify.run import results_path


def risk_of(patient: PatientIndex, *, warehouse: Warehouse | None = None) -> RiskResult | None:
    """The person's latest risk (None when the ICP's latest run did not score them)."""
    result = RiskResult.objects.filter(patient=patient).select_related("run").first()
    if result is not None:
        return result
    run = RiskRun.objects.filter(icp_id=patient.icp_id).first()
    if run is None:
        return None
    path = results_path(warehouse or Warehouse(), run.icp.code, run.run_id)
    if not path.exists():
        return None
    # A filter on the person's id: Parquet's statistics skip what cannot hold them.
    row = pq.read_table(path, schema=RISK_RESULT, filters=pc.field("patient_id") == patient.patient_id)
    if row.num_rows != 1 or row.column("tier")[0].as_py() in LISTED_TIERS:
        # Listed, yet no row: the sync left them out (not in the index when it ran).
        return None
    return unsaved_result(patient, run, row)


def unlisted(icp: Area, columns: Sequence[str], *, warehouse: Warehouse | None = None) -> pa.Table:
    """`patient_id` and `columns` of the people the ICP's latest run scored but the app database
    holds no row for (the tiers not listed); empty when there is no run or its file is gone."""
    wanted = ["patient_id", *[name for name in columns if name != "patient_id"]]
    schema = pa.schema([RISK_RESULT.field(name) for name in wanted])
    run = RiskRun.objects.filter(icp=icp).first()
    if run is None:
        return schema.empty_table()
    path = results_path(warehouse or Warehouse(), icp.code, run.run_id)
    if not path.exists():
        return schema.empty_table()
    not_listed = ~pc.field("tier").isin(list(LISTED_TIERS))
    return pq.read_table(path, schema=RISK_RESULT, columns=wanted, filters=not_listed)
