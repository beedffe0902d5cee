"""Publishing the care app's work to the records warehouse, for evaluation.

`icp measure` and `icp evaluate` read only the warehouse (docs/evaluation.md). What they need from
the app (who is enrolled in which pathway and when, referrals between organisations with the dates
of their moves, and care plans) is written here as the warehouse tables `enrolment`, `referral` and
`care_plan` (records/schema.py), in one batch of kind `care` per publication, replacing the last
publication of the same ICPs. From then on those ICPs' care tables are read from the app's batch
and no longer from a synthetic history (`Warehouse.files`).

What is published is pseudonymous like every warehouse table: the warehouse's `patient_id`, codes,
dates and organisation codes; never a name, a reason, a note or an outcome in words. Rows that never
happened are left out: draft referrals, and anything entered in error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.pathways.models import Enrolment, LeaveReason
from icp.care.plans.models import Activity, ActivityStatus, CarePlan, PlanStatus
from icp.care.referrals.models import Referral
from icp.care.referrals.states import TaskStatus
from icp.partnership.models import Area
from icp.records.schema import CARE_PLAN, ENROLMENT, REFERRAL
from icp.records.warehouse import CARE_PUBLISHED, Warehouse

SOURCE = "icp care app"
# The end of life pathway's step whose completion is an advance care plan (pathways/definitions/
# end-of-life.yaml); `eol_with_acp` counts these as the synthetic history's `advance_care_plan` rows.
ADVANCE_CARE_PLAN_STEP = ("end-of-life", "advance-care-plan")
# The warehouse's end reasons (records/schema.py: completed, died, withdrew, moved), from the app's.
END_REASONS: dict[str, str] = {
    LeaveReason.GOALS_MET.value: "completed",
    LeaveReason.DECLINED.value: "withdrew",
    LeaveReason.MOVED_AWAY.value: "moved",
    LeaveReason.DIED.value: "died",
    LeaveReason.NO_LONGER_ELIGIBLE.value: "no_longer_eligible",
    LeaveReason.TRANSFERRED.value: "transferred",
}


class PublishError(ValueError):
    """The ICPs asked for cannot be published (unknown codes)."""


@dataclass(frozen=True)
class Published:
    batch_id: str
    areas: list[str]
    counts: dict[str, int]
    replaced: list[str]


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _table(schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.Table:
    names = [name for name in schema.names if name not in ("batch_id", "source")]
    columns = {name: [row.get(name) for row in rows] for name in names}
    return pa.Table.from_pydict(columns, schema=pa.schema([schema.field(name) for name in names]))


def enrolment_rows(area_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = (
        Enrolment.objects.filter(patient__icp_id__in=area_ids)
        .exclude(end_reason=LeaveReason.ENTERED_IN_ERROR)
        .values_list(
            "public_id",
            "patient__patient_id",
            "pathway",
            "patient__practice__code",
            "started_on",
            "ended_on",
            "end_reason",
            "patient__icp__code",
            "synthetic",
        )
        .order_by("id")
    )
    return [
        {
            "enrolment_id": public_id,
            "patient_id": patient_id,
            "pathway": pathway,
            "practice_code": practice or None,
            "enrolled_date": started,
            "ended_date": ended,
            "end_reason": END_REASONS.get(reason, reason) if reason else None,
            "icp": icp,
            "synthetic": synthetic,
        }
        for public_id, patient_id, pathway, practice, started, ended, reason, icp, synthetic in rows
    ]


def referral_rows(area_ids: Sequence[int]) -> list[dict[str, Any]]:
    # A referral made for a care plan's activity belongs to that plan's pathway.
    pathway_of = dict(
        Activity.objects.filter(referral__isnull=False, care_plan__enrolment__isnull=False).values_list(
            "referral_id", "care_plan__enrolment__pathway"
        )
    )
    referrals = (
        Referral.objects.filter(patient__icp_id__in=area_ids, requested_at__isnull=False)
        .exclude(status__in=[TaskStatus.DRAFT.value, TaskStatus.ENTERED_IN_ERROR.value])
        .select_related("patient__icp", "service", "requester_organisation", "owner_organisation")
        .order_by("id")
    )
    rows = []
    for referral in referrals:
        status = referral.status
        ended = _day(referral.ended_at)
        rows.append(
            {
                "referral_id": referral.public_id,
                "patient_id": referral.patient.patient_id,
                "pathway": pathway_of.get(referral.pk),
                "service_type": referral.service.type if referral.service else None,
                "from_organisation": referral.requester_organisation.code,
                "to_organisation": referral.owner_organisation.code,
                "priority": referral.priority,
                "status": status,
                "requested_date": _day(referral.requested_at),
                "accepted_date": _day(referral.accepted_at),
                "rejected_date": ended if status == TaskStatus.REJECTED.value else None,
                "completed_date": ended if status == TaskStatus.COMPLETED.value else None,
                "icp": referral.patient.icp.code,
                "synthetic": referral.synthetic,
            }
        )
    return rows


def care_plan_rows(area_ids: Sequence[int]) -> list[dict[str, Any]]:
    plans = (
        CarePlan.objects.filter(patient__icp_id__in=area_ids)
        .exclude(status=PlanStatus.ENTERED_IN_ERROR)
        .select_related("patient__icp", "enrolment")
        .order_by("id")
    )
    rows = [
        {
            "care_plan_id": plan.public_id,
            "patient_id": plan.patient.patient_id,
            "pathway": plan.enrolment.pathway if plan.enrolment else None,
            "category": "care_plan",
            "status": plan.status,
            "created_date": _day(plan.created_at),
            "review_date": plan.review_on,
            "ended_date": plan.ended_on,
            "icp": plan.patient.icp.code,
            "synthetic": plan.synthetic,
        }
        for plan in plans
    ]
    pathway, step = ADVANCE_CARE_PLAN_STEP
    advance = (
        Activity.objects.filter(
            care_plan__patient__icp_id__in=area_ids,
            care_plan__enrolment__pathway=pathway,
            step=step,
            status=ActivityStatus.COMPLETED,
            completed_on__isnull=False,
        )
        .exclude(care_plan__status=PlanStatus.ENTERED_IN_ERROR)
        .select_related("care_plan__patient__icp")
        .order_by("id")
    )
    # An advance care plan, once made, stands (until death, which ends the register too).
    rows += [
        {
            "care_plan_id": activity.public_id,
            "patient_id": activity.care_plan.patient.patient_id,
            "pathway": pathway,
            "category": "advance_care_plan",
            "status": "active",
            "created_date": activity.completed_on,
            "review_date": None,
            "ended_date": None,
            "icp": activity.care_plan.patient.icp.code,
            "synthetic": activity.care_plan.synthetic,
        }
        for activity in advance
    ]
    return rows


def care_tables(areas: Sequence[str]) -> dict[str, pa.Table]:
    """The three tables for the ICPs `areas`, as Arrow tables in the warehouse's schemas."""
    area_ids = _area_ids(areas)
    ids = list(area_ids.values())
    return {
        "enrolment": _table(ENROLMENT, enrolment_rows(ids)),
        "referral": _table(REFERRAL, referral_rows(ids)),
        "care_plan": _table(CARE_PLAN, care_plan_rows(ids)),
    }


