"""Impact evaluation finds a known truth and does not invent one.

The falls pathway is simulated by the synthetic population's own generator
(`records.synth.history.simulate_falls`) with an injected effect R: from enrolment, each enrolled
person's falls-admission rate is lower by the proportion R. Enrolment follows frailty and recent
falls, so the naive comparison is biased; the matched difference in differences must cover the
truth at about its nominal rate, and find no effect when none was injected.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from icp.measure.impact import Evaluation, EvaluationError, Population, estimate
from icp.records.synth.history import simulate_falls
from icp.records.synth.morbidity import calibrate, draw_deficits, draw_registers
from icp.records.synth.outcomes import draw_medicines, efi_counts
from icp.records.synth.population import EXTRACT_DAY, NEVER, START_DAY, make_cohort

PEOPLE = 24_000
SEEDS = 20


@pytest.fixture(scope="module")
def cohort() -> dict[str, Any]:
    rng = np.random.default_rng(2024)
    calibration = calibrate()
    people = make_cohort("NI-NOR-CA", 0, PEOPLE, rng)
    registers = draw_registers(people, rng, calibration.register_intercepts)
    deficits = draw_deficits(people, rng, calibration.deficit_intercepts, registers)
    efi = efi_counts(registers, deficits, draw_medicines(people, rng, registers)) / 36
    frame = pd.DataFrame(
        {
            "patient_id": np.arange(people.size),
            "birth_day": people.birth_day,
            "death_day": np.nan,
            "male": people.male.astype(float),
            "deprivation_quintile": people.quintile.astype(float),
            "efi_score": efi,
            "efi_falls": deficits["falls"].astype(float),
            "registers": sum(registers[name].astype(float) for name in registers),
        }
    )
    return {"cohort": people, "efi": efi, "falls": deficits["falls"], "frame": frame}


def evaluate(cohort: dict[str, Any], seed: int, effect: float) -> Evaluation:
    people = cohort["cohort"]
    death = np.full(people.size, NEVER, dtype=np.int32)
    history = simulate_falls(
        people, np.random.default_rng(seed), cohort["efi"], cohort["falls"], death, effect
    )
    population = Population(
        people=cohort["frame"],
        outcome=pd.DataFrame({"patient_id": history.person, "day": history.day}),
        emergency=pd.DataFrame({"patient_id": history.person[:0], "day": history.day[:0]}),
        enrolments=pd.DataFrame({"patient_id": history.enrolled_person, "day": history.enrolled_day}),
        start_day=START_DAY,
        end_day=EXTRACT_DAY,
        age_min=65,
    )
    return estimate(population, seed=seed)


@pytest.fixture(scope="module")
def twenty_seeds(cohort: dict[str, Any]) -> list[Evaluation]:
    return [evaluate(cohort, seed=100 + seed, effect=0.2) for seed in range(SEEDS)]


def test_recovers_the_injected_effect_within_its_interval_where_the_naive_comparison_fails(
    cohort: dict[str, Any],
) -> None:
    result = evaluate(cohort, seed=11, effect=0.2)
    assert result.ci_low <= -0.2 <= result.ci_high
    # The enrolled fall more than others even after enrolment: the naive comparison shows harm.
    assert result.naive_relative_change is not None and result.naive_relative_change > 0.2
    # Balance: the aim is every SMD under 0.1; with a few hundred pairs chance alone moves some
    # covariates near it, so the test holds the average under 0.05 and the largest under 0.15.
    smd = [abs(float(row["smd_after"])) for row in result.balance]
    assert np.mean(smd) < 0.05 and max(smd) < 0.15
    document = result.as_json()
    assert set(document) >= {"effect", "method", "balance", "people"}
    assert set(document["effect"]) == {"relative_change", "ci_low", "ci_high", "p_value"}


def test_finds_no_effect_when_none_was_injected(cohort: dict[str, Any]) -> None:
    result = evaluate(cohort, seed=12, effect=0.0)
    assert result.ci_low <= 0.0 <= result.ci_high
    assert result.p_value > 0.05


def test_the_interval_covers_the_truth_at_about_its_nominal_rate(twenty_seeds: list[Evaluation]) -> None:
    covered = sum(result.ci_low <= -0.2 <= result.ci_high for result in twenty_seeds)
    # 95% intervals over 20 seeds: 19 expected; fewer than 16 would happen by chance < 2% of the time.
    assert covered >= 16, covered


def test_on_average_the_estimate_sits_near_the_truth_and_far_from_the_naive_answer(
    twenty_seeds: list[Evaluation],
) -> None:
    log_ratios = np.log1p([result.relative_change for result in twenty_seeds])
    naive = np.log1p([result.naive_relative_change or 0.0 for result in twenty_seeds])
    # Each estimate is noisy (falls admissions are rare): their mean over 20 seeds is not.
    assert abs(log_ratios.mean() - np.log(0.8)) < 0.3, np.expm1(log_ratios.mean())
    assert naive.mean() > 0.2


def test_too_few_enrolled_is_a_clear_error(cohort: dict[str, Any]) -> None:
    population = Population(
        people=cohort["frame"],
        outcome=pd.DataFrame({"patient_id": [0], "day": [START_DAY]}),
        emergency=pd.DataFrame({"patient_id": [0], "day": [START_DAY]}),
        enrolments=pd.DataFrame({"patient_id": [1, 2], "day": [START_DAY + 40, START_DAY + 50]}),
        start_day=START_DAY,
        end_day=EXTRACT_DAY,
    )
    with pytest.raises(EvaluationError, match="only 2 people are enrolled"):
        estimate(population)
