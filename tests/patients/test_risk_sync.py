"""A run's results replace the ICP's latest risk rows (the listed tiers only) and its population
counts (everyone); the run is recorded; the unindexed counted; a sync as large as the table builds
the table's indexes afresh, the same ones, instead of updating them."""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.db import IntegrityError, connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from icp.audit.models import AuditEvent
from icp.patients import risk_bulk
from icp.patients.models import RiskCount, RiskResult, RiskRun
from icp.patients.risk_detail import FIELDS, RiskDetail
from icp.patients.risk_sync import replacing, sync_results
from tests.care.risk_rows import RUN_ID, result_row, results_table
from tests.sharing.conftest import World


def test_a_new_run_replaces_the_rows_and_a_person_left_out_loses_theirs(world: World) -> None:
    practice_a, practice_b = world.orgs["practice_a"].code, world.orgs["practice_b"].code
    first = sync_results(
        world.icp,
        results_table(
            result_row("pt-alice-0001", practice_a),
            result_row("pt-bob-0002", practice_b, risk_rank=2, tier="high"),
            result_row("pt-not-in-index", practice_a, risk_rank=3),
        ),
        run_detail={"planning_opt_outs_by_icp": {"NI-NOR-CA": 2}, "engine": "duckdb"},
    )
    assert (first.icp, first.run_id, first.synced, first.not_in_index) == ("NI-NOR-CA", RUN_ID, 2, 1)
    assert RiskResult.objects.get(patient__patient_id="pt-bob-0002").practice == world.orgs["practice_b"]
    run = RiskRun.objects.get(icp=world.icp)
    assert (run.people, run.planning_opt_outs_left_out, run.engine) == (3, 2, "duckdb")
    # Each row names its run; the run holds the batch, index date and model once (ADR 0210).
    assert set(RiskResult.objects.values_list("run", flat=True)) == {run.pk}
    assert (run.run_id, run.model_version) == (RUN_ID, "ea-20231101-test")

    second = sync_results(world.icp, results_table(result_row("pt-alice-0001", practice_a, risk_rank=2)))
    assert (second.synced, second.not_in_index) == (1, 0)
    assert list(RiskResult.objects.values_list("patient__patient_id", "risk_rank")) == [("pt-alice-0001", 2)]
    assert RiskRun.objects.filter(icp=world.icp).count() == 1  # the same run id updates its row
    assert AuditEvent.objects.filter(action="risk.sync").count() == 2


def test_the_low_tier_is_counted_not_listed(world: World) -> None:
    """Rows only for the tiers a list shows; the population counts everyone in the index (ADR 0212)."""
    practice_a, practice_b = world.orgs["practice_a"], world.orgs["practice_b"]
    summary = sync_results(
        world.icp,
        results_table(
            result_row("pt-alice-0001", practice_a.code, tier="moderate", age=84),
            result_row("pt-bob-0002", practice_b.code, risk_rank=2, tier="low", age=45, efi_category="fit"),
            result_row("pt-not-in-index", practice_a.code, risk_rank=3, tier="low"),
        ),
    )
    assert (summary.synced, summary.listed, summary.not_in_index) == (2, 1, 1)
    assert list(RiskResult.objects.values_list("patient__patient_id", flat=True)) == ["pt-alice-0001"]
    cells = RiskCount.objects.filter(icp=world.icp).values_list(
        "practice", "age_band", "deprivation_quintile", "tier", "frail", "synthetic", "people"
    )
    assert sorted(cells) == [
        (practice_a.pk, "75-84", 2, "moderate", True, True, 1),
        (practice_b.pk, "45-64", 2, "low", False, True, 1),
    ]
    # A person leaves the listed tiers: their row goes, and the counts are the new run's alone.
    sync_results(world.icp, results_table(result_row("pt-alice-0001", practice_a.code, tier="low", age=17)))
    assert not RiskResult.objects.exists()
    assert list(RiskCount.objects.values_list("age_band", "tier", "people")) == [("0-17", "low", 1)]


def test_results_of_another_icp_are_left_alone(world: World) -> None:
    sync_results(world.icp, results_table(result_row("pt-alice-0001", world.orgs["practice_a"].code)))
    sync_results(
        world.other_icp,
        results_table(result_row("pt-carol-0003", world.orgs["other_practice"].code)),
    )
    assert sorted(RiskResult.objects.values_list("patient__patient_id", flat=True)) == [
        "pt-alice-0001",
        "pt-carol-0003",
    ]