def _area_ids(areas: Sequence[str]) -> dict[str, int]:
    codes = sorted(set(areas))
    if not codes:
        raise PublishError("Name at least one ICP to publish.")
    found = dict(Area.objects.filter(code__in=codes).values_list("code", "id"))
    missing = [code for code in codes if code not in found]
    if missing:
        raise PublishError(f"Unknown ICP code(s): {', '.join(missing)}; run `icp load-structure` first?")
    return found


def publish_care_tables(
    *, areas: Sequence[str], by: Any = None, warehouse: Warehouse | None = None
) -> Published:
    """Write the care tables of `areas` to the warehouse as one batch, replacing the last one.

    `by` is the acting user (None for the command line or a scheduled job). The batch covers every
    ICP asked for, even one with no rows yet: an empty table is the app's answer for that ICP.
    """
    warehouse = warehouse or Warehouse()
    codes = set(areas)
    batches = warehouse.manifest()["batches"]
    previous = []
    # A live publication that shares an ICP is replaced whole, so its other ICPs are published
    # again too: each ICP's care tables then come from exactly one batch.
    for batch_id in warehouse.find_batches(kind=CARE_PUBLISHED):
        covered = set(batches[batch_id].get("areas", []))
        if covered & codes:
            previous.append(batch_id)
            codes |= covered
    codes_sorted = sorted(codes)
    tables = care_tables(codes_sorted)
    with warehouse.batch(kind=CARE_PUBLISHED, source=SOURCE, replaces=previous) as batch:
        batch.cover(codes_sorted)
        for name, table in tables.items():
            batch.write(name, table)
        batch.detail = {"areas": codes_sorted}
    counts = {name: table.num_rows for name, table in tables.items()}
    record(
        action=EventType.RECORDS_PUBLISH_CARE,
        actor=by,
        target_type="records.batch",
        target_id=batch.batch_id,
        detail={"areas": codes_sorted, "rows": counts, "replaced": previous},
    )
    return Published(batch.batch_id, codes_sorted, counts, previous)
