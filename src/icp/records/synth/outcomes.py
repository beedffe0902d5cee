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
from icp.records.synth.history import (
    DEATH_SEASON,
    EMERGENCY_SEASON,
    EMERGENCY_TREND,
    FallsHistory,
    seasonal_days,
    simulate_falls,
    trend,
)
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


# Places of death (as death registrations record them) and their base shares: icp's assumptions,
# close to the UK's recent pattern (about half in hospital); see docs/synthetic-population.md.
DEATH_PLACES = ("hospital", "home", "care_home", "hospice", "other")
DEATH_PLACE_SHARES = (0.52, 0.26, 0.12, 0.06, 0.04)

# Lower-limb amputations among people with diabetes (OPCS-4; descriptions as OPCS-4.10 gives them).
MAJOR_AMPUTATIONS = (
    ("X09.3", "Amputation of leg above knee", 0.40),
    ("X09.4", "Amputation of leg through knee", 0.05),
    ("X09.5", "Amputation of leg below knee", 0.55),
)
MINOR_AMPUTATIONS = (
    ("X10.4", "Amputation through metatarsal bones", 0.30),
    ("X11.1", "Amputation of great toe", 0.30),
    ("X11.2", "Amputation of phalanx of toe", 0.40),
)
MAJOR_AMPUTATION_RATE = 0.0008  # a year, per person with diabetes
MINOR_AMPUTATION_RATE = 0.0014


@dataclass
class Outcomes:
    death_day: Ints
    efi: Floats
    emergency_person: Ints  # one element per emergency spell
    emergency_day: Ints
    elective_person: Ints
    elective_day: Ints
    falls: FallsHistory | None = None
    death_place: npt.NDArray[np.int8] | None = None  # index into DEATH_PLACES (-1: alive)
    amputation_person: Ints | None = None
    amputation_day: Ints | None = None
    amputation_code: npt.NDArray[np.int8] | None = None  # index into MAJOR + MINOR_AMPUTATIONS


def _group_mean(values: Floats, group: Ints, weight: Bools) -> Floats:
    totals = np.bincount(group, weights=values * weight, minlength=64)
    counts = np.bincount(group, weights=weight.astype(np.float64), minlength=64)
    means = np.where(counts > 0, totals / np.maximum(counts, 1.0), 1.0)
    return np.maximum(means, 1e-12)[group]


def _events(
    rng: np.random.Generator, counts: npt.NDArray[np.int64], year: int, death_day: Ints, amplitude: float
) -> tuple[Ints, Ints]:
    person = np.repeat(np.arange(counts.size, dtype=np.int32), counts)
    day = seasonal_days(rng, person.size, year, amplitude)
    keep = (day < death_day[person]) & (day <= EXTRACT_DAY)
    return person[keep], day[keep]


