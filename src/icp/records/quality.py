"""Data-quality conflicts in any warehouse data, synthetic or ingested: found and reported, never put aside.

A conflict is a record that is valid FHIR and tied to a person but cannot be true as it stands:
- `sex_specific_code`: an ICD-10 or OPCS-4 code specific to one sex, recorded for a person of the
  other (a prostate diagnosis for a woman);
- `age_specific_code`: a code specific to an age range, dated when the person was outside it;
- `after_death` / `before_birth`: an entry dated after the person died or before they were born;
- `impossible_age`: born after the day checked, died before being born, or older than 122 years;
- `impossible_value`: a measurement outside what a living person can have (a systolic blood
  pressure of 1,200 mmHg).
The rules are data with their sources cited (`reference/SOURCE.md`). Everything is Ibis over the
warehouse tables, so a check runs on DuckDB or Spark; examples name opaque ids only
(`<table>/<record id>` of `<patient id>`), never anything that identifies a person.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from icp.records.engine import to_arrow

REFERENCE = Path(__file__).resolve().parent / "reference"
# The longest verified human life: 122 years and 164 days (reference/SOURCE.md).
OLDEST_AGE = 122
EXAMPLES = 5

KINDS: dict[str, str] = {
    "sex_specific_code": "a code specific to one sex, recorded for a person of the other sex",
    "age_specific_code": "a code specific to an age range, dated when the person was outside it",
    "after_death": "an entry dated after the person's death",
    "before_birth": "an entry dated before the person's birth",
    "impossible_age": "born in the future, died before birth, or older than 122 years",
    "impossible_value": "a measurement outside what a living person can have",
}
Tables = dict[str, ir.Table]


@dataclass(frozen=True)
class CodeRule:
    """Codes `first` to `last` (without dots) apply only to `sex` and/or ages `min_age`-`max_age`."""

    code_system: str
    first: str
    last: str
    sex: str | None
    min_age: int | None
    max_age: int | None
    label: str
    source: str

    def covers(self, code: str) -> bool:
        plain = normalise(code)
        return plain[: len(self.first)] >= self.first and plain[: len(self.last)] <= self.last

    def allows(self, code: str, *, sex: str | None, age: int | None) -> bool:
        """Whether a person of this sex and age may have `code` by this rule (True when it does not apply)."""
        if not self.covers(code):
            return True
        if self.sex and sex in ("female", "male") and sex != self.sex:
            return False
        if age is not None and self.min_age is not None and age < self.min_age:
            return False
        return not (age is not None and self.max_age is not None and age > self.max_age)


@dataclass
class Finding:
    """One kind of conflict: how many records have it, and a few of them by opaque id."""

    kind: str
    count: int
    examples: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        return KINDS[self.kind]


def normalise(code: str) -> str:
    """A code as the rules compare it: no dot, no spaces, upper case (N40.0 → N400)."""
    return code.replace(".", "").replace(" ", "").upper()


def _optional_int(text: str) -> int | None:
    return int(text) if text.strip() else None


@cache
def code_rules() -> tuple[CodeRule, ...]:
    with (REFERENCE / "sex_age_specific_codes.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(
            CodeRule(
                code_system=row["code_system"],
                first=normalise(row["first"]),
                last=normalise(row["last"]),
                sex=row["sex"] or None,
                min_age=_optional_int(row["min_age"]),
                max_age=_optional_int(row["max_age"]),
                label=row["label"],
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        )


def code_allowed(code_system: str, code: str, *, sex: str | None, age: int | None) -> bool:
    """Whether every rule lets a person of `sex` aged `age` have this code (for synthesis)."""
    return all(
        rule.allows(code, sex=sex, age=age) for rule in code_rules() if rule.code_system == code_system
    )


def allowed_for(
    code_system: str, code: str, *, male: npt.NDArray[np.bool_], age: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """`code_allowed` for many people at once: `male` per person, `age` in exact years (synthesis)."""
    allowed = np.ones(male.shape, dtype=bool)
    for rule in code_rules():
        if rule.code_system != code_system or not rule.covers(code):
            continue
        if rule.sex:
            allowed &= male == (rule.sex == "male")
        if rule.min_age is not None:
            allowed &= age >= rule.min_age
        if rule.max_age is not None:
            allowed &= age < rule.max_age + 1  # whole years: aged max_age until the next birthday
    return allowed


@cache
def plausible_values() -> pa.Table:
    with (REFERENCE / "plausible_values.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return pa.table(
        {
            "rule_code_system": [r["code_system"] for r in rows],
            "rule_code": [r["code"] for r in rows],
            "low": pa.array([float(r["min"]) for r in rows], pa.float64()),
            "high": pa.array([float(r["max"]) for r in rows], pa.float64()),
        }
    )


def _age_at(birth: ir.DateValue, day: ir.DateValue) -> ir.IntegerValue:
    not_yet = (birth.month() * 100 + birth.day()) > (day.month() * 100 + day.day())
    return (day.year() - birth.year()) - not_yet.ifelse(1, 0)


def _entry_date(table: str, rows: ir.Table) -> ir.DateValue:
    """The date an entry of this clinical table happened on."""
    dates = {
        "condition": lambda: rows.onset_date.fill_null(rows.recorded_date),
        "observation": lambda: rows.effective_date,
        "medication": lambda: rows.start_date,
        "encounter": lambda: rows.start_date,
        "procedure": lambda: rows.performed_date,
    }
    return dates[table]()


def _entries(tables: Tables, names: tuple[str, ...], *, coded: bool) -> list[ir.Table]:
    parts = []
    for name in names:
        rows = tables[name]
        columns = {
            "table": ibis.literal(name),
            "record_id": rows[f"{name}_id"],
            "patient_id": rows.patient_id,
            **({"code_system": rows.code_system, "code": rows.code} if coded else {}),
            "entry_date": _entry_date(name, rows),
        }
        parts.append(rows.select(**columns))
    return parts


def dated_entries(tables: Tables) -> ir.Table:
    """Every clinical entry with its date: (table, record_id, patient_id, entry_date)."""
    names = ("condition", "observation", "medication", "encounter", "procedure")
    entries = ibis.union(*_entries(tables, names, coded=False), distinct=False)
    return entries.filter(entries.entry_date.notnull())


def coded_entries(tables: Tables) -> ir.Table:
    """ICD-10 and OPCS-4 codes with their dates: conditions, procedures and hospital diagnoses."""
    encounter = tables["encounter"]
    listed = encounter.filter(encounter.diagnoses.notnull())
    unnested = listed.select(
        listed.encounter_id, listed.patient_id, listed.start_date, diagnosis=listed.diagnoses.unnest()
    )
    diagnoses = unnested.select(
        table=ibis.literal("encounter"),
        record_id=unnested.encounter_id,
        patient_id=unnested.patient_id,
        code_system=unnested.diagnosis.code_system,
        code=unnested.diagnosis.code,
        entry_date=unnested.start_date,
    )
    systems = sorted({rule.code_system for rule in code_rules()})
    coded = ibis.union(*_entries(tables, ("condition", "procedure"), coded=True), diagnoses, distinct=False)
    coded = coded.filter(coded.code_system.isin(systems) & coded.code.notnull())
    return coded.mutate(plain=coded.code.replace(".", "").replace(" ", "").upper())


def _rules_table() -> ir.Table:
    rules = code_rules()
    return ibis.memtable(
        pa.table(
            {
                "rule_code_system": [r.code_system for r in rules],
                "rule_first": [r.first for r in rules],
                "rule_last": [r.last for r in rules],
                "rule_sex": pa.array([r.sex for r in rules], pa.string()),
                "rule_min_age": pa.array([r.min_age for r in rules], pa.int32()),
                "rule_max_age": pa.array([r.max_age for r in rules], pa.int32()),
            }
        )
    )


def _people(tables: Tables) -> ir.Table:
    patient = tables["patient"]
    return patient.select(
        person_id_=patient.patient_id,
        sex_=patient.sex,
        birth_=patient.birth_date,
        death_=patient.death_date,
    )


def conflicts(tables: Tables, *, today: dt.date) -> dict[str, ir.Table]:
    """Per kind, the conflicting records: (table, record_id, patient_id)."""
    people = _people(tables)
    coded = coded_entries(tables)
    rules = _rules_table()
    matched = coded.join(
        rules,
        [
            coded.code_system == rules.rule_code_system,
            coded.plain.substr(0, rules.rule_first.length()) >= rules.rule_first,
            coded.plain.substr(0, rules.rule_last.length()) <= rules.rule_last,
        ],
    )
    matched = matched.join(people, matched.patient_id == people.person_id_)
    sex_conflict = (
        matched.rule_sex.notnull()
        & matched.sex_.isin(["female", "male"])
        & (matched.sex_ != matched.rule_sex)
    )
    age = _age_at(matched.birth_, matched.entry_date)
    known_age = matched.birth_.notnull() & matched.entry_date.notnull()
    age_conflict = known_age & (
        (matched.rule_min_age.notnull() & (age < matched.rule_min_age))
        | (matched.rule_max_age.notnull() & (age > matched.rule_max_age))
    )
    found: dict[str, ir.Table] = {
        "sex_specific_code": matched.filter(sex_conflict),
        "age_specific_code": matched.filter(age_conflict),
    }
    entries = dated_entries(tables)
    dated = entries.join(people, entries.patient_id == people.person_id_)
    found["after_death"] = dated.filter(dated.death_.notnull() & (dated.entry_date > dated.death_))
    found["before_birth"] = dated.filter(dated.birth_.notnull() & (dated.entry_date < dated.birth_))
    today_value = ibis.literal(today)
    last_alive = people.death_.fill_null(today_value)
    impossible = (
        (people.birth_ > today_value)
        | (people.death_.notnull() & people.birth_.notnull() & (people.death_ < people.birth_))
        | (people.birth_.notnull() & (_age_at(people.birth_, last_alive) > OLDEST_AGE))
    )
    found["impossible_age"] = people.filter(impossible).select(
        table=ibis.literal("patient"), record_id=people.person_id_, patient_id=people.person_id_
    )
    observation = tables["observation"]
    bounds = ibis.memtable(plausible_values())
    measured = observation.join(
        bounds,
        [observation.code_system == bounds.rule_code_system, observation.code == bounds.rule_code],
    )
    found["impossible_value"] = measured.filter(
        measured.value_number.notnull()
        & ((measured.value_number < measured.low) | (measured.value_number > measured.high))
    ).select(
        table=ibis.literal("observation"), record_id=measured.observation_id, patient_id=measured.patient_id
    )
    return {
        kind: table.select("table", "record_id", "patient_id").distinct() for kind, table in found.items()
    }


def check(tables: Tables, *, today: dt.date, examples: int = EXAMPLES) -> list[Finding]:
    """Every kind of conflict, with its count and up to `examples` examples (opaque ids), in KINDS order."""
    findings = []
    for kind, table in conflicts(tables, today=today).items():
        count = int(to_arrow(table.aggregate(n=table.count())).column("n")[0].as_py() or 0)
        shown: list[str] = []
        if count and examples:
            first = to_arrow(table.order_by(["table", "record_id"]).limit(examples))
            shown = [f"{row['table']}/{row['record_id']} of {row['patient_id']}" for row in first.to_pylist()]
        findings.append(Finding(kind, count, shown))
    return findings
