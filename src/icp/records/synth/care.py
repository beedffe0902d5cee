"""A synthetic history of what the care app publishes: pathway enrolments, referrals, care plans.

The tables have the shape the care app publishes to the warehouse (`enrolment`, `referral`,
`care_plan`; records/schema.py). icp's assumptions (docs/synthetic-population.md):

- falls (`falls`): enrolments come from the falls simulation (`history.simulate_falls`), each
  ending after the 180-day programme (or at death);
- frailty (`frailty`): 35% of people 65+ who are moderately or severely frail (eFI > 0.24);
- COPD (`copd`): 25% of the COPD register; diabetes foot (`diabetes-foot`): 30% of people with
  diabetes and foot problems or peripheral vascular disease; end of life (`end-of-life`): 60% of
  the palliative care register. Each enrols on a day between the later of the condition's onset
  and 1 April 2022, and the earlier of death and the extract date;
- every enrolment has a referral to the pathway's service on the enrolment day and a care plan
  made within three weeks, active until the enrolment ends;
- advance care plans: 55% of the palliative care register and 15% of people severely frail,
  made between the onset (or 1 April 2022) and death;
- social prescribing referrals: adults at 1% a year, x exp(0.2 x deprivation step);
- a referral is accepted after Gamma(2, 3 x 0.9^year) days, or rejected (7%); an accepted one is
  completed after Gamma(3, 12) days; what has not happened by the extract date is still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from icp.records.synth.history import FALLS_PROGRAMME_DAYS, history_days
from icp.records.synth.outcomes import Outcomes
from icp.records.synth.population import DAYS_PER_YEAR, EXTRACT_DAY, NEVER, START_DAY, Bools, Cohort, Ints
from icp.records.synth.tables import constant, dates, pick, provenance, row_ids

# pathway → the service type its referrals go to (the care app's service types)
PATHWAY_SERVICES = {
    "falls": "falls",
    "frailty": "community_nursing",
    "copd": "pulmonary_rehabilitation",
    "diabetes-foot": "podiatry",
    "end-of-life": "palliative",
}
ENROLMENT_SHARES = {"frailty": 0.35, "copd": 0.25, "diabetes-foot": 0.30, "end-of-life": 0.60}
REJECTED_SHARE = 0.07
SOCIAL_PRESCRIBING_RATE = 0.01


@dataclass
class _Rows:
    person: list[Ints] = field(default_factory=list)
    pathway: list[npt.NDArray[np.object_]] = field(default_factory=list)
    start: list[Ints] = field(default_factory=list)
    end: list[Ints] = field(default_factory=list)

    def add(self, person: Ints, pathway: str | None, start: Ints, end: Ints) -> None:
        self.person.append(person.astype(np.int32))
        self.pathway.append(np.full(person.size, pathway, dtype=object))
        self.start.append(start.astype(np.int32))
        self.end.append(end.astype(np.int32))

    def arrays(self) -> tuple[Ints, npt.NDArray[np.object_], Ints, Ints]:
        return (
            np.concatenate(self.person),
            np.concatenate(self.pathway),
            np.concatenate(self.start),
            np.concatenate(self.end),
        )


def _day_between(rng: np.random.Generator, first: Ints, last: Ints) -> Ints:
    span = np.maximum(last.astype(np.int64) - first, 0)
    return np.asarray(first + np.floor(rng.random(first.size) * (span + 1)), dtype=np.int32)


def _last_day(outcomes: Outcomes, person: Ints) -> Ints:
    """The day before death, or the extract date."""
    return np.minimum(outcomes.death_day[person].astype(np.int64) - 1, EXTRACT_DAY).astype(np.int32)


def _chosen(rng: np.random.Generator, eligible: Bools, share: float) -> Ints:
    return np.flatnonzero(eligible & (rng.random(eligible.size) < share)).astype(np.int32)


def care_tables(
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    deficits: dict[str, Bools],
    outcomes: Outcomes,
    onsets: dict[str, Ints],
    pids: pa.Array,
    source: str,
) -> dict[str, pa.Table]:
    """The `enrolment`, `referral` and `care_plan` tables of one ICP's history."""
    age = cohort.age_on(EXTRACT_DAY)
    efi = outcomes.efi
    enrolments = _Rows()
    falls = outcomes.falls
    if falls is not None and falls.enrolled_person.size:
        person = falls.enrolled_person
        end = np.minimum(
            falls.enrolled_day.astype(np.int64) + FALLS_PROGRAMME_DAYS, _last_day(outcomes, person)
        )
        enrolments.add(person, "falls", falls.enrolled_day, end.astype(np.int32))
    eligible = {
        "frailty": (age >= 65) & (efi > 0.24),
        "copd": registers["copd"],
        "diabetes-foot": registers["diabetes"]
        & (deficits["foot_problems"] | deficits["peripheral_vascular_disease"]),
        "end-of-life": registers["palliative_care"],
    }
    onset_of = {"copd": "copd", "diabetes-foot": "diabetes", "end-of-life": "palliative_care"}
    for pathway, share in ENROLMENT_SHARES.items():
        person = _chosen(rng, eligible[pathway] & (outcomes.death_day > START_DAY), share)
        first = np.full(person.size, START_DAY, dtype=np.int64)
        if pathway in onset_of:
            onset = onsets[onset_of[pathway]][person].astype(np.int64)
            first = np.maximum(first, np.where(onset == NEVER, START_DAY, onset))
        last = _last_day(outcomes, person)
        keep = first <= last
        person, first, last = person[keep], first[keep], last[keep]
        start = _day_between(rng, first.astype(np.int32), last)
        enrolments.add(person, pathway, start, last)
    e_person, e_pathway, e_start, e_end = enrolments.arrays()
    # An enrolment still running on the extract date (and the person alive) has no end.
    died = outcomes.death_day[e_person] <= EXTRACT_DAY
    finished = (e_end < EXTRACT_DAY) | died
    end_reason = np.where(died & (e_end >= outcomes.death_day[e_person] - 1), "died", "completed")

    tables = {
        "enrolment": _enrolment_table(
            cohort, pids, source, e_person, e_pathway, e_start, e_end, finished, end_reason
        ),
        "care_plan": _care_plan_table(cohort, rng, registers, outcomes, onsets, pids, source, enrolments),
        "referral": _referral_table(cohort, rng, outcomes, pids, source, e_person, e_pathway, e_start),
    }
    return tables


