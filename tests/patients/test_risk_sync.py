"""A run's results replace the ICP's latest risk rows; the run is recorded; the unindexed counted."""

from __future__ import annotations

from icp.audit.models import AuditEvent
from icp.patients.models import RiskResult, RiskRun
from icp.patients.risk_sync import sync_results
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

    second = sync_results(world.icp, results_table(result_row("pt-alice-0001", practice_a, tier="low")))
    assert (second.synced, second.not_in_index) == (1, 0)
    assert list(RiskResult.objects.values_list("patient__patient_id", "tier")) == [("pt-alice-0001", "low")]
    assert RiskRun.objects.filter(icp=world.icp).count() == 1  # the same run id updates its row
    assert AuditEvent.objects.filter(action="risk.sync").count() == 2


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
