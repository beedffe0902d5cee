"""Charlson Comorbidity Index: Quan 2005 ICD-10 categories, Charlson 1987 and Quan 2011 weights, the
hierarchy (severe form only), age points, from hospital diagnoses and ICD-10 conditions in the five
years before the index date. Index date 1 June 2025; every test runs on DuckDB and on Spark.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.spec.conftest import Rows, ScoresOnEngine
from tests.stratify.builders import Records

INDEX = dt.date(2025, 6, 1)
RECENT = dt.date(2025, 1, 10)
MIDDLE_AGED = dt.date(1970, 1, 1)


def build() -> Records:
    r = Records()
    # Hierarchy: diabetes with (E11.2) and without (E11.9) complications → only the complicated form
    # (1987: 2; Quan 2011: 1). Mild (K70.3) and severe (I85.0) liver disease → severe (3; 4). Cancer
    # (C18.9) and metastatic (C78.0) → metastatic (6; 6). Total 11; Quan 2011: 11.
    r.person("cci_hier", born=MIDDLE_AGED)
    r.encounter("cci_hier", "inpatient", RECENT, method="elective", diagnoses=("E11.9", "K70.3", "C18.9"))
    r.encounter("cci_hier", "outpatient", dt.date(2022, 1, 1), diagnoses=("E11.2", "I85.0"))
    r.code("cci_hier", "C78.0", dt.date(2021, 1, 1), system="icd10")
    # Mild forms alone: diabetes 1 (Quan 0), mild liver 1 (Quan 2), cancer 2 (Quan 2): 4 and 4.
    r.person("cci_mild", born=MIDDLE_AGED)
    r.encounter("cci_mild", "inpatient", RECENT, method="elective", diagnoses=("E11.9", "K70.3", "C18.9"))
    # A diagnosis 5 years and a day before the index date does not count; I21 (AMI: 1; Quan 0).
    r.person("cci_window", born=MIDDLE_AGED)
    r.encounter("cci_window", "inpatient", dt.date(2020, 5, 31), diagnoses=("I50.0",))
    r.encounter("cci_window", "inpatient", dt.date(2020, 6, 2), diagnoses=("I21.9",))
    # A hospital diagnosis recorded as a Condition naming the admission: dementia (F00.1, 1; Quan 2).
    r.person("cci_condition", born=MIDDLE_AGED)
    stay = r.encounter("cci_condition", "inpatient", RECENT, method="emergency")
    r.code("cci_condition", "F00.1", None, system="icd10", encounter=stay, category="encounter-diagnosis")
    # Age points: 49 → 0, 50 → 1, 79 → 3, 80 → 4.
    for age in (49, 50, 79, 80):
        r.person(f"age{age}", born=dt.date(INDEX.year - age, 6, 1))
    return r


@pytest.fixture(scope="module")
def rows(scores_on_engine: ScoresOnEngine) -> Rows:
    return scores_on_engine(build(), INDEX)


def test_the_hierarchy_keeps_only_the_severe_form(rows: Rows) -> None:
    row = rows["cci_hier"]
    present = {k.removeprefix("charlson_") for k, v in row.items() if k.startswith("charlson_") and v is True}
    assert present == {"diabwc", "msld", "metacanc"}
    assert (row["charlson_score"], row["charlson_quan2011"]) == (2 + 3 + 6, 1 + 4 + 6)


def test_mild_forms_alone(rows: Rows) -> None:
    row = rows["cci_mild"]
    assert (row["charlson_diab"], row["charlson_mld"], row["charlson_canc"]) == (True, True, True)
    assert (row["charlson_score"], row["charlson_quan2011"]) == (1 + 1 + 2, 0 + 2 + 2)


def test_charlson_looks_back_five_years(rows: Rows) -> None:
    row = rows["cci_window"]
    assert (row["charlson_chf"], row["charlson_ami"]) == (False, True)
    assert (row["charlson_score"], row["charlson_quan2011"]) == (1, 0)


def test_a_condition_naming_its_admission_is_dated_by_the_admission(rows: Rows) -> None:
    # The Condition itself has no date: the admission's start places it in the window.
    row = rows["cci_condition"]
    assert (row["charlson_dementia"], row["charlson_score"], row["charlson_quan2011"]) == (True, 1, 2)


@pytest.mark.parametrize(("age", "points"), [(49, 0), (50, 1), (79, 3), (80, 4)])
def test_charlson_age_points(rows: Rows, age: int, points: int) -> None:
    assert rows[f"age{age}"]["charlson_age_points"] == points
