"""An existing database upgrades across the move to `patients` with nothing lost.

The database is taken back to the migrations as they were before the move (the patient index and
risk in `care`, care teams, referrals and MDT lists in `sharing`), filled through the historical
models of that state, then upgraded the way `icp migrate` does it. Every row of every moved model
must still be there, unchanged, and each care record must have its `CareRelationship` rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from icp.care.models import CareTeamMember, MdtList, MdtListEntry, Referral, WorklistReview
from icp.patients.models import CareRelationship, PatientIndex, RelationshipKind, RiskResult, RiskRun
from icp.patients.risk_detail import FIELDS, RiskDetail
from icp.sharing.models import BreakGlass, PersonChoice

# The last migration of each app before the move.
BEFORE_THE_MOVE = [("care", "0002_risk_results"), ("sharing", "0001_initial"), ("patients", None)]

MOVED_TABLES = {
    PatientIndex: "care_patientindex",
    RiskResult: "care_riskresult",
    RiskRun: "care_riskrun",
    CareTeamMember: "sharing_careteammember",
    Referral: "sharing_referral",
    MdtList: "sharing_mdtlist",
    MdtListEntry: "sharing_mdtlistentry",
}


def _migrate_to(targets: list[tuple[str, str | None]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)  # type: ignore[arg-type]
    # The models as the database now stands: every applied migration, so apps left at their newest
    # (a later column on the user, say) are seen with it, not as the targets' dependencies had them.
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def _risk(patient: Any, icp: Any, practice: Any, rank: int) -> dict[str, Any]:
    return {
        "patient": patient,
        "icp": icp,
        "practice": practice,
        "run_id": "run-synthetic-1",
        "index_date": date(2026, 10, 1),
        "model_version": "test-model",
        "age": 80 + rank,
        "efi_score": 0.25,
        "efi_deficits": 9,
        "efi_category": "moderate",
        "efi_in_range": True,
        "hfrs_score": 5.5,
        "hfrs_category": "intermediate",
        "hfrs_in_range": True,
        "charlson_score": 3,
        "charlson_quan2011": 3,
        "charlson_age_points": 4,
        "model_risk": 0.3 / rank,
        "risk_rank": rank,
        "tier": "high",
        "registers": ["copd"],
        "registers_text": ",copd,",
        "reasons": "Synthetic reason",
        "synthetic": True,
    }


def _fill_before_the_move(old: Any) -> dict[str, Any]:
    """Rows of every moved model (and the models pointing at them), written as the old code would."""
    area = old.get_model("partnership", "Area")
    organisation = old.get_model("partnership", "Organisation")
    user_model = old.get_model("partnership", "User")
    icp = area.objects.get(code="NI-NOR-CA")
    practice_a, practice_b = list(organisation.objects.filter(icp=icp).order_by("code")[:2])
    trust = organisation.objects.create(code="MIG-TRUST", name="Migration Trust (synthetic)", type="trust")
    volunteers = organisation.objects.create(
        code="MIG-VOL", name="Migration Volunteers (synthetic)", type="voluntary_organisation"
    )
    nurse = user_model.objects.create(username="mig-nurse", role="trust_clinician", organisation=trust)
    gp = user_model.objects.create(username="mig-gp", role="gp", organisation=practice_a)

    patient_index = old.get_model("care", "PatientIndex")
    people = [
        patient_index.objects.create(
            patient_id=f"pt-mig-{n:04d}",
            national_id=f"32000000{n:02d}",
            given_name=f"Given{n}",
            family_name=f"Family{n}",
            sex="female",
            birth_date=date(1940 + n, 1, 1),
            practice=practice_a if n % 2 else practice_b,
            icp=icp,
            synthetic=True,
        )
        for n in range(1, 5)
    ]
    for rank, person in enumerate(people, start=1):
        old.get_model("care", "RiskResult").objects.create(**_risk(person, icp, person.practice, rank))
    old.get_model("care", "RiskRun").objects.create(
        run_id="run-synthetic-1",
        icp=icp,
        index_date=date(2026, 10, 1),
        model_version="test-model",
        people=4,
        synthetic=True,
    )
    old.get_model("care", "WorklistReview").objects.create(
        patient=people[0], status="reviewed", reviewed_by=gp, reviewed_at=timezone.now()
    )
    team = old.get_model("sharing", "CareTeamMember")
    team.objects.create(
        patient=people[0], organisation=trust, role="district nurse", start_date=date(2026, 1, 5)
    )
    team.objects.create(
        patient=people[1],
        organisation=trust,
        user=nurse,
        role="key worker",
        start_date=date(2026, 2, 1),
        end_date=date(2026, 3, 31),
    )
    referral = old.get_model("sharing", "Referral")
    referral.objects.create(
        patient=people[0],
        from_organisation=practice_a,
        to_organisation=volunteers,
        service="befriending",
        opened_on=date(2026, 4, 1),
    )
    referral.objects.create(
        patient=people[2],
        from_organisation=practice_a,
        to_organisation=volunteers,
        service="home adaptations",
        status="closed",
        opened_on=date(2026, 4, 1),
        closed_on=date(2026, 5, 2),
    )
    mdt = old.get_model("sharing", "MdtList").objects.create(name="Frailty MDT (synthetic)", icp=icp)
    mdt.members.set([trust, practice_a])
    entries = old.get_model("sharing", "MdtListEntry")
    entries.objects.create(mdt_list=mdt, patient=people[0], added_on=date(2026, 6, 1))
    entries.objects.create(
        mdt_list=mdt, patient=people[3], added_on=date(2026, 6, 1), removed_on=date(2026, 7, 1)
    )
    old.get_model("sharing", "PersonChoice").objects.create(
        patient=people[1],
        kind="planning_opt_out",
        value="opted_out",
        effective_date=date(2026, 1, 1),
        recorded_by=gp,
    )
    old.get_model("sharing", "BreakGlass").objects.create(
        user=nurse,
        patient=people[3],
        purpose="direct_care",
        reason="Synthetic emergency for the migration test",
        started_at=datetime(2026, 8, 1, 10, 0, tzinfo=timezone.get_current_timezone()),
        expires_at=datetime(2026, 8, 1, 14, 0, tzinfo=timezone.get_current_timezone()),
    )
    return {"trust": trust.pk, "volunteers": volunteers.pk, "practice_a": practice_a.pk, "nurse": nurse.pk}


def _snapshot(*, leave_out: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every moved model, read straight from its table."""
    snapshot = {}
    with connection.cursor() as cursor:
        for table in [*MOVED_TABLES.values(), "sharing_mdtlist_members"]:
            if table in leave_out:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
            # By column name: a later migration may rebuild a table (SQLite) with its columns in
            # another order, which keeps every value.
            names = [column[0] for column in cursor.description]
            snapshot[table] = [tuple(sorted(zip(names, row, strict=True))) for row in cursor.fetchall()]
    return snapshot


