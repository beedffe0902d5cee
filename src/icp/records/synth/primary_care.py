"""GP-record rows: the patient table, conditions and deficits, medicines and observations.

Observations follow what the pathways read: blood pressure, HbA1c, eGFR, BMI and smoking status
for people on the relevant registers (and a share of everyone else), FEV1 and the MRC dyspnoea
grade for people with COPD. Values are drawn from distributions that move with the person's
registers, age and frailty (docs/synthetic-population.md lists them); they are plausible, not
calibrated to a published table.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from icp.records.synth import reference
from icp.records.synth.codes import DEFICITS, REGISTERS, code_choices, formulary
from icp.records.synth.identity import FAMILY, GIVEN_FEMALE, GIVEN_MALE, health_and_care_numbers
from icp.records.synth.morbidity import REGISTER_MODELS, onset_days
from icp.records.synth.outcomes import Outcomes
from icp.records.synth.population import (
    DAYS_PER_YEAR,
    EXTRACT_DAY,
    NEVER,
    START_DAY,
    YEARS,
    Bools,
    Cohort,
    Ints,
)
from icp.records.synth.tables import constant, dates, opaque_ids, pick, provenance, row_ids

# Observation codes: SNOMED CT where the UK records it so (and stratify's code lists look for it),
# LOINC for smoking status and FEV1. No verified national code for the MRC dyspnoea scale was
# available in the reference material, so it is kept under a local code (docs say so).
OBSERVATIONS = {
    "systolic": ("snomed", "72313002", "Systolic arterial pressure", "mm[Hg]"),
    "diastolic": ("snomed", "1091811000000102", "Diastolic arterial pressure", "mm[Hg]"),
    "hba1c": (
        "snomed",
        "999791000000106",
        "Haemoglobin A1c level - International Federation of Clinical Chemistry and Laboratory "
        "Medicine standardised",
        "mmol/mol",
    ),
    "egfr": (
        "snomed",
        "1011481000000105",
        "eGFR (estimated glomerular filtration rate) using creatinine Chronic Kidney Disease "
        "Epidemiology Collaboration equation per 1.73 square metres",
        "mL/min/{1.73_m2}",
    ),
    "bmi": ("snomed", "60621009", "Body mass index", "kg/m2"),
    "smoking": ("loinc", "72166-2", "Tobacco smoking status", ""),
    "fev1": ("loinc", "20150-9", "FEV1", "L"),
    "mrc": ("icp-local", "mrc-dyspnoea-grade", "MRC dyspnoea scale grade (1-5)", "{grade}"),
}
SMOKING_VALUES = (
    ("77176002", "Smoker"),
    ("8517006", "Ex-smoker"),
    ("266919005", "Never smoked tobacco"),
)
CARDIOVASCULAR = (
    "hypertension",
    "diabetes",
    "chd",
    "stroke_tia",
    "ckd",
    "heart_failure",
    "atrial_fibrillation",
)


def patient_ids(cohort: Cohort, rng: np.random.Generator) -> pa.Array:
    """Each person's opaque id: S-<ICP>-<16 random hex digits>, never a running number."""
    return opaque_ids(f"S-{cohort.icp}-", cohort.size, rng)


def patient_table(
    cohort: Cohort,
    rng: np.random.Generator,
    outcomes: Outcomes,
    source: str,
    pids: pa.Array,
    national: npt.NDArray[np.int64] | None = None,
) -> pa.Table:
    """One row per person; `national` gives their H&C numbers (default: the ICP's first ones)."""
    n = cohort.size
    if national is None:
        national = health_and_care_numbers(cohort.icp_index, n)
    given_f = rng.integers(0, len(GIVEN_FEMALE), n)
    given_m = rng.integers(0, len(GIVEN_MALE), n)
    given = np.where(cohort.male, pick_index_offset(given_m, len(GIVEN_FEMALE)), given_f)
    soa_codes = reference.soa_codes_by_rank()
    soa_by_rank = [soa_codes.get(rank, "") for rank in range(reference.NIMDM_AREAS + 1)]
    return pa.table(
        {
            "patient_id": pids,
            "national_id": pa.array(national).cast(pa.string()),
            "national_id_system": constant("hcn", n, pa.string()),
            "given_name": pick((*GIVEN_FEMALE, *GIVEN_MALE), given),
            "family_name": pick(FAMILY, rng.integers(0, len(FAMILY), n)),
            "sex": pick(("female", "male"), cohort.male.astype(np.int32)),
            "birth_date": dates(cohort.birth_day),
            "death_date": dates(outcomes.death_day),
            "practice_code": pick(cohort.practice_codes, cohort.practice),
            "registered": constant(True, n, pa.bool_()),
            "postcode_district": pick(cohort.practice_districts, cohort.practice),
            "small_area": pick(soa_by_rank, cohort.soa_rank),
            "deprivation_quintile": pa.array(cohort.quintile, pa.int8()),
            **provenance(cohort.icp, n, source),
        }
    )