def test_lists_flags_and_text_arrive_as_the_run_wrote_them(world: World) -> None:
    """The bulk path writes JSON lists, register text, NULLs and blanks exactly (SQLite and PostgreSQL)."""
    practice_a = world.orgs["practice_a"].code
    sync_results(
        world.icp,
        results_table(
            result_row("pt-alice-0001", practice_a),
            result_row(
                "pt-bob-0002",
                "NOT-A-PRACTICE",
                risk_rank=2,
                tier="moderate",
                sex=None,
                registers=[],
                hfrs_codes=None,
                lives_alone=True,
                model_risk=None,
                # A value that needs JSON escaping takes the careful path and still round-trips.
                risk_factors=['say "why"\\now'],
            ),
        ),
    )
    alice = RiskResult.objects.get(patient__patient_id="pt-alice-0001")
    # Every figure, list and flag as the run wrote it, floats to the last digit (Arrow writes the
    # detail's JSON for all rows at once; RiskDetail reads it back).
    row = result_row("pt-alice-0001", practice_a)
    assert alice.detail == RiskDetail(**{name: row[name] for name in FIELDS})
    assert alice.detail.efi_score == 11 / 36
    assert alice.registers_text == ",heart_failure,diabetes,"
    assert (alice.detail.lives_alone, alice.detail.housebound, alice.model_risk) == (None, True, 0.41)
    assert alice.run.index_date.isoformat() == "2025-11-01"
    bob = RiskResult.objects.get(patient__patient_id="pt-bob-0002")
    assert (bob.sex, bob.detail.registers, bob.registers_text, bob.detail.hfrs_codes) == ("", [], "", [])
    assert (bob.practice, bob.detail.lives_alone, bob.model_risk) == (None, True, None)
    assert bob.detail.risk_factors == ['say "why"\\now']
    assert RiskResult.objects.filter(registers_text__contains=",diabetes,").count() == 1


def _indexes() -> dict[str, tuple[tuple[str, ...], bool]]:
    """RiskResult's indexes as the database reports them: name -> (columns, unique)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, RiskResult._meta.db_table)
    return {name: (tuple(c["columns"]), c["unique"]) for name, c in found.items() if c["index"]}


def test_the_table_keeps_only_the_indexes_its_queries_use_and_no_checks_per_row(db: None) -> None:
    """Every secondary index is rebuilt by each national sync, and every CHECK evaluated for each of
    its rows (ADR 0202): the person's key, and the worklist's and the ICP's lookups, nothing else."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, RiskResult._meta.db_table)
    indexed = {
        tuple(c["columns"]) for c in found.values() if (c["index"] or c["unique"]) and not c["primary_key"]
    }
    assert indexed == {("patient_id",), ("practice_id", "risk_rank"), ("icp_id", "tier")}
    # JSON columns keep their validity check (Django's own); no column has a ">= 0" check.
    checked = {column for c in found.values() if c["check"] for column in c["columns"]}
    assert not checked & {"age", "risk_rank", "efi_deficits", "charlson_score", "medicines_12m"}


def test_a_large_sync_sets_the_indexes_aside_and_builds_the_same_ones_again(world: World) -> None:
    practice_a, other = world.orgs["practice_a"].code, world.orgs["other_practice"].code
    sync_results(world.icp, results_table(result_row("pt-alice-0001", practice_a)))
    sync_results(world.other_icp, results_table(result_row("pt-carol-0003", other)))
    before = _indexes()
    assert any(columns == ("icp_id", "tier") for columns, _unique in before.values())

    with replacing([world.icp], rows=1, set_aside=True) as cleared:
        assert cleared
        # The ICP's rows are gone at once, another ICP's stay; the secondary indexes are set aside.
        assert list(RiskResult.objects.values_list("patient__patient_id", flat=True)) == ["pt-carol-0003"]
        assert len(_indexes()) < len(before)
        summary = sync_results(
            world.icp,
            results_table(
                result_row("pt-bob-0002", world.orgs["practice_b"].code, tier="high"),
                result_row("pt-alice-0001", practice_a, risk_rank=2),
            ),
            cleared=True,
        )

    assert summary.synced == 2
    assert _indexes() == before
    assert sorted(RiskResult.objects.values_list("patient__patient_id", "icp__code", "tier")) == [
        ("pt-alice-0001", "NI-NOR-CA", "very_high"),
        ("pt-bob-0002", "NI-NOR-CA", "high"),
        ("pt-carol-0003", world.other_icp.code, "very_high"),
    ]
    assert RiskResult.objects.filter(icp=world.icp, tier="high").count() == 1  # served by (icp, tier)


def test_a_small_sync_into_a_larger_table_keeps_its_indexes(world: World) -> None:
    sync_results(world.icp, results_table(result_row("pt-alice-0001", world.orgs["practice_a"].code)))
    before = _indexes()
    with replacing([world.icp], rows=1) as cleared:
        assert not cleared
        assert _indexes() == before
        assert RiskResult.objects.count() == 1


