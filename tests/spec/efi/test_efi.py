"""eFI (Clegg 2016): 36 equally weighted deficits, each counted once if ever recorded on or before the
index date; polypharmacy = 5 or more distinct medicines in 12 months; published cut-points.

Index date 1 June 2025. Each test runs on DuckDB and on Spark (tests/spec/conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.spec.conftest import Rows, ScoresOnEngine
from tests.stratify.builders import EFI_CODE, Records

INDEX = dt.date(2025, 6, 1)
OLD = dt.date(1940, 3, 15)  # aged 85 at the index date
LONG_AGO = dt.date(2010, 1, 1)
DEFICITS_IN_ORDER = list(EFI_CODE)


def efi_person(records: Records, patient_id: str, deficits: int, born: dt.date = OLD) -> None:
    records.person(patient_id, born=born)
    for key in DEFICITS_IN_ORDER[:deficits]:
        records.code(patient_id, EFI_CODE[key], LONG_AGO)


def build() -> Records:
    r = Records()
    # Boundaries: 4/36 = 0.111 fit, 5/36 = 0.139 mild, 8/36 = 0.222 mild, 9/36 = 0.25 moderate,
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
    # An entry with text but no code is kept for people to read, but is no deficit.
    r.person("efi_uncoded", born=OLD)
    r.code("efi_uncoded", None, LONG_AGO, system=None, text="Fall at home")
    # Polypharmacy: 5 distinct medicines active in the 12 months; duplicates count once.
    r.person("poly5", born=OLD)
    for n in range(5):
        r.medicine("poly5", f"med{n}", dt.date(2020, 1, 1))
    r.medicine("poly5", "med0", dt.date(2025, 2, 1))
    # 4 active, plus one that ended before the window, one stopped long ago, one not yet started,
    # and one named by text only (not counted: it cannot be told apart from the others).
    r.person("poly4", born=OLD)
    for n in range(4):
        r.medicine("poly4", f"med{n}", dt.date(2024, 9, 1))
    r.medicine("poly4", "ended", dt.date(2023, 1, 1), end=dt.date(2024, 5, 1))
    r.medicine("poly4", "stopped", dt.date(2022, 1, 1), status="stopped")
    r.medicine("poly4", "future", dt.date(2025, 7, 1))
    r.medicine("poly4", None, dt.date(2025, 1, 1))
    # 10 medicines: the polypharmacy review flag.
    r.person("poly10", born=OLD)
    for n in range(10):
        r.medicine("poly10", f"med{n}", dt.date(2025, 3, 1), end=dt.date(2025, 5, 1))
    return r


@pytest.fixture(scope="module")
def rows(scores_on_engine: ScoresOnEngine) -> Rows:
    return scores_on_engine(build(), INDEX)


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
    rows: Rows, patient_id: str, deficits: int, category: str
) -> None:
    row = rows[patient_id]
    assert row["efi_deficits"] == deficits
    assert row["efi_score"] == pytest.approx(deficits / 36)
    assert row["efi_category"] == category
    assert row["efi_in_range"] is True
    assert row["age"] == 85


def test_efi_below_65_is_computed_but_out_of_range(rows: Rows) -> None:
    row = rows["efi_young"]
    assert (row["efi_deficits"], row["efi_category"], row["efi_in_range"]) == (5, "mild", False)


def test_each_deficit_counts_once_only_when_dated_on_or_before_the_index_date(rows: Rows) -> None:
    row = rows["efi_rules"]
    assert row["efi_deficits"] == 1
    assert row["efi_falls"] is True
    assert row["efi_arthritis"] is False  # dated the day after the index date
    assert row["efi_diabetes"] is False  # no date


def test_reviewed_out_mapping_artefacts_are_not_deficits(rows: Rows) -> None:
    assert rows["efi_old_age_only"]["efi_falls"] is False
    assert rows["efi_old_age_only"]["efi_deficits"] == 0


def test_an_uncoded_entry_is_no_deficit(rows: Rows) -> None:
    assert rows["efi_uncoded"]["efi_deficits"] == 0


def test_polypharmacy_deficit_is_five_distinct_coded_medicines_in_12_months(rows: Rows) -> None:
    assert (rows["poly5"]["medicines_12m"], rows["poly5"]["efi_polypharmacy"]) == (5, True)
    assert (rows["poly4"]["medicines_12m"], rows["poly4"]["efi_polypharmacy"]) == (4, False)
    assert rows["poly5"]["efi_deficits"] == 1
    assert rows["poly5"]["polypharmacy_review"] is False
    assert (rows["poly10"]["medicines_12m"], rows["poly10"]["polypharmacy_review"]) == (10, True)
