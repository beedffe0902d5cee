"""The four years' shape: winter seasonality, the falls pathway and its injected effect, the care
history (enrolments, referrals, care plans), death registrations and amputations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from icp.records.synth.codes import FALLS_CAUSES, FALLS_INJURIES
from icp.records.synth.history import MONTHS, month_starts, seasonal_days, simulate_falls
from icp.records.synth.morbidity import calibrate, draw_deficits, draw_registers
from icp.records.synth.outcomes import draw_medicines, efi_counts
from icp.records.synth.population import EXTRACT_DAY, NEVER, START_DAY, make_cohort
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse

AREA = "NI-NOR-CA"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = Path(tmp_path_factory.mktemp("history")) / "warehouse"
    warehouse = Warehouse(folder)
    synthesise(warehouse, area=AREA, seed=5, people=20_000)
    yield warehouse


def _falls_inputs(people: int, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    calibration = calibrate()
    cohort = make_cohort(AREA, 0, people, rng)
    registers = draw_registers(cohort, rng, calibration.register_intercepts)
    deficits = draw_deficits(cohort, rng, calibration.deficit_intercepts, registers)
    efi = efi_counts(registers, deficits, draw_medicines(cohort, rng, registers)) / 36
    return cohort, efi, deficits["falls"]


def test_winter_days_outnumber_summer_days() -> None:
    days = seasonal_days(np.random.default_rng(1), 200_000, 0, 0.15)
    month = (days - START_DAY) * 12 // 365  # 0 = April
    winter = np.isin(month, [8, 9, 10]).sum()  # December to February
    summer = np.isin(month, [2, 3, 4]).sum()  # June to August
    assert winter > 1.2 * summer


def test_months_run_from_april_2022_to_march_2026() -> None:
    starts = month_starts()
    assert starts.size == MONTHS + 1
    assert starts[0] == START_DAY and starts[-1] == EXTRACT_DAY + 1


def test_over_a_thousand_enrol_in_the_falls_pathway_in_an_icp_of_100000() -> None:
    cohort, efi, falls = _falls_inputs(100_000, 3)
    death = np.full(cohort.size, NEVER, dtype=np.int32)
    history = simulate_falls(cohort, np.random.default_rng(4), efi, falls, death, 0.2)
    assert history.enrolled_person.size >= 1000
    ages = (history.enrolled_day - cohort.birth_day[history.enrolled_person]) / 365.25
    assert ages.min() >= 65 - 1 / 12  # 65 at the start of the month they enrolled in
    # Enrolment follows frailty: the enrolled are frailer than other people 65+.
    older = cohort.age_on(START_DAY) >= 65
    enrolled = np.zeros(cohort.size, bool)
    enrolled[history.enrolled_person] = True
    assert efi[enrolled].mean() > 1.15 * efi[older & ~enrolled].mean()


def test_enrolment_removes_the_injected_share_of_later_falls() -> None:
    cohort, efi, falls = _falls_inputs(60_000, 8)
    death = np.full(cohort.size, NEVER, dtype=np.int32)
    none = simulate_falls(cohort, np.random.default_rng(9), efi, falls, death, 0.0)
    everything = simulate_falls(cohort, np.random.default_rng(9), efi, falls, death, 1.0)
    assert none.averted == 0
    enrolled_day = np.full(cohort.size, NEVER, dtype=np.int64)
    enrolled_day[everything.enrolled_person] = everything.enrolled_day
    # With R = 1 an enrolled person has no falls admission from their enrolment day on.
    assert not np.any(everything.day >= enrolled_day[everything.person])
    assert everything.averted > 0


def test_an_intervention_effect_outside_0_to_1_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        synthesise(Warehouse(tmp_path / "w"), area=AREA, seed=1, people=100, intervention_effect=1.5)


def test_falls_admissions_have_an_injury_and_a_fall_code(warehouse: Warehouse) -> None:
    spells = warehouse.read_arrow("encounter").filter(
        pc.equal(warehouse.read_arrow("encounter")["admission_method"], "emergency")
    )
    injuries = {code for code, _, _ in FALLS_INJURIES}
    causes = {code for code, _, _ in FALLS_CAUSES}
    falls = [d for d in spells["diagnoses"].to_pylist() if d and len(d) > 1 and d[1]["code"] in causes]
    assert len(falls) > 20
    assert all(d[0]["rank"] == 1 and d[0]["code"] in injuries for d in falls)


def test_every_enrolment_has_a_referral_and_a_care_plan(warehouse: Warehouse) -> None:
    enrolments = warehouse.read_arrow("enrolment").to_pylist()
    referrals = warehouse.read_arrow("referral").to_pylist()
    plans = warehouse.read_arrow("care_plan").to_pylist()
    assert {e["pathway"] for e in enrolments} >= {"falls", "frailty", "copd", "end-of-life"}
    referred = {(r["patient_id"], r["requested_date"]) for r in referrals if r["pathway"]}
    planned = {p["patient_id"] for p in plans if p["category"] == "care_plan"}
    for enrolment in enrolments:
        assert (enrolment["patient_id"], enrolment["enrolled_date"]) in referred
        assert enrolment["patient_id"] in planned
        assert enrolment["ended_date"] is None or enrolment["ended_date"] >= enrolment["enrolled_date"]
    for referral in referrals:
        assert referral["accepted_date"] is None or referral["accepted_date"] >= referral["requested_date"]
        assert referral["completed_date"] is None or referral["accepted_date"] is not None
        assert (referral["status"] == "completed") == (referral["completed_date"] is not None)
    assert any(p["category"] == "advance_care_plan" for p in plans)


def test_every_death_is_registered_with_a_place(warehouse: Warehouse) -> None:
    patients = warehouse.read_arrow("patient")
    deaths = warehouse.read_arrow("death")
    assert deaths.num_rows == patients.num_rows - patients["death_date"].null_count
    assert set(deaths["place_of_death"].to_pylist()) <= {"hospital", "home", "care_home", "hospice", "other"}
    assert set(deaths["place_of_death"].to_pylist()) >= {"hospital", "home", "care_home"}


def test_amputations_are_opcs4_and_only_of_people_with_diabetes(warehouse: Warehouse) -> None:
    procedures = warehouse.read_arrow("procedure")
    assert procedures.num_rows > 0
    assert set(procedures["code_system"].to_pylist()) == {"opcs4"}
    assert all(code[:3] in {"X09", "X10", "X11"} for code in procedures["code"].to_pylist())
