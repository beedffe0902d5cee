"""Features and outcome for the emergency-admission model, at an index date.

Features are the rule-based scores (eFI deficits, HFRS, Charlson, registers, flags, prior use,
medicines) plus the latest recent observations (eGFR, HbA1c, systolic blood pressure, BMI in the
two years before the index date). The outcome is at least one emergency admission in the 12
months after the index date: (index, index + 12 months].
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icp.stratify import codelists, comorbidity, frailty
from icp.stratify.events import Tables, Window, years_before

OBSERVATION_LOOKBACK_YEARS = 2

# Columns of the rule-based score table used as they are (booleans become 0/1).
_PLAIN = (
    "age",
    "deprivation_quintile",
    "efi_deficits",
    "hfrs_score",
    "charlson_score",
    "register_count",
    "medicines_12m",
    "housebound",
    "carer",
    "cared_for",
    "falls_12m",
    "emergency_admissions_12m",
    "emergency_admissions_24m",
    "ae_attendances_12m",
    "elective_admissions_12m",
    "outpatient_12m",
    "gp_contacts_12m",
)

# Plain words for each feature, used when a worklist row says why the model ranks someone high.
FEATURE_WORDS: dict[str, str] = {
    "age": "age",
    "female": "sex",
    "deprivation_quintile": "deprivation",
    "efi_deficits": "frailty (eFI deficits)",
    "hfrs_score": "hospital frailty (HFRS)",
    "charlson_score": "comorbidity (Charlson)",
    "register_count": "number of long-term conditions",
    "medicines_12m": "number of medicines",
    "housebound": "housebound",
    "carer": "is a carer",
    "cared_for": "has a carer",
    "lives_alone": "lives alone",
    "falls_12m": "a fall in the last year",
    "emergency_admissions_12m": "emergency admissions in the last year",
    "emergency_admissions_24m": "emergency admissions in the last two years",
    "ae_attendances_12m": "A&E attendances in the last year",
    "elective_admissions_12m": "planned admissions in the last year",
    "outpatient_12m": "outpatient appointments in the last year",
    "gp_contacts_12m": "GP contacts in the last year",
    "egfr": "kidney function (eGFR)",
    "hba1c": "HbA1c",
    "systolic_bp": "blood pressure",
    "bmi": "BMI",
}


def observation_measures() -> tuple[str, ...]:
    return tuple(dict.fromkeys(codelists.observation_codes().column("key").to_pylist()))


def feature_names() -> list[str]:
    efi = [frailty.efi_deficit_column(d.key) for d in codelists.efi_deficits()]
    registers = [comorbidity.register_column(r) for r in codelists.registers()]
    return ["female", *_PLAIN, "lives_alone", *efi, *registers, *observation_measures()]


def feature_words(name: str) -> str:
    if name in FEATURE_WORDS:
        return FEATURE_WORDS[name]
    if name.startswith("efi_"):
        labels = {frailty.efi_deficit_column(d.key): d.label for d in codelists.efi_deficits()}
        return labels.get(name, name)
    if name.startswith("register_"):
        return name.removeprefix("register_").replace("_", " ") + " register"
    return name.replace("_", " ")


def latest_observations(tables: Tables, index_date: dt.date) -> ir.Table:
    """(patient_id, <measure>...) latest numeric value of each measure in the two years before."""
    observation = tables["observation"]
    window = Window.years(index_date, OBSERVATION_LOOKBACK_YEARS)
    codes = ibis.memtable(codelists.observation_codes())
    recent = observation.filter(
        window.contains(observation.effective_date) & observation.value_number.notnull()
    )
    joined = recent.join(codes, [recent.code_system == codes.code_system, recent.code == codes.code])
    picked = joined.select(
        joined.patient_id, measure=codes.key, value=joined.value_number, date=joined.effective_date
    )
    return picked.group_by("patient_id").aggregate(
        **{
            measure: picked.value.argmax(picked.date, where=picked.measure == measure)
            for measure in observation_measures()
        }
    )


def outcome(tables: Tables, index_date: dt.date, horizon_end: dt.date) -> ir.Table:
    """(patient_id, admitted): an emergency admission in (index date, horizon end]."""
    encounter = tables["encounter"]
    window = Window(index_date, horizon_end)
    admissions = encounter.filter(
        (encounter.setting == "inpatient")
        & (encounter.admission_method == "emergency")
        & window.contains(encounter.start_date)
    )
    return admissions.select("patient_id").distinct().mutate(admitted=ibis.literal(True))


def horizon_end(index_date: dt.date) -> dt.date:
    """Twelve months after the index date (the same calendar day a year later)."""
    return years_before(index_date, -1)


def matrix(scores: pa.Table, observations: pa.Table) -> tuple[np.ndarray, list[str]]:
    """The feature matrix (float32, NaN for unknown) in feature_names() order, rows as in `scores`.

    Column-major (Fortran order): it is filled a feature at a time, and a column of a row-major
    matrix is a stride through all of it (a national group's matrix is ~200 MB, filled ~75 times).
    LightGBM reads either layout and gives the same predictions and contributions.
    """
    names = feature_names()
    n = scores.num_rows
    out = np.full((n, len(names)), np.nan, dtype=np.float32, order="F")
    column = {name: i for i, name in enumerate(names)}
    out[:, column["female"]] = _as_float(pc.equal(scores.column("sex"), "female"))
    out[:, column["lives_alone"]] = _as_float(scores.column("lives_alone").fill_null(False))
    for name in names:
        if name in scores.column_names and name not in ("lives_alone",):
            out[:, column[name]] = _as_float(scores.column(name))
    if observations.num_rows:
        aligned = _align(scores.column("patient_id"), observations)
        for measure in observation_measures():
            out[:, column[measure]] = _as_float(aligned.column(measure))
    return out, names


def _as_float(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if pa.types.is_boolean(array.type):
        array = pc.cast(array, pa.int8())
    return np.asarray(pc.cast(array, pa.float32()).to_numpy(zero_copy_only=False), dtype=np.float32)


def _align(patient_ids: pa.ChunkedArray, table: pa.Table) -> pa.Table:
    """`table`'s rows in the order of `patient_ids` (nulls where a person has no row)."""
    positions = pc.index_in(patient_ids, value_set=table.column("patient_id"))
    return table.take(positions)


def outcome_vector(scores: pa.Table, admitted: pa.Table) -> np.ndarray:
    flags = pc.is_in(scores.column("patient_id"), value_set=admitted.column("patient_id"))
    return np.asarray(flags.to_numpy(zero_copy_only=False), dtype=np.int8)
