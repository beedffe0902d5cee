"""What happens over the four years of history: medicines, the eFI, hospital spells and deaths.

The hazard model (documented with its parameters in docs/synthetic-population.md): for each year
of history and each person alive at its start,

    emergency spells ~ Poisson(base_emergency(age) x RR / mean RR of the same sex and 5-year age)
    log RR = 4.0 eFI + 0.15 registers + 0.10 deprivation + 0.35 min(spells last year, 3)
             + 0.6 palliative care + 0.3 heart failure + 0.4 COPD

    P(death in the year) = 1 - exp(-mx(age, sex) x RR_d / mean RR_d of the same sex and age)
    log RR_d = 5.0 eFI + 0.10 registers + 0.08 deprivation + 0.5 min(emergency spells this year, 2)
               + 2.0 palliative care + 0.6 dementia + 0.5 heart failure + 0.6 cancer

Dividing by the mean within each sex and age group keeps the age- and sex-specific rates on the
published ones (NI 2021/22 admissions by age with the NI emergency share; the NI 2020-22 life
table's mx), while frailty, multimorbidity, deprivation and recent admissions decide *who*.
Elective spells follow the published elective rates with a mild multimorbidity gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from icp.records.synth import reference
from icp.records.synth.codes import DEFICITS, REGISTERS, formulary
from icp.records.synth.population import (
    DAYS_PER_YEAR,
    EXTRACT_DAY,
    NEVER,
    START_DAY,
    YEARS,
    Bools,
    Cohort,
    Floats,
    Ints,
)

EFI_DEFICIT_COUNT = 36
POLYPHARMACY = 5  # distinct medicines: the eFI's polypharmacy deficit
PRESCRIBED_IF_INDICATED = 0.8  # chance each indicated medicine is prescribed

# Register → the eFI deficit it records (the rest of the registers are not eFI deficits).
REGISTER_DEFICITS = {
    "hypertension": "hypertension",
    "diabetes": "diabetes",
    "atrial_fibrillation": "atrial_fibrillation",
    "chd": "ischaemic_heart_disease",
    "stroke_tia": "cerebrovascular_disease",
    "heart_failure": "heart_failure",
    "ckd": "chronic_kidney_disease",
    "asthma": "respiratory_disease",
    "copd": "respiratory_disease",
    "dementia": "memory_cognitive",
}
SYMPTOM_DEFICITS = {"memory_symptoms": "memory_cognitive", "respiratory_symptoms": "respiratory_disease"}


def draw_medicines(cohort: Cohort, rng: np.random.Generator, registers: dict[str, Bools]) -> Bools:
    """(people x formulary) matrix: who is prescribed each medicine."""
    medicines = formulary()
    prescribed = np.zeros((cohort.size, len(medicines)), dtype=bool)
    for column, medicine in enumerate(medicines):
        indicated = np.zeros(cohort.size, dtype=bool)
        for register in medicine.indications:
            indicated |= registers[register]
        prescribed[:, column] = indicated & (rng.random(cohort.size) < PRESCRIBED_IF_INDICATED)
    return prescribed


def efi_counts(
    registers: dict[str, Bools], deficits: dict[str, Bools], medicines: Bools
) -> npt.NDArray[np.int16]:
    """Number of the 36 eFI deficits each person has (Clegg 2016: present if ever recorded)."""
    present: dict[str, Bools] = {}
    for register, deficit in REGISTER_DEFICITS.items():
        present[deficit] = present.get(deficit, False) | registers[register]
    for name in DEFICITS:
        deficit = SYMPTOM_DEFICITS.get(name, name)
        present[deficit] = present.get(deficit, False) | deficits[name]
    present["polypharmacy"] = medicines.sum(axis=1) >= POLYPHARMACY
    counts: npt.NDArray[np.int16] = np.sum(np.stack(list(present.values())), axis=0).astype(np.int16)
    return counts


@dataclass
class Outcomes:
    death_day: Ints
    efi: Floats
    emergency_person: Ints  # one element per emergency spell
    emergency_day: Ints
    elective_person: Ints
    elective_day: Ints


def _group_mean(values: Floats, group: Ints, weight: Bools) -> Floats:
    totals = np.bincount(group, weights=values * weight, minlength=64)
    counts = np.bincount(group, weights=weight.astype(np.float64), minlength=64)
    means = np.where(counts > 0, totals / np.maximum(counts, 1.0), 1.0)
    return np.maximum(means, 1e-12)[group]


def _events(
    rng: np.random.Generator, counts: npt.NDArray[np.int64], year_start: int, death_day: Ints
) -> tuple[Ints, Ints]:
    person = np.repeat(np.arange(counts.size, dtype=np.int32), counts)
    day = (year_start + rng.integers(0, 365, person.size)).astype(np.int32)
    keep = (day < death_day[person]) & (day <= EXTRACT_DAY)
    return person[keep], day[keep]


def simulate_outcomes(
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    deficits: dict[str, Bools],
    calibration: object,
    medicines: Bools | None = None,
) -> Outcomes:
    if medicines is None:
        medicines = draw_medicines(cohort, rng, registers)
    efi = efi_counts(registers, deficits, medicines) / EFI_DEFICIT_COUNT
    multimorbidity = sum(registers[name].astype(np.int16) for name in REGISTERS[:12])
    deprivation = (3 - cohort.quintile).astype(np.float64)
    rates = reference.hospital_rates()
    mx = reference.life_table_mx()
    sex = cohort.male.astype(np.int32)
    death_day = np.full(cohort.size, NEVER, dtype=np.int32)
    previous = np.zeros(cohort.size, dtype=np.int64)
    emergency: list[tuple[Ints, Ints]] = []
    elective: list[tuple[Ints, Ints]] = []
    for year in range(YEARS):
        year_start = START_DAY + round(year * DAYS_PER_YEAR)
        alive = death_day == NEVER
        age = cohort.age_on(year_start)
        group = sex * 32 + np.minimum(age // 5, 20).astype(np.int32)
        band = np.searchsorted(rates.band_lower, age, side="right") - 1
        admissions = rates.all_admissions[band]

        log_rr = 4.0 * efi + 0.15 * multimorbidity + 0.10 * deprivation + 0.35 * np.minimum(previous, 3)
        log_rr += (
            0.6 * registers["palliative_care"] + 0.3 * registers["heart_failure"] + 0.4 * registers["copd"]
        )
        rr = np.exp(log_rr)
        expected = admissions * rates.emergency_share * rr / _group_mean(rr, group, alive)
        counts = rng.poisson(np.where(alive, expected, 0.0))

        log_rr_death = 5.0 * efi + 0.10 * multimorbidity + 0.08 * deprivation + 0.5 * np.minimum(counts, 2)
        log_rr_death += 2.0 * registers["palliative_care"] + 0.6 * registers["dementia"]
        log_rr_death += 0.5 * registers["heart_failure"] + 0.6 * registers["cancer"]
        rr_death = np.exp(log_rr_death)
        hazard = (
            mx[sex, np.minimum(age.astype(np.int64), 100)] * rr_death / _group_mean(rr_death, group, alive)
        )
        dies = alive & (rng.random(cohort.size) < 1.0 - np.exp(-hazard))
        day = year_start + rng.integers(0, 365, cohort.size)
        death_day = np.where(dies & (day <= EXTRACT_DAY), day, death_day).astype(np.int32)

        emergency.append(_events(rng, counts, year_start, death_day))
        rr_elective = np.exp(0.12 * multimorbidity)
        expected_elective = (
            admissions * rates.elective_share * rr_elective / _group_mean(rr_elective, group, alive)
        )
        elective.append(
            _events(rng, rng.poisson(np.where(alive, expected_elective, 0.0)), year_start, death_day)
        )
        previous = counts
    return Outcomes(
        death_day=death_day,
        efi=efi,
        emergency_person=np.concatenate([p for p, _ in emergency]),
        emergency_day=np.concatenate([d for _, d in emergency]),
        elective_person=np.concatenate([p for p, _ in elective]),
        elective_day=np.concatenate([d for _, d in elective]),
    )
