"""The synthetic population matches the published figures it is calibrated to, as a user would measure
them from the warehouse: register prevalence (NI QOF), eFI categories among people 65+ (Clegg 2016),
and a hazard model with predictive signal. Everything here is computed from the warehouse rows and
the published code lists, not from the generator's internals."""

from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from icp.records.synth.population import EXTRACT_DATE
from icp.records.synth.reference import REFERENCE, qof_prevalence
from icp.records.warehouse import Warehouse
from tests.records.synth.conftest import read

pytestmark = pytest.mark.xdist_group("synth")

# The QOF cluster files (the code lists a register is defined by) behind each register.
REGISTER_LISTS = {
    "hypertension": ["hyp_cod"],
    "diabetes": ["dm_cod"],
    "asthma": ["ast_cod"],
    "copd": ["copd_cod"],
    "chd": ["chd_cod"],
    "stroke_tia": ["strk_cod", "tia_cod"],
    "atrial_fibrillation": ["afib_cod"],
    "heart_failure": ["hf_cod"],
    "ckd": ["ckd_cod"],
    "dementia": ["dem_cod"],
    "cancer": ["c19can_cod"],
    "depression": ["depr_cod"],
    "palliative_care": ["palcare_cod"],
    "learning_disability": ["ld_cod"],
}


def _codes(list_name: str) -> set[str]:
    with (REFERENCE / "codelists" / f"{list_name}.csv").open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def _ages(patients: pa.Table, on: date) -> np.ndarray:
    birth = np.array(patients["birth_date"].to_pylist(), dtype="datetime64[D]")
    return (np.datetime64(on) - birth).astype(np.int64) / 365.25


def _alive_on(patients: pa.Table, on: date) -> np.ndarray:
    death = patients["death_date"]
    alive = pc.or_kleene(pc.is_null(death), pc.greater(death, pa.scalar(on)))
    return np.asarray(alive.to_numpy(zero_copy_only=False), dtype=bool)


def _people_with(conditions: pa.Table, codes: set[str], on: date) -> set[str]:
    chosen = conditions.filter(
        pc.and_(
            pc.is_in(conditions["code"], pa.array(sorted(codes))),
            pc.less_equal(conditions["onset_date"], pa.scalar(on)),
        )
    )
    return set(chosen["patient_id"].to_pylist())


def test_register_prevalence_matches_the_ni_qof_tables(ni_sample: Warehouse) -> None:
    patients = read(ni_sample, "patient")
    conditions = read(ni_sample, "condition")
    ages = _ages(patients, EXTRACT_DATE)
    alive = _alive_on(patients, EXTRACT_DATE)
    ids = np.array(patients["patient_id"].to_pylist())
    failures = []
    for register, lists in REGISTER_LISTS.items():
        target = qof_prevalence()[register]
        denominator = alive & (ages >= target.minimum_age)
        on_register = np.isin(
            ids, list(_people_with(conditions, set().union(*map(_codes, lists)), EXTRACT_DATE))
        )
        observed = on_register[denominator].mean()
        expected = target.per_100 / 100
        # Sampling error (4 standard errors) plus 8% for the calibration's approximations.
        tolerance = 4 * np.sqrt(expected * (1 - expected) / denominator.sum()) + 0.08 * expected
        if abs(observed - expected) > tolerance:
            failures.append(f"{register}: {100 * observed:.2f}% vs {target.per_100}% ({target.table})")
    assert not failures, failures


def _efi(ni_sample: Warehouse, on: date) -> tuple[np.ndarray, np.ndarray]:
    """(patient ids, eFI) for everyone alive on `on`, from coded records dated on or before it."""
    patients = read(ni_sample, "patient")
    alive = _alive_on(patients, on)
    ids = np.array(patients["patient_id"].to_pylist())[alive]
    with (REFERENCE / "codelists" / "efi_clegg2016_snomed_mapped.csv").open(encoding="utf-8") as handle:
        code_sets: dict[str, set[str]] = {}
        for row in csv.DictReader(handle):
            code_sets.setdefault(row["gmsde_codeset"], set()).add(row["snomed_concept_id"])
    conditions = read(ni_sample, "condition")
    deficits = np.zeros(ids.size, dtype=np.int64)
    for codes in code_sets.values():
        deficits += np.isin(ids, list(_people_with(conditions, codes, on)))
    # Polypharmacy (the 36th deficit): five or more distinct medicines current on the day.
    medication = read(ni_sample, "medication")
    current = medication.filter(
        pc.and_(
            pc.less_equal(medication["start_date"], pa.scalar(on)),
            pc.or_kleene(
                pc.is_null(medication["end_date"]), pc.greater(medication["end_date"], pa.scalar(on))
            ),
        )
    )
    per_person = current.group_by("patient_id").aggregate([("code", "count_distinct")])
    many = per_person.filter(pc.greater_equal(per_person["code_count_distinct"], 5))
    deficits += np.isin(ids, many["patient_id"].to_pylist())
    return ids, deficits / 36


def test_efi_categories_among_people_65_and_over_are_near_clegg_2016(ni_sample: Warehouse) -> None:
    patients = read(ni_sample, "patient")
    ids, efi = _efi(ni_sample, EXTRACT_DATE)
    all_ids = np.array(patients["patient_id"].to_pylist())
    ages = _ages(patients, EXTRACT_DATE)[np.isin(all_ids, ids)]
    older = efi[ages >= 65]
    shares = {
        "fit": np.mean(older <= 0.12),
        "mild": np.mean((older > 0.12) & (older <= 0.24)),
        "moderate": np.mean((older > 0.24) & (older <= 0.36)),
        "severe": np.mean(older > 0.36),
    }
    # Clegg et al. 2016 (development cohort): 50% fit, 35% mild, 12% moderate, 3% severe.
    assert 0.42 <= shares["fit"] <= 0.60, shares
    assert 0.26 <= shares["mild"] <= 0.42, shares
    assert 0.07 <= shares["moderate"] <= 0.18, shares
    assert 0.01 <= shares["severe"] <= 0.07, shares


def test_frailty_on_an_index_date_predicts_emergency_admission_in_the_year_after(
    ni_sample: Warehouse,
) -> None:
    index = date(2025, 3, 31)
    ids, efi = _efi(ni_sample, index)
    encounters = read(ni_sample, "encounter")
    after = encounters.filter(
        pc.and_(
            pc.equal(encounters["admission_method"], "emergency"),
            pc.greater(encounters["start_date"], pa.scalar(index)),
        )
    )
    admitted = np.isin(ids, after["patient_id"].to_pylist())
    fit = admitted[efi <= 0.12].mean()
    frail = admitted[efi > 0.24].mean()
    assert frail > 3 * fit, (frail, fit)


def test_deaths_follow_the_life_table_and_rise_with_frailty(ni_sample: Warehouse) -> None:
    patients = read(ni_sample, "patient")
    died = pc.is_valid(patients["death_date"]).to_numpy(zero_copy_only=False)
    # NI registers about 16,000 deaths a year among 1.9 million people: roughly 0.8% a year.
    yearly = died.mean() / 4
    assert 0.005 <= yearly <= 0.012, yearly
    index = date(2025, 3, 31)
    ids, efi = _efi(ni_sample, index)
    all_ids = np.array(patients["patient_id"].to_pylist())
    death = np.array(patients["death_date"].to_pylist(), dtype="datetime64[D]")
    order = np.argsort(all_ids)
    died_after = (death[order] > np.datetime64(index))[np.searchsorted(all_ids[order], ids)]
    assert died_after[efi > 0.24].mean() > 3 * died_after[efi <= 0.12].mean()