def _enrolment_table(
    cohort: Cohort,
    pids: pa.Array,
    source: str,
    person: Ints,
    pathway: npt.NDArray[np.object_],
    start: Ints,
    end: Ints,
    finished: Bools,
    end_reason: npt.NDArray[np.str_],
) -> pa.Table:
    n = person.size
    return pa.table(
        {
            "enrolment_id": row_ids(cohort, "EN", n),
            "patient_id": pids.take(pa.array(person)),
            "pathway": pa.array(pathway, pa.string()),
            "practice_code": pick(cohort.practice_codes, cohort.practice[person]),
            "enrolled_date": dates(start),
            "ended_date": dates(np.where(finished, end, NEVER)),
            "end_reason": pa.array(end_reason.astype(object), pa.string(), mask=~finished),
            **provenance(cohort.icp, n, source),
        }
    )


def _care_plan_table(
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    outcomes: Outcomes,
    onsets: dict[str, Ints],
    pids: pa.Array,
    source: str,
    enrolments: _Rows,
) -> pa.Table:
    e_person, e_pathway, e_start, e_end = enrolments.arrays()
    created = np.minimum(e_start.astype(np.int64) + rng.integers(0, 22, e_person.size), e_end).astype(
        np.int32
    )
    plans = _Rows()
    plans.add(e_person, None, created, e_end)
    categories = [np.full(e_person.size, "care_plan", dtype=object)]
    pathways = [e_pathway]
    # Advance care plans: most of the palliative care register, some of the severely frail.
    acp = (registers["palliative_care"] & (rng.random(cohort.size) < 0.55)) | (
        (outcomes.efi > 0.36) & (rng.random(cohort.size) < 0.15)
    )
    person = np.flatnonzero(acp & (outcomes.death_day > START_DAY)).astype(np.int32)
    onset = onsets["palliative_care"][person].astype(np.int64)
    first = np.maximum(np.where(onset == NEVER, START_DAY, onset), START_DAY)
    last = _last_day(outcomes, person)
    keep = first <= last
    person, first, last = person[keep], first[keep], last[keep]
    made = _day_between(rng, first.astype(np.int32), last)
    plans.add(person, None, made, last)
    categories.append(np.full(person.size, "advance_care_plan", dtype=object))
    pathways.append(np.full(person.size, None, dtype=object))

    p_person, _unused, p_start, p_end = plans.arrays()
    category = np.concatenate(categories)
    died = outcomes.death_day[p_person] <= EXTRACT_DAY
    open_ = (p_end >= EXTRACT_DAY) & ~died
    # Advance care plans stand until death; pathway care plans end with their enrolment.
    is_acp = category == "advance_care_plan"
    ended = np.where(open_ | (is_acp & ~died), NEVER, np.where(died, outcomes.death_day[p_person], p_end))
    status = np.where(ended == NEVER, "active", "completed")
    n = p_person.size
    return pa.table(
        {
            "care_plan_id": row_ids(cohort, "CP", n),
            "patient_id": pids.take(pa.array(p_person)),
            "pathway": pa.array(np.concatenate(pathways), pa.string()),
            "category": pa.array(category, pa.string()),
            "status": pa.array(status, pa.string()),
            "created_date": dates(p_start),
            "review_date": dates(
                np.minimum(p_start.astype(np.int64) + 182, EXTRACT_DAY + 182).astype(np.int32)
            ),
            "ended_date": dates(ended.astype(np.int32)),
            **provenance(cohort.icp, n, source),
        }
    )


