"""The care app publishes its enrolments, referrals (with the dates of their moves) and care plans to
the warehouse, and `icp measure` and `icp evaluate` then read the app's rows for that ICP instead of
a synthetic history (which other ICPs still use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care.pathways.actions import enrol
from icp.care.plans.actions import create_care_plan, review_care_plan, update_activity
from icp.care.plans.models import ActivityStatus, PlanStatus
from icp.care.publish import PublishError, publish_care_tables
from icp.care.referrals.actions import create_referral, move_referral
from icp.care.referrals.models import Referral, Service
from icp.care.referrals.states import TaskStatus
from icp.measure.indicators.cells import Months
from icp.measure.indicators.definition import indicator
from icp.measure.indicators.run import measure
from icp.patients.models import RiskResult
from icp.records.engine import open_tables
from icp.records.warehouse import Warehouse
from tests.care.pathways.conftest import risk_for
from tests.care.referrals.conftest import service
from tests.sharing.conftest import World

__all__ = ["risk_for", "service"]

AREA, OTHER = "NI-NOR-CA", "NI-BEL-E"


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))


def _synthetic_history(warehouse: Warehouse) -> None:
    """What `icp synth` writes for the care tables: one long referral in each of two ICPs."""
    rows = {
        "referral_id": ["S-R-1", "S-R-2"],
        "patient_id": ["pt-alice-0001", "pt-carol-0003"],
        "status": ["completed", "completed"],
        "requested_date": [dt.date(2026, 4, 1)] * 2,
        "accepted_date": [dt.date(2026, 5, 1)] * 2,
        "completed_date": [dt.date(2026, 6, 1)] * 2,
        "icp": [AREA, OTHER],
        "synthetic": [True, True],
    }
    with warehouse.batch(kind="synth", source="icp synth seed=1") as batch:
        batch.write("referral", pa.table(rows))


@pytest.fixture
def care_work(
    shared_world: World, risk_for: Callable[..., RiskResult], service: Service
) -> dict[str, object]:
    """Alice enrolled in end of life care with a plan and an advance care plan made, and referrals
    in several states; one of them in error and one a draft, which never happened."""
    w = shared_world
    alice, gp = w.patients["alice"], w.users["gp"]
    risk_for(alice)
    enrolment = enrol(patient=alice, pathway_id="end-of-life", reason="On the register (synthetic)", by=gp)
    plan = create_care_plan(patient=alice, by=gp, enrolment=enrolment)
    advance = plan.activities.get(step="advance-care-plan")
    update_activity(activity=advance, status=ActivityStatus.COMPLETED, by=gp)

    def referral(
        status: str, requested: dt.date, accepted: dt.date | None, ended: dt.date | None
    ) -> Referral:
        made = create_referral(patient=alice, service=service, reason="Lonely (synthetic)", by=gp)
        # Test set-up only: the moves' times, as if they had happened on these days.
        Referral.objects.filter(pk=made.pk).update(
            status=status,
            requested_at=_at(requested),
            accepted_at=_at(accepted) if accepted else None,
            ended_at=_at(ended) if ended else None,
        )
        made.refresh_from_db()
        return made

    done = referral(TaskStatus.COMPLETED, dt.date(2026, 5, 3), dt.date(2026, 5, 8), dt.date(2026, 5, 20))
    accepted = referral(TaskStatus.ACCEPTED, dt.date(2026, 5, 10), dt.date(2026, 5, 12), None)
    rejected = referral(TaskStatus.REJECTED, dt.date(2026, 5, 11), None, dt.date(2026, 5, 13))
    error = create_referral(patient=alice, service=service, reason="Wrong person (synthetic)", by=gp)
    move_referral(referral=error, to_status=TaskStatus.ENTERED_IN_ERROR, by=gp)
    draft = create_referral(
        patient=alice, service=service, reason="Not sent (synthetic)", by=gp, submit=False
    )
    return {
        "enrolment": enrolment,
        "plan": plan,
        "advance": advance,
        "done": done,
        "accepted": accepted,
        "rejected": rejected,
        "error": error,
        "draft": draft,
    }


def test_published_tables_hold_what_happened_in_the_warehouse_schema(
    shared_world: World, care_work: dict[str, object], tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    published = publish_care_tables(areas=[AREA], warehouse=warehouse)

    assert published.areas == [AREA] and published.replaced == []
    enrolments = warehouse.read_arrow("enrolment", [AREA]).to_pylist()
    assert [(row["patient_id"], row["pathway"], row["ended_date"]) for row in enrolments] == [
        ("pt-alice-0001", "end-of-life", None)
    ]
    referrals = {row["referral_id"]: row for row in warehouse.read_arrow("referral", [AREA]).to_pylist()}
    done, rejected = care_work["done"], care_work["rejected"]
    assert isinstance(done, Referral) and isinstance(rejected, Referral)
    assert set(referrals) == {done.public_id, care_work["accepted"].public_id, rejected.public_id}  # type: ignore[attr-defined]
    row = referrals[done.public_id]
    assert (row["requested_date"], row["accepted_date"], row["completed_date"], row["rejected_date"]) == (
        dt.date(2026, 5, 3),
        dt.date(2026, 5, 8),
        dt.date(2026, 5, 20),
        None,
    )
    assert row["from_organisation"] == shared_world.orgs["practice_a"].code
    assert row["to_organisation"] == "T-VOL" and row["service_type"] == "voluntary_support"
    assert referrals[rejected.public_id]["rejected_date"] == dt.date(2026, 5, 13)
    plans = warehouse.read_arrow("care_plan", [AREA]).to_pylist()
    assert sorted(row["category"] for row in plans) == ["advance_care_plan", "care_plan"]
    assert {row["batch_id"] for row in plans} == {published.batch_id}
    assert {row["synthetic"] for row in plans} == {care_work["plan"].synthetic}  # type: ignore[attr-defined]
    # Pseudonymous: no column of any published table carries a reason, note or outcome in words.
    for table in ("enrolment", "referral", "care_plan"):
        names = set(warehouse.read_arrow(table).column_names)
        assert not names & {"reason", "note", "output", "status_reason", "given_name", "family_name"}
    event = AuditEvent.objects.get(action="records.publish_care")
    assert event.detail["rows"] == {"enrolment": 1, "referral": 3, "care_plan": 2}


def test_an_ended_plan_is_published_with_its_end_date(care_work: dict[str, object], tmp_path: Path) -> None:
    plan, gp = care_work["plan"], care_work["enrolment"].enrolled_by  # type: ignore[attr-defined]
    review_care_plan(care_plan=plan, next_review_on=timezone.localdate(), by=gp, status=PlanStatus.COMPLETED)  # type: ignore[arg-type]
    warehouse = Warehouse(tmp_path / "warehouse")
    publish_care_tables(areas=[AREA], warehouse=warehouse)
    rows = [r for r in warehouse.read_arrow("care_plan").to_pylist() if r["category"] == "care_plan"]
    assert [(r["status"], r["ended_date"]) for r in rows] == [("completed", timezone.localdate())]


def test_the_apps_tables_replace_the_synthetic_history_of_that_icp_only(
    care_work: dict[str, object], tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    _synthetic_history(warehouse)
    assert {row["referral_id"] for row in warehouse.read_arrow("referral").to_pylist()} == {"S-R-1", "S-R-2"}

    publish_care_tables(areas=[AREA], warehouse=warehouse)

    assert warehouse.published_care_areas() == {AREA}
    ids: dict[str, set[str]] = {}
    for row in warehouse.read_arrow("referral").to_pylist():
        ids.setdefault(row["icp"], set()).add(row["referral_id"])
    assert "S-R-1" not in ids[AREA] and len(ids[AREA]) == 3
    assert ids[OTHER] == {"S-R-2"}  # not published: its synthetic history is still read
    opened = open_tables(warehouse, areas=[AREA], tables=["referral", "enrolment"])
    assert opened["referral"].count().execute() == 3
    assert opened["enrolment"].count().execute() == 1


def test_publishing_again_replaces_the_last_publication(care_work: dict[str, object], tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    first = publish_care_tables(areas=[AREA, OTHER], warehouse=warehouse)
    second = publish_care_tables(areas=[AREA], warehouse=warehouse)

    # The first covered both ICPs, so the second publishes both again: one batch per ICP, always.
    assert second.replaced == [first.batch_id] and second.areas == sorted([AREA, OTHER])
    assert warehouse.read_arrow("referral", [AREA]).num_rows == 3
    assert warehouse.published_care_areas() == {AREA, OTHER}
    # An ICP with nothing recorded yet is still the app's: its tables are empty, not synthetic.
    assert warehouse.read_arrow("referral", [OTHER]).num_rows == 0


def test_an_unknown_icp_is_refused_by_name(db: None, tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="NI-NOWHERE"):
        publish_care_tables(areas=["NI-NOWHERE"], warehouse=Warehouse(tmp_path))


def test_measure_reads_the_published_referrals(
    shared_world: World, care_work: dict[str, object], tmp_path: Path
) -> None:
    alice, bob = shared_world.patients["alice"], shared_world.patients["bob"]
    warehouse = Warehouse(tmp_path / "warehouse")
    _synthetic_history(warehouse)
    people = {
        "patient_id": ["pt-alice-0001", "pt-bob-0002"],
        "sex": ["female", "male"],
        "birth_date": [dt.date(1941, 3, 2), dt.date(1950, 7, 9)],
        "practice_code": [alice.practice.code, bob.practice.code],  # type: ignore[union-attr]
        "registered": [True, True],
        "deprivation_quintile": pa.array([2, 4], pa.int8()),
        "icp": [AREA, AREA],
        "synthetic": [True, True],
    }
    with warehouse.batch(kind="test", source="publish tests") as batch:
        batch.write("patient", pa.table(people))
    publish_care_tables(areas=[AREA], warehouse=warehouse)

    months = Months(dt.date(2026, 5, 1), dt.date(2026, 5, 1))
    chosen = [indicator("referral_days_to_accept"), indicator("referral_days_to_complete")]
    # This warehouse holds no admission, attendance or observation to say how far the records run:
    # say they cover May whole, or the month is left out as one the records may count short.
    cells = measure(
        open_tables(warehouse, areas=[AREA]), months, chosen=chosen, data_end=dt.date(2026, 5, 31)
    ).cells
    accept = cells["referral_days_to_accept"]
    # Accepted in May: 3 → 8 May (5 days) and 10 → 12 May (2 days); the synthetic 30 days are gone.
    assert (accept["denominator"].sum(), accept["numerator"].sum()) == (2, 7)
    complete = cells["referral_days_to_complete"]
    assert (complete["denominator"].sum(), complete["numerator"].sum()) == (1, 17)