def simulate_outcomes(
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    deficits: dict[str, Bools],
    calibration: object,
    medicines: Bools | None = None,
    *,
    intervention_effect: float = 0.2,
    with_history: bool = True,
) -> Outcomes:
    """Deaths and hospital spells year by year; with `with_history` (off only while calibrating)
    also falls admissions and falls pathway enrolments, amputations and places of death."""
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
    rr_elective = np.exp(0.12 * multimorbidity)
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
        expected *= trend(year, EMERGENCY_TREND)
        counts = rng.poisson(np.where(alive, expected, 0.0))

        log_rr_death = 5.0 * efi + 0.10 * multimorbidity + 0.08 * deprivation + 0.5 * np.minimum(counts, 2)
        log_rr_death += 2.0 * registers["palliative_care"] + 0.6 * registers["dementia"]
        log_rr_death += 0.5 * registers["heart_failure"] + 0.6 * registers["cancer"]
        rr_death = np.exp(log_rr_death)
        hazard = (
            mx[sex, np.minimum(age.astype(np.int64), 100)] * rr_death / _group_mean(rr_death, group, alive)
        )
        dying = np.flatnonzero(alive & (rng.random(cohort.size) < -np.expm1(-hazard)))
        day = seasonal_days(rng, dying.size, year, DEATH_SEASON)  # days for the dying alone
        dying, day = dying[day <= EXTRACT_DAY], day[day <= EXTRACT_DAY]
        death_day[dying] = day

        emergency.append(_events(rng, counts, year, death_day, EMERGENCY_SEASON))
        expected_elective = (
            admissions * rates.elective_share * rr_elective / _group_mean(rr_elective, group, alive)
        )
        elective.append(
            _events(rng, rng.poisson(np.where(alive, expected_elective, 0.0)), year, death_day, 0.0)
        )
        previous = counts
    outcomes = Outcomes(
        death_day=death_day,
        efi=efi,
        emergency_person=np.concatenate([p for p, _ in emergency]),
        emergency_day=np.concatenate([d for _, d in emergency]),
        elective_person=np.concatenate([p for p, _ in elective]),
        elective_day=np.concatenate([d for _, d in elective]),
    )
    if with_history:
        outcomes.falls = simulate_falls(cohort, rng, efi, deficits["falls"], death_day, intervention_effect)
        outcomes.death_place = _death_places(cohort, rng, registers, deficits, efi, death_day)
        _amputations(outcomes, cohort, rng, registers, deficits, deprivation)
    return outcomes


def _death_places(
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    deficits: dict[str, Bools],
    efi: Floats,
    death_day: Ints,
) -> npt.NDArray[np.int8]:
    """Place of death for each death (-1 for the living): palliative care raises home and hospice,
    dementia, being housebound and frailty raise care home; home rises a little year by year."""
    log_weight = np.tile(np.log(np.array(DEATH_PLACE_SHARES)), (cohort.size, 1))
    year = np.clip((death_day.astype(np.int64) - START_DAY) / DAYS_PER_YEAR, 0, YEARS)
    palliative = registers["palliative_care"].astype(np.float64)
    log_weight[:, 1] += 0.6 * palliative + 0.08 * year
    log_weight[:, 3] += 1.5 * palliative
    log_weight[:, 2] += 0.8 * (registers["dementia"] | deficits["housebound"]) + 1.0 * efi
    chosen = np.argmax(log_weight + rng.gumbel(size=log_weight.shape), axis=1).astype(np.int8)
    return np.where(death_day != NEVER, chosen, -1).astype(np.int8)


def _amputations(
    outcomes: Outcomes,
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    deficits: dict[str, Bools],
    deprivation: Floats,
) -> None:
    """Major and minor lower-limb amputations among people with diabetes, year by year, more often
    with peripheral vascular disease, foot problems and deprivation."""
    diabetes = registers["diabetes"]
    rr = np.exp(1.2 * deficits["peripheral_vascular_disease"] + 0.8 * deficits["foot_problems"])
    rr *= np.exp(0.15 * deprivation)
    rr = rr / max(float(rr[diabetes].mean()), 1e-12) if diabetes.any() else rr
    persons, days, codes = [], [], []
    for kind, (table, rate) in enumerate(
        ((MAJOR_AMPUTATIONS, MAJOR_AMPUTATION_RATE), (MINOR_AMPUTATIONS, MINOR_AMPUTATION_RATE))
    ):
        for year in range(YEARS):
            counts = rng.poisson(np.where(diabetes, rate * rr, 0.0))
            person, day = _events(rng, counts, year, outcomes.death_day, 0.0)
            weights = np.array([w for _, _, w in table])
            code = rng.choice(len(table), size=person.size, p=weights / weights.sum())
            persons.append(person)
            days.append(day)
            codes.append((code + kind * len(MAJOR_AMPUTATIONS)).astype(np.int8))
    outcomes.amputation_person = np.concatenate(persons)
    outcomes.amputation_day = np.concatenate(days)
    outcomes.amputation_code = np.concatenate(codes)
