"""HFRS (Gilbert 2018): the weights of distinct ICD-10 3-character codes from admitted-care diagnoses
in the two years before the index date; low < 5, intermediate 5-15, high > 15; built for 75+.

Hospital diagnoses come from the encounter's own list (Encounter.diagnosis) and from Conditions
that name an admission (Condition.encounter, category encounter-diagnosis or none), the way most
FHIR servers record them. Index date 1 June 2025; every test runs on DuckDB and on Spark.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.spec.conftest import Rows, ScoresOnEngine
from tests.stratify.builders import Records

INDEX = dt.date(2025, 6, 1)
OLD = dt.date(1940, 3, 15)
RECENT = dt.date(2025, 1, 10)


def build() -> Records:
    r = Records()

    def admitted(pid: str, *codes: str, on: dt.date = RECENT, setting: str = "inpatient") -> str:
        return r.encounter(pid, setting, on, method="elective", diagnoses=codes)

    # G30 4.0 + E05 0.9 = 4.9 low; G30 4.0 + E55 1.0 = 5.0 intermediate; F00 7.1 + G81 4.4 + F05 3.2
    # + K52 0.3 = 15.0 intermediate; with D64 0.4 instead of K52: 15.1 high.
    r.person("hfrs49", born=OLD)
    admitted("hfrs49", "G30.1", "E05.9")
    r.person("hfrs50", born=OLD)
    admitted("hfrs50", "G30", "E55.9")
    r.person("hfrs150", born=OLD)
    admitted("hfrs150", "F00.1", "G81.0")
    admitted("hfrs150", "F05.9", "K52.9", on=dt.date(2023, 9, 1))
    r.person("hfrs151", born=OLD)
    admitted("hfrs151", "F00.1", "G81.0", "F05.9", "D64.9")
    # Each code once (F00 twice), outpatient and A&E diagnoses, and an admission 2 years and a day
    # before the index date, do not count: 7.1 intermediate.
    r.person("hfrs_rules", born=OLD)
    admitted("hfrs_rules", "F00.1", "F00.9")
    admitted("hfrs_rules", "F00.0", on=dt.date(2024, 1, 1))
    admitted("hfrs_rules", "G81.0", setting="outpatient")
    admitted("hfrs_rules", "G81.0", setting="ae")
    admitted("hfrs_rules", "G30.0", on=dt.date(2023, 5, 31))
    # Aged 74: out of range.
    r.person("hfrs_young", born=dt.date(1951, 1, 1))
    admitted("hfrs_young", "G30")

    # Conditions naming an admission: F00 7.1 (encounter-diagnosis) + G81 4.4 (no category) = 11.5.
    # Not counted: a problem-list entry made during the stay (G30), a diagnosis at an A&E
    # attendance (F05), a Condition naming an admission of more than two years ago (E55), and a
    # SNOMED CT coding (HFRS is defined on ICD-10).
    r.person("hfrs_conditions", born=OLD)
    stay = admitted("hfrs_conditions")
    r.code("hfrs_conditions", "F00.1", RECENT, system="icd10", encounter=stay, category="encounter-diagnosis")
    r.code("hfrs_conditions", "G81.0", RECENT, system="icd10", encounter=stay)
    r.code("hfrs_conditions", "G30.1", RECENT, system="icd10", encounter=stay, category="problem-list-item")
    r.code("hfrs_conditions", "26929004", RECENT, encounter=stay, category="encounter-diagnosis")
    attendance = admitted("hfrs_conditions", setting="ae")
    r.code(
        "hfrs_conditions",
        "F05.9",
        RECENT,
        system="icd10",
        encounter=attendance,
        category="encounter-diagnosis",
    )
    old_stay = admitted("hfrs_conditions", on=dt.date(2023, 1, 1))
    r.code("hfrs_conditions", "E55.9", dt.date(2023, 1, 1), system="icd10", encounter=old_stay)
    # The same diagnosis on the encounter's list and as a Condition naming it counts once: 7.1.
    r.person("hfrs_both_ways", born=OLD)
    both = admitted("hfrs_both_ways", "F00.1")
    r.code("hfrs_both_ways", "F00.1", RECENT, system="icd10", encounter=both, category="encounter-diagnosis")
    return r


@pytest.fixture(scope="module")
def rows(scores_on_engine: ScoresOnEngine) -> Rows:
    return scores_on_engine(build(), INDEX)


@pytest.mark.parametrize(
    ("patient_id", "tenths", "category"),
    [
        ("hfrs49", 49, "low"),
        ("hfrs50", 50, "intermediate"),
        ("hfrs150", 150, "intermediate"),
        ("hfrs151", 151, "high"),
        ("hfrs_rules", 71, "intermediate"),
        ("hfrs_conditions", 115, "intermediate"),
        ("hfrs_both_ways", 71, "intermediate"),
    ],
)
def test_hfrs_sums_weights_of_distinct_admitted_care_codes_in_two_years(
    rows: Rows, patient_id: str, tenths: int, category: str
) -> None:
    row = rows[patient_id]
    assert row["hfrs_tenths"] == tenths
    assert row["hfrs_score"] == pytest.approx(tenths / 10)
    assert row["hfrs_category"] == category


def test_hfrs_below_75_is_out_of_range(rows: Rows) -> None:
    assert rows["hfrs_young"]["hfrs_in_range"] is False
    assert rows["hfrs_rules"]["hfrs_in_range"] is True