def pick_index_offset(index: npt.NDArray[np.integer], offset: int) -> npt.NDArray[np.int64]:
    return np.asarray(index, dtype=np.int64) + offset


def condition_table(
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    deficits: dict[str, Bools],
    outcomes: Outcomes,
    pids: pa.Array,
    source: str,
) -> tuple[pa.Table, dict[str, Ints]]:
    """Register conditions and frailty deficits as problem-list conditions; also returns onsets."""
    parts: list[pa.Table] = []
    onsets: dict[str, Ints] = {}
    choices = code_choices()
    wanted = [("condition", name, registers[name]) for name in REGISTERS]
    wanted += [("deficit", name, deficits[name]) for name in DEFICITS]
    for group, name, present in wanted:
        if group == "condition":
            minimum = REGISTER_MODELS[name].minimum_age
            recent = 1.5 if name == "palliative_care" else None
        else:
            minimum, recent = 40, None
        onset = onset_days(cohort, rng, present, minimum, recent_years=recent)
        onset = np.where(onset < outcomes.death_day, onset, NEVER).astype(np.int32)
        onsets[name] = onset
        person = np.flatnonzero(onset != NEVER)
        if person.size == 0:
            continue
        choice = choices[(group, name)]
        picked = rng.choice(len(choice.codes), size=person.size, p=choice.weights).astype(np.int32)
        parts.append(
            pa.table(
                {
                    "patient_id": pids.take(pa.array(person)),
                    "code": pick(choice.codes, picked),
                    "display": pick(choice.displays, picked),
                    "onset_date": dates(onset[person]),
                }
            )
        )
    body = pa.concat_tables(parts)
    n = body.num_rows
    table = pa.table(
        {
            "condition_id": row_ids(cohort, "C", n),
            "patient_id": body["patient_id"],
            "code_system": constant("snomed", n, pa.string()),
            "code": body["code"],
            "display": body["display"],
            "onset_date": body["onset_date"],
            "recorded_date": body["onset_date"],
            "clinical_status": constant("active", n, pa.string()),
            "category": constant("problem-list-item", n, pa.string()),
            **provenance(cohort.icp, n, source),
        }
    )
    return table, onsets


def medication_table(
    cohort: Cohort,
    rng: np.random.Generator,
    prescribed: Bools,
    onsets: dict[str, Ints],
    outcomes: Outcomes,
    pids: pa.Array,
    source: str,
) -> pa.Table:
    """Each prescribed medicine from soon after its first indicated register's onset; stopped at death."""
    medicines = formulary()
    persons, codes, starts = [], [], []
    for column, medicine in enumerate(medicines):
        person = np.flatnonzero(prescribed[:, column])
        first = np.min(np.stack([onsets[r][person] for r in medicine.indications]), axis=0)
        start = np.minimum(first.astype(np.int64) + rng.integers(0, 90, person.size), EXTRACT_DAY)
        keep = (first != NEVER) & (start < outcomes.death_day[person])
        persons.append(person[keep])
        starts.append(start[keep])
        codes.append(np.full(int(keep.sum()), column, dtype=np.int32))
    person = np.concatenate(persons)
    medicine_index = np.concatenate(codes)
    start_day = np.concatenate(starts).astype(np.int32)
    death = outcomes.death_day[person]
    n = person.size
    return pa.table(
        {
            "medication_id": row_ids(cohort, "M", n),
            "patient_id": pids.take(pa.array(person)),
            "code_system": constant("dmd", n, pa.string()),
            "code": pick([m.code for m in medicines], medicine_index),
            "display": pick([m.display for m in medicines], medicine_index),
            "kind": constant("statement", n, pa.string()),
            "status": pick(("active", "stopped"), (death != NEVER).astype(np.int32)),
            "start_date": dates(start_day),
            "end_date": dates(death),
            **provenance(cohort.icp, n, source),
        }
    )


