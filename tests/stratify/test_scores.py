"""Spec tests for every rule-based score: small populations written out here, answers worked by hand.

The same table is scored on DuckDB (every test) and on Spark (one test compares every column).
Index date throughout: 1 June 2025. Windows are (index - N years, index].
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from icp.records.engine import open_tables
from icp.records.warehouse import Warehouse
from icp.stratify import codelists
from icp.stratify.execute import to_arrow
from icp.stratify.scores import rule_based_columns, rule_based_scores
from tests.stratify.builders import Records

INDEX = dt.date(2025, 6, 1)
OLD = dt.date(1940, 3, 15)  # aged 85 at the index date
LONG_AGO = dt.date(2010, 1, 1)
RECENT = dt.date(2025, 1, 10)  # inside every window

# One SNOMED CT code per eFI deficit, taken from the shipped list.
EFI_CODE = {
    "arthritis": "3723001",
    "atrial_fibrillation": "5370000",
    "ischemic_heart_disease": "1755008",
    "chronic_kidney_disease": "29738008",
    "diabetes": "4855003",
    "foot_problem": "47850008",
    "fragility_fracture": "5913000",
    "heart_failure": "10633002",
    "heart_valve_disorder": "48724000",
    "hypertension": "1201005",
    "osteoporosis": "14651005",
    "peptic_ulcer": "3483000",
    "skin_ulcer": "324007",
    "falls": "1912002",
}
DEFICITS_IN_ORDER = list(EFI_CODE)


def efi_person(records: Records, patient_id: str, deficits: int, born: dt.date = OLD) -> None:
    records.person(patient_id, born=born)
    for key in DEFICITS_IN_ORDER[:deficits]:
        records.code(patient_id, EFI_CODE[key], LONG_AGO)


def build() -> Records:
    r = Records()
    # eFI boundaries: 4/36 = 0.111 fit, 5/36 = 0.139 mild, 8/36 = 0.222 mild, 9/36 = 0.25 moderate,
    # 12/36 = 0.333 moderate, 13/36 = 0.361 severe.
    for n in (0, 4, 5, 8, 9, 12, 13):
        efi_person(r, f"efi{n}", n)
    # Aged 60: computed, but out of the range the eFI was built for.
    efi_person(r, "efi_young", 5, born=dt.date(1965, 1, 1))
    # The same deficit through three codes (SNOMED, Read v2, a second SNOMED) counts once; a code
    # dated after the index date and a code without a date do not count; the review dropped
    # "Old-age" (49808004) from falls.
    r.person("efi_rules", born=OLD)
    r.code("efi_rules", "1912002", LONG_AGO)
    r.code("efi_rules", "16D..", LONG_AGO, system="read2")
    r.code("efi_rules", "161898004", LONG_AGO, table="observation")
    r.code("efi_rules", "3723001", dt.date(2025, 6, 2))
    r.code("efi_rules", "4855003", None)
    r.person("efi_old_age_only", born=OLD)
    r.code("efi_old_age_only", "49808004", LONG_AGO)
    # Polypharmacy deficit: 5 distinct medicines active in the 12 months; duplicates count once.
    r.person("poly5", born=OLD)
    for n in range(5):
        r.medicine("poly5", f"med{n}", dt.date(2020, 1, 1))
    r.medicine("poly5", "med0", dt.date(2025, 2, 1))
    # 4 active, plus one that ended before the window, one stopped long ago, one not yet started.
    r.person("poly4", born=OLD)
    for n in range(4):
        r.medicine("poly4", f"med{n}", dt.date(2024, 9, 1))
    r.medicine("poly4", "ended", dt.date(2023, 1, 1), end=dt.date(2024, 5, 1))
    r.medicine("poly4", "stopped", dt.date(2022, 1, 1), status="stopped")
    r.medicine("poly4", "future", dt.date(2025, 7, 1))
    # 10 medicines: the polypharmacy review flag.
    r.person("poly10", born=OLD)
    for n in range(10):
        r.medicine("poly10", f"med{n}", dt.date(2025, 3, 1), end=dt.date(2025, 5, 1))

    # HFRS (admitted care, 2 years): G30 4.0 + E05 0.9 = 4.9 low; G30 4.0 + E55 1.0 = 5.0
    # intermediate; F00 7.1 + G81 4.4 + F05 3.2 + K52 0.3 = 15.0 intermediate; with D64 0.4 instead
    # of K52: 15.1 high.
    def admitted(pid: str, *codes: str, on: dt.date = RECENT, setting: str = "inpatient") -> None:
        r.encounter(pid, setting, on, method="elective", diagnoses=codes)

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

    # Charlson hierarchy: diabetes with (E11.2) and without (E11.9) complications → only the
    # complicated form (1987: 2; Quan 2011: 1). Mild (K70.3) and severe (I85.0) liver disease → severe
    # (3; 4). Cancer (C18.9) and metastatic (C78.0) → metastatic (6; 6). Total 11; Quan 2011: 11.
    r.person("cci_hier", born=dt.date(1970, 1, 1))
    admitted("cci_hier", "E11.9", "K70.3", "C18.9")
    r.encounter("cci_hier", "outpatient", dt.date(2022, 1, 1), diagnoses=("E11.2", "I85.0"))
    r.code("cci_hier", "C78.0", dt.date(2021, 1, 1), system="icd10")
    # Mild forms alone: diabetes 1 (Quan 0), mild liver 1 (Quan 2), cancer 2 (Quan 2): 4 and 4.
    r.person("cci_mild", born=dt.date(1970, 1, 1))
    admitted("cci_mild", "E11.9", "K70.3", "C18.9")
    # A diagnosis 5 years and a day before the index date does not count; I21 (AMI: 1; Quan 0).
    r.person("cci_window", born=dt.date(1970, 1, 1))
    r.encounter("cci_window", "inpatient", dt.date(2020, 5, 31), diagnoses=("I50.0",))
    r.encounter("cci_window", "inpatient", dt.date(2020, 6, 2), diagnoses=("I21.9",))
    # Age points: 49 → 0, 50 → 1, 79 → 3, 80 → 4.
    for age in (49, 50, 79, 80):
        r.person(f"age{age}", born=dt.date(INDEX.year - age, 6, 1))

    # Registers: diabetes then resolved → off; resolved then diabetes again → on; COPD on.
    r.person("reg_resolved", born=OLD)
    r.code("reg_resolved", "111552007", dt.date(2015, 1, 1))
    r.code("reg_resolved", "315051004", dt.date(2018, 1, 1), table="observation")
    r.person("reg_again", born=OLD)
    r.code("reg_again", "111552007", dt.date(2015, 1, 1))
    r.code("reg_again", "315051004", dt.date(2018, 1, 1), table="observation")
    r.code("reg_again", "111552007", dt.date(2020, 1, 1))
    r.code("reg_again", "1010333003", dt.date(2020, 1, 1))

    # Flags.
    r.person("flags", born=OLD)
    r.code("flags", "160689007", dt.date(2019, 1, 1), table="observation")  # housebound
    r.code("flags", "133932002", dt.date(2019, 1, 1), table="observation")  # caregiver
    r.code("flags", "105529008", dt.date(2019, 1, 1), table="observation")  # lives alone
    r.code("flags", "184156005", dt.date(2019, 1, 1), table="observation")  # has a caregiver
    r.encounter("flags", "inpatient", dt.date(2024, 7, 1), method="emergency")
    r.encounter("flags", "inpatient", dt.date(2025, 5, 31), method="emergency")
    r.encounter("flags", "inpatient", dt.date(2024, 5, 31), method="emergency")  # outside 12 months
    r.encounter("flags", "inpatient", dt.date(2024, 9, 1), method="elective")
    for day in (1, 2, 3):
        r.encounter("flags", "ae", dt.date(2025, 4, day))
    r.person("flags_ended", born=OLD)
    r.code("flags_ended", "160689007", dt.date(2019, 1, 1), table="observation")
    r.code("flags_ended", "760661000000106", dt.date(2021, 1, 1), table="observation")  # no longer
    r.code("flags_ended", "133932002", dt.date(2019, 1, 1), table="observation")
    r.code("flags_ended", "506401000000109", dt.date(2020, 1, 1), table="observation")  # not a carer
    r.code("flags_ended", "1912002", dt.date(2024, 5, 1))  # a fall, but 13 months ago
    r.person("falls_hospital", born=OLD)
    r.encounter("falls_hospital", "ae", dt.date(2025, 2, 1), diagnoses=("W01.0",))

    # Not in the population: died before the index date, born after it.
    r.person("dead", born=OLD, died=dt.date(2025, 1, 1))
    r.person("unborn", born=dt.date(2025, 7, 1))
    return r


@pytest.fixture(scope="module")
def spec_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return build().write(Warehouse(tmp_path_factory.mktemp("spec-warehouse")))


@pytest.fixture(scope="module")
def duckdb_rows(spec_warehouse: Warehouse) -> dict[str, dict[str, Any]]:
    table = to_arrow(rule_based_scores(open_tables(spec_warehouse), INDEX))
    return {row["patient_id"]: row for row in table.to_pylist()}


def test_population_at_the_index_date(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    assert "dead" not in duckdb_rows
    assert "unborn" not in duckdb_rows
    assert duckdb_rows["efi0"]["age"] == 85
    assert [duckdb_rows[f"age{a}"]["age"] for a in (49, 50, 79, 80)] == [49, 50, 79, 80]


@pytest.mark.parametrize(
    ("patient_id", "deficits", "category"),
    [
        ("efi0", 0, "fit"),
        ("efi4", 4, "fit"),
        ("efi5", 5, "mild"),
        ("efi8", 8, "mild"),
        ("efi9", 9, "moderate"),
        ("efi12", 12, "moderate"),
        ("efi13", 13, "severe"),
    ],
)
def test_efi_is_deficits_over_36_with_published_cut_points(
    duckdb_rows: dict[str, dict[str, Any]], patient_id: str, deficits: int, category: str
) -> None:
    row = duckdb_rows[patient_id]
    assert row["efi_deficits"] == deficits
    assert row["efi_score"] == pytest.approx(deficits / 36)
    assert row["efi_category"] == category
    assert row["efi_in_range"] is True


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0.0, "fit"),
        (0.12, "fit"),
        (0.1201, "mild"),
        (0.24, "mild"),
        (0.2401, "moderate"),
        (0.36, "moderate"),
        (0.3601, "severe"),
        (1.0, "severe"),
    ],
)
def test_efi_categories_at_exact_boundaries(score: float, category: str) -> None:
    assert codelists.categorise("efi", score) == category


@pytest.mark.parametrize(
    ("score", "category"),
    [(0.0, "low"), (4.9, "low"), (5.0, "intermediate"), (15.0, "intermediate"), (15.1, "high")],
)
def test_hfrs_categories_at_exact_boundaries(score: float, category: str) -> None:
    assert codelists.categorise("hfrs", score) == category


def test_efi_below_65_is_computed_but_out_of_range(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    row = duckdb_rows["efi_young"]
    assert (row["efi_deficits"], row["efi_category"], row["efi_in_range"]) == (5, "mild", False)


def test_efi_counts_each_deficit_once_only_when_dated_on_or_before_the_index_date(
    duckdb_rows: dict[str, dict[str, Any]],
) -> None:
    row = duckdb_rows["efi_rules"]
    assert row["efi_deficits"] == 1
    assert row["efi_falls"] is True
    assert row["efi_arthritis"] is False  # dated the day after the index date
    assert row["efi_diabetes"] is False  # no date


def test_reviewed_out_mapping_artefacts_are_not_deficits(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    assert duckdb_rows["efi_old_age_only"]["efi_falls"] is False
    assert duckdb_rows["efi_old_age_only"]["efi_deficits"] == 0


def test_polypharmacy_deficit_is_five_distinct_medicines_in_12_months(
    duckdb_rows: dict[str, dict[str, Any]],
) -> None:
    assert (duckdb_rows["poly5"]["medicines_12m"], duckdb_rows["poly5"]["efi_polypharmacy"]) == (5, True)
    assert (duckdb_rows["poly4"]["medicines_12m"], duckdb_rows["poly4"]["efi_polypharmacy"]) == (4, False)
    assert duckdb_rows["poly5"]["efi_deficits"] == 1
    assert duckdb_rows["poly5"]["polypharmacy_review"] is False
    assert (duckdb_rows["poly10"]["medicines_12m"], duckdb_rows["poly10"]["polypharmacy_review"]) == (
        10,
        True,
    )


@pytest.mark.parametrize(
    ("patient_id", "tenths", "category"),
    [
        ("hfrs49", 49, "low"),
        ("hfrs50", 50, "intermediate"),
        ("hfrs150", 150, "intermediate"),
        ("hfrs151", 151, "high"),
        ("hfrs_rules", 71, "intermediate"),
        ("efi0", 0, "low"),
    ],
)
def test_hfrs_sums_weights_of_distinct_codes_in_two_years(
    duckdb_rows: dict[str, dict[str, Any]], patient_id: str, tenths: int, category: str
) -> None:
    row = duckdb_rows[patient_id]
    assert row["hfrs_tenths"] == tenths
    assert row["hfrs_score"] == pytest.approx(tenths / 10)
    assert row["hfrs_category"] == category


def test_hfrs_below_75_is_out_of_range(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    assert duckdb_rows["hfrs_young"]["hfrs_in_range"] is False
    assert duckdb_rows["hfrs_rules"]["hfrs_in_range"] is True


def test_charlson_hierarchy_keeps_only_the_severe_form(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    row = duckdb_rows["cci_hier"]
    present = {k.removeprefix("charlson_") for k, v in row.items() if k.startswith("charlson_") and v is True}
    assert present == {"diabwc", "msld", "metacanc"}
    assert (row["charlson_score"], row["charlson_quan2011"]) == (2 + 3 + 6, 1 + 4 + 6)


def test_charlson_mild_forms_alone(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    row = duckdb_rows["cci_mild"]
    assert (row["charlson_diab"], row["charlson_mld"], row["charlson_canc"]) == (True, True, True)
    assert (row["charlson_score"], row["charlson_quan2011"]) == (1 + 1 + 2, 0 + 2 + 2)


def test_charlson_looks_back_five_years(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    row = duckdb_rows["cci_window"]
    assert (row["charlson_chf"], row["charlson_ami"]) == (False, True)
    assert (row["charlson_score"], row["charlson_quan2011"]) == (1, 0)


@pytest.mark.parametrize(("age", "points"), [(49, 0), (50, 1), (79, 3), (80, 4)])
def test_charlson_age_points(duckdb_rows: dict[str, dict[str, Any]], age: int, points: int) -> None:
    assert duckdb_rows[f"age{age}"]["charlson_age_points"] == points


def test_registers_follow_resolved_codes(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    assert duckdb_rows["reg_resolved"]["register_diabetes"] is False
    assert duckdb_rows["reg_again"]["register_diabetes"] is True
    assert duckdb_rows["reg_again"]["register_copd"] is True
    assert duckdb_rows["reg_again"]["register_count"] == 2


def test_flags(duckdb_rows: dict[str, dict[str, Any]]) -> None:
    row = duckdb_rows["flags"]
    assert (row["housebound"], row["carer"], row["cared_for"], row["lives_alone"]) == (True, True, True, True)
    assert (row["emergency_admissions_12m"], row["emergency_admissions_24m"]) == (2, 3)
    assert (row["ae_attendances_12m"], row["elective_admissions_12m"]) == (3, 1)
    ended = duckdb_rows["flags_ended"]
    assert (ended["housebound"], ended["carer"], ended["falls_12m"]) == (False, False, False)
    assert ended["lives_alone"] is None  # not recorded is unknown, not "no"
    assert duckdb_rows["falls_hospital"]["falls_12m"] is True


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
# py4j leaves its loopback socket to the garbage collector; that is Spark's, not ours.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_gives_identical_results(
    spec_warehouse: Warehouse, duckdb_rows: dict[str, dict[str, Any]], spark_session: Any
) -> None:
    import ibis

    con = ibis.pyspark.connect(spark_session)
    spark = to_arrow(rule_based_scores(open_tables(spec_warehouse, engine="spark", con=con), INDEX))
    assert spark.column_names == rule_based_columns()
    spark_rows = {row["patient_id"]: row for row in spark.to_pylist()}
    assert spark_rows == duckdb_rows
    assert isinstance(spark, pa.Table)
