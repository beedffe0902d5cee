"""Impact evaluation of a pathway: matched comparison, then difference in differences.

The question a committee asks: did enrolment in a pathway change the outcome it was meant to?

1. **Cases** are people enrolled in the pathway; each one's index date is their first enrolment.
2. **Risk-set matching.** For each month in which cases enrolled, the candidates are people in the
   outcome's age scope, alive and not yet enrolled in the pathway (someone who enrols later may
   be a control until then: their follow-up is censored at their own enrolment; requiring
   controls never to enrol would condition on the future and bias the comparison). Everyone's
   covariates are taken as they stood at the start of that month: age, sex, deprivation quintile,
   the eFI score and its falls deficit and the number of registers (stratify's functions, at the
   31 March before the history, so no covariate can be an effect of the pathway), and prior use
   (outcome events in the 6 and 12 months before, emergency admissions in the 12 months before). A logistic
   propensity model (scikit-learn) gives each person-month a score; each case is matched to the
   nearest unmatched candidate of the same month and with an outcome event in the last 12 months
   or not, as the case, on the logit of the score, within a caliper of
   0.2 standard deviations (Austin 2011), without replacement. The control takes the case's index
   date. The balance table gives each covariate's standardised mean difference before and after
   matching (aim: under 0.1).
3. **Difference in differences** on event counts: each matched person contributes their outcome
   events in the 12 months before the index date (or since the history began) and from the index
   date to the end of their follow-up (death or the history's end). A Poisson GLM with log
   person-time offset, count ~ treated + post + treated:post, with standard errors clustered by
   person (statsmodels), gives β for treated:post; `relative_change = exp(β) - 1` with its 95%
   interval and p-value.

What it cannot rule out (docs/evaluation.md): confounding by anything not measured (a fall not
coded, a carer's worry); a control group that differs in ways the covariates miss; regression to
the mean beyond what matching on recent events removes; other changes at the same time affecting
only the enrolled (other pathways); and, with few cases, chance.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression

EPOCH = dt.date(1970, 1, 1)
CALIPER_SD = 0.2
PRE_DAYS = 365
METHOD = (
    "Risk-set propensity-score matching (1:1, nearest neighbour on the logit within 0.2 SD, without "
    "replacement, among people not yet enrolled; controls take their case's index date and are "
    "censored if they enrol later), then difference in differences on event "
    "counts before and after the index date: Poisson GLM with log person-time offset and "
    "person-clustered standard errors; relative_change = exp(beta) - 1."
)
COVARIATES = (
    "age",
    "male",
    "deprivation_quintile",
    "efi_score",
    "efi_falls",
    "registers",
    "outcome_6m",
    "outcome_12m",
    "emergency_12m",
)


class EvaluationError(ValueError):
    """An evaluation that cannot be done (no such pathway, too few cases): the message says why."""


@dataclass
class Population:
    """Everything the evaluation needs, as plain frames (no engine): days are days since 1970."""

    people: pd.DataFrame  # patient_id, birth_day, death_day (NaN alive), male, deprivation_quintile,
    # efi_score, efi_falls, registers
    outcome: pd.DataFrame  # patient_id, day: one row per outcome event
    emergency: pd.DataFrame  # patient_id, day: one row per emergency admission
    enrolments: pd.DataFrame  # patient_id, day: first enrolment in the pathway
    start_day: int  # first day of the history
    end_day: int  # last day of the history
    age_min: int | None = None


@dataclass
class Evaluation:
    relative_change: float
    ci_low: float
    ci_high: float
    p_value: float
    balance: list[dict[str, float | str]]
    people: dict[str, int]
    naive_relative_change: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "effect": {
                "relative_change": self.relative_change,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "p_value": self.p_value,
            },
            "method": METHOD,
            "balance": self.balance,
            "people": self.people,
            **self.extra,
        }


# Events are kept as one sorted array of keys person_row x SPAN + day, so that "events of row r
# in [start, end)" is two binary searches, for every query at once.
SPAN = 10**6


def _event_keys(events: pd.DataFrame, ids: pd.Series) -> npt.NDArray[np.int64]:
    rows = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    known = events[events["patient_id"].isin(rows.index)]
    keys = rows[known["patient_id"]].to_numpy(np.int64) * SPAN + known["day"].to_numpy(np.int64)
    return np.sort(keys)


def _counts(
    keys: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """Events of person rows[i] in [start[i], end[i])."""
    base = np.asarray(rows, np.int64) * SPAN
    low = np.searchsorted(keys, base + np.asarray(start, np.int64))
    high = np.searchsorted(keys, base + np.maximum(np.asarray(end, np.int64), np.asarray(start, np.int64)))
    return (high - low).astype(np.float64)


def _covariates(
    population: Population,
    rows: npt.NDArray[np.int64],
    day: npt.NDArray[np.int64],
    outcome_days: npt.NDArray[np.int64],
    emergency_days: npt.NDArray[np.int64],
) -> pd.DataFrame:
    people = population.people
    frame = pd.DataFrame(
        {
            "age": (day - people["birth_day"].to_numpy()[rows]) / 365.25,
            "male": people["male"].to_numpy(float)[rows],
            "deprivation_quintile": people["deprivation_quintile"].to_numpy(float)[rows],
            "efi_score": people["efi_score"].to_numpy(float)[rows],
            "efi_falls": people["efi_falls"].to_numpy(float)[rows],
            "registers": people["registers"].to_numpy(float)[rows],
            "outcome_6m": _counts(outcome_days, rows, day - 182, day),
            "outcome_12m": _counts(outcome_days, rows, day - 365, day),
            "emergency_12m": _counts(emergency_days, rows, day - 365, day),
        }
    )
    return frame


def _smd(cases: pd.Series, controls: pd.Series) -> float:
    pooled = math.sqrt((cases.var(ddof=1) + controls.var(ddof=1)) / 2) if len(cases) > 1 else 0.0
    return 0.0 if pooled == 0 or math.isnan(pooled) else float((cases.mean() - controls.mean()) / pooled)


def estimate(population: Population, *, seed: int = 1, candidates_per_case: int = 100) -> Evaluation:
    """Match, check balance and fit the difference-in-differences model (see the module docstring)."""
    rng = np.random.default_rng(seed)
    people = population.people.reset_index(drop=True)
    index_of = pd.Series(np.arange(len(people)), index=people["patient_id"])
    enrolled = population.enrolments[population.enrolments["patient_id"].isin(index_of.index)]
    enrolled = enrolled.groupby("patient_id", as_index=False)["day"].min()
    if len(enrolled) < 20:
        raise EvaluationError(f"only {len(enrolled)} people are enrolled in the pathway: too few to evaluate")
    outcome_days = _event_keys(population.outcome, people["patient_id"])
    emergency_days = _event_keys(population.emergency, people["patient_id"])
    is_case = np.zeros(len(people), bool)
    is_case[index_of[enrolled["patient_id"]].to_numpy()] = True
    birth = people["birth_day"].to_numpy(np.int64)
    death = people["death_day"].fillna(np.inf).to_numpy(float)

    month = (enrolled["day"].to_numpy(np.int64) - population.start_day) // 30
    rows_case, rows_control, days_case, days_control, month_case, month_control = [], [], [], [], [], []
    # Risk sets: a candidate is anyone not yet enrolled at the month's start (a later enrollee
    # too: requiring controls never to enrol would condition on their future and bias the
    # comparison); a control's follow-up stops when they enrol themselves.
    enrol_day = np.full(len(people), np.inf)
    enrol_day[index_of[enrolled["patient_id"]].to_numpy()] = enrolled["day"].to_numpy(float)
    everyone = np.arange(len(people))
    for value in np.unique(month):
        chosen = enrolled[month == value]
        first = int(population.start_day + value * 30)
        case_rows = index_of[chosen["patient_id"]].to_numpy()
        not_yet = (enrol_day > first + 30) & (death > first) & (birth <= first)
        alive = everyone[not_yet]
        if population.age_min is not None:
            alive = alive[(first - birth[alive]) / 365.25 >= population.age_min]
        take = min(alive.size, candidates_per_case * case_rows.size)
        sampled = rng.choice(alive, size=take, replace=False) if take else alive[:0]
        rows_case.append(case_rows)
        days_case.append(chosen["day"].to_numpy(np.int64))
        month_case.append(np.full(case_rows.size, value))
        rows_control.append(sampled)
        days_control.append(np.full(sampled.size, first, dtype=np.int64))
        month_control.append(np.full(sampled.size, value))
    case_rows = np.concatenate(rows_case)
    control_rows = np.concatenate(rows_control)
    case_days = np.concatenate(days_case)
    control_start = np.concatenate(days_control)
    case_month, control_month = np.concatenate(month_case), np.concatenate(month_control)
    # Cases' covariates stand at the start of their enrolment month, as their candidates' do.
    case_first = (population.start_day + case_month * 30).astype(np.int64)
    case_x = _covariates(population, case_rows, case_first, outcome_days, emergency_days)
    control_x = _covariates(population, control_rows, control_start, outcome_days, emergency_days)
    design = pd.concat([case_x, control_x], ignore_index=True)
    treated = np.concatenate([np.ones(case_rows.size), np.zeros(control_rows.size)])
    varying = design.loc[:, design.std(ddof=0) > 0]  # a constant covariate cannot enter the model
    scaled = (varying - varying.mean()) / varying.std(ddof=0)
    # Nor can a copy of another covariate (the model would be singular).
    _values, distinct = np.unique(scaled.to_numpy().T, axis=0, return_index=True)
    scaled = scaled.iloc[:, np.sort(distinct)]
    # A lightly penalised logistic model (scikit-learn): it converges where matching needs it to,
    # including when a covariate nearly separates the enrolled from the rest in a small area.
    propensity = LogisticRegression(C=1.0, max_iter=2000).fit(scaled.to_numpy(), treated)
    logit = np.asarray(propensity.decision_function(scaled.to_numpy()), dtype=float)
    caliper = CALIPER_SD * float(np.std(logit))
    case_logit, control_logit = logit[: case_rows.size], logit[case_rows.size :]

    # Exact on the month and on recent outcome events (the pre-period of the comparison, and what
    # enrolment follows), nearest on the propensity within those strata.
    def strata(month: npt.NDArray[np.int64], x: pd.DataFrame) -> npt.NDArray[np.int64]:
        return np.asarray(month.astype(np.int64) * 10 + (x["outcome_12m"].to_numpy() > 0), dtype=np.int64)

    case_stratum, control_stratum = strata(case_month, case_x), strata(control_month, control_x)
    matched_case, matched_control = [], []
    used_people: set[int] = set()
    order = rng.permutation(case_rows.size)
    for i in order:
        pool = np.flatnonzero(control_stratum == case_stratum[i])
        if pool.size == 0:
            continue
        distance = np.abs(control_logit[pool] - case_logit[i])
        for j in pool[np.argsort(distance)]:
            if abs(control_logit[j] - case_logit[i]) > caliper:
                break
            person = int(control_rows[j])
            if person in used_people:
                continue
            used_people.add(person)
            matched_case.append(i)
            matched_control.append(j)
            break
    if len(matched_case) < 10:
        raise EvaluationError(f"only {len(matched_case)} cases found a match within the caliper")
    mc, mk = np.array(matched_case), np.array(matched_control)

    balance: list[dict[str, float | str]] = []
    for name in COVARIATES:
        balance.append(
            {
                "covariate": name,
                "mean_enrolled": float(case_x[name].mean()),
                "mean_comparison": float(control_x[name].iloc[mk].mean()),
                "smd_before": _smd(case_x[name], control_x[name]),
                "smd_after": _smd(case_x[name].iloc[mc], control_x[name].iloc[mk]),
            }
        )

    # Both members of a pair take the case's index date.
    index_day = case_days[mc]
    persons = np.concatenate([case_rows[mc], control_rows[mk]])
    index = np.concatenate([index_day, index_day])
    is_treated = np.concatenate([np.ones(mc.size), np.zeros(mk.size)])
    pre_start = np.maximum(index - PRE_DAYS, population.start_day)
    end = np.minimum(death[persons], population.end_day + 1)
    # Controls are censored at their own enrolment (cases' own enrolment is their index date).
    censor = np.concatenate([np.full(mc.size, np.inf), enrol_day[control_rows[mk]]])
    end = np.maximum(np.minimum(end, censor), index).astype(np.int64)
    pre = _counts(outcome_days, persons, pre_start, index)
    post = _counts(outcome_days, persons, index, end)
    long = pd.DataFrame(
        {
            "count": np.concatenate([pre, post]),
            "years": np.concatenate([(index - pre_start) / 365.25, (end - index) / 365.25]),
            "treated": np.concatenate([is_treated, is_treated]),
            "post": np.concatenate([np.zeros(persons.size), np.ones(persons.size)]),
            "person": np.concatenate([np.arange(persons.size), np.arange(persons.size)]),
        }
    )
    long = long[long["years"] > 0]
    long["treated_post"] = long["treated"] * long["post"]
    exog = sm.add_constant(long[["treated", "post", "treated_post"]], has_constant="add")
    fitted = sm.GLM(long["count"], exog, family=sm.families.Poisson(), offset=np.log(long["years"])).fit(
        cov_type="cluster", cov_kwds={"groups": long["person"].to_numpy()}
    )
    beta = float(fitted.params["treated_post"])
    se = float(fitted.bse["treated_post"])
    naive = _naive(outcome_days, people, case_rows, case_days, is_case, death, population)
    return Evaluation(
        relative_change=math.exp(beta) - 1,
        ci_low=math.exp(beta - 1.959964 * se) - 1,
        ci_high=math.exp(beta + 1.959964 * se) - 1,
        p_value=float(fitted.pvalues["treated_post"]),
        balance=balance,
        people={
            "enrolled": int(case_rows.size),
            "matched": int(mc.size),
            "candidates": int(control_rows.size),
            "unmatched_enrolled": int(case_rows.size - mc.size),
        },
        naive_relative_change=naive,
        extra={"naive_relative_change": naive},
    )


def _naive(
    outcome_days: npt.NDArray[np.int64],
    people: pd.DataFrame,
    case_rows: npt.NDArray[np.int64],
    case_days: npt.NDArray[np.int64],
    is_case: npt.NDArray[np.bool_],
    death: npt.NDArray[np.float64],
    population: Population,
) -> float:
    """The biased comparison a matched design exists to avoid: the enrolled's rate after enrolment
    over the never-enrolled's rate across the history (shown beside the estimate, for contrast)."""
    end = np.minimum(death[case_rows], population.end_day + 1)
    after = _counts(outcome_days, case_rows, case_days, end.astype(np.int64)).sum()
    years = np.maximum(end - case_days, 0).sum() / 365.25
    others = np.flatnonzero(~is_case)
    birth = people["birth_day"].to_numpy(np.int64)
    if population.age_min is not None:
        others = others[(population.end_day - birth[others]) / 365.25 >= population.age_min]
    other_end = np.minimum(death[others], population.end_day + 1)
    other_events = _counts(
        outcome_days, others, np.full(others.size, population.start_day), other_end.astype(np.int64)
    ).sum()
    other_years = np.maximum(other_end - population.start_day, 0).sum() / 365.25
    if years <= 0 or other_years <= 0 or other_events == 0:
        return float("nan")
    return float((after / years) / (other_events / other_years) - 1)
