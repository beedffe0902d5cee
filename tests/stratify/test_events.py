"""The building blocks of the scores on data shaped as real FHIR servers shape it (synthetic Bundles
in tests/fixtures/fhir, loaded by ingest): hospital diagnoses recorded as Conditions that name an
inpatient encounter reach HFRS, and the standard emergency-admission signals reach the counts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import pytest

from icp.records.engine import open_tables
from icp.records.ingest import ingest
from icp.records.warehouse import Warehouse
from icp.stratify.events import Window, hospital_diagnoses
from icp.stratify.execute import to_arrow
from icp.stratify.scores import rule_based_scores

FHIR = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
INDEX = dt.date(2025, 6, 1)
US_PATIENT = "6f1c1d2e-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = Warehouse(tmp_path_factory.mktemp("real-shapes"))
    ingest([FHIR], warehouse=warehouse, area="NI-NOR-CA")
    return warehouse


def as_sent(warehouse: Warehouse) -> dict[str, str]:
    """The warehouse's id of each person → the id the fixture's source gave them."""
    patients = warehouse.read_arrow("patient").to_pylist()
    return {row["patient_id"]: row["source_id"] for row in patients}


@pytest.fixture(scope="module")
def scores(warehouse: Warehouse) -> dict[str, dict[str, Any]]:
    table = to_arrow(rule_based_scores(open_tables(warehouse), INDEX))
    sent = as_sent(warehouse)
    return {sent[row["patient_id"]]: row for row in table.to_pylist()}


def test_conditions_naming_an_admission_are_hospital_diagnoses(warehouse: Warehouse) -> None:
    diagnoses = to_arrow(hospital_diagnoses(open_tables(warehouse), Window.years(INDEX, 2), ("inpatient",)))
    sent = as_sent(warehouse)
    found = sorted((sent[row["patient_id"]], row["code"]) for row in diagnoses.to_pylist())
    # Not the problem-list entry made during the stay (G30.1), not the A&E diagnosis (F05.9 of uk-p2).
    assert found == [(US_PATIENT, "F059"), (US_PATIENT, "N390"), ("uk-p1", "F001"), ("uk-p1", "G810")]


def test_every_score_reads_the_encounters_once_for_its_hospital_diagnoses(warehouse: Warehouse) -> None:
    """HFRS (2 years, admitted care), falls (1 year) and Charlson (5 years, all hospital settings)
    filter one set of dated diagnoses: the query reads the encounters twice for all of them (their
    own diagnosis lists, and the stays that Conditions name) and once for the counts of service
    use, not twice for each score (seven reads before)."""
    tables = open_tables(warehouse)
    sql = str(ibis.to_sql(rule_based_scores(tables, INDEX), dialect="duckdb"))
    encounter_view = tables["encounter"].get_name()
    assert sql.count(f'FROM "{encounter_view}"') == 3


def test_hospital_diagnoses_further_back_than_the_shared_set_are_refused(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError, match="at most 5 years back"):
        hospital_diagnoses(open_tables(warehouse), Window.years(INDEX, 6), ("inpatient",))


def test_hfrs_scores_hospital_diagnoses_recorded_as_conditions(scores: dict[str, dict[str, Any]]) -> None:
    # F00 7.1 + G81 4.4 (UK Core style); F05 3.2 + N39 3.2 (US Core style, dual-coded Condition).
    assert (scores["uk-p1"]["hfrs_tenths"], scores["uk-p1"]["hfrs_category"]) == (115, "intermediate")
    assert (scores[US_PATIENT]["hfrs_tenths"], scores[US_PATIENT]["hfrs_category"]) == (64, "intermediate")
    assert scores["uk-p2"]["hfrs_tenths"] == 0  # its only diagnosis was at an A&E attendance


def test_charlson_reads_the_same_diagnoses(scores: dict[str, dict[str, Any]]) -> None:
    assert scores["uk-p1"]["charlson_dementia"] is True
    assert scores["uk-p1"]["charlson_hp"] is True


def test_emergency_admissions_from_standard_signals_are_counted(scores: dict[str, dict[str, Any]]) -> None:
    # uk-p1: partOf an A&E attendance (Jan 2025) and admitSource emd (Aug 2024).
    assert scores["uk-p1"]["emergency_admissions_12m"] == 2
    # uk-p2: UK admission method 21 (Nov 2024) and priority EM (Jun 2024); its A&E attendance alone
    # is an attendance; the elective (method 12) and the unknown stay are older than 12 months.
    assert (scores["uk-p2"]["emergency_admissions_12m"], scores["uk-p2"]["ae_attendances_12m"]) == (2, 1)
    assert scores[US_PATIENT]["emergency_admissions_12m"] == 1
