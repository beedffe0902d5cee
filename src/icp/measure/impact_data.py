"""The warehouse side of impact evaluation: the frames `impact.estimate` needs, from Ibis tables.

People (less planning opt-outs), their baseline scores computed with stratify's functions at the
31 March before the history (so no covariate can be an effect of the pathway), the outcome
indicator's events, emergency admissions and the pathway's enrolments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import ibis
import ibis.expr.types as ir
import pandas as pd

from icp.measure.impact import EPOCH, Evaluation, EvaluationError, Population, estimate
from icp.measure.indicators import cells
from icp.measure.indicators.definition import indicator as find_indicator
from icp.stratify import codelists, comorbidity, frailty
from icp.stratify.events import Tables, matched_events, population
from icp.stratify.execute import to_arrow


def _frame(expression: ir.Table) -> pd.DataFrame:
    return to_arrow(expression).to_pandas()


def _days(column: pd.Series) -> pd.Series:
    return (pd.to_datetime(column) - pd.Timestamp(EPOCH)).dt.days


def baseline_scores(tables: Tables, day: dt.date) -> ir.Table:
    """eFI score, its falls deficit and the number of registers for everyone alive on `day`."""
    matched = matched_events(tables, day)
    alive = population(tables, day)
    efi = frailty.efi_with_polypharmacy(
        alive, frailty.efi(tables, day, matched), frailty.medicines_12m(tables, day)
    )
    registers = comorbidity.registers(matched)
    names = [comorbidity.register_column(name) for name in codelists.registers()]
    count = sum((registers[name].cast("int32") for name in names), ibis.literal(0, "int32"))
    counted = registers.select(register_patient=registers.patient_id, registers=count)
    joined = efi.left_join(counted, efi.patient_id == counted.register_patient)
    return joined.select(
        score_patient=joined.patient_id,
        efi_score=joined.efi_score,
        efi_falls=joined[frailty.efi_deficit_column("falls")].cast("float64"),
        registers=joined.registers.fill_null(0).cast("float64"),
    )


def population_for(
    tables: Tables, *, pathway: str, outcome: str, excluded: Collection[str] = ()
) -> Population:
    try:
        definition = find_indicator(outcome)
    except KeyError as error:
        raise EvaluationError(str(error)) from error
    if definition.measure != "population_rate":
        raise EvaluationError(
            f"{outcome} is not a count of events per person; choose an admission or attendance indicator"
        )
    encounter = tables["encounter"]
    span = _frame(encounter.aggregate(first=encounter.start_date.min(), last=encounter.start_date.max()))
    if span["first"].isna().all():
        raise EvaluationError("the warehouse has no encounters for this area")
    first, last = pd.Timestamp(span["first"][0]).date(), pd.Timestamp(span["last"][0]).date()
    start = dt.date(first.year if first.month >= 4 else first.year - 1, 4, 1)
    persons = cells.kept(cells.people(tables, excluded))
    scores = baseline_scores(tables, start - dt.timedelta(days=1))
    joined = persons.left_join(scores, persons.patient_id == scores.score_patient)
    people = _frame(
        joined.select(
            "patient_id",
            "birth_date",
            "death_date",
            "sex",
            "deprivation_quintile",
            efi_score=joined.efi_score.fill_null(0.0),
            efi_falls=joined.efi_falls.fill_null(0.0),
            registers=joined.registers.fill_null(0.0),
        )
    )
    people["birth_day"] = _days(people.pop("birth_date"))
    people["death_day"] = _days(people.pop("death_date"))
    people["male"] = (people.pop("sex") == "male").astype(float)
    # Every list the outcome's rules read (acsc_chronic's exclusions among them), as icp measure.
    spells = cells.kept(cells.spells(tables, *cells.spell_lists([definition])))
    events = cells.population_rate_events(
        definition, tables, spells, months=cells.Months(start, last), data_end=last
    )
    events = events.semi_join(persons, events.patient_id == persons.patient_id)
    outcome_events = _frame(events.select("patient_id", "event_date", "value"))
    # A bed-day outcome counts nights, one row each on its own day (a stay's nights in a month
    # follow its first night there); every other outcome counts events (one row each).
    outcome_events = outcome_events.loc[
        outcome_events.index.repeat(outcome_events["value"].clip(lower=0).astype(int))
    ]
    night = outcome_events.groupby(level=0).cumcount()
    outcome_days = _days(outcome_events["event_date"]) + night.to_numpy()
    emergency = _frame(spells.filter(spells.emergency).select("patient_id", event_date=spells.start_date))
    enrolment = tables["enrolment"]
    chosen = enrolment.filter(enrolment.pathway == pathway)
    enrolments = _frame(chosen.select("patient_id", event_date=chosen.enrolled_date))
    if enrolments.empty:
        raise EvaluationError(f"nobody in this area is enrolled in the pathway {pathway!r}")
    return Population(
        people=people,
        outcome=pd.DataFrame({"patient_id": outcome_events["patient_id"], "day": outcome_days}),
        emergency=pd.DataFrame(
            {"patient_id": emergency["patient_id"], "day": _days(emergency["event_date"])}
        ),
        enrolments=pd.DataFrame(
            {"patient_id": enrolments["patient_id"], "day": _days(enrolments["event_date"])}
        ),
        start_day=(start - EPOCH).days,
        end_day=(last - EPOCH).days,
        age_min=definition.age_min,
    )


def evaluate(
    tables: Tables, *, pathway: str, outcome: str, excluded: Collection[str] = (), seed: int = 1
) -> Evaluation:
    """Evaluate enrolment in `pathway` on the indicator `outcome` (see impact.py)."""
    return estimate(population_for(tables, pathway=pathway, outcome=outcome, excluded=excluded), seed=seed)
