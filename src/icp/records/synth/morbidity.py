"""Long-term conditions (the QOF registers) and the eFI's frailty deficits, as of the extract date.

Each register is drawn for everyone at once with a logistic model:

    logit P(register) = intercept + age slope x (age - 50)/10 + sex + deprivation x (3 - quintile)
                        + loading x latent ill-health + links to registers drawn before it

The shape parameters (`REGISTER_MODELS`) are icp's assumptions, chosen to follow the familiar
epidemiology (steep age gradients for AF, heart failure and dementia; COPD strongly graded by
deprivation; depression commoner in women). Only the intercepts are fitted: `calibrate()` solves
for each so that the register's size among people alive on the extract date matches the published
NI QOF prevalence (`reference.qof_prevalence()`), on a fixed reference population with NI's age,
sex and deprivation structure. The docs list the parameters (docs/synthetic-population.md).

Frailty deficits are drawn the same way from a latent frailty (correlated with ill-health) and the
number of registers held, with a per-deficit intercept fixed by `DEFICIT_PREVALENCE_65` (the share
of people aged 65+ recorded with it; icp's assumptions) and a common loading `FRAILTY_LOADING`
chosen so that eFI categories among people 65+ come out near Clegg et al. 2016.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import numpy.typing as npt

from icp.records.synth import reference
from icp.records.synth.codes import DEFICITS, REGISTERS
from icp.records.synth.population import EXTRACT_DAY, NEVER, Bools, Cohort, Floats, Ints


@dataclass(frozen=True)
class RegisterModel:
    minimum_age: int  # nobody younger is on the register (the QOF denominator's floor, or onset)
    age_slope: float  # log-odds per decade of age
    male: float  # log-odds, men vs women
    deprivation: float  # log-odds per quintile step towards the most deprived
    loading: float  # log-odds per SD of latent ill-health
    links: dict[str, float] = field(default_factory=dict)  # log-odds if on another register


REGISTER_MODELS: dict[str, RegisterModel] = {
    "hypertension": RegisterModel(18, 0.75, 0.10, 0.05, 0.35),
    "diabetes": RegisterModel(17, 0.45, 0.30, 0.15, 0.45, {"hypertension": 0.6}),
    "asthma": RegisterModel(0, -0.02, -0.15, 0.08, 0.35),
    "copd": RegisterModel(35, 0.65, 0.10, 0.30, 0.45, {"asthma": 0.8}),
    "chd": RegisterModel(30, 0.75, 0.70, 0.12, 0.45, {"hypertension": 0.5, "diabetes": 0.5}),
    "stroke_tia": RegisterModel(20, 0.75, 0.15, 0.10, 0.40, {"hypertension": 0.5}),
    "atrial_fibrillation": RegisterModel(30, 1.00, 0.40, 0.00, 0.30, {"hypertension": 0.4}),
    "heart_failure": RegisterModel(30, 0.95, 0.35, 0.12, 0.45, {"chd": 1.0, "atrial_fibrillation": 0.9}),
    "ckd": RegisterModel(18, 1.00, -0.20, 0.08, 0.35, {"hypertension": 0.7, "diabetes": 0.7}),
    "dementia": RegisterModel(45, 1.50, -0.15, 0.08, 0.35, {"stroke_tia": 0.6}),
    "cancer": RegisterModel(20, 0.70, 0.00, -0.03, 0.25),
    "depression": RegisterModel(18, -0.05, -0.65, 0.15, 0.50),
    "palliative_care": RegisterModel(
        18, 0.60, 0.00, 0.05, 0.30, {"cancer": 2.2, "heart_failure": 1.2, "dementia": 1.3, "copd": 0.8}
    ),
    "learning_disability": RegisterModel(0, -0.25, 0.35, 0.15, 0.00),
}

# Share of people aged 65+ ever recorded with each deficit (icp's assumptions), and each
# deficit's age slope (log-odds per decade).
DEFICIT_PREVALENCE_65: dict[str, tuple[float, float]] = {
    "activity_limitation": (0.087, 0.6),
    "anaemia": (0.145, 0.4),
    "arthritis": (0.479, 0.3),
    "care_requirement": (0.072, 0.9),
    "dizziness": (0.203, 0.3),
    "dyspnoea": (0.16, 0.4),
    "falls": (0.145, 0.8),
    "foot_problems": (0.145, 0.4),
    "fragility_fracture": (0.102, 0.6),
    "hearing_impairment": (0.289, 0.7),
    "heart_valve_disease": (0.072, 0.6),
    "housebound": (0.05, 1.0),
    "hypotension_syncope": (0.116, 0.4),
    "mobility_problems": (0.102, 0.8),
    "osteoporosis": (0.129, 0.5),
    "parkinsonism": (0.043, 0.5),
    "peptic_ulcer": (0.072, 0.2),
    "peripheral_vascular_disease": (0.058, 0.5),
    "skin_ulcer": (0.072, 0.6),
    "sleep_disturbance": (0.16, 0.1),
    "social_vulnerability": (0.203, 0.6),
    "thyroid_disease": (0.16, 0.2),
    "urinary_incontinence": (0.129, 0.6),
    "urinary_system_disease": (0.189, 0.3),
    "visual_impairment": (0.391, 0.6),
    "weight_loss": (0.072, 0.6),
    "memory_symptoms": (0.058, 0.9),
    "respiratory_symptoms": (0.145, 0.2),
}
FRAILTY_LOADING = 0.5  # log-odds per SD of latent frailty, shared by every deficit
MULTIMORBIDITY_LOADING = 0.12  # log-odds per register held


def _sigmoid(x: Floats) -> Floats:
    return 1.0 / (1.0 + np.exp(-x))


def _register_logit(name: str, cohort: Cohort, age: Floats, registers: dict[str, Bools]) -> Floats:
    model = REGISTER_MODELS[name]
    logit = model.age_slope * (np.minimum(age, 95.0) - 50.0) / 10.0
    logit = logit + model.male * cohort.male + model.deprivation * (3 - cohort.quintile)
    logit = logit + model.loading * cohort.health
    for other, weight in model.links.items():
        logit = logit + weight * registers[other]
    result: Floats = logit
    return result


def _solve_intercept(logit: Floats, eligible: Bools, target: float) -> float:
    """The intercept a with mean(sigmoid(a + logit)) over everyone = target.

    Newton's method on the increasing function of a, kept inside a shrinking bracket (a step that
    would leave it bisects instead): the same root as bisection, in a handful of passes over the
    data instead of 36 (calibration runs before any ICP can start).
    """
    low, high = -25.0, 15.0
    base = logit[eligible]
    population = eligible.size
    if base.size == 0 or target <= 0.0:
        return low
    middle = float(np.clip(np.log(target / (1.0 - target)) - float(np.median(base)), low, high))
    for _ in range(60):
        share = _sigmoid(middle + base)
        achieved = float(share.sum()) / population
        slope = float((share * (1.0 - share)).sum()) / population
        if achieved < target:
            low = middle
        else:
            high = middle
        step = (target - achieved) / slope if slope > 0 else np.inf
        following = middle + step
        if not low < following < high:
            following = (low + high) / 2
        if abs(following - middle) < 1e-11:
            return following
        middle = following
    return middle


@dataclass(frozen=True)
class Calibration:
    register_intercepts: dict[str, float]
    deficit_intercepts: dict[str, float]


def draw_registers(
    cohort: Cohort, rng: np.random.Generator, intercepts: dict[str, float]
) -> dict[str, Bools]:
    """Who is on each register on the extract date (if alive), in REGISTERS order."""
    age = cohort.age_on(EXTRACT_DAY)
    registers: dict[str, Bools] = {}
    for name in REGISTERS:
        eligible = age >= REGISTER_MODELS[name].minimum_age
        probability = _sigmoid(intercepts[name] + _register_logit(name, cohort, age, registers))
        registers[name] = eligible & (rng.random(cohort.size) < probability)
    return registers


def register_count(registers: dict[str, Bools]) -> npt.NDArray[np.int16]:
    count = np.zeros(next(iter(registers.values())).shape[0], dtype=np.int16)
    for name in REGISTERS:
        if name not in ("palliative_care", "learning_disability"):
            count += registers[name]
    return count


def _deficit_logit(name: str, cohort: Cohort, age: Floats, multimorbidity: npt.NDArray[np.int16]) -> Floats:
    slope = DEFICIT_PREVALENCE_65[name][1]
    logit = slope * (np.minimum(age, 95.0) - 75.0) / 10.0
    return logit + FRAILTY_LOADING * cohort.frailty + MULTIMORBIDITY_LOADING * multimorbidity


def draw_deficits(
    cohort: Cohort, rng: np.random.Generator, intercepts: dict[str, float], registers: dict[str, Bools]
) -> dict[str, Bools]:
    age = cohort.age_on(EXTRACT_DAY)
    multimorbidity = register_count(registers)
    adult = age >= 18
    return {
        name: adult
        & (
            rng.random(cohort.size)
            < _sigmoid(intercepts[name] + _deficit_logit(name, cohort, age, multimorbidity))
        )
        for name in DEFICITS
    }


def onset_days(
    cohort: Cohort,
    rng: np.random.Generator,
    present: Bools,
    minimum_age: float,
    *,
    recent_years: float | None = None,
) -> Ints:
    """Onset day of each present condition (NEVER where absent): between `minimum_age` (or
    `recent_years` before the extract date) and the extract date, weighted towards later ages
    (the square root of a uniform), because incidence rises with age."""
    extract_age = cohort.age_on(EXTRACT_DAY)
    earliest = np.full(cohort.size, float(minimum_age))
    if recent_years is not None:
        earliest = np.maximum(earliest, extract_age - recent_years)
    earliest = np.minimum(earliest, extract_age)
    onset_age = earliest + (extract_age - earliest) * np.sqrt(rng.random(cohort.size))
    day = (cohort.birth_day + onset_age * 365.25).astype(np.int64)
    return np.where(present, np.minimum(day, EXTRACT_DAY), NEVER).astype(np.int32)


@cache
def calibrate() -> Calibration:
    """Fit the intercepts once per process on a fixed reference population (seed 20240331)."""
    from icp.records.synth.outcomes import simulate_outcomes

    rng = np.random.default_rng(20240331)
    cohort = _reference_cohort(rng)
    targets = reference.qof_prevalence()
    age = cohort.age_on(EXTRACT_DAY)

    def fit(adjust: dict[str, float], alive: Bools) -> dict[str, float]:
        registers: dict[str, Bools] = {}
        intercepts: dict[str, float] = {}
        for name in REGISTERS:
            target = targets[name]
            denominator = alive & (age >= target.minimum_age)
            eligible = denominator & (age >= REGISTER_MODELS[name].minimum_age)
            logit = _register_logit(name, cohort, age, registers)
            share = target.per_100 / 100 * adjust.get(name, 1.0)
            intercepts[name] = _solve_intercept(logit[denominator], eligible[denominator], share)
            registers[name] = eligible & (rng.random(cohort.size) < _sigmoid(intercepts[name] + logit))
        return intercepts

    everyone = np.ones(cohort.size, dtype=bool)
    first = fit({}, everyone)
    deficits = _fit_deficits(cohort, rng, first)
    # Deaths over the four years take more people off the sicker registers: simulate them once
    # and raise each target by what was lost, so prevalence among the living lands on the target.
    registers = draw_registers(cohort, rng, first)
    drawn = draw_deficits(cohort, rng, deficits, registers)
    calibration = Calibration(first, deficits)
    death_day = simulate_outcomes(cohort, rng, registers, drawn, calibration, with_history=False).death_day
    alive = death_day > EXTRACT_DAY
    adjust = {}
    for name in REGISTERS:
        denominator = age >= targets[name].minimum_age
        before = registers[name][denominator].mean()
        after = registers[name][alive & denominator].mean()
        adjust[name] = float(before / after) if after > 0 else 1.0
    final = fit(adjust, everyone)
    return Calibration(final, _fit_deficits(cohort, rng, final))


def _fit_deficits(
    cohort: Cohort, rng: np.random.Generator, register_intercepts: dict[str, float]
) -> dict[str, float]:
    registers = draw_registers(cohort, rng, register_intercepts)
    multimorbidity = register_count(registers)
    age = cohort.age_on(EXTRACT_DAY)
    older = age >= 65
    intercepts = {}
    for name in DEFICITS:
        logit = _deficit_logit(name, cohort, age, multimorbidity)[older]
        intercepts[name] = _solve_intercept(
            logit, np.ones(logit.size, dtype=bool), DEFICIT_PREVALENCE_65[name][0]
        )
    return intercepts


def _reference_cohort(rng: np.random.Generator, size: int = 200_000) -> Cohort:
    """NI-wide structure: NI age and sex shares, NIMDM ranks drawn uniformly (equal quintiles)."""
    from icp.records.synth.population import START_DAY, Cohort

    shares = reference.age_sex_shares()
    cell = rng.choice(shares.size, size=size, p=shares.ravel())
    age = (cell % shares.shape[1]) * 5 + rng.random(size) * 5
    soa_rank = rng.integers(1, reference.NIMDM_AREAS + 1, size).astype(np.int16)
    quintile = ((soa_rank - 1) // (reference.NIMDM_AREAS // 5) + 1).astype(np.int8)
    health = rng.standard_normal(size) + 0.15 * (3 - quintile)
    return Cohort(
        icp="reference",
        icp_index=0,
        practice_codes=["reference"],
        practice_districts=[""],
        practice=np.zeros(size, dtype=np.int16),
        male=cell >= shares.shape[1],
        age_at_start=age,
        birth_day=np.floor(START_DAY - age * 365.25).astype(np.int32),
        soa_rank=soa_rank,
        quintile=quintile,
        health=health,
        frailty=0.6 * health + 0.8 * rng.standard_normal(size),
    )