def observation_table(
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    outcomes: Outcomes,
    pids: pa.Array,
    source: str,
) -> pa.Table:
    """Yearly measurements over the history, for the living."""
    n = cohort.size
    columns: dict[str, list[npt.NDArray[np.generic]]] = {
        k: [] for k in ("person", "kind", "day", "value", "coded")
    }
    kinds = list(OBSERVATIONS)
    cardiovascular = np.zeros(n, dtype=bool)
    for name in CARDIOVASCULAR:
        cardiovascular |= registers[name]
    copd, diabetes, ckd = registers["copd"], registers["diabetes"], registers["ckd"]
    deprivation = (3 - cohort.quintile).astype(np.float64)
    smoker_p = 1 / (1 + np.exp(-(-1.7 + 0.3 * deprivation + 1.6 * copd)))
    smoking_status = np.where(
        rng.random(n) < smoker_p, 0, np.where(rng.random(n) < 0.3 + 0.4 * copd, 1, 2)
    ).astype(np.int32)

    def measured(kind: str, who: Bools, year_start: int, coded: int = -1) -> Ints:
        """Measure `kind` on a day of the year for each of `who` alive that day; returns their
        places, for the caller to add their values (drawn for those measured alone)."""
        person = np.flatnonzero(who).astype(np.int32)
        day = year_start + rng.integers(0, 365, person.size)
        keep = (day < outcomes.death_day[person]) & (day <= EXTRACT_DAY)
        person, day = person[keep], day[keep]
        columns["person"].append(person)
        columns["kind"].append(np.full(person.size, kinds.index(kind), dtype=np.int32))
        columns["day"].append(day.astype(np.int32))
        columns["coded"].append(
            np.full(person.size, coded, dtype=np.int32) if coded >= 0 else smoking_status[person]
        )
        return person

    values = columns["value"]
    hypertension = registers["hypertension"]
    for year in range(YEARS):
        year_start = START_DAY + round(year * DAYS_PER_YEAR)
        age = cohort.age_on(year_start)
        adult = age >= 18
        checked = cardiovascular | ((age >= 40) & (rng.random(n) < 0.35))
        p = measured("systolic", checked, year_start)
        systolic = rng.normal(124 + 0.35 * (age[p] - 50) + 9 * hypertension[p], 14)
        values.append(np.round(np.clip(systolic, 85, 220)))
        p = measured("diastolic", checked, year_start)
        diastolic = rng.normal(78 + 4 * hypertension[p] - 0.1 * (age[p] - 60), 9)
        values.append(np.round(np.clip(diastolic, 45, 130)))
        for _ in range(2):
            p = measured("hba1c", diabetes | ((age >= 40) & (rng.random(n) < 0.05)), year_start)
            hba1c = np.where(diabetes[p], rng.normal(58, 13, p.size), rng.normal(38, 4, p.size))
            values.append(np.round(np.clip(hba1c, 25, 140)))
        p = measured("egfr", ckd | diabetes | hypertension, year_start)
        usual = 92 - 0.7 * np.maximum(age[p] - 40, 0)
        egfr = np.where(ckd[p], rng.normal(42, 9, p.size), rng.normal(usual, 12, p.size))
        values.append(np.round(np.clip(egfr, 8, 120)))
        p = measured("bmi", adult & (rng.random(n) < 0.3), year_start)
        bmi = rng.normal(27.2 + 3.0 * diabetes[p] + 0.3 * deprivation[p], 4.8)
        values.append(np.round(np.clip(bmi, 15, 60), 1))
        p = measured("smoking", copd | (adult & (rng.random(n) < (0.5 if year == 0 else 0.15))), year_start)
        values.append(np.full(p.size, np.nan))
        p = measured("fev1", copd, year_start)
        fev1 = rng.normal(1.7 - 0.02 * (age[p] - 60) + 0.6 * cohort.male[p] - 1.0 * outcomes.efi[p], 0.4)
        values.append(np.round(np.clip(fev1, 0.4, 4.5), 2))
        p = measured("mrc", copd, year_start)
        values.append(np.clip(np.round(1.6 + 5.0 * outcomes.efi[p] + rng.normal(0, 0.8, p.size)), 1, 5))

    person = np.concatenate(columns["person"])
    kind = np.concatenate(columns["kind"])
    value = np.concatenate(columns["value"])
    coded = np.concatenate(columns["coded"])
    is_smoking = kind == kinds.index("smoking")
    count = person.size
    meta = [OBSERVATIONS[k] for k in kinds]
    value_code = np.where(is_smoking, coded, 0).astype(np.int32)
    return pa.table(
        {
            "observation_id": row_ids(cohort, "O", count),
            "patient_id": pids.take(pa.array(person)),
            "code_system": pick([m[0] for m in meta], kind),
            "code": pick([m[1] for m in meta], kind),
            "display": pick([m[2] for m in meta], kind),
            "effective_date": dates(np.concatenate(columns["day"])),
            "value_number": pa.array(value, mask=is_smoking),
            "value_unit": pa.array([m[3] or None for m in meta], pa.string()).take(pa.array(kind)),
            "value_code_system": _masked(["snomed"] * len(SMOKING_VALUES), value_code, is_smoking),
            "value_code": _masked([c for c, _ in SMOKING_VALUES], value_code, is_smoking),
            "value_display": _masked([d for _, d in SMOKING_VALUES], value_code, is_smoking),
            **provenance(cohort.icp, count, source),
        }
    )


def _masked(values: list[str], index: npt.NDArray[np.int32], present: Bools) -> pa.Array:
    """values[index] where present, else null."""
    return pa.array(values, pa.string()).take(pa.array(index, mask=~present))
