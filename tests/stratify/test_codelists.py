"""The shipped code lists: complete, unchanged since their manifest entry, and faithful to sources."""

from __future__ import annotations

import csv
import io
from importlib.resources import files

import pytest

from icp.stratify import codelists


def test_every_file_matches_its_manifest_hash_and_has_a_version_and_source() -> None:
    assert codelists.verify() == []
    for entry in codelists.manifest().values():
        assert entry.version and entry.source and entry.licence_note


def test_efi_has_36_deficits_35_of_them_coded() -> None:
    deficits = [d.key for d in codelists.efi_deficits()]
    assert len(deficits) == len(set(deficits)) == 36
    coded = set(codelists.efi_codes().column("key").to_pylist())
    assert coded == set(deficits) - {"polypharmacy"}
    systems = set(codelists.efi_codes().column("code_system").to_pylist())
    assert systems == {"snomed", "read2", "ctv3"}


def test_efi_review_drops_are_absent_from_the_shipped_list() -> None:
    text = files("icp.stratify.codelists").joinpath("efi_review.csv").read_text(encoding="utf-8")
    drops = [(r["deficit"], r["code"]) for r in csv.DictReader(io.StringIO(text)) if r["decision"] == "drop"]
    assert ("falls", "49808004") in drops  # "Old-age" under falls, the known artefact
    table = codelists.efi_codes()
    shipped = set(zip(table.column("key").to_pylist(), table.column("code").to_pylist(), strict=True))
    assert not set(drops) & shipped
    # The same concept can still count under the right deficit (coronary disease stays CHD).
    assert ("ischemic_heart_disease", "53741008") in shipped


def test_hfrs_has_109_codes_summing_to_the_published_173_2() -> None:
    weights = codelists.hfrs_weights_tenths()
    assert len(weights) == 109
    assert sum(weights.values()) == 1732
    assert weights["F00"] == 71 and weights["R50"] == 1


def test_charlson_categories_weights_and_hierarchy() -> None:
    categories = {c.key: c for c in codelists.charlson_categories()}
    assert len(categories) == 17
    assert (categories["metacanc"].charlson_1987, categories["metacanc"].quan_2011) == (6, 6)
    assert (categories["aids"].charlson_1987, categories["aids"].quan_2011) == (6, 4)
    assert (categories["ami"].charlson_1987, categories["ami"].quan_2011) == (1, 0)
    for mild, severe in codelists.CHARLSON_HIERARCHY.items():
        assert mild in categories and severe in categories
    prefixes = codelists.charlson_prefixes()
    assert ("ami", "I21") in prefixes and all("." not in p for _c, p in prefixes)


def test_fifteen_registers_each_with_codes() -> None:
    assert codelists.registers() == (
        "diabetes",
        "copd",
        "asthma",
        "stroke_tia",
        "heart_failure",
        "chd",
        "atrial_fibrillation",
        "hypertension",
        "ckd",
        "dementia",
        "cancer",
        "palliative_care",
        "learning_disability",
        "smi",
        "depression",
    )


def test_a_malformed_list_is_refused_naming_file_line_and_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codelists, "_bytes", lambda name: b"code,weight,description\nF00,7.1,x\nG30,,y\n")
    with pytest.raises(codelists.CodeListError, match=r"hfrs_icd10.csv line 3: field 'weight' is empty"):
        codelists._rows("hfrs_icd10.csv", ("code", "weight"))
    monkeypatch.setattr(codelists, "_bytes", lambda name: b"code,weight\nF00,heavy\n")
    codelists.hfrs_weights_tenths.cache_clear()
    try:
        with pytest.raises(
            codelists.CodeListError, match=r"line 2: field 'weight' is 'heavy', expected a number"
        ):
            codelists.hfrs_weights_tenths()
    finally:
        codelists.hfrs_weights_tenths.cache_clear()


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
