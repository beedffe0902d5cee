"""The shape of the four years of history: winter seasonality, trends, falls and the falls pathway.

Seasonality: events within a financial year fall on day d (0 = 1 April) with weight
1 + amplitude x cos(2 pi (d - 289) / 365), peaking on 15 January (day 289) and lowest in mid July.
Trends: a rate that changes by `per_year` a year is multiplied by (1 + per_year)^(year - 1.5), so the
four-year average stays on the calibrated rate.

Falls injuries and the falls prevention pathway (`falls`) are simulated together, month by month,
because enrolment follows recent falls and enrolment changes later falls:

    falls admissions ~ Poisson(month's share of rate(age) x RR / mean RR of the same sex and age
                       group x season x trend), people 18+
    rate(age) = 0.0095 exp(0.085 (age - 70)) a year from 65 (0.0012 a year from 18 to 64)
    log RR = 3.0 eFI + 0.7 falls deficit
    monthly P(enrol) = 0.0018 x RR_e / mean RR_e among the eligible (65+, alive, not yet enrolled)
    log RR_e = 2.0 eFI + 1.4 (a falls admission in the last 6 months) + 0.6 falls deficit

From the day a person enrols, each of their falls admissions is kept with probability 1 - R (a
thinned Poisson process: their rate falls by the proportion R, `--intervention-effect`), so R is
the true effect an evaluation should recover. Because enrolment follows frailty and recent falls,
enrolled people have more falls than others before and after enrolling: a naive comparison of
enrolled with not enrolled is biased and a matched comparison is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import numpy.typing as npt

from icp.records.synth.population import (
    DAYS_PER_YEAR,
    EPOCH,
    EXTRACT_DAY,
    HISTORY_START,
    NEVER,
    START_DAY,
    YEARS,
    Bools,
    Cohort,
    Floats,
    Ints,
)

WINTER_PEAK = 289  # 15 January, in days after 1 April
DAYS_IN_YEAR = 365
MONTHS = YEARS * 12

# Amplitudes and yearly trends (icp's assumptions; docs/synthetic-population.md).
EMERGENCY_SEASON, EMERGENCY_TREND = 0.15, 0.025
DEATH_SEASON = 0.12
AE_SEASON, AE_TREND = 0.10, 0.03
GP_SEASON = 0.08
FALLS_SEASON, FALLS_TREND = 0.12, 0.02

FALLS_ENROLMENT_MONTHLY = 0.0018
FALLS_PROGRAMME_DAYS = 180  # the falls programme's length: the enrolment ends after it
RECENT_FALL_DAYS = 182


@cache
def _season_weights(amplitude: float) -> Floats:
    day = np.arange(DAYS_IN_YEAR, dtype=np.float64)
    weights = 1.0 + amplitude * np.cos(2.0 * np.pi * (day - WINTER_PEAK) / DAYS_IN_YEAR)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


@cache
def _cumulative(weights: tuple[float, ...]) -> Floats:
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.asarray(cdf / cdf[-1], dtype=np.float64)


def _choose(rng: np.random.Generator, weights: Floats, count: int) -> npt.NDArray[np.int64]:
    """`rng.choice(len(weights), count, p=weights)`, without checking the weights again each call
    (the same draws: one uniform each, placed on the cumulative weights)."""
    cdf = _cumulative(tuple(weights.tolist()))
    return np.asarray(cdf.searchsorted(rng.random(count), side="right"), dtype=np.int64)


def year_start(year: int) -> int:
    return START_DAY + round(year * DAYS_PER_YEAR)


def seasonal_days(rng: np.random.Generator, count: int, year: int, amplitude: float) -> Ints:
    """`count` days in financial year `year` (0 = 2022/23), more of them in winter."""
    offsets = _choose(rng, _season_weights(amplitude), count)
    return (year_start(year) + offsets).astype(np.int32)


def trend(year: int | Floats, per_year: float) -> Floats:
    """Multiplier of a rate changing by `per_year` a year, averaging about 1 over the four years."""
    return np.asarray((1.0 + per_year) ** (np.asarray(year, dtype=np.float64) - (YEARS - 1) / 2))


def history_days(rng: np.random.Generator, count: int, amplitude: float, per_year: float) -> Ints:
    """`count` days anywhere in the four years, with seasonality and a trend across years."""
    weights = trend(np.arange(YEARS, dtype=np.float64), per_year)
    year = _choose(rng, weights / weights.sum(), count)
    offsets = _choose(rng, _season_weights(amplitude), count)
    starts = np.array([year_start(y) for y in range(YEARS)], dtype=np.int64)
    return (starts[year] + offsets).astype(np.int32)


def month_starts() -> npt.NDArray[np.int64]:
    """First day of each of the 48 months, and the day after the last (49 values)."""
    starts = []
    for month in range(MONTHS + 1):
        year, index = divmod(HISTORY_START.month - 1 + month, 12)
        starts.append((date(HISTORY_START.year + year, index + 1, 1) - EPOCH).days)
    return np.array(starts, dtype=np.int64)


@dataclass
class FallsHistory:
    person: Ints  # one element per falls admission (after the intervention's effect)
    day: Ints
    enrolled_person: Ints  # one element per falls pathway enrolment
    enrolled_day: Ints
    averted: int  # falls admissions the intervention removed (for the documentation and tests)


def _normalised(rr: Floats, group: Ints, weight: Bools) -> Floats:
    totals = np.bincount(group, weights=rr * weight, minlength=64)
    counts = np.bincount(group, weights=weight.astype(np.float64), minlength=64)
    means = np.where(counts > 0, totals / np.maximum(counts, 1.0), 1.0)
    return rr / np.maximum(means, 1e-12)[group]


def simulate_falls(
    cohort: Cohort,
    rng: np.random.Generator,
    efi: Floats,
    falls_deficit: Bools,
    death_day: Ints,
    intervention_effect: float,
) -> FallsHistory:
    """Falls admissions and falls pathway enrolments over the 48 months (see the module docstring).

    Only people who are adults by the extract date and alive at the start can fall (children have no
    falls rate), and only those 65 or over by then can enrol: each month's arithmetic runs over them
    alone, with the exponentials that do not change taken out of the monthly loop.
    """
    if not 0.0 <= intervention_effect <= 1.0:
        raise ValueError(f"intervention effect {intervention_effect} must be between 0 and 1")
    starts = month_starts()
    season = _season_weights(FALLS_SEASON) * DAYS_IN_YEAR
    extract_age = cohort.age_on(EXTRACT_DAY)
    who = np.flatnonzero((extract_age >= 18) & (death_day > START_DAY)).astype(np.int32)
    birth_day = cohort.birth_day[who]
    death = death_day[who].astype(np.int64)
    sex = cohort.male[who].astype(np.int32)
    rr = np.exp(3.0 * efi[who] + 0.7 * falls_deficit[who])
    # 0.0095 exp(0.085 (age - 70)) = older_rate x exp(0.085 x years since the start).
    older_rate = 0.0095 * np.exp(0.085 * (cohort.age_on(START_DAY)[who] - 70.0))
    # Enrolment: only people 65+ by the extract date (a subset of `who`, by place in it).
    older = np.flatnonzero(extract_age[who] >= 65)
    enrol_rr_base = np.exp(2.0 * efi[who][older] + 0.6 * falls_deficit[who][older])
    recent_factor = float(np.exp(1.4))
    enrolled_day = np.full(who.size, NEVER, dtype=np.int64)
    last_fall = np.full(who.size, -(10**6), dtype=np.int64)
    people: list[Ints] = []
    days: list[Ints] = []
    averted = 0
    for month in range(MONTHS):
        first, after = int(starts[month]), int(starts[month + 1])
        length = after - first
        age = (first - birth_day) / DAYS_PER_YEAR
        alive = death > first
        group = sex * 32 + np.minimum(age // 5, 20).astype(np.int32)
        growth = float(np.exp(0.085 * (first - START_DAY) / DAYS_PER_YEAR))
        rate = np.where(age >= 65, older_rate * growth, np.where(age >= 18, 0.0012, 0.0))
        offset = (first - START_DAY) % DAYS_IN_YEAR
        year = (first - START_DAY) // DAYS_IN_YEAR
        factor = float(season[offset]) * float(trend(year, FALLS_TREND)) * length / DAYS_PER_YEAR
        # Enrolment this month (decided first, so that falls later in the month feel it): 65+, alive,
        # not yet enrolled; more likely frail and fallen in the months before.
        eligible = alive[older] & (age[older] >= 65) & (enrolled_day[older] == NEVER)
        recent = (first - last_fall[older]) <= RECENT_FALL_DAYS
        enrol_rr = np.where(recent, enrol_rr_base * recent_factor, enrol_rr_base)
        mean_rr = float(enrol_rr[eligible].mean()) if eligible.any() else 1.0
        chance = np.clip(FALLS_ENROLMENT_MONTHLY * enrol_rr / mean_rr, 0.0, 0.5)
        enrols = eligible & (rng.random(older.size) < chance)
        day_enrolled = first + rng.integers(0, length, older.size)
        enrols &= (day_enrolled < death[older]) & (day_enrolled <= EXTRACT_DAY)
        enrolled_day[older[enrols]] = day_enrolled[enrols]

        expected = np.where(alive, rate * _normalised(rr, group, alive & (age >= 18)) * factor, 0.0)
        counts = rng.poisson(expected)
        person = np.repeat(np.arange(who.size, dtype=np.int32), counts)
        day = (first + rng.integers(0, length, person.size)).astype(np.int32)
        keep = day < death[person]
        # The intervention: a fall after the person's enrolment is kept with probability 1 - R.
        after_enrolment = day >= enrolled_day[person]
        removed = after_enrolment & (rng.random(person.size) < intervention_effect)
        averted += int((keep & removed).sum())
        keep &= ~removed
        person, day = person[keep], day[keep]
        people.append(who[person])
        days.append(day)
        np.maximum.at(last_fall, person, day)
    chosen = np.flatnonzero(enrolled_day != NEVER)
    return FallsHistory(
        person=np.concatenate(people),
        day=np.concatenate(days),
        enrolled_person=who[chosen],
        enrolled_day=enrolled_day[chosen].astype(np.int32),
        averted=averted,
    )