def test_a_database_filled_before_the_move_upgrades_with_every_row_kept(transactional_db: None) -> None:
    old = _migrate_to(BEFORE_THE_MOVE)
    ids = _fill_before_the_move(old)
    # Referrals are widened into the referral workflow on the way (care 0006): checked below.
    before = _snapshot(leave_out=("sharing_referral",))

    call_command("migrate", interactive=False, verbosity=0)  # what `icp migrate` runs

    # Later migrations may add columns (care 0008: the care coordinator): compare the columns the
    # rows had before the move. One column was dropped because it is derived from the others
    # (patients 0004: the risk explanation, docs/adr/0165-bulk-risk-sync.md), the risk's figures,
    # lists and flags moved into one column (patients 0008, checked below) and the sync time went
    # (the run has it), and the run's batch, index date and model became a key to the run
    # (patients 0009, checked below); every other is kept.
    after = _snapshot(leave_out=("sharing_referral",))
    dropped = {"care_riskresult": {"reasons", "synced_at", "run_id", "index_date", "model_version", *FIELDS}}

    def columns(table: str, rows: list[tuple[Any, ...]], names: set[str] | None) -> list[tuple[Any, ...]]:
        gone = dropped.get(table, set())
        kept = [[p for p in row if p[0] not in gone and (names is None or p[0] in names)] for row in rows]
        return [tuple(row) for row in kept]

    def as_before(table: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return columns(table, rows, {name for name, _value in before[table][0]} if before[table] else None)

    assert {table: as_before(table, rows) for table, rows in after.items()} == {
        table: columns(table, rows, None) for table, rows in before.items()
    }
    assert "reasons" not in {name for name, _value in after["care_riskresult"][0]}
    upgraded = Referral.objects.order_by("pk")
    assert [
        (r.patient.patient_id, r.requester_organisation_id, r.owner_organisation_id, r.service_name, r.status)
        for r in upgraded
    ] == [
        ("pt-mig-0001", ids["practice_a"], ids["volunteers"], "befriending", "accepted"),
        ("pt-mig-0003", ids["practice_a"], ids["volunteers"], "home adaptations", "completed"),
    ]
    assert [(r.requested_at.date(), r.ended_at.date() if r.ended_at else None) for r in upgraded] == [  # type: ignore[union-attr]
        (date(2026, 4, 1), None),
        (date(2026, 4, 1), date(2026, 5, 2)),
    ]
    assert len({r.public_id for r in upgraded}) == 2
    counts = {model.__name__: model.objects.count() for model in MOVED_TABLES}
    assert counts == {
        "PatientIndex": 4,
        "RiskResult": 4,
        "RiskRun": 1,
        "CareTeamMember": 2,
        "Referral": 2,
        "MdtList": 1,
        "MdtListEntry": 2,
    }
    first = PatientIndex.objects.get(patient_id="pt-mig-0001")
    assert first.risk.risk_rank == 1 and first.worklist_reviews.count() == 1
    # Every row names the run it came from (patients 0009).
    run = RiskRun.objects.get()
    assert {r.run_id for r in RiskResult.objects.all()} == {run.pk}
    assert (run.run_id, run.index_date, run.model_version) == (
        "run-synthetic-1",
        date(2026, 10, 1),
        "test-model",
    )
    # Each row's figures, lists and flags are in its detail, unchanged (patients 0008).
    old_risk = {name: value for name, value in before["care_riskresult"][0]}
    assert first.risk.detail == RiskDetail(
        efi_score=0.25,
        efi_deficits=9,
        efi_in_range=True,
        hfrs_score=5.5,
        hfrs_in_range=True,
        charlson_score=3,
        charlson_quan2011=3,
        charlson_age_points=4,
        registers=["copd"],
        lives_alone=old_risk["lives_alone"],
    )
    assert PersonChoice.objects.get().patient.patient_id == "pt-mig-0002"
    # A choice made before Consent ids were opaque has one now (sharing 0004).
    assert len(PersonChoice.objects.get().public_id) == 20
    assert BreakGlass.objects.get().patient.patient_id == "pt-mig-0004"
    assert WorklistReview.objects.get().patient == first

    def rows(kind: str) -> list[tuple[Any, ...]]:
        return list(
            CareRelationship.objects.filter(kind=kind)
            .order_by("patient__patient_id", "organisation_id")
            .values_list("patient__patient_id", "organisation_id", "user_id", "label", "starts", "ends")
        )

    assert rows(RelationshipKind.CARE_TEAM) == [
        ("pt-mig-0001", ids["trust"], None, "district nurse", date(2026, 1, 5), None),
        # The last day in the team was 31 March: the relationship ends (no longer holds) on 1 April.
        ("pt-mig-0002", ids["trust"], ids["nurse"], "key worker", date(2026, 2, 1), date(2026, 4, 1)),
    ]
    assert rows(RelationshipKind.REFERRAL) == [
        ("pt-mig-0001", ids["volunteers"], None, "befriending", date(2026, 4, 1), None),
        ("pt-mig-0003", ids["volunteers"], None, "home adaptations", date(2026, 4, 1), date(2026, 5, 2)),
    ]
    assert sorted(rows(RelationshipKind.MDT_LIST)) == sorted(
        [
            ("pt-mig-0001", ids["trust"], None, "Frailty MDT (synthetic)", date(2026, 6, 1), None),
            ("pt-mig-0001", ids["practice_a"], None, "Frailty MDT (synthetic)", date(2026, 6, 1), None),
            (
                "pt-mig-0004",
                ids["trust"],
                None,
                "Frailty MDT (synthetic)",
                date(2026, 6, 1),
                date(2026, 7, 1),
            ),
            (
                "pt-mig-0004",
                ids["practice_a"],
                None,
                "Frailty MDT (synthetic)",
                date(2026, 6, 1),
                date(2026, 7, 1),
            ),
        ]
    )
    # Each row names the record it came from, and the registered practice is not copied.
    for relationship in CareRelationship.objects.all():
        model = {
            "care.careteammember": CareTeamMember,
            "care.referral": Referral,
            "care.mdtlistentry": MdtListEntry,
        }[relationship.source_type]
        source = model.objects.get(pk=int(relationship.source_id))
        assert source.patient_id == relationship.patient_id  # type: ignore[attr-defined]
    assert not CareRelationship.objects.filter(kind=RelationshipKind.REGISTERED_PRACTICE).exists()
    assert CareRelationship.objects.count() == 8


def test_the_move_can_be_undone_and_redone_without_loss(transactional_db: None) -> None:
    """Going back to before the move and forward again keeps the rows and makes no duplicate relationship."""
    call_command("migrate", interactive=False, verbosity=0)
    old = _migrate_to(BEFORE_THE_MOVE)
    _fill_before_the_move(old)
    call_command("migrate", interactive=False, verbosity=0)
    made = CareRelationship.objects.count()
    before = _snapshot()
    _migrate_to(BEFORE_THE_MOVE)
    call_command("migrate", interactive=False, verbosity=0)
    assert _snapshot() == before
    assert CareRelationship.objects.count() == made == 8