def _referral_table(
    cohort: Cohort,
    rng: np.random.Generator,
    outcomes: Outcomes,
    pids: pa.Array,
    source: str,
    e_person: Ints,
    e_pathway: npt.NDArray[np.object_],
    e_start: Ints,
) -> pa.Table:
    # Social prescribing for adults, more in deprived areas, on days spread over the history.
    adult = cohort.age_on(EXTRACT_DAY) >= 18
    rate = np.where(adult, SOCIAL_PRESCRIBING_RATE * np.exp(0.2 * (3 - cohort.quintile)), 0.0)
    counts = rng.poisson(rate * 4)
    sp_person = np.repeat(np.arange(cohort.size, dtype=np.int32), counts)
    sp_day = history_days(rng, sp_person.size, 0.0, 0.05)
    keep = sp_day < outcomes.death_day[sp_person]
    sp_person, sp_day = sp_person[keep], sp_day[keep]

    person = np.concatenate([e_person, sp_person])
    pathway = np.concatenate([e_pathway, np.full(sp_person.size, None, dtype=object)])
    requested = np.concatenate([e_start, sp_day]).astype(np.int64)
    service = np.full(person.size, "social_prescribing", dtype=object)
    for name, service_type in PATHWAY_SERVICES.items():
        service[pathway == name] = service_type
    n = person.size
    year = np.clip((requested - START_DAY) / DAYS_PER_YEAR, 0, 4)
    rejected = rng.random(n) < REJECTED_SHARE
    response = requested + np.ceil(rng.gamma(2.0, 3.0 * 0.9**year)).astype(np.int64)
    completion = response + np.ceil(rng.gamma(3.0, 12.0, n)).astype(np.int64)
    death = outcomes.death_day[person].astype(np.int64)
    responded = (response <= EXTRACT_DAY) & (response < death)
    accepted = responded & ~rejected
    completed = accepted & (completion <= EXTRACT_DAY) & (completion < death)
    cancelled = ~responded & (death <= EXTRACT_DAY)
    status = np.select(
        [completed, accepted, responded & rejected, cancelled],
        ["completed", "in-progress", "rejected", "cancelled"],
        default="requested",
    )
    return pa.table(
        {
            "referral_id": row_ids(cohort, "R", n),
            "patient_id": pids.take(pa.array(person)),
            "pathway": pa.array(pathway, pa.string()),
            "service_type": pa.array(service, pa.string()),
            "from_organisation": pick(cohort.practice_codes, cohort.practice[person]),
            "to_organisation": constant(None, n, pa.string()),
            "priority": constant("routine", n, pa.string()),
            "status": pa.array(status, pa.string()),
            "requested_date": dates(requested.astype(np.int32)),
            "accepted_date": dates(np.where(accepted, response, NEVER)),
            "rejected_date": dates(np.where(responded & rejected, response, NEVER)),
            "completed_date": dates(np.where(completed, completion, NEVER)),
            **provenance(cohort.icp, n, source),
        }
    )
