"""Population queries over persons, not source records: one `patient` row per person.

When a practice, a trust and a council each send the same person, the warehouse holds three
`patient` rows with one `person_id` (record linkage, docs/linkage.md). Scores and indicators must
count that person once and see all their records together. `by_person(tables)` gives the same
Ibis tables with:

- `patient`: one row per person, its **primary record** (the row whose `patient_id` is the
  `person_id`; if that row is gone, the person's smallest `patient_id`), so the registered
  practice, ICP and deprivation are the GP record's;
- every other table with a `patient_id` (conditions, encounters, …): `patient_id` replaced by the
  person's primary record's id, so each row counts towards the person.

So `risk_result.patient_id` is the primary record's id: a row of the patient index, as before.
When no record is linked to another (every `person_id` is its own `patient_id`) the tables are
returned as they are, at the cost of one count. Events that two sources both sent are not merged:
the person has both rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

# Tables whose rows are about a source record; results (risk_result) are already per person.
NOT_REMAPPED = frozenset({"patient", "batch", "risk_result"})


def linked_records(patient: ir.Table) -> int:
    """How many `patient` rows belong to a person named by another row."""
    person = ibis.coalesce(patient.person_id, patient.patient_id)
    return int(patient.filter(person != patient.patient_id).count().to_pyarrow().as_py())


def by_person(tables: Mapping[str, ir.Table]) -> dict[str, ir.Table]:
    """The tables with one `patient` row per person and every record filed under its person."""
    if "patient" not in tables or linked_records(tables["patient"]) == 0:
        return dict(tables)
    patient = tables["patient"]
    person = ibis.coalesce(patient.person_id, patient.patient_id)
    not_primary = (patient.patient_id != person).cast("int8")
    ranked = patient.mutate(
        person_key=person,
        person_rank=ibis.row_number().over(group_by=person, order_by=[not_primary, patient.patient_id]),
    )
    primary = ranked.filter(ranked.person_rank == 0)
    primary_ids = primary.select(primary_key=primary.person_key, primary_id=primary.patient_id)
    records = ranked.select(record_id=ranked.patient_id, record_person=ranked.person_key)
    mapping = records.join(primary_ids, records.record_person == primary_ids.primary_key).select(
        "record_id", "primary_id"
    )
    result = {name: table for name, table in tables.items()}
    result["patient"] = primary.drop("person_key", "person_rank")
    for name, table in tables.items():
        if name in NOT_REMAPPED or "patient_id" not in table.columns:
            continue
        joined = table.left_join(mapping, table.patient_id == mapping.record_id)
        result[name] = joined.select(
            *[
                ibis.coalesce(joined.primary_id, joined.patient_id).name("patient_id")
                if column == "patient_id"
                else joined[column]
                for column in table.columns
            ]
        )
    return result
