"""The building blocks every score reads: the population at an index date, coded events, hospital
diagnoses, encounters and medicines, as Ibis expressions over the warehouse tables.

Conventions (docs/risk-stratification.md):
- a record counts "on or before the index date" when its date is <= the index date; records
  without a date are not counted (we cannot tell whether they came before the index date);
- a window of N years before the index date is (index - N years, index]: the record's date is
  after the start and on or before the index date;
- ICD-10 codes are compared without the dot, upper-cased (I21.0 → I210);
- entries without a code (text only) are kept in the warehouse for people to read, but no score
  uses them: every score matches codes. A run counts them (run.uncoded_entries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from icp.stratify import codelists

Tables = dict[str, ir.Table]

# Hospital settings whose diagnoses count as hospital records (Charlson), and the admitted-care
# setting that HFRS was built on (Gilbert 2018 used inpatient episodes only).
HOSPITAL_SETTINGS = ("inpatient", "outpatient", "ae")
ADMITTED_SETTING = "inpatient"


def years_before(index_date: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    try:
        return index_date.replace(year=index_date.year - years)
    except ValueError:
        return index_date.replace(year=index_date.year - years, day=28)


@dataclass(frozen=True)
class Window:
    """(start, end]: after `start`, on or before `end`."""

    start: dt.date
    end: dt.date

    @classmethod
    def years(cls, index_date: dt.date, years: int) -> Window:
        return cls(years_before(index_date, years), index_date)

    def contains(self, column: ir.DateValue) -> ir.BooleanValue:
        return (column > ibis.literal(self.start)) & (column <= ibis.literal(self.end))


def population(tables: Tables, index_date: dt.date) -> ir.Table:
    """Everyone alive and born on the index date, with age in whole years at that date."""
    patient = tables["patient"]
    index = ibis.literal(index_date)
    alive = patient.birth_date.notnull() & (patient.birth_date <= index)
    alive &= patient.death_date.isnull() | (patient.death_date > index)
    people = patient.filter(alive)
    birthday_not_yet = (people.birth_date.month() * 100 + people.birth_date.day()) > (
        index_date.month * 100 + index_date.day
    )
    age = (index_date.year - people.birth_date.year()) - birthday_not_yet.ifelse(1, 0)
    return people.select(
        "patient_id",
        "icp",
        "practice_code",
        "sex",
        "birth_date",
        "deprivation_quintile",
        "synthetic",
        age=age.cast("int32"),
    )


def coded_events(tables: Tables, index_date: dt.date) -> ir.Table:
    """Dated coded entries from conditions, observations and procedures, on or before the index date."""
    condition = tables["condition"]
    observation = tables["observation"]
    procedure = tables["procedure"]
    parts = [
        condition.select(
            "patient_id",
            "code_system",
            "code",
            event_date=condition.onset_date.fill_null(condition.recorded_date),
        ),
        observation.select("patient_id", "code_system", "code", event_date=observation.effective_date),
        procedure.select("patient_id", "code_system", "code", event_date=procedure.performed_date),
    ]
    events = ibis.union(*parts, distinct=False)
    return events.filter(events.event_date.notnull() & (events.event_date <= ibis.literal(index_date)))


def matched_events(tables: Tables, index_date: dt.date) -> ir.Table:
    """Coded events joined to every code list: (patient_id, list, key, role, event_date)."""
    events = coded_events(tables, index_date)
    codes = ibis.memtable(codelists.all_codes())
    joined = events.join(codes, [events.code_system == codes.code_system, events.code == codes.code])
    return joined.select(events.patient_id, codes.list, codes.key, codes.role, events.event_date)


# Condition.category codes that mark a hospital diagnosis when the Condition names an encounter
# (FHIR R4 condition-category; US Core and UK Core record hospital diagnoses this way). A Condition
# without a category that names an encounter counts too; a problem-list item does not.
ENCOUNTER_DIAGNOSIS_CATEGORIES = ("encounter-diagnosis",)


# The longest a score looks back at hospital diagnoses (Charlson: five years). Every score's
# diagnoses are filtered from one set over this window, so a query reads the encounters for them
# once (`hospital_diagnoses`), not once per score.
HOSPITAL_LOOKBACK_YEARS = 5


def hospital_diagnoses(tables: Tables, window: Window, settings: tuple[str, ...]) -> ir.Table:
    """ICD-10 diagnoses of encounters in `settings` that started in `window`: (patient_id, code).

    Read from both places FHIR puts them: the encounter's own diagnosis list (Encounter.diagnosis,
    resolved at ingest) and Conditions that name the encounter (Condition.encounter, category
    encounter-diagnosis or none). The same diagnosis found both ways is one row per place; the
    scores count distinct codes, so it counts once.

    A filter of `dated_hospital_diagnoses` at the window's end: the scores of one query that ask
    for different windows and settings share that one set (the query engine computes it once).
    """
    if window.start < years_before(window.end, HOSPITAL_LOOKBACK_YEARS):
        raise ValueError(f"hospital diagnoses are read at most {HOSPITAL_LOOKBACK_YEARS} years back")
    dated = dated_hospital_diagnoses(tables, window.end)
    chosen = dated.filter(dated.setting.isin(settings) & window.contains(dated.start_date))
    return chosen.select("patient_id", "code")


def dated_hospital_diagnoses(tables: Tables, index_date: dt.date) -> ir.Table:
    """(patient_id, code, setting, start_date) of every hospital encounter's ICD-10 diagnoses, the
    encounter started in the HOSPITAL_LOOKBACK_YEARS before `index_date` (see hospital_diagnoses)."""
    window = Window.years(index_date, HOSPITAL_LOOKBACK_YEARS)
    encounter = tables["encounter"]
    chosen = encounter.filter(
        encounter.setting.isin(HOSPITAL_SETTINGS) & window.contains(encounter.start_date)
    )
    listed = chosen.filter(chosen.diagnoses.notnull())
    # Spark through Ibis: select the unnested struct first, then take its fields.
    unnested = listed.select(
        listed.patient_id, listed.setting, listed.start_date, diagnosis=listed.diagnoses.unnest()
    )
    on_encounter = unnested.select(
        unnested.patient_id,
        unnested.setting,
        unnested.start_date,
        code_system=unnested.diagnosis.code_system,
        code=unnested.diagnosis.code,
    )
    condition = tables["condition"]
    linked = condition.filter(
        condition.encounter_id.notnull()
        & (condition.category.isnull() | condition.category.isin(ENCOUNTER_DIAGNOSIS_CATEGORIES))
    )
    stays = chosen.select(
        stay_id=chosen.encounter_id,
        stay_patient_id=chosen.patient_id,
        stay_setting=chosen.setting,
        stay_start_date=chosen.start_date,
    )
    naming = linked.join(
        stays, [linked.encounter_id == stays.stay_id, linked.patient_id == stays.stay_patient_id]
    ).select(
        linked.patient_id,
        setting=stays.stay_setting,
        start_date=stays.stay_start_date,
        code_system=linked.code_system,
        code=linked.code,
    )
    codes = ibis.union(on_encounter, naming, distinct=False)
    codes = codes.filter((codes.code_system == "icd10") & codes.code.notnull())
    return codes.select(
        "patient_id", "setting", "start_date", code=codes.code.upper().replace(".", "").strip()
    )


def icd10_conditions(tables: Tables, window: Window) -> ir.Table:
    """ICD-10 coded conditions (e.g. from hospital extracts) dated in `window`: (patient_id, code)."""
    condition = tables["condition"]
    date = condition.onset_date.fill_null(condition.recorded_date)
    chosen = condition.filter(
        (condition.code_system == "icd10") & window.contains(date) & condition.code.notnull()
    )
    return chosen.select("patient_id", code=chosen.code.upper().replace(".", "").strip())


def medicines_in_window(tables: Tables, window: Window) -> ir.Table:
    """Distinct medicines active in the window: (patient_id, medicines).

    A medicine is active when it started on or before the window's end and either ended inside
    the window, has no end date and was not recorded as stopped or completed before the window,
    or started inside the window.
    """
    medication = tables["medication"]
    start = ibis.literal(window.start)
    started = medication.start_date.notnull() & (medication.start_date <= ibis.literal(window.end))
    ended_inside = medication.end_date.notnull() & (medication.end_date > start)
    open_ended = medication.end_date.isnull() & ~medication.status.fill_null("active").isin(
        ["stopped", "completed", "entered-in-error", "cancelled"]
    )
    began_inside = medication.start_date > start
    valid = medication.status.fill_null("active") != "entered-in-error"
    # A medicine named only by text cannot be told apart from another reliably: left out (counted
    # as uncoded in the run summary), like every uncoded entry.
    valid &= medication.code.notnull()
    active = medication.filter(started & valid & (ended_inside | open_ended | began_inside))
    return active.group_by("patient_id").aggregate(
        medicines=(active.code_system.fill_null("") + ":" + active.code.fill_null("")).nunique()
    )