def test_a_failed_sync_leaves_the_rows_and_indexes_as_they_were(world: World) -> None:
    sync_results(world.icp, results_table(result_row("pt-alice-0001", world.orgs["practice_a"].code)))
    before = _indexes()
    with pytest.raises(RuntimeError), replacing([world.icp], rows=1, set_aside=True):
        raise RuntimeError("the warehouse could not be read")
    assert _indexes() == before
    assert list(RiskResult.objects.values_list("patient__patient_id", flat=True)) == ["pt-alice-0001"]


def test_a_sync_replacing_the_whole_table_keeps_its_foreign_keys(world: World) -> None:
    """The table emptied in one statement and, on PostgreSQL, its keys set aside and checked again."""
    sync_results(world.icp, results_table(result_row("pt-alice-0001", world.orgs["practice_a"].code)))
    keys = _foreign_keys()
    assert len(keys) == 4  # the ICP, the person, the practice and the run
    with replacing([world.icp], rows=1, set_aside=True) as cleared:
        assert cleared and RiskResult.objects.count() == 0
        sync_results(
            world.icp,
            results_table(result_row("pt-bob-0002", world.orgs["practice_b"].code)),
            cleared=True,
        )
    assert _foreign_keys() == keys
    assert list(RiskResult.objects.values_list("patient__patient_id", flat=True)) == ["pt-bob-0002"]


def test_a_row_naming_a_missing_person_fails_the_whole_sync(transactional_db: None, world: World) -> None:
    """Keys set aside are checked before the sync commits (PostgreSQL: added again; SQLite: one
    pass over the table): a dangling row undoes everything, and SQLite enforces its keys again."""
    practice_a = world.orgs["practice_a"].code
    sync_results(world.icp, results_table(result_row("pt-alice-0001", practice_a)))
    with pytest.raises(IntegrityError), replacing([world.icp], rows=1, set_aside=True):
        sync_results(world.icp, results_table(result_row("pt-bob-0002", practice_a)), cleared=True)
        RiskResult.objects.update(patient_id=999_999_999)  # no such person in the index
    assert list(RiskResult.objects.values_list("patient__patient_id", flat=True)) == ["pt-alice-0001"]
    if connection.vendor == "sqlite":
        assert _sqlite_enforces_keys()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL drops and adds its keys instead")
def test_a_large_sqlite_sync_checks_its_keys_once_at_the_end_not_row_by_row(
    transactional_db: None, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADR 0207: outside any transaction a large sync's rows go in without a key lookup each (and
    the table empties by SQLite's truncate); afterwards the connection enforces keys again."""
    practice_a = world.orgs["practice_a"].code
    sync_results(world.icp, results_table(result_row("pt-alice-0001", practice_a)))
    enforced_while_inserting = []
    insert = risk_bulk.insert

    def watched(rows: pa.Table, model: type[Model] = RiskResult) -> None:
        if model is RiskResult:  # (the population counts go in the same way, watched or not)
            enforced_while_inserting.append(_sqlite_enforces_keys())
        insert(rows, model)

    monkeypatch.setattr(risk_bulk, "insert", watched)
    with replacing([world.icp], rows=1, set_aside=True) as cleared:
        assert cleared and RiskResult.objects.count() == 0
        sync_results(world.icp, results_table(result_row("pt-bob-0002", practice_a)), cleared=True)
    # A small sync (its indexes kept) keeps enforcing them.
    other_practice = world.orgs["other_practice"].code
    sync_results(world.other_icp, results_table(result_row("pt-carol-0003", other_practice)))

    assert enforced_while_inserting == [False, True]
    assert _sqlite_enforces_keys()
    assert sorted(RiskResult.objects.values_list("patient__patient_id", flat=True)) == [
        "pt-bob-0002",
        "pt-carol-0003",
    ]


def _sqlite_enforces_keys() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        return bool(cursor.fetchone()[0])


def _foreign_keys() -> set[tuple[str, str]]:
    table = RiskResult._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {(c["columns"][0], c["foreign_key"][0]) for c in constraints.values() if c["foreign_key"]}


def test_a_sync_leaves_no_person_s_values_in_the_queries_a_debug_cursor_records(world: World) -> None:
    """No patient data in logs: a debug cursor (DEBUG, or a test capturing queries) records the
    statements and how many rows went, never the rows' values (their registers, say)."""
    rows = [result_row("pt-alice-0001", world.orgs["practice_a"].code)]
    with CaptureQueriesContext(connection) as queries:
        sync_results(world.icp, results_table(*rows))
    assert RiskResult.objects.get().registers_text == ",heart_failure,diabetes,"
    assert queries.captured_queries
    assert not [q["sql"] for q in queries.captured_queries if "heart_failure" in q["sql"]]
